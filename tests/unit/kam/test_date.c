/* The one date type (kam/date.c): its range, parser, formatter and arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/date.h"
#include "kam/settings.h"
#include "util/err.h"
#include "util/time.h"
#include "util/tz.h"

static date_t parse(const char *s)
{
	date_t d = 0;

	assert_int_equal(date_parse(s, &d), KAM_OK);
	return d;
}

static void text_is(date_t d, const char *want)
{
	char out[DATE_LEN];

	date_format(d, out);
	assert_string_equal(out, want);
}

static void test_range(void **state)
{
	date_t d = 7;

	(void)state;
	assert_int_equal(parse("1900-01-01"), DATE_MIN);
	assert_int_equal(parse("2999-12-31"), DATE_MAX);
	assert_int_equal(parse("1970-01-01"), 0);
	assert_int_equal(parse(DATE_MIN_TEXT), DATE_MIN);
	assert_int_equal(parse(DATE_MAX_TEXT), DATE_MAX);
	text_is(DATE_MIN, "1900-01-01");
	text_is(DATE_MAX, "2999-12-31");
	/* one day outside either end, and the dates of the security report */
	assert_int_equal(date_parse("1899-12-31", &d), KAM_EINVAL);
	assert_int_equal(date_parse("3000-01-01", &d), KAM_EINVAL);
	assert_int_equal(date_parse("0001-03-01", &d), KAM_EINVAL);
	assert_int_equal(date_parse("9999-12-31", &d), KAM_EINVAL);
	assert_int_equal(date_parse("0000-00-00", &d), KAM_EINVAL);
	assert_int_equal(d, 7); /* untouched on failure */
	/* out-of-range values never format into something truncated */
	text_is(DATE_MIN - 1, "");
	text_is(DATE_MAX + 1, "");
	text_is(INT32_MIN, "");
	text_is(INT32_MAX, "");
}

static void test_parse(void **state)
{
	date_t d;
	const char *bad[] = {"",
	                     "2026-3-01",
	                     "2026-03-1",
	                     "2026/03/01",
	                     "2026-03-01 ",
	                     " 2026-03-01",
	                     "2026-03-01x",
	                     "2026-13-01",
	                     "2026-00-10",
	                     "2026-04-31",
	                     "+026-03-01",
	                     "2026-0a-01",
	                     "20260301",
	                     "2026-03",
	                     "-2026-03-01",
	                     "2026-02-29",
	                     "1900-02-29",
	                     "2100-02-29",
	                     NULL};

	(void)state;
	for (const char **s = bad; *s; s++) {
		assert_int_equal(date_parse(*s, &d), KAM_EINVAL);
		assert_false(date_valid(*s));
	}
	assert_int_equal(date_parse(NULL, &d), KAM_EINVAL);
	/* leap years: every 4th, not centuries, but every 400th */
	text_is(parse("2024-02-29"), "2024-02-29");
	text_is(parse("2000-02-29"), "2000-02-29");
	text_is(parse("2400-02-29"), "2400-02-29");
	assert_int_equal(parse("2024-03-01") - parse("2024-02-28"), 2);
	assert_int_equal(parse("2100-03-01") - parse("2100-02-28"), 1);
	/* months */
	assert_int_equal(date_parse_month("2026-03", &d), KAM_OK);
	text_is(d, "2026-03-01");
	assert_int_equal(date_parse_month("1900-01", &d), KAM_OK);
	assert_int_equal(date_parse_month("2999-12", &d), KAM_OK);
	assert_int_equal(date_parse_month("1899-12", &d), KAM_EINVAL);
	assert_int_equal(date_parse_month("3000-01", &d), KAM_EINVAL);
	assert_int_equal(date_parse_month("2026-13", &d), KAM_EINVAL);
	assert_int_equal(date_parse_month("2026-03-01", &d), KAM_EINVAL);
	/* period bounds: a month starts on its first day and ends (excluded) on the next one's */
	assert_int_equal(date_parse_bound("2026-06", false, &d), KAM_OK);
	text_is(d, "2026-06-01");
	assert_int_equal(date_parse_bound("2026-06", true, &d), KAM_OK);
	text_is(d, "2026-07-01");
	assert_int_equal(date_parse_bound("2026-12", true, &d), KAM_OK);
	text_is(d, "2027-01-01");
	assert_int_equal(date_parse_bound("2026-06-15", true, &d), KAM_OK);
	text_is(d, "2026-06-15");
	assert_int_equal(date_parse_bound("2999-12", true, &d), KAM_EINVAL);
	assert_int_equal(date_parse_bound("2026-6", false, &d), KAM_EINVAL);
	assert_int_equal(date_parse_bound(NULL, false, &d), KAM_EINVAL);
	{
		char m[DATE_MONTH_LEN];

		date_format_month(parse("2026-03-31"), m);
		assert_string_equal(m, "2026-03");
		date_format_month(DATE_MAX + 1, m);
		assert_string_equal(m, "");
	}
}

