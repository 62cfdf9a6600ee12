/*
 * Answer caches shared by the worker threads of one server: one for expensive reports
 * (KPIs, the dashboard's), one for single records (GET /api/v1/accounts/1). An entry is valid only
 * for the data version it was computed at: every mutation writes an audit row in its transaction
 * and bumps the version there, so any change on any node invalidates every node's entries. Entries
 * keep the answer's JSON text, not its tree: a portfolio matrix of 2,700 accounts is 1.3 MB of text
 * but about ten times that as jansson objects, and a hit is then a copy of bytes rather than a deep
 * copy and a new dump. A record's hit saves its statement, its tree and its dump: a third of a
 * GET's CPU.
 */
#ifndef KAM_API_CACHE_H
#define KAM_API_CACHE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct api_cache;

/* A cache of up to n answers whose texts together stay within max_bytes (0: no bound; an
 * answer over a quarter of it is not kept), counted in /metrics as kam_<name>_cache_*
 * (name is not copied; the caller frees the cache with api_cache_free). */
struct api_cache *api_cache_new(int n, size_t max_bytes, const char *name);
void api_cache_free(struct api_cache *c);
struct resp;
/* Replies 200 on rs (X-Cache: hit, and the ETag it went out with) with the answer kept under
 * key at version: true, or false if there is none. */
bool api_cache_reply(struct api_cache *c, const char *key, int64_t version, struct resp *rs);
/* Replies 200 on rs (X-Cache: miss; ETag etag unless negative) with answer (stolen), dumped
 * once, and keeps its text under key at version (unless c is NULL or key empty), evicting the
 * least recently used. */
int api_cache_answer(struct api_cache *c, const char *key, int64_t version, int64_t etag,
                     json_t *answer, struct resp *rs);
struct buf;
/* Writes the cache's hit and miss counters in the Prometheus text format; what says what a
 * hit is. */
void api_cache_metrics_write(struct api_cache *c, const char *what, struct buf *b);

#endif
