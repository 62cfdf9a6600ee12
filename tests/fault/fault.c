/*
 * The allocator wrappers and the failing VFS of the fault build (fault.h). Only one thread
 * runs requests in the driver, so a plain counter numbers the points the same way each run.
 */
#include <csv.h>
#include <errno.h>
#include <hpdf.h>
#include <sanitizer/common_interface_defs.h>
#include <jansson.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uclean.h>
#include "fault.h"

/* the real functions, which -Wl,--wrap=NAME calls __real_NAME */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_tmpfile(void);
int __real_mkstemp(char *tmpl);
int __real_csv_init(struct csv_parser *p, unsigned char options);
HPDF_Doc __real_HPDF_New(HPDF_Error_Handler fn, void *data);
json_t *__real_json_loadb(const char *s, size_t len, size_t flags, json_error_t *err);
json_t *__real_json_loads(const char *s, size_t flags, json_error_t *err);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_tmpfile(void);
int __wrap_mkstemp(char *tmpl);
int __wrap_csv_init(struct csv_parser *p, unsigned char options);
HPDF_Doc __wrap_HPDF_New(HPDF_Error_Handler fn, void *data);
json_t *__wrap_json_loadb(const char *s, size_t len, size_t flags, json_error_t *err);
json_t *__wrap_json_loads(const char *s, size_t flags, json_error_t *err);

static atomic_bool armed;
static enum fault_kind kind;
static long fail_at, seen;
static bool fired, full, trace, paused;

void fault_arm(enum fault_kind k, long at, bool disk_full)
{
	kind = k;
	fail_at = at;
	full = disk_full;
	seen = 0;
	fired = false;
	atomic_store(&armed, true);
}

long fault_disarm(void)
{
	atomic_store(&armed, false);
	return seen;
}

void fault_pause(bool on)
{
	paused = on;
}

bool fault_fired(void)
{
	return fired;
}

/* Whether this point of kind k is the one to fail. */
static bool point(enum fault_kind k)
{
	if (!atomic_load(&armed) || kind != k || paused)
		return false;
	if (++seen != fail_at)
		return false;
	fired = true;
	if (trace) {
		fprintf(stderr, "fault: failing %s %ld here:\n",
		        k == FAULT_IO ? "write" : "allocation", seen);
		__sanitizer_print_stack_trace();
	}
	return true;
}

/* --- allocations in kam's own objects --- */

void *__wrap_malloc(size_t n)
{
	return point(FAULT_ALLOC) ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return point(FAULT_ALLOC) ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return point(FAULT_ALLOC) ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return point(FAULT_ALLOC) ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return point(FAULT_ALLOC) ? NULL : __real_strndup(s, n);
}

/* a FILE is an allocation too (and a temporary file can find the disk full) */
FILE *__wrap_fopen(const char *path, const char *mode)
{
	if (point(FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_fopen(path, mode);
}

FILE *__wrap_tmpfile(void)
{
	if (point(FAULT_ALLOC)) {
		errno = ENOSPC;
		return NULL;
	}
	return __real_tmpfile();
}

int __wrap_mkstemp(char *tmpl)
{
	if (point(FAULT_ALLOC)) {
		errno = ENOSPC;
		return -1;
	}
	return __real_mkstemp(tmpl);
}

/* --- the libraries' allocators --- */

/*
 * jansson 2.14's lexer ignores an allocation that fails while it saves a token's bytes
 * (lex_save), so a string can come out a byte short and the parse still succeed: a password
 * one character off. That is the library's defect and no caller can see it; the loader's
 * allocations are left out of the count, so the loop tests kam's own paths.
 */
json_t *__wrap_json_loadb(const char *s, size_t len, size_t flags, json_error_t *err)
{
	json_t *v;

	paused = true;
	v = __real_json_loadb(s, len, flags, err);
	paused = false;
	return v;
}

json_t *__wrap_json_loads(const char *s, size_t flags, json_error_t *err)
{
	json_t *v;

	paused = true;
	v = __real_json_loads(s, flags, err);
	paused = false;
	return v;
}

static void *lib_malloc(size_t n)
{
	return point(FAULT_ALLOC) ? NULL : __real_malloc(n);
}

static void *lib_realloc(void *p, size_t n)
{
	return point(FAULT_ALLOC) ? NULL : __real_realloc(p, n);
}

/* libcsv reallocates its field buffer through the parser's hook */
int __wrap_csv_init(struct csv_parser *p, unsigned char options)
{
	int rc = __real_csv_init(p, options);

	if (rc == 0)
		csv_set_realloc_func(p, lib_realloc);
	return rc;
}

/*
 * libharu 2.3.0 is not counted either: when an allocation inside HPDF_GetFont fails it can
 * hand back a font object it never finished, with no error recorded, and the next
 * HPDF_Page_SetFontAndSize crashes inside the library (SEGV in HPDF_Dict_GetKeyByObj). No
 * caller can see that coming. The loop found it on the plan's PDF around allocation 6,650.
 */
static void *hpdf_alloc(HPDF_UINT n)
{
	return __real_malloc(n);
}

/* HPDF_New is HPDF_NewEx with the library's own allocator */
HPDF_Doc __wrap_HPDF_New(HPDF_Error_Handler fn, void *data)
{
	return HPDF_NewEx(fn, hpdf_alloc, free, 0, data);
}

static void *icu_alloc(const void *ctx, size_t n)
{
	(void)ctx;
	return lib_malloc(n);
}

static void *icu_realloc(const void *ctx, void *p, size_t n)
{
	(void)ctx;
	return lib_realloc(p, n);
}

static void icu_free(const void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void *sq_malloc(int n)
{
	return lib_malloc((size_t)n);
}

static void sq_free(void *p)
{
	free(p);
}

static void *sq_realloc(void *p, int n)
{
	return lib_realloc(p, (size_t)n);
}

static int sq_size(void *p)
{
	return p ? (int)malloc_usable_size(p) : 0;
}

static int sq_roundup(int n)
{
	return (n + 7) & ~7;
}

static int sq_init(void *x)
{
	(void)x;
	return SQLITE_OK;
}

static void sq_shutdown(void *x)
{
	(void)x;
}

/* --- the VFS: each file's methods forward to the default VFS's, but for the counted ones --- */

struct ffile {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct, root->szOsFile bytes */
};

static sqlite3_vfs *root;
static sqlite3_vfs fvfs;

#define REAL(f) (((struct ffile *)(f))->real)

static int f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), b, n, off);
}

