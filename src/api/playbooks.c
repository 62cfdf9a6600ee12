/* /api/v1/playbooks and /api/v1/playbook-runs (api/playbooks.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/playbooks.h"
#include "app/playbooks.h"

static int reply(struct resp *rs, int rc, struct kam_errinfo *ei, int status, json_t *out)
{
	if (rc != KAM_OK) {
		http_reply_err(rs, rc, ei);
		err_clear(ei);
		return rc;
	}
	if (json_is_integer(json_object_get(out, "version")))
		http_etag(rs, json_integer_value(json_object_get(out, "version")));
	return http_reply_json(rs, status, out);
}

int api_playbook_list(struct req *rq, struct resp *rs)
{
	json_t *out = NULL;
	int rc = app_playbooks_get(rq->db, &rq->user.who, 0, &out);

	return reply(rs, rc, &(struct kam_errinfo){0}, 200, out);
}

int api_playbook_get(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *out = NULL;
	int rc;

	if (id < 0)
		return api_not_found(rs, "playbook");
	if ((rc = app_playbooks_get(rq->db, &rq->user.who, id, &out)) == KAM_ENOTFOUND)
		return api_not_found(rs, "playbook");
	return reply(rs, rc, &(struct kam_errinfo){0}, 200, out);
}

int api_playbook_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_playbook_create(rq->db, &rq->user.who, rq->json, &out, &ei);

	if (rc != KAM_OK)
		return reply(rs, rc, &ei, 0, NULL);
	return api_created(rs, "/api/v1/playbooks", json_integer_value(json_object_get(out, "id")),
	                   json_integer_value(json_object_get(out, "version")), out);
}

int api_playbook_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), want = http_if_match(rq);
	json_t *out = NULL;
	int rc;

	if (id < 0)
		return api_not_found(rs, "playbook");
	if (want == -2) {
		err_detail(&ei, "If-Match must be an ETag such as \"3\"");
		return reply(rs, KAM_EINVAL, &ei, 0, NULL);
	}
	rc = app_playbook_update(rq->db, &rq->user.who, id, rq->json, want, &out, &ei);
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "playbook");
	return reply(rs, rc, &ei, 200, out);
}

int api_playbook_delete(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), want = http_if_match(rq);
	int rc;

	if (id < 0)
		return api_not_found(rs, "playbook");
	if (want == -2) {
		err_detail(&ei, "If-Match must be an ETag such as \"3\"");
		return reply(rs, KAM_EINVAL, &ei, 0, NULL);
	}
	rc = app_playbook_delete(rq->db, &rq->user.who, id, want, &ei);
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "playbook");
	if (rc != KAM_OK)
		return reply(rs, rc, &ei, 0, NULL);
	return http_reply_empty(rs, 204);
}

int api_run_start(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0);
	json_t *out = NULL;
	int rc;

	if (id < 0)
		return api_not_found(rs, "account");
	rc = app_run_start(rq->db, &rq->user.who, id, rq->json, &out, &ei);
	if (rc == KAM_ENOTFOUND) {
		err_clear(&ei);
		return api_not_found(rs, "account");
	}
	if (rc != KAM_OK)
		return reply(rs, rc, &ei, 0, NULL);
	return api_created(rs, "/api/v1/playbook-runs",
	                   json_integer_value(json_object_get(out, "id")), 1, out);
}

static int runs(struct req *rq, struct resp *rs, int64_t account)
{
	struct kam_errinfo ei = {0};
	struct app_run_filter f = {.account_id = account};
	int64_t owner = 0, limit = 0;
	json_t *out = NULL;
	int rc;

	for (size_t i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].key;

		if (strcmp(k, "state") && strcmp(k, "owner_id") && strcmp(k, "limit") &&
		    (account || strcmp(k, "account_id")))
			err_field(&ei, k, "is not a parameter of this list");
	}
	if (!account)
		api_int_param(rq, "account_id", 1, INT64_MAX, &f.account_id, &ei);
	api_int_param(rq, "owner_id", 1, INT64_MAX, &owner, &ei);
	api_int_param(rq, "limit", 1, 500, &limit, &ei);
	f.owner_id = owner;
	f.limit = (int)limit;
	f.state = http_query(rq, "state");
	if (f.state && strcmp(f.state, "open") && strcmp(f.state, "overdue") &&
	    strcmp(f.state, "done"))
		err_field(&ei, "state", "must be open (overdue included), overdue or done");
	if (ei.errors)
		return reply(rs, KAM_EINVAL, &ei, 0, NULL);
	rc = app_runs_list(rq->db, &rq->user.who, &f, &out);
	if (rc == KAM_ENOTFOUND && account)
		return api_not_found(rs, "account");
	if (rc == KAM_ENOTFOUND) /* a filter on an account the caller does not see: none */
		return http_reply_json(rs, 200, json_pack("{s:[]}", "items"));
	return reply(rs, rc, &ei, 200, out);
}

int api_account_runs(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);

	if (id < 0)
		return api_not_found(rs, "account");
	return runs(rq, rs, id);
}

int api_run_list(struct req *rq, struct resp *rs)
{
	return runs(rq, rs, 0);
}

int api_run_get(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *out = NULL;
	int rc;

	if (id < 0)
		return api_not_found(rs, "playbook run");
	if ((rc = app_run_get(rq->db, &rq->user.who, id, &out)) == KAM_ENOTFOUND)
		return api_not_found(rs, "playbook run");
	return reply(rs, rc, &(struct kam_errinfo){0}, 200, out);
}
