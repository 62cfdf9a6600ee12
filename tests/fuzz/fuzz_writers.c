/*
 * The writers fed hostile stored strings, and their output checked:
 *
 *  - iCalendar (util/ical.c, as the calendar feed calls it): every physical line at most 75
 *    octets and valid UTF-8 on its own (a fold never splits a character), CRLF line ends and
 *    no bare CR or LF, and every TEXT value, unfolded and unescaped per RFC 5545 (\\ \; \,
 *    \n, no bare ; or ,), equal to the string given, less the controls TEXT may not hold;
 *  - CSV (app_export, the lists' ?format=csv): the file, parsed back with libcsv in strict
 *    mode, is RFC 4180, has one record per row plus the header, every cell equals the value
 *    written as text, and no field starts like a formula (= + - @ tab CR) unless kam's
 *    guard put its apostrophe before it;
 *  - XLSX (app_export through libxlsxwriter): every XML part of the zip is well-formed XML,
 *    as expat reads it;
 *  - HTML (plandoc_html, the plan document and its one-page print): every tag is one of the
 *    template's, every & starts an entity, no < > " ' of the input is left bare outside an
 *    attribute;
 *  - PDF (app_plan_document_pdf): %PDF header, %%EOF, an xref table whose every entry points
 *    at its object, and the title it embeds a well-formed PDF string.
 *
 * The strings are what kam can store: valid UTF-8 with no controls but tab, LF and CR (the
 * model's text check); U+FFFE and U+FFFF pass it, so they are in. The demo database is there
 * only for what app_export reads besides the rows (settings, users' names).
 *
 * Input: one byte (its value modulo 5 picks the writer; divided by 5, the list for CSV and
 * XLSX; 254 draws the PDF with DejaVu Sans, other PDFs with Helvetica), then the strings,
 * separated by 0xFF bytes (never part of UTF-8). A failed check is an abort(). Seeds:
 * tests/fuzz/corpus/fuzz_writers/.
 */
#include <csv.h>
#include <expat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "app/document.h"
#include "app/list.h"
#include "kam/date.h"
#include "kam/importfmt.h"
#include "kam/plandoc.h"
#include "util/ical.h"
#include "util/utf8.h"
#include "fuzz_db.h"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_writers: " __VA_ARGS__);                                     \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

#define MAX_STRINGS 64

static struct store *st;
static struct actor admin = {.role = ROLE_ADMIN, .now = 1772323200};
static char kinds[32][32];
static size_t nkinds;

static char *pool[MAX_STRINGS];
static size_t npool;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char names[1024], *save = NULL;

	(void)argc;
	(void)argv;
	st = fuzz_demo_store();
	admin.user_id = fuzz_user(st, "admin@example.com");
	app_list_names(names, sizeof(names));
	for (char *k = strtok_r(names, ", ", &save); k && nkinds < 32;
	     k = strtok_r(NULL, ", ", &save))
		snprintf(kinds[nkinds++], sizeof(kinds[0]), "%s", k);
	return 0;
}

/* The length of the well-formed UTF-8 sequence at s (n bytes left), 0 if there is none. */
static size_t seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k = c < 0x80                 ? 1
	           : c >= 0xC2 && c <= 0xDF ? 2
	           : c >= 0xE0 && c <= 0xEF ? 3
	           : c >= 0xF0 && c <= 0xF4 ? 4
	                                    : 0;

	if (k == 0 || k > n)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
	    (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
		return 0;
	return k;
}

/* A string as kam could have stored it: malformed bytes and controls (but tab, LF, CR) left
 * out. */
