/* Reading requests: query parameters, If-Match, ETags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http/http.h"

const char *http_query(const struct req *rq, const char *key)
{
	for (size_t i = 0; i < rq->nquery; i++)
		if (strcmp(rq->query[i].key, key) == 0)
			return rq->query[i].value;
	return NULL;
}

const char *const http_multi_params[] = {NULL};

static bool listed(const char *key, const char *const *list)
{
	for (; list && *list; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

const char *http_query_repeat(const struct http_kv *kv, size_t n, const char *const *multi)
{
	/* at most HTTP_MAX_QUERY_ARGS keys: the pairs are compared directly. An empty name
	 * ("a=1&&b=2") is no parameter: a route that reads any refuses it by name. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; kv[i].key[0] && j < i; j++)
			if (strcmp(kv[i].key, kv[j].key) == 0 && !listed(kv[i].key, multi))
				return kv[i].key;
	return NULL;
}

int64_t http_if_match(const struct req *rq)
{
	const char *s = rq->if_match;
	char *end;
	long long v;

	if (s == NULL || strcmp(s, "*") == 0)
		return -1;
	if (strncmp(s, "W/", 2) == 0)
		s += 2;
	if (*s != '"')
		return -2;
	v = strtoll(s + 1, &end, 10);
	if (end == s + 1 || *end != '"' || end[1] != '\0' || v < 0)
		return -2;
	return (int64_t)v;
}

void http_etag(struct resp *rs, int64_t version)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "\"%lld\"", (long long)version);
	http_header(rs, "ETag", buf);
}

void http_log_path(const char *path, char *buf, size_t len)
{
	static const struct {
		const char *prefix, *shown;
	} caps[] = {{"/api/v1/shared/", "/api/v1/shared/…"},
		    {"/api/v1/calendar/", "/api/v1/calendar/….ics"},
		    {"/api/v1/password-resets/", "/api/v1/password-resets/…"},
		    {"/api/v1/invitations/", "/api/v1/invitations/…"}};

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!strncmp(path, caps[i].prefix, strlen(caps[i].prefix))) {
			snprintf(buf, len, "%s", caps[i].shown);
			return;
		}
	snprintf(buf, len, "%s", path);
}
