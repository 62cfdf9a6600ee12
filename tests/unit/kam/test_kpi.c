/* KPI formulas against hand-worked fixtures (DESIGN §6). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "kam/kpi.h"

#define FROM "2026-01-01"
#define TO "2026-04-01" /* Q1 2026: 90 days */

static struct kpi_account acct(int64_t id, const char *acq, const char *churn, double rev,
			       double prev)
{
	struct kpi_account a;

	memset(&a, 0, sizeof(a));
	a.id = id;
	snprintf(a.acquired_on, sizeof(a.acquired_on), "%s", acq);
	snprintf(a.churned_on, sizeof(a.churned_on), "%s", churn);
	a.rev = rev;
	a.rev_prev = prev;
	a.potential = -1;
	return a;
}

static void test_previous_period(void **state)
{
	char pf[11], pt[11];

	(void)state;
	/* a calendar quarter's previous period is the quarter before, not the 90 days before */
	kpi_previous(FROM, TO, pf, pt);
	assert_string_equal(pf, "2025-10-01");
	assert_string_equal(pt, FROM);
	assert_int_equal(kpi_days(FROM, TO), 90);
	kpi_previous("2026-07-01", "2026-10-01", pf, pt); /* Q3: Q2, not from 31 March */
	assert_string_equal(pf, "2026-04-01");
	assert_string_equal(pt, "2026-07-01");
	kpi_previous("2026-03-01", "2026-04-01", pf, pt); /* March: February, 28 days */
	assert_string_equal(pf, "2026-02-01");
	kpi_previous("2025-01-01", "2026-01-01", pf, pt); /* a year: the year before */
	assert_string_equal(pf, "2024-01-01");
	/* any other span: the same number of days before */
	kpi_previous("2026-03-10", "2026-03-20", pf, pt);
	assert_string_equal(pf, "2026-02-28");
	kpi_previous("2024-03-01", "2024-03-02", pf, pt);
	assert_string_equal(pf, "2024-02-29");
	/* it never leaves kam/date's range: a previous period reaching before 1900 starts there */
	kpi_previous("1950-01-01", "2026-01-01", pf, pt);
	assert_string_equal(pf, "1900-01-01");
	assert_string_equal(pt, "1950-01-01");
	kpi_previous("1900-01-01", "2999-12-31", pf, pt);
	assert_string_equal(pf, "1900-01-01");
	assert_string_equal(pt, "1900-01-01");
	assert_int_equal(kpi_days("1900-01-01", "2999-12-31"), 401766);
}

/* Hand-worked: today 2026-11-29, churn after 12 quiet months. */
static void test_lifecycle_infer(void **state)
{
	struct kpi_in_account a[6] = {0};

	(void)state;
	/* 0: revenue 2023-04 .. 2026-10: acquired 2023-04-01, not churned */
	memcpy(a[0].first_month, "2023-04", 8);
	memcpy(a[0].last_month, "2026-10", 8);
	/* 1: last revenue 2025-10: quiet Nov 2025 .. Oct 2026 = 12 months by 2026-11-01 */
	memcpy(a[1].first_month, "2024-01", 8);
	memcpy(a[1].last_month, "2025-10", 8);
	/* 2: last revenue 2025-11: 12 quiet months end 2026-12-01, after today: active */
	memcpy(a[2].first_month, "2024-01", 8);
	memcpy(a[2].last_month, "2025-11", 8);
	/* 3: states its own dates: kept */
	memcpy(a[3].acquired_on, "2020-02-02", 11);
	memcpy(a[3].churned_on, "2021-03-03", 11);
	memcpy(a[3].first_month, "2019-01", 8);
	memcpy(a[3].last_month, "2019-02", 8);
	/* 4: no revenue at all: nothing to infer */
	/* 5: re-acquired (stated) after its last revenue: not churned by the old silence */
	memcpy(a[5].acquired_on, "2026-06-01", 11);
	memcpy(a[5].first_month, "2020-01", 8);
	memcpy(a[5].last_month, "2020-05", 8);
	kpi_lifecycle_infer(a, 6, "2026-11-29", 12);
	assert_string_equal(a[0].acquired_on, "2023-04-01");
	assert_true(a[0].acquired_inferred);
	assert_string_equal(a[0].churned_on, "");
	assert_false(a[0].churned_inferred);
	assert_string_equal(a[1].acquired_on, "2024-01-01");
	assert_string_equal(a[1].churned_on, "2025-11-01");
	assert_true(a[1].churned_inferred);
	assert_string_equal(a[2].churned_on, "");
	assert_string_equal(a[3].acquired_on, "2020-02-02");
	assert_string_equal(a[3].churned_on, "2021-03-03");
	assert_false(a[3].acquired_inferred || a[3].churned_inferred);
	assert_string_equal(a[4].acquired_on, "");
	assert_string_equal(a[4].churned_on, "");
	assert_false(a[5].acquired_inferred || a[5].churned_inferred);
	assert_string_equal(a[5].churned_on, "");
	/* the boundary: on 2026-11-01 account 1 has just been quiet 12 months; the day before not
	 */
	memset(&a[1], 0, sizeof(a[1]));
	memcpy(a[1].last_month, "2025-10", 8);
	kpi_lifecycle_infer(&a[1], 1, "2026-10-31", 12);
	assert_string_equal(a[1].churned_on, "");
	kpi_lifecycle_infer(&a[1], 1, "2026-11-01", 12);
	assert_string_equal(a[1].churned_on, "2025-11-01");
}

