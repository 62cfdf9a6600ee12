/*
 * Fault injection over the whole request path (docs/testing.md "Fault injection"), after
 * SQLite's malloc and I/O error tests: each request of a representative set is run through
 * http_dispatch once without faults (the reference), then again for N = 1, 2, 3 … with the
 * Nth allocation failing, until a run reaches its end with no failure; then the same with the
 * Nth write, sync or truncate of the database failing. Every run starts from the same demo
 * database and a newly opened store, and must:
 *
 *   - answer as the reference did (status and body), or with a 5xx problem document
 *     (503 for a failed write: disk full and I/O errors are "retry later");
 *   - leak nothing (LeakSanitizer), crash nothing (ASan, UBSan), hang nothing (an alarm);
 *   - leave the database whole (integrity_check, foreign_key_check) and the write done
 *     completely or not at all: every table as before the request or as the reference left it,
 *     never a mix, and as the reference left it when the answer was a 2xx;
 *   - after a failed write, serve the same request again on the same store (it recovers).
 *
 * Usage: fault_api [--alloc] [--io] [--stride K] [--only NAME] [--at N] [--skip-known].
 * --skip-known leaves out the requests of known[] (open defects). --stride K runs
 * N = 1..64, then every Kth N (a quicker subset); the default is every N. --at N runs that N
 * alone (with FAULT_TRACE=1 in the environment, the failure prints where it happened).
 */
#include <errno.h>
#include <fcntl.h>
#include <sanitizer/lsan_interface.h>
#include <signal.h>
#include <stdarg.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "api/api.h"
#include "api/cache.h"
#include "api/rollups.h"
#include "cli/cli.h"
#include "http/http.h"
#include "store/store.h"
#include "util/err.h"
#include "util/tok.h"
#include "fault.h"

/* the sanitizer runtime's heap in use (gcc ships no allocator_interface.h) */
size_t __sanitizer_get_current_allocated_bytes(void);

/* --- the requests --- */

enum who { NOBODY, ANNA, ADMIN };

struct fault_req {
	const char *name;
	enum who who;
	const char *method;
	const char *target; /* path?k=v&k=v, already decoded */
	const char *ctype;
	const char *body;
	/* tables a failed run may leave changed: written before the request's own transaction
	 * on purpose (a login attempt counts even when the login then fails) */
	const char *ignore;
	/* commits in batches (an import that is not atomic): a failed run may leave the
	 * batches before the failure, so only the database's integrity is checked then */
	bool partial;
};

#define JSON "application/json"

static const char import_csv[] = "name,industry,owner_email,potential_annual_spend,currency,tags\n"
                                 "Fault Test One,Steel,anna@example.com,\"1,200.50\",EUR,key\n"
                                 "Fault Test Two,Retail,anna@example.com,900,USD,\n"
                                 "Fault Test Three,Energy,ben@example.com,50,EUR,new\n";

