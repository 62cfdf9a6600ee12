#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kam/date.h"
#include "kam/kpi_report.h"
#include "util/time.h"

const char *const kpi_names[] = {
	"logo_retention",   "logo_churn",	"grr",		     "nrr",
	"expansion",	    "contraction",	"revenue",	     "revenue_growth",
	"share_of_wallet",  "cltv_historical", "cltv_predictive",  "upsell_rate",
	"nps",		    "csat",		"goal_achievement", "ttr_median_hours",
	"ttr_p90_hours",    "ttr_mean_hours",	"sla_compliance",   "interactions_per_account_month",
	NULL,
};

bool kpi_known(const char *name)
{
	for (const char *const *n = kpi_names; *n; n++)
		if (strcmp(*n, name) == 0)
			return true;
	return false;
}

static json_t *num(double v)
{
	/* money and counts are whole numbers: keep them integers in JSON */
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *fig(struct kpi_fig f)
{
	return json_pack("{s:o,s:o,s:o}", "value", f.null ? json_null() : num(f.value), "numerator",
			 isnan(f.num) ? json_null() : num(f.num), "denominator", num(f.den));
}

static json_t *amount(double v)
{
	return json_pack("{s:o,s:o,s:n}", "value", num(v), "numerator", num(v), "denominator");
}

static const struct kpi_in_account *account_of(const struct kpi_input *d, int64_t id)
{
	size_t lo = 0, hi = d->nacc;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->acc[mid].id == id)
			return &d->acc[mid];
		if (d->acc[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool event_in(const struct kpi_input *d, int64_t account_id, kpi_scope_fn in,
		     void *arg)
{
	const struct kpi_in_account *a = account_of(d, account_id);

	return a && (in == NULL || in(a, arg));
}

/* The in-scope accounts as kpi_account rows (caller frees). */
static struct kpi_account *scoped(const struct kpi_input *d, kpi_scope_fn in, void *arg,
				  size_t *n, bool prev)
{
	struct kpi_account *v = calloc(d->nacc + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < d->nacc; i++) {
		const struct kpi_in_account *a = &d->acc[i];
		struct kpi_account *k;

		if (in && !in(a, arg))
			continue;
		k = &v[(*n)++];
		k->id = a->id;
		memcpy(k->acquired_on, a->acquired_on, sizeof(k->acquired_on));
		memcpy(k->churned_on, a->churned_on, sizeof(k->churned_on));
		k->rev = prev ? a->rev_prev : a->rev;
		k->rev_prev = prev ? a->rev_prev2 : a->rev_prev;
		k->potential = a->potential;
		k->rev_total = prev ? a->rev_total_prev : a->rev_total;
		k->upsell_won = prev ? a->upsell_won_prev : a->upsell_won;
	}
	return v;
}

/* Hours to resolution of the in-scope cases resolved in P; *met counts those within SLA. */
static double *resolution_hours(const struct settings *s, const struct kpi_input *d,
				kpi_scope_fn in, void *arg, int64_t t0, int64_t t1, size_t *n,
				size_t *met)
{
	double *h = calloc(d->ncases + 1, sizeof(*h));

	*n = *met = 0;
	for (size_t i = 0; h && i < d->ncases; i++) {
		const struct kpi_in_case *k = &d->cases[i];
		double hours;

		if (k->resolved_at < t0 || k->resolved_at >= t1 ||
		    !event_in(d, k->account_id, in, arg))
			continue;
		hours = (double)(k->resolved_at - k->opened_at) / 3600.0;
		h[(*n)++] = hours;
		if (k->severity >= 0 && k->severity < SEV__MAX && hours <= s->sla_hours[k->severity])
			(*met)++;
	}
	return h;
}

static json_t *figures(const struct settings *s, const struct kpi_input *d, kpi_scope_fn in,
		       void *arg, const char *from, const char *to, bool prev)
{
	struct kpi_revenue r, year;
	size_t n = 0, nh = 0, met = 0, nn = 0, nc = 0;
	struct kpi_account *acc = scoped(d, in, arg, &n, prev);
	int64_t t0 = date_text_time(from), t1 = date_text_time(to);
	int *nps = calloc(d->nsurveys + 1, sizeof(int)), *csat = calloc(d->nsurveys + 1, sizeof(int));
	double *hours, hist = 0, hist_n = 0, annual = 0, annual_n = 0, goals = 0, achieved = 0,
		       inter = 0, active = 0;
	char year_ago[11];
	int p, pa, dt, bad = 0;
	json_t *out, *f;

	if (acc == NULL || nps == NULL || csat == NULL) {
		free(acc);
		free(nps);
		free(csat);
		return NULL;
	}
	kpi_revenue(acc, n, from, to, &r);
	date_text_year_before(to, year_ago);
	kpi_revenue(acc, n, year_ago, to, &year); /* the annual churn for predictive CLTV */
	for (size_t i = 0; i < n; i++) {
		struct kpi_state st = kpi_state_of(&acc[i], from, to);

		if (acc[i].rev_total > 0) {
			hist += acc[i].rev_total;
			hist_n++;
		}
		if (st.cohort || st.acquired_in)
			active++;
	}
	for (size_t i = 0; i < d->nacc; i++) {
		double y = prev ? d->acc[i].rev_year_prev : d->acc[i].rev_year;

		if ((in == NULL || in(&d->acc[i], arg)) && y > 0) {
			annual += y;
			annual_n++;
		}
	}
	for (size_t i = 0; i < d->nsurveys; i++) {
		const struct kpi_in_survey *sv = &d->surveys[i];

		if (strcmp(sv->answered_on, from) < 0 || strcmp(sv->answered_on, to) >= 0 ||
		    !event_in(d, sv->account_id, in, arg))
			continue;
		if (sv->csat)
			csat[nc++] = sv->score;
		else
			nps[nn++] = sv->score;
	}
	for (size_t i = 0; i < d->nobjectives; i++) {
		const struct kpi_in_objective *o = &d->objectives[i];

		if (strcmp(o->due_on, from) < 0 || strcmp(o->due_on, to) >= 0 ||
		    !event_in(d, o->account_id, in, arg))
			continue;
		goals++;
		achieved += o->achieved;
	}
	for (size_t i = 0; i < d->ninteractions; i++)
		if (d->interactions[i].occurred_at >= t0 && d->interactions[i].occurred_at < t1 &&
		    event_in(d, d->interactions[i].account_id, in, arg))
			inter++;
	hours = resolution_hours(s, d, in, arg, t0, t1, &nh, &met);
	bad |= hours == NULL; /* no time to resolution is no figure, not an empty one */

	out = json_object();
	bad |= json_object_set_new(out, "logo_retention", fig(r.logo_retention));
	bad |= json_object_set_new(out, "logo_churn", fig(r.logo_churn));
	bad |= json_object_set_new(out, "grr", fig(r.grr));
	bad |= json_object_set_new(out, "nrr", fig(r.nrr));
	bad |= json_object_set_new(out, "expansion", amount(r.expansion));
	f = amount(r.contraction);
	bad |= json_object_set_new(f, "from_churned", num(r.contraction_churned));
	bad |= json_object_set_new(out, "contraction", f);
	bad |= json_object_set_new(out, "revenue", amount(r.revenue));
	bad |= json_object_set_new(out, "revenue_growth", fig(r.revenue_growth));
	bad |= json_object_set_new(out, "share_of_wallet", fig(r.share_of_wallet));
	bad |= json_object_set_new(out, "cltv_historical", fig(kpi_ratio(hist, hist_n)));
	f = annual_n > 0 && !year.logo_churn.null
		    ? fig(kpi_cltv_predictive(annual / annual_n, s->gross_margin,
					      year.logo_churn.value, s->cltv_horizon_years))
		    : fig(kpi_ratio(0, 0));
	bad |= json_object_set_new(out, "cltv_predictive", f);
	bad |= json_object_set_new(out, "upsell_rate", fig(r.upsell_rate));
	f = fig(kpi_nps(nps, nn, &p, &pa, &dt));
	bad |= json_object_set_new(f, "promoters", json_integer(p));
	bad |= json_object_set_new(f, "passives", json_integer(pa));
	bad |= json_object_set_new(f, "detractors", json_integer(dt));
	bad |= json_object_set_new(out, "nps", f);
	f = fig(kpi_csat_mean(csat, nc));
	bad |= json_object_set_new(f, "share_satisfied",
	                           kpi_csat_share(csat, nc).null
	                               ? json_null()
	                               : json_real(kpi_csat_share(csat, nc).value));
	bad |= json_object_set_new(out, "csat", f);
	bad |= json_object_set_new(out, "goal_achievement", fig(kpi_ratio(achieved, goals)));
	bad |= json_object_set_new(out, "ttr_mean_hours", fig(kpi_mean(hours, nh)));
	bad |= json_object_set_new(out, "ttr_median_hours", fig(kpi_median(hours, nh)));
	bad |= json_object_set_new(out, "ttr_p90_hours", fig(kpi_p90(hours, nh)));
	bad |= json_object_set_new(out, "sla_compliance", fig(kpi_ratio((double)met, (double)nh)));
	bad |= json_object_set_new(out, "interactions_per_account_month",
	                           fig(kpi_ratio(inter, active * kpi_days(from, to) / 30.4375)));
	free(acc);
	free(nps);
	free(csat);
	free(hours);
	if (bad) { /* a figure missing for want of memory: none rather than some */
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *kpi_figures(const struct settings *s, const struct kpi_input *d, kpi_scope_fn in,
		    void *arg, const char *from, const char *to)
{
	return figures(s, d, in, arg, from, to, false);
}

json_t *kpi_figures_previous(const struct settings *s, const struct kpi_input *d,
			     kpi_scope_fn in, void *arg, const char *from, const char *to)
{
	return figures(s, d, in, arg, from, to, true);
}

static const char *state_name(struct kpi_state st)
{
	if (st.churned_in)
		return "churned";
	if (st.cohort)
		return "retained";
	if (st.acquired_in)
		return "acquired";
	return "inactive";
}

json_t *kpi_rows(const char *name, const struct settings *s, const struct kpi_input *d,
		 kpi_scope_fn in, void *arg, const char *from, const char *to)
{
	json_t *rows = json_array();
	int64_t t0 = date_text_time(from), t1 = date_text_time(to);

	if (!strcmp(name, "nps") || !strcmp(name, "csat")) {
		for (size_t i = 0; i < d->nsurveys; i++) {
			const struct kpi_in_survey *sv = &d->surveys[i];

			if (sv->csat != (name[0] == 'c') || strcmp(sv->answered_on, from) < 0 ||
			    strcmp(sv->answered_on, to) >= 0 || !event_in(d, sv->account_id, in, arg))
				continue;
			json_array_append_new(rows, json_pack("{s:I,s:s,s:i}", "account_id",
							      (json_int_t)sv->account_id, "answered_on",
							      sv->answered_on, "score", sv->score));
		}
	} else if (!strcmp(name, "goal_achievement")) {
		for (size_t i = 0; i < d->nobjectives; i++) {
			const struct kpi_in_objective *o = &d->objectives[i];

			if (strcmp(o->due_on, from) < 0 || strcmp(o->due_on, to) >= 0 ||
			    !event_in(d, o->account_id, in, arg))
				continue;
			json_array_append_new(rows, json_pack("{s:I,s:s,s:b}", "account_id",
							      (json_int_t)o->account_id, "due_on",
							      o->due_on, "achieved", o->achieved));
		}
	} else if (!strncmp(name, "ttr_", 4) || !strcmp(name, "sla_compliance")) {
		for (size_t i = 0; i < d->ncases; i++) {
			const struct kpi_in_case *k = &d->cases[i];
			double h = (double)(k->resolved_at - k->opened_at) / 3600.0;

			if (k->resolved_at < t0 || k->resolved_at >= t1 ||
			    !event_in(d, k->account_id, in, arg))
				continue;
			json_array_append_new(
				rows, json_pack("{s:I,s:I,s:f,s:i,s:b}", "case_id", (json_int_t)k->id,
						"account_id", (json_int_t)k->account_id, "hours", h,
						"sla_hours", s->sla_hours[k->severity % SEV__MAX],
						"within_sla", h <= s->sla_hours[k->severity % SEV__MAX]));
		}
	} else if (!strcmp(name, "interactions_per_account_month")) {
		for (size_t i = 0; i < d->ninteractions; i++) {
			const struct kpi_in_interaction *x = &d->interactions[i];
			char ts[32];

			if (x->occurred_at < t0 || x->occurred_at >= t1 ||
			    !event_in(d, x->account_id, in, arg))
				continue;
			time_rfc3339(x->occurred_at, ts, sizeof(ts));
			json_array_append_new(rows, json_pack("{s:I,s:s}", "account_id",
							      (json_int_t)x->account_id, "occurred_at",
							      ts));
		}
	} else {
		size_t n = 0;
		struct kpi_account *acc = scoped(d, in, arg, &n, false);

		for (size_t i = 0; acc && i < n; i++) {
			struct kpi_state st = kpi_state_of(&acc[i], from, to);

			json_array_append_new(
				rows,
				json_pack("{s:I,s:s,s:b,s:o,s:o,s:o,s:o,s:b}", "account_id",
					  (json_int_t)acc[i].id, "state", state_name(st), "in_cohort",
					  st.cohort, "revenue", num(acc[i].rev), "revenue_previous",
					  num(acc[i].rev_prev), "revenue_total", num(acc[i].rev_total),
					  "potential_annual",
					  acc[i].potential < 0 ? json_null() : num(acc[i].potential),
					  "upsell_won", acc[i].upsell_won));
		}
		free(acc);
	}
	return rows;
}
