/* Interactions, cases (with SLA state), risks (with the 5×5 matrix) and surveys. */
#include <stdio.h>
#include <string.h>
#include "app/record.h"
#include "app/scores.h"
#include "kam/date.h"
#include "kam/engagement.h"
#include "kam/settings.h"
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
	struct settings s;
	enum severity sev = settings_severity(json_string_value(json_object_get(rec, "severity")));
	int64_t opened = ts(rec, "opened_at"), resolved = ts(rec, "resolved_at");
	int rc = app_settings_load(db, &s, NULL);
	int hours;

	(void)single;
	if (rc != KAM_OK)
		return rc;
	hours = s.sla_hours[sev < SEV__MAX ? sev : SEV_CRITICAL];
	if (json_object_set_new(rec, "sla_target_hours", json_integer(hours)) != 0)
		return KAM_ENOMEM; /* a record without what it is read for is no record */
	set_ts(rec, "sla_due_at", case_sla_due(opened, hours));
	if (json_object_set_new(
	        rec, "sla_breached",
	        json_boolean(case_sla_breached(opened, hours, resolved, who->now))) != 0)
		return KAM_ENOMEM;
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
const struct app_resource res_surveys = {
	.e = &model_survey,
	.base = "/api/v1/surveys",
	.scope = SCOPE_ACCOUNT,
	.prepare = survey_prepare,
	.decorate = survey_decorate,
};
