/* Matching a path against the route table: literal segments and ":name" parameters. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http/http.h"

/* What a lookup checks first of each route, worked out once per route table: its number of
 * segments and its third segment (the resource in /api/v1/<resource>/...) when literal. */
struct route_key {
	unsigned char nseg;
	unsigned char third_len; /* 0: a parameter, or fewer segments */
	unsigned short third_off;
};

static struct {
	pthread_mutex_t mu;
	struct {
		const struct http_route *routes;
		size_t n;
		struct route_key *keys;
	} t[4];
	atomic_int n;
} tables = {.mu = PTHREAD_MUTEX_INITIALIZER};

static struct route_key key_of(const char *pattern)
{
	struct route_key k = {0};
	const char *p = pattern;

	while (*p == '/' && p[1]) {
		const char *end = strchr(++p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (k.nseg == 2 && *p != ':' && n < 256 && p - pattern < 65536) {
			k.third_len = (unsigned char)n;
			k.third_off = (unsigned short)(p - pattern);
		}
		k.nseg++;
		p += n;
	}
	return k;
}

/* The keys of a route table (NULL when they cannot be kept: every route is then tried);
 * built by the first lookup, kept for the life of the process. */
static const struct route_key *keys_of(const struct http_route *routes, size_t n)
{
	int have = atomic_load_explicit(&tables.n, memory_order_acquire);
	struct route_key *k = NULL;

	for (int i = 0; i < have; i++)
		if (tables.t[i].routes == routes && tables.t[i].n == n)
			return tables.t[i].keys;
	pthread_mutex_lock(&tables.mu);
	have = atomic_load_explicit(&tables.n, memory_order_relaxed);
	for (int i = 0; i < have; i++)
		if (tables.t[i].routes == routes && tables.t[i].n == n) {
			k = tables.t[i].keys;
			goto out;
		}
	if (have == 4 || (k = calloc(n ? n : 1, sizeof(*k))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		k[i] = key_of(routes[i].pattern);
	tables.t[have].routes = routes;
	tables.t[have].n = n;
	tables.t[have].keys = k;
	atomic_store_explicit(&tables.n, have + 1, memory_order_release);
out:
	pthread_mutex_unlock(&tables.mu);
	return k;
}

/* Splits path into segments in place; returns how many, or -1 when too many or empty ones. */
static int split(char *path, char **segs, int max)
{
	int n = 0;
	char *p = path;

	if (*p != '/')
		return -1;
	if (strcmp(p, "/") == 0)
		return 0;
	while (*p == '/') {
		*p++ = '\0';
		if (*p == '\0' || *p == '/' || n == max)
			return -1;
		segs[n++] = p;
		while (*p && *p != '/')
			p++;
	}
	return n;
}

/* Compares the pattern with the path's segments in place: every request tries it against
 * each route of the table, twice (the server's route index, then dispatch), so it neither
 * copies nor formats anything. */
static bool match(const char *pattern, char **segs, int nseg, const char **params, size_t *nparams)
{
	const char *p = pattern;
	int i = 0;

	*nparams = 0;
	if (*p != '/')
		return false;
	if (p[1] == '\0')
		return nseg == 0;
	while (*p == '/') {
		const char *end;
		size_t n;

		p++;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0 || i == nseg)
			return false;
		if (*p == ':') {
			if (*nparams < HTTP_MAX_PARAMS)
				params[(*nparams)++] = segs[i];
		} else if (strncmp(p, segs[i], n) != 0 || segs[i][n] != '\0') {
			return false;
		}
		i++;
		p += n;
	}
	return i == nseg;
}

bool http_route_serves(const struct http_route *rt, const char *method)
{
	/* RFC 9110 9.3.2: HEAD is GET without the body; libmicrohttpd leaves the body out */
	return strcmp(rt->method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
}

const struct http_route *http_route_find(const struct http_route *routes, size_t n,
                                         const char *method, char *pathbuf, struct req *rq,
                                         bool *path_known, char *allow, size_t allowlen)
{
	char *segs[16];
	const char *params[HTTP_MAX_PARAMS];
	size_t nparams, used = 0;
	int nseg = split(pathbuf, segs, 16);
	const struct http_route *found = NULL;
	const struct route_key *keys;
	size_t third;

	*path_known = false;
	if (allowlen)
		allow[0] = '\0';
	if (nseg < 0)
		return NULL;
	keys = keys_of(routes, n);
	third = nseg > 2 ? strlen(segs[2]) : 0;
	for (size_t i = 0; i < n; i++) {
		if (keys && (keys[i].nseg != nseg ||
		             (keys[i].third_len &&
		              (keys[i].third_len != third ||
		               memcmp(routes[i].pattern + keys[i].third_off, segs[2], third) != 0))))
			continue;
		if (!match(routes[i].pattern, segs, nseg, params, &nparams))
			continue;
		*path_known = true;
		if (used < allowlen && !strstr(allow, routes[i].method))
			used += (size_t)snprintf(allow + used, allowlen - used, "%s%s%s",
			                         used ? ", " : "", routes[i].method,
			                         strcmp(routes[i].method, "GET") ? "" : ", HEAD");
		if (found == NULL && http_route_serves(&routes[i], method)) {
			found = &routes[i];
			memcpy(rq->params, params, sizeof(params));
			rq->nparams = nparams;
		}
	}
	return found;
}

bool http_route_match(const struct http_route *rt, char *pathbuf, struct req *rq)
{
	char *segs[16];
	const char *params[HTTP_MAX_PARAMS];
	size_t nparams;
	int nseg = split(pathbuf, segs, 16);

	if (nseg < 0 || !match(rt->pattern, segs, nseg, params, &nparams))
		return false;
	memcpy(rq->params, params, sizeof(params));
	rq->nparams = nparams;
	return true;
}
