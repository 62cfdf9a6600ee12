/*
 * The account plan as one A4 page of PDF, drawn with libharu: header, situation, KPI tiles,
 * objectives with progress bars, actions (overdue in red), stakeholders, open risks and a
 * revenue-by-month bar chart made of rectangles. Text uses DejaVu Sans embedded with UTF-8
 * encoding (KAM_PDF_FONT names another TTF); without it, Helvetica and ASCII only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hpdf.h>
#include "app/document.h"
#include "kam/plandoc.h"
#include "util/err.h"

#define FONT_DIR "/usr/share/fonts/truetype/dejavu/"
#define PAGE_W 595.0f
#define PAGE_H 842.0f
#define MARGIN 36.0f
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define ROW_H 11.0f

struct pdf {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_Font regular, bold;
	bool utf8;         /* the TrueType font loaded: any text; else ASCII only */
	bool oom;          /* the font file is there but did not load (out of memory) */
	HPDF_STATUS error; /* the first libharu error, 0 while none */
	float y;           /* the baseline of the next line, from the bottom */
};

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *arg)
{
	struct pdf *p = arg;

	(void)detail;
	if (p->error == 0)
		p->error = error;
}

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Text as the page's font can show it: line breaks and tabs become spaces; without the
 * TrueType font every non-ASCII character becomes '?'. */
static void clean(const struct pdf *p, const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; s && *s && o + 1 < len; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			out[o++] = ' ';
		else if (ch >= 0x80 && !p->utf8) {
			out[o++] = '?';
			while ((s[1] & 0xc0) == 0x80)
				s++;
		} else
			out[o++] = (char)ch;
	}
	/* never end inside a UTF-8 sequence */
	while (o > 0 && ((unsigned char)out[o - 1] & 0x80)) {
		size_t start = o - 1;
		size_t need;

		while (start > 0 && ((unsigned char)out[start] & 0xc0) == 0x80)
			start--;
		need = ((unsigned char)out[start] & 0xe0) == 0xc0   ? 2
		       : ((unsigned char)out[start] & 0xf0) == 0xe0 ? 3
		                                                    : 4;
		if (o - start == need)
			break;
		o = start;
	}
	out[o] = '\0';
}

static float width_of(struct pdf *p, const char *s)
{
	return HPDF_Page_TextWidth(p->page, s);
}

/* Cuts s (in place) at a character boundary so it fits width, ending with "…" if cut. */
static void fit(struct pdf *p, char *s, float width)
{
	const char *ell = p->utf8 ? "…" : "...";
	size_t n = strlen(s);
	char tmp[1024];

	if (width_of(p, s) <= width)
		return;
	while (n > 0) {
		do
			n--;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80);
		snprintf(tmp, sizeof(tmp), "%.*s%s", (int)n, s, ell);
		if (width_of(p, tmp) <= width)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*s%s", (int)n, s, ell);
	memcpy(s, tmp, strlen(tmp) + 1);
}

static void font(struct pdf *p, bool bold, float size)
{
	HPDF_Page_SetFontAndSize(p->page, bold ? p->bold : p->regular, size);
}

static void rgb(struct pdf *p, float r, float g, float b)
{
	HPDF_Page_SetRGBFill(p->page, r, g, b);
}

/* Writes s at x, y cut to width (font and colour as set). */
static void text(struct pdf *p, float x, float y, float width, const char *s)
{
	char buf[1024];

	clean(p, s ? s : "–", buf, sizeof(buf));
	if (!p->utf8 && s == NULL)
		snprintf(buf, sizeof(buf), "-");
	fit(p, buf, width);
	HPDF_Page_BeginText(p->page);
	HPDF_Page_TextOut(p->page, x, y, buf);
	HPDF_Page_EndText(p->page);
}

