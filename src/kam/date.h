/*
 * The one date type. A date is a day number (days since 1970-01-01, proleptic Gregorian,
 * UTC) that is always inside DATE_MIN .. DATE_MAX, 1900-01-01 .. 2999-12-31: the parsers
 * refuse anything outside, the arithmetic returns KAM_EINVAL instead of leaving the range,
 * and so the text form is always exactly "YYYY-MM-DD" (10 characters) and fits DATE_LEN.
 * Text order of that form is date order, which the SQL relies on.
 */
#ifndef KAM_KAM_DATE_H
#define KAM_KAM_DATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t date_t;

#define DATE_MIN ((date_t)-25567) /* 1900-01-01 */
#define DATE_MAX ((date_t)376199) /* 2999-12-31 */
#define DATE_MIN_TEXT "1900-01-01"
#define DATE_MAX_TEXT "2999-12-31"
#define DATE_LEN 11      /* "YYYY-MM-DD" and its NUL */
#define DATE_MONTH_LEN 8 /* "YYYY-MM" and its NUL */
#define TIME_TEXT_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */

/* Parses exactly YYYY-MM-DD (a real calendar day, in range); 0 ok, KAM_EINVAL otherwise. */
int date_parse(const char *s, date_t *out);
/* Parses exactly YYYY-MM (a month in range) to its first day; 0 ok, KAM_EINVAL otherwise. */
int date_parse_month(const char *s, date_t *out);
/*
 * Parses one bound of a period, the one convention of every report: a day YYYY-MM-DD is that
 * day; a month YYYY-MM is its first day as a start (end false) and the first day of the next
 * month as an end (end true), since an end is exclusive: to=2026-06 and to=2026-07-01 mean
 * the same. 0 ok, KAM_EINVAL otherwise.
 */
int date_parse_bound(const char *s, bool end, date_t *out);
/* Parses an RFC 3339 UTC timestamp YYYY-MM-DDTHH:MM:SSZ whose date is in range into Unix
 * seconds; 0 ok, KAM_EINVAL otherwise. */
int date_parse_time(const char *s, int64_t *out);
/* True when s is a date date_parse accepts. */
bool date_valid(const char *s);
/* The date of year y, month m (1..12), day d; KAM_EINVAL when not a real day in range. */
int date_from_ymd(int y, int m, int d, date_t *out);
/* Splits an in-range date into year, month (1..12) and day (1..31); any may be NULL. */
void date_ymd(date_t d, int *y, int *m, int *dd);
/* Writes d as YYYY-MM-DD; a d outside the range (a caller's bug) writes "". */
void date_format(date_t d, char out[DATE_LEN]);
/* Writes d's month as YYYY-MM; a d outside the range writes "". */
void date_format_month(date_t d, char out[DATE_MONTH_LEN]);
/* d + n days; KAM_EINVAL (and *out unchanged) when that leaves the range. */
int date_add_days(date_t d, int64_t n, date_t *out);
/* d + n months, the day clamped to the new month's length (Jan 31 + 1 = Feb 28/29);
 * KAM_EINVAL when that leaves the range. */
int date_add_months(date_t d, int64_t n, date_t *out);
/* d + n days, stopped at the range's edge (windows such as "the year before today"). */
date_t date_add_days_clamped(date_t d, int64_t n);
/* d + n months as date_add_months, stopped at the range's edge. */
date_t date_add_months_clamped(date_t d, int64_t n);
/* The first day of d's month. */
date_t date_month_start(date_t d);
/* The UTC date of Unix time t; KAM_EINVAL when outside the range. */
int date_of_time(int64_t t, date_t *out);
/* The UTC date of Unix time t, clamped into the range (for "today" and similar clock values,
 * which cannot sensibly fail). */
date_t date_of_time_clamped(int64_t t);
/* The date at Unix time t where the clock is utc_offset seconds ahead of UTC (Tokyo
 * +32400): "today" of an installation time zone, clamped like date_of_time_clamped. The
 * offset is the zone's at t (util/tz); settings_today joins the two. */
date_t date_local(int64_t t, int32_t utc_offset);
/* Unix seconds at 00:00 UTC of d. */
int64_t date_to_time(date_t d);
/* Days from a to b (b - a). */
int64_t date_diff(date_t a, date_t b);
/* Unix seconds at the start of an already checked YYYY-MM-DD (DATE_MIN's for anything
 * else), for text dates that come from the store or a validated request. */
int64_t date_text_time(const char *s);
/* The day 365 days before an already checked date, no earlier than DATE_MIN, into out. */
void date_text_year_before(const char *s, char out[DATE_LEN]);

#endif
