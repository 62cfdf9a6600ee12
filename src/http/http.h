/*
 * What handlers see of HTTP: a parsed request and a reply to fill. Only server.c knows
 * libmicrohttpd; everything here is plain C and jansson.
 */
#ifndef KAM_HTTP_HTTP_H
#define KAM_HTTP_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "kam/auth.h"
#include "kam/settings.h"
#include "util/err.h"
#include "util/time.h"

#define HTTP_BODY_MAX (1024 * 1024)
#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_QUERY 32
/* more query arguments than this are refused (414) before they are parsed */
#define HTTP_MAX_QUERY_ARGS 256
#define HTTP_MAX_HEADERS 8

struct store;
struct store_conn;
struct http_assets;
struct http_metrics;
struct http_auth_cache;
struct buf;

struct http_kv {
	const char *key;
	const char *value;
};

/* Who is calling, once authenticated. */
struct http_user {
	struct actor who; /* the signed-in user and their role */
	char name[256];
	char email[256];
	bool via_cookie;
	char csrf[64];
	char session_hash[65];  /* cookie sessions (a client member's on ROUTE_CLIENT routes) */
	char account_name[256]; /* ROLE_CLIENT: their account's name */
	int64_t token_id;      /* bearer tokens */
};

struct req {
	const char *method;
	const char *path;
	struct http_kv query[HTTP_MAX_QUERY];
	size_t nquery;
	/* every query argument as received, which http_dispatch checks for a repeat: the
	 * server's list (up to HTTP_MAX_QUERY_ARGS + 1) goes past the HTTP_MAX_QUERY of query[];
	 * NULL: query[] holds them all */
	const struct http_kv *args;
	size_t nargs;
	const char *params[HTTP_MAX_PARAMS]; /* path parameters (":id"), in order */
	size_t nparams;
	const char *session_cookie;
	const char *workspace_cookie; /* a client member's session (kam_workspace) */
	const char *authorization;
	const char *csrf_header;
	const char *if_match;
	const char *content_type;
	const char *forwarded_proto;
	const char *host; /* the Host header, for absolute links (calendar feeds) */
	const char *accept_encoding;
	const char *if_none_match;
	char remote_addr[64];
	const char *body; /* body_len bytes, always followed by a NUL (not part of the body) */
	size_t body_len;
	json_t *json; /* the parsed body, or NULL */
	struct http_user user;
	bool authed;
	struct store *store;
	struct store_conn *db; /* a connection for the handler, already acquired */
	const void *route_arg; /* the route's arg: lets one handler serve many resources */
	void *app_data;        /* struct http_app.data */
	/* read once per authenticated request when the server keeps an auth cache: the data
	 * version (what answer caches key on) and, for GET and HEAD, the settings in force,
	 * which user.who.settings then points at */
	/* its place in the versions read shared between requests, when the server queued it
	 * (http_versions_shared); NULL: it reads or waits on its own */
	struct share_waiter *vwait;
	bool has_versions;
	int64_t data_version;
	int64_t derived_version;
	/* the route the server already found for this method and path (has_route), so dispatch
	 * does not search the table again */
	bool has_route;
	int route;
	struct settings settings;
};

struct resp {
	int status;
	char *body; /* malloc'd, handed to the server */
	size_t len;
	int fd;      /* with has_fd: the body is len bytes of this file instead, sent from disk */
	bool has_fd; /* and closed by the server (http_reply_file) */
	const char *content_type;
	struct {
		char name[32];
		char value[512];
	} headers[HTTP_MAX_HEADERS];
	int nheaders;
	int64_t user_id; /* for the access log */
	bool asset;      /* served from the embedded web app (counted as route "static") */
};

typedef int (*http_handler)(struct req *rq, struct resp *rs);

#define ROUTE_PUBLIC 0x01u /* no authentication */
#define ROUTE_NODB 0x02u   /* needs no database connection */
#define ROUTE_RAW_BODY 0x04u /* bulk upload: body handed over as is (any type), up to 64 MiB */
#define ROUTE_IF_MATCH 0x08u /* honours If-Match: 412 when the record changed since it was read */
/* the client workspace: only a client member's session (kam_workspace) reaches it, and that
 * session reaches nothing else (issue 19) */
#define ROUTE_CLIENT 0x10u

#define HTTP_RAW_BODY_MAX (64u * 1024 * 1024)