/* dst = a + " " + b[0..blen), cut to cap (a may alias dst). */
static void join(char *dst, size_t cap, const char *a, const char *b, size_t blen)
{
	size_t al = strlen(a), o = al;

	memmove(dst, a, al < cap ? al : cap - 1);
	if (o >= cap)
		o = cap - 1;
	if (al && o + 1 < cap)
		dst[o++] = ' ';
	if (blen > cap - 1 - o)
		blen = cap - 1 - o;
	memcpy(dst + o, b, blen);
	dst[o + blen] = '\0';
}

/* Writes s wrapped into width at MARGIN, at most maxlines lines (the last one cut with "…"). */
static void paragraph(struct pdf *p, const char *s, float width, int maxlines, float leading)
{
	char buf[4096], line[4096], cand[4096];
	const char *w = buf;
	int lines = 0;

	clean(p, s, buf, sizeof(buf));
	line[0] = '\0';
	for (;;) {
		const char *e;

		while (*w == ' ')
			w++;
		if (*w == '\0')
			break;
		for (e = w; *e && *e != ' '; e++)
			;
		join(cand, sizeof(cand), line, w, (size_t)(e - w));
		if (line[0] == '\0' || width_of(p, cand) <= width) {
			memcpy(line, cand, strlen(cand) + 1);
			w = e;
			continue;
		}
		if (lines == maxlines - 1) {
			/* the last line takes the rest and is cut with an ellipsis */
			join(line, sizeof(line), line, w, strlen(w));
			break;
		}
		text(p, MARGIN, p->y, width, line);
		p->y -= leading;
		lines++;
		line[0] = '\0';
	}
	if (line[0]) {
		text(p, MARGIN, p->y, width, line);
		p->y -= leading;
	}
}

static void heading(struct pdf *p, float x, float y, float w, const char *title)
{
	font(p, true, 10.5f);
	rgb(p, 0.13f, 0.2f, 0.27f);
	text(p, x, y, w, title);
	HPDF_Page_SetRGBStroke(p->page, 0.8f, 0.8f, 0.87f);
	HPDF_Page_SetLineWidth(p->page, 0.6f);
	HPDF_Page_MoveTo(p->page, x, y - 3);
	HPDF_Page_LineTo(p->page, x + w, y - 3);
	HPDF_Page_Stroke(p->page);
	rgb(p, 0.1f, 0.1f, 0.12f);
}

struct column {
	const char *title;
	float width;
};

/* Column titles of a table at the current y, in grey. */
static void table_head(struct pdf *p, float x, const struct column *cols, int n)
{
	font(p, false, 7.5f);
	rgb(p, 0.4f, 0.4f, 0.45f);
	for (int i = 0; i < n; i++) {
		text(p, x, p->y, cols[i].width - 4, cols[i].title);
		x += cols[i].width;
	}
	rgb(p, 0.1f, 0.1f, 0.12f);
	p->y -= ROW_H;
}

static void more_note(struct pdf *p, float x, float w, size_t shown, size_t total)
{
	char note[64];

	if (total <= shown)
		return;
	snprintf(note, sizeof(note), "+ %zu more", total - shown);
	font(p, false, 7.5f);
	rgb(p, 0.4f, 0.4f, 0.45f);
	text(p, x, p->y, w, note);
	rgb(p, 0.1f, 0.1f, 0.12f);
	p->y -= ROW_H;
}

