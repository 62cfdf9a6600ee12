#include <math.h>
#include <stdio.h>
#include <string.h>
#include "kam/money.h"
#include "kam/settings.h"

static const char *const sev_names[SEV__MAX] = {"low", "medium", "high", "critical"};

static int number(const json_t *v, const char *field, double lo, double hi, double *out,
		  struct kam_errinfo *ei);
static int integer(const json_t *v, const char *field, int lo, int hi, int *out,
		   struct kam_errinfo *ei);

const char *const health_part_names[HP__MAX] = {
	"revenue_trend", "satisfaction", "engagement", "cases", "overdue_actions",
	"stakeholder_coverage", "renewal_readiness"};
static const double health_defaults[HP__MAX] = {0.25, 0.15, 0.15, 0.15, 0.1, 0.1, 0.1};

const char *const alert_rule_names[AR__MAX] = {
	"no_interaction", "detractor",	     "health_drop",	"overdue_action",
	"sla_breach",	  "renewal_risk",    "revenue_decline", "single_threaded",
	"kam_over_capacity", "plan_review_overdue", "stakeholder_change"};
/* the threshold of each rule and its bounds: days, days, points, days overdue, hours over
 * target, days to renewal, percent down, engaged contacts, key accounts over capacity,
 * days past the planned review, days since a key stakeholder left or turned */
static const struct {
	int def, lo, hi;
	const char *unit;
} alert_bounds[AR__MAX] = {
	{45, 1, 3650, "days without an interaction"},
	{30, 1, 3650, "days since a detractor answer"},
	{15, 1, 100, "health points lost in 30 days"},
	{0, 0, 3650, "days past the due date"},
	{0, 0, 8760, "hours past the SLA target"},
	{90, 1, 3650, "days before the renewal"},
	{20, 1, 100, "percent down year on year"},
	{2, 1, 50, "engaged influential contacts at least"},
	{0, 0, 1000, "key accounts over capacity"},
	{0, 0, 3650, "days past the planned review"},
	{30, 1, 3650, "days since a decider or champion left or turned against us"},
};

void settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->w_financial = 0.4;
	s->w_growth = 0.2;
	s->w_strategic = 0.25;
	s->w_influence = 0.15;
	s->key_threshold = 60;
	s->potential_threshold = 40;
	s->kam_capacity = 10;
	s->sla_hours[SEV_LOW] = 120;
	s->sla_hours[SEV_MEDIUM] = 48;
	s->sla_hours[SEV_HIGH] = 24;
	s->sla_hours[SEV_CRITICAL] = 8;
	memcpy(s->base_currency, "EUR", 4);
	s->attractiveness_split = 75;
	s->strength_split = 50;
	s->gross_margin = 0.3;
	s->cltv_horizon_years = 10;
	memcpy(s->time_zone, "UTC", 4);
	for (int i = 0; i < HP__MAX; i++)
		s->health_weights[i] = health_defaults[i];
	for (int i = 0; i < AR__MAX; i++) {
		s->alert_threshold[i] = alert_bounds[i].def;
		s->alert_enabled[i] = true;
	}
	s->no_interaction_grace_days = 30;
	s->churn_after_months = 12;
	s->book_won_opportunities = false;
	s->renewal_lead_days = 120;
	s->forecast_commit_probability = 75; /* negotiation, by its stage */
	s->forecast_best_case_probability = 50;
	s->fiscal_year_start_month = 1;
}

static int apply_health(struct settings *s, json_t *o, struct kam_errinfo *ei)
{
	const char *key;
	json_t *v;
	int rc = KAM_OK;

	if (!json_is_object(o)) {
		err_field(ei, "health_weights", "must be an object of the health parts");
		return KAM_EINVAL;
	}
	json_object_foreach(o, key, v)
	{
		char field[64];
		int i;

		for (i = 0; i < HP__MAX && strcmp(health_part_names[i], key) != 0; i++)
			;
		snprintf(field, sizeof(field), "health_weights.%.40s", key);
		if (i == HP__MAX) {
			err_field(ei, field, "is not a part of the health score");
			rc = KAM_EINVAL;
		} else if (number(v, field, 0, 100, &s->health_weights[i], ei) != KAM_OK) {
			rc = KAM_EINVAL;
		}
	}
	return rc;
}

