/* The connection pool, transactions and migrations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store/internal.h"
#include "util/embed.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/time.h"

atomic_ullong db_statements;

char *sq_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int sq_run(struct store_conn *c, const char *sql, const struct db_val *args, int nargs)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db, sql, args, nargs, &st);

	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1)
		;
	c->ops->done(st);
	return rc;
}

int sq_int(struct store_conn *c, const char *sql, const struct db_val *args, int nargs,
	   int64_t *out)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db, sql, args, nargs, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1) {
		*out = c->ops->col_int(st, 0);
		rc = KAM_OK;
	} else if (rc == 0) {
		rc = KAM_ENOTFOUND;
	}
	c->ops->done(st);
	return rc;
}

/* Applies every numbered script above the recorded version, each in its own transaction. */
static int migrate(struct store_conn *c, char *err, size_t errlen)
{
	int64_t have = 0;
	int rc;

	rc = c->ops->exec(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
				 "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
	if (rc != KAM_OK)
		goto fail;
	for (const struct embed_file *f = c->ops->schema; f->name; f++) {
		int64_t n = strtoll(f->name, NULL, 10);

		if ((rc = c->ops->begin(c->db, true)) != KAM_OK)
			goto fail;
		if (c->ops->migrate_lock && (rc = c->ops->exec(c->db, c->ops->migrate_lock)) != KAM_OK) {
			c->ops->rollback(c->db);
			goto fail;
		}
		rc = sq_int(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL, 0,
			    &have);
		if (rc == KAM_OK && n > have) {
			rc = c->ops->exec(c->db, (const char *)f->data);
			if (rc == KAM_OK)
				rc = sq_run(c,
					    "INSERT INTO schema_migrations (version, applied_at) "
					    "VALUES (?, ?)",
					    (struct db_val[]){DB_INT(n), DB_INT(time_now())}, 2);
			if (rc == KAM_OK)
				log_msg("info", "applied migration %s", f->name);
		}
		if (rc == KAM_OK)
			rc = c->ops->commit(c->db);
		if (rc != KAM_OK) {
			/* the message first: SQLite's rollback clears it ("not an error") */
			snprintf(err, errlen, "migration %s failed: %s", f->name,
				 c->ops->errmsg(c->db));
			c->ops->rollback(c->db);
			return rc;
		}
	}
	return KAM_OK;
fail:
	snprintf(err, errlen, "cannot read the schema version: %s", c->ops->errmsg(c->db));
	return rc;
}

bool store_is_pg_url(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

bool store_remote(const struct store_conn *c)
{
	return c->ops != &db_sqlite;
}

int store_open(const char *url, int nconns, struct store **out, char *err, size_t errlen)
{
	struct store *st;
	int rc = KAM_OK;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return KAM_ENOMEM;
	st->ops = store_is_pg_url(url) ? &db_pg : &db_sqlite;
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->cv, NULL);
	share_init(&st->vshare);
	st->conns = calloc((size_t)nconns, sizeof(*st->conns));
	if (st->conns == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (int i = 0; i < nconns; i++) {
		struct store_conn *c = &st->conns[i];

		c->ops = st->ops;
		c->st = st;
		rc = st->ops->connect(url, &c->db, err, errlen);
		if (rc != KAM_OK)
			goto out;
		st->nconns++;
		if (i == 0 && (rc = migrate(c, err, errlen)) != KAM_OK)
			goto out;
		c->next_free = st->free;
		st->free = c;
	}
	*out = st;
	st = NULL;
out:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < st->nconns; i++)
		st->ops->disconnect(st->conns[i].db);
	free(st->conns);
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->cv);
	share_free(&st->vshare);
	free(st->vlast_doc);
	free(st);
}

int store_acquire(struct store *st, struct store_conn **out)
{
	pthread_mutex_lock(&st->mu);
	if (st->free == NULL) {
		double t0 = time_mono_ms();

		while (st->free == NULL)
			pthread_cond_wait(&st->cv, &st->mu);
		atomic_fetch_add_explicit(&st->waits, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&st->wait_us,
		                          (unsigned long long)((time_mono_ms() - t0) * 1000.0),
		                          memory_order_relaxed);
	}
	*out = st->free;
	st->free = st->free->next_free;
	atomic_fetch_add_explicit(&st->in_use, 1, memory_order_relaxed);
	pthread_mutex_unlock(&st->mu);
	return KAM_OK;
}

