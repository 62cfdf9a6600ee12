/* Scoring, tiers, relationship strength and segments, against hand-worked numbers. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/score.h"

static void test_percentiles(void **state)
{
	/* revenues 0, 100, 100, 300, 50: strictly-lower counts 0(zero→0), 2, 2, 4, 1 over n-1 = 4 */
	const double rev[] = {0, 100, 100, 300, 50};
	const double want[] = {0, 50, 50, 100, 25};
	double pct[5];

	(void)state;
	score_percentiles(rev, 5, pct);
	for (int i = 0; i < 5; i++)
		assert_float_equal(pct[i], want[i], 1e-9);
}

/* the sorted count gives what the count of every pair gave: ties, zeros, negatives, NaN */
static void test_percentiles_pairwise(void **state)
{
	enum { N = 997 };
	static double rev[N], pct[N];
	unsigned seed = 12345;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		rev[i] = (double)((seed >> 16) % 50) * 1000 - 5000; /* many ties, some <= 0 */
	}
	rev[7] = NAN;
	rev[100] = -0.0;
	rev[101] = 0.0;
	score_percentiles(rev, N, pct);
	for (size_t i = 0; i < N; i++) {
		size_t lower = 0;

		for (size_t j = 0; j < N; j++)
			if (rev[j] < rev[i])
				lower++;
		assert_true(pct[i] == score_percentile_of(rev[i], lower, N));
	}
}

static void test_percentile_edges(void **state)
{
	double one = 500, pct;

	(void)state;
	score_percentiles(&one, 1, &pct);
	assert_float_equal(pct, 100, 1e-9); /* alone with revenue: the top */
	one = 0;
	score_percentiles(&one, 1, &pct);
	assert_float_equal(pct, 0, 1e-9); /* no revenue is never a rank */
	assert_float_equal(score_percentile_of(10, 0, 0), 0, 1e-9);
	assert_float_equal(score_percentile_of(10, 2, 3), 100, 1e-9);
	assert_float_equal(score_percentile_of(10, 1, 4), 33.33, 1e-9); /* rounded to 2 decimals */
}

static void test_score_default_weights(void **state)
{
	struct settings s;
	struct score_result r;
	/* financial 50 × .4 = 20; growth (4-1)×25 = 75 × .2 = 15; strategic 100 × .25 = 25;
	 * influence 0 (null) × .15 = 0 → 60 → key at the default threshold 60 */
	struct score_input in = {123456, 50, 4, 5, 0, false};

	(void)state;
	settings_defaults(&s);
	score_compute(&s, &in, &r);
	assert_string_equal(r.c[0].name, "financial");
	assert_float_equal(r.c[0].contribution, 20, 1e-9);
	assert_float_equal(r.c[0].raw, 123456, 1e-9);
	assert_float_equal(r.c[1].contribution, 15, 1e-9);
	assert_float_equal(r.c[2].contribution, 25, 1e-9);
	assert_true(r.c[3].raw_null);
	assert_float_equal(r.c[3].contribution, 0, 1e-9);
	assert_float_equal(r.score, 60, 1e-9);
	assert_string_equal(r.tier, "key");
	/* the score is exactly the sum of the contributions */
	assert_float_equal(r.score,
			   r.c[0].contribution + r.c[1].contribution + r.c[2].contribution +
				   r.c[3].contribution,
			   1e-9);
}

static void test_score_tiers_and_weights(void **state)
{
	static const struct {
		double pct;
		int g, st, inf;
		bool churned;
		double want;
		const char *tier;
	} rows[] = {
		{0, 0, 0, 0, false, 0, "standard"},
		{100, 5, 5, 5, false, 100, "key"},
		{100, 5, 5, 5, true, 100, "standard"}, /* churned is never key */
		{50, 1, 3, 3, false, 20 + 0 + 12.5 + 7.5, "potential"},
		{25, 2, 2, 2, false, 10 + 5 + 6.25 + 3.75, "standard"},
	};
	struct settings s;

	(void)state;
	settings_defaults(&s);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct score_input in = {1, rows[i].pct, rows[i].g, rows[i].st, rows[i].inf,
					 rows[i].churned};
		struct score_result r;

		score_compute(&s, &in, &r);
		assert_float_equal(r.score, rows[i].want, 1e-9);
		assert_string_equal(r.tier, rows[i].tier);
	}
	/* weights are shares of their sum: 1,1,0,0 → financial and growth count half each */
	s.w_financial = 1;
	s.w_growth = 1;
	s.w_strategic = 0;
	s.w_influence = 0;
	{
		struct score_input in = {1, 80, 3, 5, 5, false};
		struct score_result r;

		score_compute(&s, &in, &r);
		assert_float_equal(r.c[0].weight, 0.5, 1e-9);
		assert_float_equal(r.score, 40 + 25, 1e-9);
	}
}

