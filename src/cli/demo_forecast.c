/*
 * The forecast part of the demo (issue 18): contracts on a dozen accounts (one ends within
 * the renewal lead, so the first server run makes its renewal opportunity), targets for this
 * quarter and the last, and the weekly snapshots of both quarters, replayed on today's deals,
 * so the forecast page has a movement chart and an accuracy line after `make run`.
 */
#include <stdio.h>
#include "app/contracts.h"
#include "app/forecast.h"
#include "cli/cli.h"
#include "kam/date.h"
#include "kam/forecast.h"
#include "model/model.h"
#include "util/time.h"

int demo_contracts(struct store_conn *c, const int64_t *acct, int nacct, int64_t now)
{
	static const char *const status[] = {"active", "active", "active",     "active",
	                                     "active", "active", "active",     "active",
	                                     "active", "active", "terminated", "draft"};
	int rc = KAM_OK;

	for (int i = 0; i < 12 && i < nacct && rc == KAM_OK; i++) {
		char number[32], start[DATE_LEN], end[DATE_LEN];
		int64_t t0 = now - (int64_t)(300 + i * 45) * 86400, id;
		int years = 1 + i % 3;
		json_t *rec;

		snprintf(number, sizeof(number), "K-%04d", 101 + i);
		time_date(t0, start, sizeof(start));
		int64_t t1 = t0 + ((int64_t)years * 365 - 1) * 86400;
		/* one that ran out is expired (drafts and terminated ones keep their status) */
		const char *st = t1 < now && status[i][0] == 'a' ? "expired" : status[i];

		time_date(t1, end, sizeof(end));
		rec = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:b,s:i,s:s}", "account_id",
		                (json_int_t)acct[i], "number", number, "start_date", start,
		                "end_date", end, "annual_value",
		                (json_int_t)(200 + (i * 137) % 800) * 100000, "currency", "EUR",
		                "auto_renew", i % 2 == 0, "notice_days", 90, "status", st);
		rc = rec ? store_insert(c, &model_contract, rec, now, &id) : KAM_ENOMEM;
		json_decref(rec);
	}
	return rc;
}

/* Targets of quarter q: each KAM's forecast as of now plus a tenth, the portfolio's the sum
 * plus a twentieth, rounded to thousands. */
static int targets(struct store_conn *c, const struct actor *who, const char *q)
{
	struct kam_errinfo ei = {0};
	json_t *f = NULL, *body = NULL, *list = json_array(), *row, *out = NULL;
	int64_t sum = 0;
	size_t i;
	int rc = app_forecast(c, who, q, "kam", &f, &ei);

	if (rc != KAM_OK)
		goto out;
	json_array_foreach(json_object_get(f, "rows"), i, row)
	{
		int64_t v = json_integer_value(json_object_get(row, "forecast")) * 11 / 10;

		v = v / 100000 * 100000;
		if (v <= 0)
			continue;
		sum += v;
		json_array_append_new(list, json_pack("{s:O,s:I}", "user_id",
		                                      json_object_get(row, "owner_id"), "amount",
		                                      (json_int_t)v));
	}
	json_array_append_new(list, json_pack("{s:n,s:I}", "user_id", "amount",
	                                      (json_int_t)(sum * 21 / 20 / 100000 * 100000)));
	body = json_pack("{s:s,s:O}", "quarter", q, "targets", list);
	rc = body ? app_forecast_targets_put(c, who, body, &out, &ei) : KAM_ENOMEM;
out:
	err_clear(&ei);
	json_decref(f);
	json_decref(body);
	json_decref(list);
	json_decref(out);
	return rc;
}

int demo_forecast_history(struct store_conn *c, int64_t now)
{
	struct actor who = {.user_id = 0, .role = ROLE_ADMIN, .now = now};
	struct fc_quarter q, prev;
	char name[FC_QUARTER_LEN];
	date_t today = date_of_time_clamped(now), d;
	int rc, added, made;

	/* the renewals due now, so a server started on the demo has none to make */
	if ((rc = app_renewals_run(c, &who, &made)) != KAM_OK)
		return rc;
	fc_quarter_of(today, &q);
	if ((rc = fc_quarter_add(&q, -1, &prev)) != KAM_OK)
		return rc;
	fc_quarter_name(&prev, name);
	if ((rc = targets(c, &who, name)) != KAM_OK)
		return rc;
	fc_quarter_name(&q, name);
	if ((rc = targets(c, &who, name)) != KAM_OK)
		return rc;
	/* every Monday since the last quarter began, as the jobs would have taken them */
	for (d = fc_week_start(prev.start); d <= today && rc == KAM_OK; d += 7) {
		struct actor then = who;

		if (d < prev.start)
			continue;
		then.now = date_to_time(d) + 12 * 3600;
		rc = app_forecast_snapshot_run(c, &then, &added);
	}
	return rc;
}
