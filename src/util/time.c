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

/* n as exactly w digits at p (n fits: utc() clamps the year) */
static char *digits(char *p, int n, int w)
{
	for (int i = w - 1; i >= 0; i--, n /= 10)
		p[i] = (char)('0' + n % 10);
	return p + w;
}

void time_rfc3339(int64_t t, char *buf, size_t len)
{
	char out[21], *p = out;
	struct tm tm;

	utc(t, &tm);
	/* by hand: every stored row read formats two of these (an import reads a million) */
	p = digits(p, tm.tm_year + 1900, 4);
	*p++ = '-';
	p = digits(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = digits(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = digits(p, tm.tm_hour, 2);
	*p++ = ':';
	p = digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = digits(p, tm.tm_sec, 2);
	*p++ = 'Z';
	*p = '\0';
	if (len > 0) { /* cut to len, as snprintf would */
		size_t n = (size_t)(p - out) < len - 1 ? (size_t)(p - out) : len - 1;

		memcpy(buf, out, n);
		buf[n] = '\0';
	}
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
