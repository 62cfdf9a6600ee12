/* The account plan document's pure parts: formatting, chart scale, file name, HTML. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kam/money.h"
#include "kam/plandoc.h"
#include "util/err.h"

void plandoc_put_escaped(struct buf *b, const char *s)
{
	const char *run = s;

	if (s == NULL)
		return;
	for (; *s; s++) {
		const char *rep = *s == '&'    ? "&amp;"
		                  : *s == '<'  ? "&lt;"
		                  : *s == '>'  ? "&gt;"
		                  : *s == '"'  ? "&quot;"
		                  : *s == '\'' ? "&#39;"
		                               : NULL;

		if (rep == NULL)
			continue;
		buf_put(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_put(b, run, (size_t)(s - run));
}

void plandoc_money(double minor, const char *currency, char *buf, size_t len)
{
	char digits[32], grouped[48];
	long long units = llround(fabs(minor) / (double)money_unit(currency));
	size_t n, o = 0;

	snprintf(digits, sizeof(digits), "%lld", units);
	n = strlen(digits);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	snprintf(buf, len, "%s%s%s%s", minor < 0 && units ? "-" : "", currency ? currency : "",
	         currency ? " " : "", grouped);
}

void plandoc_percent(const json_t *v, char *buf, size_t len)
{
	if (!json_is_number(v))
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, "%.1f%%", json_number_value(v) * 100.0);
}

double plandoc_axis_max(double max)
{
	static const double steps[] = {1, 2, 2.5, 5, 10};
	double p;

	if (!(max > 0))
		return 1;
	p = pow(10, floor(log10(max)));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * p >= max * (1 - 1e-12))
			return steps[i] * p;
	return 10 * p;
}

void plandoc_label(const char *value, char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return;
	if (value == NULL)
		value = "–";
	for (i = 0; value[i] && i + 1 < len; i++)
		buf[i] = value[i] == '_' ? ' ' : value[i];
	buf[i] = '\0';
}

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

void plandoc_filename(const json_t *doc, const char *ext, char *buf, size_t len)
{
	const char *name = sget(json_object_get(doc, "account"), "name");
	const char *start = sget(json_object_get(doc, "plan"), "period_start");
	char slug[64];
	size_t o = 0;
	bool dash = false;

	for (const char *p = name ? name : ""; *p && o < sizeof(slug) - 1; p++) {
		char ch = *p;

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			if (dash && o > 0 && o < sizeof(slug) - 2)
				slug[o++] = '-';
			slug[o++] = ch;
			dash = false;
		} else {
			dash = true;
		}
	}
	slug[o] = '\0';
	snprintf(buf, len, "plan-%s%s%.4s.%s", o ? slug : "account", "-",
	         start && strlen(start) >= 4 ? start : "0000", ext);
}

/* --- HTML ---------------------------------------------------------------------------------- */

static const char style[] =
    "@page{size:A4;margin:12mm}"
    "body{font:10px/1.35 'DejaVu Sans',Arial,sans-serif;color:#1b1f24;max-width:190mm;"
    "margin:0 auto;padding:8px}"
    "h1{font-size:18px;margin:0}h2{font-size:12px;margin:10px 0 3px;border-bottom:1px solid "
    "#ccd;color:#234}"
    ".meta{color:#555;margin:2px 0 6px}table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:1px 4px;border-bottom:1px solid #eee;vertical-align:top}"
    "th{color:#555;font-weight:normal}.overdue{color:#b00020;font-weight:bold}"
    ".kpis{display:flex;gap:8px}.kpi{border:1px solid #dde;padding:3px 8px;flex:1}"
    ".kpi b{display:block;font-size:13px}.cols{display:flex;gap:12px}.cols>section{flex:1}"
    ".swot{display:grid;grid-template-columns:1fr 1fr;gap:4px 12px}.swot h3{margin:2px 0;"
    "font-size:12px}.swot p{margin:0}.pre{white-space:pre-line}"
    "p{margin:2px 0}svg text{font-size:8px;fill:#555}";

static void cell(struct buf *b, const char *s)
{
	buf_puts(b, "<td>");
	plandoc_put_escaped(b, s ? s : "–");
	buf_puts(b, "</td>");
}

static void cell_label(struct buf *b, const char *s)
{
	char l[64];

	plandoc_label(s, l, sizeof(l));
	cell(b, l);
}

void plandoc_number(const json_t *v, char *buf, size_t len)
{
	size_t n;

	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return;
	}
	if (!json_is_real(v) || len < 2) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%.2f", json_real_value(v));
	n = strlen(buf);
	while (n > 1 && strchr(buf, '.') && (buf[n - 1] == '0' || buf[n - 1] == '.'))
		buf[--n] = '\0';
}

