/* The iCalendar writer (see ical.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/buf.h"
#include "util/err.h"
#include "util/ical.h"
#include "util/time.h"

void ical_free(struct ical *ic)
{
	buf_free(&ic->text);
}

static int put(struct ical *ic, const char *s, size_t n)
{
	return buf_put(&ic->text, s, n);
}

/* Writes one logical line folded into physical lines of at most ICAL_LINE_MAX octets; a fold
 * never falls inside a UTF-8 sequence (continuation bytes are 10xxxxxx). */
static int put_folded(struct ical *ic, const char *line, size_t n)
{
	size_t room = ICAL_LINE_MAX, i = 0;
	int rc = KAM_OK;

	while (rc == KAM_OK && n - i > room) {
		size_t cut = i + room;

		while (cut > i && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--;
		if (cut == i) /* not UTF-8: cut anywhere rather than loop */
			cut = i + room;
		rc = put(ic, line + i, cut - i);
		if (rc == KAM_OK)
			rc = put(ic, "\r\n ", 3);
		i = cut;
		room = ICAL_LINE_MAX - 1; /* the leading space counts */
	}
	if (rc == KAM_OK)
		rc = put(ic, line + i, n - i);
	if (rc == KAM_OK)
		rc = put(ic, "\r\n", 2);
	return rc;
}

int ical_prop(struct ical *ic, const char *name, const char *value)
{
	size_t nn = strlen(name), nv = strlen(value);
	char *line = malloc(nn + nv + 2);
	int rc;

	if (line == NULL)
		return ic->text.err = KAM_ENOMEM;
	memcpy(line, name, nn);
	line[nn] = ':';
	memcpy(line + nn + 1, value, nv + 1);
	rc = put_folded(ic, line, nn + nv + 1);
	free(line);
	return rc;
}

char *ical_escape(const char *text)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = text; *p; p++)
		n += (*p == '\\' || *p == ';' || *p == ',' || *p == '\n') ? 2 : 1;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	o = out;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\\' || *p == ';' || *p == ',') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (*p < 0x20 && *p != '\t') {
			continue; /* CR (of CRLF) and controls are not allowed in TEXT */
		} else if (*p == 0x7F) {
			continue;
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

int ical_prop_text(struct ical *ic, const char *name, const char *text)
{
	char *v = ical_escape(text ? text : "");
	int rc;

	if (v == NULL)
		return ic->text.err = KAM_ENOMEM;
	rc = ical_prop(ic, name, v);
	free(v);
	return rc;
}

/* The shape of YYYY-MM-DD: callers pass dates kam/date parsed or the store holds, so only
 * the width is checked here, to keep the copy below inside the string. */
static bool shaped(const char *d)
{
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
			return false;
	return d[10] == '\0';
}

int ical_date(const char *date, char *out, size_t len)
{
	if (date == NULL || !shaped(date) || len < 9)
		return -1;
	snprintf(out, len, "%.4s%.2s%.2s", date, date + 5, date + 8);
	return 0;
}

void ical_time(int64_t t, char *out, size_t len)
{
	char r[32];

	time_rfc3339(t, r, sizeof(r)); /* 2026-03-01T09:30:00Z */
	snprintf(out, len, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", r, r + 5, r + 8, r + 11, r + 14, r + 17);
}

int ical_begin(struct ical *ic, const char *prodid, const char *name)
{
	int rc = ical_prop(ic, "BEGIN", "VCALENDAR");

	if (rc == KAM_OK)
		rc = ical_prop(ic, "VERSION", "2.0");
	if (rc == KAM_OK)
		rc = ical_prop_text(ic, "PRODID", prodid);
	if (rc == KAM_OK)
		rc = ical_prop(ic, "CALSCALE", "GREGORIAN");
	if (rc == KAM_OK)
		rc = ical_prop(ic, "METHOD", "PUBLISH");
	if (rc == KAM_OK && name)
		rc = ical_prop_text(ic, "X-WR-CALNAME", name);
	return rc;
}

int ical_event(struct ical *ic, const struct ical_event *ev)
{
	char when[32], stamp[32];
	int rc;

	if (ev->date) {
		if (ical_date(ev->date, when, sizeof(when)) != 0)
			return KAM_EINVAL;
	} else {
		ical_time(ev->at, when, sizeof(when));
	}
	ical_time(ev->stamp, stamp, sizeof(stamp));
	rc = ical_prop(ic, "BEGIN", "VEVENT");
	if (rc == KAM_OK)
		rc = ical_prop_text(ic, "UID", ev->uid);
	if (rc == KAM_OK)
		rc = ical_prop(ic, "DTSTAMP", stamp);
	if (rc == KAM_OK)
		rc = ical_prop(ic, ev->date ? "DTSTART;VALUE=DATE" : "DTSTART", when);
	if (rc == KAM_OK)
		rc = ical_prop_text(ic, "SUMMARY", ev->summary);
	if (rc == KAM_OK && ev->description)
		rc = ical_prop_text(ic, "DESCRIPTION", ev->description);
	if (rc == KAM_OK && ev->categories)
		rc = ical_prop_text(ic, "CATEGORIES", ev->categories);
	if (rc == KAM_OK && ev->url)
		rc = ical_prop(ic, "URL", ev->url);
	if (rc == KAM_OK)
		rc = ical_prop(ic, "TRANSP", "TRANSPARENT");
	if (rc == KAM_OK)
		rc = ical_prop(ic, "END", "VEVENT");
	return rc;
}

int ical_end(struct ical *ic)
{
	return ical_prop(ic, "END", "VCALENDAR");
}
