/* The iCalendar writer: TEXT escaping, folding at 75 octets without splitting UTF-8, CRLF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "util/err.h"
#include "util/ical.h"

/* Undoes folding (CRLF + one space) as a reader would. */
static char *unfold(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ')
			s += 3;
		else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static void test_escape(void **state)
{
	char *e = ical_escape("a,b;c\\d\r\ne\nf\x01g\th");

	(void)state;
	assert_string_equal(e, "a\\,b\\;c\\\\d\\ne\\nfg\th");
	free(e);
	e = ical_escape("");
	assert_string_equal(e, "");
	free(e);
}

static void test_short_line(void **state)
{
	struct ical ic = {0};

	(void)state;
	assert_int_equal(ical_prop_text(&ic, "SUMMARY", "Renewal, Acme; Q3"), KAM_OK);
	assert_string_equal(ic.text.data, "SUMMARY:Renewal\\, Acme\\; Q3\r\n");
	ical_free(&ic);
}

/* Every physical line is at most 75 octets, starts a UTF-8 character, and ends in CRLF. */
static void check_lines(const char *buf)
{
	const char *p = buf;

	while (*p) {
		const char *eol = strstr(p, "\r\n");

		assert_non_null(eol);
		assert_true(eol - p <= ICAL_LINE_MAX);
		assert_true(((unsigned char)p[0] & 0xC0) != 0x80);
		if (p != buf && p[-1] == '\n' && p[0] == ' ')
			assert_true(((unsigned char)p[1] & 0xC0) != 0x80);
		for (const char *q = p; q < eol; q++)
			assert_true(*q != '\r' && *q != '\n');
		p = eol + 2;
	}
}

static void test_fold_ascii(void **state)
{
	struct ical ic = {0};
	char text[301], *u;

	(void)state;
	for (int i = 0; i < 300; i++)
		text[i] = (char)('a' + i % 26);
	text[300] = '\0';
	assert_int_equal(ical_prop_text(&ic, "DESCRIPTION", text), KAM_OK);
	check_lines(ic.text.data);
	/* first line exactly 75 octets, continuations 1 + 74 */
	assert_int_equal(strstr(ic.text.data, "\r\n") - ic.text.data, 75);
	u = unfold(ic.text.data);
	assert_memory_equal(u + strlen("DESCRIPTION:"), text, 300);
	assert_string_equal(u + strlen("DESCRIPTION:") + 300, "\r\n");
	free(u);
	ical_free(&ic);
}

static void test_fold_utf8(void **state)
{
	/* "ü" is 2 octets, "€" 3, "𝄞" 4: at every offset a fold must fall between characters */
	const char *chars[] = {"\xc3\xbc", "\xe2\x82\xac", "\xf0\x9d\x84\x9e"};

	(void)state;
	for (int k = 0; k < 3; k++)
		for (int pad = 0; pad < 4; pad++) {
			struct ical ic = {0};
			char text[600] = "", *u, want[700];

			for (int i = 0; i < pad; i++)
				strcat(text, "x");
			for (int i = 0; i < 100; i++)
				strcat(text, chars[k]);
			assert_int_equal(ical_prop_text(&ic, "SUMMARY", text), KAM_OK);
			check_lines(ic.text.data);
			u = unfold(ic.text.data);
			strcpy(want, "SUMMARY:");
			strcat(want, text);
			strcat(want, "\r\n");
			assert_string_equal(u, want);
			free(u);
			ical_free(&ic);
		}
}

static void test_dates(void **state)
{
	char d[20];

	(void)state;
	assert_int_equal(ical_date("2026-03-01", d, sizeof(d)), 0);
	assert_string_equal(d, "20260301");
	/* only the shape: whether it is a real day in range is kam/date's (api/calendar.c) */
	assert_int_equal(ical_date("2026-3-01", d, sizeof(d)), -1);
	assert_int_equal(ical_date("2026-03-01x", d, sizeof(d)), -1);
	assert_int_equal(ical_date("2026-03-0", d, sizeof(d)), -1);
	assert_int_equal(ical_date(NULL, d, sizeof(d)), -1);
	ical_time(1772357400, d, sizeof(d)); /* 2026-03-01T09:30:00Z */
	assert_string_equal(d, "20260301T093000Z");
}

static void test_calendar(void **state)
{
	struct ical ic = {0};
	struct ical_event all = {"action-12@kam",
	                         1772357400,
	                         "2026-04-02",
	                         0,
	                         "Call, Acme",
	                         "line 1\nline 2",
	                         "https://kam.example/#/accounts/3",
	                         "action"};
	struct ical_event timed = {
	    "case-7-sla@kam", 1772357400, NULL, 1772361000, "SLA", NULL, NULL, NULL};

	(void)state;
	assert_int_equal(ical_begin(&ic, "-//kam//kam//EN", "kam: Anna"), KAM_OK);
	assert_int_equal(ical_event(&ic, &all), KAM_OK);
	assert_int_equal(ical_event(&ic, &timed), KAM_OK);
	assert_int_equal(ical_end(&ic), KAM_OK);
	check_lines(ic.text.data);
	assert_non_null(strstr(ic.text.data, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
	assert_non_null(strstr(ic.text.data, "\r\nUID:action-12@kam\r\nDTSTAMP:20260301T093000Z\r\n"
	                               "DTSTART;VALUE=DATE:20260402\r\nSUMMARY:Call\\, Acme\r\n"
	                               "DESCRIPTION:line 1\\nline 2\r\n"));
	assert_non_null(strstr(ic.text.data, "DTSTART:20260301T103000Z\r\n"));
	assert_non_null(strstr(ic.text.data, "URL:https://kam.example/#/accounts/3\r\n"));
	assert_string_equal(ic.text.data + strlen(ic.text.data) - 15, "END:VCALENDAR\r\n");
	all.date = "2026-3-1";
	assert_int_equal(ical_event(&ic, &all), KAM_EINVAL);
	ical_free(&ic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),     cmocka_unit_test(test_short_line),
	    cmocka_unit_test(test_fold_ascii), cmocka_unit_test(test_fold_utf8),
	    cmocka_unit_test(test_dates),      cmocka_unit_test(test_calendar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
