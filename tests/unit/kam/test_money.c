/* kam/money: checked arithmetic, conversion and the caps that keep every sum exact. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>
#include "kam/money.h"

static void test_checked(void **state)
{
	int64_t r = 7;

	(void)state;
	assert_true(money_add(INT64_MAX - 1, 1, &r));
	assert_true(r == INT64_MAX);
	r = 7;
	assert_false(money_add(INT64_MAX, 1, &r));
	assert_int_equal(r, 7); /* untouched on overflow */
	assert_false(money_add(INT64_MIN, -1, &r));
	assert_true(money_mul(MONEY_TOTAL_MAX, MONEY_HEADROOM, &r));
	assert_false(money_mul(INT64_MAX / 2 + 1, 2, &r));
	assert_false(money_mul(INT64_MIN, -1, &r));
}

static void test_caps(void **state)
{
	(void)state;
	assert_true(money_row_ok(MONEY_ROW_MAX));
	assert_true(money_row_ok(-MONEY_ROW_MAX));
	assert_false(money_row_ok(MONEY_ROW_MAX + 1));
	assert_false(money_row_ok(INT64_MIN));
	/* every capped sum is exact as a double and fits an int64 times the headroom */
	assert_true(MONEY_TOTAL_MAX < (INT64_C(1) << 53));
	assert_true(MONEY_PIPELINE_MAX * 100 < (INT64_C(1) << 53));
	assert_true(MONEY_TOTAL_MAX <= INT64_MAX / MONEY_HEADROOM);
	assert_true(money_total_cap("transactions") == MONEY_TOTAL_MAX);
	assert_true(money_total_cap("potential") == MONEY_TOTAL_MAX);
	assert_true(money_total_cap("opportunities") == MONEY_PIPELINE_MAX);
	assert_true(money_total_cap("nothing") == 0);
}

static void test_convert(void **state)
{
	int64_t r = 0;

	(void)state;
	assert_true(money_convert(12345, 1.0, &r));
	assert_int_equal(r, 12345);
	assert_true(money_convert(-150, 0.5, &r)); /* half away from zero */
	assert_int_equal(r, -75);
	assert_true(money_convert(3, 0.5, &r));
	assert_int_equal(r, 2);
	assert_true(money_convert(MONEY_ROW_MAX, 1.0, &r));
	assert_true(r == MONEY_ROW_MAX);
	assert_false(money_convert(MONEY_ROW_MAX, 1.0000001, &r)); /* past the cap once converted */
	assert_false(money_convert(MONEY_ROW_MAX + 1, 1.0, &r));
	assert_false(money_convert(10, MONEY_RATE_MAX * 2, &r));
	assert_false(money_convert(10, 0.0, &r));
	assert_false(money_convert(10, -1.0, &r));
	assert_false(money_convert(10, NAN, &r));
	assert_false(money_convert(10, INFINITY, &r));
	assert_true(money_convert(10, MONEY_RATE_MAX, &r));
	assert_int_equal(r, 10000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checked),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_convert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