static void test_states(void **state)
{
	static const struct {
		const char *acq, *churn;
		bool cohort, active_end, acquired_in, churned_in;
	} rows[] = {
		{"2025-06-01", "", true, true, false, false},		/* steady */
		{"2026-02-10", "", false, true, true, false},		/* new in P */
		{"2025-06-01", "2026-03-01", true, false, false, true}, /* churned in P */
		{"2025-06-01", "2025-12-31", false, false, false, false}, /* gone before P */
		{"2026-01-01", "", false, true, true, false},		/* acquired on the first day */
		{"2025-06-01", "2026-01-01", true, false, false, true}, /* churned on the first day */
		{"2025-06-01", "2026-04-01", true, true, false, false},	/* churned the day after P */
		{"", "", false, false, false, false},			/* a prospect */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct kpi_account a = acct(1, rows[i].acq, rows[i].churn, 0, 0);
		struct kpi_state s = kpi_state_of(&a, FROM, TO);

		assert_int_equal(s.cohort, rows[i].cohort);
		assert_int_equal(s.active_end, rows[i].active_end);
		assert_int_equal(s.acquired_in, rows[i].acquired_in);
		assert_int_equal(s.churned_in, rows[i].churned_in);
	}
}

static void test_revenue_kpis(void **state)
{
	/*
	 * cohort: A (100 → 150, expansion 50), B (200 → 120, contraction 80), C churned in P
	 * (50 → 10, contraction 40 from churn), D steady (100 → 100); E new in P (0 → 30) is
	 * not in the cohort; F churned before P is out of everything.
	 * NRR = (150+120+10+100) / (100+200+50+100) = 380/450; GRR = (100+120+10+100)/450 = 330/450
	 * retention = (active at end: A B D E = 4 − acquired 1) / cohort 4 = 0.75; churn = 1/4
	 */
	struct kpi_account a[] = {
		acct(1, "2025-01-01", "", 150, 100),	     acct(2, "2025-01-01", "", 120, 200),
		acct(3, "2025-01-01", "2026-02-15", 10, 50), acct(4, "2025-01-01", "", 100, 100),
		acct(5, "2026-03-01", "", 30, 0),	     acct(6, "2024-01-01", "2025-06-01", 0, 0),
	};
	struct kpi_revenue r;

	(void)state;
	a[0].upsell_won = true;
	a[4].upsell_won = true; /* not in the cohort: does not count */
	a[0].potential = 365 * 4;  /* pro rata over 90 days: 360 */
	kpi_revenue(a, 6, FROM, TO, &r);
	assert_int_equal(r.cohort, 4);
	assert_float_equal(r.nrr.value, 380.0 / 450.0, 1e-12);
	assert_float_equal(r.nrr.num, 380, 1e-12);
	assert_float_equal(r.nrr.den, 450, 1e-12);
	assert_float_equal(r.grr.value, 330.0 / 450.0, 1e-12);
	assert_float_equal(r.expansion, 50, 1e-12);
	assert_float_equal(r.contraction, 120, 1e-12);
	assert_float_equal(r.contraction_churned, 40, 1e-12);
	assert_float_equal(r.logo_retention.value, 0.75, 1e-12);
	assert_float_equal(r.logo_churn.value, 0.25, 1e-12);
	assert_float_equal(r.upsell_rate.value, 0.25, 1e-12);
	assert_float_equal(r.revenue, 410, 1e-12);
	assert_float_equal(r.revenue_prev, 450, 1e-12);
	assert_float_equal(r.revenue_growth.value, 410.0 / 450.0 - 1, 1e-12);
	assert_float_equal(r.share_of_wallet.num, 150, 1e-12);
	assert_float_equal(r.share_of_wallet.den, 360, 1e-9);
}

