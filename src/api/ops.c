/* Operations endpoints: liveness, readiness, the OpenAPI description, the landing page. */
#include <string.h>
#include "api/api.h"

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