static void test_strength(void **state)
{
	struct strength_part p[STRENGTH_PARTS];
	/* rating 4 → 75 (w .4), wallet .5 → 50 (.2), NPS 20 → 60 (.2), coverage .25 → 25 (.2) */
	struct strength_input all = {4, 0.5, 20, 0.25};
	/* only the rating and NPS known: weights .4/.6 and .2/.6 */
	struct strength_input some = {2, -1, -40, -1};
	struct strength_input none = {0, -1, NAN, -1};

	(void)state;
	assert_float_equal(score_strength(&all, p), 30 + 10 + 12 + 5, 1e-9);
	assert_string_equal(p[2].name, "nps");
	assert_float_equal(p[2].normalized, 60, 1e-9);
	assert_float_equal(score_strength(&some, p), 25 * 0.4 / 0.6 + 30 * 0.2 / 0.6, 0.01);
	assert_true(p[1].missing);
	assert_float_equal(p[1].weight, 0, 1e-9);
	assert_float_equal(p[0].weight, 0.6667, 1e-9);
	assert_true(isnan(score_strength(&none, p)));
	/* share of wallet above 1 counts as full */
	all.wallet_share = 3;
	score_strength(&all, p);
	assert_float_equal(p[1].normalized, 100, 1e-9);
}

static void test_segments(void **state)
{
	struct settings s;

	(void)state;
	settings_defaults(&s); /* splits 75 / 50 */
	assert_string_equal(score_segment(&s, 80, 60), "strategic");
	assert_string_equal(score_segment(&s, 80, 40), "develop");
	assert_string_equal(score_segment(&s, 70, 60), "maintain");
	assert_string_equal(score_segment(&s, 70, 40), "streamline");
	assert_string_equal(score_segment(&s, 75, 50), "strategic"); /* on the line is high */
	assert_string_equal(score_segment(&s, 90, NAN), "develop");  /* unknown strength is low */
}

static void test_settings_apply(void **state)
{
	struct settings s, before;
	struct kam_errinfo ei = {0};
	json_t *ok = json_pack("{s:{s:f},s:i,s:{s:i},s:s}", "weights", "financial", 0.7,
			       "kam_capacity", 8, "sla_hours", "critical", 4, "base_currency", "USD");
	json_t *bad = json_pack("{s:{s:f},s:f,s:i}", "weights", "bogus", 1.0, "key_threshold",
				150.0, "colour", 1);
	json_t *order = json_pack("{s:f,s:f}", "key_threshold", 30.0, "potential_threshold", 50.0);
	json_t *zero = json_pack("{s:{s:i,s:i,s:i,s:i}}", "weights", "financial", 0, "growth", 0,
				 "strategic", 0, "influence", 0);

	(void)state;
	settings_defaults(&s);
	assert_int_equal(settings_apply(&s, ok, &ei), 0);
	assert_float_equal(s.w_financial, 0.7, 1e-9);
	assert_float_equal(s.w_growth, 0.2, 1e-9); /* untouched keys keep their values */
	assert_int_equal(s.kam_capacity, 8);
	assert_int_equal(s.sla_hours[SEV_CRITICAL], 4);
	assert_int_equal(s.sla_hours[SEV_HIGH], 24);
	assert_string_equal(s.base_currency, "USD");
	before = s;
	assert_int_equal(settings_apply(&s, bad, &ei), KAM_EINVAL);
	assert_int_equal(json_array_size(ei.errors), 3);
	assert_memory_equal(&s, &before, sizeof(s)); /* a refused patch changes nothing */
	err_clear(&ei);
	assert_int_equal(settings_apply(&s, order, &ei), KAM_EINVAL);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ei.errors, 0), "field")),
			    "potential_threshold");
	err_clear(&ei);
	assert_int_equal(settings_apply(&s, zero, &ei), KAM_EINVAL);
	err_clear(&ei);
	json_decref(ok);
	json_decref(bad);
	json_decref(order);
	json_decref(zero);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles),	 cmocka_unit_test(test_percentile_edges),
		cmocka_unit_test(test_percentiles_pairwise),
		cmocka_unit_test(test_score_default_weights), cmocka_unit_test(test_score_tiers_and_weights),
		cmocka_unit_test(test_strength),	 cmocka_unit_test(test_segments),
		cmocka_unit_test(test_settings_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
