/* Playbooks, the pure part (kam/playbook.h). */
#include <stdio.h>
#include <string.h>
#include "kam/playbook.h"
#include "kam/validate.h"
#include "model/model.h"

bool playbook_role_valid(const char *role)
{
	if (role == NULL)
		return false;
	if (!strcmp(role, "director"))
		return true;
	for (int i = 0; model_team_roles[i]; i++)
		if (!strcmp(model_team_roles[i], role))
			return true;
	return false;
}

static bool text_ok(const json_t *v, size_t lo, size_t hi)
{
	size_t n;

	if (!json_is_string(v))
		return false;
	n = validate_utf8_len(json_string_value(v));
	return n >= lo && n <= hi;
}

static int rule_index(const char *rule)
{
	for (int i = 0; rule && i < AR__MAX; i++)
		if (!strcmp(alert_rule_names[i], rule))
			return i;
	return -1;
}

/* Checks one step; faults are named steps[i].field. */
static json_t *check_step(json_t *s, size_t i, struct kam_errinfo *ei)
{
	const char *k;
	json_t *v, *obj;
	char f[64];
	bool ok = true;

	if (!json_is_object(s)) {
		snprintf(f, sizeof(f), "steps[%zu]", i);
		err_field(ei, f,
		          "must be an object {title, owner_role, offset_days, objective_title}");
		return NULL;
	}
	json_object_foreach(s, k, v)
	{
		if (strcmp(k, "title") && strcmp(k, "owner_role") && strcmp(k, "offset_days") &&
		    strcmp(k, "objective_title") && strcmp(k, "position")) {
			snprintf(f, sizeof(f), "steps[%zu].%.32s", i, k);
			err_field(ei, f, "is not a field of a step");
			ok = false;
		}
	}
	if (!text_ok(json_object_get(s, "title"), 1, 300)) {
		snprintf(f, sizeof(f), "steps[%zu].title", i);
		err_field(ei, f, "must be a string of 1 to 300 characters");
		ok = false;
	}
	v = json_object_get(s, "owner_role");
	if (v && !json_is_null(v) && !playbook_role_valid(json_string_value(v))) {
		snprintf(f, sizeof(f), "steps[%zu].owner_role", i);
		err_field(ei, f,
		          "must be kam (the account's KAM), director, or a team role: "
		          "executive_sponsor, solution_engineer, support_lead, delivery_manager, "
		          "sales, finance or other");
		ok = false;
	}
	v = json_object_get(s, "offset_days");
	if (v && !json_is_null(v) &&
	    (!json_is_integer(v) || json_integer_value(v) < 0 ||
	     json_integer_value(v) > PLAYBOOK_MAX_OFFSET)) {
		snprintf(f, sizeof(f), "steps[%zu].offset_days", i);
		err_field(ei, f, "must be a whole number of days from 0 to %d",
		          PLAYBOOK_MAX_OFFSET);
		ok = false;
	}
	obj = json_object_get(s, "objective_title");
	if (obj && !json_is_null(obj) && !text_ok(obj, 1, 300)) {
		snprintf(f, sizeof(f), "steps[%zu].objective_title", i);
		err_field(ei, f, "must be null or a string of 1 to 300 characters");
		ok = false;
	}
	if (!ok)
		return NULL;
	v = json_object_get(s, "owner_role");
	return json_pack("{s:O,s:s,s:I,s:O}", "title", json_object_get(s, "title"), "owner_role",
	                 json_is_string(v) ? json_string_value(v) : "kam", "offset_days",
	                 (json_int_t)json_integer_value(json_object_get(s, "offset_days")),
	                 "objective_title", obj && json_is_string(obj) ? obj : json_null());
}

