#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api/api.h"
#include "api/cache.h"
#include "api/rollups.h"
#include "app/importq.h"
#include "cli/cli.h"
#include "fuzz_db.h"
#include "util/err.h"
#include "util/time.h"
#include "util/tok.h"

static char dir[] = "/tmp/kam-fuzz-XXXXXX";

/* libFuzzer starts a process per job and per merge: each leaves no database behind */
static void remove_dir(void)
{
	static const char *const files[] = {"kam.db", "kam.db-wal", "kam.db-shm"};
	char path[64];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

struct store *fuzz_demo_store(void)
{
	char url[64], err[256];
	struct store *st = NULL;

	if (mkdtemp(dir) == NULL)
		abort();
	atexit(remove_dir);
	snprintf(url, sizeof(url), "%s/kam.db", dir);
	if (store_open(url, 2, &st, err, sizeof(err)) != KAM_OK) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	if (freopen("/dev/null", "w", stdout) == NULL || cli_demo(st, 1) != KAM_OK)
		abort();
	return st;
}

int64_t fuzz_user(struct store *st, const char *email)
{
	struct store_conn *c = NULL;
	struct store_auth a;
	char *hash = NULL;

	store_acquire(st, &c);
	if (store_user_by_email(c, email, &a, &hash) != KAM_OK || !a.active)
		abort();
	free(hash);
	store_release(st, c);
	return a.user_id;
}

/* --- a server (fuzz_api, fuzz_query) --- */

static struct http_app app;
static struct api_server server;
static char auth[2][100]; /* "Bearer …" of Anna and of the admin */

static void make_token(const char *email, char *out, size_t len)
{
	struct store_conn *c = NULL;
	char tok[80], h[TOK_HASH_LEN];
	int64_t id, user = fuzz_user(app.store, email);

	tok_random("kam_", 32, tok, sizeof(tok));
	tok_hash(tok, h);
	store_acquire(app.store, &c);
	if (store_token_create(c, user, "fuzz", h, time_now(), 0, &id) != KAM_OK)
		abort();
	store_release(app.store, c);
	snprintf(out, len, "Bearer %s", tok);
}

void fuzz_server_init(void)
{
	static struct kam_clock clock;

	app.store = fuzz_demo_store();
	make_token("anna@example.com", auth[FUZZ_ANNA], sizeof(auth[0]));
	make_token("admin@example.com", auth[FUZZ_ADMIN], sizeof(auth[0]));
	server.openapi = api_openapi_json(&server.openapi_len);
	server.cache = api_cache_new(8, 0, "answer");
	server.records = api_cache_new(8, 64 * 1024, "record");
	server.rollups = api_rollups_new();
	server.imports = app_importq_new(app.store, &clock);
	if (server.openapi == NULL || server.cache == NULL || server.records == NULL ||
	    server.rollups == NULL || server.imports == NULL)
		abort();
	app.routes = api_routes;
	app.nroutes = api_nroutes;
	app.data = &server;
}

/* The first query parameter rq names twice (the empty name is none), or NULL. */
static const char *repeated(const struct req *rq)
{
	for (size_t i = 0; i < rq->nquery; i++)
		for (size_t j = i + 1; j < rq->nquery; j++)
			if (rq->query[i].key[0] && strcmp(rq->query[i].key, rq->query[j].key) == 0)
				return rq->query[i].key;
	return NULL;
}

void fuzz_server_send(const char *harness, struct req *rq, enum fuzz_who who)
{
	struct resp rs = {0};
	const char *again = repeated(rq);

	rq->authorization = auth[who];
	snprintf(rq->remote_addr, sizeof(rq->remote_addr), "127.0.0.1");
	http_dispatch(&app, rq, &rs);
	if (rs.status >= 500 && rs.status != 503) {
		fprintf(stderr, "%s: %s %s answered %d: %.*s\n", harness, rq->method, rq->path,
		        rs.status, (int)(rs.len < 500 ? rs.len : 500), rs.body ? rs.body : "");
		abort();
	}
	/* kam serve refuses a parameter given twice whatever the route, caller or body */
	if (again && rs.status != 400) {
		fprintf(stderr, "%s: %s %s names %s twice and answered %d: %.*s\n", harness,
		        rq->method, rq->path, again, rs.status, (int)(rs.len < 500 ? rs.len : 500),
		        rs.body ? rs.body : "");
		abort();
	}
	free(rs.body);
	if (rs.has_fd)
		close(rs.fd);
}

/* --- a dry-run import (fuzz_import, fuzz_mapping) --- */

static struct store *import_store;
static struct actor admin = {.role = ROLE_ADMIN};

void fuzz_import_init(void)
{
	import_store = fuzz_demo_store();
	admin.user_id = fuzz_user(import_store, "admin@example.com");
}

void fuzz_import_dry_run(struct app_import_opts *o, const char *csv, size_t len)
{
	struct kam_errinfo ei = {0};
	struct store_conn *c = NULL;
	json_t *result = NULL;

	o->dry_run = true;
	admin.now = 1772323200; /* 2026-03-01 */
	store_acquire(import_store, &c);
	app_import_run(c, &admin, o, csv, len, &result, &ei);
	store_release(import_store, c);
	json_decref(result);
	err_clear(&ei);
}
