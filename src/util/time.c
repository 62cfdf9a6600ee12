#include <stdio.h>
#include <string.h>
#include <time.h>
#include "util/time.h"

/* The broken-down UTC time of t, its year clamped to 0..9999 so the text forms below keep
 * their width (clock values are far inside; this only guards against a corrupt input). */
static void utc(int64_t t, struct tm *tm)
{
	const int64_t lo = -62167219200LL, hi = 253402300799LL; /* 0000-01-01, 9999-12-31 */
	time_t tt = (time_t)(t < lo ? lo : t > hi ? hi : t);

	memset(tm, 0, sizeof(*tm));
	gmtime_r(&tt, tm);
}

void time_rfc3339(int64_t t, char *buf, size_t len)
{
	struct tm tm;

	utc(t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void time_date(int64_t t, char *buf, size_t len)
{
	struct tm tm;

	utc(t, &tm);
	snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void time_month_key(int64_t t, int add, char *buf, size_t len)
{
	struct tm tm;
	long m;

	utc(t, &tm);
	m = (long)(tm.tm_year + 1900) * 12 + tm.tm_mon + add;
	snprintf(buf, len, "%04ld-%02ld", m / 12, m % 12 + 1);
}

int64_t time_now(void)
{
	return (int64_t)time(NULL);
}

int64_t clock_now(const struct kam_clock *c)
{
	return c && c->fixed ? c->at : time_now();
}

double time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int time_cond_init_mono(pthread_cond_t *cv)
{
	pthread_condattr_t a;
	int rc;

	if ((rc = pthread_condattr_init(&a)) != 0)
		return rc;
	if ((rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC)) == 0)
		rc = pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
	return rc;
}

void time_mono_deadline(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	ts->tv_sec += ts->tv_nsec / 1000000000L;
	ts->tv_nsec %= 1000000000L;
}
