/*
 * The libmicrohttpd glue, and the only file that includes microhttpd.h: a thread pool with
 * epoll, a connection timeout and limit, bodies gathered across callbacks up to 1 MiB,
 * security headers on every reply, a JSON access log line per request, and a graceful stop.
 *
 * Slow clients: MHD's idle timeout restarts with every byte, so a client trickling one
 * header line every few seconds holds its connection for ever. Each TCP connection is
 * therefore tracked from MHD's connection notifications with the time its current request
 * head started; a watchdog thread shuts down the socket of any connection whose head is
 * not complete after the head timeout, and MHD then closes it. A per-address limit keeps
 * one address from taking every connection.
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
#include <pthread.h>
#include <microhttpd.h>
#include "http/http.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/time.h"

/* One TCP connection, from MHD's connection notifications (its socket context). */
struct sock {
	struct sock *prev, *next;
	int fd;
	atomic_llong head_t0; /* ms when the current request head began; 0 once it is in */
};

struct http_server {
	struct MHD_Daemon *d;
	const struct http_app *app;
	atomic_int inflight;
	int port;
	unsigned head_timeout_ms;
	pthread_mutex_t mu; /* guards socks and stopping; held while a socket is shut down */
	pthread_cond_t cv;
	struct sock *socks;
	bool stopping, watchdog_on;
	pthread_t watchdog;
	char trusted[HTTP_MAX_PROXIES][INET6_ADDRSTRLEN]; /* canonical text of each address */
	int ntrusted;
};

/* Per-request state kept by MHD between callbacks. */
struct conn {
	/* its place in the shared versions read while it waits, suspended (PostgreSQL) */
	struct share_waiter vw;
	struct MHD_Connection *mc;
	bool vw_asked;   /* it has been through store_versions_wait */
	bool vw_used;    /* it holds a place (vw) to pass to the request */
	struct buf body; /* body.max: the route's limit; body.err: past it (a 413) or no memory */
	double t0;
	int status;
	int route; /* index in the route table, HTTP_ROUTE_NONE or HTTP_ROUTE_ASSET */
	size_t bytes;
	int64_t user_id;
	bool started;        /* on_request has seen this request */
	bool query_overflow; /* more than HTTP_MAX_QUERY_ARGS query arguments: a 414 */
	char method[16];
	char path[256];
};

static const char *const csp = "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/* A query argument whose key or value holds a NUL (%00) once decoded: the rest of it would
 * be cut off unseen ("from=2026-01-01%00junk" read as 2026-01-01), so the request is a 400.
 * A parameter given twice ("limit=5&limit=500000") is http_dispatch's 400: a handler would
 * read one of the values, and answer a question the client did not ask. Every argument is kept
 * for that check (at most HTTP_MAX_QUERY_ARGS, on_uri), not only the HTTP_MAX_QUERY a handler
 * sees. */
struct query_args {
	struct req *rq;
	bool nul;
	size_t n;
	struct http_kv all[HTTP_MAX_QUERY_ARGS + 1];
};

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
	struct query_args *qa = cls;
	struct req *rq = qa->rq;

	(void)kind;
	if ((key && strlen(key) != key_size) || (value && strlen(value) != value_size))
		qa->nul = true;
	if (rq->nquery < HTTP_MAX_QUERY && key) {
		rq->query[rq->nquery].key = key;
		rq->query[rq->nquery].value = value ? value : "";
		rq->nquery++;
	}
	if (qa->n < sizeof(qa->all) / sizeof(qa->all[0]) && key)
		qa->all[qa->n++] = (struct http_kv){key, value ? value : ""};
	return MHD_YES;
}

static void client_addr(struct MHD_Connection *mc, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
		          (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
		          (socklen_t)len);
}

/* The canonical text of an IPv4 or IPv6 address, or false when s is none. */
static bool canon_addr(const char *s, size_t n, char out[INET6_ADDRSTRLEN])
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, bin) == 1)
		return inet_ntop(AF_INET, bin, out, INET6_ADDRSTRLEN) != NULL;
	if (inet_pton(AF_INET6, buf, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN) != NULL;
	return false;
}

static bool trusted(const struct http_server *s, const char *addr)
{
	for (int i = 0; i < s->ntrusted; i++)
		if (strcmp(s->trusted[i], addr) == 0)
			return true;
	return false;
}

/*
 * The client's address: the peer's, unless the peer is a trusted proxy; then the rightmost
 * X-Forwarded-For hop that is not itself a trusted proxy (hops to its left are whatever the
 * client chose to send). A malformed hop ends the walk at the last good one.
 */