void store_release(struct store *st, struct store_conn *c)
{
	if (c == NULL)
		return;
	if (c->in_tx)
		store_rollback(c);
	pthread_mutex_lock(&st->mu);
	c->next_free = st->free;
	st->free = c;
	atomic_fetch_sub_explicit(&st->in_use, 1, memory_order_relaxed);
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

const char *store_backend(const struct store *st)
{
	return st->ops->name;
}

void store_note_error(struct store *st, int rc)
{
	if (st && (rc == KAM_EDB || rc == KAM_EBUSY))
		atomic_fetch_add_explicit(&st->errors, 1, memory_order_relaxed);
}

void store_metrics_write(struct store *st, struct buf *b)
{
	unsigned waiting;

	if (st == NULL)
		return;
	metrics_family(b, "kam_db_pool_connections", "gauge", "Connections in the pool");
	buf_printf(b, "kam_db_pool_connections{backend=\"%s\"} %d\n", st->ops->name, st->nconns);
	metrics_family(b, "kam_db_pool_in_use", "gauge", "Connections taken from the pool now");
	buf_printf(b, "kam_db_pool_in_use %d\n", atomic_load(&st->in_use));
	metrics_family(b, "kam_db_pool_waits_total", "counter",
	               "Times a request or job found no free connection and waited");
	buf_printf(b, "kam_db_pool_waits_total %llu\n", atomic_load(&st->waits));
	metrics_family(b, "kam_db_pool_wait_seconds_total", "counter",
	               "Time spent waiting for a free connection");
	buf_printf(b, "kam_db_pool_wait_seconds_total %.6f\n",
	           (double)atomic_load(&st->wait_us) / 1e6);
	metrics_family(b, "kam_db_statements_total", "counter",
	               "Statements sent to the database; on PostgreSQL each is a round trip");
	buf_printf(b, "kam_db_statements_total{backend=\"%s\"} %llu\n", st->ops->name,
	           atomic_load(&db_statements));
	metrics_family(b, "kam_versions_reads_total", "counter",
	               "Reads of the versions every authenticated request checks its caches "
	               "against");
	buf_printf(b, "kam_versions_reads_total %llu\n", atomic_load(&st->vreads));
	metrics_family(b, "kam_versions_shared_total", "counter",
	               "Requests that used a versions read another request made after they "
	               "arrived (PostgreSQL)");
	buf_printf(b, "kam_versions_shared_total %llu\n", atomic_load(&st->vshared));
	metrics_family(b, "kam_versions_waiting", "gauge",
	               "Requests waiting for a versions read that started after they arrived");
	share_lock(&st->vshare);
	waiting = st->vshare.waiting;
	share_unlock(&st->vshare);
	buf_printf(b, "kam_versions_waiting %u\n", waiting);
	metrics_family(b, "kam_db_errors_total", "counter",
	               "Requests and background runs that ended in a database failure or busy "
	               "database");
	buf_printf(b, "kam_db_errors_total %llu\n", atomic_load(&st->errors));
}

int store_schema_version(struct store_conn *c, int *out)
{
	int64_t v = 0;
	int rc = sq_int(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL, 0, &v);

	*out = (int)v;
	return rc;
}

const char *store_last_error(struct store_conn *c)
{
	return c->ops->errmsg(c->db);
}

int store_ping(struct store_conn *c)
{
	int64_t v;

	return sq_int(c, "SELECT 1", NULL, 0, &v);
}

int store_begin(struct store_conn *c, bool write)
{
	int rc;

	if (write && c->st)
		atomic_fetch_add(&c->st->writers_waiting, 1);
	rc = c->ops->begin(c->db, write);
	if (write && c->st)
		atomic_fetch_sub(&c->st->writers_waiting, 1);

	if (rc == KAM_OK)
		c->in_tx = true;
	c->derived_moved = false;
	c->portfolio_locked = false;
	return rc;
}

int store_commit(struct store_conn *c)
{
	/* a row of its own, taken just before COMMIT and never followed by a wait: the data
	 * version row is taken mid-transaction by audited writes, which then lock more account
	 * rows, so bumping it here after the job's account rows could deadlock (PostgreSQL) */
	int rc = c->derived_moved ? store_settings_bump(c, "derived_version") : KAM_OK;

	c->derived_moved = false;
	if (rc != KAM_OK) {
		store_rollback(c);
		return rc;
	}
	rc = c->ops->commit(c->db);
	c->portfolio_locked = false;
	if (rc == KAM_OK)
		c->in_tx = false;
	else
		store_rollback(c);
	return rc;
}

void store_rollback(struct store_conn *c)
{
	c->ops->rollback(c->db);
	c->in_tx = false;
	c->derived_moved = false;
	c->portfolio_locked = false;
}

int store_portfolio_lock(struct store_conn *c)
{
	int rc;

	/* SQLite: BEGIN IMMEDIATE already lets one writer in at a time */
	if (c->ops->portfolio_lock == NULL || c->portfolio_locked)
		return KAM_OK;
	rc = c->ops->exec(c->db, c->ops->portfolio_lock);
	c->portfolio_locked = rc == KAM_OK;
	return rc;
}

void store_yield_to_writers(struct store_conn *c, int max_ms)
{
	/* SQLite's busy handler polls with growing sleeps (up to 100 ms): a long import that
	 * commits and begins again at once would win every race, so it waits here while
	 * another writer of this process is trying to get in */
	for (int ms = 0; c->st && ms < max_ms && atomic_load(&c->st->writers_waiting) > 0; ms++) {
		struct timespec ts = {0, 1000 * 1000};

		nanosleep(&ts, NULL);
	}
}
