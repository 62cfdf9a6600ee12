/*
 * Query strings on their own: every GET route of kam (lists with their filters, sort, q,
 * limit, cursor and format; KPIs and their rows with scope, id, from, to, interval, name;
 * the portfolio's pareto and matrix; health history, the audit list, search, my work, the
 * calendar, the plan document) with a fuzzed query and nothing else varying. Path ids are 1.
 *
 * The parameters are parsed inside the handlers, between visibility checks and reads (a KPI
 * scope names an account the caller must see; a cursor is decoded where the list's SQL is
 * built), so this harness goes through http_dispatch over the demo database, like fuzz_api,
 * but it need not find a route first: each input is one query.
 *
 * Input: one byte (its low seven bits pick the route, its top bit the caller: Anna, a KAM,
 * or the admin), then the query string as sent, percent-encoded and split on & and = as
 * libmicrohttpd splits it. A cursor value that starts with "!" is sent base64url-encoded
 * (the rest is what the cursor holds: the fuzzer writes the JSON inside kam's cursors).
 * A 5xx other than 503 aborts. Seeds: tests/fuzz/corpus/fuzz_query/.
 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "http/http.h"
#include "fuzz_db.h"

#define MAX_GET 128

static char paths[MAX_GET][128];
static size_t npaths;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_server_init();
	/* every GET route, its parameters set to 1, in table order (the seeds' first byte) */
	for (size_t i = 0; i < api_nroutes && npaths < MAX_GET; i++) {
		const char *p = api_routes[i].pattern;
		size_t o = 0;

		if (strcmp(api_routes[i].method, "GET") != 0)
			continue;
		while (*p && o + 2 < sizeof(paths[0])) {
			if (*p == ':') {
				paths[npaths][o++] = '1';
				p += strcspn(p, "/");
			} else {
				paths[npaths][o++] = *p++;
			}
		}
		paths[npaths++][o] = '\0';
	}
	/* FUZZ_QUERY_PATHS=1 lists them, for writing seeds */
	for (size_t i = 0; getenv("FUZZ_QUERY_PATHS") && i < npaths; i++)
		fprintf(stderr, "%zu %s\n", i, paths[i]);
	return 0;
}

/* A cursor written "!<text>" becomes the base64url of <text>, as kam writes its cursors. */
static const char *cursor_of(const char *v, char *out, size_t len)
{
	size_t n;

	if (v[0] != '!')
		return v;
	n = strlen(v + 1);
	if (sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > len)
		return v;
	sodium_bin2base64(out, len, (const unsigned char *)v + 1, n,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char cursors[HTTP_MAX_QUERY][2048];
	char *in = malloc(size + 1), *save = NULL;
	struct req rq;

	if (in == NULL || size == 0 || npaths == 0)
		goto out;
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.path = paths[(data[0] & 0x7f) % npaths];
	for (char *kv = strtok_r(in, "&", &save); kv && rq.nquery < HTTP_MAX_QUERY;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		const char *v = "";

		if (eq)
			*eq++ = '\0';
		MHD_http_unescape(kv);
		if (eq) {
			MHD_http_unescape(eq);
			v = strcmp(kv, "cursor") == 0
			        ? cursor_of(eq, cursors[rq.nquery], sizeof(cursors[0]))
			        : eq;
		}
		rq.query[rq.nquery].key = kv;
		rq.query[rq.nquery++].value = v;
	}
	rq.body = "";
	fuzz_server_send("fuzz_query", &rq, data[0] >> 7 ? FUZZ_ADMIN : FUZZ_ANNA);
out:
	free(in);
	return 0;
}