static void client_of(const struct http_server *s, struct MHD_Connection *mc, char *buf, size_t len)
{
	const char *xff, *end;
	char hop[INET6_ADDRSTRLEN];

	client_addr(mc, buf, len);
	if (s->ntrusted == 0 || !trusted(s, buf))
		return;
	xff = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Forwarded-For");
	if (xff == NULL)
		return;
	end = xff + strlen(xff);
	while (end > xff) {
		const char *comma = end;

		while (comma > xff && comma[-1] != ',')
			comma--;
		if (!canon_addr(comma, (size_t)(end - comma), hop))
			return;
		snprintf(buf, len, "%s", hop);
		if (!trusted(s, hop))
			return;
		end = comma > xff ? comma - 1 : xff;
	}
}

/* The MHD response for rs, which it takes: its buffer, or its file (an export) that MHD reads
 * from disk as the client takes it and closes when done or when the client goes away. */
static struct MHD_Response *new_response(struct resp *rs)
{
	struct MHD_Response *r;

	if (rs->has_fd) {
		r = MHD_create_response_from_fd((uint64_t)rs->len, rs->fd);
		if (r == NULL)
			close(rs->fd);
		rs->has_fd = false;
		rs->fd = -1;
		return r;
	}
	r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		free(rs->body);
	rs->body = NULL;
	return r;
}

