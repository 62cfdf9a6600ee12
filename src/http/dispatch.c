/* One request end to end: route, authenticate, check CSRF and role, parse JSON, run the handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http/assets.h"
#include "http/authcache.h"
#include "http/http.h"
#include "store/store.h"
#include "store/workspace.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/time.h"
#include "util/tok.h"
#include "util/utf8.h"

/* Refresh last-seen stamps at most this often, so reads stay reads. */
#define TOUCH_EVERY 60

static bool unsafe(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

/* Fills rq's user from a resolved credential. */
static void set_user(struct req *rq, const struct store_auth *a)
{
	rq->user.who.user_id = a->user_id;
	rq->user.who.role = auth_role_parse(a->role);
	snprintf(rq->user.name, sizeof(rq->user.name), "%s", a->name);
	snprintf(rq->user.email, sizeof(rq->user.email), "%s", a->email);
}

static int auth_bearer(const struct http_app *app, struct req *rq, const char *tok, int64_t version)
{
	struct store_auth a;
	char hash[TOK_HASH_LEN];
	int64_t now = time_now();
	int rc;

	tok_hash(tok, hash);
	if (!http_auth_cache_get(app->auth, hash, false, version, &a)) {
		rc = store_token_lookup(rq->db, hash, &a);
		if (rc != KAM_OK)
			return rc == KAM_ENOTFOUND ? KAM_EAUTH : rc;
		http_auth_cache_put(app->auth, hash, false, version, &a);
	}
	if (!a.active || (a.expires_at && now >= a.expires_at))
		return KAM_EAUTH;
	if (now - a.last_seen_at >= TOUCH_EVERY &&
	    store_token_touch(rq->db, a.token_id, now) == KAM_OK)
		http_auth_cache_seen(app->auth, hash, false, now);
	set_user(rq, &a);
	rq->user.token_id = a.token_id;
	return KAM_OK;
}

static int auth_cookie(const struct http_app *app, struct req *rq, const char *tok, int64_t version)
{
	struct store_auth a;
	int64_t now = time_now();
	int rc;

	tok_hash(tok, rq->user.session_hash);
	/* a remembered session that looks idle may have been used on another node since: only
	 * the database says it has ended */
	if (!http_auth_cache_get(app->auth, rq->user.session_hash, true, version, &a) ||
	    !auth_session_live(a.created_at, a.last_seen_at, now)) {
		rc = store_session_lookup(rq->db, rq->user.session_hash, &a);
		if (rc != KAM_OK)
			return rc == KAM_ENOTFOUND ? KAM_EAUTH : rc;
		if (!a.active || !auth_session_live(a.created_at, a.last_seen_at, now)) {
			store_session_delete(rq->db, rq->user.session_hash);
			return KAM_EAUTH;
		}
		http_auth_cache_put(app->auth, rq->user.session_hash, true, version, &a);
	}
	if (!a.active)
		return KAM_EAUTH;
	if (now - a.last_seen_at >= TOUCH_EVERY &&
	    store_session_touch(rq->db, rq->user.session_hash, now) == KAM_OK)
		http_auth_cache_seen(app->auth, rq->user.session_hash, true, now);
	set_user(rq, &a);
	rq->user.via_cookie = true;
	snprintf(rq->user.csrf, sizeof(rq->user.csrf), "%s", a.csrf);
	return KAM_OK;
}

/* Reads the versions (one statement) and, for a GET or HEAD, puts the settings in force in
 * the actor, parsed once per settings and data version. Without an auth cache nothing is
 * read here: each credential and each handler's settings come from the database. */
static int read_versions(const struct http_app *app, struct req *rq, int64_t *auth_version)
{
	struct store_versions have, v;
	struct settings s;
	char *doc = NULL;
	int rc;

	*auth_version = -1;
	if (app->auth == NULL)
		return KAM_OK;
	http_auth_cache_have(app->auth, &have);
	if ((rc = store_versions_read(rq->db, rq->vwait, &have, &v, &doc)) != KAM_OK)
		return rc;
	*auth_version = v.auth;
	rq->has_versions = true;
	rq->data_version = v.data;
	rq->derived_version = v.derived;
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
		free(doc); /* a write may change the settings: its handler reads them itself */
		return KAM_OK;
	}
	if (!http_auth_cache_settings(app->auth, &v, &s)) {
		struct kam_errinfo ei = {0};
		json_t *j = NULL;

		if (v.settings == have.settings && v.data == have.data) {
			/* another thread replaced the cached settings meanwhile: the handler reads
			 */
			free(doc);
			return KAM_OK;
		}
		settings_defaults(&s);
		if (doc && ((j = json_loads(doc, 0, NULL)) == NULL ||
		            settings_apply(&s, j, &ei) != KAM_OK))
			log_msg("warn", "stored settings are invalid (%s); using defaults",
			        ei.detail);
		err_clear(&ei);
		json_decref(j);
		http_auth_cache_put_settings(app->auth, &v, &s);
	}
	free(doc);
	rq->settings = s;
	rq->user.who.settings = &rq->settings;
	rq->user.who.today = http_auth_cache_today(app->auth, &v, &rq->settings, rq->user.who.now);
	rq->user.who.has_today = true;
	return KAM_OK;
}

