/* /api/v1/accounts/{id}/team: who works the account on our side, and in which role. */
#include <stdio.h>
#include <string.h>
#include "util/time.h"
#include "api/api.h"
#include "kam/validate.h"

int api_team_list(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *items = NULL;
	int rc;

	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	if ((rc = store_team_list(rq->db, id, &items)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, json_pack("{s:o}", "items", items));
}

/* Team changes need the right to manage the account: its owner, a director or an admin. */
static int team_manageable(struct req *rq, int64_t id, struct kam_errinfo *ei)
{
	bool owner = false;
	int rc = app_account_visible(rq->db, &rq->user.who, id, &owner, NULL);

	if (rc != KAM_OK) {
		err_detail(ei, "no such account");
		return rc;
	}
	if (!auth_account_manage(rq->user.who.role, owner)) {
		err_detail(ei, "only the account's owner, a director or an admin may change its team");
		return KAM_EFORBIDDEN;
	}
	return KAM_OK;
}

int api_team_put(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), user_id = api_param_id(rq, 1);
	const char *key, *role;
	json_t *v, *after = NULL, *items = NULL;
	bool created = false;
	int rc = KAM_OK;

	if (id < 0)
		return api_not_found(rs, "account");
	if (user_id < 0)
		return api_not_found(rs, "user");
	if (!json_is_object(rq->json)) {
		err_detail(&ei, "the body must be a JSON object such as {\"role\":\"support_lead\"}");
		rc = KAM_EINVAL;
		goto out;
	}
	json_object_foreach(rq->json, key, v)
	{
		if (strcmp(key, "role") != 0) {
			err_field(&ei, key, "is not a field of a team membership");
			rc = KAM_EINVAL;
		}
	}
	v = json_object_get(rq->json, "role");
	role = json_string_value(v);
	if (role == NULL || role[0] == '\0' || validate_utf8_len(role) > 100) {
		err_field(&ei, "role", "must be a string of 1 to 100 characters, such as %s",
			  "executive_sponsor, solution_engineer, support_lead or delivery_manager");
		rc = KAM_EINVAL;
	}
	if (rc != KAM_OK)
		goto out;
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = team_manageable(rq, id, &ei)) != KAM_OK)
		goto out;
	if ((rc = app_check_user(rq->db, user_id, "user_id", &ei)) != KAM_OK)
		goto out;
	if ((rc = store_team_put(rq->db, id, user_id, role, time_now(), &created)) != KAM_OK)
		goto out;
	after = json_pack("{s:I,s:I,s:s}", "account_id", (json_int_t)id, "user_id",
			  (json_int_t)user_id, "role", role);
	if ((rc = app_audit(rq->db, &rq->user.who, created ? "create" : "update", "account_team", id, NULL, after)) !=
	    KAM_OK)
		goto out;
	if ((rc = store_team_list(rq->db, id, &items)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_reply_json(rs, created ? 201 : 200, json_pack("{s:o}", "items", items));
	items = NULL;
out:
	json_decref(after);
	json_decref(items);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_team_delete(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), user_id = api_param_id(rq, 1);
	json_t *before = NULL;
	int rc;

	if (id < 0)
		return api_not_found(rs, "account");
	if (user_id < 0)
		return api_not_found(rs, "team member");
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = team_manageable(rq, id, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_team_delete(rq->db, id, user_id)) != KAM_OK) {
		if (rc == KAM_ENOTFOUND)
			err_detail(&ei, "that user is not on this account's team");
		goto out;
	}
	before = json_pack("{s:I,s:I}", "account_id", (json_int_t)id, "user_id",
			   (json_int_t)user_id);
	if ((rc = app_audit(rq->db, &rq->user.who, "delete", "account_team", id, before, NULL)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_reply_empty(rs, 204);
out:
	json_decref(before);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
