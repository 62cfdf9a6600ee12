/*
 * The router on its own, with no database: a request line as it comes off the wire, the path
 * percent-decoded by libmicrohttpd's own MHD_http_unescape (as the server does before kam sees
 * it), then http_route_find over kam's route table, http_body_limit, http_log_path, the query
 * UTF-8 check, path ids (validate_id), If-Match (http_if_match) and the web app's files
 * (http_assets_serve over a small table).
 *
 * Input: "METHOD /path?query", optionally a newline and an If-Match value.
 *
 * Checked, against a second, plain matcher written here: the route found is the first of the
 * table whose method and segments match; its parameters put back into its pattern give the
 * path again; a path no route matches is not "known"; a 405's Allow list does not name the
 * method asked for; a logged capability URL (share link, calendar feed) does not hold its
 * secret; an id accepted is written the way kam writes ids; an app file served is the one
 * named. A failed check is an abort(). Seeds: tests/fuzz/corpus/fuzz_route/.
 */
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "http/assets.h"
#include "http/http.h"
#include "kam/validate.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_route: " __VA_ARGS__);                                       \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

static const unsigned char page[] = "<!doctype html><title>kam</title>{{BUILD}}";
static const unsigned char script[] = "export const x = 1;";
static const struct embed_file files[] = {{"index.html", page, sizeof(page) - 1},
                                          {"app.js", script, sizeof(script) - 1},
                                          {"lib/x.css", script, sizeof(script) - 1},
                                          {NULL, NULL, 0}};

/* The plain matcher: does pattern match path, segment by segment (":x" takes any non-empty
 * segment)? Empty segments ("//", a trailing "/") match nothing but "/". */
static bool plain_match(const char *pattern, const char *path)
{
	const char *p = pattern, *q = path;

	if (strcmp(path, "/") == 0)
		return strcmp(pattern, "/") == 0;
	while (*p == '/' && *q == '/') {
		size_t pl = strcspn(p + 1, "/"), ql = strcspn(q + 1, "/");

		if (ql == 0)
			return false;
		if (p[1] != ':' && (pl != ql || memcmp(p + 1, q + 1, pl) != 0))
			return false;
		p += 1 + pl;
		q += 1 + ql;
	}
	return *p == '\0' && *q == '\0';
}

/* The pattern with its ":x" segments replaced by params, to compare with the path. */
static void fill(const char *pattern, const char *const *params, size_t n, char *out, size_t len)
{
	size_t o = 0, k = 0;

	out[0] = '\0';
	for (const char *p = pattern; *p && o + 1 < len;) {
		if (*p == ':' && p > pattern && p[-1] == '/') {
			size_t pl = strcspn(p, "/");

			o += (size_t)snprintf(out + o, len - o, "%s", k < n ? params[k] : "?");
			k++;
			p += pl;
		} else {
			out[o++] = *p++;
			out[o] = '\0';
		}
	}
}

static void split_query(char *q, struct req *rq)
{
	char *save = NULL;

	for (char *kv = strtok_r(q, "&", &save); kv && rq->nquery < HTTP_MAX_QUERY;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq++ = '\0';
		MHD_http_unescape(kv);
		if (eq)
			MHD_http_unescape(eq);
		rq->query[rq->nquery].key = kv;
		rq->query[rq->nquery++].value = eq ? eq : "";
	}
}

