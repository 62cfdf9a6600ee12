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
	    cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
