/*
 * GET /api/v1/plans/{id}/document?format=pdf|html: the account plan on one page, for the
 * team (internal: stakeholder attitudes and risks are in it). The data comes from the same
 * store reads as the plan, the share view and the KPIs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/access.h"
#include "app/document.h"
#include "app/measure.h"
#include "kam/money.h"
#include "app/scores.h"
#include "kam/kpi_report.h"
#include "store/kpi.h"
#include "kam/plan.h"
#include "kam/plandoc.h"
#include "kam/settings.h"
#include "store/document.h"
#include "util/time.h"

#define DOC_ROWS 500 /* rows read per list; the PDF shows what fits and says how many more */

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* All rows of e whose field key is id (up to DOC_ROWS), oldest first; *out owned. */
static int rows(struct store_conn *c, const struct model_entity *e, const char *key, int64_t id,
                json_t **out)
{
	struct store_list q = {.sort = "id", .limit = DOC_ROWS};
	char *next = NULL;
	int rc;

	q.filters = json_pack("{s:o}", key, json_sprintf("%lld", (long long)id));
	if (q.filters == NULL) /* without its filter the list would be every row */
		return KAM_ENOMEM;
	rc = store_list(c, e, &q, out, &next);
	json_decref(q.filters);
	free(next);
	return rc;
}

/* The name of user id through a small cache (names: id -> name); NULL for none. */
static json_t *user_name(struct store_conn *c, json_t *names, const json_t *id)
{
	char key[24];
	json_t *u = NULL, *n;

	if (!json_is_integer(id))
		return json_null();
	snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(id));
	n = json_object_get(names, key);
	if (n == NULL) {
		/* a user deleted since has no name; a failed read gives NULL (the caller fails) */
		int rc = store_get(c, &model_user, json_integer_value(id), &u, NULL);

		n = rc == KAM_OK          ? json_incref(json_object_get(u, "name"))
		    : rc == KAM_ENOTFOUND ? json_null()
		                          : NULL;
		json_decref(u);
		if (n == NULL || json_object_set_new(names, key, n) != 0)
			return NULL;
	}
	return json_incref(n);
}

static json_t *pick(const json_t *from, const char *const *keys)
{
	json_t *o = json_object();

	for (; o && *keys; keys++) {
		json_t *v = json_object_get(from, *keys);

		if (json_object_set(o, *keys, v ? v : json_null()) != 0) {
			json_decref(o); /* a part missing: none, and the caller fails */
			return NULL;
		}
	}
	return o;
}

/* Open work first, by due date (none last); then done and cancelled. */
static int action_rank(const json_t *a)
{
	const char *s = str(a, "status");

	return s && (!strcmp(s, "done") || !strcmp(s, "cancelled")) ? 1 : 0;
}

static int cmp_actions(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	const char *da = str(a, "due_on"), *db = str(b, "due_on");
	int r = action_rank(a) - action_rank(b);

	if (r)
		return r;
	if (!da || !db)
		return (da == NULL) - (db == NULL);
	return strcmp(da, db);
}

/* Most influential first, then by name. */
static int cmp_people(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t ia = json_integer_value(json_object_get(a, "influence")),
	           ib = json_integer_value(json_object_get(b, "influence"));

	if (ia != ib)
		return ia < ib ? 1 : -1;
	return strcmp(str(a, "name") ? str(a, "name") : "", str(b, "name") ? str(b, "name") : "");
}

/* Highest probability × impact first. */
static int cmp_risks(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t sa = json_integer_value(json_object_get(a, "probability")) *
	                json_integer_value(json_object_get(a, "impact")),
	           sb = json_integer_value(json_object_get(b, "probability")) *
	                json_integer_value(json_object_get(b, "impact"));

	return sa < sb ? 1 : sa > sb ? -1 : 0;
}

/* Sorts a JSON array in place with cmp over its elements; -1 without memory (the document
 * in file order would look whole but be out of order). */
static int sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr), i;
	json_t **v;

	if (n < 2)
		return 0;
	if ((v = malloc(n * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), cmp);
	for (i = 0; i < n; i++) /* replacing an element allocates nothing */
		json_array_set_new(arr, i, v[i]);
	free(v);
	return 0;
}