static const struct fault_req reqs[] = {
    {"sign-in", NOBODY, "POST", "/api/v1/session", JSON,
     "{\"email\":\"anna@example.com\",\"password\":\"fault-password-1\"}", "login_throttle", false},
    {"list-accounts", ANNA, "GET", "/api/v1/accounts?limit=20&sort=-name", NULL, NULL, NULL, false},
    /* a parameter given twice: refused before authentication and any read, as by kam serve */
    {"query-repeat", ANNA, "GET", "/api/v1/accounts?limit=1&sort=name&limit=2", NULL, NULL, NULL,
     false},
    {"get-account", ANNA, "GET", "/api/v1/accounts/1", NULL, NULL, NULL, false},
    {"create-account", ADMIN, "POST", "/api/v1/accounts", JSON,
     "{\"name\":\"Fault Injection Ltd\",\"industry\":\"Steel\",\"owner_id\":3,\"status\":"
     "\"active\",\"potential_annual_spend\":120000,\"currency\":\"EUR\",\"tags\":[\"key\","
     "\"new\"]}",
     NULL, false},
    {"patch-account", ADMIN, "PATCH", "/api/v1/accounts/1", JSON,
     "{\"industry\":\"Chemicals\",\"tags\":[\"strategic\",\"renewal\"]}", NULL, false},
    {"create-risk", ANNA, "POST", "/api/v1/risks", JSON,
     "{\"account_id\":1,\"title\":\"Budget freeze\",\"category\":\"relationship\","
     "\"probability\":3,\"impact\":4,\"mitigation\":\"Meet the CFO\",\"owner_id\":3,"
     "\"status\":\"open\",\"review_on\":\"2026-03-01\"}",
     NULL, false},
    {"patch-contact", ANNA, "PATCH", "/api/v1/contacts/1", JSON,
     "{\"title\":\"Chief Buyer\",\"influence\":5}", NULL, false},
    {"delete-opportunity", ANNA, "DELETE", "/api/v1/opportunities/1", NULL, NULL, NULL, false},
    {"create-interaction", ANNA, "POST", "/api/v1/interactions", JSON,
     "{\"account_id\":1,\"kind\":\"meeting\",\"occurred_at\":\"2026-01-15T09:00:00Z\","
     "\"user_ids\":[3],\"contact_ids\":[1,2],\"summary\":\"Quarterly review\","
     "\"sentiment\":1,\"next_step\":\"Send the proposal\"}",
     NULL, false},
    {"kpis", ANNA, "GET", "/api/v1/kpis?interval=month", NULL, NULL, NULL, false},
    {"import-dry-run", ADMIN, "POST", "/api/v1/imports?kind=accounts&dry_run=true", "text/csv",
     import_csv, NULL, false},
    {"import", ADMIN, "POST", "/api/v1/imports?kind=accounts&atomic=true", "text/csv", import_csv,
     NULL, false},
    {"import-batched", ADMIN, "POST", "/api/v1/imports?kind=accounts", "text/csv", import_csv, NULL,
     true},
    {"plan-document", ANNA, "GET", "/api/v1/plans/1/document?format=html", NULL, NULL, NULL, false},
    {"plan-pdf", ANNA, "GET", "/api/v1/plans/1/document?format=pdf", NULL, NULL, NULL, false},
    {"export-csv", ANNA, "GET", "/api/v1/accounts?format=csv", NULL, NULL, NULL, false},
    {"contact-export", ADMIN, "GET", "/api/v1/contacts/1/export", NULL, NULL, NULL, false},
    {"workload", ADMIN, "GET", "/api/v1/kams/workload?sort=busiest&limit=3", NULL, NULL, NULL, false},
};
#define NREQS (sizeof(reqs) / sizeof(reqs[0]))

/* The requests whose fault-free run must answer a refusal, and its status; every other
 * request's is a 2xx. */
static const struct {
	const char *name;
	int status;
} refusals[] = {
    {"query-repeat", 400},
    {NULL, 0},
};

/* Whether status is what r's fault-free run must answer. */
static bool reference_status(const struct fault_req *r, int status)
{
	for (size_t i = 0; refusals[i].name; i++)
		if (!strcmp(refusals[i].name, r->name))
			return status == refusals[i].status;
	return status >= 200 && status <= 299;
}

/* Requests the loop still finds defects in, left out with --skip-known (make check) until
 * they are fixed; `make fault` runs them. */
static const struct {
	const char *name, *why;
} known[] = {
    /* none now; a line is {"request", "what is wrong"} */
    {NULL, NULL},
};

static const char *known_why(const char *name)
{
	for (size_t i = 0; known[i].name; i++)
		if (!strcmp(known[i].name, name))
			return known[i].why;
	return NULL;
}

/* --- the fixed clock: every "now" of the build, so two runs write the same rows --- */

static int64_t t0;
int64_t __wrap_time_now(void);
int64_t __wrap_time_now(void)
{
	return t0;
}

/* --- the database: a pristine demo copy, and its fingerprint --- */

static char dir[] = "/tmp/kam-fault-XXXXXX", pristine[64], work[64], url[96];
static char token[3][80];

struct table_fp {
	char name[64];
	int64_t rows;
	uint64_t sum, xor;
};

struct db_fp {
	struct table_fp t[64];
	int n;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static bool in_child;

/* Reports a defect (on stdout too: the sanitizers' and kam's logs go to stderr) and ends the
 * request's process. */
static void die(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "fault_api: %s\n", msg);
	printf("  DEFECT %s\n", msg);
	fflush(stdout);
	fflush(stderr);
	if (in_child)
		_exit(1); /* the leak check at exit would report what the run still held */
	exit(1);
}

