/* The KPI answer over a small portfolio worked out by hand: a table of figure → value. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "kam/date.h"
#include "kam/kpi_report.h"

#define FROM "2026-01-01"
#define TO "2026-04-01" /* 90 days */

/* Four accounts: one grows, one shrinks, one churns in P, one is won in P. */
static struct kpi_in_account acc[] = {
    {.id = 1, .acquired_on = "2020-01-01", .rev = 1200, .rev_prev = 1000, .potential = -1},
    {.id = 2, .acquired_on = "2020-01-01", .rev = 700, .rev_prev = 1000, .potential = -1},
    {.id = 3,
     .acquired_on = "2020-01-01",
     .churned_on = "2026-02-01",
     .rev = 0,
     .rev_prev = 500,
     .potential = -1},
    {.id = 4, .acquired_on = "2026-02-01", .rev = 400, .rev_prev = 0, .potential = -1},
};
/* NPS 10, 9, 7, 3 (and one before P, which does not count); CSAT 5, 4, 2 */
static struct kpi_in_survey surveys[] = {
    {1, false, 10, "2026-01-05"}, {1, false, 9, "2026-02-05"}, {2, false, 7, "2026-03-31"},
    {2, false, 3, "2026-01-01"},  {2, false, 0, "2025-12-31"}, {1, true, 5, "2026-01-10"},
    {3, true, 4, "2026-01-20"},   {4, true, 2, "2026-03-01"},
};
/* due in P: three, two achieved; one due after P */
static struct kpi_in_objective objectives[] = {
    {1, true, "2026-01-15"},
    {2, true, "2026-02-15"},
    {2, false, "2026-03-15"},
    {1, false, "2026-04-01"},
};

static struct kpi_input input(struct kpi_in_case *cases, size_t ncases,
                              struct kpi_in_interaction *inter, size_t ninter)
{
	return (struct kpi_input){acc, 4, surveys, 8, objectives, 4, cases, ncases, inter, ninter};
}

static void test_figures(void **state)
{
	int64_t t = date_text_time("2026-02-10");
	/* critical cases (SLA 8 h): one resolved in 2 h, one in 100 h; one resolved after P */
	struct kpi_in_case cases[] = {
	    {1, 1, SEV_CRITICAL, t, t + 2 * 3600},
	    {2, 2, SEV_CRITICAL, t, t + 100 * 3600},
	    {3, 2, SEV_CRITICAL, t, date_text_time(TO) + 3600},
	};
	struct kpi_in_interaction inter[] = {
	    {1, t}, {1, t + 1}, {2, t}, {3, t}, {4, t}, {4, t}, {4, date_text_time(TO)}};
	struct kpi_input d = input(cases, 3, inter, 7);
	struct settings s;
	static const struct {
		const char *name;
		double value; /* NAN: null */
	} want[] = {
	    {"logo_retention", 2.0 / 3},   /* 1 and 2 of the cohort 1, 2, 3 */
	    {"logo_churn", 1.0 / 3},       /* 3 */
	    {"nrr", 1900.0 / 2500},        /* (1200 + 700 + 0) / (1000 + 1000 + 500) */
	    {"grr", 1700.0 / 2500},        /* (1000 + 700 + 0) / 2500 */
	    {"revenue", 2300},             /* 1200 + 700 + 0 + 400 */
	    {"expansion", 200},            /* 1 */
	    {"share_of_wallet", NAN},      /* no potential known */
	    {"nps", 25},                   /* (2 promoters - 1 detractor) / 4 */
	    {"csat", 11.0 / 3},            /* (5 + 4 + 2) / 3 */
	    {"goal_achievement", 2.0 / 3}, /* 2 of the 3 due in P */
	    {"sla_compliance", 0.5},       /* 2 h met, 100 h not */
	    {"ttr_median_hours", 51},      /* (2 + 100) / 2 */
	    {"ttr_mean_hours", 51},
	    {"interactions_per_account_month", 6 / (4 * 90 / 30.4375)}, /* 6 in P, 4 active */
	};
	json_t *f;

	(void)state;
	settings_defaults(&s);
	f = kpi_figures(&s, &d, NULL, NULL, FROM, TO);
	assert_non_null(f);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_t *v = json_object_get(json_object_get(f, want[i].name), "value");

		if (isnan(want[i].value)) {
			if (!json_is_null(v))
				fail_msg("%s is %g, not null", want[i].name, json_number_value(v));
		} else if (!json_is_number(v) ||
		           fabs(json_number_value(v) - want[i].value) > 1e-9) {
			fail_msg("%s is %s%g, not %g", want[i].name,
			         json_is_number(v) ? "" : "null ", json_number_value(v),
			         want[i].value);
		}
	}
	json_decref(f);
}

/* A scope keeps only its accounts: the portfolio minus account 3 has no churn. */
static bool not_three(const struct kpi_in_account *a, void *arg)
{
	(void)arg;
	return a->id != 3;
}

static void test_scope(void **state)
{
	struct kpi_input d = input(NULL, 0, NULL, 0);
	struct settings s;
	json_t *f;

	(void)state;
	settings_defaults(&s);
	f = kpi_figures(&s, &d, not_three, NULL, FROM, TO);
	assert_non_null(f);
	assert_true(fabs(json_number_value(
	                json_object_get(json_object_get(f, "logo_churn"), "value"))) < 1e-12);
	assert_true(fabs(json_number_value(json_object_get(json_object_get(f, "nrr"), "value")) -
	                 1900.0 / 2000) < 1e-9);
	/* nothing resolved: the case figures are null, not 0 */
	assert_true(json_is_null(json_object_get(json_object_get(f, "sla_compliance"), "value")));
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_figures),
	    cmocka_unit_test(test_scope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