/* The KPIs of the last twelve whole months and revenue per month over the same months. */
static int kpis(struct store_conn *c, int64_t account_id, int64_t now, json_t *doc)
{
	char to[11], from[11], m[8], first[8], last[8];
	struct settings set;
	json_t *figs = NULL, *months = NULL, *series = NULL;
	size_t j = 0;
	date_t m0;
	int rc, bad = 0;

	if ((rc = app_settings_load(c, &set, NULL)) != KAM_OK)
		return rc;
	/* the 12-month revenue window every screen uses */
	m0 = date_month_start(settings_today(&set, now));
	app_revenue_window_dates(settings_today(&set, now), from, to);
	app_score_window(settings_today(&set, now), first, last);
	if ((rc = app_account_figures(c, &set, settings_today(&set, now), 0, account_id, from, to,
	                              &figs, NULL)) != KAM_OK)
		return rc;
#define FIG(n) json_incref(json_object_get(json_object_get(figs, n), "value"))
	bad |= json_object_set_new(doc, "kpis",
	                           json_pack("{s:o?,s:o?,s:o?,s:o?}", "revenue_12m", FIG("revenue"),
	                                     "nrr", FIG("nrr"), "nps", FIG("nps"), "sla_compliance",
	                                     FIG("sla_compliance")));
#undef FIG
	json_decref(figs);
	bad |=
	    json_object_set_new(doc, "kpi_period", json_pack("{s:s,s:s}", "from", from, "to", to));
	bad |= json_object_set_new(doc, "currency", json_string(set.base_currency));
	if ((rc = store_revenue_by_month(c, account_id, first, last, &months)) != KAM_OK)
		return rc;
	/* every month of the twelve, zero where nothing was booked */
	series = json_array();
	for (int k = -12; k <= -1; k++) {
		json_t *have = json_array_get(months, j);

		date_format_month(date_add_months_clamped(m0, k), m);
		if (have && !strcmp(str(have, "month"), m)) {
			bad |= json_array_append(series, have);
			j++;
		} else {
			bad |= json_array_append_new(
			    series, json_pack("{s:s,s:i}", "month", m, "amount", 0));
		}
	}
	json_decref(months);
	bad |= json_object_set_new(doc, "revenue_by_month", series);
	return bad ? KAM_ENOMEM : KAM_OK;
}

/* A measured objective's money figures (revenue) in major units of their currency, named in
 * its metric, as a reader of the document reads amounts. */
static void money_major(json_t *o, const json_t *measured)
{
	const char *cur = json_string_value(json_object_get(measured, "currency"));
	double scale = 1;

	if (cur == NULL || strcmp(json_string_value(json_object_get(measured, "kpi")), "revenue"))
		return;
	for (int d = money_digits(cur); d > 0; d--)
		scale *= 10;
	for (const char *const *k = (const char *const[]){"baseline", "target", "current", NULL};
	     *k; k++)
		if (json_is_number(json_object_get(o, *k)))
			json_object_set_new(
			    o, *k, json_real(json_number_value(json_object_get(o, *k)) / scale));
	if (!json_is_string(json_object_get(o, "metric")))
		json_object_set_new(o, "metric", json_sprintf("revenue (%s)", cur));
}