static int check_trigger(json_t *t, json_t **out, struct kam_errinfo *ei)
{
	const char *k, *kind;
	json_t *v, *rule, *days, *keyo, *autos;
	int rc = KAM_OK;

	if (t == NULL || json_is_null(t)) {
		*out = json_pack("{s:s,s:n,s:n,s:b,s:b}", "kind", "manual", "rule", "days_before",
		                 "key_accounts_only", 0, "auto_start", 0);
		return KAM_OK;
	}
	if (!json_is_object(t)) {
		err_field(ei, "trigger",
		          "must be an object {kind: manual|alert|review, rule, days_before, "
		          "key_accounts_only, auto_start}");
		return KAM_EINVAL;
	}
	json_object_foreach(t, k, v)
	{
		if (strcmp(k, "kind") && strcmp(k, "rule") && strcmp(k, "days_before") &&
		    strcmp(k, "key_accounts_only") && strcmp(k, "auto_start")) {
			char f[64];

			snprintf(f, sizeof(f), "trigger.%.40s", k);
			err_field(ei, f, "is not a field of a trigger");
			rc = KAM_EINVAL;
		}
	}
	kind = json_string_value(json_object_get(t, "kind"));
	if (kind == NULL)
		kind = "manual";
	rule = json_object_get(t, "rule");
	days = json_object_get(t, "days_before");
	keyo = json_object_get(t, "key_accounts_only");
	autos = json_object_get(t, "auto_start");
	if (strcmp(kind, "manual") && strcmp(kind, "alert") && strcmp(kind, "review")) {
		err_field(ei, "trigger.kind", "must be manual, alert or review");
		rc = KAM_EINVAL;
	}
	if (!strcmp(kind, "alert") && (rule_index(json_string_value(rule)) < 0 ||
	                               !strcmp(json_string_value(rule), "kam_over_capacity"))) {
		err_field(ei, "trigger.rule",
		          "must name an alert rule of an account: no_interaction, detractor, "
		          "health_drop, overdue_action, sla_breach, renewal_risk, revenue_decline, "
		          "single_threaded, plan_review_overdue or stakeholder_change");
		rc = KAM_EINVAL;
	}
	if (!strcmp(kind, "review") && (!json_is_integer(days) || json_integer_value(days) < 0 ||
	                                json_integer_value(days) > 365)) {
		err_field(ei, "trigger.days_before",
		          "must be a whole number of days from 0 to 365");
		rc = KAM_EINVAL;
	}
	if (keyo && !json_is_boolean(keyo)) {
		err_field(ei, "trigger.key_accounts_only", "must be true or false");
		rc = KAM_EINVAL;
	}
	if (autos && !json_is_boolean(autos)) {
		err_field(ei, "trigger.auto_start", "must be true or false");
		rc = KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	*out = json_pack("{s:s,s:o,s:o,s:b,s:b}", "kind", kind, "rule",
	                 !strcmp(kind, "alert") ? json_incref(rule) : json_null(), "days_before",
	                 !strcmp(kind, "review") ? json_incref(days) : json_null(),
	                 "key_accounts_only", json_is_true(keyo), "auto_start",
	                 strcmp(kind, "manual") != 0 && json_is_true(autos));
	return *out ? KAM_OK : KAM_ENOMEM;
}

int playbook_check(json_t *body, json_t **out, struct kam_errinfo *ei)
{
	json_t *steps, *trig = NULL, *ss = NULL, *v;
	const char *k;
	size_t i;
	int rc = KAM_OK;

	*out = NULL;
	if (!json_is_object(body)) {
		err_detail(ei,
		           "the body must be a JSON object {name, description, enabled, trigger, "
		           "steps}");
		return KAM_EINVAL;
	}
	json_object_foreach(body, k, v)
	{
		if (strcmp(k, "name") && strcmp(k, "description") && strcmp(k, "enabled") &&
		    strcmp(k, "trigger") && strcmp(k, "steps")) {
			err_field(ei, k, "is not a field of a playbook");
			rc = KAM_EINVAL;
		}
	}
	if (!text_ok(json_object_get(body, "name"), 1, 200)) {
		err_field(ei, "name", "must be a string of 1 to 200 characters");
		rc = KAM_EINVAL;
	}
	v = json_object_get(body, "description");
	if (v && !json_is_null(v) && !text_ok(v, 0, 4000)) {
		err_field(ei, "description", "must be null or a string of at most 4000 characters");
		rc = KAM_EINVAL;
	}
	v = json_object_get(body, "enabled");
	if (v && !json_is_boolean(v)) {
		err_field(ei, "enabled", "must be true or false");
		rc = KAM_EINVAL;
	}
	if (check_trigger(json_object_get(body, "trigger"), &trig, ei) != KAM_OK)
		rc = KAM_EINVAL;
	steps = json_object_get(body, "steps");
	if (!json_is_array(steps) || json_array_size(steps) == 0 ||
	    json_array_size(steps) > PLAYBOOK_MAX_STEPS) {
		err_field(ei, "steps", "must be an array of 1 to %d steps", PLAYBOOK_MAX_STEPS);
		rc = KAM_EINVAL;
	} else {
		ss = json_array();
		json_array_foreach(steps, i, v)
		{
			json_t *s = check_step(v, i, ei);

			if (s == NULL)
				rc = KAM_EINVAL;
			else
				json_array_append_new(ss, s);
		}
	}
	if (rc == KAM_OK) {
		v = json_object_get(body, "description");
		*out = json_pack("{s:O,s:O,s:b,s:O,s:O}", "name", json_object_get(body, "name"),
		                 "description", v ? v : json_null(), "enabled",
		                 !json_is_false(json_object_get(body, "enabled")), "trigger", trig,
		                 "steps", ss);
		if (*out == NULL)
			rc = KAM_ENOMEM;
	}
	json_decref(trig);
	json_decref(ss);
	return rc;
}

date_t playbook_due(date_t start, int offset)
{
	return date_add_days_clamped(start, offset);
}

const char *playbook_run_state(int total, int open, int overdue)
{
	if (total > 0 && open == 0)
		return "done";
	return overdue > 0 ? "overdue" : "open";
}

/* What each rule measures: the evidence field that crossed, its unit, the condition. */
static const struct {
	const char *rule, *field, *unit, *cond;
	bool above; /* fires when the value is at or above the threshold (else below) */
} rules[] = {
    {"no_interaction", "days_since_interaction", "days",
     "no interaction logged for at least the threshold's days", true},
    {"detractor", "score", "NPS points", "a survey answer of 6 or less within the threshold's days",
     false},
    {"health_drop", "health_points_lost", "health points",
     "the health score fell by at least the threshold's points in 30 days", true},
    {"overdue_action", "oldest_overdue_days", "days",
     "an open action is past its due date by at least the threshold's days", true},
    {"sla_breach", "worst_hours_past_target", "hours",
     "an open support case is past its SLA target by at least the threshold's hours", true},
    {"renewal_risk", "days_to_renewal", "days",
     "a renewal not yet won closes within the threshold's days", false},
    {"revenue_decline", "change_percent", "percent",
     "revenue of the last 12 months is down by at least the threshold's percent on the 12 "
     "before",
     false},
    {"single_threaded", "engaged_influential_contacts", "contacts",
     "fewer influential contacts (influence 4 or 5) met in 90 days than the threshold", false},
    {"kam_over_capacity", "key_accounts", "key accounts",
     "a KAM owns more key accounts than the capacity plus the threshold", true},
    {"plan_review_overdue", "days_past_planned_review", "days",
     "the active plan's next review is past by at least the threshold's days", true},
    {"stakeholder_change", "on", "day",
     "a champion or decision maker left, or a decider, champion or supporter turned critic or "
     "blocker, within the threshold's days",
     true},
};

json_t *playbook_alert_why(const char *rule, const json_t *ev, const struct settings *s)
{
	int r = rule_index(rule);
	size_t i;
	json_t *val = NULL, *thr;
	double threshold;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rule && !strcmp(rules[i].rule, rule))
			break;
	if (r < 0 || i == sizeof(rules) / sizeof(rules[0]))
		return json_pack("{s:s?,s:n,s:n,s:n}", "rule", rule, "condition", "threshold",
		                 "value");
	threshold = s->alert_threshold[r];
	if (r == AR_KAM_OVER_CAPACITY)
		threshold += s->kam_capacity;
	if (r == AR_REVENUE_DECLINE)
		threshold = -threshold;
	if (r == AR_DETRACTOR)
		threshold = 6;
	if (r == AR_HEALTH_DROP) {
		json_t *now = json_object_get(ev, "health_now"),
		       *before = json_object_get(ev, "health_30_days_ago");

		if (json_is_number(now) && json_is_number(before))
			val = json_real((double)(long long)((json_number_value(before) -
			                                     json_number_value(now)) *
			                                        10 +
			                                    0.5) /
			                10);
	} else {
		val = json_incref(json_object_get(ev, rules[i].field));
	}
	thr = json_pack("{s:f,s:s}", "value", threshold, "unit", rules[i].unit);
	if (r == AR_DETRACTOR)
		json_object_set_new(thr, "window_days", json_integer(s->alert_threshold[r]));
	return json_pack("{s:s,s:s,s:o,s:{s:o,s:s,s:s},s:s}", "rule", rule, "condition",
	                 rules[i].cond, "threshold", thr, "value", "value", val ? val : json_null(),
	                 "unit", rules[i].unit, "field", rules[i].field, "direction",
	                 rules[i].above ? "at_or_above" : "at_or_below");
}
