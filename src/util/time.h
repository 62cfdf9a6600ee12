/* Times are integer Unix seconds (UTC). Dates, and parsing anything that holds one, are
 * kam/date's: these only write the clock's own values as text, and never unterminated. */
#ifndef KAM_UTIL_TIME_H
#define KAM_UTIL_TIME_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Formats t as RFC 3339 UTC ("2026-03-01T09:30:00Z") into buf (>= 21 bytes). */
void time_rfc3339(int64_t t, char *buf, size_t len);
/* Formats the UTC date of t as YYYY-MM-DD into buf (>= 11 bytes). */
void time_date(int64_t t, char *buf, size_t len);
/* The month key YYYY-MM of t shifted by add months (e.g. -11) into buf (>= 8 bytes). */
void time_month_key(int64_t t, int add, char *buf, size_t len);
/* Current time, Unix seconds. */
int64_t time_now(void);

/* Where kam's "now" comes from: the wall clock, or an instant fixed at start-up (KAM_NOW)
 * so tests of "today", "overdue" and month edges do not depend on when they run. */
struct kam_clock {
	bool fixed;
	int64_t at; /* Unix seconds, when fixed */
};
/* The clock's now: at when fixed, else the wall clock (also for c NULL). */
int64_t clock_now(const struct kam_clock *c);
/* Monotonic milliseconds, for durations. */
double time_mono_ms(void);
/* Initialises cv so its timed waits count CLOCK_MONOTONIC: a wall-clock jump (NTP, an
 * operator's date) then neither stalls a wait for the jump's length nor ends it early. */
int time_cond_init_mono(pthread_cond_t *cv);
/* Into ts: the CLOCK_MONOTONIC instant ms milliseconds from now, the deadline of a timed
 * wait on a cond from time_cond_init_mono. */
void time_mono_deadline(struct timespec *ts, int64_t ms);

#endif
