/* The SQLite driver's statement cache (src/store/sqlite.c): a nested query with the same SQL
 * text gets its own statement, and a bind failure gives its slot back. A full disk is a 503. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "store/db.h"
#include "util/err.h"

struct fx {
	char path[64];
	struct db_conn *c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256] = "";
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/kam-unit-XXXXXX");
	fd = mkstemp(f->path);
	close(fd);
	assert_int_equal(db_sqlite.connect(f->path, &f->c, err, sizeof(err)), 0);
	assert_int_equal(db_sqlite.exec(f->c, "CREATE TABLE t (x INTEGER); "
	                                      "INSERT INTO t VALUES (1), (2), (3)"),
	                 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[80];

	db_sqlite.disconnect(f->c);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f);
	return 0;
}

static const char *const ALL = "SELECT x FROM t ORDER BY x";

static void test_nested_same_sql(void **state)
{
	struct fx *f = *state;
	struct db_stmt *outer, *inner;
	int64_t seen = 0;

	assert_int_equal(db_sqlite.query(f->c, ALL, NULL, 0, &outer), 0);
	assert_int_equal(db_sqlite.next(outer), 1);
	assert_int_equal(db_sqlite.col_int(outer, 0), 1);
	/* the same text again while the first is half-way: a statement of its own */
	assert_int_equal(db_sqlite.query(f->c, ALL, NULL, 0, &inner), 0);
	while (db_sqlite.next(inner) == 1)
		seen = seen * 10 + db_sqlite.col_int(inner, 0);
	db_sqlite.done(inner);
	assert_int_equal(seen, 123);
	/* and the outer one goes on where it was */
	assert_int_equal(db_sqlite.next(outer), 1);
	assert_int_equal(db_sqlite.col_int(outer, 0), 2);
	assert_int_equal(db_sqlite.next(outer), 1);
	assert_int_equal(db_sqlite.col_int(outer, 0), 3);
	assert_int_equal(db_sqlite.next(outer), 0);
	db_sqlite.done(outer);
	/* both are free again */
	assert_int_equal(db_sqlite.query(f->c, ALL, NULL, 0, &inner), 0);
	assert_int_equal(db_sqlite.next(inner), 1);
	assert_int_equal(db_sqlite.col_int(inner, 0), 1);
	db_sqlite.done(inner);
}

static void test_bind_failure_frees_the_slot(void **state)
{
	struct fx *f = *state;
	struct db_val two[] = {DB_INT(1), DB_INT(2)};
	char sql[64];
	int failed = 0;

	/* one parameter, two values: binding the second fails, many times over (the cache has
	 * 128 slots) */
	for (int i = 0; i < 400; i++) {
		struct db_stmt *st;

		snprintf(sql, sizeof(sql), "SELECT ? + %d", i);
		assert_int_equal(db_sqlite.query(f->c, sql, two, 2, &st), KAM_EDB);
	}
	/* every slot is still usable: other queries all run */
	for (int i = 0; i < 400; i++) {
		struct db_stmt *st;

		snprintf(sql, sizeof(sql), "SELECT %d + x FROM t WHERE x = ?", i);
		if (db_sqlite.query(f->c, sql, two, 1, &st) != KAM_OK) {
			failed++;
			continue;
		}
		assert_int_equal(db_sqlite.next(st), 1);
		assert_int_equal(db_sqlite.col_int(st, 0), i + 1);
		db_sqlite.done(st);
	}
	assert_int_equal(failed, 0);
	/* and the failed text itself, with the right values */
	{
		struct db_stmt *st;

		assert_int_equal(db_sqlite.query(f->c, "SELECT ? + 0", two, 1, &st), 0);
		assert_int_equal(db_sqlite.next(st), 1);
		assert_int_equal(db_sqlite.col_int(st, 0), 1);
		db_sqlite.done(st);
	}
}

/* A full disk (here the page limit) is KAM_EUNAVAIL, which the client sees as 503 "retry
 * later", not a 500; and the connection writes again once there is room. */
static void test_disk_full(void **state)
{
	struct fx *f = *state;
	int rc = KAM_OK;

	assert_int_equal(db_sqlite.exec(f->c, "CREATE TABLE big (s TEXT)"), 0);
	assert_int_equal(db_sqlite.exec(f->c, "PRAGMA max_page_count = 8"), 0);
	for (int i = 0; i < 100 && rc == KAM_OK; i++)
		rc = db_sqlite.exec(f->c, "INSERT INTO big VALUES (printf('%.4000c', 'x'))");
	assert_int_equal(rc, KAM_EUNAVAIL);
	assert_int_equal(db_sqlite.exec(f->c, "PRAGMA max_page_count = 100000"), 0);
	assert_int_equal(db_sqlite.exec(f->c, "INSERT INTO big VALUES ('fits')"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_nested_same_sql, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_failure_frees_the_slot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
