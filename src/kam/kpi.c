#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kam/date.h"
#include "kam/kpi.h"
#include "util/err.h"

/* The day of a YYYY-MM-DD the API or the store already checked; the range's first day for
 * anything else, so a corrupt value cannot push the arithmetic out of the range. */
static date_t day_of(const char *d)
{
	date_t n;

	return date_parse(d, &n) == KAM_OK ? n : DATE_MIN;
}

int kpi_days(const char *from, const char *to)
{
	return (int)date_diff(day_of(from), day_of(to));
}

void kpi_previous(const char *from, const char *to, char pfrom[11], char pto[11])
{
	date_t f = day_of(from), t = day_of(to), pf;
	int fy, fm, fd, ty, tm, td;
	int rc;

	date_ymd(f, &fy, &fm, &fd);
	date_ymd(t, &ty, &tm, &td);
	/* whole calendar months (a month, a quarter, a year): the same number of months before,
	 * so Q3's previous period is Q2, 1 April to 1 July, not the 92 days from 31 March */
	if (fd == 1 && td == 1)
		rc = date_add_months(f, -((int64_t)(ty - fy) * 12 + (tm - fm)), &pf);
	else
		rc = date_add_days(f, -date_diff(f, t), &pf);
	/* no date before the range exists, so a previous period reaching past its start is the
	 * part of it inside the range */
	if (rc != KAM_OK)
		pf = DATE_MIN;
	date_format(pf, pfrom);
	date_format(f, pto);
}

void kpi_lifecycle_infer(struct kpi_in_account *a, size_t n, const char *today, int churn_after)
{
	for (size_t i = 0; i < n; i++) {
		date_t first, after, quiet_until;
		char text[DATE_LEN];

		if (a[i].acquired_on[0] == '\0' &&
		    date_parse_month(a[i].first_month, &first) == KAM_OK) {
			date_format(first, a[i].acquired_on);
			a[i].acquired_inferred = true;
		}
		/* the month after the last revenue, and the day churn_after months after it */
		if (a[i].churned_on[0] != '\0' ||
		    date_parse_month(a[i].last_month, &after) != KAM_OK ||
		    date_add_months(after, 1, &after) != KAM_OK ||
		    date_add_months(after, churn_after, &quiet_until) != KAM_OK)
			continue;
		date_format(quiet_until, text);
		if (strcmp(text, today) > 0)
			continue; /* not quiet long enough yet */
		date_format(after, text);
		if (strcmp(text, a[i].acquired_on) <= 0)
			continue; /* a stated acquisition after the last revenue: a new start */
		memcpy(a[i].churned_on, text, DATE_LEN);
		a[i].churned_inferred = true;
	}
}

struct kpi_fig kpi_ratio(double num, double den)
{
	struct kpi_fig f = {den == 0, den == 0 ? 0 : num / den, num, den};

	return f;
}

/* Dates are YYYY-MM-DD, so text order is date order; "" means never. */
static bool before(const char *d, const char *when)
{
	return d[0] && strcmp(d, when) < 0;
}

struct kpi_state kpi_state_of(const struct kpi_account *a, const char *from, const char *to)
{
	struct kpi_state s;

	s.cohort = before(a->acquired_on, from) && !before(a->churned_on, from);
	s.active_end = before(a->acquired_on, to) && !before(a->churned_on, to);
	s.acquired_in = a->acquired_on[0] && !before(a->acquired_on, from) &&
			before(a->acquired_on, to);
	s.churned_in = s.cohort && a->churned_on[0] && !before(a->churned_on, from) &&
		       before(a->churned_on, to);
	return s;
}

void kpi_revenue(const struct kpi_account *a, size_t n, const char *from, const char *to,
		 struct kpi_revenue *out)
{
	double cur = 0, prev = 0, mins = 0, active_end = 0, acquired = 0, churned = 0,
	       upsell = 0, pot_rev = 0, pot = 0, days = kpi_days(from, to);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		struct kpi_state s = kpi_state_of(&a[i], from, to);

		out->revenue += a[i].rev;
		out->revenue_prev += a[i].rev_prev;
		if (a[i].potential > 0) {
			pot_rev += a[i].rev;
			pot += a[i].potential * days / 365.0;
		}
		if (s.active_end)
			active_end++;
		if (s.acquired_in)
			acquired++;
		if (!s.cohort)
			continue;
		out->cohort++;
		cur += a[i].rev;
		prev += a[i].rev_prev;
		mins += fmin(a[i].rev, a[i].rev_prev);
		if (a[i].rev > a[i].rev_prev)
			out->expansion += a[i].rev - a[i].rev_prev;
		if (a[i].rev_prev > a[i].rev) {
			out->contraction += a[i].rev_prev - a[i].rev;
			if (s.churned_in)
				out->contraction_churned += a[i].rev_prev - a[i].rev;
		}
		if (s.churned_in)
			churned++;
		if (a[i].upsell_won)
			upsell++;
	}
	out->logo_retention = kpi_ratio(active_end - acquired, (double)out->cohort);
	out->logo_churn = kpi_ratio(churned, (double)out->cohort);
	out->nrr = kpi_ratio(cur, prev);
	out->grr = kpi_ratio(mins, prev);
	out->upsell_rate = kpi_ratio(upsell, (double)out->cohort);
	out->share_of_wallet = kpi_ratio(pot_rev, pot);
	out->revenue_growth = kpi_ratio(out->revenue - out->revenue_prev, out->revenue_prev);
}

struct kpi_fig kpi_nps(const int *scores, size_t n, int *promoters, int *passives,
		       int *detractors)
{
	int p = 0, d = 0;

	for (size_t i = 0; i < n; i++) {
		if (scores[i] >= 9)
			p++;
		else if (scores[i] <= 6)
			d++;
	}
	*promoters = p;
	*detractors = d;
	*passives = (int)n - p - d;
	return kpi_ratio(100.0 * (p - d), (double)n);
}

struct kpi_fig kpi_csat_mean(const int *scores, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += scores[i];
	return kpi_ratio(sum, (double)n);
}

struct kpi_fig kpi_csat_share(const int *scores, size_t n)
{
	double ok = 0;

	for (size_t i = 0; i < n; i++)
		if (scores[i] >= 4)
			ok++;
	return kpi_ratio(ok, (double)n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct kpi_fig kpi_median(double *v, size_t n)
{
	struct kpi_fig f = {true, 0, NAN, (double)n}; /* not a ratio: no numerator, n values */

	if (n == 0)
		return f;
	qsort(v, n, sizeof(*v), cmp_double);
	f.null = false;
	f.value = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
	return f;
}

struct kpi_fig kpi_p90(double *v, size_t n)
{
	struct kpi_fig f = {true, 0, NAN, (double)n};
	size_t rank;

	if (n == 0)
		return f;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = (9 * n + 9) / 10; /* ceil(0.9 n) in integers: the 1-based nearest rank */
	if (rank < 1)
		rank = 1;
	f.null = false;
	f.value = v[rank - 1];
	return f;
}

struct kpi_fig kpi_mean(const double *v, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	return kpi_ratio(sum, (double)n);
}

struct kpi_fig kpi_cltv_predictive(double avg_annual_revenue, double margin, double annual_churn,
				   double horizon_years)
{
	/* capping the lifetime at the horizon is dividing by at least 1/horizon: no churn at
	 * all then gives the horizon's value, never an infinite one */
	double den = fmax(annual_churn, 1.0 / horizon_years);

	return kpi_ratio(avg_annual_revenue * margin, den);
}
