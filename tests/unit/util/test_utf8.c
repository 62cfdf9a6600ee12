/* utf8_valid: what a query value must be before it reaches SQL, logs and replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_well_formed),
	    cmocka_unit_test(test_ill_formed),
	    cmocka_unit_test(test_ascii_lower),
	    cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
