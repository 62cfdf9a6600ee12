/* /api/v1/webhooks: endpoints that receive kam's events (admins; see docs/webhooks.md). */
#include <stdio.h>
#include <stdlib.h>
#include "api/api.h"
#include "app/webhook.h"

int api_webhook_list(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_webhook_list(rq->db, &rq->user.who, &out, &ei);

	return api_answer(rs, rc, 200, out, &ei, "webhook");
}

int api_webhook_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_webhook_create(rq->db, &rq->user.who, rq->json, &out, &ei);

	if (rc == KAM_OK) {
		char loc[64];

		snprintf(loc, sizeof(loc), "/api/v1/webhooks/%lld",
		         (long long)json_integer_value(json_object_get(out, "id")));
		http_header(rs, "Location", loc);
	}
	return api_answer(rs, rc, 201, out, &ei, "webhook");
}

int api_webhook_get(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_webhook_get(rq->db, &rq->user.who, api_param_id(rq, 0), &out, &ei);

	return api_answer(rs, rc, 200, out, &ei, "webhook");
}

int api_webhook_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_webhook_patch(rq->db, &rq->user.who, api_param_id(rq, 0), rq->json, &out, &ei);

	return api_answer(rs, rc, 200, out, &ei, "webhook");
}

int api_webhook_delete(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int rc = app_webhook_delete(rq->db, &rq->user.who, api_param_id(rq, 0), &ei);

	return api_answer(rs, rc, 204, NULL, &ei, "webhook");
}

int api_webhook_rotate(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_webhook_rotate(rq->db, &rq->user.who, api_param_id(rq, 0), &out, &ei);

	return api_answer(rs, rc, 200, out, &ei, "webhook");
}

int api_webhook_test(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_webhook_ping(rq->db, &rq->user.who, api_param_id(rq, 0), &out, &ei);

	return api_answer(rs, rc, 202, out, &ei, "webhook");
}

int api_webhook_deliveries(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	const char *lim = http_query(rq, "limit");
	int rc = app_webhook_deliveries(rq->db, &rq->user.who, api_param_id(rq, 0),
	                                http_query(rq, "cursor"),
	                                lim ? (int)strtol(lim, NULL, 10) : 50, &out, &ei);

	return api_answer(rs, rc, 200, out, &ei, "webhook");
}

int api_webhook_replay(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_webhook_replay(rq->db, &rq->user.who, api_param_id(rq, 0), &out, &ei);

	return api_answer(rs, rc, 202, out, &ei, "delivery");
}
