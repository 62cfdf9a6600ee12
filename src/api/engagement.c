/* Interactions, cases (with SLA state), risks (with the 5×5 matrix) and surveys. */
#include <stdio.h>
#include <string.h>
#include "api/resource.h"
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

static int interaction_prepare(struct req *rq, json_t *rec, const json_t *before,
			       struct kam_errinfo *ei)
{
	(void)before;
	if (ts(rec, "occurred_at") > api_now(rq) + 86400) {
		err_field(ei, "occurred_at", "is more than a day in the future; log what happened");
		return KAM_EINVAL;
	}
	return KAM_OK;
}

/* Recomputes the derived last-contact stamps of everything the change touched. */
static int interaction_after(struct req *rq, const json_t *before, const json_t *after)
{
	const json_t *sides[2] = {before, after};
	int rc = KAM_OK;

	for (int s = 0; s < 2 && rc == KAM_OK; s++) {
		json_t *ids, *x;
		size_t i;

		if (sides[s] == NULL)
			continue;
		rc = store_account_last_interaction(
			rq->db, json_integer_value(json_object_get(sides[s], "account_id")));
		ids = json_object_get(sides[s], "contact_ids");
		json_array_foreach(ids, i, x)
		{
			if (rc == KAM_OK)
				rc = store_contact_last_contacted(rq->db, json_integer_value(x));
		}
	}
	return rc;
}

/* --- cases --- */

static int case_prepare(struct req *rq, json_t *rec, const json_t *before, struct kam_errinfo *ei)
{
	const char *status = json_string_value(json_object_get(rec, "status"));
	int64_t opened, first, resolved, now = api_now(rq);
	int rc = KAM_OK;

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

static int case_decorate(struct req *rq, json_t *rec, bool single)
{
	struct settings s;
	enum severity sev = settings_severity(json_string_value(json_object_get(rec, "severity")));
	int64_t opened = ts(rec, "opened_at"), resolved = ts(rec, "resolved_at");
	int rc = api_settings_load(rq, &s, NULL);
	int hours;

	(void)single;
	if (rc != KAM_OK)
		return rc;
	hours = s.sla_hours[sev < SEV__MAX ? sev : SEV_CRITICAL];
	json_object_set_new(rec, "sla_target_hours", json_integer(hours));
	set_ts(rec, "sla_due_at", case_sla_due(opened, hours));
	json_object_set_new(rec, "sla_breached",
	                    json_boolean(case_sla_breached(opened, hours, resolved, api_now(rq))));
	return KAM_OK;
}

/* --- risks --- */

static int risk_decorate(struct req *rq, json_t *rec, bool single)
{
	int score = risk_score((int)json_integer_value(json_object_get(rec, "probability")),
			       (int)json_integer_value(json_object_get(rec, "impact")));

	(void)rq;
	(void)single;
	json_object_set_new(rec, "score", json_integer(score));
	json_object_set_new(rec, "level", json_string(risk_level(score)));
	return KAM_OK;
}

/* --- surveys --- */

static int survey_prepare(struct req *rq, json_t *rec, const json_t *before,
			  struct kam_errinfo *ei)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));

	(void)rq;
	(void)before;
	if (!survey_score_ok(kind, (int)json_integer_value(json_object_get(rec, "score")))) {
		err_field(ei, "score", "must be %s for %s", strcmp(kind, "csat") ? "0 to 10" : "1 to 5",
			  kind);
		return KAM_EINVAL;
	}
	return KAM_OK;
}

static int survey_decorate(struct req *rq, json_t *rec, bool single)
{
	int score = (int)json_integer_value(json_object_get(rec, "score"));

	(void)rq;
	(void)single;
	if (!strcmp(json_string_value(json_object_get(rec, "kind")), "nps"))
		json_object_set_new(rec, "category", json_string(survey_nps_category(score)));
	else
		json_object_set_new(rec, "satisfied", json_boolean(score >= 4));
	return KAM_OK;
}

const struct api_resource res_interactions = {&model_interaction, "/api/v1/interactions",
					      SCOPE_ACCOUNT,	   true,
					      interaction_prepare, interaction_after,
					      NULL,		   NULL};
const struct api_resource res_cases = {&model_case, "/api/v1/cases", SCOPE_ACCOUNT, true,
				       case_prepare, NULL, case_decorate, NULL};
const struct api_resource res_risks = {&model_risk, "/api/v1/risks", SCOPE_ACCOUNT, false, NULL,
				       NULL, risk_decorate, NULL};
const struct api_resource res_surveys = {&model_survey, "/api/v1/surveys", SCOPE_ACCOUNT, false,
					 survey_prepare, NULL, survey_decorate, NULL};

int api_account_risk_matrix(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *rows = NULL, *cells;
	int counts[6][6] = {{0}}, open = 0, rc;
	size_t i;
	json_t *r;

	if (id < 0 || api_account_visible(rq, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	rc = store_rows(rq->db,
			"SELECT probability, impact, count(*) AS n FROM risks WHERE account_id = ? "
			"AND status <> 'closed' GROUP BY probability, impact",
			id, &rows);
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	json_array_foreach(rows, i, r)
	{
		int p = (int)json_integer_value(json_object_get(r, "probability"));
		int im = (int)json_integer_value(json_object_get(r, "impact"));
		int n = (int)json_integer_value(json_object_get(r, "n"));

		if (p >= 1 && p <= 5 && im >= 1 && im <= 5) {
			counts[p][im] = n;
			open += n;
		}
	}
	json_decref(rows);
	cells = json_array();
	for (int p = 1; p <= 5; p++)
		for (int im = 1; im <= 5; im++)
			json_array_append_new(cells,
					      json_pack("{s:i,s:i,s:i,s:i,s:s}", "probability", p,
							"impact", im, "count", counts[p][im], "score",
							risk_score(p, im), "level",
							risk_level(risk_score(p, im))));
	return http_reply_json(rs, 200, json_pack("{s:I,s:i,s:o}", "account_id", (json_int_t)id,
						  "open_count", open, "cells", cells));
}
