/* Interactions, cases (with SLA state), risks (with the 5×5 matrix) and surveys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/record.h"
#include "app/scores.h"
#include "kam/date.h"
#include "kam/engagement.h"
#include "kam/settings.h"
#include "kam/validate.h"
#include "store/engagement.h"
#include "store/revenue.h"
#include "util/time.h"

static int64_t ts(const json_t *rec, const char *field)
{
	int64_t t = 0;
	const char *s = json_string_value(json_object_get(rec, field));

	return s && date_parse_time(s, &t) == KAM_OK ? t : 0;
}

static void set_ts(json_t *rec, const char *field, int64_t t)
{
	char buf[32];

	time_rfc3339(t, buf, sizeof(buf));
	json_object_set_new(rec, field, json_string(buf));
}

/* --- interactions --- */

static int interaction_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                               const json_t *before, struct kam_errinfo *ei)
{
	(void)db;
	(void)before;
	if (ts(rec, "occurred_at") > who->now + 86400) {
		err_field(ei, "occurred_at", "is more than a day in the future; log what happened");
		return KAM_EINVAL;
	}
	return KAM_OK;
}

/* Recomputes the derived last-contact stamps of everything the change touched. */
static int interaction_after(struct store_conn *db, const struct actor *who, const json_t *before,
                             const json_t *after)
{
	(void)who;
	const json_t *sides[2] = {before, after};
	int rc = KAM_OK;

	for (int s = 0; s < 2 && rc == KAM_OK; s++) {
		json_t *ids, *x;
		size_t i;

		if (sides[s] == NULL)
			continue;
		rc = store_account_last_interaction(
		    db, json_integer_value(json_object_get(sides[s], "account_id")));
		ids = json_object_get(sides[s], "contact_ids");
		json_array_foreach(ids, i, x)
		{
			if (rc == KAM_OK)
				rc = store_contact_last_contacted(db, json_integer_value(x));
		}
	}
	return rc;
}

/*
 * A meeting's follow-up action, made with it in one transaction (issue 13): the create body
 * of an interaction may hold follow_up {title, due_on, owner_id, objective_id}; the action
 * goes in the account's active plan. Its faults are named "follow_up.field", and any of
 * them leaves nothing stored, the interaction included.
 */
static const char *const follow_fields[] = {"title", "due_on", "owner_id", "objective_id"};

struct follow {
	json_t *body; /* the follow_up object as given */
	json_t *made; /* the stored action, decorated */
};

/* Moves every fault of from into to under "follow_up.": a field, or the detail alone. */
static void follow_errors(struct kam_errinfo *from, struct kam_errinfo *to)
{
	json_t *x;
	size_t i;
	char field[96];

	json_array_foreach(from->errors, i, x)
	{
		snprintf(field, sizeof(field), "follow_up.%s",
		         json_string_value(json_object_get(x, "field")));
		err_field(to, field, "%s", json_string_value(json_object_get(x, "message")));
	}
	if (!from->errors && from->detail[0] && !to->detail[0])
		err_detail(to, "follow_up: %s", from->detail);
	err_clear(from);
}

/* Checks the follow_up object as an action's create body (its plan is found later). */
static int follow_check(json_t *f, struct kam_errinfo *ei)
{
	struct kam_errinfo own = {0};
	const char *key;
	json_t *v, *probe;
	int rc = KAM_OK;

	if (!json_is_object(f)) {
		err_field(ei, "follow_up",
		          "must be an object {title, due_on, owner_id, objective_id}, or left out");
		return KAM_EINVAL;
	}
	json_object_foreach(f, key, v)
	{
		size_t i = 0;

		while (i < sizeof(follow_fields) / sizeof(follow_fields[0]) &&
		       strcmp(follow_fields[i], key) != 0)
			i++;
		if (i == sizeof(follow_fields) / sizeof(follow_fields[0]))
			err_field(&own, key,
			          "is not a field of a follow-up (title, due_on, owner_id, "
			          "objective_id)");
	}
	if (!own.errors) {
		/* the plan is the account's, found in the transaction: any id passes here */
		probe = json_deep_copy(f);
		json_object_set_new(probe, "plan_id", json_integer(1));
		validate_body(&model_action, probe, true, &own);
		json_decref(probe);
	}
	if (own.errors || own.detail[0])
		rc = KAM_EINVAL;
	follow_errors(&own, ei);
	return rc;
}

/* The active plan of account the follow-up goes in: the objective's when it names one of
 * them, else the one whose period holds today, else the latest begun, else the newest. */
