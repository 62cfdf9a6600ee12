/* Relationship coverage: the grid and its gaps, on hand-worked accounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/coverage.h"

static date_t day(const char *s)
{
	date_t d = 0;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

/* The texts of the gaps of that kind, joined by " | ". */
static void gaps_of(const json_t *g, const char *kind, char *out, size_t len)
{
	size_t i;
	json_t *x;

	out[0] = '\0';
	json_array_foreach(json_object_get(g, "gaps"), i, x)
	{
		if (strcmp(json_string_value(json_object_get(x, "kind")), kind))
			continue;
		if (out[0])
			strncat(out, " | ", len - strlen(out) - 1);
		strncat(out, json_string_value(json_object_get(x, "text")), len - strlen(out) - 1);
	}
}

static json_t *people(void)
{
	return json_pack("[{s:i,s:s,s:s},{s:i,s:s,s:s}]", "id", 1, "name", "Anna", "role", "kam",
	                 "id", 2, "name", "Ben", "role", "executive_sponsor");
}

/* Two decision makers, an influencer, a user (not a stakeholder) and a champion who left. */
static json_t *contacts(void)
{
	return json_pack("[{s:i,s:s,s:s,s:s},{s:i,s:s,s:s,s:s},{s:i,s:s,s:s,s:s},"
	                 "{s:i,s:s,s:s},{s:i,s:s,s:s,s:s}]",
	                 "id", 10, "name", "Greta CFO", "decision_role", "economic_buyer",
	                 "attitude", "neutral", "id", 11, "name", "Hans CTO", "decision_role",
	                 "decision_maker", "attitude", "supporter", "id", 12, "name", "Ida",
	                 "decision_role", "influencer", "attitude", "critic", "id", 13, "name",
	                 "Jo", "decision_role", "user", "id", 14, "name", "Kim", "attitude",
	                 "champion", "left_on", "2026-05-01");
}

static void test_uncovered_and_stale(void **state)
{
	json_t *c = contacts(), *p = people();
	/* Anna covers Hans (verified 2026-01-10: 199 days before 2026-07-28) and Ida (never) */
	json_t *l =
	    json_pack("[{s:i,s:i,s:i,s:i,s:s},{s:i,s:i,s:i,s:i,s:n}]", "id", 1, "contact_id", 11,
	              "user_id", 1, "strength", 4, "verified_on", "2026-01-10", "id", 2,
	              "contact_id", 12, "user_id", 1, "strength", 2, "verified_on");
	json_t *g = coverage_grid(c, p, l, day("2026-07-28"));
	json_t *rows = json_object_get(g, "stakeholders");
	char t[1000];

	(void)state;
	assert_non_null(g);
	/* Jo is a user, Kim has left: three stakeholders, in the contacts' order */
	assert_int_equal(json_array_size(rows), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "contact_id")),
	                 10);
	assert_false(json_is_true(json_object_get(json_array_get(rows, 0), "covered")));
	assert_true(json_is_true(json_object_get(json_array_get(rows, 1), "covered")));
	gaps_of(g, "uncovered", t, sizeof(t));
	assert_string_equal(t, "nobody covers Greta CFO (economic buyer)");
	gaps_of(g, "stale", t, sizeof(t));
	assert_string_equal(t,
	                    "Anna's relationship with Hans CTO was last verified on 2026-01-10 | "
	                    "Anna's relationship with Ida was never verified");
	/* Anna covers the one decision maker covered: single-threaded */
	gaps_of(g, "single_threaded", t, sizeof(t));
	assert_string_equal(t, "Anna alone covers every decision maker we reach");
	json_decref(g);
	json_decref(l);
	/* 180 days is not yet stale; Ben on Greta ends the single thread and the uncovered gap */
	l = json_pack("[{s:i,s:i,s:i,s:i,s:s},{s:i,s:i,s:i,s:i,s:s}]", "id", 1, "contact_id", 11,
	              "user_id", 1, "strength", 4, "verified_on", "2026-01-29", "id", 3,
	              "contact_id", 10, "user_id", 2, "strength", 3, "verified_on", "2026-07-01");
	g = coverage_grid(c, p, l, day("2026-07-28"));
	assert_int_equal(json_array_size(json_object_get(g, "gaps")), 0);
	json_decref(g);
	json_decref(l);
	json_decref(c);
	json_decref(p);
}

static void test_someone_outside_the_team(void **state)
{
	json_t *c = json_pack("[{s:i,s:s,s:s}]", "id", 10, "name", "Greta", "decision_role",
	                      "decision_maker");
	json_t *p = json_pack("[{s:i,s:s,s:s}]", "id", 1, "name", "Anna", "role", "kam");
	json_t *l = json_pack("[{s:i,s:i,s:i,s:i,s:s}]", "id", 5, "contact_id", 10, "user_id", 7,
	                      "strength", 5, "verified_on", "2026-07-01");
	json_t *g = coverage_grid(c, p, l, day("2026-07-28"));
	char t[400];

	(void)state;
	/* the coverer joins the columns; one decision maker, one person: single-threaded */
	assert_int_equal(json_array_size(json_object_get(g, "people")), 2);
	gaps_of(g, "single_threaded", t, sizeof(t));
	assert_string_equal(t, "user #7 alone covers the decision maker");
	json_decref(g);
	json_decref(c);
	json_decref(p);
	json_decref(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uncovered_and_stale),
	    cmocka_unit_test(test_someone_outside_the_team),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
