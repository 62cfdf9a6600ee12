/* My work, the alerts inbox and the global search (app/mywork.h). */
#include <stdlib.h>
#include <string.h>
#include "app/mywork.h"
#include "app/scores.h"
#include "kam/settings.h"
#include "store/mywork.h"
#include "util/time.h"

static const struct {
	const char *rule, *label;
} rule_labels[] = {
    {"no_interaction", "No contact for a while"},
    {"detractor", "Unhappy client (NPS detractor)"},
    {"health_drop", "Health dropped sharply"},
    {"overdue_action", "Actions past their due date"},
    {"sla_breach", "Support case past its SLA"},
    {"renewal_risk", "Renewal at risk"},
    {"revenue_decline", "Revenue falling year on year"},
    {"single_threaded", "Too few engaged contacts"},
    {"kam_over_capacity", "KAM has too many key accounts"},
    {"plan_review_overdue", "Plan review overdue"},
    {"stakeholder_change", "A key stakeholder left or turned against us"},
};

const char *app_alert_rule_label(const char *rule)
{
	for (size_t i = 0; rule && i < sizeof(rule_labels) / sizeof(rule_labels[0]); i++)
		if (!strcmp(rule_labels[i].rule, rule))
			return rule_labels[i].label;
	return rule;
}

static int sev_rank(const char *s)
{
	return !s ? 0 : !strcmp(s, "critical") ? 3 : !strcmp(s, "warning") ? 2 : 1;
}

/* A stored alert row as it goes out: times as RFC 3339, evidence as JSON, a plain label. */
static void alert_out(json_t *a)
{
	static const char *const times[] = {"opened_at", "snoozed_until"};
	const char *ev = json_string_value(json_object_get(a, "evidence"));
	json_t *j = ev ? json_loads(ev, 0, NULL) : NULL;

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		json_t *v = json_object_get(a, times[i]);
		char ts[32];

		if (json_is_integer(v)) {
			time_rfc3339(json_integer_value(v), ts, sizeof(ts));
			json_object_set_new(a, times[i], json_string(ts));
		}
	}
	if (j)
		json_object_set_new(a, "evidence", j);
	json_object_set_new(
	    a, "rule_label",
	    json_string(app_alert_rule_label(json_string_value(json_object_get(a, "rule")))));
}

static int cmp_alert(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	int d = sev_rank(json_string_value(json_object_get(b, "severity"))) -
	        sev_rank(json_string_value(json_object_get(a, "severity")));

	if (d)
		return d;
	return strcmp(json_string_value(json_object_get(b, "opened_at")),
	              json_string_value(json_object_get(a, "opened_at")));
}

static int cmp_group(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	double pa = json_real_value(json_object_get(a, "priority")),
	       pb = json_real_value(json_object_get(b, "priority"));

	if (pa != pb)
		return pa < pb ? 1 : -1;
	return strcmp(json_string_value(json_object_get(a, "account_name")),
	              json_string_value(json_object_get(b, "account_name")));
}

/* Rows of alerts (taken) grouped by account, sorted by severity × revenue. */
static json_t *group_alerts(json_t *rows)
{
	json_t *groups = json_array(), *byid = json_object(), *row;
	json_t **v;
	size_t i, n;

	json_array_foreach(rows, i, row)
	{
		json_t *acc = json_object_get(row, "account_id"), *g;
		char key[48];

		alert_out(row);
		if (json_is_integer(acc))
			snprintf(key, sizeof(key), "a%lld", (long long)json_integer_value(acc));
		else
			snprintf(key, sizeof(key), "u%lld",
			         (long long)json_integer_value(json_object_get(row, "owner_id")));
		g = json_object_get(byid, key);
		if (g == NULL) {
			const char *name = json_string_value(json_object_get(row, "account_name"));

			g = json_pack("{s:O,s:s,s:O,s:O,s:O,s:[],s:s,s:f}", "account_id", acc,
			              "account_name", name ? name : "KAM workload", "owner_id",
			              json_object_get(row, "owner_id"), "owner_name",
			              json_object_get(row, "owner_name"), "revenue_12m",
			              json_object_get(row, "revenue_12m"), "alerts", "severity",
			              "info", "priority", 0.0);
			if (g == NULL)
				continue;
			json_object_set_new(byid, key, g);
			json_array_append(groups, g);
		}
		json_array_append(json_object_get(g, "alerts"), row);
		if (sev_rank(json_string_value(json_object_get(row, "severity"))) >
		    sev_rank(json_string_value(json_object_get(g, "severity"))))
			json_object_set(g, "severity", json_object_get(row, "severity"));
	}
	json_decref(rows);
	json_decref(byid);
	/* the worst severity weighs the revenue (at least one unit, so severity still orders
	 * accounts without revenue) */
	n = json_array_size(groups);
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL) {
		json_decref(groups);
		return NULL;
	}
	json_array_foreach(groups, i, row)
	{
		json_t *al = json_object_get(row, "alerts");
		size_t na = json_array_size(al);
		json_t **w = calloc(na + 1, sizeof(*w));
		double rev = (double)json_integer_value(json_object_get(row, "revenue_12m"));

		json_object_set_new(
		    row, "priority",
		    json_real(sev_rank(json_string_value(json_object_get(row, "severity"))) *
		              (rev > 1 ? rev : 1)));
		if (w) {
			for (size_t k = 0; k < na; k++)
				w[k] = json_incref(json_array_get(al, k));
			qsort(w, na, sizeof(*w), cmp_alert);
			json_array_clear(al);
			for (size_t k = 0; k < na; k++)
				json_array_append_new(al, w[k]);
			free(w);
		}
		v[i] = json_incref(row);
	}
	qsort(v, n, sizeof(*v), cmp_group);
	json_array_clear(groups);
	for (i = 0; i < n; i++)
		json_array_append_new(groups, v[i]);
	free(v);
	return groups;
}