static void header(struct pdf *p, const json_t *doc)
{
	const json_t *acc = json_object_get(doc, "account"), *plan = json_object_get(doc, "plan");
	char line[700], st[32], tier[32], gen[64];

	font(p, true, 18);
	text(p, MARGIN, p->y, CONTENT_W - 120, sget(acc, "name"));
	font(p, false, 7.5f);
	rgb(p, 0.55f, 0.1f, 0.1f);
	snprintf(gen, sizeof(gen), "INTERNAL · %s", sget(doc, "generated_on"));
	if (!p->utf8)
		snprintf(gen, sizeof(gen), "INTERNAL - %s", sget(doc, "generated_on"));
	text(p, PAGE_W - MARGIN - width_of(p, gen), p->y + 6, 120, gen);
	rgb(p, 0.1f, 0.1f, 0.12f);
	p->y -= 15;
	plandoc_label(sget(plan, "status"), st, sizeof(st));
	plandoc_label(sget(acc, "tier"), tier, sizeof(tier));
	snprintf(line, sizeof(line), "Plan: %s   Period: %s to %s (%s)",
	         sget(plan, "title") ? sget(plan, "title") : "untitled", sget(plan, "period_start"),
	         sget(plan, "period_end"), st);
	font(p, false, 9);
	text(p, MARGIN, p->y, CONTENT_W, line);
	p->y -= 12;
	snprintf(line, sizeof(line), "Tier: %s   Owner: %s   Industry: %s   Status: %s", tier,
	         sget(acc, "owner") ? sget(acc, "owner") : "-",
	         sget(acc, "industry") ? sget(acc, "industry") : "-",
	         sget(acc, "status") ? sget(acc, "status") : "-");
	text(p, MARGIN, p->y, CONTENT_W, line);
	p->y -= 18;
}

static void situation(struct pdf *p, const json_t *plan)
{
	heading(p, MARGIN, p->y, CONTENT_W, "Situation");
	p->y -= 13;
	font(p, false, 8.5f);
	paragraph(p, sget(plan, "situation") ? sget(plan, "situation") : "-", CONTENT_W, 4, 10.5f);
	if (sget(plan, "vision")) {
		char v[4096];

		snprintf(v, sizeof(v), "Vision: %s", sget(plan, "vision"));
		paragraph(p, v, CONTENT_W, 2, 10.5f);
	}
	p->y -= 6;
}

/* The customer's initiatives, the SWOT and the competitors with their share, a few lines
 * each and only the parts written, so the plan stays one page. */
static void context(struct pdf *p, const json_t *doc)
{
	static const char *const swot[][2] = {{"swot_strengths", "Strengths"},
	                                      {"swot_weaknesses", "Weaknesses"},
	                                      {"swot_opportunities", "Opportunities"},
	                                      {"swot_threats", "Threats"}};
	const json_t *plan = json_object_get(doc, "plan"),
	             *comps = json_object_get(doc, "competitors");
	char v[4096];
	size_t i, used = 0;
	json_t *x;
	bool any = sget(plan, "initiatives") || json_array_size(comps) > 0;

	for (i = 0; i < 4; i++)
		any |= sget(plan, swot[i][0]) != NULL;
	if (!any)
		return;
	heading(p, MARGIN, p->y, CONTENT_W, "Context");
	p->y -= 13;
	font(p, false, 8.5f);
	if (sget(plan, "initiatives")) {
		snprintf(v, sizeof(v), "Customer's initiatives: %s", sget(plan, "initiatives"));
		paragraph(p, v, CONTENT_W, 3, 10.5f);
	}
	for (i = 0; i < 4; i++)
		if (sget(plan, swot[i][0])) {
			snprintf(v, sizeof(v), "%s: %s", swot[i][1], sget(plan, swot[i][0]));
			paragraph(p, v, CONTENT_W, 2, 10.5f);
		}
	if (json_array_size(comps) > 0) {
		used = (size_t)snprintf(v, sizeof(v), "Competitors:");
		json_array_foreach(comps, i, x)
		{
			const json_t *sh = json_object_get(x, "share_percent");
			int n;

			if (json_is_integer(sh))
				n = snprintf(v + used, sizeof(v) - used, "%s %s %lld%%",
				             i ? ";" : "", sget(x, "name"),
				             (long long)json_integer_value(sh));
			else
				n = snprintf(v + used, sizeof(v) - used, "%s %s", i ? ";" : "",
				             sget(x, "name"));
			if (n < 0 || (size_t)n >= sizeof(v) - used)
				break;
			used += (size_t)n;
		}
		paragraph(p, v, CONTENT_W, 2, 10.5f);
	}
	p->y -= 6;
}

