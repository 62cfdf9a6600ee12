/* Playbooks, their runs and "why did this fire?" (app/playbooks.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/mywork.h"
#include "app/playbooks.h"
#include "app/record.h"
#include "app/scores.h"
#include "kam/playbook.h"
#include "store/playbook.h"
#include "util/buf.h"
#include "util/time.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static bool staff(const struct actor *who)
{
	return who->role == ROLE_ADMIN || who->role == ROLE_DIRECTOR;
}

int app_playbooks_get(struct store_conn *db, const struct actor *who, int64_t id, json_t **out)
{
	json_t *rows = NULL;
	int rc;

	(void)who;
	*out = NULL;
	if ((rc = store_playbooks(db, id, &rows)) != KAM_OK)
		return rc;
	*out = id ? json_incref(json_array_get(rows, 0)) : json_pack("{s:O}", "items", rows);
	json_decref(rows);
	return *out ? KAM_OK : KAM_ENOMEM;
}

static int refuse_non_staff(const struct actor *who, struct kam_errinfo *ei)
{
	if (staff(who))
		return KAM_OK;
	err_detail(ei, "only admins and directors may change playbooks");
	return KAM_EFORBIDDEN;
}

/* The conflict a duplicate name makes, named. */
static int name_conflict(int rc, struct kam_errinfo *ei)
{
	if (rc == KAM_ECONFLICT)
		err_field(ei, "name", "another playbook has this name");
	return rc;
}

int app_playbook_create(struct store_conn *db, const struct actor *who, json_t *body, json_t **out,
                        struct kam_errinfo *ei)
{
	json_t *pb = NULL;
	int64_t id = 0;
	int rc;

