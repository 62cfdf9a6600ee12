/* Health parts and alert rules against hand-worked inputs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/health.h"

#define NOW INT64_C(1800000000)
#define DAY 86400

static struct health_input base(void)
{
	struct health_input in;

	memset(&in, 0, sizeof(in));
	in.account_id = 1;
	in.owner_id = 7;
	in.active = true;
	in.renewal_stage = -1;
	in.review_overdue_days = -1;
	in.health_before = NAN;
	return in;
}

static void test_parts(void **state)
{
	struct settings s;
	struct health_result r;
	struct health_input in = base();

	(void)state;
	settings_defaults(&s);
	in.rev_6m = 90;
	in.rev_6m_before = 100; /* −10%: (−0.1 + 0.3) / 0.4 = 50 */
	in.nps_n = 4;
	in.promoters = 2;
	in.detractors = 1; /* NPS 25 → 62.5 */
	in.last_interaction_at = NOW - 52 * DAY; /* (90 − 52) / 76 = 50 */
	in.open_critical = 1;
	in.open_breached = 1; /* 100 − 40 − 20 = 40 */
	in.overdue_actions = 2;
	in.oldest_overdue_days = 9; /* 100 − 50 = 50 */
	in.influential = 4;
	in.engaged = 1; /* 25 */
	in.renewal_stage = 2;
	in.renewal_days = 40; /* proposal: 75 */
	health_compute(&s, &in, NOW, &r);
	assert_float_equal(r.part[HP_REVENUE_TREND].value, 50, 1e-9);
	assert_string_equal(r.part[HP_REVENUE_TREND].reason,
			    "Revenue of the last 6 months is 10% below the 6 months before");
	assert_float_equal(r.part[HP_SATISFACTION].value, 62.5, 1e-9);
	assert_float_equal(r.part[HP_ENGAGEMENT].value, 50, 1e-9);
	assert_string_equal(r.part[HP_ENGAGEMENT].reason, "Last interaction 52 days ago");
	assert_float_equal(r.part[HP_CASES].value, 40, 1e-9);
	assert_float_equal(r.part[HP_ACTIONS].value, 50, 1e-9);
	assert_float_equal(r.part[HP_COVERAGE].value, 25, 1e-9);
	assert_float_equal(r.part[HP_RENEWAL].value, 75, 1e-9);
	/* all parts known: default weights .25 .15 .15 .15 .1 .1 .1 */
	assert_float_equal(r.score,
			   12.5 + 9.375 + 7.5 + 6 + 5 + 2.5 + 7.5, 0.02);
	double sum = 0;
	for (int i = 0; i < HP__MAX; i++)
		sum += r.part[i].points;
	assert_float_equal(r.score, sum, 0.011);
}

static void test_missing_parts_drop_out(void **state)
{
	struct settings s;
	struct health_result r;
	struct health_input in = base(); /* no revenue history, no surveys, no renewal */

	(void)state;
	settings_defaults(&s);
	in.last_interaction_at = NOW - 5 * DAY; /* 100 */
	health_compute(&s, &in, NOW, &r);
	assert_true(r.part[HP_REVENUE_TREND].missing);
	assert_true(r.part[HP_SATISFACTION].missing);
	assert_true(r.part[HP_RENEWAL].missing);
	assert_float_equal(r.part[HP_REVENUE_TREND].weight, 0, 1e-9);
	/* known: engagement .15 (100), cases .15 (100), actions .1 (100), coverage .1 (0) → .5 */
	assert_float_equal(r.part[HP_ENGAGEMENT].weight, 0.3, 1e-9);
	assert_float_equal(r.score, 80, 0.02);
	assert_string_equal(r.part[HP_COVERAGE].reason, "No contact with influence 4 or 5 is mapped");
	/* clamps: far better revenue is 100, far worse 0 */
	in.rev_6m = 1000;
	in.rev_6m_before = 100;
	health_compute(&s, &in, NOW, &r);
	assert_float_equal(r.part[HP_REVENUE_TREND].value, 100, 1e-9);
	in.rev_6m = 0;
	health_compute(&s, &in, NOW, &r);
	assert_float_equal(r.part[HP_REVENUE_TREND].value, 0, 1e-9);
}

