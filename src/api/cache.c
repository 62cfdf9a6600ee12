#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "api/cache.h"
#include "http/http.h"
#include "util/metrics.h"

struct entry {
	char *key;
	uint64_t hash; /* of key */
	int next;      /* the next entry of the same bucket, or -1 */
	int64_t version;
	int64_t etag; /* the ETag the answer went out with, or -1 */
	char *text;   /* the answer as replies send it (http_json_text) */
	size_t len;
	uint64_t used; /* for least-recently-used eviction */
};

struct api_cache {
	pthread_mutex_t mu;
	struct entry *e;
	int n;
	int *bucket; /* nbucket heads of entry chains, -1 for none */
	unsigned nbucket;
	size_t bytes, max_bytes; /* the texts kept, and their bound (0: none) */
	int kept;                /* entries in use */
	int hand;                /* where victim looks next */
	uint64_t clock;
	const char *name;           /* in the metric names: kam_<name>_cache_hits_total */
	atomic_ullong hits, misses; /* for GET /metrics */
};

/* FNV-1a: keys are short and a lookup must cost less than the answer it saves */
static uint64_t hash_of(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct api_cache *api_cache_new(int n, size_t max_bytes, const char *name)
{
	struct api_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->nbucket = 16;
	while (c->nbucket < 2u * (unsigned)n)
		c->nbucket *= 2;
	c->e = calloc((size_t)n, sizeof(*c->e));
	c->bucket = malloc(c->nbucket * sizeof(*c->bucket));
	if (c->e == NULL || c->bucket == NULL) {
		free(c->e);
		free(c->bucket);
		free(c);
		return NULL;
	}
	for (unsigned i = 0; i < c->nbucket; i++)
		c->bucket[i] = -1;
	c->n = n;
	c->max_bytes = max_bytes;
	c->name = name;
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
	free(c->bucket);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* The entry kept under key (hash h), or -1; under the lock. */
static int find(const struct api_cache *c, const char *key, uint64_t h)
{
	for (int i = c->bucket[h & (c->nbucket - 1)]; i >= 0; i = c->e[i].next)
		if (c->e[i].hash == h && !strcmp(c->e[i].key, key))
			return i;
	return -1;
}

bool api_cache_reply(struct api_cache *c, const char *key, int64_t version, struct resp *rs)
{
	uint64_t h;
	int64_t etag = -1;
	bool hit = false;
	int i;

	if (c == NULL)
		return false;
	h = hash_of(key);
	pthread_mutex_lock(&c->mu);
	if ((i = find(c, key, h)) >= 0 && c->e[i].version == version) {
		c->e[i].used = ++c->clock;
		etag = c->e[i].etag;
		/* copied under the lock: another thread may replace the entry after */
		hit = http_reply_json_text(rs, 200, c->e[i].text, c->e[i].len) == KAM_OK;
	}
	pthread_mutex_unlock(&c->mu);
	atomic_fetch_add_explicit(hit ? &c->hits : &c->misses, 1, memory_order_relaxed);
	if (hit) {
		http_header(rs, "X-Cache", "hit");
		if (etag >= 0)
			http_etag(rs, etag);
	}
	return hit;
}

/* Empties entry i and takes it off its bucket's chain; under the lock. */
static void drop(struct api_cache *c, int i)
{
	struct entry *x = &c->e[i];
	int *p;

	if (x->key == NULL)
		return;
	for (p = &c->bucket[x->hash & (c->nbucket - 1)]; *p != i; p = &c->e[*p].next)
		;
	*p = x->next;
	c->bytes -= x->len;
	c->kept--;
	free(x->key);
	free(x->text);
	*x = (struct entry){.next = -1};
}

/* The entry to give up: an empty one while there is one (unless kept_only), else the least
 * recently used of those looked at from a moving hand: all of a small cache, eight kept
 * ones of a large one (as Redis samples). A full cache of records misses on every new one,
 * and scanning all 2,048 each time showed in the profile. Under the lock. */
static int victim(struct api_cache *c, bool kept_only)
{
	int v = -1, sample = c->n <= 64 ? c->n : 8, seen = 0;

	if (!kept_only && c->kept < c->n) {
		for (int k = 0; k < c->n; k++) {
			int i = (c->hand + k) % c->n;

			if (c->e[i].key == NULL) {
				c->hand = (i + 1) % c->n;
				return i;
			}
		}
	}
	for (int k = 0; k < c->n && seen < sample; k++) {
		int i = (c->hand + k) % c->n;

		if (c->e[i].key == NULL)
			continue;
		seen++;
		if (v < 0 || c->e[i].used < c->e[v].used)
			v = i;
	}
	if (v >= 0)
		c->hand = (v + 1) % c->n;
	return v < 0 ? 0 : v;
}

/* Keeps text (taken) and key (copied) at version, in key's own slot or the least recently
 * used one, evicting more while the texts would pass the cache's bound. */
static void put(struct api_cache *c, const char *key, int64_t version, int64_t etag, char *text,
                size_t len)
{
	uint64_t h = hash_of(key);
	char *k = strdup(key);
	int i;

	if (k == NULL || (c->max_bytes && len > c->max_bytes / 4)) {
		free(k); /* an answer that large would push out a quarter of the others */
		free(text);
		return;
	}
	pthread_mutex_lock(&c->mu);
	if ((i = find(c, key, h)) >= 0)
		drop(c, i);
	while (c->max_bytes && c->bytes + len > c->max_bytes && c->bytes > 0)
		drop(c, victim(c, true));
	drop(c, i = victim(c, false));
	c->e[i] = (struct entry){.key = k,
	                         .hash = h,
	                         .next = c->bucket[h & (c->nbucket - 1)],
	                         .version = version,
	                         .etag = etag,
	                         .text = text,
	                         .len = len,
	                         .used = ++c->clock};
	c->bucket[h & (c->nbucket - 1)] = i;
	c->bytes += len;
	c->kept++;
	pthread_mutex_unlock(&c->mu);
}

int api_cache_answer(struct api_cache *c, const char *key, int64_t version, int64_t etag,
                     json_t *answer, struct resp *rs)
{
	char *text = answer ? http_json_text(answer) : NULL;
	size_t len;
	int rc;

	/* the tree goes before the copies are made: the text is a tenth of its size */
	json_decref(answer);
	if (text == NULL)
		return http_reply_err(rs, KAM_ENOMEM, NULL);
	len = strlen(text);
	if (c && key[0])
		http_header(rs, "X-Cache", "miss");
	if (etag >= 0)
		http_etag(rs, etag);
	if ((rc = http_reply_json_text(rs, 200, text, len)) != KAM_OK) {
		free(text);
		return http_reply_err(rs, rc, NULL); /* a problem document, not a bare 500 */
	}
	if (c && key[0])
		put(c, key, version, etag, text, len); /* which takes the text */
	else
		free(text);
	return KAM_OK;
}

void api_cache_metrics_write(struct api_cache *c, const char *what, struct buf *b)
{
	char name[96];

	if (c == NULL)
		return;
	snprintf(name, sizeof(name), "kam_%s_cache_hits_total", c->name);
	metrics_family(b, name, "counter", what);
	buf_printf(b, "%s %llu\n", name, atomic_load(&c->hits));
	snprintf(name, sizeof(name), "kam_%s_cache_misses_total", c->name);
	metrics_family(b, name, "counter",
	               "Questions the cache did not have (computed, then kept)");
	buf_printf(b, "%s %llu\n", name, atomic_load(&c->misses));
}