static void kpi_tiles(struct pdf *p, const json_t *doc)
{
	const json_t *k = json_object_get(doc, "kpis"), *per = json_object_get(doc, "kpi_period");
	char vals[4][64], title[96];
	const char *labels[4] = {"Revenue, 12 months", "Net revenue retention", "NPS",
	                         "SLA compliance"};
	float w = (CONTENT_W - 3 * 8) / 4;

	if (json_is_number(json_object_get(k, "revenue_12m")))
		plandoc_money(json_number_value(json_object_get(k, "revenue_12m")),
		              sget(doc, "currency"), vals[0], sizeof(vals[0]));
	else
		snprintf(vals[0], sizeof(vals[0]), "-");
	plandoc_percent(json_object_get(k, "nrr"), vals[1], sizeof(vals[1]));
	if (json_is_number(json_object_get(k, "nps")))
		snprintf(vals[2], sizeof(vals[2]), "%.0f",
		         json_number_value(json_object_get(k, "nps")));
	else
		snprintf(vals[2], sizeof(vals[2]), "-");
	plandoc_percent(json_object_get(k, "sla_compliance"), vals[3], sizeof(vals[3]));
	snprintf(title, sizeof(title), "KPIs, %s to %s", sget(per, "from") ? sget(per, "from") : "",
	         sget(per, "to") ? sget(per, "to") : "");
	heading(p, MARGIN, p->y, CONTENT_W, title);
	p->y -= 8;
	for (int i = 0; i < 4; i++) {
		float x = MARGIN + (float)i * (w + 8);

		HPDF_Page_SetRGBFill(p->page, 0.95f, 0.96f, 0.98f);
		HPDF_Page_Rectangle(p->page, x, p->y - 30, w, 30);
		HPDF_Page_Fill(p->page);
		font(p, false, 7.5f);
		rgb(p, 0.4f, 0.4f, 0.45f);
		text(p, x + 5, p->y - 10, w - 10, labels[i]);
		font(p, true, 12);
		rgb(p, 0.1f, 0.1f, 0.12f);
		text(p, x + 5, p->y - 25, w - 10, !strcmp(vals[i], "–") ? "-" : vals[i]);
	}
	p->y -= 46;
}

