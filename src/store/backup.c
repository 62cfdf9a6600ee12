/*
 * kam backup and kam restore on SQLite: sqlite3_backup_* copies every page inside one read
 * transaction of the source (a consistent snapshot; WAL lets writers go on meanwhile), and a
 * restore writes the pages through the destination's own pager and locks.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/backup.h"
#include "util/embed.h"
#include "util/err.h"

extern const struct embed_file schema_sqlite[];

#define BUSY_MS 10000

static const char *path_of(const char *db)
{
	return strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* One integer from a query with an optional text argument; KAM_EDB when it fails. */
static int one_int(sqlite3 *db, const char *sql, const char *arg, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = KAM_EDB;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (arg && sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = KAM_OK;
	} else {
		*out = 0;
		rc = sqlite3_errcode(db) == SQLITE_DONE || sqlite3_errcode(db) == SQLITE_OK
		         ? KAM_OK
		         : KAM_EDB;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

/* Opens path with flags and a busy timeout; *out is closed by the caller even on failure. */
static int open_db(const char *path, int flags, sqlite3 **out, char *err, size_t errlen)
{
	int rc = sqlite3_open_v2(path, out, flags, NULL);

	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		         *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
		return KAM_EDB;
	}
	sqlite3_busy_timeout(*out, BUSY_MS);
	return KAM_OK;
}

/* Checks db is an intact kam database; *version gets its schema version. */
static int check_kam(sqlite3 *db, const char *path, int64_t *version, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;
	int rc = KAM_EINVAL;

	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s is not a kam database (%s)", path, sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		snprintf(err, errlen, "%s is damaged or not a database (%s)", path,
		         sqlite3_errmsg(db));
		goto out;
	}
	if (one_int(db,
	            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
	            "('schema_migrations', 'accounts', 'users', 'settings')",
	            NULL, &n) != KAM_OK ||
	    n != 4) {
		snprintf(err, errlen, "%s is not a kam database (no kam tables in it)", path);
		goto out;
	}
	if (one_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL, version) !=
	    KAM_OK) {
		snprintf(err, errlen, "cannot read the schema version of %s", path);
		goto out;
	}
	rc = KAM_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Copies every page of from into to in one step (one read transaction of from), retrying
 * while either side is busy. */
static int copy_pages(sqlite3 *from, sqlite3 *to, char *err, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc, waited = 0;

	if (b == NULL) {
		snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(to));
		return KAM_EDB;
	}
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if (waited >= BUSY_MS)
			break;
		sleep_ms(50);
		waited += 50;
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "the copy failed: %s",
		         rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? "the database stayed busy"
		                                                  : sqlite3_errmsg(to));
		return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? KAM_EBUSY : KAM_EDB;
	}
	return KAM_OK;
}