static void test_time(void **state)
{
	int64_t t = 0;
	date_t d;

	(void)state;
	assert_int_equal(date_parse_time("2026-03-01T09:30:00Z", &t), KAM_OK);
	assert_int_equal(t, 1772357400);
	assert_int_equal(date_parse_time("1900-01-01T00:00:00Z", &t), KAM_OK);
	assert_int_equal(t, (int64_t)DATE_MIN * 86400);
	assert_int_equal(date_parse_time("1899-12-31T23:59:59Z", &t), KAM_EINVAL);
	assert_int_equal(date_parse_time("3000-01-01T00:00:00Z", &t), KAM_EINVAL);
	assert_int_equal(date_parse_time("2026-03-01T24:00:00Z", &t), KAM_EINVAL);
	assert_int_equal(date_parse_time("2026-03-01T09:30:00+01:00", &t), KAM_EINVAL);
	assert_int_equal(date_parse_time("2026-03-01", &t), KAM_EINVAL);
	assert_int_equal(date_of_time(1772357400, &d), KAM_OK);
	text_is(d, "2026-03-01");
	assert_int_equal(date_of_time(-1, &d), KAM_OK); /* floor, not truncation */
	text_is(d, "1969-12-31");
	assert_int_equal(date_to_time(parse("2026-03-01")), 1772323200);
	assert_int_equal(date_of_time(INT64_MAX, &d), KAM_EINVAL);
	assert_int_equal(date_of_time(INT64_MIN, &d), KAM_EINVAL);
	assert_int_equal(date_of_time_clamped(INT64_MAX), DATE_MAX);
	assert_int_equal(date_of_time_clamped(INT64_MIN), DATE_MIN);
}

static void test_arithmetic(void **state)
{
	date_t d = 0;

	(void)state;
	assert_int_equal(date_add_days(parse("2026-12-31"), 1, &d), KAM_OK);
	text_is(d, "2027-01-01");
	assert_int_equal(date_add_days(DATE_MAX, 0, &d), KAM_OK);
	assert_int_equal(date_add_days(DATE_MIN, DATE_MAX - DATE_MIN, &d), KAM_OK);
	assert_int_equal(d, DATE_MAX);
	d = 5;
	assert_int_equal(date_add_days(DATE_MAX, 1, &d), KAM_EINVAL);
	assert_int_equal(date_add_days(DATE_MIN, -1, &d), KAM_EINVAL);
	assert_int_equal(date_add_days(0, INT64_MAX, &d), KAM_EINVAL);
	assert_int_equal(date_add_days(0, INT64_MIN, &d), KAM_EINVAL);
	assert_int_equal(date_add_days(DATE_MAX + 1, -1, &d), KAM_EINVAL);
	assert_int_equal(d, 5);
	assert_int_equal(date_diff(DATE_MIN, DATE_MAX), 401766);

	/* month stepping clamps the day and stops at the range's ends */
	assert_int_equal(date_add_months(parse("2026-01-31"), 1, &d), KAM_OK);
	text_is(d, "2026-02-28");
	assert_int_equal(date_add_months(parse("2024-01-31"), 1, &d), KAM_OK);
	text_is(d, "2024-02-29");
	assert_int_equal(date_add_months(parse("2026-03-31"), -1, &d), KAM_OK);
	text_is(d, "2026-02-28");
	assert_int_equal(date_add_months(parse("2026-11-15"), 3, &d), KAM_OK);
	text_is(d, "2027-02-15");
	assert_int_equal(date_add_months(parse("2999-12-01"), 0, &d), KAM_OK);
	assert_int_equal(date_add_months(parse("2999-11-30"), 1, &d), KAM_OK);
	text_is(d, "2999-12-30");
	assert_int_equal(date_add_months(parse("2999-12-01"), 1, &d), KAM_EINVAL);
	assert_int_equal(date_add_months(parse("2999-01-01"), 12, &d), KAM_EINVAL);
	assert_int_equal(date_add_months(parse("1900-01-31"), -1, &d), KAM_EINVAL);
	assert_int_equal(date_add_months(parse("1900-02-28"), -1, &d), KAM_OK);
	text_is(d, "1900-01-28");
	assert_int_equal(date_add_months(DATE_MIN, 12 * 1100 - 1, &d), KAM_OK);
	text_is(d, "2999-12-01");
	assert_int_equal(date_add_months(0, INT64_MAX, &d), KAM_EINVAL);
	assert_int_equal(date_add_months(0, INT64_MIN, &d), KAM_EINVAL);
	text_is(date_month_start(parse("2026-03-31")), "2026-03-01");
	text_is(date_month_start(DATE_MIN), "1900-01-01");
	text_is(date_month_start(DATE_MAX), "2999-12-01");
	/* text dates from the store: a year back stops at the range's start */
	{
		char out[DATE_LEN];

		assert_int_equal(date_text_time("1970-01-02"), 86400);
		assert_int_equal(date_text_time("garbage"), date_to_time(DATE_MIN));
		date_text_year_before("2026-03-01", out);
		assert_string_equal(out, "2025-03-01");
		date_text_year_before("1900-06-01", out);
		assert_string_equal(out, "1900-01-01");
	}
}