	*out = NULL;
	if ((rc = refuse_non_staff(who, ei)) != KAM_OK ||
	    (rc = playbook_check(body, &pb, ei)) != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto out;
	if ((rc = name_conflict(store_playbook_insert(db, pb, time_now(), &id), ei)) == KAM_OK &&
	    (rc = app_playbooks_get(db, who, id, out)) == KAM_OK &&
	    (rc = app_audit(db, who, "create", "playbook", id, NULL, *out)) == KAM_OK)
		rc = store_commit(db);
	if (rc != KAM_OK)
		store_rollback(db);
out:
	if (rc != KAM_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(pb);
	return rc;
}

int app_playbook_update(struct store_conn *db, const struct actor *who, int64_t id, json_t *body,
                        int64_t want, json_t **out, struct kam_errinfo *ei)
{
	json_t *before = NULL, *merged = NULL, *pb = NULL, *v;
	const char *k;
	int rc;

	*out = NULL;
	if ((rc = refuse_non_staff(who, ei)) != KAM_OK)
		return rc;
	if (!json_is_object(body)) {
		err_detail(ei, "the body must be a JSON object with the fields to change");
		return KAM_EINVAL;
	}
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_playbooks_get(db, who, id, &before)) != KAM_OK)
		goto out;
	/* the stored playbook with the body's fields over it; a trigger merges field by field */
	merged = json_pack("{s:O,s:O,s:O,s:O,s:O}", "name", json_object_get(before, "name"),
	                   "description", json_object_get(before, "description"), "enabled",
	                   json_object_get(before, "enabled"), "trigger",
	                   json_object_get(before, "trigger"), "steps",
	                   json_object_get(before, "steps"));
	if (merged == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	/* stored steps carry their position; the check wants steps as written */
	{
		json_t *steps = json_array(), *s;
		size_t i;

		json_array_foreach(json_object_get(before, "steps"), i, s)
		{
			json_t *x = json_deep_copy(s);

			json_object_del(x, "position");
			json_array_append_new(steps, x);
		}
		json_object_set_new(merged, "steps", steps);
	}
	json_object_foreach(body, k, v)
	{
		if (!strcmp(k, "trigger") && json_is_object(v)) {
			json_t *t = json_deep_copy(json_object_get(before, "trigger"));

			json_object_update(t, v);
			json_object_set_new(merged, k, t);
		} else {
			json_object_set(merged, k, v);
		}
	}
	if ((rc = playbook_check(merged, &pb, ei)) != KAM_OK)
		goto out;
	if ((rc = name_conflict(store_playbook_update(db, id, pb, want, time_now()), ei)) !=
	        KAM_OK ||
	    (rc = app_playbooks_get(db, who, id, out)) != KAM_OK ||
	    (rc = app_audit(db, who, "update", "playbook", id, before, *out)) != KAM_OK)
		goto out;
	rc = store_commit(db);
out:
	if (rc != KAM_OK) {
		store_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	json_decref(before);
	json_decref(merged);
	json_decref(pb);
	return rc;
}

int app_playbook_delete(struct store_conn *db, const struct actor *who, int64_t id, int64_t want,
                        struct kam_errinfo *ei)
{
	json_t *before = NULL;
	int rc;

	if ((rc = refuse_non_staff(who, ei)) != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_playbooks_get(db, who, id, &before)) == KAM_OK) {
		if (want >= 0 && num(before, "version") != want)
			rc = KAM_ESTALE;
		else if ((rc = store_playbook_delete(db, id)) == KAM_OK &&
		         (rc = app_audit(db, who, "delete", "playbook", id, before, NULL)) ==
		             KAM_OK)
			rc = store_commit(db);
	}
	if (rc != KAM_OK)
		store_rollback(db);
	json_decref(before);
	return rc;
}

/* ---- why: the rows an alert rests on, with links ---- */

/* Where a row of kind lives: its screen (a hash of the web app) and its API path. */
static void link_row(json_t *row, int64_t account_id)
{
	static const struct {
		const char *kind, *tab, *api;
	} k[] = {
	    {"case", "cases", "/api/v1/cases/"},
	    {"action", "plan", "/api/v1/actions/"},
	    {"survey", "surveys", "/api/v1/surveys/"},
	    {"opportunity", "opportunities", "/api/v1/opportunities/"},
	    {"interaction", "activity", "/api/v1/interactions/"},
	    {"contact", "stakeholders", "/api/v1/contacts/"},
	    {"review", "plan", "/api/v1/reviews/"},
	    {"account", NULL, "/api/v1/accounts/"},
	};
	const char *kind = str(row, "kind");
	int64_t id = num(row, "id");
	char b[128];

	for (size_t i = 0; kind && i < sizeof(k) / sizeof(k[0]); i++) {
		if (strcmp(kind, k[i].kind))
			continue;
		if (k[i].tab)
			snprintf(b, sizeof(b), "#/accounts/%lld/%s", (long long)account_id,
			         k[i].tab);
		else
			snprintf(b, sizeof(b), "#/accounts/%lld", (long long)id);
		json_object_set_new(row, "href", json_string(b));
		snprintf(b, sizeof(b), "%s%lld", k[i].api, (long long)id);
		json_object_set_new(row, "api", json_string(b));
	}
	/* times as RFC 3339, as everywhere else */
	if (json_is_integer(json_object_get(row, "at"))) {
		char ts[32];

		time_rfc3339(num(row, "at"), ts, sizeof(ts));
		json_object_set_new(row, "at", json_string(ts));
	}
}

/* The rows behind an alert of rule on account (user for a workload alert). */
static int why_rows(struct store_conn *db, const struct settings *s, int64_t now, const char *rule,
                    int64_t account, int64_t user, const json_t *ev, json_t **out)
{
	char today[DATE_LEN];
	json_t *rows = NULL, *r;
	size_t i;
	int rc;

	date_format(settings_today(s, now), today);
	rc = store_why_rows(db, rule, account, user, num(ev, "survey_id"), today, &rows);
	if (rc != KAM_OK)
		return rc;
	*out = json_array();
	json_array_foreach(rows, i, r)
	{
		/* an SLA breach rests on the cases past their target, not every open one */
		if (!strcmp(rule, "sla_breach")) {
			enum severity sv = settings_severity(str(r, "severity"));
			int64_t past =
			    sv < SEV__MAX ? (now - num(r, "at")) / 3600 - s->sla_hours[sv] : -1;

			if (past < 0)
				continue;
			json_object_set_new(r, "hours_past_target", json_integer(past));
		}
		link_row(r, account);
		json_array_append(*out, r);
	}
	json_decref(rows);
	return KAM_OK;
}

/* The why of an alert row (evidence as JSON): rule, threshold, value, rows, started_by. */
static int alert_why(struct store_conn *db, const struct settings *s, int64_t now,
                     const json_t *alert, json_t **out)
{
	const char *rule = str(alert, "rule");
	json_t *ev = json_object_get(alert, "evidence"), *rows = NULL;
	int rc;

	*out = NULL;
	if (rule == NULL)
		return KAM_OK;
	if ((rc = why_rows(db, s, now, rule, num(alert, "account_id"), num(alert, "user_id"), ev,
	                   &rows)) != KAM_OK)
		return rc;
	*out = playbook_alert_why(rule, ev, s);
	if (*out == NULL) {
		json_decref(rows);
		return KAM_ENOMEM;
	}
	json_object_set_new(*out, "rule_label", json_string(app_alert_rule_label(rule)));
	json_object_set_new(*out, "rows", rows);
	json_object_set_new(*out, "started_by",
	                    json_pack("{s:s,s:s,s:O}", "kind", "rule", "label",
	                              "the alerts job, which evaluates every rule each minute",
	                              "at", json_object_get(alert, "opened_at")));
	return KAM_OK;
}

int app_alert_why(struct store_conn *db, json_t *alert)
{
	struct settings s;
	json_t *why = NULL, *runs = NULL;
	int rc;

	int64_t at = time_now();
	const char *upd = str(alert, "updated_at");

	/* measured when the alerts job last looked at it (KAM_NOW in tests), not now */
	if (upd)
		date_parse_time(upd, &at);
	else if (json_is_integer(json_object_get(alert, "updated_at")))
		at = num(alert, "updated_at");
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK ||
	    (rc = alert_why(db, &s, at, alert, &why)) != KAM_OK)
		return rc;
	json_object_set_new(alert, "why", why ? why : json_null());
	if (json_is_integer(json_object_get(alert, "id")) &&
	    (rc = store_alert_runs(db, num(alert, "id"), &runs)) == KAM_OK)
		json_object_set_new(alert, "runs", runs);
	return rc;
}

