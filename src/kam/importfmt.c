/* Reading dates, numbers and names the way other systems write them (see importfmt.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kam/date.h"
#include "kam/importfmt.h"
#include "util/err.h"

int imp_datefmt_parse(const char *s)
{
	if (s == NULL || !strcasecmp(s, "auto"))
		return IMP_DATE_AUTO;
	if (!strcasecmp(s, "iso") || !strcasecmp(s, "YYYY-MM-DD"))
		return IMP_DATE_ISO;
	if (!strcasecmp(s, "M/D/YYYY") || !strcasecmp(s, "MM/DD/YYYY") || !strcasecmp(s, "mdy"))
		return IMP_DATE_MDY;
	if (!strcasecmp(s, "D/M/YYYY") || !strcasecmp(s, "DD/MM/YYYY") ||
	    !strcasecmp(s, "DD-MM-YY") || !strcasecmp(s, "DD.MM.YYYY") || !strcasecmp(s, "dmy"))
		return IMP_DATE_DMY;
	return -1;
}

/* Up to three numeric parts separated by one of / . - and where the time starts. */
struct parts {
	long v[3];
	int len[3];
	const char *rest;
};

static int split_date(const char *s, struct parts *p)
{
	char sep = 0;

	while (isspace((unsigned char)*s))
		s++;
	for (int i = 0; i < 3; i++) {
		char *end;

		if (!isdigit((unsigned char)*s))
			return -1;
		p->v[i] = strtol(s, &end, 10);
		p->len[i] = (int)(end - s);
		if (p->len[i] > 4)
			return -1;
		s = end;
		if (i < 2) {
			if (*s != '/' && *s != '.' && *s != '-')
				return -1;
			if (sep && *s != sep)
				return -1;
			sep = *s++;
		}
	}
	if (*s == '.') /* "24.12.2026." */
		s++;
	p->rest = s;
	return 0;
}

/* The date of y-m-d through kam/date, so an imported date has the range of every other. */
static int to_date(long y, long m, long d, date_t *out)
{
	if (y < 0 || y > 9999 || m < 0 || m > 99 || d < 0 || d > 99)
		return KAM_EINVAL;
	return date_from_ymd((int)y, (int)m, (int)d, out);
}

int imp_date_vote(const char *s)
{
	struct parts p;

	if (s == NULL || split_date(s, &p) != 0 || p.len[0] == 4)
		return 0;
	if (p.v[0] > 12 && p.v[1] <= 12)
		return -1;
	if (p.v[1] > 12 && p.v[0] <= 12)
		return +1;
	return 0;
}

