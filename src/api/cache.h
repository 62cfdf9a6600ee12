/*
 * A small answer cache for expensive reports (KPIs), shared by the worker threads of one
 * server. An entry is valid only for the data version it was computed at: every mutation
 * writes an audit row in its transaction and bumps the version there, so any change on any
 * node invalidates every node's entries. Entries keep the answer's JSON text, not its tree:
 * a portfolio matrix of 2,700 accounts is 1.3 MB of text but about ten times that as jansson
 * objects, and a hit is then a copy of bytes rather than a deep copy and a new dump.
 */
#ifndef KAM_API_CACHE_H
#define KAM_API_CACHE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct api_cache;

/* A cache of up to n answers (caller frees it with api_cache_free). */
struct api_cache *api_cache_new(int n);
void api_cache_free(struct api_cache *c);
struct resp;
/* Replies 200 on rs (X-Cache: hit) with the answer kept under key at version: true, or false
 * if there is none. */
bool api_cache_reply(struct api_cache *c, const char *key, int64_t version, struct resp *rs);
/* Replies 200 on rs (X-Cache: miss) with answer (stolen), dumped once, and keeps its text
 * under key at version (unless c is NULL or key empty), evicting the least recently used. */
int api_cache_answer(struct api_cache *c, const char *key, int64_t version, json_t *answer,
                     struct resp *rs);
struct buf;
/* Writes the cache's hit and miss counters in the Prometheus text format. */
void api_cache_metrics_write(struct api_cache *c, struct buf *b);

#endif
