/* What the fuzz harnesses share: a temporary SQLite database with the demo data, the server
 * around it for the harnesses that send requests (fuzz_api, fuzz_query), and the dry-run
 * import as the admin for those that import (fuzz_import, fuzz_mapping). */
#ifndef KAM_FUZZ_DB_H
#define KAM_FUZZ_DB_H
#include <stdint.h>
#include "app/import.h"
#include "http/http.h"
#include "store/store.h"

/* Opens a new SQLite database in a temporary directory and fills it with the demo data
 * (its printed logins go nowhere); aborts when it cannot, as a harness has nothing to run. */
struct store *fuzz_demo_store(void);
/* The id of the active demo user with that e-mail; aborts when there is none. */
int64_t fuzz_user(struct store *st, const char *email);

/* Who sends a request: Anna (a KAM) or the admin. */
enum fuzz_who { FUZZ_ANNA, FUZZ_ADMIN };

/* Sets up, once, kam's routes over the demo database as kam serve holds them (the OpenAPI
 * document, the answer cache, the rollups, an import queue) and a bearer token for Anna and
 * for the admin. */
void fuzz_server_init(void);
/* Sends rq (method, path, query, body and content type filled) through http_dispatch as
 * who, from 127.0.0.1. A 5xx other than 503 is a defect: it is printed under the harness's
 * name and abort()s, so libFuzzer keeps the input. */
void fuzz_server_send(const char *harness, struct req *rq, enum fuzz_who who);

/* Sets up, once, the demo database and its admin for fuzz_import_dry_run. */
void fuzz_import_init(void);
/* Runs o (kind, mapping, custom mapping, date format; made a dry run here) over the file
 * csv[len] as the admin on 2026-03-01; what it answers is dropped: the sanitizers judge. */
void fuzz_import_dry_run(struct app_import_opts *o, const char *csv, size_t len);

#endif