/* ---- runs ---- */

/* What started a run. */
struct trigger {
	const char *kind; /* manual, alert, review */
	char key[64];     /* unique per (playbook, account) */
	int64_t alert_id, review_id, started_by;
	date_t start;       /* the day step offsets count from */
	json_t *why;        /* borrowed: the run's why, completed here */
	bool may_make_plan; /* automatic starts make a plan when the account has none */
};

/* A plan for a playbook started automatically on an account without an active one: a year
 * from today, active, named like the plans the web app makes. */
static int make_plan(struct store_conn *db, const struct actor *who, int64_t account_id,
                     date_t today, int64_t *plan_id, struct kam_errinfo *ei)
{
	json_t *acc = NULL, *rec, *after = NULL;
	char from[DATE_LEN], to[DATE_LEN], title[300];
	int rc = store_get(db, &model_account, account_id, &acc, NULL);

	if (rc != KAM_OK)
		return rc;
	date_format(today, from);
	date_format(date_add_days_clamped(today, 364), to);
	snprintf(title, sizeof(title), "%.200s account plan %.4s", str(acc, "name"), from);
	rec = json_pack("{s:I,s:s,s:s,s:s,s:s}", "account_id", (json_int_t)account_id, "title",
	                title, "period_start", from, "period_end", to, "status", "active");
	rc = rec ? app_res_insert(db, who, &res_plans, rec, &after, ei) : KAM_ENOMEM;
	if (rc == KAM_OK)
		*plan_id = num(after, "id");
	json_decref(rec);
	json_decref(after);
	json_decref(acc);
	return rc;
}

/* The objective of plan_id titled title, made when the plan has none. */
static int objective_for(struct store_conn *db, const struct actor *who, int64_t plan_id,
                         const char *title, int64_t *id, struct kam_errinfo *ei)
{
	json_t *rec, *after = NULL;
	int rc = store_plan_objective(db, plan_id, title, id);

	if (rc != KAM_ENOTFOUND)
		return rc;
	rec = json_pack("{s:I,s:s,s:s,s:b}", "plan_id", (json_int_t)plan_id, "title", title,
	                "status", "on_track", "client_visible", 0);
	rc = rec ? app_res_insert(db, who, &res_objectives, rec, &after, ei) : KAM_ENOMEM;
	if (rc == KAM_OK)
		*id = num(after, "id");
	json_decref(rec);
	json_decref(after);
	return rc;
}