static bool has(const struct alert_hit *h, size_t n, const char *rule, int64_t acc)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].rule, rule) && h[i].account_id == acc)
			return true;
	return false;
}

/* The reasons count in words that agree with the number: one answer, one day, one case. */
static void test_reasons_singular(void **state)
{
	struct settings s;
	struct health_result r;
	struct health_input in = base();

	(void)state;
	settings_defaults(&s);
	in.nps_n = 1;
	in.detractors = 1;
	in.last_interaction_at = NOW - 1 * DAY;
	in.open_critical = 1;
	in.open_breached = 1;
	in.overdue_actions = 1;
	in.oldest_overdue_days = 1;
	in.influential = 1;
	in.renewal_stage = 0;
	in.renewal_days = 1;
	health_compute(&s, &in, NOW, &r);
	assert_string_equal(r.part[HP_SATISFACTION].reason,
	                    "NPS is -100 over 1 answer in the last 12 months (1 detractor)");
	assert_string_equal(r.part[HP_ENGAGEMENT].reason, "Last interaction 1 day ago");
	assert_string_equal(r.part[HP_CASES].reason,
	                    "1 open critical case, 1 open case past its SLA target");
	assert_string_equal(r.part[HP_ACTIONS].reason, "1 plan action is overdue, by 1 day");
	assert_string_equal(r.part[HP_COVERAGE].reason,
	                    "0 of 1 influential contact engaged in the last 90 days");
	assert_string_equal(r.part[HP_RENEWAL].reason, "Renewal in 1 day, at stage identified");

	in = base();
	in.nps_n = 4;
	in.promoters = 2;
	in.detractors = 1;
	in.overdue_actions = 2;
	in.oldest_overdue_days = 9;
	in.open_critical = 2;
	health_compute(&s, &in, NOW, &r);
	assert_string_equal(r.part[HP_SATISFACTION].reason,
	                    "NPS is 25 over 4 answers in the last 12 months (1 detractor)");
	assert_string_equal(r.part[HP_CASES].reason,
	                    "2 open critical cases, 0 open cases past their SLA target");
	assert_string_equal(r.part[HP_ACTIONS].reason,
	                    "2 plan actions are overdue, the oldest by 9 days");

	in = base();
	in.csat_n = 1;
	in.csat_sum = 4;
	health_compute(&s, &in, NOW, &r);
	assert_string_equal(r.part[HP_SATISFACTION].reason,
	                    "CSAT averages 4.0 of 5 over 1 answer in the last 12 months");
}

static void test_alert_rules(void **state)
{
	struct settings s;
	struct health_input in[4];
	double scores[4] = {50, 50, 50, 50};
	struct alert_hit *h = NULL;
	size_t n = 0;

	(void)state;
	settings_defaults(&s);
	for (int i = 0; i < 4; i++) {
		in[i] = base();
		in[i].account_id = i + 1;
		in[i].last_interaction_at = NOW - DAY;
		in[i].influential = 3;
		in[i].engaged = 3;
	}
	in[0].last_interaction_at = NOW - 45 * DAY; /* exactly the threshold: fires */
	in[1].last_interaction_at = NOW - 44 * DAY; /* one day short: quiet */
	in[1].detractor_survey = 99;
	in[1].detractor_score = 2;
	in[2].health_before = 70; /* 50 now: a 20-point drop ≥ 15 */
	in[2].rev_12m = 70;
	in[2].rev_12m_before = 100; /* −30% ≥ 20% */
	in[2].engaged = 1;	    /* fewer than 2 engaged influential contacts */
	in[3].active = false;	    /* churned or prospect: no alerts at all */
	in[3].last_interaction_at = 0;
	in[3].overdue_actions = 5;
	in[0].overdue_actions = 1;
	in[0].oldest_overdue_days = 3;
	in[1].open_breached = 1;
	in[1].worst_breach_hours = 5;
	in[1].renewal_stage = 0;
	in[1].renewal_days = 30;
	in[2].renewal_stage = 1;
	in[2].renewal_days = 30;
	in[2].renewal_won = true; /* already renewed: no risk */
	in[0].review_overdue_days = 10;
	assert_int_equal(alert_evaluate(&s, in, scores, 4, NOW, &h, &n), 0);
	assert_true(has(h, n, "no_interaction", 1));
	assert_false(has(h, n, "no_interaction", 2));
	assert_true(has(h, n, "detractor", 2));
	assert_true(has(h, n, "health_drop", 3));
	assert_true(has(h, n, "revenue_decline", 3));
	assert_true(has(h, n, "single_threaded", 3));
	assert_false(has(h, n, "single_threaded", 1));
	assert_true(has(h, n, "overdue_action", 1));
	assert_true(has(h, n, "sla_breach", 2));
	assert_true(has(h, n, "renewal_risk", 2));
	assert_false(has(h, n, "renewal_risk", 3));
	assert_true(has(h, n, "plan_review_overdue", 1));
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(h[i].account_id, 4);
	/* each detractor answer is its own alert */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].rule, "detractor"))
			assert_string_equal(h[i].subject_key, "account:2:survey:99");
	alert_hits_free(h, n);

	/* a disabled rule never fires; thresholds move the line */
	s.alert_enabled[AR_SINGLE_THREADED] = false;
	s.alert_threshold[AR_NO_INTERACTION] = 46;
	assert_int_equal(alert_evaluate(&s, in, scores, 4, NOW, &h, &n), 0);
	assert_false(has(h, n, "single_threaded", 3));
	assert_false(has(h, n, "no_interaction", 1));
	alert_hits_free(h, n);
}

