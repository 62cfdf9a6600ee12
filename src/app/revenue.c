/* Products, business units, FX rates, transactions with their monthly rollup, bulk import
 * of transactions, and an account's whitespace. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app/record.h"
#include "app/scores.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/revenue.h"
#include "util/time.h"

/* amount_base: the amount in the base currency at the rate valid on the booking day. */
static int txn_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                       const json_t *before, struct kam_errinfo *ei)
{
	(void)who;
	struct settings s;
	const char *cur = json_string_value(json_object_get(rec, "currency"));
	const char *day = json_string_value(json_object_get(rec, "booked_on"));
	double rate = 1;
	int64_t base;
	int rc;

	(void)before;
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	if (strcmp(cur, s.base_currency) != 0) {
		rc = store_fx_rate(db, cur, day, &rate);
		if (rc == KAM_ENOTFOUND) {
			err_field(ei, "currency",
			          "no FX rate for %s on %s; add one at /api/v1/fx-rates", cur, day);
			return KAM_EINVAL;
		}
		if (rc != KAM_OK)
			return rc;
	}
	if (!money_convert_to(json_integer_value(json_object_get(rec, "amount")), cur,
	                      s.base_currency, rate, &base)) {
		err_field(ei, "amount",
		          "is past %lld minor units in the base currency at the %s rate of %g",
		          (long long)MONEY_ROW_MAX, cur, rate);
		return KAM_EINVAL;
	}
	json_object_set_new(rec, "amount_base", json_integer(base));
	return KAM_OK;
}

static int rollup(struct store_conn *db, const struct actor *who, const json_t *t, int sign)
{
	(void)who;
	char month[8];

	snprintf(month, sizeof(month), "%.7s", json_string_value(json_object_get(t, "booked_on")));
	return store_rollup_add(db, json_integer_value(json_object_get(t, "account_id")),
	                        json_integer_value(json_object_get(t, "product_id")), month,
	                        sign * json_integer_value(json_object_get(t, "amount_base")), sign);
}

/* Keeps the monthly rollup exact: the old row leaves its cell, the new one enters its own. */
static int txn_after(struct store_conn *db, const struct actor *who, const json_t *before,
                     const json_t *after)
{
	int rc = KAM_OK;

	if (before)
		rc = rollup(db, who, before, -1);
	if (rc == KAM_OK && after)
		rc = rollup(db, who, after, +1);
	if (rc == KAM_OK)
		rc = store_revenue_changed(db);
	return rc;
}

/* A list price is in a currency: the base currency unless another is named. */
static int product_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                           const json_t *before, struct kam_errinfo *ei)
{
	struct settings s;
	int rc;

	(void)who;
	(void)before;
	(void)ei;
	if (!json_is_integer(json_object_get(rec, "list_price")) ||
	    json_is_string(json_object_get(rec, "currency")))
		return KAM_OK;
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	json_object_set_new(rec, "currency", json_string(s.base_currency));
	return KAM_OK;
}

const struct app_resource res_products = {
	.e = &model_product,
	.base = "/api/v1/products",
	.scope = SCOPE_GLOBAL,
	.prepare = product_prepare,
	.conflict = "a product with this name exists already",
};
const struct app_resource res_units = {
	.e = &model_unit,
	.base = "/api/v1/units",
	.scope = SCOPE_ACCOUNT,
	.conflict = "this account already has a unit of that name",
};
const struct app_resource res_fx_rates = {
	.e = &model_fx_rate,
	.base = "/api/v1/fx-rates",
	.scope = SCOPE_GLOBAL,
	.conflict = "a rate for this currency and date exists already",
};
const struct app_resource res_transactions = {
	.e = &model_transaction,
	.base = "/api/v1/transactions",
	.scope = SCOPE_ACCOUNT,
	.prepare = txn_prepare,
	.after_write = txn_after,
	.conflict = "a transaction with this external_id exists already",
};
