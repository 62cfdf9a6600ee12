/* The shared in-memory revenue rollup (see rollups.h): reference-counted, so a newer load
 * replaces the held one while requests still read the old one. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include "api/rollups.h"
#include "store/revenue.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/metrics.h"
#include "util/time.h"

struct api_rollup_ref {
	struct kpi_rollup r;
	int64_t version;
	int refs; /* readers, plus one while it is the held one */
};

struct api_rollups {
	pthread_mutex_t mu;
	pthread_cond_t loaded; /* signalled when a load ends, whether it worked or not */
	struct api_rollup_ref *cur;
	bool loading;   /* one thread reads the store; the others wait for its result */
	uint64_t loads; /* rollups read from the store */
};

struct api_rollups *api_rollups_new(void)
{
	struct api_rollups *h = calloc(1, sizeof(*h));

	if (h) {
		pthread_mutex_init(&h->mu, NULL);
		pthread_cond_init(&h->loaded, NULL);
	}
	return h;
}

static void unref(struct api_rollup_ref *x)
{
	if (x && --x->refs == 0) {
		store_kpi_rollup_free(&x->r);
		free(x);
	}
}

void api_rollups_free(struct api_rollups *h)
{
	if (h == NULL)
		return;
	unref(h->cur);
	pthread_cond_destroy(&h->loaded);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

/* Reads the rollup from the store into a new reference held once (by the caller). */
static int load(struct store_conn *c, int64_t version, size_t hint, struct api_rollup_ref **out)
{
	struct api_rollup_ref *x = calloc(1, sizeof(*x));
	int rc;

	if (x == NULL)
		return KAM_ENOMEM;
	if ((rc = store_kpi_rollup_load(c, hint, &x->r)) != KAM_OK) {
		free(x);
		return rc;
	}
	x->version = version;
	x->refs = 1;
	*out = x;
	return KAM_OK;
}

int api_rollups_get(struct api_rollups *h, struct store_conn *c, int64_t version,
                    const struct kpi_rollup **out, struct api_rollup_ref **ref)
{
	struct api_rollup_ref *x = NULL;
	size_t hint;
	int rc;

	if (h == NULL) {
		if ((rc = load(c, version, 0, &x)) != KAM_OK)
			return rc;
		goto done;
	}
	pthread_mutex_lock(&h->mu);
	/* N requests missing together make one load: the others wait for it and take its
	 * result (or, when it failed or was older than theirs, load next, one at a time) */
	while (h->loading && (h->cur == NULL || h->cur->version < version))
		pthread_cond_wait(&h->loaded, &h->mu);
	if (h->cur && h->cur->version >= version) {
		/* a newer one than asked is as good: the data version only grows */
		x = h->cur;
		x->refs++;
		pthread_mutex_unlock(&h->mu);
		goto done;
	}
	h->loading = true;
	h->loads++;
	hint = h->cur ? h->cur->r.n : 0; /* the next load is about as big */
	/* loaded outside the lock: other threads keep answering from the held one meanwhile */
	pthread_mutex_unlock(&h->mu);
	rc = load(c, version, hint, &x);
	pthread_mutex_lock(&h->mu);
	h->loading = false;
	if (rc == KAM_OK && (h->cur == NULL || h->cur->version <= version)) {
		unref(h->cur);
		h->cur = x;
		x->refs++;
	}
	pthread_cond_broadcast(&h->loaded);
	pthread_mutex_unlock(&h->mu);
	if (rc != KAM_OK)
		return rc;
done:
	*ref = x;
	*out = &x->r;
	return KAM_OK;
}

uint64_t api_rollups_loads(struct api_rollups *h)
{
	uint64_t n;

	pthread_mutex_lock(&h->mu);
	n = h->loads;
	pthread_mutex_unlock(&h->mu);
	return n;
}

/* Cells of the rollup held (0 when none is). */
static size_t api_rollups_cells(struct api_rollups *h)
{
	size_t n;

	pthread_mutex_lock(&h->mu);
	n = h->cur ? h->cur->r.n : 0;
	pthread_mutex_unlock(&h->mu);
	return n;
}

void api_rollups_metrics_write(struct api_rollups *h, struct buf *b)
{
	if (h == NULL)
		return;
	metrics_family(b, "kam_kpi_rollup_loads_total", "counter",
	               "Reads of the revenue rollup into memory for KPI answers (at start-up, "
	               "after a change to revenue, or the first question)");
	buf_printf(b, "kam_kpi_rollup_loads_total %llu\n",
	           (unsigned long long)api_rollups_loads(h));
	metrics_family(b, "kam_kpi_rollup_cells", "gauge",
	               "Cells (account and month) of the revenue rollup held in memory, 24 bytes "
	               "each (0 before the first load ends)");
	buf_printf(b, "kam_kpi_rollup_cells %zu\n", api_rollups_cells(h));
}

void api_rollups_put(struct api_rollups *h, struct api_rollup_ref *ref)
{
	if (ref == NULL)
		return;
	if (h)
		pthread_mutex_lock(&h->mu);
	unref(ref);
	if (h)
		pthread_mutex_unlock(&h->mu);
}

struct api_rollups_warm {
	struct api_rollups *h;
	struct store *st;
	pthread_t thread;
	pthread_mutex_t mu;
	bool stop; /* set by api_rollups_warm_stop: a load not yet begun is called off */
};

static void *warm(void *arg)
{
	struct api_rollups_warm *w = arg;
	const struct kpi_rollup *r = NULL;
	struct api_rollup_ref *ref = NULL;
	struct store_conn *c = NULL;
	double t0 = time_mono_ms();
	int64_t version = 0;
	bool stop;
	int rc;

	store_acquire(w->st, &c);
	pthread_mutex_lock(&w->mu);
	stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	if (stop) {
		rc = KAM_OK;
		goto out;
	}
	/* as GET /kpis asks: the version first, so the rollup read is at least that new */
	if ((rc = store_rollup_version(c, &version)) != KAM_OK ||
	    (rc = api_rollups_get(w->h, c, version, &r, &ref)) != KAM_OK)
		goto out;
	log_msg("info", "kpi rollup: %zu cells of %zu accounts in memory in %.0f ms", r->n, r->nacc,
	        time_mono_ms() - t0);
out:
	if (rc != KAM_OK) {
		log_msg("warn",
		        "kpi rollup: start-up load failed (%d: %s); the first KPI question "
		        "loads it",
		        rc, store_last_error(c));
		store_note_error(w->st, rc);
	}
	api_rollups_put(w->h, ref);
	store_release(w->st, c);
	mem_give_back(); /* the load's blocks, copied into one array (as after a request) */
	return NULL;
}

int api_rollups_warm_start(struct api_rollups *h, struct store *st, struct api_rollups_warm **out)
{
	struct api_rollups_warm *w;

	*out = NULL;
	if (h == NULL || st == NULL)
		return KAM_EINVAL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return KAM_ENOMEM;
	w->h = h;
	w->st = st;
	pthread_mutex_init(&w->mu, NULL);
	if (pthread_create(&w->thread, NULL, warm, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		free(w);
		return KAM_ENOMEM;
	}
	*out = w;
	return KAM_OK;
}

void api_rollups_warm_stop(struct api_rollups_warm *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
