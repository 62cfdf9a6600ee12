/* What the files of src/store share; nothing outside src/store includes this. */
#ifndef KAM_STORE_INTERNAL_H
#define KAM_STORE_INTERNAL_H
#include <pthread.h>
#include <stdatomic.h>
#include "store/db.h"
#include "store/store.h"
#include "util/err.h"
#include "util/share.h"

struct store_conn {
	const struct db_ops *ops;
	struct db_conn *db;
	struct store *st; /* the pool it belongs to */
	struct store_conn *next_free;
	bool in_tx;
	/* a derived field (a health score, a segment) changed in this transaction: the
	 * derived version moves just before its COMMIT (store_derived_changed) */
	bool derived_moved;
	bool portfolio_locked; /* store_portfolio_lock taken in this transaction */
};

/* Notes that the last statement may have changed a derived field the answer caches show:
 * moves the derived version at once outside a transaction, else just before its COMMIT. */
int store_derived_changed(struct store_conn *c);
/* Moves one of the versions kept in settings by one, creating its row at need: the data
 * version (every cache keyed on it expires), the derived version (health scores, segments),
 * the rollup version (the revenue rollup held in memory). */
int store_settings_bump(struct store_conn *c, const char *key);

struct store {
	const struct db_ops *ops;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store_conn *conns;
	int nconns;
	struct store_conn *free;
	atomic_int writers_waiting; /* connections inside a write BEGIN, waiting for the lock */
	/* for GET /metrics */
	atomic_ullong waits;   /* acquisitions that found no free connection */
	atomic_ullong wait_us; /* the time they waited */
	atomic_ullong errors;  /* database failures noted by callers */
	atomic_int in_use;
	/* On PostgreSQL the versions every request reads are a round trip: requests that arrive
	 * while one is on its way share the next (store_versions_read). The last shared result
	 * and its settings document, when that read copied it, are kept under vshare.mu. */
	struct share vshare;
	struct store_versions vlast;
	char *vlast_doc;
	atomic_ullong vreads;  /* versions reads made for requests */
	atomic_ullong vshared; /* requests answered by another's read */
};

/* Runs a statement that returns no rows. */
int sq_run(struct store_conn *c, const char *sql, const struct db_val *args, int nargs);
/* Runs a query expected to return one integer (e.g. count); KAM_ENOTFOUND without a row. */
int sq_int(struct store_conn *c, const char *sql, const struct db_val *args, int nargs,
	   int64_t *out);
/* Runs a query and returns its rows as a new JSON array of objects keyed by column name
 * (*items owned by the caller). */
int sq_rows(struct store_conn *c, const char *sql, const struct db_val *args, int nargs,
	    json_t **items);
/* q as a LIKE pattern that finds it anywhere: %q%, with % _ and \ escaped by \ (use
 * ESCAPE '\'); cut short to fit outlen. Compare with ops->ilike, as lists do. */
void store_like_pattern(const char *q, char *out, size_t outlen);
/* Strdup that returns NULL for NULL. */
char *sq_strdup(const char *s);

#endif