/* alerts: {rule: {"threshold": N, "enabled": bool}} */
static int apply_alerts(struct settings *s, json_t *o, struct kam_errinfo *ei)
{
	const char *key, *k2;
	json_t *v, *v2;
	int rc = KAM_OK;

	if (!json_is_object(o)) {
		err_field(ei, "alerts", "must be an object of alert rules");
		return KAM_EINVAL;
	}
	json_object_foreach(o, key, v)
	{
		char field[96];
		int i;

		for (i = 0; i < AR__MAX && strcmp(alert_rule_names[i], key) != 0; i++)
			;
		snprintf(field, sizeof(field), "alerts.%.40s", key);
		if (i == AR__MAX || !json_is_object(v)) {
			err_field(ei, field, "is not an alert rule, or not an object");
			rc = KAM_EINVAL;
			continue;
		}
		json_object_foreach(v, k2, v2)
		{
			snprintf(field, sizeof(field), "alerts.%.40s.%.20s", key, k2);
			if (!strcmp(k2, "threshold")) {
				if (integer(v2, field, alert_bounds[i].lo, alert_bounds[i].hi,
					    &s->alert_threshold[i], ei) != KAM_OK)
					rc = KAM_EINVAL;
			} else if (!strcmp(k2, "grace_days") && i == AR_NO_INTERACTION) {
				if (integer(v2, field, 0, 365, &s->no_interaction_grace_days, ei) !=
				    KAM_OK)
					rc = KAM_EINVAL;
			} else if (!strcmp(k2, "enabled") && json_is_boolean(v2)) {
				s->alert_enabled[i] = json_is_true(v2);
			} else if (!strcmp(k2, "unit")) {
				err_field(ei, field, "is read-only");
				rc = KAM_EINVAL;
			} else {
				err_field(ei, field, "must be threshold (a number) or enabled (true/false)");
				rc = KAM_EINVAL;
			}
		}
	}
	return rc;
}

date_t settings_today(const struct settings *s, int64_t now)
{
	int32_t off = 0;

	/* the zone was validated when it was stored; should the tz data ever lose it, UTC */
	tz_offset(s->time_zone, now, &off);
	return date_local(now, off);
}

enum severity settings_severity(const char *s)
{
	for (int i = 0; s && i < SEV__MAX; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return (enum severity)i;
	return SEV__MAX;
}

static int number(const json_t *v, const char *field, double lo, double hi, double *out,
		  struct kam_errinfo *ei)
{
	if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < lo ||
	    json_number_value(v) > hi) {
		err_field(ei, field, "must be a number from %g to %g", lo, hi);
		return KAM_EINVAL;
	}
	*out = json_number_value(v);
	return KAM_OK;
}

static int integer(const json_t *v, const char *field, int lo, int hi, int *out,
		   struct kam_errinfo *ei)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		err_field(ei, field, "must be an integer from %d to %d", lo, hi);
		return KAM_EINVAL;
	}
	*out = (int)json_integer_value(v);
	return KAM_OK;
}

static int apply_weights(struct settings *s, json_t *w, struct kam_errinfo *ei)
{
	static const char *const names[] = {"financial", "growth", "strategic", "influence"};
	double *dst[] = {&s->w_financial, &s->w_growth, &s->w_strategic, &s->w_influence};
	const char *key;
	json_t *v;
	int rc = KAM_OK;

	if (!json_is_object(w)) {
		err_field(ei, "weights", "must be an object of financial, growth, strategic, influence");
		return KAM_EINVAL;
	}
	json_object_foreach(w, key, v)
	{
		char field[64];
		size_t i;

		for (i = 0; i < 4 && strcmp(names[i], key) != 0; i++)
			;
		snprintf(field, sizeof(field), "weights.%.40s", key);
		if (i == 4) {
			err_field(ei, field, "is not a criterion (financial, growth, strategic, influence)");
			rc = KAM_EINVAL;
		} else if (number(v, field, 0, 100, dst[i], ei) != KAM_OK) {
			rc = KAM_EINVAL;
		}
	}
	return rc;
}

static int apply_sla(struct settings *s, json_t *o, struct kam_errinfo *ei)
{
	const char *key;
	json_t *v;
	int rc = KAM_OK;

	if (!json_is_object(o)) {
		err_field(ei, "sla_hours", "must be an object of low, medium, high, critical");
		return KAM_EINVAL;
	}
	json_object_foreach(o, key, v)
	{
		enum severity sev = settings_severity(key);
		char field[64];

		snprintf(field, sizeof(field), "sla_hours.%.40s", key);
		if (sev == SEV__MAX) {
			err_field(ei, field, "is not a severity (low, medium, high, critical)");
			rc = KAM_EINVAL;
		} else if (integer(v, field, 1, 8760, &s->sla_hours[sev], ei) != KAM_OK) {
			rc = KAM_EINVAL;
		}
	}
	return rc;
}

