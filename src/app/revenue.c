/* Products, business units, FX rates, transactions with their monthly rollup, bulk import
 * of transactions, and an account's whitespace. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "app/access.h"
#include "app/record.h"
#include "app/revenue.h"
#include "app/scores.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/group.h"
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

/* --- won deals booked as revenue ----------------------------------------------------------- */

static json_t *or_null(json_t *v)
{
	return v ? v : json_null();
}

static bool booked_as(const json_t *opp, const struct settings *s)
{
	return s->book_won_opportunities && opp &&
	       json_is_string(json_object_get(opp, "stage")) &&
	       !strcmp(json_string_value(json_object_get(opp, "stage")), "won") &&
	       json_is_string(json_object_get(opp, "closed_on")) &&
	       json_integer_value(json_object_get(opp, "amount")) != 0;
}

int app_booking_check(struct store_conn *db, const struct settings *s, const json_t *rec,
                      struct kam_errinfo *ei)
{
	const char *cur = json_string_value(json_object_get(rec, "currency"));
	const char *day = json_string_value(json_object_get(rec, "closed_on"));
	double rate;
	int rc;

	if (!booked_as(rec, s) || cur == NULL || !strcmp(cur, s->base_currency))
		return KAM_OK;
	rc = store_fx_rate(db, cur, day, &rate);
	if (rc == KAM_ENOTFOUND) {
		err_field(ei, "currency",
		          "no FX rate for %s on %s to book this won deal as revenue in %s; add one "
		          "at /api/v1/fx-rates",
		          cur, day, s->base_currency);
		return KAM_EINVAL;
	}
	return rc;
}

int app_booking_sync(struct store_conn *db, const struct actor *who, const struct settings *s,
                     const json_t *before, const json_t *after)
{
	static const char *const same[] = {"account_id", "product_id", "unit_id", "booked_on",
	                                   "amount",     "currency",   "amount_base"};
	const json_t *opp = after ? after : before;
	int64_t opp_id = json_integer_value(json_object_get(opp, "id")), id = 0;
	struct kam_errinfo ei = {0};
	json_t *have = NULL, *rec = NULL, *t;
	bool changed = false;
	int rc;

	if ((rc = store_transaction_by_opportunity(db, opp_id, &have)) != KAM_OK &&
	    rc != KAM_ENOTFOUND)
		return rc;
	if (!booked_as(after, s)) { /* no booking wanted: the one there goes */
		rc = KAM_OK;
		if (have) {
			id = json_integer_value(json_object_get(have, "id"));
			if ((rc = rollup(db, who, have, -1)) == KAM_OK &&
			    (rc = store_delete(db, &model_transaction, id, -1)) == KAM_OK)
				rc = store_revenue_changed(db);
		}
		goto out;
	}
	rec = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:I}", "account_id",
	                json_object_get(after, "account_id"), "product_id",
	                or_null(json_object_get(after, "product_id")), "unit_id",
	                or_null(json_object_get(after, "unit_id")), "booked_on",
	                json_object_get(after, "closed_on"), "amount",
	                json_object_get(after, "amount"), "currency",
	                json_object_get(after, "currency"), "opportunity_id", (json_int_t)opp_id);
	if (rec == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if ((rc = txn_prepare(db, who, rec, have, &ei)) != KAM_OK)
		goto out;
	for (size_t i = 0; have && i < sizeof(same) / sizeof(same[0]); i++) {
		t = json_object_get(rec, same[i]);
		if (!json_equal(or_null(t), or_null(json_object_get(have, same[i]))))
			changed = true;
	}
	if (have && !changed)
		goto out; /* re-imported, re-saved: the same booking */
	if (have) {
		id = json_integer_value(json_object_get(have, "id"));
		if ((rc = rollup(db, who, have, -1)) != KAM_OK ||
		    (rc = store_update(db, &model_transaction, id, rec, -1, time_now())) != KAM_OK)
			goto out;
	} else if ((rc = store_insert(db, &model_transaction, rec, time_now(), &id)) != KAM_OK) {
		goto out;
	}
	if ((rc = rollup(db, who, rec, +1)) == KAM_OK)
		rc = store_revenue_changed(db);
out:
	err_clear(&ei);
	json_decref(have);
	json_decref(rec);
	return rc;
}

int app_bookings_refresh(struct store_conn *db, const struct actor *who,
                         const struct settings *s)
{
	json_t *ids = NULL, *row, *opp;
	size_t i;
	int rc = store_rows(db,
	                    "SELECT id FROM opportunities WHERE id > ? AND (stage = 'won' OR id IN "
	                    "(SELECT opportunity_id FROM transactions WHERE opportunity_id IS NOT "
	                    "NULL)) ORDER BY id",
	                    0, &ids);

	json_array_foreach(ids, i, row)
	{
		if (rc != KAM_OK)
			break;
		opp = NULL;
		rc = store_get(db, &model_opportunity, json_integer_value(json_object_get(row, "id")),
		               &opp, NULL);
		if (rc == KAM_OK)
			rc = app_booking_sync(db, who, s, opp, opp);
		json_decref(opp);
	}
	json_decref(ids);
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
/* A booking of a won deal follows its opportunity: it is changed there, not here. */
static int booking_guard(const json_t *before, struct kam_errinfo *ei)
{
	json_int_t opp = json_integer_value(json_object_get(before, "opportunity_id"));

	if (opp > 0) {
		err_detail(ei,
		           "this transaction books won opportunity %lld as revenue; change or "
		           "reopen the opportunity instead",
		           (long long)opp);
		return KAM_ECONFLICT;
	}
	return KAM_OK;
}

static int txn_rest_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                            const json_t *before, struct kam_errinfo *ei)
{
	int rc = before ? booking_guard(before, ei) : KAM_OK;

	return rc == KAM_OK ? txn_prepare(db, who, rec, before, ei) : rc;
}