/* Every day of the range survives format → parse, and day numbers are consecutive. */
static void test_round_trip(void **state)
{
	char s[DATE_LEN], prev[DATE_LEN] = "";

	(void)state;
	for (date_t d = DATE_MIN; d <= DATE_MAX; d++) {
		date_t back;

		date_format(d, s);
		assert_int_equal(strlen(s), 10);
		assert_int_equal(date_parse(s, &back), KAM_OK);
		assert_int_equal(back, d);
		assert_true(strcmp(prev, s) < 0); /* text order is date order */
		memcpy(prev, s, sizeof(s));
	}
}

/* The installation zone's today: 2026-03-01T23:30:00Z is 2 March in Tokyo, 1 March in UTC
 * and New York; Berlin is +1 in winter, +2 in summer; unknown names are refused. */
static void test_zone(void **state)
{
	const int64_t t = 1772407800; /* 2026-03-01T23:30:00Z */
	struct settings s;
	int32_t off = 1;
	date_t d, want;

	(void)state;
	assert_int_equal(tz_offset("Asia/Tokyo", t, &off), KAM_OK);
	assert_int_equal(off, 9 * 3600);
	assert_int_equal(tz_offset("Europe/Berlin", t, &off), KAM_OK);
	assert_int_equal(off, 3600);
	assert_int_equal(tz_offset("Europe/Berlin", t + 120 * 86400, &off), KAM_OK);
	assert_int_equal(off, 7200);
	assert_int_equal(tz_offset("America/New_York", t, &off), KAM_OK);
	assert_int_equal(off, -5 * 3600);
	assert_int_equal(tz_offset("Mars/Olympus", t, &off), KAM_EINVAL);
	assert_false(tz_valid("GMT+9"));
	assert_false(tz_valid(""));
	assert_false(tz_valid(NULL));
	assert_true(tz_valid("UTC"));
	settings_defaults(&s);
	date_from_ymd(2026, 3, 1, &want);
	assert_int_equal(settings_today(&s, t), want);
	memcpy(s.time_zone, "Asia/Tokyo", 11);
	d = settings_today(&s, t);
	date_from_ymd(2026, 3, 2, &want);
	assert_int_equal(d, want);
	assert_int_equal(date_local(t, -5 * 3600), want - 1);
}

/* The jobs' deadlines count the monotonic clock, not the wall clock. */
static void test_mono_deadline(void **state)
{
	struct timespec mono, dl;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	time_mono_deadline(&dl, 60000);
	assert_true(dl.tv_sec >= mono.tv_sec + 59 && dl.tv_sec <= mono.tv_sec + 61);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_range),      cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_time),       cmocka_unit_test(test_arithmetic),
	    cmocka_unit_test(test_round_trip), cmocka_unit_test(test_zone),
	    cmocka_unit_test(test_mono_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