static enum MHD_Result send_resp(struct MHD_Connection *mc, struct conn *c, struct resp *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *ct = rs->content_type;
	bool own_csp = false;

	if ((r = new_response(rs)) == NULL)
		return MHD_NO;
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

static const char too_many_args_msg[] = "a request takes at most 256 query parameters";
_Static_assert(HTTP_MAX_QUERY_ARGS == 256, "too_many_args_msg names the limit");
static const char nul_arg_msg[] = "a query parameter holds a NUL byte (%00)";

/* Called with the request line's URI before libmicrohttpd parses its query. libmicrohttpd
 * 0.9.75 answers nothing, and leaves the connection hanging until the head watchdog, when a
 * query's arguments overflow the connection's memory pool (about 2,000 "a=1&" in 128 KiB):
 * so a query with too many arguments is cut here, in the connection's own read buffer that
 * uri points into, before it is parsed, and the request is answered 414. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
	struct http_server *s = cls;
	struct conn *c = calloc(1, sizeof(*c));
	char *q = strchr(uri, '?');
	size_t n = 0;

	(void)mc;
	if (c == NULL)
		return NULL;
	c->t0 = time_mono_ms();
	c->route = HTTP_ROUTE_NONE;
	atomic_fetch_add(&s->inflight, 1);
	for (const char *p = q; p && *p; p++)
		n += *p == '&';
	if (n >= HTTP_MAX_QUERY_ARGS) {
		q[1] = '\0';
		c->query_overflow = true;
	}
	return c;
}

/* A request queued for the next versions read stops being polled until that read wakes it
 * (called under the share's lock, from on_request: the only safe place to suspend). */
static void vw_park(struct share_waiter *w)
{
	MHD_suspend_connection(((struct conn *)w)->mc);
}

/* Called once, by the thread that made the read serving it: its own thread takes it up. */
static void vw_wake(struct share_waiter *w)
{
	MHD_resume_connection(((struct conn *)w)->mc);
}

_Static_assert(offsetof(struct conn, vw) == 0, "vw_park and vw_wake cast the waiter to conn");

/* Before a request that reads the versions runs: true when it was queued behind the read on
 * its way and suspended, so that its thread serves other connections meanwhile (a blocked
 * thread would cost a sleep and a wake-up per request); false to run it now. */
static bool vw_queue(struct http_server *s, struct MHD_Connection *mc, struct conn *c)
{
	if (c->vw_asked)
		return false;
	c->vw_asked = true;
	if (!http_versions_shared(s->app, c->route,
	                          MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Authorization"),
	                          MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, "kam_session")))
		return false;
	c->mc = mc;
	c->vw.park = vw_park;
	c->vw.wake = vw_wake;
	c->vw_used = true;
	return store_versions_wait(s->app->store, &c->vw) == 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct conn *c = *con_cls;
	struct req rq;
	struct resp rs;
	struct query_args qa;
	enum MHD_Result ret;

	(void)version;
	if (c == NULL && (c = on_uri(s, url, mc)) == NULL)
		return MHD_NO;
	*con_cls = c;
	if (!c->started) {
		const char *cl;

		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

		if (ci && ci->socket_context)
			atomic_store(&((struct sock *)ci->socket_context)->head_t0, 0);
		c->started = true;
		snprintf(c->method, sizeof(c->method), "%s", method);
		http_log_path(url, c->path, sizeof(c->path));
		if (c->query_overflow)
			return reply_now(mc, c, 414, too_many_args_msg);
		c->route = http_route_index(s->app, method, url);
		c->body.max = http_body_limit(s->app, c->route);
		cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
		/* a body somewhat over the limit is read and dropped, so the client gets to read
		 * the 413; a far larger one is refused at once and the connection closed */
		if (cl && strtoull(cl, NULL, 10) > 4 * (unsigned long long)c->body.max)
			return reply_now(mc, c, 413, too_large_msg(c->body.max));
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* the rest of a body past the limit is read and dropped, to answer 413 */
		if (buf_put(&c->body, upload_data, *upload_data_size) == KAM_EINVAL) {
			size_t max = c->body.max;

			buf_free(&c->body);
			c->body = (struct buf){.max = max, .err = KAM_EINVAL};
		} else if (c->body.err == KAM_ENOMEM) {
			return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (c->body.err == KAM_EINVAL)
		return reply_now(mc, c, 413, too_large_msg(c->body.max));
	if (vw_queue(s, mc, c))
		return MHD_YES;

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = method;
	rq.path = url;
	rq.body = c->body.data ? c->body.data : "";
	rq.body_len = c->body.len;
	qa.rq = &rq;
	qa.nul = false;
	qa.n = 0;
	MHD_get_connection_values_n(mc, MHD_GET_ARGUMENT_KIND, collect_query, &qa);
	if (qa.nul)
		return reply_now(mc, c, 400, nul_arg_msg);
	/* every argument, for http_dispatch's refusal of a repeat (past the HTTP_MAX_QUERY a
	 * handler reads) */
	rq.args = qa.all;
	rq.nargs = qa.n;
	rq.session_cookie = MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, "kam_session");
	rq.workspace_cookie = MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, "kam_workspace");
	rq.authorization = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Authorization");
	rq.csrf_header = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-CSRF-Token");
	rq.if_match = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "If-Match");
	rq.content_type = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Type");
	rq.forwarded_proto = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Forwarded-Proto");
	rq.host = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Host");
	rq.accept_encoding = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Accept-Encoding");
	rq.if_none_match = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "If-None-Match");
	client_of(s, mc, rq.remote_addr, sizeof(rq.remote_addr));
	rq.has_route = true; /* found once when the request began */
	rq.route = c->route;
	rq.vwait = c->vw_used ? &c->vw : NULL;
	http_dispatch(s->app, &rq, &rs);
	if (c->vw_used)
		store_versions_wait_end(s->app->store, &c->vw);
	if (rs.asset)
		c->route = HTTP_ROUTE_ASSET;
	ret = send_resp(mc, c, &rs);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct conn *c = *con_cls;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	double ms;

	/* on a kept-alive connection the next request's head must arrive in time too */
	if (ci && ci->socket_context)
		atomic_store(&((struct sock *)ci->socket_context)->head_t0,
		             (long long)time_mono_ms());
	if (c == NULL)
		return;
	/* a request answered before dispatch (a NUL in its query) or whose client left while it
	 * waited may hold a read it was handed: the next in line reads instead, or every later
	 * request on the node would wait for ever */
	if (c->vw_used)
		store_versions_wait_end(s->app->store, &c->vw);
	ms = time_mono_ms() - c->t0;
	/* once per request, whichever way it was answered; one never answered is not counted */
	if (c->status)
		http_metrics_observe(s->app->metrics, c->route, strcmp(c->method, "HEAD") == 0,
		                     c->status, ms);
	/* written in batches (log_buffer_start), not one write per request */
	log_access(c->method, c->path, c->status, (long long)c->bytes, ms, (long long)c->user_id,
	           toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	buf_free(&c->body);
	free(c);
	*con_cls = NULL;
	/* a slow request is a large one (a report, a list of thousands): what it built is
	 * freed by now, and its pages go back rather than stay as this process's peak once the
	 * process is past its reserve (util/mem.h). From 5 ms, not 50: fifteen KPI questions
	 * of 10-15 ms each at 10M transactions left 56-63 MB behind them, untrimmed, and the
	 * next slow request started from there (docs/performance.md, row 9). A simple GET
	 * takes well under a millisecond and reads no /proc. */
	if (ms >= 5)
		mem_give_back();
	/* the last request in flight writes the lines: under load they go in batches, and a
	 * server that has gone quiet has every line of its requests out */
	if (atomic_fetch_sub(&s->inflight, 1) == 1)
		log_flush();
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	struct sock *k = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);

		k = calloc(1, sizeof(*k));
		if (k == NULL || ci == NULL) {
			free(k); /* untracked: MHD's idle timeout still applies */
			return;
		}
		k->fd = ci->connect_fd;
		atomic_store(&k->head_t0, (long long)time_mono_ms());
		pthread_mutex_lock(&s->mu);
		k->next = s->socks;
		if (s->socks)
			s->socks->prev = k;
		s->socks = k;
		pthread_mutex_unlock(&s->mu);
		*socket_context = k;
	} else if (k) {
		/* MHD closes the socket only after this returns, so the watchdog (which holds
		 * the lock while it shuts a socket down) never touches a reused descriptor */
		pthread_mutex_lock(&s->mu);
		if (k->prev)
			k->prev->next = k->next;
		else
			s->socks = k->next;
		if (k->next)
			k->next->prev = k->prev;
		pthread_mutex_unlock(&s->mu);
		free(k);
		*socket_context = NULL;
	}
}