/* A client member's workspace session: the kam_workspace cookie only (never a bearer token
 * or a staff session), of a member not removed, within its lifetime. */
static int auth_client(struct req *rq)
{
	struct store_client a;
	int64_t now = time_now();
	const char *tok = rq->workspace_cookie;
	int rc;

	if (tok == NULL || tok[0] == '\0' || strlen(tok) >= 512)
		return KAM_EAUTH;
	tok_hash(tok, rq->user.session_hash);
	rc = store_wssession_lookup(rq->db, rq->user.session_hash, &a);
	if (rc != KAM_OK)
		return rc == KAM_ENOTFOUND ? KAM_EAUTH : rc;
	if (!auth_client_session_live(a.created_at, a.last_seen_at, now)) {
		store_wssession_delete(rq->db, rq->user.session_hash);
		return KAM_EAUTH;
	}
	if (now - a.last_seen_at >= TOUCH_EVERY)
		store_wssession_touch(rq->db, rq->user.session_hash, a.member_id, now);
	rq->user.who.user_id = 0;
	rq->user.who.role = ROLE_CLIENT;
	rq->user.who.member_id = a.member_id;
	rq->user.who.member_account = a.account_id;
	rq->user.via_cookie = true;
	snprintf(rq->user.csrf, sizeof(rq->user.csrf), "%s", a.csrf);
	snprintf(rq->user.name, sizeof(rq->user.name), "%s", a.name);
	snprintf(rq->user.account_name, sizeof(rq->user.account_name), "%s", a.account_name);
	return KAM_OK;
}

/* Bearer token first (an explicit credential), then the session cookie. */
static int authenticate(const struct http_app *app, struct req *rq)
{
	const char *a = rq->authorization;
	bool bearer = a != NULL, cookie = false;
	int64_t version;
	int rc;

	if (bearer && (strncasecmp(a, "Bearer ", 7) != 0 || strlen(a + 7) == 0 || strlen(a) > 512))
		return KAM_EAUTH;
	if (!bearer)
		cookie =
		    rq->session_cookie && rq->session_cookie[0] && strlen(rq->session_cookie) < 512;
	if (!bearer && !cookie)
		return KAM_EAUTH;
	if ((rc = read_versions(app, rq, &version)) != KAM_OK)
		return rc;
	if (bearer)
		return auth_bearer(app, rq, a + 7, version);
	return auth_cookie(app, rq, rq->session_cookie, version);
}

