/* The shared in-memory revenue rollup (see rollups.h): reference-counted, so a newer load
 * replaces the held one while requests still read the old one. */
#include <pthread.h>
#include <stdlib.h>
#include "api/rollups.h"
#include "util/err.h"

struct api_rollup_ref {
	struct kpi_rollup r;
	int64_t version;
	int refs; /* readers, plus one while it is the held one */
};

struct api_rollups {
	pthread_mutex_t mu;
	struct api_rollup_ref *cur;
};

struct api_rollups *api_rollups_new(void)
{
	struct api_rollups *h = calloc(1, sizeof(*h));

	if (h)
		pthread_mutex_init(&h->mu, NULL);
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
	pthread_mutex_destroy(&h->mu);
	free(h);
}

int api_rollups_get(struct api_rollups *h, struct store_conn *c, int64_t version,
                    const struct kpi_rollup **out, struct api_rollup_ref **ref)
{
	struct api_rollup_ref *x;
	int rc;

	if (h) {
		pthread_mutex_lock(&h->mu);
		if (h->cur && h->cur->version == version) {
			h->cur->refs++;
			*ref = h->cur;
			*out = &h->cur->r;
			pthread_mutex_unlock(&h->mu);
			return KAM_OK;
		}
		pthread_mutex_unlock(&h->mu);
	}
	/* loaded outside the lock: other threads keep answering from the held one meanwhile */
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return KAM_ENOMEM;
	if ((rc = store_kpi_rollup_load(c, &x->r)) != KAM_OK) {
		free(x);
		return rc;
	}
	x->version = version;
	x->refs = 1;
	if (h) {
		pthread_mutex_lock(&h->mu);
		if (h->cur == NULL || h->cur->version <= version) {
			unref(h->cur);
			h->cur = x;
			x->refs++;
		}
		pthread_mutex_unlock(&h->mu);
	}
	*ref = x;
	*out = &x->r;
	return KAM_OK;
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
