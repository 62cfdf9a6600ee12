/* What moved on an account plan between two dates, in sentences, from its audit rows: for
 * each record, its state before the first row and after the last one are compared. */
#include <stdio.h>
#include <string.h>
#include "kam/plan.h"
#include "kam/plan_changes.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool same(const json_t *a, const json_t *b, const char *k)
{
	json_t *x = json_object_get(a, k), *y = json_object_get(b, k);

	return json_equal(x ? x : json_null(), y ? y : json_null());
}

/* "on_track" → "on track", into buf. */
static const char *words(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < len; i++)
		buf[i] = s[i] == '_' ? ' ' : s[i];
	buf[i] = '\0';
	return s ? buf : "unknown";
}

static int add(json_t *out, const char *kind, const char *entity, json_int_t id, const char *text)
{
	return json_array_append_new(out, json_pack("{s:s,s:s,s:I,s:s}", "kind", kind, "entity",
	                                            entity, "id", id, "text", text));
}

/* The items of one record that was first → last over the period (NULL: not there). */
static int record(json_t *out, const char *entity, json_int_t id, const json_t *first,
                  const json_t *last)
{
	const json_t *now = last ? last : first;
	const char *name =
	    str(now, entity[0] == 'o' || entity[0] == 'a' || entity[0] == 'r' ? "title" : "name");
	char text[600], a[40], b[40];
	int bad = 0;

	if (name == NULL)
		name = "?";
	if (last == NULL) /* gone again: deleted records are not the review's news */
		return 0;
	if (!strcmp(entity, "objective")) {
		double p0, p1;
		bool had = first && plan_progress(first, &p0), has = plan_progress(last, &p1);

		if (first == NULL) {
			snprintf(text, sizeof(text), "New objective: %s", name);
			return add(out, "objective_added", entity, id, text);
		}
		if (has && (!had || (int)(p0 * 100 + .5) != (int)(p1 * 100 + .5))) {
			if (had)
				snprintf(text, sizeof(text), "%s: progress %d%% → %d%%", name,
				         (int)(p0 * 100 + .5), (int)(p1 * 100 + .5));
			else
				snprintf(text, sizeof(text), "%s: progress now %d%%", name,
				         (int)(p1 * 100 + .5));
			bad |= add(out, "progress", entity, id, text);
		}
		if (!same(first, last, "status")) {
			snprintf(text, sizeof(text), "%s: %s → %s", name,
			         words(str(first, "status"), a, sizeof(a)),
			         words(str(last, "status"), b, sizeof(b)));
			bad |= add(out, "objective_status", entity, id, text);
		}
	} else if (!strcmp(entity, "action")) {
		const char *s0 = first ? str(first, "status") : NULL, *s1 = str(last, "status");
		const char *d0 = first ? str(first, "due_on") : NULL, *d1 = str(last, "due_on");

		if (first == NULL) {
			snprintf(text, sizeof(text), "New action: %s%s%s", name, d1 ? ", due " : "",
			         d1 ? d1 : "");
			bad |= add(out, "action_added", entity, id, text);
		}
		if (s1 && !strcmp(s1, "done") && (s0 == NULL || strcmp(s0, "done"))) {
			snprintf(text, sizeof(text), "Done: %s", name);
			bad |= add(out, "action_done", entity, id, text);
		} else if (s1 && !strcmp(s1, "cancelled") &&
		           (s0 == NULL || strcmp(s0, "cancelled"))) {
			snprintf(text, sizeof(text), "Cancelled: %s", name);
			bad |= add(out, "action_cancelled", entity, id, text);
		} else if (first && d0 && d1 && strcmp(d1, d0) > 0) {
			snprintf(text, sizeof(text), "Slipped: %s (due %s → %s)", name, d0, d1);
			bad |= add(out, "action_slipped", entity, id, text);
		}
	} else if (!strcmp(entity, "contact")) {
		const char *left = str(last, "left_on");

		if (first == NULL) {
			snprintf(text, sizeof(text), "New stakeholder: %s%s%s", name,
			         str(last, "title") ? ", " : "",
			         str(last, "title") ? str(last, "title") : "");
			bad |= add(out, "stakeholder_added", entity, id, text);
		}
		if (left && (first == NULL || !same(first, last, "left_on"))) {
			snprintf(text, sizeof(text), "%s left on %s", name, left);
			bad |= add(out, "stakeholder_left", entity, id, text);
		} else if (first && !same(first, last, "attitude")) {
			snprintf(text, sizeof(text), "%s: %s → %s", name,
			         words(str(first, "attitude"), a, sizeof(a)),
			         words(str(last, "attitude"), b, sizeof(b)));
			bad |= add(out, "attitude", entity, id, text);
		}
		if (first && !same(first, last, "decision_role")) {
			snprintf(text, sizeof(text), "%s is now %s", name,
			         words(str(last, "decision_role"), b, sizeof(b)));
			bad |= add(out, "decision_role", entity, id, text);
		}
	} else if (!strcmp(entity, "risk")) {
		const char *st = str(last, "status");

		if (first == NULL) {
			snprintf(
			    text, sizeof(text), "New risk: %s (probability %lld, impact %lld)",
			    name,
			    (long long)json_integer_value(json_object_get(last, "probability")),
			    (long long)json_integer_value(json_object_get(last, "impact")));
			bad |= add(out, "risk_added", entity, id, text);
		} else if (st && !strcmp(st, "closed") && !same(first, last, "status")) {
			snprintf(text, sizeof(text), "Risk closed: %s", name);
			bad |= add(out, "risk_closed", entity, id, text);
		}
	}
	return bad;
}

json_t *plan_changes(const json_t *rows)
{
	json_t *out = json_array(), *seen = json_object(), *r;
	size_t i;
	int bad = out == NULL || seen == NULL;

	/* the records in the order they first changed */
	json_array_foreach(rows, i, r)
	{
		char key[64];
		const char *entity = str(r, "entity");

		if (bad || entity == NULL)
			continue;
		snprintf(key, sizeof(key), "%s:%lld", entity,
		         (long long)json_integer_value(json_object_get(r, "entity_id")));
		if (json_object_get(seen, key))
			continue;
		bad |= json_object_set_new(seen, key, json_true());
		{
			const json_t *first = NULL, *last = NULL, *x;
			size_t j;
			bool begun = false;

			json_array_foreach(rows, j, x)
			{
				if (j < i ||
				    strcmp(str(x, "entity") ? str(x, "entity") : "", entity) ||
				    json_integer_value(json_object_get(x, "entity_id")) !=
				        json_integer_value(json_object_get(r, "entity_id")))
					continue;
				if (!begun) {
					first = json_object_get(x, "before");
					begun = true;
				}
				last = json_object_get(x, "after");
			}
			if (json_is_null(first))
				first = NULL;
			if (json_is_null(last))
				last = NULL;
			bad |=
			    record(out, entity, json_integer_value(json_object_get(r, "entity_id")),
			           first, last);
		}
	}
	json_decref(seen);
	if (bad) {
		json_decref(out);
		return NULL;
	}
	return out;
}