static void objectives(struct pdf *p, const json_t *items)
{
	static const struct column cols[] = {
	    {"Objective", 190}, {"Metric", 60}, {"Progress", 140}, {"Due", 55}, {"Status", 78}};
	size_t i, max = 6;
	json_t *o;

	heading(p, MARGIN, p->y, CONTENT_W, "Objectives");
	p->y -= 12;
	if (json_array_size(items) == 0) {
		font(p, false, 8.5f);
		text(p, MARGIN, p->y, CONTENT_W, "No objectives yet.");
		p->y -= ROW_H + 6;
		return;
	}
	table_head(p, MARGIN, cols, 5);
	json_array_foreach(items, i, o)
	{
		float x = MARGIN;
		char st[32], prog[96], cur[24], tgt[24];
		const json_t *pr = json_object_get(o, "progress");

		if (i >= max)
			break;
		font(p, false, 8.5f);
		text(p, x, p->y, cols[0].width - 4, sget(o, "title"));
		x += cols[0].width;
		text(p, x, p->y, cols[1].width - 4, sget(o, "metric") ? sget(o, "metric") : "-");
		x += cols[1].width;
		/* a bar of progress and the numbers beside it */
		HPDF_Page_SetRGBFill(p->page, 0.88f, 0.9f, 0.93f);
		HPDF_Page_Rectangle(p->page, x, p->y - 1, 40, 7);
		HPDF_Page_Fill(p->page);
		if (json_is_number(pr)) {
			HPDF_Page_SetRGBFill(p->page, 0.23f, 0.43f, 0.65f);
			HPDF_Page_Rectangle(p->page, x, p->y - 1, 40 * (float)json_number_value(pr),
			                    7);
			HPDF_Page_Fill(p->page);
		}
		rgb(p, 0.1f, 0.1f, 0.12f);
		plandoc_number(json_object_get(o, "current"), cur, sizeof(cur));
		plandoc_number(json_object_get(o, "target"), tgt, sizeof(tgt));
		if (json_is_number(pr))
			snprintf(prog, sizeof(prog), "%.0f%% (%s/%s)", json_number_value(pr) * 100,
			         cur, tgt);
		else
			snprintf(prog, sizeof(prog), "%s/%s", cur, tgt);
		font(p, false, 7);
		text(p, x + 43, p->y, cols[2].width - 45, prog);
		x += cols[2].width;
		font(p, false, 8.5f);
		text(p, x, p->y, cols[3].width - 4, sget(o, "due_on") ? sget(o, "due_on") : "-");
		x += cols[3].width;
		plandoc_label(sget(o, "status"), st, sizeof(st));
		if (!strcmp(st, "at risk") || !strcmp(st, "missed"))
			rgb(p, 0.7f, 0, 0.13f);
		text(p, x, p->y, cols[4].width - 4, st);
		rgb(p, 0.1f, 0.1f, 0.12f);
		p->y -= ROW_H;
	}
	more_note(p, MARGIN, CONTENT_W, max, json_array_size(items));
	p->y -= 6;
}

static void actions(struct pdf *p, const json_t *items)
{
	static const struct column cols[] = {
	    {"Action", 260}, {"Owner", 110}, {"Due", 60}, {"Status", 93}};
	size_t i, max = 8;
	json_t *a;

	heading(p, MARGIN, p->y, CONTENT_W, "Actions");
	p->y -= 12;
	if (json_array_size(items) == 0) {
		font(p, false, 8.5f);
		text(p, MARGIN, p->y, CONTENT_W, "No actions yet.");
		p->y -= ROW_H + 6;
		return;
	}
	table_head(p, MARGIN, cols, 4);
	json_array_foreach(items, i, a)
	{
		bool late = json_is_true(json_object_get(a, "overdue"));
		float x = MARGIN;
		char st[48];

		if (i >= max)
			break;
		font(p, false, 8.5f);
		if (late)
			rgb(p, 0.7f, 0, 0.13f);
		text(p, x, p->y, cols[0].width - 4, sget(a, "title"));
		x += cols[0].width;
		text(p, x, p->y, cols[1].width - 4, sget(a, "owner") ? sget(a, "owner") : "-");
		x += cols[1].width;
		text(p, x, p->y, cols[2].width - 4, sget(a, "due_on") ? sget(a, "due_on") : "-");
		x += cols[2].width;
		plandoc_label(sget(a, "status"), st, sizeof(st));
		if (late) {
			font(p, true, 8.5f);
			snprintf(st + strlen(st), sizeof(st) - strlen(st), " OVERDUE");
		}
		text(p, x, p->y, cols[3].width - 4, st);
		rgb(p, 0.1f, 0.1f, 0.12f);
		p->y -= ROW_H;
	}
	more_note(p, MARGIN, CONTENT_W, max, json_array_size(items));
	p->y -= 6;
}

