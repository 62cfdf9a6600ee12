/* /api/v1/opportunities and an account's pipeline. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "api/groups.h"
#include "api/resource.h"
#include "store/group.h"
#include "kam/money.h"
#include "kam/revenue.h"
#include "kam/settings.h"
#include "store/revenue.h"
#include "util/time.h"

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

	struct kam_errinfo ei = {0};
	struct app_group g;
	bool grouped = false;

	/* ?scope=group: the open pipeline of the group's entities it counts (docs/groups.md) */
	rc = api_group_param(rq, id, &g, &grouped, &ei);
	if (rc == KAM_EINVAL) {
		json_decref(by);
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	err_clear(&ei);
	if (rc != KAM_OK || (!grouped && (id < 0 || app_account_visible(rq->db, &rq->user.who, id,
	                                                                NULL, NULL) != KAM_OK))) {
		json_decref(by);
		app_group_free(&g);
		return api_not_found(rs, "account");
	}
	if ((rc = api_today_text(rq, today)) != KAM_OK) {
		json_decref(by);
		app_group_free(&g);
		return http_reply_err(rs, rc, NULL), rc;
	}
	if (grouped) {
		if ((rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK ||
		    (rc = store_group_pipeline(rq->db, id, &rows)) != KAM_OK)
			goto out;
		/* only the entities the group's figures count for the caller */
		for (i = json_array_size(rows); i-- > 0;) {
			int64_t acc = json_integer_value(
			    json_object_get(json_array_get(rows, i), "account_id"));
			bool in = false;

			for (size_t k = 0; k < g.ncount && !in; k++)
				in = g.count[k] == acc;
			if (!in)
				json_array_remove(rows, i);
		}
	} else if ((rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK ||
	           (rc = store_rows(
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
			if (!money_convert_to(json_integer_value(json_object_get(row, "amount")),
			                      cur, s.base_currency, rate, &base))
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
	{
		json_t *ans = json_pack(
		    "{s:I,s:s,s:i,s:I,s:I,s:o,s:I}", "account_id", (json_int_t)id, "currency",
		    s.base_currency, "open_count", count, "total", (json_int_t)total, "weighted",
		    (json_int_t)llround(weighted), "by_stage", by, "without_fx_rate",
		    (json_int_t)json_array_size(rows) - count);

		if (ans && grouped) {
			json_object_set_new(ans, "scope", json_string("group"));
			json_object_set_new(ans, "entities", json_integer((json_int_t)g.ncount));
			json_object_set_new(ans, "complete", json_boolean(app_group_complete(&g)));
		}
		http_reply_json(rs, 200, ans);
	}
	by = NULL;
out:
	app_group_free(&g);
	json_decref(rows);
	json_decref(by);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, NULL);
	return rc;
}
