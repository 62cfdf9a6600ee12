/* utf8_valid: what a query value must be before it reaches SQL, logs and replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "util/utf8.h"

static void test_well_formed(void **state)
{
	(void)state;
	assert_true(utf8_valid(""));
	assert_true(utf8_valid("Müller & Söhne"));
	assert_true(utf8_valid("東京 ¥"));
	assert_true(utf8_valid("\xf0\x9f\x98\x80")); /* U+1F600, four bytes */
}

static void test_ill_formed(void **state)
{
	(void)state;
	assert_false(utf8_valid("\xff\xfe"));           /* never in UTF-8 */
	assert_false(utf8_valid("abc\x80"));            /* a stray continuation byte */
	assert_false(utf8_valid("\xc3"));               /* cut short */
	assert_false(utf8_valid("\xc0\xaf"));           /* overlong "/" */
	assert_false(utf8_valid("\xed\xa0\x80"));       /* a UTF-16 surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80"));   /* past U+10FFFF */
}

/* utf8_ascii_lower: the local part of an e-mail made from a name (kam import users). */
static void test_ascii_lower(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(utf8_ascii_lower("Zoë Ölund", out, sizeof(out)), 0);
	assert_string_equal(out, "zoe olund");
	assert_int_equal(utf8_ascii_lower("Łukasz Żółw", out, sizeof(out)), 0);
	assert_string_equal(out, "lukasz zolw");
	assert_int_equal(utf8_ascii_lower("Ærøskøbing", out, sizeof(out)), 0);
	assert_string_equal(out, "aeroskobing");
	assert_int_equal(utf8_ascii_lower("Ивaн Петров", out, sizeof(out)), 0);
	assert_string_equal(out, "ivan petrov");
	assert_int_equal(utf8_ascii_lower("\xff", out, sizeof(out)), -1);
	assert_int_equal(utf8_ascii_lower("a much longer name than fits", out, 8), -1);
}

/* utf8_copy cuts whole to a character (a name copied into a fixed buffer for the feed) */
static void test_copy(void **state)
{
	char b[8];

	(void)state;
	utf8_copy(b, sizeof(b), "\xf0\x9f\x98\x80\xf0\x9f\x98\x80"); /* 8 bytes into 7 */
	assert_string_equal(b, "\xf0\x9f\x98\x80");
	utf8_copy(b, sizeof(b), "abcdef\xc3\xa9");
	assert_string_equal(b, "abcdef");
	utf8_copy(b, sizeof(b), "abc");
	assert_string_equal(b, "abc");
	utf8_copy(b, sizeof(b), NULL);
	assert_string_equal(b, "");
	utf8_copy(b, 1, "x");
	assert_string_equal(b, "");
}

/* utf8_sanitize puts U+FFFD for each bad sequence: a path from a request made fit for JSON */
static void test_sanitize(void **state)
{
	char b[16], big[2048], out[2048];

	(void)state;
	utf8_sanitize(b, sizeof(b), "a\xff" "b");
	assert_string_equal(b, "a\xef\xbf\xbd" "b");
	utf8_sanitize(b, sizeof(b), "zo\xc3\xab");
	assert_string_equal(b, "zo\xc3\xab");
	utf8_sanitize(b, sizeof(b), "cut\xc3"); /* a character cut off at the end */
	assert_string_equal(b, "cut\xef\xbf\xbd");
	utf8_sanitize(b, 6, "ab\xff\xff"); /* the second replacement does not fit whole */
	assert_string_equal(b, "ab\xef\xbf\xbd");
	memset(big, 0xff, sizeof(big) - 1); /* 2,047 bad bytes: the first 511 of them, cut */
	big[sizeof(big) - 1] = '\0';
	utf8_sanitize(out, sizeof(out), big);
	assert_int_equal(strlen(out), 511 * 3);
	assert_true(utf8_valid(out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_well_formed),
	    cmocka_unit_test(test_ill_formed),
	    cmocka_unit_test(test_ascii_lower),
	    cmocka_unit_test(test_copy),
	    cmocka_unit_test(test_sanitize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