/* Most influential first; critics and blockers in red, champions and supporters in green. */
static void stakeholders(struct pdf *p, const json_t *people)
{
	static const struct column cols[] = {
	    {"Name", 150}, {"Title", 170}, {"Influence", 55}, {"Attitude", 65}, {"Role", 83}};
	size_t i, max = 7;
	json_t *x;

	heading(p, MARGIN, p->y, CONTENT_W, "Stakeholders");
	p->y -= 12;
	if (json_array_size(people) == 0) {
		font(p, false, 8.5f);
		text(p, MARGIN, p->y, CONTENT_W, "No stakeholders recorded.");
		p->y -= ROW_H + 6;
		return;
	}
	table_head(p, MARGIN, cols, 5);
	json_array_foreach(people, i, x)
	{
		char inf[16], att[32], role[32];
		float cx = MARGIN;
		const char *a = sget(x, "attitude");

		if (i >= max)
			break;
		font(p, false, 8.5f);
		text(p, cx, p->y, cols[0].width - 4, sget(x, "name"));
		cx += cols[0].width;
		text(p, cx, p->y, cols[1].width - 4, sget(x, "title") ? sget(x, "title") : "-");
		cx += cols[1].width;
		plandoc_number(json_object_get(x, "influence"), inf, sizeof(inf));
		text(p, cx, p->y, cols[2].width - 4, inf);
		cx += cols[2].width;
		plandoc_label(a ? a : "-", att, sizeof(att));
		if (a && (!strcmp(a, "critic") || !strcmp(a, "blocker")))
			rgb(p, 0.7f, 0, 0.13f);
		else if (a && (!strcmp(a, "champion") || !strcmp(a, "supporter")))
			rgb(p, 0.1f, 0.45f, 0.2f);
		text(p, cx, p->y, cols[3].width - 4, att);
		rgb(p, 0.1f, 0.1f, 0.12f);
		cx += cols[3].width;
		plandoc_label(sget(x, "decision_role") ? sget(x, "decision_role") : "-", role,
		              sizeof(role));
		text(p, cx, p->y, cols[4].width - 4, role);
		p->y -= ROW_H;
	}
	more_note(p, MARGIN, CONTENT_W, max, json_array_size(people));
	p->y -= 6;
}

/* Open risks, highest probability x impact first; 15 and above in red. */
static void risks(struct pdf *p, const json_t *items)
{
	static const struct column cols[] = {
	    {"Risk", 230}, {"Category", 80}, {"P x I", 65}, {"Owner", 90}, {"Status", 58}};
	size_t i, max = 5;
	json_t *x;

	heading(p, MARGIN, p->y, CONTENT_W, "Open risks");
	p->y -= 12;
	if (json_array_size(items) == 0) {
		font(p, false, 8.5f);
		text(p, MARGIN, p->y, CONTENT_W, "No open risks.");
		p->y -= ROW_H + 6;
		return;
	}
	table_head(p, MARGIN, cols, 5);
	json_array_foreach(items, i, x)
	{
		char pi[48], cat[32], st[32];
		float cx = MARGIN;
		json_int_t pr = json_integer_value(json_object_get(x, "probability")),
		           im = json_integer_value(json_object_get(x, "impact"));

		if (i >= max)
			break;
		font(p, false, 8.5f);
		text(p, cx, p->y, cols[0].width - 4, sget(x, "title"));
		cx += cols[0].width;
		plandoc_label(sget(x, "category"), cat, sizeof(cat));
		text(p, cx, p->y, cols[1].width - 4, cat);
		cx += cols[1].width;
		snprintf(pi, sizeof(pi), "%lld x %lld = %lld", (long long)pr, (long long)im,
		         (long long)(pr * im));
		if (pr * im >= 15)
			rgb(p, 0.7f, 0, 0.13f);
		text(p, cx, p->y, cols[2].width - 4, pi);
		rgb(p, 0.1f, 0.1f, 0.12f);
		cx += cols[2].width;
		text(p, cx, p->y, cols[3].width - 4, sget(x, "owner") ? sget(x, "owner") : "-");
		cx += cols[3].width;
		plandoc_label(sget(x, "status"), st, sizeof(st));
		text(p, cx, p->y, cols[4].width, st);
		p->y -= ROW_H;
	}
	more_note(p, MARGIN, CONTENT_W, max, json_array_size(items));
	p->y -= 6;
}

