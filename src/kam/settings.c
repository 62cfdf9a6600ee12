#include <math.h>
#include <stdio.h>
#include <string.h>
#include "kam/settings.h"

static const char *const sev_names[SEV__MAX] = {"low", "medium", "high", "critical"};

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
		else if (strcmp(key, "gross_margin") == 0)
			r = number(v, key, 0, 1, &n.gross_margin, ei);
		else if (strcmp(key, "cltv_horizon_years") == 0)
			r = number(v, key, 1, 100, &n.cltv_horizon_years, ei);
		else if (strcmp(key, "kam_capacity") == 0)
			r = integer(v, key, 1, 1000, &n.kam_capacity, ei);
		else if (strcmp(key, "base_currency") == 0) {
			const char *c = json_string_value(v);

			r = KAM_OK;
			if (c == NULL || strlen(c) != 3 || strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3) {
				err_field(ei, key, "must be an ISO 4217 code such as EUR");
				r = KAM_EINVAL;
			} else {
				memcpy(n.base_currency, c, 4);
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
	if (rc == KAM_OK && n.potential_threshold > n.key_threshold) {
		err_field(ei, "potential_threshold", "must not be above key_threshold (%g)",
			  n.key_threshold);
		rc = KAM_EINVAL;
	}
	if (rc == KAM_OK)
		*s = n;
	return rc;
}

json_t *settings_to_json(const struct settings *s)
{
	return json_pack("{s:{s:f,s:f,s:f,s:f},s:f,s:f,s:i,s:{s:i,s:i,s:i,s:i},s:s,s:f,s:f,s:f,s:f}",
			 "weights", "financial", s->w_financial, "growth", s->w_growth, "strategic",
			 s->w_strategic, "influence", s->w_influence, "key_threshold",
			 s->key_threshold, "potential_threshold", s->potential_threshold,
			 "kam_capacity", s->kam_capacity, "sla_hours", "low", s->sla_hours[SEV_LOW],
			 "medium", s->sla_hours[SEV_MEDIUM], "high", s->sla_hours[SEV_HIGH],
			 "critical", s->sla_hours[SEV_CRITICAL], "base_currency", s->base_currency,
			 "attractiveness_split", s->attractiveness_split, "strength_split",
			 s->strength_split, "gross_margin", s->gross_margin, "cltv_horizon_years",
			 s->cltv_horizon_years);
}