/*
 * Starts playbook pb on account_id for trigger t inside the open write transaction, writing
 * as who: the run, then each step as an action of the active plan (owner from its role, else
 * the KAM; due start + offset; its objective found or made), linked to the run.
 */
static int start_run(struct store_conn *db, const struct actor *who, const json_t *pb,
                     int64_t account_id, struct trigger *t, int64_t *run_id, struct kam_errinfo *ei)
{
	struct store_run r = {0};
	json_t *s, *run = NULL;
	int64_t plan_id = 0, kam = 0;
	char start[DATE_LEN], *why = NULL;
	size_t i;
	int rc;

	if ((rc = store_run_find(db, num(pb, "id"), account_id, t->key, run_id)) == KAM_OK) {
		err_detail(ei, "this trigger already started %s on this account", str(pb, "name"));
		return KAM_ECONFLICT;
	}
	if (rc != KAM_ENOTFOUND)
		return rc;
	rc = store_active_plan(db, account_id, &plan_id);
	if (rc == KAM_ENOTFOUND && t->may_make_plan) {
		if ((rc = make_plan(db, who, account_id, t->start, &plan_id, ei)) != KAM_OK)
			return rc;
		json_object_set_new(t->why, "plan_created", json_true());
	} else if (rc == KAM_ENOTFOUND) {
		err_detail(ei,
		           "the account has no active plan for the playbook's actions: create or "
		           "activate one on its plan tab, then start the playbook");
		return KAM_ECONFLICT;
	} else if (rc != KAM_OK) {
		return rc;
	}
	date_format(t->start, start);
	why = json_dumps(t->why, JSON_COMPACT);
	if (why == NULL)
		return KAM_ENOMEM;
	r = (struct store_run){.playbook_id = num(pb, "id"),
	                       .version = num(pb, "version"),
	                       .account_id = account_id,
	                       .plan_id = plan_id,
	                       .alert_id = t->alert_id,
	                       .review_id = t->review_id,
	                       .started_by = t->started_by,
	                       .name = str(pb, "name"),
	                       .started_on = start,
	                       .trigger_kind = t->kind,
	                       .trigger_key = t->key,
	                       .why = why};
	if ((rc = store_run_insert(db, &r, time_now(), run_id)) != KAM_OK)
		goto out;
	if ((rc = store_role_user(db, account_id, "kam", &kam)) != KAM_OK)
		goto out;
	json_array_foreach(json_object_get(pb, "steps"), i, s)
	{
		const char *role = str(s, "owner_role"), *obj = str(s, "objective_title");
		int64_t owner = 0, objective = 0;
		json_t *rec, *after = NULL;
		char due[DATE_LEN];

		if (role && (rc = store_role_user(db, account_id, role, &owner)) != KAM_OK)
			goto out;
		if (owner == 0)
			owner = kam;
		if (obj && (rc = objective_for(db, who, plan_id, obj, &objective, ei)) != KAM_OK)
			goto out;
		date_format(playbook_due(t->start, (int)num(s, "offset_days")), due);
		rec = json_pack("{s:I,s:O,s:o,s:s,s:s,s:o,s:b}", "plan_id", (json_int_t)plan_id,
		                "title", json_object_get(s, "title"), "owner_id",
		                owner ? json_integer(owner) : json_null(), "due_on", due, "status",
		                "open", "objective_id",
		                objective ? json_integer(objective) : json_null(), "client_visible",
		                0);
		rc = rec ? app_res_insert(db, who, &res_actions, rec, &after, ei) : KAM_ENOMEM;
		if (rc == KAM_OK)
			rc = store_run_link(db, *run_id, num(after, "id"), (int)i + 1);
		json_decref(rec);
		json_decref(after);
		if (rc != KAM_OK)
			goto out;
	}
	run =
	    json_pack("{s:I,s:O,s:I,s:I,s:s,s:s}", "playbook_id", (json_int_t)r.playbook_id, "name",
	              json_object_get(pb, "name"), "version", (json_int_t)r.version, "account_id",
	              (json_int_t)account_id, "trigger", t->key, "started_on", start);
	rc = app_audit(db, who, "create", "playbook_run", *run_id, NULL, run);
out:
	json_decref(run);
	free(why);
	return rc;
}

