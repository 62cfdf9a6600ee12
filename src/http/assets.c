#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <sodium.h>
#include "http/assets.h"

struct asset {
	const struct embed_file *f;
	char etag[24];
	unsigned char *gz;
	size_t gzlen;
};

struct http_assets {
	struct asset *v;
	size_t n;
	char build[13]; /* hex of a hash over every file */
	char prefix[32]; /* "/app/<build>/" */
	char *index;     /* index.html with the build id filled in */
	size_t index_len;
	char index_etag[24];
};

static const char *content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".json", "application/json; charset=utf-8"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* A strong ETag: "<hex of a hash of the bytes>" into out[24]. */
static void etag_of(const unsigned char *data, size_t len, char out[24])
{
	unsigned char h[10];
	char hex[21];

	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, 24, "\"%s\"", hex);
}

static int gzip(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen)
{
	z_stream z;
	size_t cap = compressBound((uLong)len) + 64;
	unsigned char *buf = malloc(cap);

	if (buf == NULL)
		return -1;
	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip wrapper, as Content-Encoding: gzip wants */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(buf);
		return -1;
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(buf);
		return -1;
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	*out = buf;
	return 0;
}

struct http_assets *http_assets_new(const struct embed_file *tab)
{
	struct http_assets *a = calloc(1, sizeof(*a));
	crypto_generichash_state st;
	unsigned char h[16];
	const struct embed_file *index = NULL;

	if (a == NULL)
		return NULL;
	for (const struct embed_file *f = tab; f && f->name; f++)
		a->n++;
	a->v = calloc(a->n + 1, sizeof(*a->v));
	if (a->v == NULL)
		goto fail;
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	for (size_t i = 0; i < a->n; i++) {
		struct asset *x = &a->v[i];

		x->f = &tab[i];
		etag_of(x->f->data, x->f->len, x->etag);
		crypto_generichash_update(&st, (const unsigned char *)x->f->name, strlen(x->f->name));
		crypto_generichash_update(&st, x->f->data, x->f->len);
		if (gzip(x->f->data, x->f->len, &x->gz, &x->gzlen) != 0)
			goto fail;
		if (!strcmp(x->f->name, "index.html"))
			index = x->f;
	}
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(a->build, sizeof(a->build), h, 6);
	snprintf(a->prefix, sizeof(a->prefix), "/app/%s/", a->build);
	if (index) {
		/* every {{BUILD}} in index.html becomes the build id */
		const char *p = (const char *)index->data, *end = p + index->len, *m;
		size_t cap = index->len + 64 * 16, o = 0;

		a->index = malloc(cap);
		if (a->index == NULL)
			goto fail;
		while (p < end && (m = memmem(p, (size_t)(end - p), "{{BUILD}}", 9)) && o + 64 < cap) {
			memcpy(a->index + o, p, (size_t)(m - p));
			o += (size_t)(m - p);
			memcpy(a->index + o, a->build, 12);
			o += 12;
			p = m + 9;
		}
		memcpy(a->index + o, p, (size_t)(end - p));
		a->index_len = o + (size_t)(end - p);
		etag_of((unsigned char *)a->index, a->index_len, a->index_etag);
	}
	return a;
fail:
	http_assets_free(a);
	return NULL;
}

void http_assets_free(struct http_assets *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].gz);
	free(a->v);
	free(a->index);
	free(a);
}

static bool takes_gzip(const struct req *rq)
{
	return rq->accept_encoding && strstr(rq->accept_encoding, "gzip");
}

int http_assets_serve(const struct http_assets *a, const struct req *rq, struct resp *rs)
{
	const char *path = rq->path;

	if (a == NULL || (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0))
		return 0;
	if (!strcmp(path, "/") || !strcmp(path, "/index.html")) {
		if (a->index == NULL)
			return 0;
		http_header(rs, "ETag", a->index_etag);
		http_header(rs, "Cache-Control", "no-cache");
		if (rq->if_none_match && !strcmp(rq->if_none_match, a->index_etag))
			return http_reply_empty(rs, 304), 1;
		http_reply_bytes(rs, 200, "text/html; charset=utf-8", a->index, a->index_len);
		return 1;
	}
	if (strncmp(path, "/app/", 5) != 0)
		return 0;
	if (strncmp(path, a->prefix, strlen(a->prefix)) != 0) {
		/* an old build's file: the page that asked is stale and should reload */
		http_problem(rs, 404, "no such file in this build of the app; reload the page", NULL);
		return 1;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct asset *x = &a->v[i];

		if (strcmp(path + strlen(a->prefix), x->f->name) != 0 || !strcmp(x->f->name, "index.html"))
			continue;
		http_header(rs, "ETag", x->etag);
		http_header(rs, "Cache-Control", "public, max-age=31536000, immutable");
		http_header(rs, "Vary", "Accept-Encoding");
		if (rq->if_none_match && !strcmp(rq->if_none_match, x->etag))
			return http_reply_empty(rs, 304), 1;
		if (takes_gzip(rq) && x->gzlen < x->f->len) {
			http_header(rs, "Content-Encoding", "gzip");
			http_reply_bytes(rs, 200, content_type(x->f->name), x->gz, x->gzlen);
		} else {
			http_reply_bytes(rs, 200, content_type(x->f->name), x->f->data, x->f->len);
		}
		return 1;
	}
	http_problem(rs, 404, "no such file", NULL);
	return 1;
}