/* A hit's evidence as a tree (NULL when it is not JSON); the caller decrefs it. */
static json_t *evidence(const struct alert_hit *h)
{
	return json_loads(h->evidence, 0, NULL);
}

/* The string value of key in a hit's evidence ("" when absent or not a string). */
static const char *ev(const struct alert_hit *h, const char *key)
{
	static char v[256];
	json_t *e = evidence(h);
	const char *s = json_string_value(json_object_get(e, key));

	snprintf(v, sizeof(v), "%s", s ? s : "");
	json_decref(e);
	return v;
}

/* The integer value of key in a hit's evidence (0 when absent). */
static json_int_t ev_int(const struct alert_hit *h, const char *key)
{
	json_t *e = evidence(h);
	json_int_t v = json_integer_value(json_object_get(e, key));

	json_decref(e);
	return v;
}

static void test_stakeholder_change(void **state)
{
	struct settings s;
	struct health_input in[3];
	double scores[3] = {50, 50, 50};
	struct alert_hit *h = NULL;
	size_t n = 0, seen = 0;

	(void)state;
	settings_defaults(&s);
	for (int i = 0; i < 3; i++) {
		in[i] = base();
		in[i].account_id = i + 1;
		in[i].last_interaction_at = NOW - DAY;
		in[i].influential = in[i].engaged = 3;
	}
	/* the store found a champion who left on a key account, and a CFO who turned blocker */
	in[0].key = true;
	in[0].changed_contact = 31;
	in[0].changed_left = true;
	strcpy(in[0].changed_name, "Greta Vogel");
	strcpy(in[0].changed_on, "2027-01-10");
	strcpy(in[0].attitude_now, "champion");
	in[1].changed_contact = 32;
	strcpy(in[1].changed_name, "Hans Brandt");
	strcpy(in[1].changed_on, "2027-01-12");
	strcpy(in[1].attitude_was, "supporter");
	strcpy(in[1].attitude_now, "blocker");
	assert_int_equal(alert_evaluate(&s, in, scores, 3, NOW, &h, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(h[i].rule, "stakeholder_change"))
			continue;
		seen++;
		assert_int_not_equal(h[i].account_id, 3);
		if (h[i].account_id == 1) {
			assert_string_equal(h[i].severity, "critical"); /* a key account */
			assert_string_equal(h[i].subject_key, "account:1:contact:31:left");
			assert_string_equal(ev(&h[i], "change"), "left");
			/* as stored and compared from one run to the next: compact, keys sorted */
			assert_string_equal(h[i].evidence,
			                    "{\"change\":\"left\",\"contact\":\"Greta Vogel\","
			                    "\"contact_id\":31,\"on\":\"2027-01-10\"}");
		} else {
			assert_string_equal(h[i].severity, "warning");
			assert_string_equal(h[i].subject_key, "account:2:contact:32:turned");
			assert_string_equal(ev(&h[i], "change"), "turned");
			assert_string_equal(ev(&h[i], "attitude_was"), "supporter");
			assert_string_equal(ev(&h[i], "attitude"), "blocker");
		}
	}
	assert_int_equal(seen, 2);
	alert_hits_free(h, n);
	s.alert_enabled[AR_STAKEHOLDER_CHANGE] = false;
	assert_int_equal(alert_evaluate(&s, in, scores, 3, NOW, &h, &n), 0);
	assert_false(has(h, n, "stakeholder_change", 1));
	alert_hits_free(h, n);
}

