/* Times are integer Unix seconds (UTC). Dates, and parsing anything that holds one, are
 * kam/date's: these only write the clock's own values as text, and never unterminated. */
#ifndef KAM_UTIL_TIME_H
#define KAM_UTIL_TIME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Formats t as RFC 3339 UTC ("2026-03-01T09:30:00Z") into buf (>= 21 bytes). */
void time_rfc3339(int64_t t, char *buf, size_t len);
/* Formats the UTC date of t as YYYY-MM-DD into buf (>= 11 bytes). */
void time_date(int64_t t, char *buf, size_t len);
/* The month key YYYY-MM of t shifted by add months (e.g. -11) into buf (>= 8 bytes). */
void time_month_key(int64_t t, int add, char *buf, size_t len);
/* Current time, Unix seconds. */
int64_t time_now(void);
/* Monotonic milliseconds, for durations. */
double time_mono_ms(void);

#endif
