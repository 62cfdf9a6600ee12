/*
 * A small iCalendar (RFC 5545) writer: TEXT escaping, line folding at 75 octets without
 * splitting a UTF-8 character, CRLF line ends. Pure: no I/O, the output is a growing buffer.
 */
#ifndef KAM_UTIL_ICAL_H
#define KAM_UTIL_ICAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"

#define ICAL_LINE_MAX 75 /* octets per physical line, CRLF not counted (RFC 5545 §3.1) */

/* The text being written; buf is NUL-terminated and owned (ical_free or take it). */
struct ical {
	struct buf text; /* the calendar so far; text.err says if it is incomplete */
};

/* One event. date (YYYY-MM-DD) makes an all-day event; else at (Unix seconds, UTC). */
struct ical_event {
	const char *uid;         /* stable across feeds: "action-12@kam" */
	int64_t stamp;           /* DTSTAMP */
	const char *date;        /* all-day, or NULL */
	int64_t at;              /* when date is NULL */
	const char *summary;     /* TEXT, escaped here */
	const char *description; /* TEXT or NULL */
	const char *url;         /* URI or NULL */
	const char *categories;  /* one category (TEXT) or NULL */
};

/* Frees the buffer; ic may be zeroed or partly written. */
void ical_free(struct ical *ic);
/* Appends one content line "name:value", value as given (already valid for the property). */
int ical_prop(struct ical *ic, const char *name, const char *value);
/* Appends "name:text" with text escaped as an RFC 5545 TEXT value. */
int ical_prop_text(struct ical *ic, const char *name, const char *text);
/* Escapes text as a TEXT value (\\ \; \, \n; CR and other controls dropped) into a new
 * string owned by the caller; NULL when out of memory. */
char *ical_escape(const char *text);
/* "YYYY-MM-DD" → "YYYYMMDD" into out (>= 9 bytes); -1 when date is not of that shape (that
 * it is a real day in range is for the caller to check with kam/date). */
int ical_date(const char *date, char *out, size_t len);
/* t → "YYYYMMDDTHHMMSSZ" into out (>= 17 bytes). */
void ical_time(int64_t t, char *out, size_t len);
/* Appends BEGIN:VCALENDAR with VERSION, PRODID, CALSCALE, METHOD and X-WR-CALNAME. */
int ical_begin(struct ical *ic, const char *prodid, const char *name);
/* Appends one VEVENT. */
int ical_event(struct ical *ic, const struct ical_event *ev);
/* Appends END:VCALENDAR. */
int ical_end(struct ical *ic);

#endif