/* Checks that id names a user (anyone may read the list of users, so this hides nothing). */
static int owner_ok(struct store_conn *db, int64_t id, json_t **user, struct kam_errinfo *ei)
{
	if (id > 0 && store_get(db, &model_user, id, user, NULL) == KAM_OK)
		return KAM_OK;
	err_field(ei, "owner", "is not a user");
	return KAM_EINVAL;
}

int app_work(struct store_conn *db, struct actor *who, const struct app_work_query *q, json_t **out,
             struct kam_errinfo *ei)
{
	struct store_work_scope sc = {q->owner ? q->owner : who->user_id, actor_scope(who)};
	char today[DATE_LEN], until[DATE_LEN], horizon[DATE_LEN];
	int days = q->days, ahead = q->horizon ? q->horizon : 90, limit = q->limit ? q->limit : 100;
	json_t *user = NULL, *rows = NULL, *alerts = NULL, *res = NULL, *overdue, *week, *r;
	struct settings s;
	date_t d;
	size_t i;
	int rc;

	if ((rc = owner_ok(db, sc.owner, &user, ei)) != KAM_OK)
		goto out;
	if (days < 0 || days > 3650) {
		err_field(ei, "days", "must be a whole number of days from 1 to 3650");
		rc = KAM_EINVAL;
		goto out;
	}
	if (ahead != 30 && ahead != 90) {
		err_field(ei, "horizon", "must be 30 or 90 (days ahead)");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		goto out;
	if (days == 0)
		days = s.alert_threshold[AR_NO_INTERACTION];
	if ((rc = app_actor_today(db, who)) != KAM_OK)
		goto out;
	d = who->today;
	date_format(d, today);
	/* this week: today and the six days after it */
	date_format(date_add_days_clamped(d, 6), until);
	date_format(date_add_days_clamped(d, ahead), horizon);
	if ((rc = store_work_rows(db, &sc, today, until, horizon, who->now - (int64_t)days * 86400,
	                          limit, &rows)) != KAM_OK)
		goto out;
	if ((rc = store_work_alerts(db, &sc, true, "open", NULL, NULL, limit, &alerts)) != KAM_OK)
		goto out;
	overdue = json_array();
	week = json_array();
	json_array_foreach(json_object_get(rows, "actions"), i, r)
	{
		const char *due = json_string_value(json_object_get(r, "due_on"));
		date_t dd;

		if (due && date_parse(due, &dd) == KAM_OK)
			json_object_set_new(r, "days_overdue",
			                    json_integer(d - dd > 0 ? d - dd : 0));
		json_array_append(due && strcmp(due, today) < 0 ? overdue : week, r);
	}
	json_array_foreach(json_object_get(rows, "dates"), i, r)
	{
		date_t dd;

		if (date_parse(json_string_value(json_object_get(r, "day")), &dd) == KAM_OK)
			json_object_set_new(r, "days_away", json_integer(dd - d));
	}
	json_array_foreach(json_object_get(rows, "quiet"), i, r)
	{
		json_t *last = json_object_get(r, "last_interaction_at");
		char ts[32];

		if (json_is_integer(last)) {
			int64_t t = json_integer_value(last);

			json_object_set_new(r, "days_since", json_integer((who->now - t) / 86400));
			time_rfc3339(t, ts, sizeof(ts));
			json_object_set_new(r, "last_interaction_at", json_string(ts));
		} else {
			json_object_set_new(r, "days_since", json_null());
		}
	}
	res = json_pack("{s:{s:O,s:O,s:O},s:s,s:s,s:i,s:i,s:o,s:o,s:O,s:O,s:i}", "owner", "id",
	                json_object_get(user, "id"), "name", json_object_get(user, "name"), "role",
	                json_object_get(user, "role"), "today", today, "week_end", until, "days",
	                days, "horizon", ahead, "overdue", overdue, "this_week", week, "dates",
	                json_object_get(rows, "dates"), "quiet", json_object_get(rows, "quiet"),
	                "limit", limit);
	if (res == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	json_object_set_new(res, "alerts", group_alerts(alerts));
	alerts = NULL;
	*out = res;
out:
	json_decref(user);
	json_decref(rows);
	json_decref(alerts);
	return rc;
}

static bool one_of(const char *v, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, names[i]))
			return true;
	return false;
}

