/* Growable strings and arrays: appends, the cap, sticky failure, hand-over, vec_push. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "util/buf.h"
#include "util/err.h"

static void test_append(void **state)
{
	struct buf b = {0};
	char *s;
	size_t len;

	(void)state;
	assert_int_equal(buf_puts(&b, "kam"), KAM_OK);
	assert_int_equal(buf_put(&b, ", ", 2), KAM_OK);
	assert_int_equal(buf_printf(&b, "%d accounts", 42), KAM_OK);
	assert_int_equal(buf_puts(&b, NULL), KAM_OK);
	assert_string_equal(b.data, "kam, 42 accounts");
	/* a formatted piece longer than printf's small buffer */
	for (int i = 0; i < 3; i++)
		assert_int_equal(buf_printf(&b, "%0600d", i), KAM_OK);
	assert_int_equal(b.len, strlen("kam, 42 accounts") + 1800);
	s = buf_take(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	assert_null(b.data);
	free(s);
	/* an empty buffer hands over "" */
	s = buf_take(&b, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
}

static void test_cap(void **state)
{
	struct buf b = {.max = 8};

	(void)state;
	assert_int_equal(buf_puts(&b, "12345678"), KAM_OK);
	assert_int_equal(buf_puts(&b, "9"), KAM_EINVAL);
	/* sticky: nothing more goes in, and the content is not handed over as if whole */
	assert_int_equal(buf_puts(&b, ""), KAM_EINVAL);
	assert_int_equal(b.len, 8);
	assert_null(buf_take(&b, NULL));
	assert_null(b.data);
	/* a size that would overflow is refused, not wrapped */
	b = (struct buf){0};
	assert_int_equal(buf_put(&b, "x", SIZE_MAX), KAM_EINVAL);
	buf_free(&b);
	assert_int_equal(b.err, 0);
}

static void test_vec(void **state)
{
	int64_t *v = NULL, *x;
	size_t n = 0, cap = 0;

	(void)state;
	for (int64_t i = 0; i < 1000; i++) {
		x = vec_push((void **)&v, &n, &cap, sizeof(*v));
		assert_non_null(x);
		assert_int_equal(*x, 0);
		*x = i;
	}
	assert_int_equal(n, 1000);
	assert_true(cap >= 1000);
	for (int64_t i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	free(v);
	/* an element size whose doubling would overflow leaves the array as it was */
	v = NULL;
	n = cap = 0;
	assert_null(vec_push((void **)&v, &n, &cap, SIZE_MAX / 2));
	assert_int_equal(n, 0);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_vec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
