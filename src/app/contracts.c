/* /api/v1/contracts: an account's contracts, and the renewal opportunity each active one gets
 * once, a number of days (settings.renewal_lead_days) before it ends. */
#include <stdio.h>
#include <string.h>
#include "app/access.h"
#include "app/contracts.h"
#include "app/record.h"
#include "app/scores.h"
#include "kam/date.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/forecast.h"

/* A contract ends on or after the day it starts; it is a draft until said otherwise. */
static int contract_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                            const json_t *before, struct kam_errinfo *ei)
{
	const char *start = json_string_value(json_object_get(rec, "start_date"));
	const char *end = json_string_value(json_object_get(rec, "end_date"));

	(void)db;
	(void)who;
	(void)before;
	if (!json_is_string(json_object_get(rec, "status")))
		json_object_set_new(rec, "status", json_string("draft"));
	if (!json_is_boolean(json_object_get(rec, "auto_renew")))
		json_object_set_new(rec, "auto_renew", json_false());
	if (!json_is_integer(json_object_get(rec, "annual_value")))
		json_object_set_new(rec, "annual_value", json_integer(0));
	/* YYYY-MM-DD compares as text */
	if (start && end && strcmp(end, start) < 0) {
		err_field(ei, "end_date", "must be on or after start_date (%s)", start);
		return KAM_EINVAL;
	}
	return KAM_OK;
}

/* The renewal opportunity, when there is one, goes out with the contract. */
static int contract_decorate(struct store_conn *db, const struct actor *who, json_t *rec,
                             bool single)
{
	int64_t opp = 0;
	int rc;

	(void)who;
	if (!single)
		return KAM_OK;
	rc = store_contract_renewal(db, json_integer_value(json_object_get(rec, "id")), &opp);
	if (rc == KAM_ENOTFOUND) {
		json_object_set_new(rec, "renewal_opportunity_id", json_null());
		return KAM_OK;
	}
	if (rc == KAM_OK)
		json_object_set_new(rec, "renewal_opportunity_id", json_integer(opp));
	return rc;
}

/* A deleted contract's renewal stays, unlinked: its id may be given again (SQLite). */
static int contract_after(struct store_conn *db, const struct actor *who, const json_t *before,
                          const json_t *after)
{
	(void)who;
	if (after != NULL || before == NULL)
		return KAM_OK;
	return store_contract_unlink(db, json_integer_value(json_object_get(before, "id")));
}

const struct app_resource res_contracts = {
    .e = &model_contract,
    .base = "/api/v1/contracts",
    .scope = SCOPE_ACCOUNT,
    .prepare = contract_prepare,
    .after_write = contract_after,
    .decorate = contract_decorate,
    .conflict = "the account already has a contract with this number",
};

int app_renewals_run(struct store_conn *db, const struct actor *who, int *made)
{
	struct settings s;
	json_t *due = NULL, *row, *opp = NULL;
	struct kam_errinfo ei = {0};
	char horizon_s[DATE_LEN], name[300];
	date_t today;
	size_t i;
	int rc;

	*made = 0;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		goto out;
	today = settings_today(&s, who->now);
	/* due when today >= end - lead, i.e. end <= today + lead */
	date_format(date_add_days_clamped(today, s.renewal_lead_days), horizon_s);
	if ((rc = store_contracts_due(db, horizon_s, &due)) != KAM_OK)
		goto out;
	json_array_foreach(due, i, row)
	{
		const char *number = json_string_value(json_object_get(row, "number"));
		json_t *owner = json_object_get(row, "owner_id");
		int64_t id = 0;

		/* a renewal already there (imported beside its contract) is linked, not doubled */
		if ((rc =
		         store_renewal_adopt(db, json_integer_value(json_object_get(row, "id")),
		                             json_integer_value(json_object_get(row, "account_id")),
		                             json_string_value(json_object_get(row, "end_date")),
		                             who->now, &id)) != KAM_OK)
			goto out;
		if (id) {
			json_t *link = json_pack("{s:I}", "contract_id",
			                         json_integer_value(json_object_get(row, "id")));

			rc = app_audit(db, who, "update", "opportunity", id, NULL, link);
			json_decref(link);
			if (rc != KAM_OK)
				goto out;
			continue;
		}
		snprintf(name, sizeof(name), "Renewal of contract %.200s", number ? number : "");
		opp = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:O,s:I,s:i}", "account_id",
		                json_integer_value(json_object_get(row, "account_id")), "name",
		                name, "kind", "renewal", "amount",
		                json_integer_value(json_object_get(row, "annual_value")),
		                "currency", json_string_value(json_object_get(row, "currency")),
		                "stage", "identified", "expected_close_on",
		                json_string_value(json_object_get(row, "end_date")), "owner_id",
		                owner ? owner : json_null(), "contract_id",
		                json_integer_value(json_object_get(row, "id")), "probability",
		                revenue_stage_probability("identified"));
		if (opp == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		/* the unique index on contract_id refuses a second one (another node's run): the
		 * whole run rolls back and the next one finds the renewal made */
		rc = store_insert(db, &model_opportunity, opp, who->now, &id);
		if (rc == KAM_OK) {
			json_object_set_new(opp, "id", json_integer(id));
			rc = app_audit(db, who, "create", "opportunity", id, NULL, opp);
		}
		if (rc == KAM_OK)
			rc = app_money_check(db, &model_opportunity, &ei);
		if (rc == KAM_OK)
			(*made)++;
		json_decref(opp);
		opp = NULL;
		if (rc != KAM_OK)
			goto out;
	}
	rc = store_commit(db);
	json_decref(due);
	return rc;
out:
	store_rollback(db);
	json_decref(due);
	json_decref(opp);
	return rc;
}