static int follow_plan(struct store_conn *db, const struct actor *who, int64_t account,
                       const json_t *objective, int64_t *plan)
{
	struct store_list q = {.sort = "period_start", .desc = true, .limit = 100};
	json_t *plans = NULL, *x, *o = NULL;
	char *next = NULL, today[DATE_LEN];
	int64_t want = 0, holds = 0, begun = 0;
	size_t i;
	int rc;

	*plan = 0;
	if ((rc = app_today_text(db, who, today)) != KAM_OK)
		return rc;
	if (json_is_integer(objective) &&
	    store_get(db, &model_objective, json_integer_value(objective), &o, NULL) == KAM_OK)
		want = json_integer_value(json_object_get(o, "plan_id"));
	json_decref(o);
	q.filters = json_pack("{s:o,s:s}", "account_id", json_sprintf("%lld", (long long)account),
	                      "status", "active");
	rc = store_list(db, &model_plan, &q, &plans, &next);
	json_decref(q.filters);
	free(next);
	if (rc != KAM_OK)
		return rc;
	json_array_foreach(plans, i, x)
	{
		int64_t id = json_integer_value(json_object_get(x, "id"));
		const char *from = json_string_value(json_object_get(x, "period_start"));
		const char *to = json_string_value(json_object_get(x, "period_end"));

		if (id == want)
			*plan = id;
		if (!holds && from && to && strcmp(from, today) <= 0 && strcmp(to, today) >= 0)
			holds = id;
		if (!begun && from && strcmp(from, today) <= 0)
			begun = id;
	}
	if (*plan == 0)
		*plan = holds ? holds
		        : begun
		            ? begun
		            : json_integer_value(json_object_get(json_array_get(plans, 0), "id"));
	json_decref(plans);
	return *plan ? KAM_OK : KAM_ENOTFOUND;
}

/* Writes the follow-up action after the interaction rec, in its transaction. */
static int follow_write(struct store_conn *db, const struct actor *who, const json_t *rec,
                        void *arg, struct kam_errinfo *ei)
{
	struct follow *fu = arg;
	struct kam_errinfo own = {0};
	json_t *action = json_deep_copy(fu->body);
	int64_t plan;
	int rc = follow_plan(db, who, json_integer_value(json_object_get(rec, "account_id")),
	                     json_object_get(action, "objective_id"), &plan);

	if (rc == KAM_ENOTFOUND) {
		err_field(ei, "follow_up",
		          "the account has no active plan to hold the follow-up action: activate "
		          "or create one, or log the interaction without follow_up");
		rc = KAM_ECONFLICT;
		goto out;
	}
	if (rc != KAM_OK)
		goto out;
	json_object_set_new(action, "plan_id", json_integer(plan));
	rc = app_res_insert(db, who, &res_actions, action, &fu->made, &own);
	if (rc == KAM_OK && res_actions.decorate)
		rc = res_actions.decorate(db, who, fu->made, true);
	follow_errors(&own, ei);
out:
	json_decref(action);
	return rc;
}

/* POST /api/v1/interactions: the interaction, and its follow_up action when given; the
 * reply is the interaction with the action under follow_up. */
static int interaction_create(struct store_conn *db, const struct actor *who, json_t *body,
                              json_t **out, int64_t *version, struct kam_errinfo *ei)
{
	struct follow fu = {json_incref(json_object_get(body, "follow_up")), NULL};
	int rc;

	*out = NULL;
	if (json_is_null(fu.body)) {
		json_decref(fu.body);
		fu.body = NULL;
	}
	json_object_del(body, "follow_up");
	if (fu.body && follow_check(fu.body, ei) != KAM_OK) {
		/* every fault at once: the interaction's own too */
		validate_body(&model_interaction, body, true, ei);
		rc = KAM_EINVAL;
		goto out;
	}
	rc = app_res_create_also(db, who, &res_interactions, body, fu.body ? follow_write : NULL,
	                         &fu, out, version, ei);
	if (rc == KAM_OK && fu.made)
		json_object_set(*out, "follow_up", fu.made);
out:
	json_decref(fu.body);
	json_decref(fu.made);
	return rc;
}

/* --- cases --- */

static int case_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                        const json_t *before, struct kam_errinfo *ei)
{
	const char *status = json_string_value(json_object_get(rec, "status"));
	int64_t opened, first, resolved, now = who->now;
	int rc = KAM_OK;

	(void)db;
	(void)before;
	if (status == NULL) {
		status = "open";
		json_object_set_new(rec, "status", json_string(status));
	}
	if (!json_is_string(json_object_get(rec, "opened_at")))
		set_ts(rec, "opened_at", now);
	opened = ts(rec, "opened_at");
	first = ts(rec, "first_response_at");
	resolved = ts(rec, "resolved_at");
	/* dates first, as given; then the status decides whether a resolution time stays */
	if (first && first < opened) {
		err_field(ei, "first_response_at", "must not be before opened_at");
		rc = KAM_EINVAL;
	}
	if (resolved && resolved < opened) {
		err_field(ei, "resolved_at", "must not be before opened_at");
		rc = KAM_EINVAL;
	}
	if ((!strcmp(status, "resolved") || !strcmp(status, "closed")) && !resolved)
		set_ts(rec, "resolved_at", now);
	if ((!strcmp(status, "open") || !strcmp(status, "in_progress")) && resolved)
		json_object_set_new(rec, "resolved_at", json_null()); /* reopened */
	return rc;
}