/* Evidence longer than the dump's buffer on the stack (a name of 127 control characters,
 * each written \u00XX) is whole. */
static void test_evidence_long(void **state)
{
	struct settings s;
	struct health_input in = base();
	double score = 50;
	struct alert_hit *h = NULL;
	size_t n = 0, seen = 0;
	char name[128];

	(void)state;
	settings_defaults(&s);
	memset(name, 1, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	in.account_id = 1;
	in.last_interaction_at = NOW - DAY;
	in.influential = in.engaged = 3;
	in.changed_contact = 31;
	in.changed_left = true;
	memcpy(in.changed_name, name, sizeof(name));
	strcpy(in.changed_on, "2027-01-10");
	assert_int_equal(alert_evaluate(&s, &in, &score, 1, NOW, &h, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(h[i].rule, "stakeholder_change"))
			continue;
		seen++;
		assert_true(strlen(h[i].evidence) > 127 * 6);
		assert_string_equal(ev(&h[i], "contact"), name);
		assert_string_equal(ev(&h[i], "on"), "2027-01-10");
	}
	assert_int_equal(seen, 1);
	alert_hits_free(h, n);
}

static void test_kam_capacity(void **state)
{
	struct settings s;
	struct health_input in[5];
	double scores[5] = {0};
	struct alert_hit *h = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	settings_defaults(&s);
	s.kam_capacity = 2;
	for (int i = 0; i < HP__MAX; i++)
		s.health_weights[i] = 1;
	for (int i = 0; i < AR__MAX; i++)
		s.alert_enabled[i] = i == AR_KAM_OVER_CAPACITY;
	for (int i = 0; i < 5; i++) {
		in[i] = base();
		in[i].account_id = i + 1;
		in[i].key = true;
		in[i].owner_id = i < 3 ? 7 : 8; /* kam 7 has 3 key accounts, kam 8 has 2 */
	}
	assert_int_equal(alert_evaluate(&s, in, scores, 5, NOW, &h, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].rule, "kam_over_capacity")) {
			cap++;
			assert_int_equal(h[i].user_id, 7);
			assert_int_equal(h[i].account_id, 0);
			assert_string_equal(h[i].subject_key, "user:7");
		}
	assert_int_equal(cap, 1);
	alert_hits_free(h, n);
}

/* owners interleaved among the accounts, some accounts not key or not active: one alert per
 * owner over capacity, counting only active key accounts, in the order each owner's first
 * account comes (what the old all-pairs count gave; now counted by sorting) */
static void test_kam_capacity_interleaved(void **state)
{
	static const int64_t owner[10] = {9, 7, 9, 8, 7, 9, 7, 0, 9, 7};
	static const bool key[10] = {true, true, true, true, true, false, true, true, true, true};
	static const bool active[10] = {true, true,  true, true, true,
	                                true, false, true, true, true};
	struct settings s;
	struct health_input in[10];
	double scores[10] = {0};
	struct alert_hit *h = NULL;
	size_t n = 0;

	(void)state;
	settings_defaults(&s);
	s.kam_capacity = 2;
	for (int i = 0; i < AR__MAX; i++)
		s.alert_enabled[i] = i == AR_KAM_OVER_CAPACITY;
	for (int i = 0; i < 10; i++) {
		in[i] = base();
		in[i].account_id = i + 1;
		in[i].owner_id = owner[i];
		in[i].key = key[i];
		in[i].active = active[i];
	}
	assert_int_equal(alert_evaluate(&s, in, scores, 10, NOW, &h, &n), 0);
	/* 9: accounts 1, 3, 9 (6 is not key) = 3; 7: 2, 5, 10 (7 is inactive) = 3; 8 and 0: 1 */
	assert_int_equal(n, 2);
	assert_string_equal(h[0].subject_key, "user:9");
	assert_int_equal(h[0].user_id, 9);
	assert_int_equal(ev_int(&h[0], "key_accounts"), 3);
	assert_string_equal(h[1].subject_key, "user:7");
	assert_int_equal(ev_int(&h[1], "key_accounts"), 3);
	alert_hits_free(h, n);
}

