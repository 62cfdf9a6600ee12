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

static bool match(const char *pattern, char **segs, int nseg, const char **params,
		  size_t *nparams)
{
	char pat[256];
	char *psegs[16];
	int np;

	snprintf(pat, sizeof(pat), "%s", pattern);
	np = split(pat, psegs, 16);
	if (np != nseg)
		return false;
	*nparams = 0;
	for (int i = 0; i < np; i++) {
		if (psegs[i][0] == ':') {
			if (*nparams < HTTP_MAX_PARAMS)
				params[(*nparams)++] = segs[i];
		} else if (strcmp(psegs[i], segs[i]) != 0) {
			return false;
		}
	}
	return true;
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
