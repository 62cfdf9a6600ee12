/* /api/v1/opportunities and an account's pipeline. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "app/access.h"
#include "app/record.h"
#include "app/revenue.h"
#include "app/scores.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/revenue.h"
#include "util/time.h"

/* A new opportunity for a product with a list price is worth that price unless an amount is
 * given, in the opportunity's currency at today's rates (none without a rate). */
static int default_amount(struct store_conn *db, json_t *rec, const char *today)
{
	json_t *p = json_object_get(rec, "product_id"), *prod = NULL;
	const char *cur = json_string_value(json_object_get(rec, "currency")), *pcur;
	struct settings s;
	int64_t amount;
	int rc;

	if (json_object_get(rec, "amount") || !json_is_integer(p) || cur == NULL)
		return KAM_OK;
	rc = store_get(db, &model_product, json_integer_value(p), &prod, NULL);
	if (rc == KAM_ENOTFOUND) /* the reference check names it */
		return KAM_OK;
	if (rc != KAM_OK)
		return rc;
	pcur = json_string_value(json_object_get(prod, "currency"));
	if (json_is_integer(json_object_get(prod, "list_price")) && pcur &&
	    (rc = app_settings_load(db, &s, NULL)) == KAM_OK) {
		rc = app_money_convert(db, json_integer_value(json_object_get(prod, "list_price")),
		                       pcur, cur, s.base_currency, today, &amount);
		if (rc == KAM_OK)
			json_object_set_new(rec, "amount", json_integer(amount));
		else if (rc == KAM_ENOTFOUND || rc == KAM_EINVAL)
			rc = KAM_OK; /* no rate: the amount stays to be given */
	}
	json_decref(prod);
	return rc;
}

/* A closed opportunity has a close date; an open one has none; probability follows the stage
 * unless given. */
static int opp_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                       const json_t *before, struct kam_errinfo *ei)
{
	const char *stage = json_string_value(json_object_get(rec, "stage"));
	const char *old = before ? json_string_value(json_object_get(before, "stage")) : NULL;
	json_t *closed = json_object_get(rec, "closed_on"),
	       *p = json_object_get(rec, "probability");
	char today[DATE_LEN];
	struct settings s;
	int rc;

	if (stage == NULL) {
		stage = "identified";
		json_object_set_new(rec, "stage", json_string(stage));
	}
	if ((rc = app_today_text(db, who, today)) != KAM_OK)
		return rc;
	if (before == NULL && (rc = default_amount(db, rec, today)) != KAM_OK)
		return rc;
	if (revenue_stage_closed(stage) && !json_is_string(closed))
		json_object_set_new(rec, "closed_on", json_string(today));
	if (!revenue_stage_closed(stage) && json_is_string(closed)) {
		if (old && revenue_stage_closed(old) && before &&
		    json_equal(closed, json_object_get(before, "closed_on"))) {
			json_object_set_new(rec, "closed_on", json_null()); /* reopened */
		} else {
			err_field(ei, "closed_on",
			          "only won or lost opportunities have a close date");
			return KAM_EINVAL;
		}
	}
	/* the stage's default probability, unless the user set one for this stage */
	if (p == NULL || json_is_null(p) ||
	    (old && strcmp(old, stage) != 0 && before &&
	     json_equal(p, json_object_get(before, "probability"))))
		json_object_set_new(rec, "probability",
		                    json_integer(revenue_stage_probability(stage)));
	if (!strcmp(stage, "won"))
		json_object_set_new(rec, "probability", json_integer(100));
	if (!strcmp(stage, "lost"))
		json_object_set_new(rec, "probability", json_integer(0));
	/* a won deal booked as revenue needs its rate before anything is written */
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	return app_booking_check(db, &s, rec, ei);
}

/* A won deal is booked as revenue when the installation books won deals (issue 15). */
static int opp_after(struct store_conn *db, const struct actor *who, const json_t *before,
                     const json_t *after)
{
	struct settings s;
	int rc = app_settings_load(db, &s, NULL);

	if (rc != KAM_OK || !s.book_won_opportunities)
		return rc; /* none is booked while the setting is off (app_bookings_refresh) */
	return app_booking_sync(db, who, &s, before, after);
}

static int opp_decorate(struct store_conn *db, const struct actor *who, json_t *rec, bool single)
{
	json_int_t amount = json_integer_value(json_object_get(rec, "amount"));
	json_int_t p = json_integer_value(json_object_get(rec, "probability"));

	(void)db;
	(void)who;
	(void)single;
	json_object_set_new(rec, "weighted_amount", json_integer(amount * p / 100));
	return KAM_OK;
}

const struct app_resource res_opportunities = {
    .e = &model_opportunity,
    .base = "/api/v1/opportunities",
    .scope = SCOPE_ACCOUNT,
    .prepare = opp_prepare,
    .after_write = opp_after,
    .decorate = opp_decorate,
    .cached = true,
};
