/*
 * Fault injection for the test build only (build/fault/, docs/testing.md "Fault injection"):
 * the Nth allocation or the Nth database write fails. Allocations are counted in kam's own
 * objects (malloc, calloc, realloc, strdup, strndup, fopen, tmpfile, mkstemp, wrapped at link
 * time with -Wl,--wrap), in jansson (json_set_alloc_funcs), SQLite (SQLITE_CONFIG_MALLOC),
 * libcsv (its realloc hook) and ICU (u_setMemoryFunctions); not in jansson's loader nor in
 * libharu, which mishandle a failed allocation themselves (fault.c says how). Writes are
 * counted in a SQLite VFS, "kamfault", that forwards to the default one: xWrite, xSync and
 * xTruncate. Nothing of this is linked into kam itself.
 */
#ifndef KAM_TESTS_FAULT_H
#define KAM_TESTS_FAULT_H
#include <stdbool.h>

enum fault_kind {
	FAULT_ALLOC, /* allocations */
	FAULT_IO,    /* xWrite, xSync, xTruncate of the kamfault VFS */
};

/* Installs the allocator hooks (with FAULT_TRACE set in the environment, each failure
 * prints where it happened) and registers the VFS; call first in main, before SQLite,
 * jansson or ICU run. */
void fault_init(void);
/* Counts points of kind k from now on and fails the fail_at-th one (0: none fails).
 * A failed xWrite answers SQLITE_FULL when disk_full, else SQLITE_IOERR_WRITE. */
void fault_arm(enum fault_kind k, long fail_at, bool disk_full);
/* Stops counting; the number of points counted since fault_arm. */
long fault_disarm(void);
/* Leaves the points from now on out of the count (on) or counts them again: the driver's own
 * allocations while armed. */
void fault_pause(bool on);
/* Whether the armed point failed. */
bool fault_fired(void);
/* The name of the VFS to open a database through ("file:PATH?vfs=kamfault"). */
#define FAULT_VFS "kamfault"

#endif