/* errno as text (err_strerror, with a buffer that lasts until the next call) */
static const char *errmsg(int e)
{
	static char buf[128];

	return err_strerror(e, buf, sizeof(buf));
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static sqlite3 *open_raw(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "no memory");
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* integrity_check and foreign_key_check, then a row-order-independent hash of each table */
static void check_db(const char *path, struct db_fp *fp, const char *what)
{
	sqlite3 *db = open_raw(path);
	sqlite3_stmt *st = NULL, *rows = NULL;
	char sql[128];

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok"))
		die("%s: integrity_check: %s", what,
		    st ? (const char *)sqlite3_column_text(st, 0) : sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		die("%s: foreign_key_check: %s", what, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		die("%s: foreign_key_check: a row of %s points to no row of %s", what,
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	memset(fp, 0, sizeof(*fp));
	if (sqlite3_prepare_v2(db,
	                       "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
	                       "LIKE 'sqlite_%' ORDER BY name",
	                       -1, &st, NULL) != SQLITE_OK)
		die("%s: %s", what, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW && fp->n < 64) {
		struct table_fp *t = &fp->t[fp->n++];

		snprintf(t->name, sizeof(t->name), "%s", sqlite3_column_text(st, 0));
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", t->name);
		if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK)
			die("%s: %s", what, sqlite3_errmsg(db));
		while (sqlite3_step(rows) == SQLITE_ROW) {
			uint64_t h = 0xcbf29ce484222325ULL;

			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				int type = sqlite3_column_type(rows, c);
				const void *b = sqlite3_column_blob(rows, c);
				int n = sqlite3_column_bytes(rows, c);

				h = fnv(h, &type, sizeof(type));
				h = fnv(h, &n, sizeof(n));
				if (b)
					h = fnv(h, b, (size_t)n);
			}
			h = mix(h);
			t->rows++;
			t->sum += h;
			t->xor ^= h;
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* The first table where a and b differ (NULL when none), ignoring the tables in ignore and
 * comparing those in loose by their row count only. */
static const char *fp_diff(const struct db_fp *a, const struct db_fp *b, const char *ignore,
                           const char *loose)
{
	if (a->n != b->n)
		return "(the list of tables)";
	for (int i = 0; i < a->n; i++) {
		const struct table_fp *x = &a->t[i], *y = &b->t[i];

		if (strcmp(x->name, y->name))
			return x->name;
		if (in_list(ignore, x->name))
			continue;
		if (x->rows != y->rows)
			return x->name;
		if (!in_list(loose, x->name) && (x->sum != y->sum || x->xor != y->xor))
			return x->name;
	}
	return NULL;
}

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (in < 0 || out < 0)
		die("cannot copy %s to %s: %s", from, to, errmsg(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die("cannot write %s", to);
	close(in);
	close(out);
}

static void remove_work(void)
{
	char p[80];

	unlink(work);
	snprintf(p, sizeof(p), "%s-wal", work);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", work);
	unlink(p);
}

static void remove_dir(void)
{
	remove_work();
	unlink(pristine);
	rmdir(dir);
}

static void exec_raw(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die("%s: %s", sql, err);
}

/* The demo data, bearer tokens for Anna and the admin used a moment ago (so no request
 * touches them), and a password for Anna that is quick to check. */
static void make_pristine(void)
{
	static const char *const emails[] = {NULL, "anna@example.com", "admin@example.com"};
	char err[256], hash[crypto_pwhash_STRBYTES], sql[512];
	struct store *st = NULL;
	struct store_conn *c = NULL;
	int out = dup(1), devnull = open("/dev/null", O_WRONLY);
	sqlite3 *db;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", errmsg(errno));
	atexit(remove_dir);
	snprintf(pristine, sizeof(pristine), "%s/pristine.db", dir);
	snprintf(work, sizeof(work), "%s/kam.db", dir);
	snprintf(url, sizeof(url), "file:%s?vfs=%s", work, FAULT_VFS);
	if (store_open(pristine, 1, &st, err, sizeof(err)) != KAM_OK)
		die("%s", err);
	fflush(stdout);
	dup2(devnull, 1); /* the demo prints its logins */
	if (cli_demo(st, 1) != KAM_OK)
		die("cannot fill the demo database");
	fflush(stdout);
	dup2(out, 1);
	close(out);
	close(devnull);
	store_acquire(st, &c);
	for (int i = ANNA; i <= ADMIN; i++) {
		struct store_auth a;
		char *pw = NULL, h[TOK_HASH_LEN];
		int64_t id;

		if (store_user_by_email(c, emails[i], &a, &pw) != KAM_OK)
			die("no demo user %s", emails[i]);
		free(pw);
		tok_random("kam_", 32, token[i], sizeof(token[i]));
		tok_hash(token[i], h);
		if (store_token_create(c, a.user_id, "fault", h, t0, 0, &id) != KAM_OK)
			die("cannot make a token");
	}
	store_release(st, c);
	store_close(st);
	if (crypto_pwhash_str_alg(hash, "fault-password-1", 16, crypto_pwhash_OPSLIMIT_MIN,
	                          crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13))
		die("cannot hash a password");
	db = open_raw(pristine);
	snprintf(sql, sizeof(sql),
	         "UPDATE api_tokens SET last_used_at = %lld; UPDATE users SET password_hash = '%s' "
	         "WHERE email = 'anna@example.com'",
	         (long long)t0, hash);
	exec_raw(db, sql);
	sqlite3_close(db);
}

/* --- one run --- */

static struct api_server server;
static struct http_app app;

static void on_alarm(int sig)
{
	static const char msg[] = "fault_api: a request hung (no answer in 60 s)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	abort();
}

struct answer {
	int status;
	char *body; /* the reply's bytes, from memory or from its file */
	size_t len;
	const char *ctype;
};

static void open_store(void)
{
	char err[256];

	if (store_open(url, 2, &app.store, err, sizeof(err)) != KAM_OK)
		die("cannot open the work database: %s", err);
	server.cache = api_cache_new(8, 0, "answer");
	server.records = api_cache_new(8, 64 * 1024, "record");
	server.rollups = api_rollups_new();
	if (server.cache == NULL || server.records == NULL || server.rollups == NULL)
		die("no memory");
}

static void close_store(void)
{
	store_close(app.store);
	app.store = NULL;
	api_cache_free(server.cache);
	api_cache_free(server.records);
	api_rollups_free(server.rollups);
	server.cache = NULL;
	server.records = NULL;
	server.rollups = NULL;
}

static void answer_free(struct answer *a)
{
	free(a->body);
	memset(a, 0, sizeof(*a));
}

/* Runs r through http_dispatch into a (the caller frees it). */
static void dispatch(const struct fault_req *r, struct answer *a)
{
	char target[512], auth[128], *q, *save = NULL;
	struct req rq;
	struct resp rs;

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	memset(a, 0, sizeof(*a));
	snprintf(target, sizeof(target), "%s", r->target);
	rq.method = r->method;
	rq.path = target;
	if ((q = strchr(target, '?')) != NULL) {
		*q++ = '\0';
		for (char *kv = strtok_r(q, "&", &save); kv && rq.nquery < HTTP_MAX_QUERY;
		     kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');

			if (eq)
				*eq++ = '\0';
			rq.query[rq.nquery].key = kv;
			rq.query[rq.nquery++].value = eq ? eq : "";
		}
	}
	if (r->who != NOBODY) {
		snprintf(auth, sizeof(auth), "Bearer %s", token[r->who]);
		rq.authorization = auth;
	}
	rq.content_type = r->ctype;
	rq.body = r->body ? r->body : "";
	rq.body_len = strlen(rq.body);
	snprintf(rq.remote_addr, sizeof(rq.remote_addr), "127.0.0.1");
	alarm(60);
	http_dispatch(&app, &rq, &rs);
	alarm(0);
	fault_pause(true);
	a->status = rs.status;
	a->ctype = rs.content_type;
	if (rs.has_fd) {
		a->body = malloc(rs.len + 1);
		if (a->body == NULL || pread(rs.fd, a->body, rs.len, 0) != (ssize_t)rs.len)
			die("%s: cannot read the reply's file", r->name);
		a->len = rs.len;
		close(rs.fd);
		free(rs.body);
	} else {
		a->body = rs.body;
		a->len = rs.len;
	}
	fault_pause(false);
}

static bool is_problem(const struct answer *a)
{
	json_t *doc;
	bool ok;

	if (a->ctype == NULL || strncmp(a->ctype, "application/problem+json", 24) ||
	    a->body == NULL)
		return false;
	doc = json_loadb(a->body, a->len, 0, NULL);
	ok = json_is_object(doc) &&
	     json_integer_value(json_object_get(doc, "status")) == a->status &&
	     json_is_string(json_object_get(doc, "title"));
	json_decref(doc);
	return ok;
}

/* What the fault-free run gave: its answer, the database after it, and what of either is
 * random (a session token, a share link): found by running it again. */
struct reference {
	struct answer a;
	bool volatile_body;
	struct db_fp after;
	char loose[512];     /* tables that differ between two clean runs: compared by row count */
	long allocs, writes; /* the points on the way of a run without faults */
};

static struct db_fp pristine_fp;
static size_t heap_base;

/* LeakSanitizer over the heap, when it grew since the last clean check (a lazily built
 * cache of a library grows it once and is not a leak). */
static void check_leaks(const char *what)
{
	size_t now = __sanitizer_get_current_allocated_bytes();

	if (now > heap_base && __lsan_do_recoverable_leak_check())
		die("%s: memory leaked (LeakSanitizer report above)", what);
	heap_base = now;
}

/* A run from the pristine database with points of kind k counted (none fails); *points
 * gets their number. */
static void run_counted(const struct fault_req *r, enum fault_kind k, struct answer *a,
                        struct db_fp *fp, long *points)
{
	remove_work();
	copy_file(pristine, work);
	open_store();
	fault_arm(k, 0, false);
	dispatch(r, a);
	*points = fault_disarm();
	close_store();
	check_db(work, fp, r->name);
}

static void add_loose(struct reference *ref, const struct db_fp *fp)
{
	size_t at = strlen(ref->loose);

	for (int i = 0; i < fp->n; i++)
		if ((fp->t[i].sum != ref->after.t[i].sum || fp->t[i].xor != ref->after.t[i].xor) &&
		    !in_list(ref->loose, fp->t[i].name))
			at += (size_t)snprintf(ref->loose + at, sizeof(ref->loose) - at, "%s%s",
			                       at ? "," : "", fp->t[i].name);
}

static bool same_answer(const struct answer *a, const struct answer *b)
{
	return a->status == b->status && a->len == b->len &&
	       (a->len == 0 || memcmp(a->body, b->body, a->len) == 0);
}

/* Three clean runs: the first warms what the process builds once (ICU's converters), the
 * second counts the allocations, the third the writes. */
static void make_reference(const struct fault_req *r, struct reference *ref)
{
	struct answer again;
	struct db_fp fp;
	long ignored;

	memset(ref, 0, sizeof(*ref));
	run_counted(r, FAULT_ALLOC, &ref->a, &ref->after, &ignored);
	if (!reference_status(r, ref->a.status))
		die("%s: the fault-free run answered %d: %.*s", r->name, ref->a.status,
		    (int)ref->a.len, ref->a.body ? ref->a.body : "");
	run_counted(r, FAULT_ALLOC, &again, &fp, &ref->allocs);
	ref->volatile_body = !same_answer(&again, &ref->a);
	add_loose(ref, &fp);
	answer_free(&again);
	run_counted(r, FAULT_IO, &again, &fp, &ref->writes);
	ref->volatile_body |= !same_answer(&again, &ref->a);
	add_loose(ref, &fp);
	answer_free(&again);
}

/* The checks of one run that had a fault injected (or reached its end without one). */
static void check_answer(const struct fault_req *r, const struct reference *ref,
                         const struct answer *a, bool fired, const char *what)
{
	if (a->status >= 500 && fired) {
		if (!is_problem(a))
			die("%s: answered %d without a problem document: %.*s", what, a->status,
			    (int)(a->len < 300 ? a->len : 300), a->body ? a->body : "(no body)");
		return;
	}
	if (a->status != ref->a.status)
		die("%s: answered %d where the fault-free run answered %d: %.*s", what, a->status,
		    ref->a.status, (int)(a->len < 300 ? a->len : 300), a->body ? a->body : "");
	/* a batched import that stopped answers its run's record, saying where it stopped */
	if (ref->volatile_body || (r->partial && fired)) {
		json_t *doc;

		if (a->ctype && strstr(a->ctype, "json")) {
			doc = json_loadb(a->body, a->len, 0, NULL);
			if (doc == NULL)
				die("%s: answered %d with a broken body", what, a->status);
			json_decref(doc);
		}
		return;
	}
	if (a->len != ref->a.len || (a->len && memcmp(a->body, ref->a.body, a->len))) {
		/* from a little before the first byte that differs: long bodies differ late */
		size_t at = 0, from;

		while (at < a->len && at < ref->a.len && a->body[at] == ref->a.body[at])
			at++;
		from = at > 200 ? at - 200 : 0;
		die("%s: answered %d with a body other than the fault-free run's (from byte "
		    "%zu):\n%.*s\n---\n%.*s",
		    what, a->status, from, (int)(a->len - from < 600 ? a->len - from : 600),
		    a->body ? a->body + from : "",
		    (int)(ref->a.len - from < 600 ? ref->a.len - from : 600), ref->a.body + from);
	}
}

/* The database after a run: whole, and the write all there or not at all. */
static void check_after(const struct fault_req *r, const struct reference *ref, int status,
                        struct db_fp *fp, const char *what)
{
	const char *before, *after;

	check_db(work, fp, what);
	after = fp_diff(fp, &ref->after, r->ignore, ref->loose);
	if (status >= 200 && status <= 299 && after && !r->partial)
		die("%s: answered %d but table %s is not as the fault-free run left it", what,
		    status, after);
	before = fp_diff(fp, &pristine_fp, r->ignore, ref->loose);
	if (before && after && !r->partial)
		die("%s: answered %d and left a half-done write: table %s differs from before the "
		    "request and %s from after the fault-free run",
		    what, status, before, after);
}

struct totals {
	long alloc, io, runs;
};

/* Allocation points where the full loop found a defect between two points of the quick
 * one's stride: the quick loop runs each (and its neighbours, as the count shifts a little
 * when the code changes), so the defect stays fixed. docs/testing.md says what each was. */
static const struct {
	const char *name;
	long n;
} regress[] = {
    {"import", 136},         /* the run's maps: every reference "not found" */
    {"import", 208},         /* a money cell "not UTF-8 text" */
    {"kpis", 9132},          /* the series and its interval left out */
    {"plan-document", 4957}, /* the actions in stored order, not by due date */
    {"contact-export", 534}, /* the contact's interactions and surveys left out */
    {NULL, 0},
};

/* N = 1..64, then every stride-th, the regression points of r, and the last */
static long only_n;

static bool want_n(const struct fault_req *r, long n, long last, long stride)
{
	if (only_n)
		return n == only_n;
	if (stride <= 1 || n <= 64 || n % stride == 0 || n >= last)
		return true;
	for (size_t i = 0; regress[i].name; i++)
		if (!strcmp(regress[i].name, r->name) && labs(n - regress[i].n) <= 2)
			return true;
	return false;
}

/* Fails allocation N for N = 1, 2, … until a run passes every point. */
static void alloc_loop(const struct fault_req *r, const struct reference *ref, long stride,
                       long *runs)
{
	char what[128];
	bool fired = true;

	for (long n = 1; fired; n++) {
		struct answer a;
		struct db_fp fp;
		int status;

		if (only_n && n > only_n)
			break;
		if (!want_n(r, n, ref->allocs, stride))
			continue;
		snprintf(what, sizeof(what), "%s, allocation %ld of %ld", r->name, n, ref->allocs);
		remove_work();
		copy_file(pristine, work);
		open_store();
		fault_arm(FAULT_ALLOC, n, false);
		dispatch(r, &a);
		fault_disarm();
		fired = fault_fired();
		check_answer(r, ref, &a, fired, what);
		status = a.status;
		answer_free(&a);
		close_store();
		check_leaks(what);
		check_after(r, ref, status, &fp, what);
		(*runs)++;
	}
}

/* Fails database write, sync or truncate N (as a full disk, then as an I/O error) for
 * N = 1, 2, … until a run passes every point; each failed request must answer 503 and the
 * same store must then serve it again. */
static void io_loop(const struct fault_req *r, const struct reference *ref, long *runs)
{
	char what[128];

	for (int full = 1; full >= 0; full--) {
		bool fired = true;

		for (long n = 1; fired; n++) {
			struct answer a, again;
			struct db_fp fp;
			const char *left;

			if (only_n && n > only_n)
				break;
			if (only_n && n != only_n)
				continue;

			snprintf(what, sizeof(what), "%s, %s at write %ld of %ld", r->name,
			         full ? "disk full" : "I/O error", n, ref->writes);
			remove_work();
			copy_file(pristine, work);
			open_store();
			fault_arm(FAULT_IO, n, full);
			dispatch(r, &a);
			fault_disarm();
			fired = fault_fired();
			if (fired && a.status >= 500 && a.status != 503)
				die("%s: answered %d, not 503: %.*s", what, a.status, (int)a.len,
				    a.body ? a.body : "");
			check_answer(r, ref, &a, fired, what);
			/* what the store has committed, read beside it while it stays open */
			check_after(r, ref, a.status, &fp, what);
			/* a write that did not happen is sent again (an import that stopped
			 * after some batches too) */
			if (r->partial || !fp_diff(&fp, &pristine_fp, r->ignore, ref->loose)) {
				dispatch(r, &again);
				if (again.status != ref->a.status)
					die("%s: the request again, without a fault, answered %d "
					    "where the fault-free run answered %d: %.*s",
					    what, again.status, ref->a.status, (int)again.len,
					    again.body ? again.body : "");
				answer_free(&again);
			}
			answer_free(&a);
			close_store();
			check_leaks(what);
			check_db(work, &fp, what);
			if (!r->partial &&
			    (left = fp_diff(&fp, &ref->after, r->ignore, ref->loose)) != NULL)
				die("%s: after the server recovered, table %s is not as the "
				    "fault-free run left it",
				    what, left);
			(*runs)++;
		}
	}
}

int main(int argc, char **argv)
{
	bool alloc = false, io = false, skip_known = false;
	const char *only = NULL;
	long stride = 1;
	struct totals *tot;
	int failed = 0;

	fault_init();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--alloc"))
			alloc = true;
		else if (!strcmp(argv[i], "--io"))
			io = true;
		else if (!strcmp(argv[i], "--stride") && i + 1 < argc)
			stride = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--skip-known"))
			skip_known = true;
		else if (!strcmp(argv[i], "--at") && i + 1 < argc)
			only_n = strtol(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: fault_api [--alloc] [--io] [--stride K] [--only "
			                "NAME] [--at N]\n");
			return 2;
		}
	}
	if (!alloc && !io)
		alloc = io = true;
	if (sodium_init() < 0)
		die("sodium_init failed");
	signal(SIGALRM, on_alarm);
	t0 = (int64_t)time(NULL);
	app.clock = (struct kam_clock){.fixed = true, .at = t0};
	app.routes = api_routes;
	app.nroutes = api_nroutes;
	app.data = &server;
	server.openapi = api_openapi_json(&server.openapi_len);
	make_pristine();
	check_db(pristine, &pristine_fp, "the demo database");
	heap_base = __sanitizer_get_current_allocated_bytes();
	/* each request runs in a process of its own, so one defect does not hide the next */
	tot = mmap(NULL, sizeof(*tot), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tot == MAP_FAILED)
		die("mmap: %s", errmsg(errno));
	printf("%-20s %12s %10s\n", "request", "allocations", "writes");
	for (size_t i = 0; i < NREQS; i++) {
		const struct fault_req *r = &reqs[i];
		int status = 0;
		pid_t pid;

		if (only && strcmp(only, r->name))
			continue;
		if (skip_known && known_why(r->name)) {
			printf("%-20s skipped: a known defect (%s)\n", r->name, known_why(r->name));
			continue;
		}
		fflush(stdout);
		fflush(stderr);
		if ((pid = fork()) < 0)
			die("fork: %s", errmsg(errno));
		if (pid == 0) {
			struct reference ref;

			in_child = true;
			make_reference(r, &ref);
			if (alloc)
				alloc_loop(r, &ref, stride, &tot->runs);
			if (io)
				io_loop(r, &ref, &tot->runs);
			printf("%-20s %12ld %10ld\n", r->name, alloc ? ref.allocs : 0,
			       io ? ref.writes : 0);
			fflush(stdout);
			tot->alloc += alloc ? ref.allocs : 0;
			tot->io += io ? ref.writes : 0;
			_exit(0);
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("%-20s FAILED%s\n", r->name,
			       WIFSIGNALED(status) ? " (crashed: the report is on stderr)" : "");
			failed++;
		}
	}
	printf("%-20s %12ld %10ld   (%ld runs%s)\n", "total", tot->alloc, tot->io, tot->runs,
	       stride > 1 ? ", a subset of the allocations" : "");
	free(server.openapi);
	if (failed)
		printf("%d request(s) FAILED\n", failed);
	return failed ? 1 : 0;
}
