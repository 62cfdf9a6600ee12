/* The SQLite backend of the store driver: WAL, synchronous=FULL, a statement cache per connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "store/db.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/log.h"

extern const struct embed_file schema_sqlite[];

#define CACHE_SIZE 128

struct db_stmt {
	sqlite3_stmt *st;
	char *sql;
	struct db_conn *conn;
	bool busy; /* between query and done: must not be evicted */
};

struct db_conn {
	sqlite3 *db;
	struct db_stmt cache[CACHE_SIZE];
	unsigned next_evict;
};

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
		return KAM_OK;
	case SQLITE_CONSTRAINT:
		return KAM_ECONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return KAM_EBUSY;
	case SQLITE_NOMEM:
		return KAM_ENOMEM;
	case SQLITE_FULL:
	case SQLITE_IOERR:
		/* the disk filled up or failed: the write was undone, and may work later */
		return KAM_EUNAVAIL;
	default:
		return KAM_EDB;
	}
}

static int sq_exec(struct db_conn *c, const char *sql)
{
	db_count();
	return map_rc(sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

static void sq_disconnect(struct db_conn *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < CACHE_SIZE; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
	}
	sqlite3_close_v2(c->db);
	free(c);
}

/* Switches to WAL and checks that SQLite did: it silently keeps another journal mode where WAL
 * cannot work (a VFS or file system without shared memory, a temporary database). Readers
 * beside a writer, BEGIN IMMEDIATE without 503s and consistent backups all rest on WAL, so
 * such a database is refused; an in-memory one keeps nothing anyway and is used, with a
 * warning (docs/deploy-sqlite.md). */
static int use_wal(struct db_conn *c, const char *url, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char mode[16] = "";
	int rc;

	if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK) {
		rc = map_rc(sqlite3_errcode(c->db));
		goto fail;
	}
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		rc = map_rc(rc) == KAM_OK ? KAM_EDB : map_rc(rc);
		goto fail;
	}
	snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (strcmp(mode, "wal") == 0)
		return KAM_OK;
	if (strcmp(mode, "memory") == 0) {
		log_msg("warn",
		        "%s is a database in memory: nothing is kept after kam exits, and "
		        "each connection has a database of its own",
		        url);
		return KAM_OK;
	}
	snprintf(err, errlen,
	         "%s cannot use WAL (SQLite keeps journal mode \"%s\"): kam needs it so that "
	         "readers go on beside a writer; put the database on a local file system",
	         url, mode);
	return KAM_EDB;
fail:
	sqlite3_finalize(st);
	snprintf(err, errlen, "cannot set up %s: %s", url, sqlite3_errmsg(c->db));
	return rc;
}

static int sq_connect(const char *url, struct db_conn **out, char *err, size_t errlen)
{
	struct db_conn *c;
	int rc;

	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return KAM_ENOMEM;
	rc = sqlite3_open_v2(url, &c->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
	                         SQLITE_OPEN_URI,
	                     NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", url,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sq_disconnect(c);
		return KAM_EDB;
	}
	sqlite3_busy_timeout(c->db, 10000);
	if ((rc = use_wal(c, url, err, errlen)) != KAM_OK) {
		sq_disconnect(c);
		return rc;
	}
	rc = sq_exec(c, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
	if (rc != KAM_OK) {
		snprintf(err, errlen, "cannot set up %s: %s", url, sqlite3_errmsg(c->db));
		sq_disconnect(c);
		return rc;
	}
	*out = c;
	return KAM_OK;
}

static unsigned hash_sql(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Finds an idle cached statement for sql or prepares it into a slot (probing a few, then
 * evicting an idle one). A statement still being read (a query nested in another's loop with
 * the same text) is never handed out again: the nested one gets a slot of its own. */
static int prepare_cached(struct db_conn *c, const char *sql, struct db_stmt **out)
{
	unsigned h = hash_sql(sql), slot;
	struct db_stmt *s;

	for (unsigned i = 0; i < 4; i++) {
		s = &c->cache[(h + i) % CACHE_SIZE];
		if (s->sql && !s->busy && strcmp(s->sql, sql) == 0) {
			*out = s;
			return KAM_OK;
		}
	}
	for (unsigned i = 0; i < 4; i++) {
		s = &c->cache[(h + i) % CACHE_SIZE];
		if (s->sql == NULL)
			goto fill;
	}
	for (unsigned i = 0; i < 4; i++) {
		slot = (h + (c->next_evict++ % 4)) % CACHE_SIZE;
		s = &c->cache[slot];
		if (!s->busy)
			break;
	}
	if (s->busy)
		return KAM_EDB;
	sqlite3_finalize(s->st);
	free(s->sql);
	s->st = NULL;
	s->sql = NULL;
fill:
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) != SQLITE_OK)
		return map_rc(sqlite3_errcode(c->db)) == KAM_OK ? KAM_EDB
		                                                : map_rc(sqlite3_errcode(c->db));
	s->sql = strdup(sql);
	if (s->sql == NULL) {
		sqlite3_finalize(s->st);
		s->st = NULL;
		return KAM_ENOMEM;
	}
	s->conn = c;
	*out = s;
	return KAM_OK;
}

