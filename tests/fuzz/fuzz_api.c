/*
 * The whole request path under libFuzzer: routing, auth, body and query parsing, validation,
 * the application layer and SQLite, as an ordinary KAM (input of even length) or an admin.
 *
 * Input: "METHOD /path?query\n" then the body. The database is a temporary SQLite file with
 * the demo data, made once; what one input writes, the next sees. A 5xx other than 503 is a
 * defect: abort() so libFuzzer keeps the input. Seeds: tests/fuzz/corpus/fuzz_api/.
 */
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api/api.h"
#include "api/cache.h"
#include "api/rollups.h"
#include "app/importq.h"
#include "http/http.h"
#include "store/store.h"
#include "util/time.h"
#include "util/tok.h"
#include "fuzz_db.h"

static struct http_app app;
static struct api_server server;
static char token[2][80]; /* anna (kam), admin */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void make_token(const char *email, char out[80])
{
	struct store_conn *c = NULL;
	char h[TOK_HASH_LEN];
	int64_t id, user = fuzz_user(app.store, email);

	tok_random("kam_", 32, out, 80);
	tok_hash(out, h);
	store_acquire(app.store, &c);
	if (store_token_create(c, user, "fuzz", h, time_now(), 0, &id) != KAM_OK)
		abort();
	store_release(app.store, c);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct kam_clock clock;

	(void)argc;
	(void)argv;
	app.store = fuzz_demo_store();
	make_token("anna@example.com", token[0]);
	make_token("admin@example.com", token[1]);
	server.openapi = api_openapi_json(&server.openapi_len);
	server.cache = api_cache_new(8);
	server.rollups = api_rollups_new();
	server.imports = app_importq_new(app.store, &clock);
	app.routes = api_routes;
	app.nroutes = api_nroutes;
	app.data = &server;
	return 0;
}

/* Splits "k=v&k2=v2" in place into rq's query, percent-decoded as libmicrohttpd would. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *nl, *sp, *q, auth[100];
	struct req rq;
	struct resp rs;

	if (in == NULL || size == 0)
		goto out;
	memcpy(in, data, size);
	in[size] = '\0';
	if ((nl = memchr(in, '\n', size)) == NULL || (sp = strchr(in, ' ')) == NULL || sp > nl)
		goto out;
	*nl = '\0';
	*sp = '\0';
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = in;
	rq.path = sp + 1;
	if ((q = strchr(sp + 1, '?')) != NULL) {
		*q++ = '\0';
		split_query(q, &rq);
	}
	MHD_http_unescape((char *)rq.path);
	if (rq.path[0] != '/' || strlen(rq.method) > 10)
		goto out;
	rq.body = nl + 1;
	rq.body_len = size - (size_t)(nl + 1 - in);
	snprintf(auth, sizeof(auth), "Bearer %s", token[size & 1]);
	rq.authorization = auth;
	/* a body that opens like JSON is sent as JSON, anything else as a CSV file */
	rq.content_type = rq.body[0] == '{' || rq.body[0] == '[' ? "application/json" : "text/csv";
	snprintf(rq.remote_addr, sizeof(rq.remote_addr), "127.0.0.1");
	http_dispatch(&app, &rq, &rs);
	if (rs.status >= 500 && rs.status != 503) {
		fprintf(stderr, "fuzz_api: %s %s answered %d: %.*s\n", rq.method, rq.path, rs.status,
		        (int)(rs.len < 500 ? rs.len : 500), rs.body ? rs.body : "");
		abort();
	}
	free(rs.body);
	if (rs.has_fd)
		close(rs.fd);
out:
	free(in);
	return 0;
}
