/*
 * Credentials resolved on earlier requests, kept in memory so a request checks one number
 * (the auth version, read with the data version and the settings in one statement) instead
 * of looking its token up. Every change that can end a credential — a token revoked, a
 * session deleted, a user deactivated, re-roled, renamed or removed — moves the auth version
 * in its own transaction (triggers of migration 036), on whichever node or command made it;
 * an entry is used only while the version it was read under is still current, so the next
 * request after that commit, on any node, looks the credential up again.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http/authcache.h"
#include "util/metrics.h"

#define SLOTS 512

struct entry {
	char hash[TOK_HASH_LEN]; /* "" when empty */
	bool session;
	int64_t version;
	struct store_auth a;
};

struct http_auth_cache {
	pthread_mutex_t mu;
	struct entry e[SLOTS];
	/* the installation's settings, parsed once per (settings version, data version) */
	bool has_settings;
	struct store_versions sv;
	struct settings settings;
	/* today under those settings, for the instant today_at (ICU's zone offset is slow) */
	bool has_today;
	int64_t today_at;
	date_t today;
	atomic_ullong hits, misses;
};

struct http_auth_cache *http_auth_cache_new(void)
{
	struct http_auth_cache *c = calloc(1, sizeof(*c));

	if (c)
		pthread_mutex_init(&c->mu, NULL);
	return c;
}

void http_auth_cache_free(struct http_auth_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* The hash is hex of a cryptographic hash: its first digits spread entries evenly. */
static struct entry *slot(struct http_auth_cache *c, const char *hash)
{
	return &c->e[strtoul((char[]){hash[0], hash[1], hash[2], hash[3], '\0'}, NULL, 16) % SLOTS];
}

bool http_auth_cache_get(struct http_auth_cache *c, const char *hash, bool session, int64_t version,
                         struct store_auth *out)
{
	struct entry *e;
	bool hit;

	if (c == NULL || version < 0)
		return false;
	pthread_mutex_lock(&c->mu);
	e = slot(c, hash);
	hit = e->session == session && e->version == version && strcmp(e->hash, hash) == 0;
	if (hit)
		*out = e->a;
	pthread_mutex_unlock(&c->mu);
	atomic_fetch_add_explicit(hit ? &c->hits : &c->misses, 1, memory_order_relaxed);
	return hit;
}

void http_auth_cache_put(struct http_auth_cache *c, const char *hash, bool session, int64_t version,
                         const struct store_auth *a)
{
	struct entry *e;

	if (c == NULL || version < 0)
		return;
	pthread_mutex_lock(&c->mu);
	e = slot(c, hash);
	snprintf(e->hash, sizeof(e->hash), "%s", hash);
	e->session = session;
	e->version = version;
	e->a = *a;
	pthread_mutex_unlock(&c->mu);
}

void http_auth_cache_seen(struct http_auth_cache *c, const char *hash, bool session,
                          int64_t last_seen)
{
	struct entry *e;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	e = slot(c, hash);
	if (e->session == session && strcmp(e->hash, hash) == 0)
		e->a.last_seen_at = last_seen;
	pthread_mutex_unlock(&c->mu);
}

void http_auth_cache_have(struct http_auth_cache *c, struct store_versions *have)
{
	*have = (struct store_versions){.auth = -1, .data = -1, .settings = -1};
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->has_settings)
		*have = c->sv;
	pthread_mutex_unlock(&c->mu);
}

bool http_auth_cache_settings(struct http_auth_cache *c, const struct store_versions *v,
                              struct settings *out)
{
	bool hit;

	if (c == NULL)
		return false;
	pthread_mutex_lock(&c->mu);
	hit = c->has_settings && c->sv.settings == v->settings && c->sv.data == v->data;
	if (hit)
		*out = c->settings;
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void http_auth_cache_put_settings(struct http_auth_cache *c, const struct store_versions *v,
                                  const struct settings *s)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->has_settings = true;
	c->has_today = false;
	c->sv = *v;
	c->settings = *s;
	pthread_mutex_unlock(&c->mu);
}

date_t http_auth_cache_today(struct http_auth_cache *c, const struct store_versions *v,
                             const struct settings *s, int64_t now)
{
	bool hit;
	date_t d = 0;

	if (c == NULL)
		return settings_today(s, now);
	pthread_mutex_lock(&c->mu);
	hit = c->has_settings && c->has_today && c->today_at == now && c->sv.settings == v->settings &&
	      c->sv.data == v->data;
	if (hit)
		d = c->today;
	pthread_mutex_unlock(&c->mu);
	if (hit)
		return d;
	d = settings_today(s, now);
	pthread_mutex_lock(&c->mu);
	if (c->has_settings && c->sv.settings == v->settings && c->sv.data == v->data) {
		c->has_today = true;
		c->today_at = now;
		c->today = d;
	}
	pthread_mutex_unlock(&c->mu);
	return d;
}

void http_auth_cache_metrics_write(struct http_auth_cache *c, struct buf *b)
{
	if (c == NULL)
		return;
	metrics_family(b, "kam_auth_cache_hits_total", "counter",
	               "Requests whose token or session was found in memory, still current");
	buf_printf(b, "kam_auth_cache_hits_total %llu\n", atomic_load(&c->hits));
	metrics_family(b, "kam_auth_cache_misses_total", "counter",
	               "Requests whose token or session was looked up in the database");
	buf_printf(b, "kam_auth_cache_misses_total %llu\n", atomic_load(&c->misses));
}