bool http_versions_shared(const struct http_app *app, int route, const char *authorization,
                          const char *session_cookie)
{
	unsigned flags;

	if (app->auth == NULL || route < 0 || (size_t)route >= app->nroutes)
		return false;
	flags = app->routes[route].flags;
	if (flags & (ROUTE_PUBLIC | ROUTE_CLIENT | ROUTE_NODB))
		return false;
	return authorization != NULL || (session_cookie && session_cookie[0]);
}

static bool is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static int parse_body(struct req *rq, struct resp *rs)
{
	json_error_t jerr;
	bool oom;

	if (rq->body_len == 0)
		return KAM_OK;
	if (!is_json_type(rq->content_type)) {
		http_problem(rs, 415, "the request body must be application/json", NULL);
		return KAM_EINVAL;
	}
	rq->json = buf_json_load(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr, &oom);
	if (oom) {
		http_reply_err(rs, KAM_ENOMEM, NULL);
		return KAM_ENOMEM;
	}
	if (rq->json == NULL) {
		char detail[300];

		snprintf(detail, sizeof(detail), "malformed JSON at line %d, column %d: %s",
		         jerr.line, jerr.column, jerr.text);
		http_problem(rs, 400, detail, NULL);
		return KAM_EINVAL;
	}
	return KAM_OK;
}

int http_route_index(const struct http_app *app, const char *method, const char *path)
{
	char pathbuf[1024], allow[8];
	const struct http_route *rt;
	struct req probe;
	bool known;

	if (strlen(path) >= sizeof(pathbuf))
		return HTTP_ROUTE_NONE;
	snprintf(pathbuf, sizeof(pathbuf), "%s", path);
	memset(&probe, 0, sizeof(probe));
	rt = http_route_find(app->routes, app->nroutes, method, pathbuf, &probe, &known, allow,
	                     sizeof(allow));
	return rt ? (int)(rt - app->routes) : HTTP_ROUTE_NONE;
}

size_t http_body_limit(const struct http_app *app, int route)
{
	return route >= 0 && (app->routes[route].flags & ROUTE_RAW_BODY) ? HTTP_RAW_BODY_MAX
	                                                                 : HTTP_BODY_MAX;
}

/* Query values reach SQL (PostgreSQL refuses a byte sequence that is not UTF-8, with an
 * error the handler could only call a 500), logs and replies: a 400 names the first one
 * that is not UTF-8. */
static int query_utf8(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};

	for (size_t i = 0; i < rq->nquery; i++) {
		bool key = utf8_valid(rq->query[i].key);

		if (key && utf8_valid(rq->query[i].value))
			continue;
		err_field(&ei, key ? rq->query[i].key : "query", "is not valid UTF-8");
		http_reply_err(rs, KAM_EINVAL, &ei);
		err_clear(&ei);
		return KAM_EINVAL;
	}
	return KAM_OK;
}

/* A parameter given twice is refused with a 400 naming it, before routing: a route whose
 * record the caller cannot see, a path nobody serves and a caller not signed in answer the
 * same. Every argument is compared (rq->args), not only the HTTP_MAX_QUERY a handler reads. */
static int query_once(const struct req *rq, struct resp *rs)
{
	const char *again = rq->args ? http_query_repeat(rq->args, rq->nargs, http_multi_params)
	                             : http_query_repeat(rq->query, rq->nquery, http_multi_params);
	struct kam_errinfo ei = {0};

	if (again == NULL)
		return KAM_OK;
	if (utf8_valid(again))
		err_field(&ei, again, "is given twice");
	else /* a name a problem document cannot carry */
		err_field(&ei, "query", "repeats a parameter whose name is not valid UTF-8");
	/* out of memory for the list: a 500 (ei.lost), not a 400 that leaves out which one */
	http_reply_err(rs, KAM_EINVAL, &ei);
	err_clear(&ei);
	return KAM_EINVAL;
}

