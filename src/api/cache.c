#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "api/cache.h"
#include "util/metrics.h"

struct entry {
	char *key;
	int64_t version;
	json_t *answer;
	uint64_t used; /* for least-recently-used eviction */
};

struct api_cache {
	pthread_mutex_t mu;
	struct entry *e;
	int n;
	uint64_t clock;
	atomic_ullong hits, misses; /* for GET /metrics */
};

struct api_cache *api_cache_new(int n)
{
	struct api_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->e = calloc((size_t)n, sizeof(*c->e));
	if (c->e == NULL) {
		free(c);
		return NULL;
	}
	c->n = n;
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void api_cache_free(struct api_cache *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->n; i++) {
		free(c->e[i].key);
		json_decref(c->e[i].answer);
	}
	free(c->e);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

json_t *api_cache_get(struct api_cache *c, const char *key, int64_t version)
{
	json_t *a = NULL;

	if (c == NULL)
		return NULL;
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < c->n; i++)
		if (c->e[i].key && c->e[i].version == version && !strcmp(c->e[i].key, key)) {
			c->e[i].used = ++c->clock;
			/* a deep copy: the caller adds to it while other threads may read it */
			a = json_deep_copy(c->e[i].answer);
			break;
		}
	pthread_mutex_unlock(&c->mu);
	atomic_fetch_add_explicit(a ? &c->hits : &c->misses, 1, memory_order_relaxed);
	return a;
}

void api_cache_put(struct api_cache *c, const char *key, int64_t version, json_t *answer)
{
	int victim = 0;
	char *k;

	if (c == NULL || (k = strdup(key)) == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < c->n; i++) {
		if (c->e[i].key == NULL || !strcmp(c->e[i].key, key)) {
			victim = i;
			break;
		}
		if (c->e[i].used < c->e[victim].used)
			victim = i;
	}
	free(c->e[victim].key);
	json_decref(c->e[victim].answer);
	c->e[victim].key = k;
	c->e[victim].version = version;
	c->e[victim].answer = json_deep_copy(answer);
	c->e[victim].used = ++c->clock;
	pthread_mutex_unlock(&c->mu);
}

void api_cache_metrics_write(struct api_cache *c, struct buf *b)
{
	if (c == NULL)
		return;
	metrics_family(b, "kam_answer_cache_hits_total", "counter",
	               "KPI answers served from the answer cache");
	buf_printf(b, "kam_answer_cache_hits_total %llu\n", atomic_load(&c->hits));
	metrics_family(b, "kam_answer_cache_misses_total", "counter",
	               "KPI answers the cache did not have (computed, then stored)");
	buf_printf(b, "kam_answer_cache_misses_total %llu\n", atomic_load(&c->misses));
}
