/* Accounts written by anyone (app/account.h): who may own, change and re-parent them, the
 * external id every import matches on, the money caps, the score and the audit row. */
#include <stdio.h>
#include <string.h>
#include "app/account.h"
#include "app/scores.h"
#include "kam/account.h"
#include "store/portfolio.h"
#include "util/time.h"

/* A parent account exists and the caller may see it (an invisible id answers like a missing
 * one), and it is not the account itself nor one of its own descendants. */
static int check_parent(struct store_conn *db, const struct actor *who, int64_t id,
                        const json_t *rec, struct kam_errinfo *ei)
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
		rc = depth == 0 ? app_account_visible(db, who, at, NULL, NULL) : KAM_OK;
		if (rc == KAM_OK)
			rc = store_get(db, &model_account, at, &row, NULL);
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
static int check_external_id(const struct actor *who, const json_t *rec, const json_t *before,
                             struct kam_errinfo *ei)
{
	json_t *v = json_object_get(rec, "external_id");

	if (v == NULL || json_equal(v, json_object_get(before, "external_id")) ||
	    (before == NULL && json_is_null(v)))
		return KAM_OK;
	if (actor_assigns_account_keys(who))
		return KAM_OK;
	err_field(ei, "external_id",
	          "is assigned by a director or an admin (it is the key other imports match on)");
	return KAM_EFORBIDDEN;
}

int app_account_may_write(struct store_conn *db, const struct actor *who, int64_t id,
                          struct kam_errinfo *ei)
{
	bool is_owner = false, on_team = false;
	int rc = app_account_visible(db, who, id, &is_owner, &on_team);

	if (rc != KAM_OK)
		return rc;
	if (!auth_account_writable(who->role, is_owner, on_team)) {
		err_detail(ei, "your role may read this account but not change it");
		return KAM_EFORBIDDEN;
	}
	return KAM_OK;
}

int app_account_insert(struct store_conn *db, const struct actor *who, json_t *body, bool score,
                       json_t **out, struct kam_errinfo *ei)
{
	json_t *owner = json_object_get(body, "owner_id"), *rec = NULL;
	int64_t id, owner_id = owner ? json_integer_value(owner) : who->user_id;
	int rc;

	if (who->role == ROLE_KAM && owner_id != who->user_id) {
		err_detail(ei, "a kam creates accounts they own; ask a director to assign others");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if (json_object_get(body, "status") == NULL)
		json_object_set_new(body, "status", json_string("prospect"));
	if ((rc = check_external_id(who, body, NULL, ei)) != KAM_OK)
		goto out;
	if ((rc = account_check(body, ei)) != KAM_OK)
		goto out;
	if ((rc = app_check_owner(db, owner_id, "owner_id", ei)) != KAM_OK)
		goto out;
	if ((rc = check_parent(db, who, 0, body, ei)) != KAM_OK)
		goto out;
	json_object_set_new(body, "owner_id", json_integer(owner_id));
	if ((rc = store_insert(db, &model_account, body, time_now(), &id)) != KAM_OK)
		goto out;
	if ((rc = app_money_check(db, &model_account, ei)) != KAM_OK)
		goto out;
	if ((rc = score ? app_score_account(db, id) : store_scores_dirty(db)) != KAM_OK)
		goto out;
	if ((rc = store_get(db, &model_account, id, &rec, NULL)) != KAM_OK)
		goto out;
	rc = app_audit(db, who, "create", "account", id, NULL, rec);
out:
	if (rc == KAM_OK && out)
		*out = rec;
	else
		json_decref(rec);
	return rc;
}

int app_account_patch(struct store_conn *db, const struct actor *who, int64_t id, json_t *patch,
                      int64_t want, bool score, json_t **out, struct kam_errinfo *ei)
{
	json_t *before = NULL, *after = NULL, *merged = NULL, *owner;
	bool is_owner = false, on_team = false;
	int64_t version;
	int rc;

	if ((rc = app_account_visible(db, who, id, &is_owner, &on_team)) != KAM_OK) {
		err_detail(ei, "no such account");
		goto out;
	}
	if (!auth_account_writable(who->role, is_owner, on_team)) {
		err_detail(ei, "your role may read this account but not change it");
		rc = KAM_EFORBIDDEN;
		goto out;
	}
	if ((rc = store_get_locked(db, &model_account, id, &before, &version)) != KAM_OK)
		goto out;
	if (want >= 0 && want != version) {
		rc = KAM_ESTALE;
		goto out;
	}
	if ((rc = check_external_id(who, patch, before, ei)) != KAM_OK)
		goto out;
	owner = json_object_get(patch, "owner_id");
	if (owner &&
	    json_integer_value(owner) != json_integer_value(json_object_get(before, "owner_id"))) {
		if (!auth_account_manage(who->role, is_owner)) {
			err_detail(ei,
			           "only the owner, a director or an admin may change the owner");
			rc = KAM_EFORBIDDEN;
			goto out;
		}
		if ((rc = app_check_owner(db, json_integer_value(owner), "owner_id", ei)) != KAM_OK)
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
	    (rc = check_parent(db, who, id, patch, ei)) != KAM_OK)
		goto out;
	if ((rc = store_update(db, &model_account, id, patch, version, time_now())) != KAM_OK)
		goto out;
	if ((rc = app_money_check(db, &model_account, ei)) != KAM_OK)
		goto out;
	if ((rc = score ? app_score_account(db, id) : store_scores_dirty(db)) != KAM_OK)
		goto out;
	if ((rc = store_get(db, &model_account, id, &after, NULL)) != KAM_OK)
		goto out;
	rc = app_audit(db, who, "update", "account", id, before, after);
out:
	json_decref(before);
	json_decref(merged);
	if (rc == KAM_OK && out)
		*out = after;
	else
		json_decref(after);
	return rc;
}
