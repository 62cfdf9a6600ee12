/* Request counts and latencies per route template, for GET /metrics (see http.h). */
#include <stdlib.h>
#include "http/http.h"
#include "util/buf.h"
#include "util/metrics.h"

struct route_stats {
	atomic_ullong status[5]; /* 1xx … 5xx */
	struct metrics_hist latency;
};

struct http_metrics {
	const struct http_route *routes;
	size_t nroutes;
	/* nroutes, "unmatched", "static", then the same nroutes + 2 again for HEAD: a monitor
	 * polling HEAD /healthz is its own series, not counted among the GETs */
	struct route_stats *r;
};

struct http_metrics *http_metrics_new(const struct http_route *routes, size_t nroutes)
{
	struct http_metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->r = calloc(2 * (nroutes + 2), sizeof(*m->r));
	if (m->r == NULL) {
		free(m);
		return NULL;
	}
	m->routes = routes;
	m->nroutes = nroutes;
	return m;
}

void http_metrics_free(struct http_metrics *m)
{
	if (m == NULL)
		return;
	free(m->r);
	free(m);
}

static size_t slot(const struct http_metrics *m, int route, bool head)
{
	size_t i = route >= 0 && (size_t)route < m->nroutes ? (size_t)route
	           : route == HTTP_ROUTE_ASSET              ? m->nroutes + 1
	                                                    : m->nroutes;

	/* an unmatched HEAD stays "unmatched": its method is not a route's */
	return head && i != m->nroutes ? i + m->nroutes + 2 : i;
}

void http_metrics_observe(struct http_metrics *m, int route, bool head, int status, double ms)
{
	struct route_stats *r;

	if (m == NULL)
		return;
	r = &m->r[slot(m, route, head)];
	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&r->status[status / 100 - 1], 1, memory_order_relaxed);
	metrics_hist_observe(&r->latency, ms);
}

/* method="GET",route="/api/v1/accounts/:id" into lb; slot i of m->r */
static void labels(const struct http_metrics *m, size_t i, struct buf *lb)
{
	bool head = i >= m->nroutes + 2;
	const char *method, *route;

	if (head)
		i -= m->nroutes + 2;
	method = head ? "HEAD" : i < m->nroutes ? m->routes[i].method : "";
	route = i < m->nroutes ? m->routes[i].pattern : i == m->nroutes ? "unmatched" : "static";
	lb->len = 0;
	buf_puts(lb, "method=\"");
	metrics_label_value(lb, method);
	buf_puts(lb, "\",route=\"");
	metrics_label_value(lb, route);
	buf_puts(lb, "\"");
}

void http_metrics_write(const struct http_metrics *m, struct buf *b)
{
	static const char *const cls[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
	struct buf lb = {0};

	if (m == NULL)
		return;
	metrics_family(b, "kam_http_requests_total", "counter",
	               "HTTP requests answered, by route template and status class");
	for (size_t i = 0; i < 2 * (m->nroutes + 2); i++) {
		if (metrics_hist_count(&m->r[i].latency) == 0)
			continue;
		labels(m, i, &lb);
		for (int k = 0; k < 5; k++) {
			unsigned long long n =
			    atomic_load_explicit(&m->r[i].status[k], memory_order_relaxed);

			if (n)
				buf_printf(b, "kam_http_requests_total{%s,status=\"%s\"} %llu\n",
				           lb.data, cls[k], n);
		}
	}
	metrics_family(b, "kam_http_request_duration_seconds", "histogram",
	               "Time from the request line to the reply sent, by route template");
	for (size_t i = 0; i < 2 * (m->nroutes + 2); i++) {
		if (metrics_hist_count(&m->r[i].latency) == 0)
			continue;
		labels(m, i, &lb);
		metrics_hist_write(b, "kam_http_request_duration_seconds", lb.data,
		                   &m->r[i].latency);
	}
	buf_free(&lb);
}