/* Shuts down every connection whose request head is overdue, a few times a second. */
static void *watchdog(void *arg)
{
	struct http_server *s = arg;
	unsigned tick = s->head_timeout_ms / 4 ? s->head_timeout_ms / 4 : 1;

	if (tick > 500)
		tick = 500;
	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		struct timespec ts;
		long long now = (long long)time_mono_ms();

		for (struct sock *k = s->socks; k; k = k->next) {
			long long t0 = atomic_load(&k->head_t0);

			if (t0 && now - t0 > (long long)s->head_timeout_ms) {
				atomic_store(&k->head_t0, 0);
				shutdown(k->fd, SHUT_RDWR);
				log_msg("warn",
				        "closed a connection whose request head took over %u ms",
				        s->head_timeout_ms);
			}
		}
		time_mono_deadline(&ts, tick);
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static unsigned or_default(unsigned v, unsigned def)
{
	return v ? v : def;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl, char *err,
                        size_t errlen)
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
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	                 MHD_ALLOW_SUSPEND_RESUME;

	if (parse_listen(listen, &ss, &sl, err, errlen) != 0)
		return KAM_EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return KAM_ENOMEM;
	s->app = app;
	for (const char *p = app->trusted_proxies; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (s->ntrusted == HTTP_MAX_PROXIES || !canon_addr(p, n, s->trusted[s->ntrusted])) {
			snprintf(err, errlen,
			         "bad --trusted-proxy \"%.*s\" (want up to %d IP addresses)",
			         (int)(n > 64 ? 64 : n), p, HTTP_MAX_PROXIES);
			free(s);
			return KAM_EINVAL;
		}
		s->ntrusted++;
		p = comma ? comma + 1 : p + n;
	}
	s->head_timeout_ms = 1000u * or_default(app->limits.head_timeout_s, HTTP_HEAD_TIMEOUT_S);
	pthread_mutex_init(&s->mu, NULL);
	time_cond_init_mono(&s->cv);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)nthreads, MHD_OPTION_CONNECTION_TIMEOUT,
	    or_default(app->limits.idle_timeout_s, HTTP_IDLE_TIMEOUT_S),
	    MHD_OPTION_CONNECTION_LIMIT,
	    or_default(app->limits.max_connections, HTTP_MAX_CONNECTIONS),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    or_default(app->limits.per_address, HTTP_PER_ADDRESS),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_END);
	if (s->d == NULL) {
		snprintf(err, errlen,
		         "cannot listen on %s (in use, or not an address of this host)", listen);
		goto fail;
	}
	if (pthread_create(&s->watchdog, NULL, watchdog, s) != 0) {
		snprintf(err, errlen, "cannot start the connection watchdog");
		MHD_stop_daemon(s->d);
		goto fail;
	}
	s->watchdog_on = true;
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	*out = s;
	return KAM_OK;
fail:
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return KAM_EINVAL;
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
	if (atomic_load(&s->inflight) > 0)
		log_msg("warn",
		        "stopping with %d requests still in flight after %d ms: their connections "
		        "close",
		        atomic_load(&s->inflight), timeout_ms);
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->watchdog_on)
		pthread_join(s->watchdog, NULL);
	/* libmicrohttpd must not stop with a connection suspended */
	store_versions_drain(s->app->store);
	MHD_stop_daemon(s->d);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
