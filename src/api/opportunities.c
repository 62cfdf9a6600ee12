/* /api/v1/opportunities and an account's pipeline. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "api/resource.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/revenue.h"
#include "util/time.h"

/* A closed opportunity has a close date; an open one has none; probability follows the stage
 * unless given. */
static int opp_prepare(struct req *rq, json_t *rec, const json_t *before, struct kam_errinfo *ei)
{
	const char *stage = json_string_value(json_object_get(rec, "stage"));
	const char *old = before ? json_string_value(json_object_get(before, "stage")) : NULL;
	json_t *closed = json_object_get(rec, "closed_on"), *p = json_object_get(rec, "probability");
	char today[DATE_LEN];
	int rc;

	if (stage == NULL) {
		stage = "identified";
		json_object_set_new(rec, "stage", json_string(stage));
	}
	if ((rc = api_today_text(rq, today)) != KAM_OK)
		return rc;
	if (revenue_stage_closed(stage) && !json_is_string(closed))
		json_object_set_new(rec, "closed_on", json_string(today));
	if (!revenue_stage_closed(stage) && json_is_string(closed)) {
		if (old && revenue_stage_closed(old) && before &&
		    json_equal(closed, json_object_get(before, "closed_on"))) {
			json_object_set_new(rec, "closed_on", json_null()); /* reopened */
		} else {
			err_field(ei, "closed_on", "only won or lost opportunities have a close date");
			return KAM_EINVAL;
		}
	}
	/* the stage's default probability, unless the user set one for this stage */
	if (p == NULL || json_is_null(p) || (old && strcmp(old, stage) != 0 && before &&
					     json_equal(p, json_object_get(before, "probability"))))
		json_object_set_new(rec, "probability",
				    json_integer(revenue_stage_probability(stage)));
	if (!strcmp(stage, "won"))
		json_object_set_new(rec, "probability", json_integer(100));
	if (!strcmp(stage, "lost"))
		json_object_set_new(rec, "probability", json_integer(0));
	return KAM_OK;
}

static int opp_decorate(struct req *rq, json_t *rec, bool single)
{
	json_int_t amount = json_integer_value(json_object_get(rec, "amount"));
	json_int_t p = json_integer_value(json_object_get(rec, "probability"));

	(void)rq;
	(void)single;
	json_object_set_new(rec, "weighted_amount", json_integer(amount * p / 100));
	return KAM_OK;
}

const struct api_resource res_opportunities = {&model_opportunity, "/api/v1/opportunities",
					       SCOPE_ACCOUNT, false, opp_prepare, NULL,
					       opp_decorate, NULL};

int api_account_pipeline(struct req *rq, struct resp *rs)
{
	static const char *const open_stages[] = {"identified", "qualified", "proposal",
						  "negotiation"};
	int64_t id = api_param_id(rq, 0);
	struct settings s;
	json_t *rows = NULL, *by = json_array(), *row;
	double total = 0, weighted = 0;
	int count = 0, rc;
	char today[DATE_LEN];
	size_t i;

	if (id < 0 || api_account_visible(rq, id, NULL, NULL) != KAM_OK) {
		json_decref(by);
		return api_not_found(rs, "account");
	}
	if ((rc = api_settings_load(rq, &s, NULL)) != KAM_OK)
		goto out;
	date_format(settings_today(&s, api_now(rq)), today);
	if ((rc = store_rows(
	         rq->db,
	         "SELECT stage, amount, currency, coalesce(probability, -1) AS probability "
	         "FROM opportunities WHERE account_id = ? AND stage NOT IN ('won', 'lost')",
	         id, &rows)) != KAM_OK)
		goto out;
	for (int k = 0; k < 4; k++) {
		double amt = 0, w = 0;
		int n = 0;

		json_array_foreach(rows, i, row)
		{
			const char *cur = json_string_value(json_object_get(row, "currency"));
			double rate = 1, a;
			int64_t base;
			json_int_t prob;

			if (strcmp(json_string_value(json_object_get(row, "stage")), open_stages[k]))
				continue;
			if (strcmp(cur, s.base_currency) != 0 &&
			    store_fx_rate(rq->db, cur, today, &rate) != KAM_OK)
				continue; /* no rate: not comparable, left out (and counted below) */
			/* the one conversion rule of every write; a value it refuses (a rate out of
			 * range, past one amount's cap once converted) is left out the same way */
			if (!money_convert(json_integer_value(json_object_get(row, "amount")), rate,
			                   &base))
				continue;
			a = (double)base;
			amt += a;
			/* rows written without one (imports) weigh by their stage's default */
			prob = json_integer_value(json_object_get(row, "probability"));
			if (prob < 0)
				prob = revenue_stage_probability(open_stages[k]);
			w += a * (double)prob / 100;
			n++;
		}
		json_array_append_new(by, json_pack("{s:s,s:i,s:I,s:I}", "stage", open_stages[k],
						    "count", n, "amount", (json_int_t)amt, "weighted",
						    (json_int_t)llround(w)));
		total += amt;
		weighted += w;
		count += n;
	}
	http_reply_json(rs, 200,
			json_pack("{s:I,s:s,s:i,s:I,s:I,s:o,s:I}", "account_id", (json_int_t)id,
				  "currency", s.base_currency, "open_count", count, "total",
				  (json_int_t)total, "weighted", (json_int_t)llround(weighted),
				  "by_stage", by, "without_fx_rate",
				  (json_int_t)json_array_size(rows) - count));
	by = NULL;
out:
	json_decref(rows);
	json_decref(by);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, NULL);
	return rc;
}
