/* The server's memory of resolved credentials and of the settings, checked against the
 * versions read once per request (store_versions_read). Thread-safe. */
#ifndef KAM_HTTP_AUTHCACHE_H
#define KAM_HTTP_AUTHCACHE_H
#include <stdbool.h>
#include <stdint.h>
#include "kam/settings.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/tok.h"

struct http_auth_cache;

/* A new, empty cache (NULL when out of memory); free with http_auth_cache_free. */
struct http_auth_cache *http_auth_cache_new(void);
void http_auth_cache_free(struct http_auth_cache *c);
/* The credential with this token hash, if it was resolved under auth version version. */
bool http_auth_cache_get(struct http_auth_cache *c, const char *hash, bool session, int64_t version,
                         struct store_auth *out);
/* Keeps a credential resolved under auth version version (read before the lookup). */
void http_auth_cache_put(struct http_auth_cache *c, const char *hash, bool session, int64_t version,
                         const struct store_auth *a);
/* Notes that a credential's last-seen stamp was written. */
void http_auth_cache_seen(struct http_auth_cache *c, const char *hash, bool session,
                          int64_t last_seen);
/* The versions the cached settings belong to (all -1 when none), to ask only for a newer
 * document. */
void http_auth_cache_have(struct http_auth_cache *c, struct store_versions *have);
/* The settings as of versions v, when they are the cached ones. */
bool http_auth_cache_settings(struct http_auth_cache *c, const struct store_versions *v,
                              struct settings *out);
/* Keeps the settings as of versions v. */
void http_auth_cache_put_settings(struct http_auth_cache *c, const struct store_versions *v,
                                  const struct settings *s);
/* settings_today(s, now) for the settings of versions v, worked out once per instant. */
date_t http_auth_cache_today(struct http_auth_cache *c, const struct store_versions *v,
                             const struct settings *s, int64_t now);
/* Writes the hit and miss counters in the Prometheus text format. */
void http_auth_cache_metrics_write(struct http_auth_cache *c, struct buf *b);

#endif