/* Bits of enum role allowed to call a route; 0 means every authenticated role. */
#define R(role) (1u << (role))
#define R_ADMIN R(ROLE_ADMIN)
#define R_STAFF (R(ROLE_ADMIN) | R(ROLE_DIRECTOR))
#define R_WRITERS (R(ROLE_ADMIN) | R(ROLE_DIRECTOR) | R(ROLE_KAM) | R(ROLE_MEMBER))

struct http_route {
	const char *method;
	const char *pattern; /* "/api/v1/accounts/:id" */
	http_handler fn;
	unsigned flags;
	unsigned roles;
	const void *arg; /* handed to the handler as rq->route_arg */
	/*
	 * What the route does, for its OpenAPI description (src/api/openapi.c). request names
	 * the body's schema ("AccountInput", "AccountPatch", "TeamRole") or is NULL for none.
	 * response is "[STATUS ]SCHEMA": a schema ("Account"), a page of them ("Account[]"), any
	 * JSON "object", or a media type ("text/html", "text/calendar", "application/pdf");
	 * NULL is 204 No Content. STATUS, when given, replaces the usual 200 (201 for a create).
	 */
	const char *summary;
	const char *request;
	const char *response;
};

/* --- replies (resp.c) --- */

/* Replies with obj as JSON (steals the reference). */
int http_reply_json(struct resp *rs, int status, json_t *obj);
/* obj as the JSON text a reply sends (allocated: the caller frees it), or NULL. */
char *http_json_text(const json_t *obj);
/* Replies with a copy of JSON text made by http_json_text. */
int http_reply_json_text(struct resp *rs, int status, const char *text, size_t len);
/* Replies with an RFC 9457 problem document; errors (stolen) may be NULL. */
int http_problem(struct resp *rs, int status, const char *detail, json_t *errors);
/* Replies with the problem matching a kam_err; takes ei's errors. */
int http_reply_err(struct resp *rs, int err, struct kam_errinfo *ei);
/* Replies 204 No Content. */
int http_reply_empty(struct resp *rs, int status);
/* Replies with a copy of bytes of the given content type. */
int http_reply_bytes(struct resp *rs, int status, const char *ctype, const void *data, size_t len);
/* Replies with len bytes of the open file fd (taken: the server sends it from disk, then
 * closes it), so a large body never sits in memory. */
int http_reply_file(struct resp *rs, int status, const char *ctype, int fd, size_t len);
/* Closes a reply's file, if it has one (a reply replaced, or one never sent). */
void http_resp_drop_file(struct resp *rs);
/* Adds a reply header (values longer than 511 bytes are cut). */
void http_header(struct resp *rs, const char *name, const char *value);
/* Title of a status code ("Not Found"). */
const char *http_status_title(int status);
/* The HTTP status for a kam_err. */
int http_status_of(int err);

/* --- requests (req.c) --- */

/* The value of a query parameter, or NULL. A parameter is given at most once: http_dispatch
 * refuses a request that repeats one (http_query_repeat) before any handler runs. */
const char *http_query(const struct req *rq, const char *key);
/* The query parameters a route may take more than once (NULL-terminated). None today: every
 * parameter kam reads names one value ("tag" is one tag), so a repeat would leave the handler
 * to answer for one of the values, unseen by the client. */
extern const char *const http_multi_params[];
/* The first parameter of kv[0..n) given again (compared as decoded, "lim%69t" is "limit")
 * that is not in multi (NULL-terminated, or NULL for none), or NULL when none is. The empty
 * name ("a=1&&b=2") is not counted. */
const char *http_query_repeat(const struct http_kv *kv, size_t n, const char *const *multi);
/* The If-Match version ("\"3\"" -> 3); -1 when absent or "*", -2 when unparsable. */
int64_t http_if_match(const struct req *rq);
/* Sets ETag from a record version. */
void http_etag(struct resp *rs, int64_t version);
/* path as it may be logged: the secret of a capability URL (share link, calendar feed)
 * replaced by "…", so no log line ever holds one. */
void http_log_path(const char *path, char *buf, size_t len);

/* --- routing (router.c) --- */

/*
 * Finds the route for method and path, filling rq->params (pointing into pathbuf, which is
 * modified). NULL when nothing matches; *path_known tells whether another method would.
 * allow gets the methods the path supports, for a 405's Allow header.
 */
