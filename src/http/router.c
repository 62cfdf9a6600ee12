/* Matching a path against the route table: literal segments and ":name" parameters. */
#include <stdio.h>
#include <string.h>
#include "http/http.h"

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

const struct http_route *http_route_find(const struct http_route *routes, size_t n,
                                         const char *method, char *pathbuf, struct req *rq,
                                         bool *path_known, char *allow, size_t allowlen)
{
	char *segs[16];
	const char *params[HTTP_MAX_PARAMS];
	size_t nparams, used = 0;
	int nseg = split(pathbuf, segs, 16);
	const struct http_route *found = NULL;

	*path_known = false;
	if (allowlen)
		allow[0] = '\0';
	if (nseg < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!match(routes[i].pattern, segs, nseg, params, &nparams))
			continue;
		*path_known = true;
		if (used < allowlen && !strstr(allow, routes[i].method))
			used += (size_t)snprintf(allow + used, allowlen - used, "%s%s",
			                         used ? ", " : "", routes[i].method);
		if (found == NULL && strcmp(routes[i].method, method) == 0) {
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