int settings_apply(struct settings *s, json_t *doc, struct kam_errinfo *ei)
{
	struct settings n = *s;
	const char *key;
	json_t *v;
	int rc = KAM_OK;

	if (!json_is_object(doc)) {
		err_detail(ei, "settings must be a JSON object");
		return KAM_EINVAL;
	}
	json_object_foreach(doc, key, v)
	{
		int r;

		if (strcmp(key, "weights") == 0)
			r = apply_weights(&n, v, ei);
		else if (strcmp(key, "sla_hours") == 0)
			r = apply_sla(&n, v, ei);
		else if (strcmp(key, "key_threshold") == 0)
			r = number(v, key, 0, 100, &n.key_threshold, ei);
		else if (strcmp(key, "potential_threshold") == 0)
			r = number(v, key, 0, 100, &n.potential_threshold, ei);
		else if (strcmp(key, "attractiveness_split") == 0)
			r = number(v, key, 0, 100, &n.attractiveness_split, ei);
		else if (strcmp(key, "strength_split") == 0)
			r = number(v, key, 0, 100, &n.strength_split, ei);
		else if (strcmp(key, "health_weights") == 0)
			r = apply_health(&n, v, ei);
		else if (strcmp(key, "alerts") == 0)
			r = apply_alerts(&n, v, ei);
		else if (strcmp(key, "gross_margin") == 0)
			r = number(v, key, 0, 1, &n.gross_margin, ei);
		else if (strcmp(key, "cltv_horizon_years") == 0)
			r = number(v, key, 1, 100, &n.cltv_horizon_years, ei);
		else if (strcmp(key, "kam_capacity") == 0)
			r = integer(v, key, 1, 1000, &n.kam_capacity, ei);
		else if (strcmp(key, "churn_after_months") == 0)
			r = integer(v, key, 1, 120, &n.churn_after_months, ei);
		else if (strcmp(key, "renewal_lead_days") == 0)
			r = integer(v, key, 0, 730, &n.renewal_lead_days, ei);
		else if (strcmp(key, "forecast_commit_probability") == 0)
			r = integer(v, key, 0, 100, &n.forecast_commit_probability, ei);
		else if (strcmp(key, "forecast_best_case_probability") == 0)
			r = integer(v, key, 0, 100, &n.forecast_best_case_probability, ei);
		else if (strcmp(key, "fiscal_year_start_month") == 0)
			r = integer(v, key, 1, 12, &n.fiscal_year_start_month, ei);
		else if (strcmp(key, "segment_by_group") == 0) {
			r = KAM_OK;
			if (!json_is_boolean(v)) {
				err_field(ei, key, "must be true or false");
				r = KAM_EINVAL;
			} else {
				n.segment_by_group = json_is_true(v);
			}
		} else if (strcmp(key, "book_won_opportunities") == 0) {
			r = KAM_OK;
			if (!json_is_boolean(v)) {
				err_field(ei, key, "must be true or false");
				r = KAM_EINVAL;
			} else {
				n.book_won_opportunities = json_is_true(v);
			}
		} else if (strcmp(key, "director_alert_min_revenue") == 0) {
			r = KAM_OK;
			if (json_is_null(v)) {
				n.director_alert_min_revenue = 0;
			} else if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			           json_integer_value(v) > MONEY_TOTAL_MAX) {
				err_field(ei, key,
				          "must be an amount in minor units of the base currency from 0 "
				          "(off) to %lld, or null (off)",
				          (long long)MONEY_TOTAL_MAX);
				r = KAM_EINVAL;
			} else {
				n.director_alert_min_revenue = json_integer_value(v);
			}
		} else if (strcmp(key, "base_currency") == 0) {
			const char *c = json_string_value(v);

			r = KAM_OK;
			if (c == NULL || strlen(c) != 3 || strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3) {
				err_field(ei, key, "must be an ISO 4217 code such as EUR");
				r = KAM_EINVAL;
			} else {
				memcpy(n.base_currency, c, 4);
			}
		} else if (strcmp(key, "time_zone") == 0) {
			const char *z = json_string_value(v);

			r = KAM_OK;
			if (!tz_valid(z)) {
				err_field(
				    ei, key,
				    "must be an IANA time zone name such as UTC or Asia/Tokyo");
				r = KAM_EINVAL;
			} else {
				snprintf(n.time_zone, sizeof(n.time_zone), "%s", z);
			}
		} else if (strcmp(key, "company_name") == 0) {
			const char *c = json_string_value(v);

			r = KAM_OK;
			if (c == NULL || strlen(c) > 200) {
				err_field(ei, key, "must be a text of at most 200 characters");
				r = KAM_EINVAL;
			} else {
				snprintf(n.company_name, sizeof(n.company_name), "%s", c);
			}
		} else {
			err_field(ei, key, "is not a setting");
			r = KAM_EINVAL;
		}
		if (r != KAM_OK)
			rc = r;
	}
	if (rc == KAM_OK && n.w_financial + n.w_growth + n.w_strategic + n.w_influence <= 0) {
		err_field(ei, "weights", "at least one weight must be above 0");
		rc = KAM_EINVAL;
	}
	if (rc == KAM_OK && n.forecast_best_case_probability > n.forecast_commit_probability) {
		err_field(ei, "forecast_best_case_probability",
			  "must not be above forecast_commit_probability (%d)",
			  n.forecast_commit_probability);
		rc = KAM_EINVAL;
	}
	if (rc == KAM_OK && n.potential_threshold > n.key_threshold) {
		err_field(ei, "potential_threshold", "must not be above key_threshold (%g)",
			  n.key_threshold);
		rc = KAM_EINVAL;
	}
	if (rc == KAM_OK)
		*s = n;
	return rc;
}