static void check_route(const char *method, const char *path, struct req *rq)
{
	char pathbuf[1024], allow[128], back[2048];
	const struct http_route *rt, *want = NULL;
	bool known, any = false;

	if (strlen(path) >= sizeof(pathbuf))
		return; /* http_dispatch answers 404 before routing */
	snprintf(pathbuf, sizeof(pathbuf), "%s", path);
	rt = http_route_find(api_routes, api_nroutes, method, pathbuf, rq, &known, allow,
	                     sizeof(allow));
	for (size_t i = 0; i < api_nroutes; i++)
		if (plain_match(api_routes[i].pattern, path)) {
			any = true;
			/* HEAD is answered by the GET route (RFC 9110 9.3.2) */
			if (want == NULL && (strcmp(api_routes[i].method, method) == 0 ||
			                     (strcmp(method, "HEAD") == 0 &&
			                      strcmp(api_routes[i].method, "GET") == 0)))
				want = &api_routes[i];
		}
	if (rt != want)
		FAIL("%s %s routed to %s %s, expected %s", method, path, rt ? rt->method : "-",
		     rt ? rt->pattern : "nothing", want ? want->pattern : "nothing");
	if (known != any)
		FAIL("%s %s: known %d, but a route matches: %d", method, path, known, any);
	if (rt) {
		fill(rt->pattern, rq->params, rq->nparams, back, sizeof(back));
		if (strcmp(back, path) != 0)
			FAIL("%s %s: parameters of %s give back %s", method, path, rt->pattern,
			     back);
		for (size_t i = 0; i < rq->nparams; i++) {
			int64_t id = validate_id(rq->params[i]);
			char text[32];

			if (rq->params[i][0] == '\0' || strchr(rq->params[i], '/'))
				FAIL("%s %s: parameter %zu is \"%s\"", method, path, i,
				     rq->params[i]);
			snprintf(text, sizeof(text), "%lld", (long long)id);
			if (id != -1 && (id < 1 || strcmp(text, rq->params[i]) != 0))
				FAIL("id \"%s\" read as %lld", rq->params[i], (long long)id);
		}
	} else if (known) {
		/* the Allow list names other methods only */
		const char *a = allow;

		if (allow[0] == '\0')
			FAIL("%s %s: a 405 with no Allow", method, path);
		if ((strstr(allow, "GET") == NULL) != (strstr(allow, "HEAD") == NULL))
			FAIL("%s %s: Allow \"%s\" names one of GET and HEAD", method, path, allow);
		while (*a) {
			size_t l = strcspn(a, ",");

			if (l == strlen(method) && memcmp(a, method, l) == 0)
				FAIL("%s %s: 405 allows %s", method, path, method);
			a += l;
			a += strspn(a, ", ");
		}
	}
}

static void check_log_path(const char *path)
{
	static const char *const caps[][2] = {{"/api/v1/shared/", "/api/v1/shared/…"},
	                                      {"/api/v1/calendar/", "/api/v1/calendar/….ics"}};
	char shown[256];

	http_log_path(path, shown, sizeof(shown));
	/* a capability URL is logged as its prefix and an ellipsis, whatever follows */
	for (size_t i = 0; i < 2; i++)
		if (strncmp(path, caps[i][0], strlen(caps[i][0])) == 0 &&
		    strcmp(shown, caps[i][1]) != 0)
			FAIL("the log line %s holds the secret of %s", shown, path);
}

static void check_assets(const struct http_assets *a, const char *method, const char *path)
{
	struct req rq;
	struct resp rs;

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = method;
	rq.path = path;
	rq.accept_encoding = strlen(path) & 1 ? "gzip" : NULL;
	if (http_assets_serve(a, &rq, &rs) && rs.status == 200 && strcmp(path, "/") != 0 &&
	    strcmp(path, "/index.html") != 0) {
		const char *name = strchr(path + 5, '/'); /* after "/app/<build>" */
		const struct embed_file *f = name ? embed_find(files, name + 1) : NULL;

		if (f == NULL || strcmp(f->name, "index.html") == 0)
			FAIL("%s served for %s", rs.content_type, path);
	}
	free(rs.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_assets *assets;
	static const struct http_app app; /* routes only: what http_body_limit reads */
	struct http_app a = app;
	char *in = malloc(size + 1), *sp, *nl, *q;
	struct req rq;

	if (in == NULL)
		return 0;
	if (assets == NULL && (assets = http_assets_new(files)) == NULL)
		abort();
	memcpy(in, data, size);
	in[size] = '\0';
	memset(&rq, 0, sizeof(rq));
	if ((nl = strchr(in, '\n')) != NULL) {
		*nl = '\0';
		rq.if_match = nl + 1;
		(void)http_if_match(&rq);
	}
	if ((sp = strchr(in, ' ')) == NULL || sp - in > 10)
		goto out;
	*sp = '\0';
	rq.method = in;
	rq.path = sp + 1;
	if ((q = strchr(sp + 1, '?')) != NULL) {
		*q++ = '\0';
		split_query(q, &rq);
		for (size_t i = 0; i < rq.nquery; i++) {
			(void)utf8_valid(rq.query[i].key);
			(void)utf8_valid(rq.query[i].value);
		}
	}
	MHD_http_unescape((char *)rq.path);
	a.routes = api_routes;
	a.nroutes = api_nroutes;
	(void)http_body_limit(&a, http_route_index(&a, rq.method, rq.path));
	check_log_path(rq.path);
	check_assets(assets, rq.method, rq.path);
	check_route(rq.method, rq.path, &rq);
out:
	free(in);
	return 0;
}