static void test_zero_denominators_are_null(void **state)
{
	struct kpi_account a[] = {acct(1, "2026-02-01", "", 10, 0)}; /* only a new account */
	struct kpi_revenue r;
	int p, pa, d;

	(void)state;
	kpi_revenue(a, 1, FROM, TO, &r);
	assert_true(r.nrr.null);
	assert_true(r.grr.null);
	assert_true(r.logo_retention.null);
	assert_true(r.logo_churn.null);
	assert_true(r.revenue_growth.null);
	assert_true(r.share_of_wallet.null);
	assert_false(isnan(r.nrr.value));
	kpi_revenue(NULL, 0, FROM, TO, &r);
	assert_true(r.upsell_rate.null);
	assert_true(kpi_nps(NULL, 0, &p, &pa, &d).null);
	assert_true(kpi_csat_mean(NULL, 0).null);
	assert_true(kpi_median(NULL, 0).null);
	assert_true(kpi_p90(NULL, 0).null);
	assert_true(kpi_mean(NULL, 0).null);
}

static void test_nps_csat(void **state)
{
	const int nps[] = {10, 9, 8, 7, 6, 0, 9, 10, 3, 8}; /* 4 promoters, 3 passives, 3 detractors */
	const int csat[] = {5, 4, 3, 1, 4};
	int p, pa, d;
	struct kpi_fig f = kpi_nps(nps, 10, &p, &pa, &d);

	(void)state;
	assert_int_equal(p, 4);
	assert_int_equal(pa, 3);
	assert_int_equal(d, 3);
	assert_float_equal(f.value, 10, 1e-12);
	assert_float_equal(kpi_csat_mean(csat, 5).value, 17.0 / 5, 1e-12);
	assert_float_equal(kpi_csat_share(csat, 5).value, 3.0 / 5, 1e-12);
}

static void test_resolution_times(void **state)
{
	double odd[] = {5, 1, 3};
	double even[] = {4, 1, 3, 2};
	double ten[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
	double twenty[20];
	double one[] = {7};

	(void)state;
	assert_float_equal(kpi_median(odd, 3).value, 3, 1e-12);
	assert_float_equal(kpi_median(even, 4).value, 2.5, 1e-12); /* mean of the middle two */
	assert_float_equal(kpi_p90(ten, 10).value, 9, 1e-12);     /* 9 of 10 at or below 9 */
	for (int i = 0; i < 20; i++)
		twenty[i] = i + 1;
	assert_float_equal(kpi_p90(twenty, 20).value, 18, 1e-12);
	assert_float_equal(kpi_p90(one, 1).value, 7, 1e-12);
	assert_float_equal(kpi_p90(odd, 3).value, 5, 1e-12); /* ceil(2.7) = 3rd */
	assert_float_equal(kpi_mean(even, 4).value, 2.5, 1e-12);
}

static void test_cltv(void **state)
{
	(void)state;
	/* 1000/year at 30% margin, 10% churn → 3000; capped at 10 years = 3000 too */
	assert_float_equal(kpi_cltv_predictive(1000, 0.3, 0.1, 10).value, 3000, 1e-9);
	assert_float_equal(kpi_cltv_predictive(1000, 0.3, 0.05, 10).value, 3000, 1e-9); /* cap */
	assert_float_equal(kpi_cltv_predictive(1000, 0.3, 0.5, 10).value, 600, 1e-9);
	assert_float_equal(kpi_cltv_predictive(1000, 0.3, 0, 10).value, 3000, 1e-9); /* no churn */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_previous_period),
	    cmocka_unit_test(test_lifecycle_infer),
	    cmocka_unit_test(test_states),
	    cmocka_unit_test(test_revenue_kpis),
	    cmocka_unit_test(test_zero_denominators_are_null),
	    cmocka_unit_test(test_nps_csat),
	    cmocka_unit_test(test_resolution_times),
	    cmocka_unit_test(test_cltv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