/* Revenue per month as bars (rectangles) over a round axis maximum, fitted to the space left. */
static void chart(struct pdf *p, const json_t *doc)
{
	const json_t *months = json_object_get(doc, "revenue_by_month");
	size_t n = json_array_size(months), i;
	float left = MARGIN + 62, base, h, slot;
	double max = 0, top;
	char lbl[64];
	json_t *m;

	heading(p, MARGIN, p->y, CONTENT_W, "Revenue by month");
	p->y -= 10;
	h = p->y - MARGIN - 14;
	if (h > 190)
		h = 190;
	if (h < 30 || n == 0)
		return;
	base = p->y - h;
	json_array_foreach(months, i, m)
	{
		double v = json_number_value(json_object_get(m, "amount"));

		if (v > max)
			max = v;
	}
	top = plandoc_axis_max(max);
	/* axis, a middle gridline and their labels */
	HPDF_Page_SetRGBStroke(p->page, 0.6f, 0.6f, 0.65f);
	HPDF_Page_SetLineWidth(p->page, 0.5f);
	HPDF_Page_MoveTo(p->page, left, base + h);
	HPDF_Page_LineTo(p->page, left, base);
	HPDF_Page_LineTo(p->page, MARGIN + CONTENT_W, base);
	HPDF_Page_Stroke(p->page);
	HPDF_Page_SetRGBStroke(p->page, 0.88f, 0.88f, 0.9f);
	HPDF_Page_MoveTo(p->page, left, base + h / 2);
	HPDF_Page_LineTo(p->page, MARGIN + CONTENT_W, base + h / 2);
	HPDF_Page_MoveTo(p->page, left, base + h);
	HPDF_Page_LineTo(p->page, MARGIN + CONTENT_W, base + h);
	HPDF_Page_Stroke(p->page);
	font(p, false, 7);
	rgb(p, 0.4f, 0.4f, 0.45f);
	plandoc_money(top, sget(doc, "currency"), lbl, sizeof(lbl));
	text(p, MARGIN, base + h - 3, 60, lbl);
	plandoc_money(top / 2, sget(doc, "currency"), lbl, sizeof(lbl));
	text(p, MARGIN, base + h / 2 - 3, 60, lbl);
	text(p, MARGIN, base - 3, 60, "0");
	slot = (MARGIN + CONTENT_W - left) / (float)n;
	json_array_foreach(months, i, m)
	{
		double v = json_number_value(json_object_get(m, "amount"));
		float x = left + slot * (float)i, bh = v > 0 ? (float)(v / top) * h : 0;
		const char *mk = sget(m, "month");

		if (bh > 0) {
			HPDF_Page_SetRGBFill(p->page, 0.23f, 0.43f, 0.65f);
			HPDF_Page_Rectangle(p->page, x + slot * 0.15f, base, slot * 0.7f, bh);
			HPDF_Page_Fill(p->page);
		}
		rgb(p, 0.4f, 0.4f, 0.45f);
		text(p, x + slot * 0.15f, base - 10, slot, mk);
	}
	rgb(p, 0.1f, 0.1f, 0.12f);
	p->y = base - 14;
}

/* Loads the TrueType fonts for UTF-8 text; false (and the error cleared) when they cannot be. */
static bool load_ttf(struct pdf *p)
{
	const char *path = getenv("KAM_PDF_FONT");
	const char *bold_path = NULL, *r, *b;

	if (path == NULL || !path[0]) {
		path = FONT_DIR "DejaVuSans.ttf";
		bold_path = FONT_DIR "DejaVuSans-Bold.ttf";
	}
	if (HPDF_UseUTFEncodings(p->doc) != HPDF_OK)
		goto fail;
	r = HPDF_LoadTTFontFromFile(p->doc, path, HPDF_TRUE);
	if (r == NULL)
		goto fail;
	p->regular = HPDF_GetFont(p->doc, r, "UTF-8");
	p->bold = p->regular;
	if (bold_path && (b = HPDF_LoadTTFontFromFile(p->doc, bold_path, HPDF_TRUE)) != NULL)
		p->bold = HPDF_GetFont(p->doc, b, "UTF-8");
	if (p->regular == NULL || p->bold == NULL)
		goto fail;
	/* a missing bold face is not fatal: regular stands in */
	HPDF_ResetError(p->doc);
	p->error = 0;
	return true;
fail:
	/* the font is there and did not load: libharu ran out of memory (its error codes do not
	 * always say so) */
	p->oom = access(path, R_OK) == 0;
	HPDF_ResetError(p->doc);
	p->error = 0;
	return false;
}