/* A run row as it goes out: trigger, state, progress, why as JSON, its steps. */
static int run_out(struct store_conn *db, json_t *row)
{
	int total = (int)num(row, "total"), done = (int)num(row, "done"),
	    cancelled = (int)num(row, "cancelled"), open = (int)num(row, "open"),
	    overdue = (int)num(row, "overdue");
	const char *w = str(row, "why");
	json_t *why = w ? json_loads(w, 0, NULL) : NULL, *steps = NULL;
	int rc;

	json_object_set_new(row, "why", why ? why : json_null());
	json_object_set_new(row, "state", json_string(playbook_run_state(total, open, overdue)));
	json_object_set_new(
	    row, "progress",
	    json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "done", done, "total", total, "cancelled",
	              cancelled, "open", open, "overdue", overdue, "percent",
	              total - cancelled > 0 ? done * 100 / (total - cancelled) : 100));
	json_object_set_new(row, "trigger",
	                    json_pack("{s:O,s:O,s:O}", "kind", json_object_get(row, "trigger_kind"),
	                              "alert_id", json_object_get(row, "alert_id"), "review_id",
	                              json_object_get(row, "review_id")));
	if (json_is_integer(json_object_get(row, "created_at"))) {
		char ts[32];

		time_rfc3339(num(row, "created_at"), ts, sizeof(ts));
		json_object_set_new(row, "created_at", json_string(ts));
	}
	json_object_del(row, "total");
	json_object_del(row, "done");
	json_object_del(row, "cancelled");
	json_object_del(row, "open");
	json_object_del(row, "overdue");
	if ((rc = store_run_steps(db, num(row, "id"), &steps)) != KAM_OK)
		return rc;
	json_object_set_new(row, "steps", steps);
	return KAM_OK;
}

int app_runs_list(struct store_conn *db, const struct actor *who, const struct app_run_filter *f,
                  json_t **out)
{
	struct store_run_query q = {.account_id = f->account_id,
	                            .owner_id = f->owner_id,
	                            .scope = actor_scope(who),
	                            .limit = 500};
	char today[DATE_LEN];
	json_t *rows = NULL, *items = NULL, *r;
	size_t i;
	int rc;

	*out = NULL;
	if (f->account_id &&
	    (rc = app_account_visible(db, who, f->account_id, NULL, NULL)) != KAM_OK)
		return rc;
	if ((rc = app_today_text(db, who, today)) != KAM_OK)
		return rc;
	q.today = today;
	if ((rc = store_runs(db, &q, &rows)) != KAM_OK)
		return rc;
	items = json_array();
	json_array_foreach(rows, i, r)
	{
		if ((rc = run_out(db, r)) != KAM_OK)
			break;
		if (f->state && strcmp(f->state, str(r, "state")) &&
		    !(!strcmp(f->state, "open") && !strcmp(str(r, "state"), "overdue")))
			continue;
		if (f->limit > 0 && json_array_size(items) >= (size_t)f->limit)
			break;
		json_array_append(items, r);
	}
	if (rc == KAM_OK)
		*out = json_pack("{s:O}", "items", items);
	json_decref(rows);
	json_decref(items);
	return rc == KAM_OK && *out == NULL ? KAM_ENOMEM : rc;
}

int app_run_get(struct store_conn *db, const struct actor *who, int64_t id, json_t **out)
{
	struct store_run_query q = {.id = id, .scope = actor_scope(who), .limit = 1};
	char today[DATE_LEN];
	json_t *rows = NULL;
	int rc;

	*out = NULL;
	if ((rc = app_today_text(db, who, today)) != KAM_OK)
		return rc;
	q.today = today;
	if ((rc = store_runs(db, &q, &rows)) != KAM_OK)
		return rc;
	if (json_array_size(rows) == 0)
		rc = KAM_ENOTFOUND;
	else if ((rc = run_out(db, json_array_get(rows, 0))) == KAM_OK)
		*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return rc;
}