static void html_objectives(struct buf *b, const json_t *items)
{
	size_t i;
	json_t *o;

	buf_puts(b, "<h2>Objectives</h2>");
	if (json_array_size(items) == 0) {
		buf_puts(b, "<p>No objectives yet.</p>");
		return;
	}
	buf_puts(b, "<table><tr><th>Objective</th><th>Metric</th><th>Baseline → target</th>"
	                "<th>Current</th><th>Progress</th><th>Due</th><th>Status</th></tr>");
	json_array_foreach(items, i, o)
	{
		char base[32], target[32], cur[32], range[80], prog[16];

		plandoc_number(json_object_get(o, "baseline"), base, sizeof(base));
		plandoc_number(json_object_get(o, "target"), target, sizeof(target));
		plandoc_number(json_object_get(o, "current"), cur, sizeof(cur));
		snprintf(range, sizeof(range), "%s → %s", base, target);
		snprintf(prog, sizeof(prog), "–");
		if (json_is_number(json_object_get(o, "progress")))
			snprintf(prog, sizeof(prog), "%.0f%%",
			         json_number_value(json_object_get(o, "progress")) * 100);
		buf_puts(b, "<tr>");
		cell(b, sget(o, "title"));
		cell(b, sget(o, "metric"));
		cell(b, range);
		cell(b, cur);
		cell(b, prog);
		cell(b, sget(o, "due_on"));
		cell_label(b, sget(o, "status"));
		buf_puts(b, "</tr>");
	}
	buf_puts(b, "</table>");
}

