/* /api/v1/accounts: the key accounts and everything hung on them. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "kam/account.h"
#include "store/portfolio.h"
#include "util/time.h"

#define BASE "/api/v1/accounts"

int api_account_list(struct req *rq, struct resp *rs)
{
	int rc = api_scores_fresh(rq); /* lists sort and filter by score and tier */

	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return api_list(rq, rs, &model_account, api_scope_user(rq));
}

int api_account_get(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0), version;
	json_t *a = NULL;
	int rc;

	if (id < 0 || api_account_visible(rq, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	/* no score refresh here: lists and the background job keep scores fresh, and a single
	 * read stays one cheap query */
	rc = store_get(rq->db, &model_account, id, &a, &version);
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	http_etag(rs, version);
	return http_reply_json(rs, 200, a);
}

/* A parent account exists and the caller may see it (an invisible id answers like a missing
 * one), and it is not the account itself nor one of its own descendants. */
static int check_parent(struct req *rq, int64_t id, const json_t *rec, struct kam_errinfo *ei)
{
	json_t *p = json_object_get(rec, "parent_id");
	int64_t at = json_integer_value(p);
	int rc = KAM_OK;

	for (int depth = 0; json_is_integer(p) && at > 0 && depth < 64; depth++) {
		json_t *row = NULL;

		if (at == id) {
			err_field(ei, "parent_id", "would make the account its own parent");
			return KAM_EINVAL;
		}
		/* the parent must be visible; its own ancestors are walked whoever sees them,
		 * since only that finds a cycle */
		rc = depth == 0 ? api_account_visible(rq, at, NULL, NULL) : KAM_OK;
		if (rc == KAM_OK)
			rc = store_get(rq->db, &model_account, at, &row, NULL);
		if (rc == KAM_ENOTFOUND) {
			err_field(ei, "parent_id", "no such account %lld", (long long)at);
			return KAM_EINVAL;
		}
		if (rc != KAM_OK)
			return rc;
		at = json_integer_value(json_object_get(row, "parent_id"));
		json_decref(row);
		if (at == 0)
			break;
	}
	return rc;
}

/*
 * An account's external id is the key of the company's system of record: imports of every
 * user land on the account that holds it. Only roles that see every account (admin,
 * director) assign it; a kam could otherwise take a key that a later import of someone
 * else's account uses, and the refusal must not depend on whether the key is in use
 * (DESIGN §2), so it comes before any lookup.
 */
static int check_external_id(struct req *rq, const json_t *rec, const json_t *before,
                             struct kam_errinfo *ei)
{
	json_t *v = json_object_get(rec, "external_id");

	if (v == NULL || json_equal(v, json_object_get(before, "external_id")) ||
	    (before == NULL && json_is_null(v)))
		return KAM_OK;
	if (actor_assigns_account_keys(&(struct actor){rq->user.id, rq->user.role}))
		return KAM_OK;
	err_field(ei, "external_id",
	          "is assigned by a director or an admin (it is the key other imports match on)");
	return KAM_EFORBIDDEN;
}

int api_account_may_write(struct req *rq, int64_t id, struct kam_errinfo *ei)
{
	bool is_owner = false, on_team = false;
	int rc = api_account_visible(rq, id, &is_owner, &on_team);

	if (rc != KAM_OK)
		return rc;
	if (!auth_account_writable(rq->user.role, is_owner, on_team)) {
		err_detail(ei, "your role may read this account but not change it");
		return KAM_EFORBIDDEN;
	}
	return KAM_OK;
}

int api_account_insert(struct req *rq, json_t *body, bool score, json_t **out,
                       struct kam_errinfo *ei)
{
	json_t *owner = json_object_get(body, "owner_id"), *rec = NULL;
	int64_t id, owner_id = owner ? json_integer_value(owner) : rq->user.id;
	int rc;

	if (rq->user.role == ROLE_KAM && owner_id != rq->user.id) {
		err_detail(ei, "a kam creates accounts they own; ask a director to assign others");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if (json_object_get(body, "status") == NULL)
		json_object_set_new(body, "status", json_string("prospect"));
	if ((rc = check_external_id(rq, body, NULL, ei)) != KAM_OK)
		goto out;
	if ((rc = account_check(body, ei)) != KAM_OK)
		goto out;
	if ((rc = api_check_owner(rq, owner_id, "owner_id", ei)) != KAM_OK)
		goto out;
	if ((rc = check_parent(rq, 0, body, ei)) != KAM_OK)
		goto out;
	json_object_set_new(body, "owner_id", json_integer(owner_id));
	if ((rc = store_insert(rq->db, &model_account, body, time_now(), &id)) != KAM_OK)
		goto out;
	if ((rc = api_money_check(rq->db, &model_account, ei)) != KAM_OK)
		goto out;
	if ((rc = score ? api_score_account(rq, id) : store_scores_dirty(rq->db)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_account, id, &rec, NULL)) != KAM_OK)
		goto out;
	rc = api_audit(rq, "create", "account", id, NULL, rec);
out:
	if (rc == KAM_OK && out)
		*out = rec;
	else
		json_decref(rec);
	return rc;
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
	if ((rc = api_account_insert(rq, rq->json, true, &rec, &ei)) != KAM_OK)
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

int api_account_patch(struct req *rq, int64_t id, json_t *patch, int64_t want, bool score,
                      json_t **out, struct kam_errinfo *ei)
{
	json_t *before = NULL, *after = NULL, *merged = NULL, *owner;
	bool is_owner = false, on_team = false;
	int64_t version;
	int rc;

	if ((rc = api_account_visible(rq, id, &is_owner, &on_team)) != KAM_OK) {
		err_detail(ei, "no such account");
		goto out;
	}
	if (!auth_account_writable(rq->user.role, is_owner, on_team)) {
		err_detail(ei, "your role may read this account but not change it");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if ((rc = store_get_locked(rq->db, &model_account, id, &before, &version)) != KAM_OK)
		goto out;
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = check_external_id(rq, patch, before, ei)) != KAM_OK)
		goto out;
	owner = json_object_get(patch, "owner_id");
	if (owner &&
	    json_integer_value(owner) != json_integer_value(json_object_get(before, "owner_id"))) {
		if (!auth_account_manage(rq->user.role, is_owner)) {
			err_detail(ei,
			           "only the owner, a director or an admin may change the owner");
			rc = KAM_EFORBIDDEN;
			goto out;
		}
		if ((rc = api_check_owner(rq, json_integer_value(owner), "owner_id", ei)) != KAM_OK)
			goto out;
	}
	merged = account_merge(before, patch);
	if ((rc = account_check(merged, ei)) != KAM_OK)
		goto out;
	/* a patch repeating the stored parent is no change (the caller reads it in the record,
	 * even when the parent itself is an account they cannot see) */
	if (json_object_get(patch, "parent_id") &&
	    !json_equal(json_object_get(patch, "parent_id"),
	                json_object_get(before, "parent_id")) &&
	    (rc = check_parent(rq, id, patch, ei)) != KAM_OK)
		goto out;
	if ((rc = store_update(rq->db, &model_account, id, patch, version, time_now())) != KAM_OK)
		goto out;
	if ((rc = api_money_check(rq->db, &model_account, ei)) != KAM_OK)
		goto out;
	if ((rc = score ? api_score_account(rq, id) : store_scores_dirty(rq->db)) != KAM_OK)
		goto out;
	if ((rc = store_get(rq->db, &model_account, id, &after, NULL)) != KAM_OK)
		goto out;
	rc = api_audit(rq, "update", "account", id, before, after);
out:
	json_decref(before);
	json_decref(merged);
	if (rc == KAM_OK && out)
		*out = after;
	else
		json_decref(after);
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
	if ((rc = api_account_patch(rq, id, rq->json, want, true, NULL, &ei)) != KAM_OK)
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
	if ((rc = api_account_visible(rq, id, &is_owner, NULL)) != KAM_OK) {
		err_detail(&ei, "no such account");
		goto out;
	}
	if (!auth_account_manage(rq->user.role, is_owner)) {
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
	if ((rc = api_audit(rq, "delete", "account", id, before, NULL)) != KAM_OK)
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
