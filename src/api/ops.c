/* Operations endpoints: liveness, readiness, the OpenAPI description, the landing page. */
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/cache.h"
#include "api/rollups.h"
#include "app/importq.h"
#include "app/jobs.h"
#include "app/webhook.h"
#include "http/authcache.h"
#include "util/buf.h"
#include "util/metrics.h"

int api_healthz(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_reply_json(rs, 200, json_pack("{s:s}", "status", "ok"));
}

int api_readyz(struct req *rq, struct resp *rs)
{
	int version = 0;

	if (store_ping(rq->db) != KAM_OK || store_schema_version(rq->db, &version) != KAM_OK) {
		http_header(rs, "Retry-After", "1");
		return http_problem(rs, 503, "the database does not answer", NULL);
	}
	return http_reply_json(rs, 200,
			       json_pack("{s:s,s:s,s:i}", "status", "ready", "database",
					 store_backend(rq->store), "schema_version", version));
}

int api_metrics(struct req *rq, struct resp *rs)
{
	const struct api_server *srv = rq->app_data;
	struct buf b = {0};
	size_t len;
	char *text;
	int rc;

	if (srv == NULL)
		return api_not_found(rs, "metrics");
	metrics_family(&b, "kam_build_info", "gauge", "The running build: always 1");
	buf_puts(&b, "kam_build_info{version=\"");
	metrics_label_value(&b, srv->version ? srv->version : "dev");
	buf_printf(&b, "\",backend=\"%s\"} 1\n", srv->store ? store_backend(srv->store) : "");
	metrics_family(&b, "process_start_time_seconds", "gauge",
	               "Start time of the process since the Unix epoch in seconds");
	buf_printf(&b, "process_start_time_seconds %.3f\n", srv->started);
	http_metrics_write(srv->requests, &b);
	store_metrics_write(srv->store, &b);
	http_auth_cache_metrics_write(srv->auth, &b);
	api_cache_metrics_write(srv->cache, "Reports (KPIs, dashboard) served from the answer cache",
	                        &b);
	api_cache_metrics_write(srv->records, "Single records served from the record cache", &b);
	api_rollups_metrics_write(srv->rollups, &b);
	app_importq_metrics_write(srv->imports, &b);
	jobs_metrics_write(__atomic_load_n(&srv->jobs, __ATOMIC_ACQUIRE), &b);
	app_webhooks_metrics_write(&b);
	if ((text = buf_take(&b, &len)) == NULL)
		return http_reply_err(rs, KAM_ENOMEM, NULL);
	rc = http_reply_bytes(rs, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
	return rc;
}

int api_openapi(struct req *rq, struct resp *rs)
{
	const struct api_server *srv = rq->app_data;

	/* built at start-up: every request gets the same bytes, and none pays for building them */
	if (srv && srv->openapi)
		return http_reply_bytes(rs, 200, "application/json; charset=utf-8", srv->openapi,
		                        srv->openapi_len);
	return http_reply_json(rs, 200, api_openapi_doc());
}

int api_root(struct req *rq, struct resp *rs)
{
	static const char page[] =
		"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>kam</title></head><body><h1>kam</h1>"
		"<p>The key account management server is running. The web app arrives with a later "
		"release; the REST API is described at "
		"<a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p></body></html>";

	(void)rq;
	return http_reply_bytes(rs, 200, "text/html; charset=utf-8", page, strlen(page));
}