static void html_actions(struct buf *b, const json_t *items)
{
	size_t i;
	json_t *a;

	buf_puts(b, "<h2>Actions</h2>");
	if (json_array_size(items) == 0) {
		buf_puts(b, "<p>No actions yet.</p>");
		return;
	}
	buf_puts(b, "<table><tr><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr>");
	json_array_foreach(items, i, a)
	{
		bool late = json_is_true(json_object_get(a, "overdue"));
		char l[64];

		buf_puts(b, late ? "<tr class=\"overdue\">" : "<tr>");
		cell(b, sget(a, "title"));
		cell(b, sget(a, "owner"));
		cell(b, sget(a, "due_on"));
		plandoc_label(sget(a, "status"), l, sizeof(l));
		buf_puts(b, "<td>");
		plandoc_put_escaped(b, l);
		if (late)
			buf_puts(b, " — OVERDUE");
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</table>");
}

static void html_people(struct buf *b, const json_t *items)
{
	size_t i;
	json_t *c;

	buf_puts(b, "<h2>Stakeholders</h2>");
	if (json_array_size(items) == 0) {
		buf_puts(b, "<p>No stakeholders recorded.</p>");
		return;
	}
	buf_puts(b, "<table><tr><th>Name</th><th>Title</th><th>Influence</th><th>Attitude</th>"
	                "</tr>");
	json_array_foreach(items, i, c)
	{
		char inf[16];

		plandoc_number(json_object_get(c, "influence"), inf, sizeof(inf));
		buf_puts(b, "<tr>");
		cell(b, sget(c, "name"));
		cell(b, sget(c, "title"));
		cell(b, inf);
		cell_label(b, sget(c, "attitude"));
		buf_puts(b, "</tr>");
	}
	buf_puts(b, "</table>");
}

static void html_risks(struct buf *b, const json_t *items)
{
	size_t i;
	json_t *r;

	buf_puts(b, "<h2>Open risks</h2>");
	if (json_array_size(items) == 0) {
		buf_puts(b, "<p>No open risks.</p>");
		return;
	}
	buf_puts(b,
	             "<table><tr><th>Risk</th><th>Category</th><th>P × I</th><th>Status</th></tr>");
	json_array_foreach(items, i, r)
	{
		char pi[32];

		snprintf(pi, sizeof(pi), "%lld × %lld",
		         (long long)json_integer_value(json_object_get(r, "probability")),
		         (long long)json_integer_value(json_object_get(r, "impact")));
		buf_puts(b, "<tr>");
		cell(b, sget(r, "title"));
		cell_label(b, sget(r, "category"));
		cell(b, pi);
		cell_label(b, sget(r, "status"));
		buf_puts(b, "</tr>");
	}
	buf_puts(b, "</table>");
}

/* The customer's initiatives and the SWOT, each part only when written. */
static void html_context(struct buf *b, const json_t *plan)
{
	static const char *const swot[][2] = {{"swot_strengths", "Strengths"},
	                                      {"swot_weaknesses", "Weaknesses"},
	                                      {"swot_opportunities", "Opportunities"},
	                                      {"swot_threats", "Threats"}};
	bool any = false;

	if (sget(plan, "initiatives")) {
		buf_puts(b, "<h2>Customer's strategic initiatives</h2><p class=\"pre\">");
		plandoc_put_escaped(b, sget(plan, "initiatives"));
		buf_puts(b, "</p>");
	}
	for (size_t i = 0; i < 4; i++)
		any |= sget(plan, swot[i][0]) != NULL;
	if (!any)
		return;
	buf_puts(b, "<h2>SWOT</h2><div class=\"swot\">");
	for (size_t i = 0; i < 4; i++) {
		buf_puts(b, "<section><h3>");
		buf_puts(b, swot[i][1]);
		buf_puts(b, "</h3><p class=\"pre\">");
		plandoc_put_escaped(b, sget(plan, swot[i][0]) ? sget(plan, swot[i][0]) : "–");
		buf_puts(b, "</p></section>");
	}
	buf_puts(b, "</div>");
}

/* Who else sells to the account and their share of its spend; nothing when none recorded. */
static void html_competitors(struct buf *b, const json_t *items)
{
	long long total = 0;
	bool known = false;
	size_t i;
	json_t *r;

	if (json_array_size(items) == 0)
		return;
	buf_puts(b,
	         "<h2>Competitors at the account</h2><table><tr><th>Competitor</th><th>Share</th>"
	         "<th>Products</th></tr>");
	json_array_foreach(items, i, r)
	{
		const json_t *sh = json_object_get(r, "share_percent");
		char pc[16];

		if (json_is_integer(sh)) {
			snprintf(pc, sizeof(pc), "%lld %%", (long long)json_integer_value(sh));
			total += json_integer_value(sh);
			known = true;
		}
		buf_puts(b, "<tr>");
		cell(b, sget(r, "name"));
		cell(b, json_is_integer(sh) ? pc : NULL);
		cell(b, sget(r, "products"));
		buf_puts(b, "</tr>");
	}
	buf_puts(b, "</table>");
	if (known) {
		char t[64];

		snprintf(t, sizeof(t), "<p>Competitors hold %lld %% of the account's spend.</p>",
		         total);
		buf_puts(b, t);
	}
}

static void html_kpis(struct buf *b, const json_t *doc)
{
	const json_t *k = json_object_get(doc, "kpis");
	const char *cur = sget(doc, "currency");
	char rev[64], nrr[16], nps[16], sla[16];

	if (json_is_number(json_object_get(k, "revenue_12m")))
		plandoc_money(json_number_value(json_object_get(k, "revenue_12m")), cur, rev,
		              sizeof(rev));
	else
		snprintf(rev, sizeof(rev), "–");
	plandoc_percent(json_object_get(k, "nrr"), nrr, sizeof(nrr));
	plandoc_percent(json_object_get(k, "sla_compliance"), sla, sizeof(sla));
	if (json_is_number(json_object_get(k, "nps")))
		snprintf(nps, sizeof(nps), "%.0f", json_number_value(json_object_get(k, "nps")));
	else
		snprintf(nps, sizeof(nps), "–");
	buf_puts(b, "<h2>KPIs");
	if (json_object_get(doc, "kpi_period")) {
		buf_puts(b, " <small>(");
		plandoc_put_escaped(b, sget(json_object_get(doc, "kpi_period"), "from"));
		buf_puts(b, " to ");
		plandoc_put_escaped(b, sget(json_object_get(doc, "kpi_period"), "to"));
		buf_puts(b, ", end excluded)</small>");
	}
	buf_puts(b, "</h2><div class=\"kpis\">");
	buf_puts(b, "<div class=\"kpi\">Revenue, 12 months<b>");
	plandoc_put_escaped(b, rev);
	buf_puts(b, "</b></div><div class=\"kpi\">Net revenue retention<b>");
	plandoc_put_escaped(b, nrr);
	buf_puts(b, "</b></div><div class=\"kpi\">NPS<b>");
	plandoc_put_escaped(b, nps);
	buf_puts(b, "</b></div><div class=\"kpi\">SLA compliance<b>");
	plandoc_put_escaped(b, sla);
	buf_puts(b, "</b></div></div>");
}

/* The revenue bars as inline SVG: shapes only, no script, no external reference. */
static void html_chart(struct buf *b, const json_t *doc)
{
	const json_t *months = json_object_get(doc, "revenue_by_month");
	size_t n = json_array_size(months), i;
	double max = 0, top;
	const double w = 600, h = 120, left = 70, bottom = 16;
	char lbl[64];
	json_t *m;

	json_array_foreach(months, i, m)
	{
		double v = json_number_value(json_object_get(m, "amount"));

		if (v > max)
			max = v;
	}
	top = plandoc_axis_max(max);
	buf_puts(b, "<h2>Revenue by month</h2>");
	buf_printf(b,
	               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
	               "width=\"100%%\" role=\"img\" aria-label=\"Revenue by month\">",
	               w, h + bottom);
	plandoc_money(top, sget(doc, "currency"), lbl, sizeof(lbl));
	buf_printf(b, "<line x1=\"%.0f\" y1=\"0\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>",
	               left, left, h);
	buf_printf(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>",
	               left, h, w, h);
	buf_puts(b, "<text x=\"0\" y=\"8\">");
	plandoc_put_escaped(b, lbl);
	buf_printf(b, "</text><text x=\"%.0f\" y=\"%.0f\">0</text>", left - 10, h);
	json_array_foreach(months, i, m)
	{
		double v = json_number_value(json_object_get(m, "amount"));
		double slot = (w - left) / (double)n, bh = v > 0 ? v / top * (h - 4) : 0;

		buf_printf(b,
		               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		               "fill=\"#3b6ea5\"/>",
		               left + slot * (double)i + slot * 0.15, h - bh, slot * 0.7, bh);
		buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\">",
		               left + slot * (double)i + slot * 0.15, h + 11);
		plandoc_put_escaped(b, sget(m, "month"));
		buf_puts(b, "</text>");
	}
	buf_puts(b, "</svg>");
}

