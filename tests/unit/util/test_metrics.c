/* Histograms for GET /metrics: bucket bounds, cumulative output, label escaping, and exact
 * counts when many threads record at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "util/buf.h"
#include "util/metrics.h"

static void test_buckets(void **state)
{
	struct metrics_hist h = {0};
	struct buf b = {0};

	(void)state;
	metrics_hist_observe(&h, 1.0);     /* exactly 1 ms: le="0.001" (bounds are inclusive) */
	metrics_hist_observe(&h, 7.0);     /* le="0.01" */
	metrics_hist_observe(&h, 60000.0); /* past 10 s: +Inf only */
	assert_int_equal(metrics_hist_count(&h), 3);
	metrics_hist_write(&b, "x_seconds", "job=\"a\"", &h);
	assert_non_null(strstr(b.data, "x_seconds_bucket{job=\"a\",le=\"0.001\"} 1\n"));
	assert_non_null(strstr(b.data, "x_seconds_bucket{job=\"a\",le=\"0.005\"} 1\n"));
	assert_non_null(strstr(b.data, "x_seconds_bucket{job=\"a\",le=\"0.01\"} 2\n"));
	assert_non_null(strstr(b.data, "x_seconds_bucket{job=\"a\",le=\"10\"} 2\n"));
	assert_non_null(strstr(b.data, "x_seconds_bucket{job=\"a\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(b.data, "x_seconds_sum{job=\"a\"} 60.008000\n"));
	assert_non_null(strstr(b.data, "x_seconds_count{job=\"a\"} 3\n"));
	buf_free(&b);
	/* no labels: no empty braces on _sum and _count */
	metrics_hist_write(&b, "y", "", &h);
	assert_non_null(strstr(b.data, "y_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(b.data, "y_count 3\n"));
	assert_null(strstr(b.data, "{}"));
	buf_free(&b);
}

static void test_escape(void **state)
{
	struct buf b = {0};

	(void)state;
	metrics_label_value(&b, "a\"b\\c\nd");
	assert_string_equal(b.data, "a\\\"b\\\\c\\nd");
	buf_free(&b);
}

#define THREADS 8
#define EACH 20000

static void *hammer(void *arg)
{
	for (int i = 0; i < EACH; i++)
		metrics_hist_observe(arg, (double)(i % 3));
	return NULL;
}

static void test_threads(void **state)
{
	static struct metrics_hist h;
	pthread_t th[THREADS];
	struct buf b = {0};
	char want[64];

	(void)state;
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &h), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(metrics_hist_count(&h), THREADS * EACH);
	metrics_hist_write(&b, "z", "", &h);
	snprintf(want, sizeof(want), "z_bucket{le=\"+Inf\"} %d\n", THREADS * EACH);
	assert_non_null(strstr(b.data, want));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buckets),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
