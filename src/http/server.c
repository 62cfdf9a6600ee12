/*
 * The libmicrohttpd glue, and the only file that includes microhttpd.h: a thread pool with
 * epoll, a connection timeout and limit, bodies gathered across callbacks up to 1 MiB,
 * security headers on every reply, a JSON access log line per request, and a graceful stop.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "http/http.h"
#include "util/log.h"
#include "util/time.h"

struct http_server {
	struct MHD_Daemon *d;
	const struct http_app *app;
	atomic_int inflight;
	int port;
};

/* Per-request state kept by MHD between callbacks. */
struct conn {
	char *body;
	size_t len, cap, limit;
	bool too_large;
	double t0;
	int status;
	size_t bytes;
	int64_t user_id;
	char method[16];
	char path[256];
};

static const char *const csp = "default-src 'self'; script-src 'self'; style-src 'self'; "
			       "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
			       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct req *rq = cls;

	(void)kind;
	if (rq->nquery < HTTP_MAX_QUERY && key) {
		rq->query[rq->nquery].key = key;
		rq->query[rq->nquery].value = value ? value : "";
		rq->nquery++;
	}
	return MHD_YES;
}

static void client_addr(struct MHD_Connection *mc, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)len);
}

static enum MHD_Result send_resp(struct MHD_Connection *mc, struct conn *c, struct resp *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *ct = rs->content_type;
	bool own_csp = false;

	r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(rs->body);
		return MHD_NO;
	}
	rs->body = NULL;
	if (ct)
		MHD_add_response_header(r, "Content-Type", ct);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* a handler may set its own policy (the plan document allows inline style, no script) */
	for (int i = 0; i < rs->nheaders && !own_csp; i++)
		own_csp = !strcasecmp(rs->headers[i].name, "Content-Security-Policy");
	if (!own_csp)
		MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	for (int i = 0; i < rs->nheaders; i++)
		MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
	if (!strncmp(c->path, "/api/", 5) || rs->status >= 400)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	c->status = rs->status;
	c->bytes = rs->len;
	c->user_id = rs->user_id;
	ret = MHD_queue_response(mc, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_now(struct MHD_Connection *mc, struct conn *c, int status,
				 const char *detail)
{
	struct resp rs;

	memset(&rs, 0, sizeof(rs));
	http_problem(&rs, status, detail, NULL);
	return send_resp(mc, c, &rs);
}

static const char *too_large_msg(size_t limit)
{
	return limit > HTTP_BODY_MAX ? "the request body is larger than 64 MiB; split the file"
				     : "the request body is larger than 1 MiB";
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *s = cls;
	struct conn *c = *con_cls;
	struct req rq;
	struct resp rs;
	enum MHD_Result ret;

	(void)version;
	if (c == NULL) {
		const char *cl;

		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return MHD_NO;
		c->t0 = time_mono_ms();
		snprintf(c->method, sizeof(c->method), "%s", method);
		/* share link and calendar feed tokens are capabilities: they never go into the log */
		if (!strncmp(url, "/api/v1/shared/", 15))
			snprintf(c->path, sizeof(c->path), "/api/v1/shared/…");
		else if (!strncmp(url, "/api/v1/calendar/", 17))
			snprintf(c->path, sizeof(c->path), "/api/v1/calendar/….ics");
		else
			snprintf(c->path, sizeof(c->path), "%s", url);
		*con_cls = c;
		atomic_fetch_add(&s->inflight, 1);
		c->limit = http_body_limit(s->app, method, url);
		cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
		/* a body somewhat over the limit is read and dropped, so the client gets to read
		 * the 413; a far larger one is refused at once and the connection closed */
		if (cl && strtoull(cl, NULL, 10) > 4 * (unsigned long long)c->limit)
			return reply_now(mc, c, 413, too_large_msg(c->limit));
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		if (!c->too_large && c->len + n > c->limit) {
			c->too_large = true;
			free(c->body);
			c->body = NULL;
			c->len = c->cap = 0;
		}
		if (!c->too_large) {
			/* one byte more than the body: handlers get it NUL-terminated */
			if (c->len + n + 1 > c->cap) {
				size_t cap = c->cap ? c->cap : 4096;
				char *nb;

				while (cap < c->len + n + 1)
					cap *= 2;
				nb = realloc(c->body, cap);
				if (nb == NULL)
					return MHD_NO;
				c->body = nb;
				c->cap = cap;
			}
			memcpy(c->body + c->len, upload_data, n);
			c->len += n;
			c->body[c->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (c->too_large)
		return reply_now(mc, c, 413, too_large_msg(c->limit));

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = method;
	rq.path = url;
	rq.body = c->body ? c->body : "";
	rq.body_len = c->len;
	MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND, collect_query, &rq);
	rq.session_cookie = MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, "kam_session");
	rq.authorization = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Authorization");
	rq.csrf_header = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-CSRF-Token");
	rq.if_match = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "If-Match");
	rq.content_type = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Type");
	rq.forwarded_proto = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Forwarded-Proto");
	rq.host = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Host");
	rq.accept_encoding = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Accept-Encoding");
	rq.if_none_match = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "If-None-Match");
	client_addr(mc, rq.remote_addr, sizeof(rq.remote_addr));
	http_dispatch(s->app, &rq, &rs);
	ret = send_resp(mc, c, &rs);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct conn *c = *con_cls;

	(void)mc;
	if (c == NULL)
		return;
	log_json(json_pack("{s:s,s:s,s:s,s:i,s:I,s:f,s:o,s:b}", "level", "info", "method",
			   c->method, "path", c->path, "status", c->status, "bytes",
			   (json_int_t)c->bytes, "ms", time_mono_ms() - c->t0, "user",
			   c->user_id ? json_integer(c->user_id) : json_null(), "completed",
			   toe == MHD_REQUEST_TERMINATED_COMPLETED_OK));
	free(c->body);
	free(c);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl,
			char *err, size_t errlen)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		goto bad;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port < 0 || port > 65535)
		goto bad;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			goto bad;
		*sl = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		if (strcmp(host, "localhost") == 0)
			snprintf(host, sizeof(host), "127.0.0.1");
		if (host[0] == '\0')
			snprintf(host, sizeof(host), "0.0.0.0");
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			goto bad;
		*sl = sizeof(*a4);
	}
	return 0;
bad:
	snprintf(err, errlen, "bad listen address \"%s\" (want HOST:PORT)", listen);
	return -1;
}

int http_server_start(const struct http_app *app, const char *listen, int nthreads,
		      struct http_server **out, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct http_server *s;
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;

	if (parse_listen(listen, &ss, &sl, err, errlen) != 0)
		return KAM_EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return KAM_ENOMEM;
	s->app = app;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned)nthreads,
				MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT,
				1024u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (s->d == NULL) {
		snprintf(err, errlen, "cannot listen on %s (in use, or not an address of this host)",
			 listen);
		free(s);
		return KAM_EINVAL;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	*out = s;
	return KAM_OK;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s, int timeout_ms)
{
	double t0 = time_mono_ms();

	if (s == NULL)
		return;
	MHD_quiesce_daemon(s->d);
	while (atomic_load(&s->inflight) > 0 && time_mono_ms() - t0 < timeout_ms) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(s->d);
	free(s);
}