int plandoc_html(const json_t *doc, char **out, size_t *len)
{
	const json_t *acc = json_object_get(doc, "account"), *plan = json_object_get(doc, "plan");
	struct buf b = {0};
	char l1[32], l2[32];

	buf_puts(
	    &b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	        "<meta name=\"viewport\" content=\"width=device-width\"><title>Account plan: ");
	plandoc_put_escaped(&b, sget(acc, "name"));
	buf_puts(&b, "</title><style>");
	buf_puts(&b, style);
	buf_puts(&b, "</style></head><body><header><h1>");
	plandoc_put_escaped(&b, sget(acc, "name"));
	buf_puts(&b, "</h1><p class=\"meta\">Account plan ");
	plandoc_put_escaped(&b, sget(plan, "title"));
	buf_puts(&b, " · ");
	plandoc_put_escaped(&b, sget(plan, "period_start"));
	buf_puts(&b, " to ");
	plandoc_put_escaped(&b, sget(plan, "period_end"));
	plandoc_label(sget(plan, "status"), l1, sizeof(l1));
	plandoc_label(sget(acc, "tier"), l2, sizeof(l2));
	buf_puts(&b, " (");
	plandoc_put_escaped(&b, l1);
	buf_puts(&b, ")<br>Tier: ");
	plandoc_put_escaped(&b, l2);
	buf_puts(&b, " · Owner: ");
	plandoc_put_escaped(&b, sget(acc, "owner") ? sget(acc, "owner") : "–");
	if (sget(acc, "industry")) {
		buf_puts(&b, " · Industry: ");
		plandoc_put_escaped(&b, sget(acc, "industry"));
	}
	buf_puts(&b, " · Internal — generated ");
	plandoc_put_escaped(&b, sget(doc, "generated_on"));
	buf_puts(&b, "</p></header><main><h2>Situation</h2><p>");
	plandoc_put_escaped(&b, sget(plan, "situation") ? sget(plan, "situation") : "–");
	buf_puts(&b, "</p>");
	if (sget(plan, "vision")) {
		buf_puts(&b, "<p><i>Vision:</i> ");
		plandoc_put_escaped(&b, sget(plan, "vision"));
		buf_puts(&b, "</p>");
	}
	html_context(&b, plan);
	html_kpis(&b, doc);
	html_objectives(&b, json_object_get(doc, "objectives"));
	html_actions(&b, json_object_get(doc, "actions"));
	buf_puts(&b, "<div class=\"cols\"><section>");
	html_people(&b, json_object_get(doc, "stakeholders"));
	buf_puts(&b, "</section><section>");
	html_risks(&b, json_object_get(doc, "risks"));
	html_competitors(&b, json_object_get(doc, "competitors"));
	buf_puts(&b, "</section></div>");
	html_chart(&b, doc);
	buf_puts(&b, "</main></body></html>\n");
	if ((*out = buf_take(&b, len)) == NULL)
		return KAM_ENOMEM;
	return KAM_OK;
}
