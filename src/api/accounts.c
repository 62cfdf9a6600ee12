/* /api/v1/accounts: the key accounts and everything hung on them. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "kam/account.h"
#include "store/portfolio.h"
#include "util/time.h"

#define BASE "/api/v1/accounts"

int api_account_get(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0), version;
	json_t *a = NULL;
	int rc;

	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	/* no score refresh here: lists and the background job keep scores fresh, and a single
	 * read stays one cheap query */
	rc = store_get(rq->db, &model_account, id, &a, &version);
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	http_etag(rs, version);
	return http_reply_json(rs, 200, a);
}

int api_account_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *rec = NULL;
	int64_t id, version;
	int rc;

	if ((rc = validate_body(&model_account, rq->json, true, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = app_account_insert(rq->db, &rq->user.who, rq->json, true, &rec, &ei)) != KAM_OK)
		goto out;
	id = json_integer_value(json_object_get(rec, "id"));
	json_decref(rec);
	rec = NULL;
	if ((rc = store_get(rq->db, &model_account, id, &rec, &version)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	api_created(rs, BASE, id, version, rec);
	rec = NULL;
out:
	json_decref(rec);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_account_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq);
	json_t *after = NULL;
	int rc;

	if (id < 0)
		return api_not_found(rs, "account");
	if (want == -2) {
		rc = KAM_ESTALE;
		err_detail(&ei, "If-Match must be an ETag such as \"3\"");
		goto out;
	}
	if ((rc = validate_body(&model_account, rq->json, false, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = app_account_patch(rq->db, &rq->user.who, id, rq->json, want, true, NULL, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_account, id, &after, &version)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_etag(rs, version);
	http_reply_json(rs, 200, after);
	after = NULL;
out:
	json_decref(after);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_account_delete(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq);
	json_t *before = NULL;
	bool is_owner = false;
	int rc;

	if (id < 0)
		return api_not_found(rs, "account");
	if (want == -2) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = app_account_visible(rq->db, &rq->user.who, id, &is_owner, NULL)) != KAM_OK) {
		err_detail(&ei, "no such account");
		goto out;
	}
	if (!auth_account_manage(rq->user.who.role, is_owner)) {
		err_detail(&ei, "only the owner, a director or an admin may delete an account");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if ((rc = store_get_locked(rq->db, &model_account, id, &before, &version)) != KAM_OK)
		goto out;
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = store_delete(rq->db, &model_account, id, version)) != KAM_OK)
		goto out;
	if ((rc = app_audit(rq->db, &rq->user.who, "delete", "account", id, before, NULL)) != KAM_OK)
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
