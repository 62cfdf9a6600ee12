/* Reading other systems' dates, numbers, delimiters and names (kam/importfmt.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/importfmt.h"

static void date_is(const char *in, enum imp_datefmt f, const char *want, int want_secs)
{
	char out[11];
	int secs;

	assert_int_equal(imp_date(in, f, out, &secs), 0);
	assert_string_equal(out, want);
	assert_int_equal(secs, want_secs);
}

static void test_dates(void **state)
{
	char out[11];
	int secs;

	(void)state;
	date_is("2026-03-01", IMP_DATE_AUTO, "2026-03-01", -1);
	date_is("2026-03-01T09:30:00Z", IMP_DATE_DMY, "2026-03-01", 9 * 3600 + 1800);
	date_is("3/14/2026", IMP_DATE_AUTO, "2026-03-14", -1); /* only M/D fits */
	date_is("14/3/2026", IMP_DATE_AUTO, "2026-03-14", -1); /* only D/M fits */
	date_is("3/4/2026", IMP_DATE_MDY, "2026-03-04", -1);
	date_is("3/4/2026", IMP_DATE_DMY, "2026-04-03", -1);
	date_is("05-11-26", IMP_DATE_DMY, "2026-11-05", -1); /* DD-MM-YY */
	date_is("24.12.2026", IMP_DATE_AUTO, "2026-12-24", -1);
	date_is("3/14/2026 9:05 PM", IMP_DATE_AUTO, "2026-03-14", 21 * 3600 + 300);
	date_is("3/14/2026 12:00 AM", IMP_DATE_MDY, "2026-03-14", 0);
	/* ambiguous without a format, impossible, or not a date at all */
	assert_int_equal(imp_date("3/4/2026", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("2026-02-30", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("2028-02-29", IMP_DATE_AUTO, out, &secs), 0);
	/* the range of kam/date: 1900-01-01 .. 2999-12-31 */
	date_is("1900-01-01", IMP_DATE_AUTO, "1900-01-01", -1);
	date_is("31/12/2999", IMP_DATE_DMY, "2999-12-31", -1);
	assert_int_equal(imp_date("1899-12-31", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("3000-01-01", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("9999-12-31", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("12/31/99999", IMP_DATE_MDY, out, &secs), -1);
	assert_int_equal(imp_date("2026-01-99999999999999999999", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("13/13/2026", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("yesterday", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("3/4-2026", IMP_DATE_MDY, out, &secs), -1);
	assert_int_equal(imp_date("2026-03-01 25:00", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date("2026-03-01T10:00:00+02:00", IMP_DATE_AUTO, out, &secs), -1);
	assert_int_equal(imp_date_vote("13/1/2026"), -1);
	assert_int_equal(imp_date_vote("1/13/2026"), 1);
	assert_int_equal(imp_date_vote("1/1/2026"), 0);
	assert_int_equal(imp_datefmt_parse("DD-MM-YY"), IMP_DATE_DMY);
	assert_int_equal(imp_datefmt_parse("M/D/YYYY"), IMP_DATE_MDY);
	assert_int_equal(imp_datefmt_parse("YY/MM"), -1);
}

static void number_is(const char *in, int dec, int64_t want)
{
	int64_t v = -1;

	assert_int_equal(imp_number(in, dec, &v), 0);
	assert_int_equal(v, want);
}

static void test_numbers(void **state)
{
	int64_t v;

	(void)state;
	number_is("1054", 2, 105400);
	number_is("1054.0", 2, 105400);
	number_is("1,054.00", 2, 105400);
	number_is("1.054,00", 2, 105400);
	number_is("1 054,5", 2, 105450);
	number_is("1,054", 0, 1054); /* a lone comma before three digits groups */
	number_is("12,5", 2, 1250);  /* a lone comma before one or two is the mark */
	number_is("1.234.567", 0, 1234567);
	number_is("-12.50", 2, -1250);
	number_is("(12.50)", 2, -1250);
	number_is("€1,200.10", 2, 120010);
	number_is("1200.10 EUR", 2, 120010);
	number_is("0.125", 2, 13); /* rounded half up */
	number_is("250000", 0, 250000);
	assert_int_equal(imp_number("", 2, &v), -1);
	assert_int_equal(imp_number("abc", 2, &v), -1);
	assert_int_equal(imp_number("12x", 2, &v), -1);
	assert_int_equal(imp_number("1.054,00.5", 2, &v), -1);
	assert_int_equal(imp_number("99999999999999999999", 2, &v), -1);
}

static void test_delims_keys_names(void **state)
{
	char k[64];

	(void)state;
	assert_int_equal(imp_detect_delim("a;b;\"c,d,e\"\n1,2", 16), ';');
	assert_int_equal(imp_detect_delim("a,b,c\n", 6), ',');
	assert_int_equal(imp_detect_delim("a\tb\tc\n", 6), '\t');
	imp_key("  Closed Won ", k, sizeof(k));
	assert_string_equal(k, "closed_won");
	imp_key("Probability (%)", k, sizeof(k));
	assert_string_equal(k, "probability");
	imp_key("Proposal/Price Quote", k, sizeof(k));
	assert_string_equal(k, "proposal_price_quote");
	assert_int_equal(imp_distance("Widget-Pro", "Widget Pro", 3), 1);
	assert_int_equal(imp_distance("widget pro", "WIDGET PRO", 3), 0);
	assert_int_equal(imp_distance("Acme", "Globex Corporation", 3), 4);
	assert_true(imp_formula_like("=HYPERLINK(\"x\")"));
	assert_true(imp_formula_like("@SUM(A1)"));
	assert_true(imp_formula_like("-2+3"));
	assert_false(imp_formula_like("Acme"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_delims_keys_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