int app_alert_inbox(struct store_conn *db, struct actor *who, const struct app_inbox_query *q,
                    json_t **out, struct kam_errinfo *ei)
{
	static const char *const states[] = {"open", "acknowledged", "snoozed", "resolved", "all"};
	static const char *const sevs[] = {"info", "warning", "critical"};
	struct store_work_scope sc = {q->owner, actor_scope(who)};
	const char *state = q->state ? q->state : "open";
	json_t *user = NULL, *rows = NULL, *groups;
	struct settings s;
	int rc, limit = q->limit ? q->limit : 500;

	if (q->owner && (rc = owner_ok(db, q->owner, &user, ei)) != KAM_OK)
		return rc;
	json_decref(user);
	if (!one_of(state, states, 5))
		err_field(ei, "state", "must be open, acknowledged, snoozed, resolved or all");
	if (q->severity && !one_of(q->severity, sevs, 3))
		err_field(ei, "severity", "must be info, warning or critical");
	if (q->rule && !one_of(q->rule, alert_rule_names, AR__MAX))
		err_field(ei, "rule", "is not an alert rule");
	if (ei->errors)
		return KAM_EINVAL;
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		return rc;
	if ((rc = store_work_alerts(db, &sc, true, strcmp(state, "all") ? state : NULL, q->severity,
	                            q->rule, limit, &rows)) != KAM_OK)
		return rc;
	{
		size_t total = json_array_size(rows);

		groups = group_alerts(rows);
		if (groups == NULL)
			return KAM_ENOMEM;
		*out = json_pack("{s:o,s:I,s:s,s:b}", "groups", groups, "total", (json_int_t)total,
		                 "currency", s.base_currency, "truncated", total >= (size_t)limit);
	}
	return *out ? KAM_OK : KAM_ENOMEM;
}

int app_search(struct store_conn *db, const struct actor *who, const char *q, int limit,
               json_t **out, struct kam_errinfo *ei)
{
	size_t chars = 0;
	json_t *res = NULL;
	int rc;

	if (q == NULL) {
		err_field(ei, "q", "is required: at least 2 characters");
		return KAM_EINVAL;
	}
	for (const char *c = q; *c; c++)
		chars += ((unsigned char)*c & 0xC0) != 0x80;
	if (chars > APP_SEARCH_MAX) {
		err_field(ei, "q", "is too long: at most %d characters", APP_SEARCH_MAX);
		return KAM_EINVAL;
	}
	if (limit < 0 || limit > 20) {
		err_field(ei, "limit", "must be from 1 to 20");
		return KAM_EINVAL;
	}
	if (limit == 0)
		limit = 5;
	/* too short to mean anything: an empty answer, not an error, so a search box can ask
	 * as the user types */
	if (chars < 2) {
		*out = json_pack("{s:s,s:[],s:[],s:[],s:[]}", "q", q, "accounts", "contacts",
		                 "actions", "opportunities");
		return *out ? KAM_OK : KAM_ENOMEM;
	}
	rc = store_search(db, actor_scope(who), q, limit, &res);
	if (rc != KAM_OK)
		return rc;
	json_object_set_new(res, "q", json_string(q));
	*out = res;
	return KAM_OK;
}