void http_dispatch(const struct http_app *app, struct req *rq, struct resp *rs)
{
	char pathbuf[1024], allow[128];
	const struct http_route *rt;
	bool known;
	int rc;

	if (query_once(rq, rs) != KAM_OK)
		return;
	if (strlen(rq->path) >= sizeof(pathbuf)) {
		http_problem(rs, 404, "no such resource", NULL);
		return;
	}
	if (http_assets_serve(app->assets, rq, rs)) {
		rs->asset = true;
		return;
	}
	/* the server found the route when the request began: only its parameters are left */
	rt = NULL;
	snprintf(pathbuf, sizeof(pathbuf), "%s", rq->path);
	if (rq->has_route && rq->route >= 0 && (size_t)rq->route < app->nroutes &&
	    http_route_serves(&app->routes[rq->route], rq->method) &&
	    http_route_match(&app->routes[rq->route], pathbuf, rq))
		rt = &app->routes[rq->route];
	if (rt == NULL) {
		snprintf(pathbuf, sizeof(pathbuf), "%s", rq->path); /* the match split it */
		rt = http_route_find(app->routes, app->nroutes, rq->method, pathbuf, rq, &known,
		                     allow, sizeof(allow));
	}
	if (rt == NULL) {
		if (known) {
			http_header(rs, "Allow", allow);
			http_problem(rs, 405, "this resource does not support that method", NULL);
		} else {
			http_problem(rs, 404, "no such resource", NULL);
		}
		return;
	}
	if (query_utf8(rq, rs) != KAM_OK)
		return;
	rq->user.who.now = clock_now(&app->clock);
	if (!(rt->flags & ROUTE_NODB)) {
		rq->store = app->store;
		store_acquire(app->store, &rq->db);
	}
	if (!(rt->flags & ROUTE_PUBLIC)) {
		bool client = rt->flags & ROUTE_CLIENT;

		rc = client ? auth_client(rq) : authenticate(app, rq);
		store_note_error(app->store, rc);
		if (rc == KAM_EAUTH && !client && rq->workspace_cookie && rq->workspace_cookie[0]) {
			/* for a client member, a staff route does not exist: the same answer as a
			 * path nobody serves, whether their session is live or not */
			http_problem(rs, 404, "no such resource", NULL);
			goto out;
		}
		if (rc != KAM_OK) {
			if (rc == KAM_EAUTH)
				http_problem(rs, 401,
				             client ? "sign in through your workspace link"
				                    : "log in or send a valid bearer token",
				             NULL);
			else
				http_reply_err(rs, rc, NULL);
			goto out;
		}
		rq->authed = true;
		rs->user_id = rq->user.who.user_id;
		if (rq->user.via_cookie && unsafe(rq->method) &&
		    (rq->csrf_header == NULL || !tok_equal(rq->csrf_header, rq->user.csrf))) {
			http_problem(rs, 403, "missing or wrong X-CSRF-Token header", NULL);
			goto out;
		}
		if (rt->roles && !(rt->roles & R(rq->user.who.role))) {
			http_problem(rs, 403, "your role may not do this", NULL);
			goto out;
		}
	}
	if (!(rt->flags & ROUTE_RAW_BODY) && parse_body(rq, rs) != KAM_OK)
		goto out;
	rq->route_arg = rt->arg;
	rq->app_data = app->data;
	rc = rt->fn(rq, rs);
	store_note_error(app->store, rc);
	if (rs->status == 0) {
		/* a handler that returns an error without replying gets the generic problem */
		http_reply_err(rs, rc == KAM_OK ? KAM_EDB : rc, NULL);
	}
	if (rs->status >= 500) {
		char shown[256];

		http_log_path(rq->path, shown, sizeof(shown));
		log_msg("error", "%s %s failed with %d: %s", rq->method, shown, rc,
		        rq->db ? store_last_error(rq->db) : "");
	}
out:
	if (rq->db) {
		store_release(app->store, rq->db);
		rq->db = NULL;
	}
	json_decref(rq->json);
	rq->json = NULL;
}