static int sq_query(struct db_conn *c, const char *sql, const struct db_val *args, int nargs,
		    struct db_stmt **out)
{
	struct db_stmt *s = NULL;
	int rc = prepare_cached(c, sql, &s);

	if (rc != KAM_OK)
		return rc;
	db_count();
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	for (int i = 0; i < nargs; i++) {
		switch (args[i].type) {
		case DBV_NULL:
			rc = sqlite3_bind_null(s->st, i + 1);
			break;
		case DBV_INT:
			rc = sqlite3_bind_int64(s->st, i + 1, args[i].i);
			break;
		case DBV_TEXT:
			rc = sqlite3_bind_text(s->st, i + 1, args[i].s, -1, SQLITE_TRANSIENT);
			break;
		case DBV_REAL:
			rc = sqlite3_bind_double(s->st, i + 1, args[i].r);
			break;
		}
		if (rc != SQLITE_OK) {
			/* the slot stays idle (and evictable): nobody will call done on it */
			sqlite3_clear_bindings(s->st);
			return map_rc(rc) == KAM_ENOMEM ? KAM_ENOMEM : KAM_EDB;
		}
	}
	s->busy = true;
	*out = s;
	return KAM_OK;
}

static int sq_next(struct db_stmt *s)
{
	int rc = sqlite3_step(s->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	rc = map_rc(rc);
	sqlite3_reset(s->st);
	return rc;
}

static bool sq_is_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(s->st, col) == SQLITE_NULL;
}

static int64_t sq_col_int(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(s->st, col);
}

static double sq_col_real(struct db_stmt *s, int col)
{
	return sqlite3_column_double(s->st, col);
}

static const char *sq_col_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s->st, col);
}

static void sq_done(struct db_stmt *s)
{
	if (s) {
		sqlite3_reset(s->st);
		s->busy = false;
	}
}

static int sq_ncols(struct db_stmt *s)
{
	return sqlite3_column_count(s->st);
}

static const char *sq_col_name(struct db_stmt *s, int col)
{
	return sqlite3_column_name(s->st, col);
}

static enum db_type sq_col_type(struct db_stmt *s, int col)
{
	switch (sqlite3_column_type(s->st, col)) {
	case SQLITE_NULL:
		return DBV_NULL;
	case SQLITE_INTEGER:
		return DBV_INT;
	case SQLITE_FLOAT:
		return DBV_REAL;
	default:
		return DBV_TEXT;
	}
}

static int64_t sq_changes(struct db_conn *c)
{
	return sqlite3_changes64(c->db);
}

static int sq_begin(struct db_conn *c, bool write)
{
	/* IMMEDIATE takes the write lock up front, so a write never fails half-way on BUSY */
	return sq_exec(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

static int sq_commit(struct db_conn *c)
{
	return sq_exec(c, "COMMIT");
}

static void sq_rollback(struct db_conn *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static const char *sq_errmsg(struct db_conn *c)
{
	return sqlite3_errmsg(c->db);
}

const struct db_ops db_sqlite = {
	.name = "sqlite",
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.exec = sq_exec,
	.query = sq_query,
	.next = sq_next,
	.is_null = sq_is_null,
	.col_int = sq_col_int,
	.col_text = sq_col_text,
	.col_real = sq_col_real,
	.done = sq_done,
	.ncols = sq_ncols,
	.col_name = sq_col_name,
	.col_type = sq_col_type,
	.changes = sq_changes,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.errmsg = sq_errmsg,
	.for_update = "", /* BEGIN IMMEDIATE already holds the write lock */
	.ilike = "LIKE",
	.schema = schema_sqlite,
	.defer_fks = "PRAGMA defer_foreign_keys = ON",
	.reset_ids = NULL,
	.bulk_setup = "PRAGMA cache_size = -262144",
};
