/* kam/forecast: quarters and hand-worked forecasts (docs/forecast.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include "kam/forecast.h"
#include "kam/money.h"

static date_t day(const char *s)
{
	date_t d = 0;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static void test_quarters(void **state)
{
	struct fc_quarter q, n;
	char name[FC_QUARTER_LEN];

	(void)state;
	assert_int_equal(fc_quarter_parse("2026-Q4", &q), 0);
	assert_true(q.start == day("2026-10-01") && q.end == day("2026-12-31"));
	assert_int_equal(fc_quarter_parse("2024-q1", &q), 0);
	assert_int_equal(q.end - q.start + 1, 91); /* a leap year's first quarter */
	assert_int_not_equal(fc_quarter_parse("2026-Q5", &q), 0);
	assert_int_not_equal(fc_quarter_parse("2026Q4", &q), 0);
	assert_int_not_equal(fc_quarter_parse("20x6-Q1", &q), 0);
	assert_int_not_equal(fc_quarter_parse(NULL, &q), 0);
	fc_quarter_of(day("2026-11-15"), &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "2026-Q4");
	assert_int_equal(fc_quarter_add(&q, 1, &n), 0);
	fc_quarter_name(&n, name);
	assert_string_equal(name, "2027-Q1");
	assert_int_equal(fc_quarter_add(&q, -4, &n), 0);
	fc_quarter_name(&n, name);
	assert_string_equal(name, "2025-Q4");
	/* 2026-11-15 is a Sunday: its week began on Monday the 9th */
	assert_true(fc_week_start(day("2026-11-15")) == day("2026-11-09"));
	assert_true(fc_week_start(day("2026-11-16")) == day("2026-11-16"));
	assert_true(fc_week_start(day("1970-01-01")) == day("1969-12-29"));
}

/* The fiscal year is named by the calendar year it ends in: FY2027 starting in April runs
 * 2026-04-01 … 2027-03-31; its quarters begin on 1 Apr, 1 Jul, 1 Oct and 1 Jan. */