/* a brand-new account gets grace_days to be contacted before "no interaction" fires */
static void test_no_interaction_grace(void **state)
{
	struct settings s;
	struct health_input in[2];
	double scores[2] = {80, 80};
	struct alert_hit *h = NULL;
	size_t n = 0;

	(void)state;
	settings_defaults(&s);
	assert_int_equal(s.no_interaction_grace_days, 30);
	memset(in, 0, sizeof(in));
	for (int i = 0; i < 2; i++) {
		in[i].account_id = i + 1;
		in[i].active = true;
		in[i].health_before = NAN;
		in[i].renewal_stage = -1;
		in[i].review_overdue_days = -1;
		in[i].engaged = 3;
	}
	in[0].created_at = NOW - 29 * DAY; /* never contacted, 29 days old: still in grace */
	in[1].created_at = NOW - 30 * DAY; /* 30 days old: the grace is over */
	assert_int_equal(alert_evaluate(&s, in, scores, 2, NOW, &h, &n), 0);
	assert_false(has(h, n, "no_interaction", 1));
	assert_true(has(h, n, "no_interaction", 2));
	alert_hits_free(h, n);
	s.no_interaction_grace_days = 0;
	assert_int_equal(alert_evaluate(&s, in, scores, 2, NOW, &h, &n), 0);
	assert_true(has(h, n, "no_interaction", 1));
	alert_hits_free(h, n);
}

/* No revenue trend, no survey answer, no interaction: a score of defaults is no score. */
static void test_enough_data(void **state)
{
	struct settings s;
	struct health_result r;
	struct health_input in[1] = {base()};
	struct alert_hit *h = NULL;
	size_t n = 0;
	double scores[1] = {NAN};
	json_t *j;

	(void)state;
	settings_defaults(&s);
	health_compute(&s, &in[0], NOW, &r);
	assert_false(r.enough_data);
	j = health_json(&r);
	assert_true(json_is_null(json_object_get(j, "score")));
	assert_true(json_is_false(json_object_get(j, "enough_data")));
	assert_string_equal(json_string_value(json_object_get(j, "reason")), health_no_data_reason);
	json_decref(j);
	/* 80 a month ago, nothing to score now: no drop is measured */
	in[0].health_before = 80;
	assert_int_equal(alert_evaluate(&s, in, scores, 1, NOW, &h, &n), 0);
	assert_false(has(h, n, "health_drop", 1));
	alert_hits_free(h, n);
	/* each kind of evidence is enough on its own */
	in[0].csat_n = 1;
	in[0].csat_sum = 4;
	health_compute(&s, &in[0], NOW, &r);
	assert_true(r.enough_data);
	in[0] = base();
	in[0].rev_6m_before = 100;
	health_compute(&s, &in[0], NOW, &r);
	assert_true(r.enough_data);
	in[0] = base();
	in[0].last_interaction_at = NOW - 200 * DAY;
	health_compute(&s, &in[0], NOW, &r);
	assert_true(r.enough_data);
	j = health_json(&r);
	assert_true(json_is_real(json_object_get(j, "score")));
	assert_true(json_is_null(json_object_get(j, "reason")));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parts),
	    cmocka_unit_test(test_missing_parts_drop_out),
	    cmocka_unit_test(test_reasons_singular),
	    cmocka_unit_test(test_alert_rules),
	    cmocka_unit_test(test_stakeholder_change),
	    cmocka_unit_test(test_evidence_long),
	    cmocka_unit_test(test_kam_capacity),
	    cmocka_unit_test(test_kam_capacity_interleaved),
	    cmocka_unit_test(test_no_interaction_grace),
	    cmocka_unit_test(test_enough_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