/* "9:30", "09:30:15", "9:30 PM", "T09:30:00Z", "09:30:00.000+0000" → seconds; -1 if bad. */
static int parse_time(const char *s)
{
	long h, m = 0, sec = 0;
	char *end;

	while (*s == ' ' || *s == 'T')
		s++;
	if (*s == '\0')
		return -2; /* no time */
	h = strtol(s, &end, 10);
	if (end == s || *end != ':')
		return -1;
	s = end + 1;
	m = strtol(s, &end, 10);
	if (end == s)
		return -1;
	s = end;
	if (*s == ':') {
		s++;
		sec = strtol(s, &end, 10);
		if (end == s)
			return -1;
		s = end;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	while (*s == ' ')
		s++;
	if (!strncasecmp(s, "AM", 2) || !strncasecmp(s, "PM", 2)) {
		if (h < 1 || h > 12)
			return -1;
		if (h == 12)
			h = 0;
		if (toupper((unsigned char)*s) == 'P')
			h += 12;
		s += 2;
	}
	/* only UTC offsets of zero are accepted: other zones must be converted at the source */
	if (*s == 'Z' || !strcmp(s, "+0000") || !strcmp(s, "+00:00") || !strcmp(s, "UTC"))
		s += strlen(s);
	if (*s != '\0' || h > 23 || m > 59 || sec > 60)
		return -1;
	return (int)(h * 3600 + m * 60 + sec);
}

int imp_date(const char *s, enum imp_datefmt fmt, char out[11], int *secs)
{
	struct parts p;
	long y, m, d;
	date_t day;
	int t;

	*secs = -1;
	if (s == NULL || split_date(s, &p) != 0)
		return -1;
	if (p.len[0] == 4) { /* ISO order whatever the setting */
		y = p.v[0];
		m = p.v[1];
		d = p.v[2];
	} else {
		enum imp_datefmt f = fmt;

		if (f == IMP_DATE_AUTO || f == IMP_DATE_ISO) {
			int vote = imp_date_vote(s);

			if (vote == 0)
				return -1;
			f = vote > 0 ? IMP_DATE_MDY : IMP_DATE_DMY;
		}
		m = f == IMP_DATE_MDY ? p.v[0] : p.v[1];
		d = f == IMP_DATE_MDY ? p.v[1] : p.v[0];
		y = p.v[2];
		if (p.len[2] == 2)
			y += y < 70 ? 2000 : 1900;
		else if (p.len[2] != 4)
			return -1;
	}
	if (to_date(y, m, d, &day) != KAM_OK)
		return -1;
	t = parse_time(p.rest);
	if (t == -1)
		return -1;
	*secs = t == -2 ? -1 : t;
	date_format(day, out);
	return 0;
}

int imp_number(const char *s, int decimals, int64_t *out)
{
	char digits[64];
	size_t n = 0, ndot = 0, ncomma = 0;
	const char *last_dot = NULL, *last_comma = NULL, *p;
	char mark = 0;
	bool neg = false, paren = false, any = false;
	int frac = -1;
	long double v = 0;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '(') {
		paren = true;
		s++;
	}
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	for (p = s; *p; p++) {
		if (*p == '.') {
			ndot++;
			last_dot = p;
		} else if (*p == ',') {
			ncomma++;
			last_comma = p;
		}
	}
	/* which one is the decimal mark: the last of the two when both appear; a lone comma
	 * with exactly three digits after it groups thousands; several of one kind group */
	if (ndot && ncomma)
		mark = last_dot > last_comma ? '.' : ',';
	else if (ndot == 1)
		mark = '.';
	else if (ncomma == 1) {
		size_t after = strspn(last_comma + 1, "0123456789");

		mark = after == 3 && last_comma[4] == '\0' ? 0 : ',';
	}
	for (p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (isdigit(ch)) {
			if (n + 1 >= sizeof(digits))
				return -1;
			digits[n++] = (char)ch;
			any = true;
			if (frac >= 0)
				frac++;
		} else if (ch == (unsigned char)mark && frac < 0) {
			frac = 0;
		} else if (ch == '.' || ch == ',' || ch == ' ' || ch == '\'' || ch == '_') {
			if (frac >= 0 && ch != ' ')
				return -1; /* a group mark after the decimal mark */
		} else if (ch == '-' && !neg && n > 0 && p[1] == '\0') {
			neg = true; /* 12.50- as some ERPs write credits */
		} else if (ch == ')' && paren && p[1] == '\0') {
			neg = true;
		} else if (!strncmp(p, "\xe2\x82\xac", 3)) { /* € */
			p += 2;
		} else if (ch == '$' || (!any && isupper(ch)) || ch == 0xc2 || ch == 0xa3) {
			/* currency signs and codes (USD 12, £12) */
		} else if (any && isupper(ch) && isupper((unsigned char)p[1]) &&
		           isupper((unsigned char)p[2]) && p[3] == '\0') {
			p += 2; /* a trailing code: 12.50 EUR */
		} else {
			return -1;
		}
	}
	if (!any)
		return -1;
	digits[n] = '\0';
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (digits[i] - '0');
	if (frac > 0)
		for (int i = 0; i < frac; i++)
			v /= 10;
	for (int i = 0; i < decimals; i++)
		v *= 10;
	v = v + 0.5L;
	if (v >= 9.2e18L)
		return -1;
	*out = (int64_t)v * (neg ? -1 : 1);
	return 0;
}

char imp_detect_delim(const char *buf, size_t len)
{
	size_t comma = 0, semi = 0, tab = 0;
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		char ch = buf[i];

		if (ch == '"')
			quoted = !quoted;
		else if (!quoted && (ch == '\n' || ch == '\r'))
			break;
		else if (!quoted && ch == ',')
			comma++;
		else if (!quoted && ch == ';')
			semi++;
		else if (!quoted && ch == '\t')
			tab++;
	}
	if (tab > comma && tab > semi)
		return '\t';
	return semi > comma ? ';' : ',';
}

int imp_distance(const char *a, const char *b, int cap)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[257], best;

	if (la > 256 || lb > 256)
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > (size_t)cap)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = (int)i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int cost =
			    tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			int v = diag + cost;

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb] > cap ? cap + 1 : row[lb];
}

void imp_key(const char *s, char *out, size_t outlen)
{
	size_t n = 0;
	bool gap = false;

	if (outlen == 0)
		return;
	for (; s && *s && n + 2 < outlen; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || ch >= 0x80) {
			if (gap && n > 0)
				out[n++] = '_';
			gap = false;
			out[n++] = (char)tolower(ch);
		} else {
			gap = true;
		}
	}
	out[n] = '\0';
}

bool imp_formula_like(const char *s)
{
	return s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r');
}
