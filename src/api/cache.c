#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "api/cache.h"
#include "http/http.h"
#include "util/metrics.h"

struct entry {
	char *key;
	int64_t version;
	char *text; /* the answer as replies send it (http_json_text) */
	size_t len;
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
		free(c->e[i].text);
	}
	free(c->e);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

bool api_cache_reply(struct api_cache *c, const char *key, int64_t version, struct resp *rs)
{
	bool hit = false;

	if (c == NULL)
		return false;
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < c->n; i++)
		if (c->e[i].key && c->e[i].version == version && !strcmp(c->e[i].key, key)) {
			c->e[i].used = ++c->clock;
			/* copied under the lock: another thread may replace the entry after */
			hit = http_reply_json_text(rs, 200, c->e[i].text, c->e[i].len) == KAM_OK;
			break;
		}
	pthread_mutex_unlock(&c->mu);
	atomic_fetch_add_explicit(hit ? &c->hits : &c->misses, 1, memory_order_relaxed);
	if (hit)
		http_header(rs, "X-Cache", "hit");
	return hit;
}

/* Keeps text (taken) and key (copied) at version in the least recently used slot. */
static void put(struct api_cache *c, const char *key, int64_t version, char *text, size_t len)
{
	char *k = strdup(key);
	int victim = 0;

	if (k == NULL) {
		free(text);
		return;
	}
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
	free(c->e[victim].text);
	c->e[victim].key = k;
	c->e[victim].version = version;
	c->e[victim].text = text;
	c->e[victim].len = len;
	c->e[victim].used = ++c->clock;
	pthread_mutex_unlock(&c->mu);
}

int api_cache_answer(struct api_cache *c, const char *key, int64_t version, json_t *answer,
                     struct resp *rs)
{
	char *text = answer ? http_json_text(answer) : NULL;
	size_t len;
	int rc;

	/* the tree goes before the copies are made: the text is a tenth of its size */
	json_decref(answer);
	if (text == NULL)
		return http_reply_err(rs, KAM_ENOMEM, NULL);
	len = strlen(text);
	http_header(rs, "X-Cache", "miss");
	rc = http_reply_json_text(rs, 200, text, len);
	if (c && key[0] && rc == KAM_OK)
		put(c, key, version, text, len); /* which takes the text */
	else
		free(text);
	return rc;
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