static void test_fiscal_quarters(void **state)
{
	struct fc_quarter q, n;
	char name[FC_QUARTER_LEN], label[FC_LABEL_LEN];

	(void)state;
	/* April: FY2027-Q1 is April to June 2026 */
	assert_int_equal(fc_quarter_parse_fy("FY2027-Q1", 4, &q), 0);
	assert_true(q.start == day("2026-04-01") && q.end == day("2026-06-30"));
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q1");
	fc_quarter_label(&q, label);
	assert_string_equal(label, "FY2027 Q1 (Apr\xe2\x80\x93Jun 2026)");
	/* the same quarter without the prefix, any case */
	assert_int_equal(fc_quarter_parse_fy("fy2027-q1", 4, &n), 0);
	assert_true(n.start == q.start && n.end == q.end);
	assert_int_equal(fc_quarter_parse_fy("2027-Q1", 4, &n), 0);
	assert_true(n.start == q.start && n.end == q.end);
	/* April: Q4 is January to March of the year the fiscal year is named for, with Feb 29 */
	assert_int_equal(fc_quarter_parse_fy("FY2028-Q4", 4, &q), 0);
	assert_true(q.start == day("2028-01-01") && q.end == day("2028-03-31"));
	assert_int_equal(q.end - q.start + 1, 91);
	fc_quarter_of_fy(day("2028-02-29"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2028-Q4");
	/* each edge of the April year */
	fc_quarter_of_fy(day("2026-03-31"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2026-Q4");
	fc_quarter_of_fy(day("2026-04-01"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q1");
	fc_quarter_of_fy(day("2026-04-15"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q1");
	fc_quarter_of_fy(day("2026-06-30"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q1");
	fc_quarter_of_fy(day("2026-07-01"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q2");
	fc_quarter_of_fy(day("2026-09-30"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q2");
	fc_quarter_of_fy(day("2026-10-01"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q3");
	fc_quarter_of_fy(day("2026-12-31"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q3");
	fc_quarter_of_fy(day("2027-01-01"), 4, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q4");
	assert_true(q.start == day("2027-01-01") && q.end == day("2027-03-31"));
	/* next quarter crosses into FY2028; four back is FY2026-Q4 */
	assert_int_equal(fc_quarter_add(&q, 1, &n), 0);
	fc_quarter_name(&n, name);
	assert_string_equal(name, "FY2028-Q1");
	assert_true(n.start == day("2027-04-01") && n.end == day("2027-06-30"));
	assert_int_equal(fc_quarter_add(&q, -4, &n), 0);
	assert_true(n.start == day("2026-01-01") && n.end == day("2026-03-31"));

	/* July: FY2027 runs 2026-07-01 … 2027-06-30 */
	assert_int_equal(fc_quarter_parse_fy("FY2027-Q1", 7, &q), 0);
	assert_true(q.start == day("2026-07-01") && q.end == day("2026-09-30"));
	assert_int_equal(fc_quarter_parse_fy("FY2027-Q3", 7, &q), 0);
	assert_true(q.start == day("2027-01-01") && q.end == day("2027-03-31"));
	fc_quarter_of_fy(day("2026-06-30"), 7, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2026-Q4");
	fc_quarter_of_fy(day("2026-07-01"), 7, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q1");
	fc_quarter_of_fy(day("2024-02-29"), 7, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2024-Q3");
	assert_true(q.start == day("2024-01-01") && q.end == day("2024-03-31"));

	/* October: FY2027 runs 2026-10-01 … 2027-09-30, its Q1 is Oct–Dec 2026 */
	assert_int_equal(fc_quarter_parse_fy("FY2027-Q1", 10, &q), 0);
	assert_true(q.start == day("2026-10-01") && q.end == day("2026-12-31"));
	fc_quarter_label(&q, label);
	assert_string_equal(label, "FY2027 Q1 (Oct\xe2\x80\x93"
	                           "Dec 2026)");
	assert_int_equal(fc_quarter_parse_fy("FY2027-Q2", 10, &q), 0);
	assert_true(q.start == day("2027-01-01") && q.end == day("2027-03-31"));
	fc_quarter_of_fy(day("2026-09-30"), 10, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2026-Q4");
	fc_quarter_of_fy(day("2026-10-01"), 10, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2027-Q1");
	fc_quarter_of_fy(day("2028-02-29"), 10, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "FY2028-Q2");

	/* a quarter across the turn of the year says both years */
	assert_int_equal(fc_quarter_parse_fy("FY2027-Q1", 12, &q), 0);
	assert_true(q.start == day("2026-12-01") && q.end == day("2027-02-28"));
	fc_quarter_label(&q, label);
	assert_string_equal(label, "FY2027 Q1 (Dec 2026\xe2\x80\x93"
	                           "Feb 2027)");

	/* January: the calendar, named as before */
	assert_int_equal(fc_quarter_parse_fy("FY2026-Q4", 1, &q), 0);
	assert_true(q.start == day("2026-10-01") && q.end == day("2026-12-31"));
	fc_quarter_name(&q, name);
	assert_string_equal(name, "2026-Q4");
	fc_quarter_label(&q, label);
	assert_string_equal(label, "2026 Q4 (Oct\xe2\x80\x93"
	                           "Dec 2026)");
	fc_quarter_of_fy(day("2024-02-29"), 1, &q);
	fc_quarter_name(&q, name);
	assert_string_equal(name, "2024-Q1");
	assert_int_not_equal(fc_quarter_parse_fy("FY2026-Q1", 0, &q), 0);
	assert_int_not_equal(fc_quarter_parse_fy("FY2026-Q1", 13, &q), 0);
	assert_int_not_equal(fc_quarter_parse_fy("FX2026-Q1", 4, &q), 0);
	assert_int_not_equal(fc_quarter_parse_fy("FY", 4, &q), 0);
}

/* Q4 2026 has 92 days; today is 2026-11-15, so 46 days are left (16 Nov … 31 Dec). */
static void test_contracts_pro_rata(void **state)
{
	struct fc_quarter q4, q1, q3;
	date_t today = day("2026-11-15");

	(void)state;
	fc_quarter_parse("2026-Q4", &q4);
	fc_quarter_parse("2027-Q1", &q1);
	fc_quarter_parse("2026-Q3", &q3);
	/* 365,000 a year is 1,000 a day: 46 days left */
	assert_int_equal(
	    fc_contract_remaining(365000, day("2026-01-01"), day("2027-06-30"), &q4, today), 46000);
	/* ends on 30 Nov: 16..30 Nov, 15 days */
	assert_int_equal(
	    fc_contract_remaining(365000, day("2026-01-01"), day("2026-11-30"), &q4, today), 15000);
	/* starts on 1 Dec: 31 days */
	assert_int_equal(
	    fc_contract_remaining(365000, day("2026-12-01"), day("2027-11-30"), &q4, today), 31000);
	/* starts after the quarter, ended before today: nothing */
	assert_int_equal(
	    fc_contract_remaining(365000, day("2027-01-01"), day("2027-12-31"), &q4, today), 0);
	assert_int_equal(
	    fc_contract_remaining(365000, day("2026-01-01"), day("2026-11-10"), &q4, today), 0);
	/* a future quarter counts whole (Q1 2027: 90 days), a past one not at all */
	assert_int_equal(
	    fc_contract_remaining(365000, day("2026-01-01"), day("2027-06-30"), &q1, today), 90000);
	assert_int_equal(
	    fc_contract_remaining(365000, day("2026-01-01"), day("2027-06-30"), &q3, today), 0);
	/* rounded to the nearest unit: 100/365 → 0, 200/365 → 1 (one day left: 31 Dec) */
	assert_int_equal(fc_contract_remaining(100, day("2026-01-01"), day("2027-12-31"), &q4,
	                                       day("2026-12-30")),
	                 0);
	assert_int_equal(fc_contract_remaining(200, day("2026-01-01"), day("2027-12-31"), &q4,
	                                       day("2026-12-30")),
	                 1);
}

/* One KAM's quarter, worked by hand: rule 90 % commit, 50 % best case. */
static void test_forecast_by_hand(void **state)
{
	struct fc_rules r = {90, 50};
	struct fc_quarter q4, q1;
	struct fc_figures f, g;
	int64_t usd_in_eur = 0;
	date_t today = day("2026-11-15");
	struct fc_opp opps[] = {
	    /* won in the quarter: 5,000 */
	    {"won", 100, NULL, true, day("2026-10-10"), 500000},
	    /* won on the last day of Q3: not this quarter */
	    {"won", 100, NULL, true, day("2026-09-30"), 700000},
	    /* lost in the quarter: nowhere */
	    {"lost", 0, NULL, true, day("2026-11-01"), 900000},
	    /* open, 90 % on the quarter's last day: commit */
	    {"negotiation", 90, NULL, true, day("2026-12-31"), 1000000},
	    /* open, 60 %: best case */
	    {"proposal", 60, NULL, true, day("2026-12-15"), 200000},
	    /* 60 %, but the KAM calls it commit */
	    {"proposal", 60, "commit", true, day("2026-11-20"), 300000},
	    /* 95 %, but the KAM leaves it out */
	    {"negotiation", 95, "omitted", true, day("2026-11-25"), 400000},
	    /* 20 %: pipeline */
	    {"qualified", 20, NULL, true, day("2026-10-05"), 50000},
	    /* slipped into the next quarter: not this one */
	    {"qualified", 20, NULL, true, day("2027-01-01"), 60000},
	    /* 95 % but the KAM says pipeline */
	    {"negotiation", 95, "pipeline", true, day("2026-12-01"), 70000},
	    /* no close date: nowhere */
	    {"identified", 10, NULL, false, 0, 80000},
	};
	bool won;

	(void)state;
	fc_quarter_parse("2026-Q4", &q4);
	fc_quarter_parse("2027-Q1", &q1);
	fc_figures_init(&f);
	assert_true(f.target == -1);
	/* booked: 12,000 in October, 3,000 on 15 Nov; 9,999 of 30 Sep is Q3's */
	fc_add_transaction(&f, &q4, today, day("2026-10-02"), 1200000);
	fc_add_transaction(&f, &q4, today, day("2026-11-15"), 300000);
	fc_add_transaction(&f, &q4, today, day("2026-09-30"), 999900);
	/* dated after today: not booked yet (the contracts and the pipeline speak for those days) */
	fc_add_transaction(&f, &q4, today, day("2026-11-16"), 777700);
	/* a credit note reduces it */
	fc_add_transaction(&f, &q4, today, day("2026-11-01"), -100000);
	assert_int_equal(f.booked, 1400000);
	/* one contract of 3,650.00 a year for the 46 days left: 460.00 */
	fc_add_contract(&f, &q4, today, 365000, day("2026-01-01"), day("2027-06-30"));
	assert_int_equal(f.contracted, 46000);
	/* a USD deal of 10,000.00 at 0.9 EUR per USD on its close date: 9,000.00 best case */
	assert_true(money_convert_to(1000000, "USD", "EUR", 0.9, &usd_in_eur));
	assert_int_equal(usd_in_eur, 900000);
	{
		struct fc_opp usd = {"proposal", 75, NULL, true, day("2026-12-20"), usd_in_eur};

		assert_int_equal(fc_add_opp(&f, &r, &usd, &q4), FC_BEST_CASE);
	}
	for (size_t i = 0; i < sizeof(opps) / sizeof(opps[0]); i++)
		fc_add_opp(&f, &r, &opps[i], &q4);
	assert_int_equal(f.won, 500000);
	assert_int_equal(f.open[FC_COMMIT], 1000000 + 300000);
	assert_int_equal(f.open[FC_BEST_CASE], 200000 + 900000);
	assert_int_equal(f.open[FC_PIPELINE], 50000 + 70000);
	assert_int_equal(f.open[FC_OMITTED], 400000);
	/* the call: booked + contracted + commit; won deals are not added a second time */
	assert_int_equal(fc_commit_total(&f), 1400000 + 46000 + 1300000);
	assert_int_equal(fc_best_total(&f), 1400000 + 46000 + 1300000 + 1100000);
	/* the slipped deal is in the next quarter's pipeline */
	assert_int_equal(fc_opp_place(&r, &opps[8], &q1, &won), FC_PIPELINE);
	assert_false(won);
	assert_int_equal(fc_opp_place(&r, &opps[0], &q4, &won), FC_COMMIT);
	assert_true(won);
	/* a roll-up sums figures and targets; no target stays none */
	fc_figures_init(&g);
	fc_figures_sum(&g, &f);
	assert_true(g.target == -1);
	f.target = 5000000;
	fc_figures_sum(&g, &f);
	assert_int_equal(g.booked, 2 * 1400000);
	assert_int_equal(g.target, 5000000);
	/* an unknown category falls back to the rule */
	assert_int_equal(fc_category_parse("upside"), FC__MAX);
	assert_int_equal(fc_category_parse("best_case"), FC_BEST_CASE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quarters),
	    cmocka_unit_test(test_fiscal_quarters),
	    cmocka_unit_test(test_contracts_pro_rata),
	    cmocka_unit_test(test_forecast_by_hand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
