/*
 * The client view of a share link. What a client sees is listed key by key, never filtered
 * out of a record, and only what the KAM marked client_visible: an action typed for internal
 * use stays internal until someone decides otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/scores.h"
#include "app/share.h"
#include "kam/kpi_report.h"
#include "kam/plan.h"
#include "model/model.h"
#include "store/kpi.h"
#include "util/err.h"

/* Copies only the named keys. */
static json_t *pick(json_t *from, const char *const *keys)
{
	json_t *o = json_object();

	for (; *keys; keys++)
		json_object_set(o, *keys,
		                json_object_get(from, *keys) ? json_object_get(from, *keys)
		                                             : json_null());
	return o;
}

static int children(struct store_conn *db, const struct model_entity *e, int64_t plan, json_t **out)
{
	struct store_list q = {.sort = "id", .limit = 500};
	char *next = NULL;
	int rc;

	q.filters = json_pack("{s:o}", "plan_id", json_sprintf("%lld", (long long)plan));
	rc = store_list(db, e, &q, out, &next);
	json_decref(q.filters);
	free(next);
	return rc;
}

/*
 * Of the active plans (newest start first), the one whose period holds today, else the
 * latest already started; never one that has not begun (next year's draft).
 */
static json_t *current_plan(json_t *plans, const char *today)
{
	json_t *x, *started = NULL;
	size_t i;

	json_array_foreach(plans, i, x)
	{
		const char *from = json_string_value(json_object_get(x, "period_start"));
		const char *to = json_string_value(json_object_get(x, "period_end"));

		if (from == NULL || strcmp(from, today) > 0)
			continue;
		if (to == NULL || strcmp(to, today) >= 0)
			return x;
		if (started == NULL)
			started = x;
	}
	return started;
}

/* The service KPIs over the 12-month revenue window every screen uses (app_revenue_window). */
static int kpis(struct store_conn *db, const struct settings *set, int64_t account_id, date_t tday,
                json_t *ans)
{
	static const char *const kpi_keys[] = {"nps", "csat", "sla_compliance", "ttr_median_hours",
	                                       NULL};
	char to[DATE_LEN], from[DATE_LEN];
	json_t *figs, *k;
	int rc;

	app_revenue_window_dates(tday, from, to);
	if ((rc = app_account_figures(db, set, tday, 0, account_id, from, to, &figs, NULL)) !=
	    KAM_OK)
		return rc;
	k = json_object();
	for (const char *const *n = kpi_keys; figs && *n; n++)
		json_object_set(k, *n, json_object_get(json_object_get(figs, *n), "value"));
	json_decref(figs);
	json_object_set_new(ans, "kpis", k);
	json_object_set_new(ans, "kpi_period", json_pack("{s:s,s:s}", "from", from, "to", to));
	return KAM_OK;
}

int app_share_view(struct store_conn *db, int64_t account_id, bool include_kpis, int64_t now,
                   json_t **out, bool *shared)
{
	static const char *const obj_keys[] = {"title",   "metric", "baseline", "target",
	                                       "current", "due_on", "status",   NULL};
	static const char *const act_keys[] = {"title", "due_on", "status", NULL};
	char today[DATE_LEN];
	date_t tday;
	json_t *acc = NULL, *plans = NULL, *ans = NULL, *objs = NULL, *acts = NULL, *x,
	       *owner = NULL;
	struct store_list q = {.sort = "period_start", .desc = true, .limit = 50};
	struct settings set;
	char *next = NULL;
	size_t i;
	int rc;

	if ((rc = store_get(db, &model_account, account_id, &acc, NULL)) != KAM_OK)
		goto out;
	q.filters = json_pack("{s:o,s:s}", "account_id",
	                      json_sprintf("%lld", (long long)account_id), "status", "active");
	rc = store_list(db, &model_plan, &q, &plans, &next);
	json_decref(q.filters);
	free(next);
	if (rc != KAM_OK || (rc = app_settings_load(db, &set, NULL)) != KAM_OK)
		goto out;
	tday = settings_today(&set, now);
	date_format(tday, today);
	ans = json_pack("{s:{s:O},s:n,s:o,s:o,s:s,s:s?,s:n}", "account", "name",
	                json_object_get(acc, "name"), "plan", "objectives", json_array(), "actions",
	                json_array(), "as_of", today, "company",
	                set.company_name[0] ? set.company_name : NULL, "kam");
	if (store_get(db, &model_user, json_integer_value(json_object_get(acc, "owner_id")), &owner,
	              NULL) == KAM_OK)
		json_object_set_new(ans, "kam",
		                    pick(owner, (const char *const[]){"name", "email", NULL}));
	x = current_plan(plans, today);
	if (x) {
		json_object_set_new(ans, "plan",
		                    pick(x, (const char *const[]){"title", "period_start",
		                                                  "period_end", "vision", NULL}));
		if ((rc = children(db, &model_objective,
		                   json_integer_value(json_object_get(x, "id")), &objs)) !=
		        KAM_OK ||
		    (rc = children(db, &model_action, json_integer_value(json_object_get(x, "id")),
		                   &acts)) != KAM_OK)
			goto out;
	}
	json_array_foreach(objs, i, x)
	{
		json_t *o;
		double p;

		if (!json_is_true(json_object_get(x, "client_visible")))
			continue;
		o = pick(x, obj_keys);
		json_object_set_new(o, "progress",
		                    plan_progress(x, &p) ? json_real(p) : json_null());
		json_array_append_new(json_object_get(ans, "objectives"), o);
	}
	json_array_foreach(acts, i, x)
	{
		if (json_is_true(json_object_get(x, "client_visible")) &&
		    strcmp(json_string_value(json_object_get(x, "status")), "cancelled") != 0)
			json_array_append_new(json_object_get(ans, "actions"), pick(x, act_keys));
	}
	if (include_kpis && (rc = kpis(db, &set, account_id, tday, ans)) != KAM_OK)
		goto out;
	*shared = include_kpis || json_array_size(json_object_get(ans, "objectives")) > 0 ||
	          json_array_size(json_object_get(ans, "actions")) > 0;
	*out = ans;
	ans = NULL;
out:
	json_decref(acc);
	json_decref(owner);
	json_decref(plans);
	json_decref(objs);
	json_decref(acts);
	json_decref(ans);
	return rc;
}
