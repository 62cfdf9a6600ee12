/* Comma-separated word lists: whole words only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "util/words.h"

static void test_has(void **state)
{
	(void)state;
	assert_true(words_has("critical,warning", "warning"));
	assert_true(words_has("critical", "critical"));
	assert_false(words_has("critical,warning", "warn")); /* a prefix is not the word */
	assert_false(words_has("alert.opened", "alert"));
	assert_false(words_has("", "critical"));
	assert_false(words_has(NULL, "critical"));
	assert_true(words_has("a,,b", "b"));         /* an empty word in between */
	assert_false(words_has("info,warning", "")); /* nothing is not listed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_has)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