json_t *settings_to_stored_json(const struct settings *s)
{
	json_t *doc = settings_to_json(s), *al = json_object_get(doc, "alerts"), *r;
	const char *k;

	/* the units describe thresholds to readers; they are not settings */
	json_object_foreach(al, k, r)
		json_object_del(r, "unit");
	return doc;
}

json_t *settings_to_json(const struct settings *s)
{
	json_t *hw = json_object(), *al = json_object(), *out;

	for (int i = 0; i < HP__MAX; i++)
		json_object_set_new(hw, health_part_names[i], json_real(s->health_weights[i]));
	for (int i = 0; i < AR__MAX; i++)
		json_object_set_new(al, alert_rule_names[i],
				    json_pack("{s:i,s:b,s:s}", "threshold", s->alert_threshold[i],
					      "enabled", s->alert_enabled[i], "unit",
					      alert_bounds[i].unit));
	/* days after its creation an account may go without a contact before the alert */
	json_object_set_new(json_object_get(al, alert_rule_names[AR_NO_INTERACTION]), "grace_days",
			    json_integer(s->no_interaction_grace_days));
	out = json_pack("{s:{s:f,s:f,s:f,s:f},s:f,s:f,s:i,s:{s:i,s:i,s:i,s:i},s:s,s:f,s:f,s:f,s:f}",
			 "weights", "financial", s->w_financial, "growth", s->w_growth, "strategic",
			 s->w_strategic, "influence", s->w_influence, "key_threshold",
			 s->key_threshold, "potential_threshold", s->potential_threshold,
			 "kam_capacity", s->kam_capacity, "sla_hours", "low", s->sla_hours[SEV_LOW],
			 "medium", s->sla_hours[SEV_MEDIUM], "high", s->sla_hours[SEV_HIGH],
			 "critical", s->sla_hours[SEV_CRITICAL], "base_currency", s->base_currency,
			 "attractiveness_split", s->attractiveness_split, "strength_split",
			 s->strength_split, "gross_margin", s->gross_margin, "cltv_horizon_years",
			 s->cltv_horizon_years);
	json_object_set_new(out, "time_zone", json_string(s->time_zone));
	json_object_set_new(out, "company_name", json_string(s->company_name));
	json_object_set_new(out, "churn_after_months", json_integer(s->churn_after_months));
	json_object_set_new(out, "book_won_opportunities", json_boolean(s->book_won_opportunities));
	json_object_set_new(out, "segment_by_group", json_boolean(s->segment_by_group));
	json_object_set_new(out, "director_alert_min_revenue",
			    json_integer(s->director_alert_min_revenue));
	json_object_set_new(out, "renewal_lead_days", json_integer(s->renewal_lead_days));
	json_object_set_new(out, "forecast_commit_probability",
			    json_integer(s->forecast_commit_probability));
	json_object_set_new(out, "forecast_best_case_probability",
			    json_integer(s->forecast_best_case_probability));
	json_object_set_new(out, "fiscal_year_start_month", json_integer(s->fiscal_year_start_month));
	json_object_set_new(out, "health_weights", hw);
	json_object_set_new(out, "alerts", al);
	return out;
}