static int fsync_path(const char *path, bool dir)
{
	int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The directory part of path into buf ("." when none). */
static void dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

int store_backup(const char *db, const char *dest, char *err, size_t errlen)
{
	const char *path = path_of(db);
	sqlite3 *src = NULL, *out = NULL;
	struct stat a, b;
	char tmp[4096], dir[4096], why[128];
	int64_t version = 0;
	bool made = false;
	int rc;

	if (stat(path, &a) != 0) {
		snprintf(err, errlen, "no database at %s", path);
		return KAM_ENOTFOUND;
	}
	if (stat(dest, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		snprintf(err, errlen, "the backup must not be the database itself");
		return KAM_EINVAL;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.partial-%ld", dest, (long)getpid()) >=
	    sizeof(tmp)) {
		snprintf(err, errlen, "the backup path is too long");
		return KAM_EINVAL;
	}
	if ((rc = open_db(path, SQLITE_OPEN_READWRITE, &src, err, errlen)) != KAM_OK ||
	    (rc = check_kam(src, path, &version, err, errlen)) != KAM_OK)
		goto out;
	unlink(tmp);
	made = true;
	if ((rc = open_db(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out, err, errlen)) !=
	        KAM_OK ||
	    (rc = copy_pages(src, out, err, errlen)) != KAM_OK)
		goto out;
	/* one self-contained file: no WAL beside it */
	if (sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK ||
	    (rc = check_kam(out, dest, &version, err, errlen)) != KAM_OK) {
		if (rc == KAM_OK)
			snprintf(err, errlen, "cannot finish the backup: %s", sqlite3_errmsg(out));
		rc = rc == KAM_OK ? KAM_EDB : rc;
		goto out;
	}
	sqlite3_close_v2(out);
	out = NULL;
	dir_of(dest, dir, sizeof(dir));
	if (fsync_path(tmp, false) != 0 || rename(tmp, dest) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", dest,
		         err_strerror(errno, why, sizeof(why)));
		rc = KAM_EDB;
		goto out;
	}
	made = false;
	fsync_path(dir, true);
	rc = KAM_OK;
out:
	sqlite3_close_v2(out);
	sqlite3_close_v2(src);
	if (made)
		unlink(tmp);
	return rc;
}

/* Removes path when it exists; false (and err) when it exists and cannot be removed. */
static bool remove_stale(const char *path, char *err, size_t errlen)
{
	char why[128];

	if (unlink(path) == 0 || errno == ENOENT)
		return true;
	snprintf(err, errlen, "cannot remove the stale %s: %s", path,
	         err_strerror(errno, why, sizeof(why)));
	return false;
}

int store_restore(const char *src_path, const char *db, int *version, char *err, size_t errlen)
{
	const char *path = path_of(db);
	sqlite3 *src = NULL, *dst = NULL;
	/* the versions a server checks its caches against: each moves past the backup's and
	 * the replaced database's */
	static const char *const keys[] = {"data_version", "auth_version", "rollup_version"};
	enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
	int64_t v = 0, dst_version = 0, known = 0, mine[NKEYS] = {0}, theirs[NKEYS] = {0};
	char side[4200];
	struct stat a, b;
	bool existed;
	int rc;

	for (const struct embed_file *f = schema_sqlite; f->name; f++)
		if (strtoll(f->name, NULL, 10) > known)
			known = strtoll(f->name, NULL, 10);
	if (stat(src_path, &a) != 0) {
		snprintf(err, errlen, "no backup at %s", src_path);
		return KAM_ENOTFOUND;
	}
	if (stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		snprintf(err, errlen, "the backup is the database itself");
		return KAM_EINVAL;
	}
	if ((rc = open_db(src_path, SQLITE_OPEN_READONLY, &src, err, errlen)) != KAM_OK ||
	    (rc = check_kam(src, src_path, &v, err, errlen)) != KAM_OK)
		goto out;
	if (v > known) {
		snprintf(err, errlen,
		         "%s has schema version %lld, newer than this kam knows (%lld): restore it "
		         "with that kam",
		         src_path, (long long)v, (long long)known);
		rc = KAM_EINVAL;
		goto out;
	}
	for (int k = 0; k < NKEYS; k++)
		one_int(src, "SELECT coalesce(max(version), 0) FROM settings WHERE key = ?", keys[k],
		        &mine[k]);
	existed = stat(path, &b) == 0 && b.st_size > 0;
	if (!existed) {
		/* a -wal or -shm left beside a removed database belongs to another database */
		snprintf(side, sizeof(side), "%s-wal", path);
		if (!remove_stale(side, err, errlen)) {
			rc = KAM_EDB;
			goto out;
		}
		snprintf(side, sizeof(side), "%s-shm", path);
		if (!remove_stale(side, err, errlen)) {
			rc = KAM_EDB;
			goto out;
		}
	}
	if ((rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst, err, errlen)) !=
	    KAM_OK)
		goto out;
	if (existed) {
		/* replace only a kam database, never some other file */
		if ((rc = check_kam(dst, path, &dst_version, err, errlen)) != KAM_OK) {
			snprintf(err, errlen,
			         "%s exists and is not a kam database: not replacing it", path);
			goto out;
		}
		for (int k = 0; k < NKEYS; k++)
			one_int(dst, "SELECT coalesce(max(version), 0) FROM settings WHERE key = ?",
			        keys[k], &theirs[k]);
	}
	if (sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s for writing: %s", path, sqlite3_errmsg(dst));
		rc = KAM_EDB;
		goto out;
	}
	if ((rc = copy_pages(src, dst, err, errlen)) != KAM_OK)
		goto out;
	/* past both databases' versions: any server's cached answers, credentials and rollup
	 * for either are stale now (the sessions and tokens are the backup's) */
	for (int k = 0; k < NKEYS; k++) {
		sqlite3_stmt *st = NULL;
		int64_t next = (mine[k] > theirs[k] ? mine[k] : theirs[k]) + 1;

		if (sqlite3_prepare_v2(
		        dst,
		        "INSERT INTO settings (key, value, created_at, updated_at, "
		        "version) VALUES (?, '', 0, 0, ?) ON CONFLICT (key) "
		        "DO UPDATE SET version = excluded.version",
		        -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_bind_text(st, 1, keys[k], -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_int64(st, 2, next) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
			snprintf(err, errlen, "cannot move the %s: %s", keys[k], sqlite3_errmsg(dst));
			rc = KAM_EDB;
		}
		sqlite3_finalize(st);
		if (rc != KAM_OK)
			goto out;
	}
	sqlite3_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	*version = (int)v;
	rc = KAM_OK;
out:
	sqlite3_close_v2(dst);
	sqlite3_close_v2(src);
	return rc;
}