int app_plan_document_data(struct store_conn *c, int64_t plan_id, int64_t now, json_t **out)
{
	static const char *const obj_keys[] = {"title",   "metric", "baseline", "target",
	                                       "current", "due_on", "status",   NULL};
	static const char *const person_keys[] = {"name",     "title",         "influence",
	                                          "attitude", "decision_role", NULL};
	static const char *const risk_keys[] = {"title",  "category", "probability",
	                                        "impact", "status",   NULL};
	static const char *const context_keys[] = {"initiatives",     "swot_strengths",
	                                           "swot_weaknesses", "swot_opportunities",
	                                           "swot_threats",    NULL};
	static const char *const competitor_keys[] = {"name", "share_percent", "products", NULL};
	json_t *plan = NULL, *acc = NULL, *objs = NULL, *acts = NULL, *people = NULL, *risks = NULL,
	       *comps = NULL, *names = json_object(), *doc = NULL, *x, *arr;
	int64_t account_id;
	char today[DATE_LEN];
	struct settings set;
	size_t i;
	int rc, bad = 0; /* a part left out for want of memory: no document */

	if ((rc = app_settings_load(c, &set, NULL)) != KAM_OK)
		goto out;
	date_format(settings_today(&set, now), today);
	if ((rc = app_scores_fresh(c, now)) != KAM_OK ||
	    (rc = store_get(c, &model_plan, plan_id, &plan, NULL)) != KAM_OK)
		goto out;
	account_id = json_integer_value(json_object_get(plan, "account_id"));
	if ((rc = store_get(c, &model_account, account_id, &acc, NULL)) != KAM_OK ||
	    (rc = rows(c, &model_objective, "plan_id", plan_id, &objs)) != KAM_OK ||
	    (rc = rows(c, &model_action, "plan_id", plan_id, &acts)) != KAM_OK ||
	    (rc = rows(c, &model_contact, "account_id", account_id, &people)) != KAM_OK ||
	    (rc = rows(c, &model_risk, "account_id", account_id, &risks)) != KAM_OK ||
	    (rc = rows(c, &model_competitor, "account_id", account_id, &comps)) != KAM_OK)
		goto out;
	doc = json_pack(
	    "{s:s,s:{s:O?,s:O?,s:O?,s:O?,s:O?,s:o},s:{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}}",
	    "generated_on", today, "account", "id", json_object_get(acc, "id"), "name",
	    json_object_get(acc, "name"), "tier", json_object_get(acc, "tier"), "status",
	    json_object_get(acc, "status"), "industry", json_object_get(acc, "industry"), "owner",
	    user_name(c, names, json_object_get(acc, "owner_id")), "plan", "id",
	    json_object_get(plan, "id"), "title", json_object_get(plan, "title"), "period_start",
	    json_object_get(plan, "period_start"), "period_end",
	    json_object_get(plan, "period_end"), "status", json_object_get(plan, "status"),
	    "situation", json_object_get(plan, "situation"), "vision",
	    json_object_get(plan, "vision"));
	if (doc == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	arr = json_array();
	bad |= json_object_set_new(doc, "objectives", arr);
	json_array_foreach(objs, i, x)
	{
		/* a measured objective's figures are the data's (the caller checked access) */
		struct actor sys = {.now = now, .role = ROLE_ADMIN};
		json_t *o;
		double p;

		if ((rc = app_objective_measure(c, &sys, x)) != KAM_OK)
			goto out;
		o = pick(x, obj_keys);
		money_major(o, json_object_get(x, "measured"));

		bad |= json_object_set_new(o, "progress",
		                           plan_progress(x, &p) ? json_real(p) : json_null());
		bad |= json_array_append_new(arr, o);
	}
	arr = json_array();
	bad |= json_object_set_new(doc, "actions", arr);
	json_array_foreach(acts, i, x)
	{
		bad |= json_array_append_new(
		    arr, json_pack("{s:O?,s:o,s:O?,s:O?,s:b}", "title", json_object_get(x, "title"),
		                   "owner", user_name(c, names, json_object_get(x, "owner_id")),
		                   "due_on", json_object_get(x, "due_on"), "status",
		                   json_object_get(x, "status"), "overdue",
		                   plan_action_overdue(x, today)));
	}
	bad |= sort_array(arr, cmp_actions);
	arr = json_array();
	bad |= json_object_set_new(doc, "stakeholders", arr);
	json_array_foreach(people, i, x) bad |= json_array_append_new(arr, pick(x, person_keys));
	bad |= sort_array(arr, cmp_people);
	arr = json_array();
	bad |= json_object_set_new(doc, "risks", arr);
	json_array_foreach(risks, i, x)
	{
		if (str(x, "status") && !strcmp(str(x, "status"), "closed"))
			continue;
		json_t *r = pick(x, risk_keys);

		bad |= json_object_set_new(r, "owner",
		                           user_name(c, names, json_object_get(x, "owner_id")));
		bad |= json_array_append_new(arr, r);
	}
	bad |= sort_array(arr, cmp_risks);
	/* the plan's context: initiatives, the SWOT, and who else sells there */
	for (const char *const *k = context_keys; *k; k++)
		if (json_is_string(json_object_get(plan, *k)))
			bad |= json_object_set(json_object_get(doc, "plan"), *k,
			                       json_object_get(plan, *k));
	arr = json_array();
	bad |= json_object_set_new(doc, "competitors", arr);
	json_array_foreach(comps, i, x) bad |= json_array_append_new(arr, pick(x, competitor_keys));
	if (bad) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if ((rc = kpis(c, account_id, now, doc)) != KAM_OK)
		goto out;
	*out = doc;
	doc = NULL;
out:
	json_decref(plan);
	json_decref(acc);
	json_decref(objs);
	json_decref(acts);
	json_decref(people);
	json_decref(risks);
	json_decref(names);
	json_decref(comps);
	json_decref(doc);
	return rc;
}

int app_plan_document_render(const json_t *doc, const char *format, char **buf, size_t *len,
                             char *err, size_t errlen)
{
	int rc;

	if (!strcmp(format, "pdf"))
		return app_plan_document_pdf(doc, buf, len, err, errlen);
	if (strcmp(format, "html") != 0) {
		snprintf(err, errlen, "format must be pdf or html");
		return KAM_EINVAL;
	}
	rc = plandoc_html(doc, buf, len);
	if (rc != KAM_OK)
		snprintf(err, errlen, "out of memory rendering the HTML");
	return rc;
}

int app_plan_document(struct store_conn *db, const struct actor *who, int64_t plan_id, int64_t now,
                      const char *format, struct app_document *out, char *err, size_t errlen)
{
	json_t *plan = NULL, *doc = NULL;
	int rc;

	*out = (struct app_document){0};
	/* a plan on an account who may not see does not exist for them */
	if ((rc = store_get(db, &model_plan, plan_id, &plan, NULL)) != KAM_OK ||
	    (rc = app_account_visible(db, who,
	                              json_integer_value(json_object_get(plan, "account_id")),
	                              NULL, NULL)) != KAM_OK)
		goto out;
	if ((rc = app_plan_document_data(db, plan_id, now, &doc)) != KAM_OK)
		goto out;
	if ((rc = app_plan_document_render(doc, format, &out->buf, &out->len, err, errlen)) !=
	    KAM_OK)
		goto out;
	plandoc_filename(doc, format, out->filename, sizeof(out->filename));
out:
	json_decref(plan);
	json_decref(doc);
	return rc;
}