static int txn_may_delete(struct store_conn *db, const struct actor *who, const json_t *rec,
                          struct kam_errinfo *ei)
{
	(void)db;
	(void)who;
	return booking_guard(rec, ei);
}

const struct app_resource res_transactions = {
	.e = &model_transaction,
	.base = "/api/v1/transactions",
	.scope = SCOPE_ACCOUNT,
	.prepare = txn_rest_prepare,
	.may_delete = txn_may_delete,
	.after_write = txn_after,
	.conflict = "a transaction with this external_id exists already",
};

/* Each product's list price in the base currency at today's rate (list_price_base, null
 * without a price or a rate), the value of a cell where it is not sold yet. */
static int price_in_base(struct store_conn *db, json_t *products, date_t today)
{
	struct settings s;
	char day[DATE_LEN];
	json_t *p;
	size_t i;
	int rc;

	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	date_format(today, day);
	json_array_foreach(products, i, p)
	{
		json_t *price = json_object_get(p, "list_price");
		const char *cur = json_string_value(json_object_get(p, "currency"));
		int64_t base = 0;

		rc = json_is_integer(price) && cur
		         ? app_money_convert(db, json_integer_value(price), cur,
		                             s.base_currency, s.base_currency, day, &base)
		         : KAM_ENOTFOUND;
		if (rc != KAM_OK && rc != KAM_ENOTFOUND && rc != KAM_EINVAL)
			return rc;
		json_object_set_new(p, "list_price_base",
		                    rc == KAM_OK ? json_integer(base) : json_null());
	}
	return KAM_OK;
}

int app_account_whitespace(struct store_conn *db, const struct actor *who, int64_t id,
                           json_t **out)
{
	json_t *units = NULL, *products = NULL, *sold = NULL, *open = NULL, *cells;
	char since[DATE_LEN];
	date_t today;
	int rc;

	*out = NULL;
	if (app_account_visible(db, who, id, NULL, NULL) != KAM_OK)
		return KAM_ENOTFOUND;
	if ((rc = app_today(db, who, &today)) != KAM_OK)
		return rc;
	date_format(date_add_days_clamped(today, -365), since);
	if ((rc = store_rows(db, "SELECT id, name FROM units WHERE account_id = ? ORDER BY name", id,
	                     &units)) != KAM_OK ||
	    (rc = store_rows(db,
	                     "SELECT id, name, family, list_price, currency FROM products WHERE id > ? "
	                     "ORDER BY family, name",
	                     0, &products)) != KAM_OK ||
	    (rc = store_whitespace_sold(db, id, since, &sold)) != KAM_OK ||
	    (rc = store_whitespace_open(db, id, &open)) != KAM_OK ||
	    (rc = price_in_base(db, products, today)) != KAM_OK)
		goto out;
	cells = revenue_whitespace(units, products, sold, open);
	*out = json_pack("{s:I,s:s,s:O,s:O,s:I,s:o}", "account_id", (json_int_t)id, "since", since,
	                 "units", units, "products", products, "white_space_value",
	                 (json_int_t)revenue_whitespace_value(cells), "cells", cells);
	if (*out == NULL)
		rc = KAM_ENOMEM;
out:
	json_decref(units);
	json_decref(products);
	json_decref(sold);
	json_decref(open);
	return rc;
}

int app_group_whitespace(struct store_conn *db, const struct actor *who, const struct app_group *g,
                         json_t **out)
{
	json_t *units = json_array(), *products = NULL, *sold = NULL, *open = NULL, *cells, *c;
	char since[DATE_LEN];
	date_t today;
	size_t i;
	int rc;

	*out = NULL;
	if (units == NULL)
		return KAM_ENOMEM;
	/* the grid's rows are the group's entities the caller may see, in id order */
	for (i = 0; i < g->n; i++)
		if (g->figures[i] &&
		    json_array_append_new(
		        units, json_pack("{s:I,s:s,s:I}", "id", (json_int_t)g->m[i].id, "name",
		                         g->m[i].name, "depth", (json_int_t)g->depth[i])) != 0) {
			rc = KAM_ENOMEM;
			goto out;
		}
	if ((rc = app_today(db, who, &today)) != KAM_OK)
		goto out;
	date_format(date_add_days_clamped(today, -365), since);
	if ((rc = store_rows(
	         db,
	         "SELECT id, name, family, list_price, currency FROM products WHERE id > ? "
	         "ORDER BY family, name",
	         0, &products)) != KAM_OK ||
	    (rc = store_group_sold(db, g->id, since, &sold)) != KAM_OK ||
	    (rc = store_group_open(db, g->id, &open)) != KAM_OK ||
	    (rc = price_in_base(db, products, today)) != KAM_OK)
		goto out;
	cells = revenue_whitespace(units, products, sold, open);
	/* a group's rows are entities: each cell names its account */
	json_array_foreach(cells, i, c)
	{
		json_object_set(c, "account_id", json_object_get(c, "unit_id"));
		json_object_del(c, "unit_id");
	}
	*out = json_pack("{s:I,s:s,s:s,s:O,s:O,s:I,s:o}", "account_id", (json_int_t)g->id, "scope",
	                 "group", "since", since, "entities", units, "products", products,
	                 "white_space_value", (json_int_t)revenue_whitespace_value(cells), "cells",
	                 cells);
	if (*out == NULL)
		rc = KAM_ENOMEM;
out:
	json_decref(units);
	json_decref(products);
	json_decref(sold);
	json_decref(open);
	return rc;
}