const struct http_route *http_route_find(const struct http_route *routes, size_t n,
					 const char *method, char *pathbuf, struct req *rq,
					 bool *path_known, char *allow, size_t allowlen);

/* Whether route rt answers method: its own, and HEAD wherever it answers GET. */
bool http_route_serves(const struct http_route *rt, const char *method);
/* Whether route rt matches pathbuf (modified), filling rq->params like http_route_find. */
bool http_route_match(const struct http_route *rt, char *pathbuf, struct req *rq);

/* --- the whole request: auth, CSRF, body, handler (dispatch.c) --- */

/* Connection limits against slow or greedy clients; 0 in a field takes its default. */
struct http_limits {
	unsigned max_connections; /* in all (default 1024) */
	unsigned per_address;     /* from one client address (default 128) */
	unsigned head_timeout_s;  /* to receive a whole request head (default 15 s) */
	unsigned idle_timeout_s;  /* of a connection with no traffic (default 30 s) */
};

#define HTTP_MAX_CONNECTIONS 1024u
#define HTTP_PER_ADDRESS 128u
#define HTTP_HEAD_TIMEOUT_S 15u
#define HTTP_IDLE_TIMEOUT_S 30u
#define HTTP_MAX_PROXIES 16

struct http_app {
	struct store *store;
	struct http_limits limits;
	/* comma-separated addresses of reverse proxies whose X-Forwarded-For is believed */
	const char *trusted_proxies;
	const struct http_route *routes;
	size_t nroutes;
	void *data; /* the application's own server-wide state, handed to handlers */
	struct http_assets *assets; /* the web app, or NULL */
	struct kam_clock clock;     /* each request's "now" (struct actor's now) */
	struct http_metrics *metrics; /* requests counted per route template, or NULL */
	/* resolved credentials and the settings, kept between requests (authcache.h); NULL:
	 * every request looks its credential up */
	struct http_auth_cache *auth;
};

/* The index in app->routes of the route serving method and path, or HTTP_ROUTE_NONE. */
int http_route_index(const struct http_app *app, const char *method, const char *path);
/* The body limit of a request to route (an index from http_route_index): bulk routes
 * take more. */
size_t http_body_limit(const struct http_app *app, int route);
/* Whether a request to route (http_route_index) with these credentials reads the versions
 * (read_versions), so that the server may queue it for a shared read before it runs. */
bool http_versions_shared(const struct http_app *app, int route, const char *authorization,
                          const char *session_cookie);
/* Runs one request through routing, auth and its handler, filling rs. A query parameter
 * given twice (rq->args, or rq->query) is a 400 before anything else: routing, the web
 * app's files, authentication, any read. */
void http_dispatch(const struct http_app *app, struct req *rq, struct resp *rs);

/* --- requests counted for GET /metrics (metrics.c) --- */

#define HTTP_ROUTE_NONE (-1)  /* no route matched (a 404 or 405, a 414) */
#define HTTP_ROUTE_ASSET (-2) /* a file of the web app */

/* A registry of request counts by status class and latency histograms, one per route of
 * the table (its template, never the raw path) plus "unmatched" and "static", and for HEAD
 * a series of its own beside each (method="HEAD"); counters are atomics, so every worker
 * thread records without a lock. Free with http_metrics_free. */
struct http_metrics *http_metrics_new(const struct http_route *routes, size_t nroutes);
void http_metrics_free(struct http_metrics *m);
/* Records one finished request to route (an index, HTTP_ROUTE_NONE or HTTP_ROUTE_ASSET),
 * asked with HEAD when head. */
void http_metrics_observe(struct http_metrics *m, int route, bool head, int status, double ms);
/* Writes the request families in the Prometheus text format; routes not called yet are
 * left out. */
void http_metrics_write(const struct http_metrics *m, struct buf *b);

/* --- the server (server.c) --- */

struct http_server;

/* Starts listening on "host:port" (port 0 picks one) with nthreads workers. */
int http_server_start(const struct http_app *app, const char *listen, int nthreads,
		      struct http_server **out, char *err, size_t errlen);
/* The port actually bound. */
int http_server_port(const struct http_server *s);
/* Stops accepting, waits up to timeout_ms for requests in flight, then stops. */
void http_server_stop(struct http_server *s, int timeout_ms);

#endif
