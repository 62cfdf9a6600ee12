/* The KAM cycle's pure rules: money, whitespace, stages, plans, SLA, risks, surveys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/engagement.h"
#include "kam/money.h"
#include "kam/plan.h"
#include "kam/revenue.h"

/* The one conversion rule (kam/money), which must convert these. */
static int64_t to_base(int64_t amount, double rate)
{
	int64_t out = -1;

	assert_true(money_convert(amount, rate, &out));
	return out;
}

static void test_money(void **state)
{
	(void)state;
	assert_int_equal(to_base(10001, 1.17), 11701); /* 11701.17 */
	assert_int_equal(to_base(5, 0.5), 3);          /* 2.5 rounds away from zero */
	assert_int_equal(to_base(-5, 0.5), -3);
	assert_int_equal(to_base(0, 123.4), 0);
	assert_int_equal(revenue_stage_probability("identified"), 10);
	assert_int_equal(revenue_stage_probability("negotiation"), 75);
	assert_int_equal(revenue_stage_probability("won"), 100);
	assert_int_equal(revenue_stage_probability("lost"), 0);
	assert_int_equal(revenue_stage_probability("dreaming"), -1);
	assert_true(revenue_stage_closed("won"));
	assert_false(revenue_stage_closed("proposal"));
}

static void test_whitespace(void **state)
{
	json_t *units = json_pack("[{s:i},{s:i}]", "id", 1, "id", 2);
	json_t *products = json_pack("[{s:i},{s:i},{s:i}]", "id", 10, "id", 20, "id", 30);
	json_t *sold = json_pack("[{s:i,s:i,s:i}]", "unit_id", 1, "product_id", 10, "revenue", 500);
	/* sold and in the pipeline at once: sold wins */
	json_t *open = json_pack("[{s:i,s:i},{s:i,s:i}]", "unit_id", 2, "product_id", 30, "unit_id",
				 1, "product_id", 10);
	json_t *cells = revenue_whitespace(units, products, sold, open);
	static const char *const want[] = {"sold",	  "white_space", "white_space",
					   "white_space", "white_space", "pipeline"};

	(void)state;
	assert_int_equal(json_array_size(cells), 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(cells, i), "state")),
				    want[i]);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cells, 0), "revenue")), 500);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cells, 5), "revenue")), 0);
	json_decref(cells);
	{
		json_t *none = json_array();

		cells = revenue_whitespace(none, products, sold, open);
		assert_int_equal(json_array_size(cells), 0); /* no units: nothing to place */
		json_decref(cells);
		json_decref(none);
	}
	json_decref(units);
	json_decref(products);
	json_decref(sold);
	json_decref(open);
}

static void test_plans(void **state)
{
	static const struct {
		const char *json;
		bool ok;
		double want;
	} rows[] = {
		{"{\"baseline\":10,\"target\":30,\"current\":15}", true, 0.25},
		{"{\"baseline\":10,\"target\":30,\"current\":40}", true, 1},   /* beyond target */
		{"{\"baseline\":10,\"target\":30,\"current\":5}", true, 0},    /* below baseline */
		{"{\"baseline\":100,\"target\":50,\"current\":75}", true, 0.5}, /* a target to go down */
		{"{\"baseline\":10,\"target\":10,\"current\":10}", false, 0},
		{"{\"baseline\":10,\"target\":30}", false, 0},
		{"{\"baseline\":null,\"target\":30,\"current\":1}", false, 0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *o = json_loads(rows[i].json, 0, NULL);
		double p = -1;

		assert_int_equal(plan_progress(o, &p), rows[i].ok);
		if (rows[i].ok)
			assert_float_equal(p, rows[i].want, 1e-12);
		json_decref(o);
	}
	{
		json_t *a = json_pack("{s:s,s:s}", "status", "open", "due_on", "2026-03-01");

		assert_true(plan_action_overdue(a, "2026-03-02"));
		assert_false(plan_action_overdue(a, "2026-03-01")); /* due today is not overdue */
		json_object_set_new(a, "status", json_string("done"));
		assert_false(plan_action_overdue(a, "2027-01-01"));
		json_object_set_new(a, "status", json_string("in_progress"));
		json_object_set_new(a, "due_on", json_null());
		assert_false(plan_action_overdue(a, "2027-01-01"));
		json_decref(a);
	}
}

static void test_sla_risks_surveys(void **state)
{
	(void)state;
	assert_int_equal(case_sla_due(1000, 2), 1000 + 7200);
	assert_false(case_sla_breached(0, 24, 0, 24 * 3600));	   /* exactly at the target */
	assert_true(case_sla_breached(0, 24, 0, 24 * 3600 + 1));	   /* open past it */
	assert_false(case_sla_breached(0, 24, 3600, 99 * 3600));	   /* resolved in time */
	assert_true(case_sla_breached(0, 24, 24 * 3600 + 1, 24 * 3600)); /* resolved late */
	assert_int_equal(risk_score(4, 5), 20);
	assert_string_equal(risk_level(4), "low");
	assert_string_equal(risk_level(5), "medium");
	assert_string_equal(risk_level(9), "medium");
	assert_string_equal(risk_level(10), "high");
	assert_string_equal(risk_level(15), "high");
	assert_string_equal(risk_level(16), "critical");
	assert_true(survey_score_ok("nps", 0));
	assert_true(survey_score_ok("nps", 10));
	assert_false(survey_score_ok("nps", 11));
	assert_false(survey_score_ok("csat", 0));
	assert_true(survey_score_ok("csat", 5));
	assert_false(survey_score_ok("csat", 6));
	assert_string_equal(survey_nps_category(9), "promoter");
	assert_string_equal(survey_nps_category(8), "passive");
	assert_string_equal(survey_nps_category(7), "passive");
	assert_string_equal(survey_nps_category(6), "detractor");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_plans),
		cmocka_unit_test(test_sla_risks_surveys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
