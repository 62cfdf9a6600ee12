/* Group accounts (kam/group.c) against a hand-worked portfolio: roots, depths, the group-level
 * score with intra-group revenue left out, and an entity moved from one group to another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/group.h"

/*
 * 1 Globex Holding  (top)            revenue 1,000
 * 2   Globex France (under 1)                 500
 * 3     Globex Lyon (under 2)                 500, of which 200 intra-group
 * 4   Globex Germany (under 1)                400
 * 5 Solo A          (top)                   1,500
 * 6 Solo B          (top)                     100
 * 7 Initech         (top)                     800
 * 8   Initech UK    (under 7)                 900
 */
static struct group_node nodes[] = {{1, 0}, {2, 1}, {3, 2}, {4, 1}, {5, 0}, {6, 0}, {7, 0}, {8, 7}};
static const double revenue[] = {1000, 500, 500, 400, 1500, 100, 800, 900};
static const double intra[] = {0, 0, 200, 0, 0, 0, 0, 0};
#define N 8

static void test_roots_and_depths(void **state)
{
	size_t root[N];
	int depth[N];
	const size_t want_root[N] = {0, 0, 0, 0, 4, 5, 6, 6};
	const int want_depth[N] = {0, 1, 2, 1, -1, -1, -1, -1};
	const int under_france[N] = {-1, 0, 1, -1, -1, -1, -1, -1};

	(void)state;
	group_roots(nodes, N, root);
	for (int i = 0; i < N; i++)
		assert_int_equal(root[i], want_root[i]);
	group_depths(nodes, N, 1, depth);
	for (int i = 0; i < N; i++)
		assert_int_equal(depth[i], want_depth[i]);
	group_depths(nodes, N, 2, depth);
	for (int i = 0; i < N; i++)
		assert_int_equal(depth[i], under_france[i]);
}

/* Stored data with a cycle (kam refuses to write one) still ends: each node on it is its own
 * group, and a depth below a node of the cycle is finite. */
static void test_cycle_is_harmless(void **state)
{
	struct group_node cyc[] = {{1, 3}, {2, 1}, {3, 2}, {4, 3}, {5, 0}};
	size_t root[5];
	int depth[5];

	(void)state;
	group_roots(cyc, 5, root);
	assert_int_equal(root[0], 0);
	assert_int_equal(root[1], 1);
	assert_int_equal(root[2], 2);
	assert_int_equal(root[3], 3); /* hangs below the cycle: alone too */
	assert_int_equal(root[4], 4);
	group_depths(cyc, 5, 1, depth);
	assert_int_equal(depth[0], 0);
	assert_int_equal(depth[1], 1); /* 2 → 1 */
	assert_int_equal(depth[2], 2); /* 3 → 2 → 1 */
	assert_int_equal(depth[3], 3); /* 4 → 3 → 2 → 1 */
	assert_int_equal(depth[4], -1);
}

static struct settings financial_only(void)
{
	struct settings s;

	settings_defaults(&s);
	/* the score is the revenue percentile alone: easy to work by hand */
	s.w_financial = 1;
	s.w_growth = s.w_strategic = s.w_influence = 0;
	s.key_threshold = 60;
	s.potential_threshold = 40;
	return s;
}

/*
 * Groups: Globex 1000 + 500 + (500 − 200) + 400 = 2,200; Solo A 1,500; Solo B 100;
 * Initech 800 + 900 = 1,700. Four units; percentile = 100 × (units earning less) / 3:
 * Globex 100, Initech 66.67, Solo A 33.33, Solo B 0. Key from 60, potential from 40.
 */
static void test_score_by_group(void **state)
{
	struct settings s = financial_only();
	struct score_input in[N];
	struct score_result out[N];
	size_t root[N];
	double combined[N];
	const double want[N] = {100, 100, 100, 100, 33.33, 0, 66.67, 66.67};
	const char *const tier[N] = {"key",      "key",      "key", "key",
	                             "standard", "standard", "key", "key"};
	const double group_rev[N] = {2200, 2200, 2200, 2200, 1500, 100, 1700, 1700};

	(void)state;
	memset(in, 0, sizeof(in));
	for (int i = 0; i < N; i++)
		in[i].revenue = revenue[i];
	group_roots(nodes, N, root);
	score_by_group(&s, N, root, in, intra, out, combined);
	for (int i = 0; i < N; i++) {
		assert_float_equal(out[i].score, want[i], 1e-9);
		assert_string_equal(out[i].tier, tier[i]);
		assert_float_equal(combined[i], group_rev[i], 1e-9);
	}
	/* the explanation shows the group's revenue, not the entity's */
	assert_float_equal(out[7].c[0].raw, 1700, 1e-9);
}

/*
 * Lyon moves from France to Initech: Globex 1000 + 500 + 400 = 1,900, Initech 800 + 900 +
 * (500 − 200) = 2,000: Initech 100, Globex 66.67, Solo A 33.33, Solo B 0; Lyon follows
 * Initech.
 */
static void test_moved_entity_follows(void **state)
{
	struct settings s = financial_only();
	struct group_node moved[N];
	struct score_input in[N];
	struct score_result out[N];
	size_t root[N];
	double combined[N];
	const double want[N] = {66.67, 66.67, 100, 66.67, 33.33, 0, 100, 100};
	const double group_rev[N] = {1900, 1900, 2000, 1900, 1500, 100, 2000, 2000};

	(void)state;
	memcpy(moved, nodes, sizeof(moved));
	moved[2].parent_id = 7;
	memset(in, 0, sizeof(in));
	for (int i = 0; i < N; i++)
		in[i].revenue = revenue[i];
	group_roots(moved, N, root);
	assert_int_equal(root[2], 6);
	score_by_group(&s, N, root, in, intra, out, combined);
	for (int i = 0; i < N; i++) {
		assert_float_equal(out[i].score, want[i], 1e-9);
		assert_float_equal(combined[i], group_rev[i], 1e-9);
	}
}

/* A churned parent makes the whole group not key, whatever its entities earn. */
static void test_group_takes_root_ratings(void **state)
{
	struct settings s = financial_only();
	struct score_input in[N];
	struct score_result out[N];
	size_t root[N];

	(void)state;
	memset(in, 0, sizeof(in));
	for (int i = 0; i < N; i++)
		in[i].revenue = revenue[i];
	in[0].churned = true;
	in[1].churned = false;
	group_roots(nodes, N, root);
	score_by_group(&s, N, root, in, intra, out, NULL);
	for (int i = 0; i < 4; i++)
		assert_string_equal(out[i].tier, "standard");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roots_and_depths),
	    cmocka_unit_test(test_cycle_is_harmless),
	    cmocka_unit_test(test_score_by_group),
	    cmocka_unit_test(test_moved_entity_follows),
	    cmocka_unit_test(test_group_takes_root_ratings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