static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
	if (point(FAULT_IO))
		return full ? SQLITE_FULL : SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	if (point(FAULT_IO))
		return SQLITE_IOERR_TRUNCATE;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
	if (point(FAULT_IO))
		return SQLITE_IOERR_FSYNC;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int f_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int f_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, p);
}

static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fmethods = {
    3,          f_close,       f_read,      f_write,   f_truncate, f_sync,   f_size,
    f_lock,     f_unlock,      f_reserved,  f_control, f_sector,   f_device, f_shm_map,
    f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch,   f_unfetch,
};

static int f_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct ffile *p = (struct ffile *)f;
	int rc;

	(void)v;
	p->real = (sqlite3_file *)&p[1];
	rc = root->xOpen(root, name, p->real, flags, out);
	/* SQLite closes a file whose open failed only when it has methods */
	f->pMethods = p->real->pMethods ? &fmethods : NULL;
	return rc;
}

static int f_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return root->xDelete(root, name, sync);
}

static int f_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return root->xAccess(root, name, flags, out);
}

static int f_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return root->xFullPathname(root, name, n, out);
}

static int f_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return root->xRandomness(root, n, out);
}

static int f_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return root->xSleep(root, us);
}

static int f_time(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return root->xCurrentTimeInt64(root, out);
}

static int f_lasterr(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return root->xGetLastError(root, n, out);
}

void fault_init(void)
{
	static const sqlite3_mem_methods mem = {sq_malloc,  sq_free, sq_realloc,  sq_size,
	                                        sq_roundup, sq_init, sq_shutdown, NULL};
	UErrorCode uerr = U_ZERO_ERROR;

	trace = getenv("FAULT_TRACE") != NULL;

	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK) {
		fprintf(stderr, "fault: SQLite is already initialised\n");
		abort();
	}
	json_set_alloc_funcs(lib_malloc, free);
	u_setMemoryFunctions(NULL, icu_alloc, icu_realloc, icu_free, &uerr);
	if (U_FAILURE(uerr)) {
		fprintf(stderr, "fault: ICU is already in use\n");
		abort();
	}
	root = sqlite3_vfs_find(NULL);
	fvfs = (sqlite3_vfs){
	    .iVersion = 2,
	    .szOsFile = (int)sizeof(struct ffile) + root->szOsFile,
	    .mxPathname = root->mxPathname,
	    .zName = FAULT_VFS,
	    .xOpen = f_open,
	    .xDelete = f_delete,
	    .xAccess = f_access,
	    .xFullPathname = f_fullpath,
	    .xRandomness = f_random,
	    .xSleep = f_sleep,
	    .xGetLastError = f_lasterr,
	    .xCurrentTimeInt64 = f_time,
	};
	if (sqlite3_vfs_register(&fvfs, 0) != SQLITE_OK)
		abort();
}
