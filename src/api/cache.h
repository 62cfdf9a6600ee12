/*
 * A small answer cache for expensive reports (KPIs), shared by the worker threads of one
 * server. An entry is valid only for the data version it was computed at: every mutation
 * writes an audit row in its transaction and bumps the version there, so any change on any
 * node invalidates every node's entries.
 */
#ifndef KAM_API_CACHE_H
#define KAM_API_CACHE_H
#include <stdint.h>
#include <jansson.h>

struct api_cache;

/* A cache of up to n answers (caller frees it with api_cache_free). */
struct api_cache *api_cache_new(int n);
void api_cache_free(struct api_cache *c);
/* A new reference to the answer stored under key at version, or NULL. */
json_t *api_cache_get(struct api_cache *c, const char *key, int64_t version);
/* Stores answer (takes a new reference) under key at version, evicting the oldest. */
void api_cache_put(struct api_cache *c, const char *key, int64_t version, json_t *answer);
struct buf;
/* Writes the cache's hit and miss counters in the Prometheus text format. */
void api_cache_metrics_write(struct api_cache *c, struct buf *b);

#endif
