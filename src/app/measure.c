/* Objectives measured from data: the baseline and current value of a KPI for the account
 * over the plan's period, worked out on read so progress follows the data by itself. */
#include <stdio.h>
#include <string.h>
#include "app/access.h"
#include "app/measure.h"
#include "app/scores.h"
#include "kam/date.h"
#include "kam/kpi.h"
#include "kam/kpi_report.h"
#include "kam/settings.h"
#include "store/kpi.h"

int app_measure_check(const json_t *rec, struct kam_errinfo *ei)
{
	const json_t *m = json_object_get(rec, "measure");

	if (m == NULL || json_is_null(m) || kpi_known(json_string_value(m)))
		return KAM_OK;
	err_field(ei, "measure",
	          "must name a figure kam computes, such as revenue, nrr, grr, nps, csat, "
	          "sla_compliance or ttr_median_hours");
	return KAM_EINVAL;
}

/* The figure's value in figs (a kpi_figures answer): a new reference, null when none. */
static json_t *value_of(const json_t *figs, const char *name)
{
	json_t *v = json_object_get(json_object_get(figs, name), "value");

	return v ? json_incref(v) : json_null();
}

int app_objective_measure(struct store_conn *db, const struct actor *who, json_t *rec)
{
	const char *name = json_string_value(json_object_get(rec, "measure"));
	const char *start, *end;
	char from[DATE_LEN], to[DATE_LEN], pf[DATE_LEN], pt[DATE_LEN], rows[300];
	struct settings s;
	json_t *plan = NULL, *now = NULL, *before = NULL, *m;
	int64_t account;
	date_t today, first, last, stop;
	bool started;
	int rc;

	if (name == NULL)
		return KAM_OK;
	if ((rc = store_get(db, &model_plan, json_integer_value(json_object_get(rec, "plan_id")),
	                    &plan, NULL)) != KAM_OK ||
	    (rc = app_settings_load(db, &s, NULL)) != KAM_OK ||
	    (rc = app_today(db, who, &today)) != KAM_OK)
		goto out;
	account = json_integer_value(json_object_get(plan, "account_id"));
	start = json_string_value(json_object_get(plan, "period_start"));
	end = json_string_value(json_object_get(plan, "period_end"));
	/* to date while the plan runs ([start, today]); its whole period once over, or before
	 * it starts (then there is nothing to measure yet, but the baseline is known) */
	if ((rc = date_parse(start, &first)) != KAM_OK || (rc = date_parse(end, &last)) != KAM_OK)
		goto out;
	started = today >= first;
	stop = date_add_days_clamped(started && today < last ? today : last, 1);
	snprintf(from, sizeof(from), "%s", start);
	date_format(stop, to);
	kpi_previous(from, to, pf, pt); /* the baseline period, named in the answer */
	if ((rc = app_account_figures(db, &s, today, actor_scope(who), account, from, to, &now,
	                              &before)) != KAM_OK)
		goto out;
	snprintf(rows, sizeof(rows),
	         "/api/v1/kpis/rows?scope=account&id=%lld&name=%s&from=%s&to=%s",
	         (long long)account, name, from, to);
	m = json_pack("{s:s,s:s,s:o,s:o,s:{s:s,s:s},s:{s:s,s:s},s:s}", "kpi", name, "currency",
	              s.base_currency, "baseline", value_of(before, name), "current",
	              started ? value_of(now, name) : json_null(), "period", "from", from, "to", to,
	              "baseline_period", "from", pf, "to", pt, "rows", rows);
	if (m == NULL || json_object_set(rec, "baseline", json_object_get(m, "baseline")) != 0 ||
	    json_object_set(rec, "current", json_object_get(m, "current")) != 0 ||
	    json_object_set_new(rec, "measured", m) != 0)
		rc = KAM_ENOMEM;
out:
	json_decref(plan);
	json_decref(now);
	json_decref(before);
	return rc;
}
