/*
 * KPI formulas of DESIGN §6 as plain functions over plain arrays, so each can be checked by
 * hand. A figure whose denominator is zero is null — never 0, never NaN.
 */
#ifndef KAM_KAM_KPI_H
#define KAM_KAM_KPI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kam/kpi_input.h"

struct kpi_fig {
	bool null;
	double value, num, den; /* num is NAN for figures that are not ratios (median, p90) */
};

/* One account over the period P = [from, to) and the previous period of the same length. */
struct kpi_account {
	int64_t id;
	char acquired_on[11]; /* "" when never acquired (a prospect) */
	char churned_on[11];  /* "" when not churned */
	double rev, rev_prev; /* R_a(P), R_a(P-1) in base minor units */
	double potential;     /* potential annual spend in base minor units, < 0 unknown */
	double rev_total;     /* revenue since the first transaction (historical CLTV) */
	char first_booked[11]; /* "" without transactions */
	bool upsell_won;       /* ≥ 1 upsell or cross-sell won and closed in P */
};

/* How an account stands relative to [from, to). */
struct kpi_state {
	bool cohort;      /* active at the start: acquired before from, not churned before from */
	bool active_end;  /* active at the end: acquired before to, not churned before to */
	bool acquired_in; /* acquired within P */
	bool churned_in;  /* churned within P */
};

/* The previous period: the same number of days just before [from, to), starting no earlier
 * than DATE_MIN (dates are those of kam/date). */
void kpi_previous(const char *from, const char *to, char pfrom[11], char pto[11]);
/* Days in [from, to). */
int kpi_days(const char *from, const char *to);
/* Classifies an account for a period. */
struct kpi_state kpi_state_of(const struct kpi_account *a, const char *from, const char *to);
/* num / den, or null when den is 0. */
struct kpi_fig kpi_ratio(double num, double den);
/*
 * The customer lifecycle from revenue, for accounts that do not state it (imported history
 * has no acquired_on or churned_on): acquired on the first day of its first month with
 * revenue; churned on the first day of the month after its last one with revenue, once
 * churn_after whole months have passed since without revenue by today. Dates the account
 * states are kept. Each inferred date is flagged.
 */
void kpi_lifecycle_infer(struct kpi_in_account *a, size_t n, const char *today, int churn_after);

struct kpi_revenue {
	struct kpi_fig logo_retention, logo_churn, grr, nrr, revenue_growth, share_of_wallet,
		upsell_rate;
	double expansion, contraction, contraction_churned, revenue, revenue_prev;
	size_t cohort;
};

/* Retention, churn, GRR, NRR, expansion, contraction, revenue and its growth, share of wallet
 * (potential pro rata to days / 365) and the upsell rate over n accounts. */
void kpi_revenue(const struct kpi_account *a, size_t n, const char *from, const char *to,
		 struct kpi_revenue *out);

/* NPS −100..100 from scores 0..10 with the counts of each group. */
struct kpi_fig kpi_nps(const int *scores, size_t n, int *promoters, int *passives,
		       int *detractors);
/* CSAT: mean of scores 1..5, and the share of 4 and 5. */
struct kpi_fig kpi_csat_mean(const int *scores, size_t n);
struct kpi_fig kpi_csat_share(const int *scores, size_t n);

/* Median (mean of the two middle values for an even count); sorts v. */
struct kpi_fig kpi_median(double *v, size_t n);
/* Nearest-rank p90: the smallest value with at least 90% of values at or below it; sorts v. */
struct kpi_fig kpi_p90(double *v, size_t n);
/* Mean. */
struct kpi_fig kpi_mean(const double *v, size_t n);

/* CLTV (predictive): average annual revenue × margin ÷ annual churn, capped at horizon years. */
struct kpi_fig kpi_cltv_predictive(double avg_annual_revenue, double margin, double annual_churn,
				   double horizon_years);

#endif