int app_run_start(struct store_conn *db, const struct actor *who, int64_t account_id, json_t *body,
                  json_t **out, struct kam_errinfo *ei)
{
	struct trigger t = {.kind = "manual", .started_by = who->user_id};
	json_t *pb = NULL, *u = NULL, *v, *acc = NULL;
	bool owner = false, team = false;
	int64_t pid, run_id = 0, n = 0;
	const char *k;
	int rc;

	*out = NULL;
	if ((rc = app_account_visible(db, who, account_id, &owner, &team)) != KAM_OK) {
		err_detail(ei, "no such account");
		return rc;
	}
	if (!auth_account_writable(who->role, owner, team)) {
		err_detail(ei, "only the account's KAM, a KAM on its team, a director or an admin "
		               "may start a playbook on it");
		return KAM_EFORBIDDEN;
	}
	if (!json_is_object(body)) {
		err_detail(ei, "the body must be a JSON object {\"playbook_id\": 1}");
		return KAM_EINVAL;
	}
	json_object_foreach(body, k, v)
	{
		if (strcmp(k, "playbook_id")) {
			err_field(ei, k, "is not a field of a playbook start");
			rc = KAM_EINVAL;
		}
	}
	pid = num(body, "playbook_id");
	if (!json_is_integer(json_object_get(body, "playbook_id")) || pid < 1) {
		err_field(ei, "playbook_id", "must be the id of a playbook");
		rc = KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_playbooks_get(db, who, pid, &pb)) == KAM_ENOTFOUND) {
		err_field(ei, "playbook_id", "no such playbook");
		rc = KAM_EINVAL;
	}
	if (rc != KAM_OK)
		goto out;
	if (!json_is_true(json_object_get(pb, "enabled"))) {
		err_field(ei, "playbook_id",
		          "this playbook is disabled: enable it in Settings first");
		rc = KAM_ECONFLICT;
		goto out;
	}
	if ((rc = store_run_open_count(db, pid, account_id, &n)) != KAM_OK)
		goto out;
	if (n > 0) {
		err_detail(ei, "%s is already running on this account: finish its steps first",
		           str(pb, "name"));
		rc = KAM_ECONFLICT;
		goto out;
	}
	/* a person may start a playbook again once the last run is done: one key per start */
	if ((rc = store_run_count_manual(db, pid, account_id, &n)) != KAM_OK)
		goto out;
	snprintf(t.key, sizeof(t.key), "manual:%lld", (long long)n + 1);
	if ((rc = app_today(db, who, &t.start)) != KAM_OK)
		goto out;
	if (store_get(db, &model_user, who->user_id, &u, NULL) != KAM_OK)
		u = NULL;
	t.why = json_pack("{s:{s:s,s:I,s:O,s:s}}", "started_by", "kind", "user", "user_id",
	                  (json_int_t)who->user_id, "name",
	                  u ? json_object_get(u, "name") : json_null(), "label", "started by hand");
	if (t.why == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	if ((rc = start_run(db, who, pb, account_id, &t, &run_id, ei)) != KAM_OK ||
	    (rc = app_run_get(db, who, run_id, out)) != KAM_OK)
		goto out;
	rc = store_commit(db);
out:
	if (rc != KAM_OK) {
		store_rollback(db);
		json_decref(*out);
		*out = NULL;
	}
	json_decref(t.why);
	json_decref(pb);
	json_decref(u);
	json_decref(acc);
	return rc;
}

/* ---- the background part ---- */

static const json_t *playbook_of(const json_t *all, int64_t id)
{
	const json_t *p;
	size_t i;

	json_array_foreach(all, i, p) if (num(p, "id") == id) return p;
	return NULL;
}

