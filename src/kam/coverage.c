/* Relationship coverage: the grid of our people × their stakeholders and its gaps. */
#include <stdio.h>
#include <string.h>
#include "kam/coverage.h"

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static json_int_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Whoever decides the deal: the gaps that matter most are about them. */
static int decides(const json_t *c)
{
	const char *r = str(c, "decision_role");

	return !strcmp(r, "decision_maker") || !strcmp(r, "economic_buyer");
}

static int stakeholder(const json_t *c)
{
	return decides(c) || !strcmp(str(c, "decision_role"), "influencer") ||
	       !strcmp(str(c, "attitude"), "champion");
}

static const json_t *by_id(const json_t *arr, json_int_t id)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x) if (num(x, "id") == id) return x;
	return NULL;
}

/* Appends {kind, contact_id|user_id, text} to gaps; -1 when out of memory. */
static int gap(json_t *gaps, const char *kind, const char *key, json_int_t id, const char *text)
{
	return json_array_append_new(
	    gaps, json_pack("{s:s,s:I,s:s}", "kind", kind, key, id, "text", text));
}

json_t *coverage_grid(const json_t *contacts, const json_t *people, const json_t *links,
                      date_t today)
{
	json_t *out = json_pack("{s:[],s:[],s:[],s:i}", "people", "stakeholders", "gaps",
	                        "stale_days", COVERAGE_STALE_DAYS);
	json_t *cols, *rows, *gaps, *c, *l, *stales = json_array();
	json_int_t single = 0; /* the one person covering decision makers, -1 when several */
	size_t i, j;
	int bad = out == NULL, ndecide = 0;
	char text[400];

	if (bad || stales == NULL) {
		json_decref(out);
		json_decref(stales);
		return NULL;
	}
	cols = json_object_get(out, "people");
	rows = json_object_get(out, "stakeholders");
	gaps = json_object_get(out, "gaps");
	json_array_foreach(people, i, c) bad |= json_array_append(cols, c);
	json_array_foreach(contacts, i, c)
	{
		json_t *row, *cells;
		json_int_t id = num(c, "id");
		int covered = 0;

		if (!stakeholder(c) || json_is_string(json_object_get(c, "left_on")))
			continue;
		row = json_pack("{s:I,s:s,s:O,s:O,s:O,s:[]}", "contact_id", id, "name",
		                str(c, "name"), "title", json_object_get(c, "title") ?: json_null(),
		                "decision_role", json_object_get(c, "decision_role") ?: json_null(),
		                "attitude", json_object_get(c, "attitude") ?: json_null(), "cells");
		if (row == NULL || json_array_append_new(rows, row) != 0)
			goto oom;
		cells = json_object_get(row, "cells");
		json_array_foreach(links, j, l)
		{
			const char *v = json_string_value(json_object_get(l, "verified_on"));
			json_int_t who = num(l, "user_id");
			date_t d;
			int stale =
			    v == NULL || date_parse(v, &d) != 0 || today - d > COVERAGE_STALE_DAYS;
			const json_t *p;

			if (num(l, "contact_id") != id)
				continue;
			covered = 1;
			if ((p = by_id(cols, who)) == NULL) {
				char name[40];

				snprintf(name, sizeof(name), "user #%lld", (long long)who);
				bad |= json_array_append_new(
				    cols,
				    json_pack("{s:I,s:s,s:n}", "id", who, "name", name, "role"));
				p = by_id(cols, who);
			}
			bad |= json_array_append_new(
			    cells, json_pack("{s:I,s:I,s:I,s:O,s:b}", "id", num(l, "id"), "user_id",
			                     who, "strength", num(l, "strength"), "verified_on",
			                     json_object_get(l, "verified_on") ?: json_null(),
			                     "stale", stale));
			if (stale) {
				snprintf(text, sizeof(text),
				         v ? "%s's relationship with %s was last verified on %s"
				           : "%s's relationship with %s was never verified",
				         p ? str(p, "name") : "?", str(c, "name"), v ? v : "");
				bad |= gap(stales, "stale", "contact_id", id, text);
			}
			if (decides(c))
				single = single == 0 || single == who ? who : -1;
		}
		json_object_set_new(row, "covered", json_boolean(covered));
		if (decides(c)) {
			ndecide++;
			if (!covered) {
				snprintf(text, sizeof(text), "nobody covers %s (%s)",
				         str(c, "name"),
				         strcmp(str(c, "decision_role"), "economic_buyer")
				             ? "decision maker"
				             : "economic buyer");
				bad |= gap(gaps, "uncovered", "contact_id", id, text);
			}
		}
	}
	if (single > 0) {
		const json_t *p = by_id(cols, single);

		snprintf(text, sizeof(text),
		         ndecide == 1 ? "%s alone covers the decision maker"
		                      : "%s alone covers every decision maker we reach",
		         p ? str(p, "name") : "?");
		bad |= gap(gaps, "single_threaded", "user_id", single, text);
	}
	/* what exposes the account most first: nobody there, one thread, then old news */
	bad |= json_array_extend(gaps, stales);
	json_decref(stales);
	stales = NULL;
	if (!bad)
		return out;
oom:
	json_decref(stales);
	json_decref(out);
	return NULL;
}
