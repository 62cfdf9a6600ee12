/* Accounts as a resource (app/record.h): who may own, change, re-parent and delete them,
 * the external id every import matches on, and the score of one written by hand. */
#include <stdio.h>
#include <string.h>
#include "app/grouplinks.h"
#include "app/record.h"
#include "app/scores.h"
#include "kam/group.h"
#include "kam/account.h"
#include "kam/kpi.h"
#include "store/portfolio.h"
#include "store/revenue.h"
#include "util/time.h"

/* A parent account exists and the caller may see it (an invisible id answers like a missing
 * one), and it is not the account itself nor one of its own descendants. */
static int check_parent(struct store_conn *db, const struct actor *who, int64_t id,
                        const json_t *rec, struct kam_errinfo *ei)
{
	json_t *p = json_object_get(rec, "parent_id");
	int64_t at = json_integer_value(p);
	int rc = KAM_OK;

	for (int depth = 0; json_is_integer(p) && at > 0; depth++) {
		json_t *row = NULL;

		/* a chain this long is refused rather than walked further: a walk that stopped
		 * early could not see a cycle closing above it */
		if (depth == GROUP_DEPTH_MAX) {
			err_field(ei, "parent_id", "would make a group deeper than %d levels",
			          GROUP_DEPTH_MAX);
			return KAM_EINVAL;
		}
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

/* An account as it will be stored (before: the stored one on update, NULL on create). */
static int account_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                           const json_t *before, struct kam_errinfo *ei)
{
	int64_t id = json_integer_value(json_object_get(before, "id"));
	json_t *owner = json_object_get(rec, "owner_id");
	int64_t owner_id = json_is_integer(owner) ? json_integer_value(owner) : who->user_id;
	bool is_owner = false;
	int rc;

	if (before == NULL) {
		if (who->role == ROLE_KAM && owner_id != who->user_id) {
			err_detail(ei, "a kam creates accounts they own; ask a director to assign "
			               "others");
			return KAM_EFORBIDDEN;
		}
		if (json_object_get(rec, "status") == NULL)
			json_object_set_new(rec, "status", json_string("prospect"));
	}
	if ((rc = check_external_id(who, rec, before, ei)) != KAM_OK)
		return rc;
	if ((rc = account_check(rec, ei)) != KAM_OK)
		return rc;
	if (before == NULL || owner_id != json_integer_value(json_object_get(before, "owner_id"))) {
		if (before && ((rc = app_account_visible(db, who, id, &is_owner, NULL)) != KAM_OK ||
		               !auth_account_manage(who->role, is_owner))) {
			err_detail(ei,
			           "only the owner, a director or an admin may change the owner");
			return rc == KAM_OK ? KAM_EFORBIDDEN : rc;
		}
		if ((rc = app_check_owner(db, owner_id, "owner_id", ei)) != KAM_OK)
			return rc;
	}
	/* sharing a group's totals with the KAMs of its entities is its owner's call (or
	 * staff's): a kam on the team may change the account, not widen who sees the group */
	if (before && json_object_get(rec, "group_totals_shared") &&
	    !json_equal(json_object_get(rec, "group_totals_shared"),
	                json_object_get(before, "group_totals_shared"))) {
		is_owner = false;
		if ((rc = app_account_visible(db, who, id, &is_owner, NULL)) != KAM_OK ||
		    !auth_account_manage(who->role, is_owner)) {
			err_field(ei, "group_totals_shared",
			          "only the owner, a director or an admin may share the group's "
			          "totals");
			return rc == KAM_OK ? KAM_EFORBIDDEN : rc;
		}
	}
	/* keeping the stored parent is no change (the caller reads it in the record, even when
	 * the parent itself is an account they cannot see) */
	if (!json_equal(json_object_get(rec, "parent_id"), json_object_get(before, "parent_id")) &&
	    (rc = check_parent(db, who, id, rec, ei)) != KAM_OK)
		return rc;
	json_object_set_new(rec, "owner_id", json_integer(owner_id));
	return KAM_OK;
}

/* An account written by hand is ranked among all at once (an import ranks them once). */
static int account_settle(struct store_conn *db, const struct actor *who, const json_t *rec)
{
	return app_score_account(db, who->now, json_integer_value(json_object_get(rec, "id")));
}


/* Deleting an account takes its owner or staff: a kam on its team may change it, not end it. */
static int account_may_delete(struct store_conn *db, const struct actor *who, const json_t *rec,
                              struct kam_errinfo *ei)
{
	bool is_owner = false;
	int rc = app_account_visible(db, who, json_integer_value(json_object_get(rec, "id")),
	                             &is_owner, NULL);

	if (rc == KAM_OK && !auth_account_manage(who->role, is_owner)) {
		err_detail(ei, "only the owner, a director or an admin may delete an account");
		rc = KAM_EFORBIDDEN;
	}
	return rc;
}

/* One account shows its customer lifecycle as the KPIs count it: the dates it states, else
 * those its revenue implies (kpi_lifecycle_infer), each flagged as inferred. */
static int lifecycle(struct store_conn *db, const struct actor *who, json_t *rec)
{
	const char *acq = json_string_value(json_object_get(rec, "acquired_on")),
	           *churn = json_string_value(json_object_get(rec, "churned_on"));
	/* app_res_read read it with the record */
	const json_t *span = json_object_get(rec, APP_REVENUE_SPAN);
	struct kpi_in_account a = {0};
	struct settings s;
	char day[DATE_LEN];
	date_t today;
	json_t *lc;
	int rc;

	snprintf(a.acquired_on, sizeof(a.acquired_on), "%s", acq ? acq : "");
	snprintf(a.churned_on, sizeof(a.churned_on), "%s", churn ? churn : "");
	/* a request read them with its versions: no query for either */
	if (who->settings)
		s = *who->settings;
	else if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	if ((rc = app_today(db, who, &today)) != KAM_OK ||
	    (!span &&
	     (rc = store_account_revenue_span(db, json_integer_value(json_object_get(rec, "id")),
	                                      a.first_month, a.last_month)) != KAM_OK))
		return rc;
	if (span) {
		snprintf(a.first_month, sizeof(a.first_month), "%s",
		         json_string_value(json_array_get(span, 0)));
		snprintf(a.last_month, sizeof(a.last_month), "%s",
		         json_string_value(json_array_get(span, 1)));
	}
	date_format(today, day);
	kpi_lifecycle_infer(&a, 1, day, s.churn_after_months);
	lc = json_pack("{s:o,s:o,s:b,s:b}", "acquired_on",
	               a.acquired_on[0] ? json_string(a.acquired_on) : json_null(), "churned_on",
	               a.churned_on[0] ? json_string(a.churned_on) : json_null(),
	               "acquired_inferred", a.acquired_inferred, "churned_inferred",
	               a.churned_inferred);
	/* a record without what it is read for is no record */
	if (lc == NULL || json_object_set_new(rec, "lifecycle", lc) != 0)
		return KAM_ENOMEM;
	return KAM_OK;
}

/* A health resting on no evidence goes out null beside health_enough_data: false (the stored
 * number, made of defaults, only keeps the sort order); one account also shows its lifecycle. */
static int account_decorate(struct store_conn *db, const struct actor *who, json_t *rec,
                            bool single)
{
	if (json_is_false(json_object_get(rec, "health_enough_data")) &&
	    json_object_set_new(rec, "health", json_null()) != 0)
		return KAM_ENOMEM;
	return single ? lifecycle(db, who, rec) : KAM_OK;
}

/* An account moved within or out of a group takes its plans' links to group plans that are no
 * longer above it off (docs/groups.md). */
static int account_after_write(struct store_conn *db, const struct actor *who, const json_t *before,
                               const json_t *after)
{
	if (before == NULL || after == NULL ||
	    json_equal(json_object_get(before, "parent_id") ?: json_null(),
	               json_object_get(after, "parent_id") ?: json_null()))
		return KAM_OK;
	return app_group_unlink_moved(db, who, json_integer_value(json_object_get(after, "id")));
}

const struct app_resource res_accounts = {
    .e = &model_account,
    .base = "/api/v1/accounts",
    .scope = SCOPE_SELF,
    .prepare = account_prepare,
    .after_write = account_after_write,
    .settle = account_settle,
    .may_delete = account_may_delete,
    .decorate = account_decorate,
    .cached = true,
};
