/*
 * The web app compiled into the binary: served under /app/<build>/ with long cache
 * lifetimes (the build id changes whenever any file does), gzip when the client takes it,
 * ETags and 304s; / serves index.html with the build id filled in.
 */
#ifndef KAM_HTTP_ASSETS_H
#define KAM_HTTP_ASSETS_H
#include "http/http.h"
#include "util/embed.h"

struct http_assets;

/* Prepares the files of tab (hashes, gzip copies); NULL on failure. Caller frees. */
struct http_assets *http_assets_new(const struct embed_file *tab);
void http_assets_free(struct http_assets *a);
/* Serves rq when it asks for the app (/, /app/…); returns 1 when it did, 0 otherwise. */
int http_assets_serve(const struct http_assets *a, const struct req *rq, struct resp *rs);

#endif
