#include <stdio.h>
#include <string.h>
#include "kam/date.h"
#include "util/err.h"

/* Days since 1970-01-01 of a proleptic Gregorian y-m-d (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp, yy;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : n[m - 1];
}

static bool in_range(int64_t n)
{
	return n >= DATE_MIN && n <= DATE_MAX;
}

/* n ASCII digits at s, or -1; stops at a NUL, so it never reads past a short string. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int date_from_ymd(int y, int m, int d, date_t *out)
{
	int64_t n;

	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return KAM_EINVAL;
	n = days_from_civil(y, m, d);
	if (!in_range(n))
		return KAM_EINVAL;
	*out = (date_t)n;
	return KAM_OK;
}

/* YYYY-MM at s (s holds at least 7 readable characters or a NUL before). */
static int year_month(const char *s, int *y, int *m)
{
	*y = digits(s, 4);
	if (*y < 0 || s[4] != '-')
		return KAM_EINVAL;
	*m = digits(s + 5, 2);
	return *m < 0 ? KAM_EINVAL : KAM_OK;
}

int date_parse(const char *s, date_t *out)
{
	int y, m, d;

	if (s == NULL || strnlen(s, 11) != 10 || year_month(s, &y, &m) != KAM_OK || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 0)
		return KAM_EINVAL;
	return date_from_ymd(y, m, d, out);
}

int date_parse_month(const char *s, date_t *out)
{
	int y, m;

	if (s == NULL || strnlen(s, 8) != 7 || year_month(s, &y, &m) != KAM_OK)
		return KAM_EINVAL;
	return date_from_ymd(y, m, 1, out);
}

int date_parse_bound(const char *s, bool end, date_t *out)
{
	date_t m;

	if (date_parse(s, out) == KAM_OK)
		return KAM_OK;
	if (date_parse_month(s, &m) != KAM_OK)
		return KAM_EINVAL;
	return end ? date_add_months(m, 1, out) : (*out = m, KAM_OK);
}

int date_parse_time(const char *s, int64_t *out)
{
	char day[DATE_LEN];
	date_t d;
	int hh, mi, ss;

	if (s == NULL || strnlen(s, 21) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z')
		return KAM_EINVAL;
	memcpy(day, s, 10);
	day[10] = '\0';
	hh = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	ss = digits(s + 17, 2);
	if (date_parse(day, &d) != KAM_OK || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 ||
	    ss > 60)
		return KAM_EINVAL;
	*out = date_to_time(d) + hh * 3600 + mi * 60 + ss;
	return KAM_OK;
}

bool date_valid(const char *s)
{
	date_t d;

	return date_parse(s, &d) == KAM_OK;
}

void date_ymd(date_t d, int *y, int *m, int *dd)
{
	int yy, mm, ddd;

	civil_from_days(d, &yy, &mm, &ddd);
	if (y)
		*y = yy;
	if (m)
		*m = mm;
	if (dd)
		*dd = ddd;
}

void date_format(date_t d, char out[DATE_LEN])
{
	int y, m, dd;

	out[0] = '\0';
	if (!in_range(d))
		return;
	civil_from_days(d, &y, &m, &dd);
	if (y < 0 || y > 9999) {
		snprintf(out, DATE_LEN, "%04d-%02d-%02d", y, m, dd);
		return;
	}
	/* by hand: an import formats a date per row, and snprintf showed in its profile */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + dd / 10);
	out[9] = (char)('0' + dd % 10);
	out[10] = '\0';
}

void date_format_month(date_t d, char out[DATE_MONTH_LEN])
{
	int y, m, dd;

	out[0] = '\0';
	if (!in_range(d))
		return;
	civil_from_days(d, &y, &m, &dd);
	snprintf(out, DATE_MONTH_LEN, "%04d-%02d", y, m);
}

int date_add_days(date_t d, int64_t n, date_t *out)
{
	/* both operands are bounded before adding, so the sum cannot overflow */
	if (!in_range(d) || n < -(int64_t)(DATE_MAX - DATE_MIN) ||
	    n > (int64_t)(DATE_MAX - DATE_MIN) || !in_range((int64_t)d + n))
		return KAM_EINVAL;
	*out = (date_t)(d + n);
	return KAM_OK;
}

int date_add_months(date_t d, int64_t n, date_t *out)
{
	int y, m, dd;
	int64_t months;

	if (!in_range(d) || n < -12 * 1100 || n > 12 * 1100)
		return KAM_EINVAL;
	civil_from_days(d, &y, &m, &dd);
	months = (int64_t)y * 12 + (m - 1) + n;
	y = (int)(months / 12);
	m = (int)(months % 12) + 1;
	if (y < 1900 || y > 2999)
		return KAM_EINVAL;
	if (dd > days_in_month(y, m))
		dd = days_in_month(y, m);
	return date_from_ymd(y, m, dd, out);
}

date_t date_month_start(date_t d)
{
	int y, m, dd;

	civil_from_days(d, &y, &m, &dd);
	return (date_t)(d - dd + 1);
}

int date_of_time(int64_t t, date_t *out)
{
	/* floor division: 1969-12-31T23:00:00Z is day -1 */
	int64_t day = t / 86400 - (t % 86400 < 0);

	if (!in_range(day))
		return KAM_EINVAL;
	*out = (date_t)day;
	return KAM_OK;
}

date_t date_of_time_clamped(int64_t t)
{
	date_t d;

	if (date_of_time(t, &d) == KAM_OK)
		return d;
	return t < 0 ? DATE_MIN : DATE_MAX;
}

date_t date_add_days_clamped(date_t d, int64_t n)
{
	date_t out;

	if (date_add_days(d, n, &out) == KAM_OK)
		return out;
	return n < 0 ? DATE_MIN : DATE_MAX;
}

date_t date_add_months_clamped(date_t d, int64_t n)
{
	date_t out;

	if (date_add_months(d, n, &out) == KAM_OK)
		return out;
	return n < 0 ? DATE_MIN : DATE_MAX;
}

date_t date_local(int64_t t, int32_t utc_offset)
{
	/* the local date at t is the UTC date of the local wall time; t is a clock value far
	 * inside int64_t, and the offset is at most a day */
	return date_of_time_clamped(t + utc_offset);
}

int64_t date_to_time(date_t d)
{
	return (int64_t)d * 86400;
}

int64_t date_diff(date_t a, date_t b)
{
	return (int64_t)b - a;
}

int64_t date_text_time(const char *s)
{
	date_t d;

	return date_to_time(date_parse(s, &d) == KAM_OK ? d : DATE_MIN);
}

void date_text_year_before(const char *s, char out[DATE_LEN])
{
	date_t d;

	if (date_parse(s, &d) != KAM_OK || date_add_days(d, -365, &d) != KAM_OK)
		d = DATE_MIN;
	date_format(d, out);
}