int app_playbooks_run(struct store_conn *db, int64_t now, int *started)
{
	struct actor sys = {.user_id = 0, .role = ROLE_ADMIN, .now = now};
	struct settings s;
	json_t *all = NULL, *alerts = NULL, *reviews = NULL, *x;
	char today[DATE_LEN];
	date_t d;
	size_t i;
	int rc;

	*started = 0;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	if ((rc = app_settings_load(db, &s, NULL)) != KAM_OK)
		goto out;
	d = settings_today(&s, now);
	date_format(d, today);
	if ((rc = store_playbooks(db, 0, &all)) != KAM_OK ||
	    (rc = store_playbook_alerts(db, &alerts)) != KAM_OK ||
	    (rc = store_playbook_reviews(db, today, &reviews)) != KAM_OK)
		goto out;
	json_array_foreach(alerts, i, x)
	{
		struct kam_errinfo ei = {0};
		struct trigger t = {.kind = "alert",
		                    .alert_id = num(x, "alert_id"),
		                    .start = d,
		                    .may_make_plan = true};
		const json_t *pb = playbook_of(all, num(x, "playbook_id"));
		json_t *ev = json_loads(str(x, "evidence") ? str(x, "evidence") : "{}", 0, NULL),
		       *row = json_pack("{s:O,s:O,s:O,s:O}", "rule", json_object_get(x, "rule"),
		                        "evidence", ev ? ev : json_object(), "account_id",
		                        json_object_get(x, "account_id"), "opened_at",
		                        json_object_get(x, "opened_at"));
		int64_t run_id;

		if (json_is_integer(json_object_get(row, "opened_at"))) {
			char ts[32];

			time_rfc3339(num(row, "opened_at"), ts, sizeof(ts));
			json_object_set_new(row, "opened_at", json_string(ts));
		}
		rc = pb ? alert_why(db, &s, now, row, &t.why) : KAM_ENOTFOUND;
		if (rc == KAM_OK) {
			json_object_set_new(t.why, "alert_id", json_integer(t.alert_id));
			snprintf(t.key, sizeof(t.key), "alert:%lld", (long long)t.alert_id);
			rc = start_run(db, &sys, pb, num(x, "account_id"), &t, &run_id, &ei);
		}
		json_decref(ev);
		json_decref(row);
		json_decref(t.why);
		err_clear(&ei);
		if (rc != KAM_OK)
			goto out;
		++*started;
	}
	json_array_foreach(reviews, i, x)
	{
		struct kam_errinfo ei = {0};
		struct trigger t = {.kind = "review", .review_id = num(x, "review_id")};
		const json_t *pb = playbook_of(all, num(x, "playbook_id"));
		int64_t run_id;
		date_t on;

		/* the schedule: from days_before the planned review up to the review itself */
		if (pb == NULL || date_parse(str(x, "next_review_on"), &on) != KAM_OK)
			continue;
		t.start = date_add_days_clamped(on, -num(x, "days_before"));
		if (d < t.start)
			continue;
		snprintf(t.key, sizeof(t.key), "review:%lld:%s", (long long)t.review_id,
		         str(x, "next_review_on"));
		if (store_run_find(db, num(pb, "id"), num(x, "account_id"), t.key, &run_id) ==
		    KAM_OK)
			continue;
		t.why = json_pack(
		    "{s:{s:s,s:s,s:I,s:O,s:O},s:s,s:O,s:[{s:s,s:I,s:s,s:O,s:s,s:s}]}", "started_by",
		    "kind", "schedule", "label", "the review schedule", "review_id",
		    (json_int_t)t.review_id, "review_on", json_object_get(x, "next_review_on"),
		    "days_before", json_object_get(x, "days_before"), "condition",
		    "the plan's next review is within the playbook's days_before", "threshold",
		    json_object_get(x, "days_before"), "rows", "kind", "review", "id",
		    (json_int_t)t.review_id, "label", "the review that planned the next one",
		    "on_day", json_object_get(x, "next_review_on"), "href", "", "api", "");
		if (t.why == NULL) {
			rc = KAM_ENOMEM;
			goto out;
		}
		link_row(json_array_get(json_object_get(t.why, "rows"), 0), num(x, "account_id"));
		rc = start_run(db, &sys, pb, num(x, "account_id"), &t, &run_id, &ei);
		json_decref(t.why);
		err_clear(&ei);
		if (rc != KAM_OK)
			goto out;
		++*started;
	}
	rc = store_commit(db);
out:
	if (rc != KAM_OK)
		store_rollback(db);
	json_decref(all);
	json_decref(alerts);
	json_decref(reviews);
	return rc;
}