static char *storable(const uint8_t *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (out == NULL)
		abort();
	for (size_t i = 0; i < n;) {
		size_t k = seq_len(s + i, n - i);

		if (k == 0) {
			i++;
			continue;
		}
		if (k > 1 || s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			if (s[i] != 0x7f)
				memcpy(out + o, s + i, k), o += k;
		i += k;
	}
	out[o] = '\0';
	return out;
}

static const char *S(size_t i)
{
	return npool ? pool[i % npool] : "";
}

/* --- iCalendar ------------------------------------------------------------------------------ */

struct want {
	char name[32];
	char *value; /* owned */
	bool text;
};

static void want_add(struct want *w, size_t *n, const char *name, const char *value, bool text)
{
	snprintf(w[*n].name, sizeof(w[0].name), "%s", name);
	w[*n].value = strdup(value);
	w[(*n)++].text = text;
}

/* What a TEXT value becomes: the controls TEXT may not hold (all but tab and LF) dropped. */
static char *text_kept(const char *s)
{
	char *o = strdup(s), *p = o;

	for (; *s; s++)
		if (!(((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n') || *s == 0x7f))
			*p++ = *s;
	*p = '\0';
	return o;
}

/* Unescapes a TEXT value in place; false when it holds a bare ; or , or a bad escape. */
static bool unescape_text(char *v)
{
	char *o = v;

	for (; *v; v++) {
		if (*v == ';' || *v == ',')
			return false;
		if (*v != '\\') {
			*o++ = *v;
			continue;
		}
		v++;
		if (*v == '\\' || *v == ';' || *v == ',')
			*o++ = *v;
		else if (*v == 'n' || *v == 'N')
			*o++ = '\n';
		else
			return false;
	}
	*o = '\0';
	return true;
}

static void check_ical(const char *out, size_t len, struct want *w, size_t nw)
{
	char *logical = malloc(len + 1), line[ICAL_LINE_MAX + 1];
	size_t o = 0, k = 0;

	if (logical == NULL)
		abort();
	if (strlen(out) != len)
		FAIL("iCal: a NUL in the output");
	/* physical lines */
	for (size_t i = 0; i < len;) {
		const char *crlf = strstr(out + i, "\r\n");
		size_t n;

		if (crlf == NULL)
			FAIL("iCal: the output does not end with CRLF");
		n = (size_t)(crlf - (out + i));
		if (n > ICAL_LINE_MAX)
			FAIL("iCal: a line of %zu octets: %.*s", n, (int)n, out + i);
		if (memchr(out + i, '\r', n) || memchr(out + i, '\n', n))
			FAIL("iCal: a bare CR or LF in %.*s", (int)n, out + i);
		memcpy(line, out + i, n);
		line[n] = '\0';
		if (!utf8_valid(line))
			FAIL("iCal: a fold split a character: %s", line);
		if (out[i] == ' ' && i > 0) { /* a continuation: unfold */
			memcpy(logical + o, line + 1, n - 1);
			o += n - 1;
		} else {
			if (i > 0)
				logical[o++] = '\n';
			memcpy(logical + o, line, n);
			o += n;
		}
		i += n + 2;
	}
	logical[o] = '\0';
	/* logical lines against what was written */
	for (char *save = NULL, *l = strtok_r(logical, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(l, ':');

		if (k >= nw)
			FAIL("iCal: more lines than written, from %s", l);
		if (colon == NULL || (size_t)(colon - l) != strlen(w[k].name) ||
		    strncmp(l, w[k].name, strlen(w[k].name)) != 0)
			FAIL("iCal: line %zu is %s, not %s", k, l, w[k].name);
		if (w[k].text) {
			char *want = text_kept(w[k].value);

			if (!unescape_text(colon + 1))
				FAIL("iCal: %s is not an escaped TEXT value: %s", w[k].name,
				     colon + 1);
			if (strcmp(colon + 1, want) != 0)
				FAIL("iCal: %s reads back as \"%s\", not \"%s\"", w[k].name,
				     colon + 1, want);
			free(want);
		} else if (strcmp(colon + 1, w[k].value) != 0) {
			FAIL("iCal: %s is %s, not %s", w[k].name, colon + 1, w[k].value);
		}
		k++;
	}
	if (k != nw)
		FAIL("iCal: %zu lines, %zu written", k, nw);
	free(logical);
}

static void run_ical(void)
{
	struct ical ic = {0};
	struct want w[MAX_STRINGS * 12];
	size_t nw = 0, nev = npool / 4 + 1;
	char user[256], name[300], stamp[32], when[32];

	/* the feed's name as api/calendar.c makes it from the user's name as the store reads it */
	utf8_copy(user, sizeof(user), S(0));
	snprintf(name, sizeof(name), "kam: %s", user);
	if (ical_begin(&ic, S(1), name) != KAM_OK)
		FAIL("iCal: begin failed");
	want_add(w, &nw, "BEGIN", "VCALENDAR", false);
	want_add(w, &nw, "VERSION", "2.0", false);
	want_add(w, &nw, "PRODID", S(1), true);
	want_add(w, &nw, "CALSCALE", "GREGORIAN", false);
	want_add(w, &nw, "METHOD", "PUBLISH", false);
	want_add(w, &nw, "X-WR-CALNAME", name, true);
	for (size_t e = 0; e < nev && e < 16; e++) {
		const char *date = date_valid(S(4 * e + 2)) ? S(4 * e + 2) : NULL;
		struct ical_event ev = {S(4 * e + 5),
		                        admin.now,
		                        date,
		                        (int64_t)e * 86400 * 365,
		                        S(4 * e + 3),
		                        S(4 * e + 4),
		                        "http://kam.example/#/accounts/1",
		                        e & 1 ? S(4 * e + 6) : NULL};

		if (ical_event(&ic, &ev) != KAM_OK)
			FAIL("iCal: event failed");
		ical_time(ev.stamp, stamp, sizeof(stamp));
		if (date)
			ical_date(date, when, sizeof(when));
		else
			ical_time(ev.at, when, sizeof(when));
		want_add(w, &nw, "BEGIN", "VEVENT", false);
		want_add(w, &nw, "UID", ev.uid, true);
		want_add(w, &nw, "DTSTAMP", stamp, false);
		want_add(w, &nw, date ? "DTSTART;VALUE=DATE" : "DTSTART", when, false);
		want_add(w, &nw, "SUMMARY", ev.summary, true);
		want_add(w, &nw, "DESCRIPTION", ev.description, true);
		if (ev.categories)
			want_add(w, &nw, "CATEGORIES", ev.categories, true);
		want_add(w, &nw, "URL", ev.url, false);
		want_add(w, &nw, "TRANSP", "TRANSPARENT", false);
		want_add(w, &nw, "END", "VEVENT", false);
	}
	if (ical_end(&ic) != KAM_OK)
		FAIL("iCal: end failed");
	want_add(w, &nw, "END", "VCALENDAR", false);
	check_ical(ic.text.data, ic.text.len, w, nw);
	for (size_t i = 0; i < nw; i++)
		free(w[i].value);
	ical_free(&ic);
}

/* --- CSV and XLSX --------------------------------------------------------------------------- */

/* The cell as text, as a file shows it (app/export.c's rules, written again). */
static char *cell_text(const json_t *v)
{
	char b[64];

	if (v == NULL || json_is_null(v))
		return strdup("");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(v));
		return strdup(b);
	}
	if (json_is_real(v)) {
		snprintf(b, sizeof(b), "%.10g", json_real_value(v));
		return strdup(b);
	}
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "true" : "false");
	if (json_is_array(v)) {
		struct buf s = {0};
		size_t i;
		json_t *x;

		json_array_foreach(v, i, x)
		{
			char *t =
			    json_is_object(x) || json_is_array(x) ? strdup("…") : cell_text(x);

			buf_printf(&s, "%s%s", i ? "; " : "", t);
			free(t);
		}
		return s.data ? buf_take(&s, NULL) : strdup("");
	}
	return json_dumps(v, JSON_COMPACT);
}

/* A record: every field of e that a request may set, from the strings; ids small. */
static json_t *record(const struct model_entity *e, size_t r)
{
	json_t *rec = json_object();

	for (size_t j = 0; j < e->nfields; j++) {
		const struct model_field *f = &e->fields[j];
		size_t k = r * e->nfields + j;
		const char *s = S(k);

		switch (f->type) {
		case MT_INT:
		case MT_REF:
			json_object_set_new(rec, f->name, json_integer((int64_t)strlen(s) % 5 + 1));
			break;
		case MT_NUM:
			json_object_set_new(rec, f->name, json_real((double)strlen(s) / 7.0 - 3));
			break;
		case MT_BOOL:
			json_object_set_new(rec, f->name, json_boolean(strlen(s) & 1));
			break;
		case MT_TAGS:
			json_object_set_new(rec, f->name, json_pack("[s,s]", s, S(k + 1)));
			break;
		case MT_REFS:
			json_object_set_new(rec, f->name, json_pack("[i,i]", 1, 2));
			break;
		default:
			json_object_set_new(rec, f->name, json_string(s));
		}
	}
	/* a computed key the list added: a column of its own */
	json_object_set_new(rec, S(r + 7), json_string(S(r + 8)));
	return rec;
}

struct parsed {
	json_t *rows, *row;
};

static void on_field(void *s, size_t len, void *arg)
{
	struct parsed *p = arg;

	if (p->row == NULL)
		p->row = json_array();
	json_array_append_new(p->row, json_stringn_nocheck(s, len));
}

static void on_row(int c, void *arg)
{
	struct parsed *p = arg;

	(void)c;
	json_array_append_new(p->rows, p->row ? p->row : json_array());
	p->row = NULL;
}

static char *read_all(int fd, size_t len)
{
	char *b = malloc(len + 1);
	size_t got = 0;

	if (b == NULL)
		abort();
	while (got < len) {
		ssize_t r = read(fd, b + got, len - got);

		if (r <= 0)
			FAIL("cannot read the file back");
		got += (size_t)r;
	}
	b[len] = '\0';
	return b;
}

static void check_csv(const char *b, size_t len, json_t *items)
{
	struct csv_parser cp;
	struct parsed p = {json_array(), NULL};
	json_t *head, *row, *f;
	size_t i, j;

	if (len < 3 || memcmp(b, "\xef\xbb\xbf", 3) != 0)
		FAIL("CSV: no BOM");
	csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI);
	if (csv_parse(&cp, b + 3, len - 3, on_field, on_row, &p) != len - 3 ||
	    csv_fini(&cp, on_field, on_row, &p) != 0)
		FAIL("CSV: not RFC 4180: %s", csv_strerror(csv_error(&cp)));
	csv_free(&cp);
	if (json_array_size(p.rows) != json_array_size(items) + 1)
		FAIL("CSV: %zu records for %zu rows", json_array_size(p.rows),
		     json_array_size(items));
	head = json_array_get(p.rows, 0);
	json_array_foreach(p.rows, i, row)
	{
		if (json_array_size(row) != json_array_size(head))
			FAIL("CSV: record %zu has %zu fields, the header %zu", i,
			     json_array_size(row), json_array_size(head));
		json_array_foreach(row, j, f)
		{
			const char *got = json_string_value(f),
			           *h = json_string_value(json_array_get(head, j));
			const json_t *it = json_array_get(items, i - 1), *v;
			char *want;

			if (imp_formula_like(got))
				FAIL("CSV: field %zu of record %zu starts like a formula: %s", j, i,
				     got);
			if (i == 0)
				continue;
			/* the header's own guard: "'=x" names the column "=x" */
			v = json_object_get(it, h);
			if (v == NULL && h[0] == '\'' && imp_formula_like(h + 1))
				v = json_object_get(it, h + 1);
			want = cell_text(v);
			if (imp_formula_like(want)) {
				char *g = malloc(strlen(want) + 2);

				if (g == NULL)
					abort();
				g[0] = '\'';
				memcpy(g + 1, want, strlen(want) + 1);
				free(want);
				want = g;
			}
			if (strcmp(got, want) != 0)
				FAIL("CSV: record %zu, column %s is \"%s\", not \"%s\"", i, h, got,
				     want);
			free(want);
		}
	}
	json_decref(p.rows);
	json_decref(p.row);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void check_xml(const char *name, const char *x, size_t n)
{
	XML_Parser xp = XML_ParserCreate(NULL);

	if (xp == NULL)
		abort();
	if (XML_Parse(xp, x, (int)n, 1) == XML_STATUS_ERROR)
		FAIL("XLSX: %s is not well-formed XML at line %lu, column %lu: %s\n%.*s", name,
		     (unsigned long)XML_GetCurrentLineNumber(xp),
		     (unsigned long)XML_GetCurrentColumnNumber(xp),
		     XML_ErrorString(XML_GetErrorCode(xp)), (int)(n < 3000 ? n : 3000), x);
	XML_ParserFree(xp);
}

/* Every XML part of the zip b, inflated and read by expat. */
static void check_xlsx(const unsigned char *b, size_t len)
{
	size_t eocd = len >= 22 ? len - 22 : 0, cd, parts = 0;

	while (eocd > 0 && le32(b + eocd) != 0x06054b50)
		eocd--;
	if (len < 22 || le32(b + eocd) != 0x06054b50)
		FAIL("XLSX: not a zip");
	cd = le32(b + eocd + 16);
	for (unsigned e = 0, n = le16(b + eocd + 10); e < n; e++) {
		const unsigned char *c = b + cd, *l;
		size_t nl = le16(c + 28), csize = le32(c + 20), usize = le32(c + 24);
		char name[256];
		unsigned char *x;

		if (cd + 46 > len || le32(c) != 0x02014b50)
			FAIL("XLSX: a broken central directory");
		snprintf(name, sizeof(name), "%.*s", (int)nl, c + 46);
		l = b + le32(c + 42);
		if (le32(l) != 0x04034b50)
			FAIL("XLSX: %s has no local header", name);
		l += 30 + le16(l + 26) + le16(l + 28);
		if ((x = malloc(usize + 1)) == NULL)
			abort();
		if (le16(c + 10) == 8) {
			z_stream z = {0};

			inflateInit2(&z, -MAX_WBITS);
			z.next_in = (unsigned char *)l;
			z.avail_in = (uInt)csize;
			z.next_out = x;
			z.avail_out = (uInt)usize;
			if (inflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out != usize)
				FAIL("XLSX: %s does not inflate", name);
			inflateEnd(&z);
		} else {
			memcpy(x, l, usize);
		}
		if (crc32(0, x, (uInt)usize) != le32(c + 16))
			FAIL("XLSX: %s has a wrong CRC", name);
		nl = strlen(name);
		if ((nl > 4 && !strcmp(name + nl - 4, ".xml")) ||
		    (nl > 5 && !strcmp(name + nl - 5, ".rels"))) {
			check_xml(name, (const char *)x, usize);
			parts++;
		}
		free(x);
		cd += 46 + nl + le16(c + 30) + le16(c + 32);
	}
	if (parts == 0)
		FAIL("XLSX: no XML part");
}

static void run_export(unsigned which, bool xlsx)
{
	struct kam_errinfo ei = {0};
	struct store_conn *c = NULL;
	struct app_list l;
	json_t *items = json_array();
	size_t len = 0;
	int fd = -1;
	char *b;

	if (nkinds == 0 || app_list_of(&admin, kinds[which % nkinds], &l, &ei) != KAM_OK)
		FAIL("no list %s", kinds[which % nkinds]);
	for (size_t r = 0; r < 1 + npool / 8 && r < 6; r++)
		json_array_append_new(items, record(l.e, r));
	json_incref(items); /* taken by app_export, and read here after it */
	store_acquire(st, &c);
	if (app_export(c, &admin, &l, NULL, 0, xlsx, items, NULL, &fd, &len, &ei) != KAM_OK)
		FAIL("export failed: %s", ei.detail);
	store_release(st, c);
	b = read_all(fd, len);
	close(fd);
	if (xlsx)
		check_xlsx((unsigned char *)b, len);
	else
		check_csv(b, len, items);
	free(b);
	json_decref(items);
	err_clear(&ei);
}

/* --- the plan document ---------------------------------------------------------------------- */

static json_t *str_or_null(size_t i)
{
	const char *s = S(i);

	return s[0] == '\0' && (i & 1) ? json_null() : json_string(s);
}

static json_t *plan_doc(void)
{
	json_t *doc = json_object(), *a;
	size_t k = 0;

	json_object_set_new(doc, "generated_on", json_string("2026-03-01"));
	json_object_set_new(doc, "currency", json_string(npool & 1 ? "EUR" : "JPY"));
	json_object_set_new(doc, "account",
	                    json_pack("{s:i,s:o,s:o,s:o,s:o,s:o}", "id", 1, "name", str_or_null(k),
	                              "tier", str_or_null(k + 1), "status", str_or_null(k + 2),
	                              "industry", str_or_null(k + 3), "owner", str_or_null(k + 4)));
	k += 5;
	json_object_set_new(doc, "plan",
	                    json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o}", "id", 1, "title",
	                              str_or_null(k), "period_start", str_or_null(k + 1),
	                              "period_end", str_or_null(k + 2), "status",
	                              str_or_null(k + 3), "situation", str_or_null(k + 4), "vision",
	                              str_or_null(k + 5)));
	k += 6;
	a = json_array();
	for (size_t i = 0; i < npool / 6 + 1 && i < 8; i++, k += 5)
		json_array_append_new(
		    a, json_pack("{s:o,s:o,s:f,s:f,s:f,s:o,s:o,s:f}", "title", str_or_null(k),
		                 "metric", str_or_null(k + 1), "baseline", (double)i, "target",
		                 10.0 * (double)i, "current", 2.5 * (double)i, "due_on",
		                 str_or_null(k + 2), "status", str_or_null(k + 3), "progress",
		                 0.1 * (double)i));
	json_object_set_new(doc, "objectives", a);
	a = json_array();
	for (size_t i = 0; i < npool / 6 + 1 && i < 8; i++, k += 4)
		json_array_append_new(a, json_pack("{s:o,s:o,s:o,s:o,s:b}", "title", str_or_null(k),
		                                   "owner", str_or_null(k + 1), "due_on",
		                                   str_or_null(k + 2), "status", str_or_null(k + 3),
		                                   "overdue", (int)(i & 1)));
	json_object_set_new(doc, "actions", a);
	a = json_array();
	for (size_t i = 0; i < npool / 6 + 1 && i < 8; i++, k += 5)
		json_array_append_new(
		    a, json_pack("{s:o,s:o,s:o,s:o,s:o}", "name", str_or_null(k), "title",
		                 str_or_null(k + 1), "influence", str_or_null(k + 2), "attitude",
		                 str_or_null(k + 3), "decision_role", str_or_null(k + 4)));
	json_object_set_new(doc, "stakeholders", a);
	a = json_array();
	for (size_t i = 0; i < npool / 6 + 1 && i < 8; i++, k += 4)
		json_array_append_new(
		    a, json_pack("{s:o,s:o,s:i,s:i,s:o,s:o}", "title", str_or_null(k), "category",
		                 str_or_null(k + 1), "probability", (int)i % 5 + 1, "impact",
		                 (int)(i * 3) % 5 + 1, "status", str_or_null(k + 2), "owner",
		                 str_or_null(k + 3)));
	json_object_set_new(doc, "risks", a);
	json_object_set_new(doc, "kpis",
	                    json_pack("{s:f,s:f,s:n,s:f}", "revenue_12m", 123456789.0, "nrr", 1.042,
	                              "nps", "sla_compliance", 0.97));
	json_object_set_new(
	    doc, "kpi_period",
	    json_pack("{s:o,s:o}", "from", str_or_null(k), "to", str_or_null(k + 1)));
	a = json_array();
	for (size_t i = 0; i < 12; i++)
		json_array_append_new(a, json_pack("{s:o,s:f}", "month", str_or_null(k + 2 + i),
		                                   "amount", (double)(i * 1000 * npool)));
	json_object_set_new(doc, "revenue_by_month", a);
	return doc;
}

static bool allowed_tag(const char *t, size_t n)
{
	static const char *const tags[] = {
	    "b",   "body",  "br",   "div",  "h1", "h2",    "head",    "header", "html",
	    "i",   "line",  "main", "meta", "p",  "rect",  "section", "small",  "style",
	    "svg", "table", "td",   "text", "th", "title", "tr",      NULL};

	for (const char *const *p = tags; *p; p++)
		if (strlen(*p) == n && !memcmp(*p, t, n))
			return true;
	return false;
}

static void check_html(const char *h, size_t len)
{
	static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", NULL};
	const char *doctype = "<!doctype html>";

	if (strncmp(h, doctype, strlen(doctype)) != 0)
		FAIL("HTML: no doctype");
	for (size_t i = strlen(doctype); i < len; i++) {
		char ch = h[i];

		if (ch == '<') {
			size_t j = i + 1, n;

			if (h[j] == '/')
				j++;
			n = strspn(h + j, "abcdefghijklmnopqrstuvwxyz0123456789");
			if (!allowed_tag(h + j, n))
				FAIL("HTML: a tag the template has not: %.40s", h + i);
			j += n;
			/* attributes: name="value", the value with no < > or " */
			while (j < len && h[j] != '>') {
				if (h[j] == '"') {
					size_t q = strcspn(h + j + 1, "\"<>");

					if (h[j + 1 + q] != '"')
						FAIL("HTML: a broken attribute in %.60s", h + i);
					j += q + 2;
				} else if (h[j] == '<' || h[j] == '\'') {
					FAIL("HTML: %c inside a tag: %.60s", h[j], h + i);
				} else {
					j++;
				}
			}
			if (n == 5 && !strncmp(h + i + 1, "style", 5)) {
				const char *end = strstr(h + j, "</style>");

				if (end == NULL)
					FAIL("HTML: an unclosed style");
				j = (size_t)(end - h) - 1;
			}
			i = j;
		} else if (ch == '>' || ch == '"' || ch == '\'') {
			FAIL("HTML: a bare %c in the text: %.60s", ch, h + (i > 30 ? i - 30 : 0));
		} else if (ch == '&') {
			const char *const *e = ents;

			while (*e && strncmp(h + i, *e, strlen(*e)) != 0)
				e++;
			if (*e == NULL)
				FAIL("HTML: a bare & in the text: %.60s", h + i);
		}
	}
}

static void run_html(void)
{
	json_t *doc = plan_doc();
	char *out = NULL;
	size_t len = 0;

	if (plandoc_html(doc, &out, &len) != KAM_OK)
		FAIL("HTML: render failed");
	if (strlen(out) != len)
		FAIL("HTML: a NUL in the page");
	check_html(out, len);
	free(out);
	json_decref(doc);
}

/* A PDF literal string at s, "(…)", ends before end with its parentheses balanced. */
static void check_pdf_string(const char *s, const char *end, const char *what)
{
	int depth = 0;

	for (const char *p = s; p < end; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return;
	}
	FAIL("PDF: the %s string never closes", what);
}

static void check_pdf(const char *b, size_t len)
{
	const char *sx, *x, *end = b + len, *t;
	long start, count;
	char *e;

	if (len < 20 || memcmp(b, "%PDF-", 5) != 0)
		FAIL("PDF: no header");
	if (memmem(b + len - (len < 16 ? len : 16), len < 16 ? len : 16, "%%EOF", 5) == NULL)
		FAIL("PDF: no %%%%EOF");
	/* the last one: the same word may be text of the document (the title is not compressed) */
	if ((sx = memmem(b + len - (len < 64 ? len : 64), len < 64 ? len : 64, "startxref", 9)) ==
	    NULL)
		FAIL("PDF: no startxref");
	x = b + strtol(sx + 9, &e, 10);
	if (x < b || x + 4 > end || memcmp(x, "xref", 4) != 0)
		FAIL("PDF: startxref does not point at the xref table");
	x += 4;
	start = strtol(x, &e, 10);
	count = strtol(e, &e, 10);
	while (*e == '\r' || *e == '\n' || *e == ' ')
		e++;
	for (long i = 0; i < count; i++, e += 20) {
		long off;
		char head[32];
		int n;

		if (e + 20 > end)
			FAIL("PDF: the xref table is cut");
		if (e[17] != 'n')
			continue;
		off = strtol(e, NULL, 10);
		n = snprintf(head, sizeof(head), "%ld 0 obj", start + i);
		if (off < 0 || (size_t)off + (size_t)n > len ||
		    memcmp(b + off, head, (size_t)n) != 0)
			FAIL("PDF: object %ld is not at %ld", start + i, off);
	}
	if ((t = memmem(b, len, "/Title (", 8)) != NULL)
		check_pdf_string(t + 7, end, "title");
}

/* which 50 (first byte 254): DejaVu Sans and UTF-8, kam's default, but half a second a
 * document to load the font; else no TrueType font, Helvetica and ASCII, in milliseconds */
static void run_pdf(unsigned which)
{
	json_t *doc = plan_doc();
	char *out = NULL, err[200];
	size_t len = 0;

	setenv("KAM_PDF_FONT", which == 50 ? "" : "/nonexistent/font.ttf", 1);
	if (app_plan_document_pdf(doc, &out, &len, err, sizeof(err)) != KAM_OK)
		FAIL("PDF: %s", err);
	check_pdf(out, len);
	free(out);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p, *end = data + size;

	if (size < 1)
		return 0;
	npool = 0;
	for (p = data + 1; p <= end && npool < MAX_STRINGS;) {
		const uint8_t *sep = memchr(p, 0xFF, (size_t)(end - p));
		const uint8_t *e = sep ? sep : end;

		pool[npool++] = storable(p, (size_t)(e - p));
		p = e + 1;
	}
	switch (data[0] % 5) {
	case 0:
		run_ical();
		break;
	case 1:
		run_export(data[0] / 5, false);
		break;
	case 2:
		run_export(data[0] / 5, true);
		break;
	case 3:
		run_html();
		break;
	default:
		run_pdf(data[0] / 5);
	}
	for (size_t i = 0; i < npool; i++)
		free(pool[i]);
	return 0;
}
