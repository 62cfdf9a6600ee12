/* The revenue rollup held in memory (src/api/rollups.c): threads that miss together share
 * one load. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "api/rollups.h"
#include "store/store.h"
#include "util/err.h"

#define THREADS 8
#define ROWS (2000 * 60) /* 2,000 accounts × 60 months: a load takes a while */

struct fx {
	char path[64];
	struct store *st;
	struct store_conn *c[THREADS];
	struct api_rollups *h;
	pthread_barrier_t go;
	int64_t version;
};

struct job {
	struct fx *f;
	int i, rc;
	size_t n;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	sqlite3 *db;
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/kam-unit-XXXXXX");
	fd = mkstemp(f->path);
	close(fd);
	assert_int_equal(store_open(f->path, THREADS, &f->st, err, sizeof(err)), 0);
	/* rows straight into the rollup table (no accounts: foreign keys are off here) */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "WITH RECURSIVE a(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM a WHERE i < "
	                 "2000), m(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM m WHERE j < 59) "
	                 "INSERT INTO revenue_account_monthly (account_id, month, amount, "
	                 "transactions) SELECT i, printf('%04d-%02d', 2020 + j / 12, 1 + j % 12), "
	                 "i * 100 + j, 1 FROM a, m",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(store_acquire(f->st, &f->c[i]), 0);
	f->h = api_rollups_new();
	assert_non_null(f->h);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[80];

	api_rollups_free(f->h);
	for (int i = 0; i < THREADS; i++)
		store_release(f->st, f->c[i]);
	store_close(f->st);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f);
	return 0;
}

static void *ask(void *arg)
{
	struct job *j = arg;
	const struct kpi_rollup *r = NULL;
	struct api_rollup_ref *ref = NULL;

	pthread_barrier_wait(&j->f->go);
	j->rc = api_rollups_get(j->f->h, j->f->c[j->i], j->f->version, &r, &ref);
	if (j->rc == KAM_OK)
		j->n = r->n;
	api_rollups_put(j->f->h, ref);
	return NULL;
}

/* THREADS questions at once at one data version: each gets the whole rollup. */
static void ask_together(struct fx *f, int64_t version)
{
	pthread_t t[THREADS];
	struct job j[THREADS];

	f->version = version;
	pthread_barrier_init(&f->go, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		j[i] = (struct job){f, i, -1, 0};
		assert_int_equal(pthread_create(&t[i], NULL, ask, &j[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(j[i].rc, KAM_OK);
		assert_int_equal(j[i].n, ROWS);
	}
	pthread_barrier_destroy(&f->go);
}

static void test_one_load_for_many_misses(void **state)
{
	struct fx *f = *state;

	ask_together(f, 1);
	assert_int_equal(api_rollups_loads(f->h), 1);
	/* held: asked again at the same version, nothing is read */
	ask_together(f, 1);
	assert_int_equal(api_rollups_loads(f->h), 1);
	/* the data moved: one load again, however many ask */
	ask_together(f, 2);
	assert_int_equal(api_rollups_loads(f->h), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_load_for_many_misses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
