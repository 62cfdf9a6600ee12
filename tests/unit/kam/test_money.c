/* kam/money: checked arithmetic, conversion and the caps that keep every sum exact. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
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

/* ISO 4217 minor units: the whole table, not 2 for everything */
static void test_digits(void **state)
{
	static const struct {
		const char *code;
		int digits;
		bool known;
	} cases[] = {
	    {"JPY", 0, true},  {"KRW", 0, true},  {"ISK", 0, true},   {"CLP", 0, true},
	    {"VND", 0, true},  {"XOF", 0, true},  {"UYI", 0, true},   {"HUF", 2, true},
	    {"EUR", 2, true},  {"USD", 2, true},  {"IDR", 2, true},   {"MGA", 2, true},
	    {"KWD", 3, true},  {"BHD", 3, true},  {"IQD", 3, true},   {"TND", 3, true},
	    {"CLF", 4, true},  {"UYW", 4, true},  {"XCG", 2, true},   {"ZWG", 2, true},
	    {"XAD", 2, true},  {"XAU", 0, true},  {"XXX", 0, true},   {"HRK", 2, true},
	    {"BGN", 2, true},  {"BYR", 0, true},  {"ABC", 2, false},  {"ZZZ", 2, false},
	    {"DEM", 2, false}, {"eur", 2, false}, {"EURO", 2, false}, {"", 2, false},
	};
	size_t n;
	const struct money_currency *t = money_currencies(&n);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (money_digits(cases[i].code) != cases[i].digits ||
		    money_currency_known(cases[i].code) != cases[i].known)
			fail_msg("%s: digits %d known %d", cases[i].code,
			         money_digits(cases[i].code), money_currency_known(cases[i].code));
	}
	assert_int_equal(money_digits(NULL), 2);
	assert_false(money_currency_known(NULL));
	assert_true(money_unit("JPY") == 1);
	assert_true(money_unit("KWD") == 1000);
	assert_true(money_unit("CLF") == 10000);
	/* list one has 178 codes; eleven withdrawn since 2015 are kept for history */
	assert_int_equal(n, 189);
	for (size_t i = 0, active = 0; i < n; i++) {
		if (i > 0 && strcmp(t[i - 1].code, t[i].code) >= 0)
			fail_msg("not sorted at %s", t[i].code);
		active += t[i].status != MONEY_WITHDRAWN;
		if (i == n - 1)
			assert_int_equal(active, 178);
	}
}

/* minor units of one currency into another's: the rate is per major unit */
static void test_convert_digits(void **state)
{
	int64_t r = 0;

	(void)state;
	assert_true(money_convert_to(120000, "JPY", "EUR", 0.00625, &r)); /* ¥120,000 */
	assert_int_equal(r, 75000);                                       /* €750.00 */
	assert_true(money_convert_to(1234567, "EUR", "JPY", 160, &r));    /* €12,345.67 */
	assert_int_equal(r, 1975307);
	assert_true(money_convert_to(1000, "KWD", "EUR", 3.0, &r)); /* 1.000 KWD */
	assert_int_equal(r, 300);
	assert_true(money_convert_to(-150, "EUR", "USD", 0.5, &r));
	assert_int_equal(r, -75);
	assert_true(money_convert_to(10000, "CLF", "JPY", 5000, &r)); /* 1 CLF */
	assert_int_equal(r, 5000);
	assert_true(money_convert_to(MONEY_ROW_MAX, "EUR", "JPY", 1, &r));
	assert_true(r == MONEY_ROW_MAX / 100);
	assert_false(money_convert_to(MONEY_ROW_MAX / 10 + 1, "EUR", "KWD", 1, &r));
	assert_true(money_scale("EUR", "JPY") == 0.01);
	assert_true(money_scale("JPY", "KWD") == 1000);
	assert_true(money_scale("EUR", "USD") == 1);
	/* one currency on both sides (an import's usual row): the amount as it is, whatever
	 * buffers hold the codes, the row cap still checked */
	char jpy[4] = "JPY";
	assert_true(money_convert_to(1234, "JPY", jpy, 1, &r));
	assert_int_equal(r, 1234);
	assert_true(money_convert_to(-1234, "KWD", "KWD", 1, &r));
	assert_int_equal(r, -1234);
	assert_false(money_convert_to(MONEY_ROW_MAX + 1, jpy, "JPY", 1, &r));
}

static void test_text(void **state)
{
	char buf[64];

	(void)state;
	money_text(123450, "EUR", buf, sizeof(buf));
	assert_string_equal(buf, "EUR 1,234.50");
	money_text(120000, "JPY", buf, sizeof(buf));
	assert_string_equal(buf, "JPY 120,000");
	money_text(1000, "KWD", buf, sizeof(buf));
	assert_string_equal(buf, "KWD 1.000");
	money_text(-5, "EUR", buf, sizeof(buf));
	assert_string_equal(buf, "-EUR 0.05");
	money_text(12345, "CLF", buf, sizeof(buf));
	assert_string_equal(buf, "CLF 1.2345");
	money_text(INT64_MIN, "JPY", buf, sizeof(buf));
	assert_string_equal(buf, "-JPY 9,223,372,036,854,775,808");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checked),        cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_convert),        cmocka_unit_test(test_digits),
	    cmocka_unit_test(test_convert_digits), cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