int app_plan_document_pdf(const json_t *doc, char **buf, size_t *len, char *err, size_t errlen)
{
	struct pdf p = {0};
	char *out = NULL, title[300];
	HPDF_UINT32 size, got;
	int rc = KAM_OK;

	p.doc = HPDF_New(on_error, &p);
	if (p.doc == NULL) {
		snprintf(err, errlen, "cannot start a PDF");
		return KAM_ENOMEM;
	}
	HPDF_SetCompressionMode(p.doc, HPDF_COMP_ALL);
	p.utf8 = load_ttf(&p);
	if (p.oom) { /* not a file missing: an ASCII-only plan would be a silent loss */
		snprintf(err, errlen, "out of memory loading the font");
		rc = KAM_ENOMEM;
		goto out;
	}
	if (!p.utf8) {
		p.regular = HPDF_GetFont(p.doc, "Helvetica", NULL);
		p.bold = HPDF_GetFont(p.doc, "Helvetica-Bold", NULL);
	}
	if (p.utf8)
		HPDF_SetInfoAttr(p.doc, HPDF_INFO_CREATOR, "kam");
	snprintf(title, sizeof(title), "Account plan: %s",
	         sget(json_object_get(doc, "account"), "name"));
	if (p.utf8)
		HPDF_SetInfoAttr(p.doc, HPDF_INFO_TITLE, title);
	p.page = HPDF_AddPage(p.doc);
	HPDF_Page_SetSize(p.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	p.y = PAGE_H - MARGIN - 14;
	/* nothing is drawn on a page or with fonts libharu could not make */
	if (p.page == NULL || p.regular == NULL || p.bold == NULL || p.error != 0 ||
	    HPDF_GetError(p.doc) != HPDF_OK) {
		snprintf(err, errlen, "libharu could not start the page (out of memory)");
		rc = KAM_ENOMEM;
		goto out;
	}
	header(&p, doc);
	situation(&p, json_object_get(doc, "plan"));
	context(&p, doc);
	kpi_tiles(&p, doc);
	objectives(&p, json_object_get(doc, "objectives"));
	actions(&p, json_object_get(doc, "actions"));
	stakeholders(&p, json_object_get(doc, "stakeholders"));
	risks(&p, json_object_get(doc, "risks"));
	chart(&p, doc);
	if (p.error != 0 || HPDF_SaveToStream(p.doc) != HPDF_OK) {
		snprintf(err, errlen, "libharu failed drawing the PDF (error 0x%04X)",
		         (unsigned)p.error);
		rc = KAM_ENOMEM;
		goto out;
	}
	size = HPDF_GetStreamSize(p.doc);
	out = malloc(size ? size : 1);
	if (out == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	got = size;
	HPDF_ResetStream(p.doc);
	if (HPDF_ReadFromStream(p.doc, (HPDF_BYTE *)out, &got) != HPDF_OK && got != size) {
		snprintf(err, errlen, "cannot read the PDF back from libharu");
		rc = KAM_ENOMEM;
		goto out;
	}
	*buf = out;
	*len = got;
	out = NULL;
out:
	free(out);
	HPDF_Free(p.doc);
	return rc;
}