static int case_decorate(struct store_conn *db, const struct actor *who, json_t *rec, bool single)
{
	struct settings own;
	const struct settings *s = who->settings; /* a list read them once for its rows */
	enum severity sev = settings_severity(json_string_value(json_object_get(rec, "severity")));
	int64_t opened = ts(rec, "opened_at"), resolved = ts(rec, "resolved_at");
	int rc, hours;

	(void)single;
	if (s == NULL) {
		if ((rc = app_settings_load(db, &own, NULL)) != KAM_OK)
			return rc;
		s = &own;
	}
	hours = s->sla_hours[sev < SEV__MAX ? sev : SEV_CRITICAL];
	if (json_object_set_new(rec, "sla_target_hours", json_integer(hours)) != 0)
		return KAM_ENOMEM; /* a record without what it is read for is no record */
	set_ts(rec, "sla_due_at", case_sla_due(opened, hours));
	if (json_object_set_new(
	        rec, "sla_breached",
	        json_boolean(case_sla_breached(opened, hours, resolved, who->now))) != 0)
		return KAM_ENOMEM;
	return KAM_OK;
}

/* --- competitors --- */

/* The competitors of one account share at most all of its spend. */
static int competitor_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                              const json_t *before, struct kam_errinfo *ei)
{
	json_int_t self = before ? json_integer_value(json_object_get(before, "id")) : 0;
	json_int_t total = json_integer_value(json_object_get(rec, "share_percent"));
	json_t *others = NULL, *row;
	size_t i;
	int rc;

	(void)who;
	if (!json_is_integer(json_object_get(rec, "share_percent")))
		return KAM_OK;
	if ((rc = store_rows(db, "SELECT id, share_percent FROM competitors WHERE account_id = ?",
	                     json_integer_value(json_object_get(rec, "account_id")), &others)) !=
	    KAM_OK)
		return rc;
	json_array_foreach(others, i, row)
	{
		if (json_integer_value(json_object_get(row, "id")) != self)
			total += json_integer_value(json_object_get(row, "share_percent"));
	}
	json_decref(others);
	if (total > 100) {
		err_field(ei, "share_percent",
		          "the account's competitors would hold %lld%% of its spend; at most 100",
		          (long long)total);
		return KAM_EINVAL;
	}
	return KAM_OK;
}

/* --- risks --- */

static int risk_decorate(struct store_conn *db, const struct actor *who, json_t *rec, bool single)
{
	int score = risk_score((int)json_integer_value(json_object_get(rec, "probability")),
	                       (int)json_integer_value(json_object_get(rec, "impact")));

	(void)db;
	(void)who;
	(void)single;
	if (json_object_set_new(rec, "score", json_integer(score)) != 0 ||
	    json_object_set_new(rec, "level", json_string(risk_level(score))) != 0)
		return KAM_ENOMEM;
	return KAM_OK;
}

/* --- surveys --- */

static int survey_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                          const json_t *before, struct kam_errinfo *ei)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));

	(void)db;
	(void)who;
	(void)before;
	if (!survey_score_ok(kind, (int)json_integer_value(json_object_get(rec, "score")))) {
		err_field(ei, "score", "must be %s for %s",
		          strcmp(kind, "csat") ? "0 to 10" : "1 to 5", kind);
		return KAM_EINVAL;
	}
	return KAM_OK;
}

static int survey_decorate(struct store_conn *db, const struct actor *who, json_t *rec, bool single)
{
	int score = (int)json_integer_value(json_object_get(rec, "score"));

	(void)db;
	(void)who;
	(void)single;
	if (!strcmp(json_string_value(json_object_get(rec, "kind")), "nps"))
		return json_object_set_new(rec, "category",
		                           json_string(survey_nps_category(score))) != 0
		           ? KAM_ENOMEM
		           : KAM_OK;
	return json_object_set_new(rec, "satisfied", json_boolean(score >= 4)) != 0 ? KAM_ENOMEM
	                                                                            : KAM_OK;
}

const struct app_resource res_interactions = {
	.e = &model_interaction,
	.base = "/api/v1/interactions",
	.scope = SCOPE_ACCOUNT,
	.member_writes = true,
	.prepare = interaction_prepare,
	.after_write = interaction_after,
	.create = interaction_create,
};
const struct app_resource res_cases = {
	.e = &model_case,
	.base = "/api/v1/cases",
	.scope = SCOPE_ACCOUNT,
	.member_writes = true,
	.prepare = case_prepare,
	.decorate = case_decorate,
};
const struct app_resource res_risks = {
	.e = &model_risk,
	.base = "/api/v1/risks",
	.scope = SCOPE_ACCOUNT,
	.decorate = risk_decorate,
};
const struct app_resource res_competitors = {
	.e = &model_competitor,
	.base = "/api/v1/competitors",
	.scope = SCOPE_ACCOUNT,
	.prepare = competitor_prepare,
};
const struct app_resource res_surveys = {
	.e = &model_survey,
	.base = "/api/v1/surveys",
	.scope = SCOPE_ACCOUNT,
	.prepare = survey_prepare,
	.decorate = survey_decorate,
};
