/* Playbooks, the pure part (kam/playbook.c): due dates across month ends, body checks, a run's
 * state, and why an alert fired, with hand-worked values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/date.h"
#include "kam/playbook.h"
#include "kam/settings.h"
#include "util/err.h"

static date_t parse(const char *s)
{
	date_t d = 0;

	assert_int_equal(date_parse(s, &d), KAM_OK);
	return d;
}

static void due_is(const char *start, int offset, const char *want)
{
	char out[DATE_LEN];

	date_format(playbook_due(parse(start), offset), out);
	assert_string_equal(out, want);
}

static void test_due_dates(void **state)
{
	(void)state;
	due_is("2026-01-31", 0, "2026-01-31");
	due_is("2026-01-31", 1, "2026-02-01");  /* a month end */
	due_is("2028-02-28", 1, "2028-02-29");  /* a leap day */
	due_is("2027-02-28", 1, "2027-03-01");  /* no leap day */
	due_is("2026-12-20", 21, "2027-01-10"); /* a year end */
	due_is("2026-03-28", 3, "2026-03-31");  /* days, not hours: DST changes nothing */
	due_is("2999-12-30", 10, "2999-12-31"); /* clamped to the range */
}

static json_t *check(const char *text, struct kam_errinfo *ei, int want)
{
	json_t *in = json_loads(text, 0, NULL), *out = NULL;

	assert_non_null(in);
	assert_int_equal(playbook_check(in, &out, ei), want);
	json_decref(in);
	return out;
}

static bool names(const struct kam_errinfo *ei, const char *field)
{
	json_t *e;
	size_t i;

	json_array_foreach(
	    ei->errors, i,
	    e) if (!strcmp(json_string_value(json_object_get(e, "field")), field)) return true;
	return false;
}

static void test_check(void **state)
{
	struct kam_errinfo ei = {0};
	json_t *pb;

	(void)state;
	pb = check("{\"name\":\"P\",\"steps\":[{\"title\":\"a\"},{\"title\":\"b\",\"owner_role\":"
	           "\"support_lead\",\"offset_days\":7,\"objective_title\":\"O\"}]}",
	           &ei, KAM_OK);
	assert_true(json_is_true(json_object_get(pb, "enabled")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(pb, "trigger"), "kind")), "manual");
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(pb, "steps"), 0), "owner_role")),
	                    "kam");
	assert_int_equal(json_integer_value(json_object_get(
	                     json_array_get(json_object_get(pb, "steps"), 1), "offset_days")),
	                 7);
	json_decref(pb);
	/* auto_start means nothing for a playbook started by hand only */
	pb = check(
	    "{\"name\":\"P\",\"trigger\":{\"auto_start\":true},\"steps\":[{\"title\":\"a\"}]}", &ei,
	    KAM_OK);
	assert_true(json_is_false(json_object_get(json_object_get(pb, "trigger"), "auto_start")));
	json_decref(pb);
	check(
	    "{\"name\":\"\",\"steps\":[{\"title\":\"a\",\"owner_role\":\"boss\"},{\"title\":\"b\","
	    "\"offset_days\":731}],\"trigger\":{\"kind\":\"alert\",\"rule\":\"kam_over_capacity\"}"
	    "}",
	    &ei, KAM_EINVAL);
	assert_true(names(&ei, "name"));
	assert_true(names(&ei, "steps[0].owner_role"));
	assert_true(names(&ei, "steps[1].offset_days"));
	assert_true(names(&ei, "trigger.rule")); /* a KAM's workload alert has no account */
	err_clear(&ei);
	assert_true(playbook_role_valid("director"));
	assert_true(playbook_role_valid("executive_sponsor"));
	assert_false(playbook_role_valid("ceo"));
	assert_false(playbook_role_valid(NULL));
}

static void test_run_state(void **state)
{
	(void)state;
	assert_string_equal(playbook_run_state(5, 5, 0), "open");
	assert_string_equal(playbook_run_state(5, 2, 1), "overdue");
	assert_string_equal(playbook_run_state(5, 0, 0), "done"); /* done or cancelled */
	assert_string_equal(playbook_run_state(0, 0, 0), "open");
}

static void test_why(void **state)
{
	struct settings s;
	json_t *ev, *w;

	(void)state;
	settings_defaults(&s);
	s.alert_threshold[AR_SLA_BREACH] = 4;
	ev = json_pack("{s:i,s:i,s:i}", "open_cases_past_sla", 2, "worst_hours_past_target", 30,
	               "open_critical", 1);
	w = playbook_alert_why("sla_breach", ev, &s);
	assert_int_equal(
	    (int)json_real_value(json_object_get(json_object_get(w, "threshold"), "value")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(w, "value"), "value")),
	                 30);
	assert_string_equal(json_string_value(json_object_get(json_object_get(w, "value"), "unit")),
	                    "hours");
	json_decref(w);
	json_decref(ev);
	/* a health drop's value is worked out: 72.4 → 51.1 is 21.3 points */
	ev = json_pack("{s:f,s:f,s:i}", "health_now", 51.1, "health_30_days_ago", 72.4,
	               "threshold_points", 15);
	w = playbook_alert_why("health_drop", ev, &s);
	assert_float_equal(json_real_value(json_object_get(json_object_get(w, "value"), "value")),
	                   21.3, 1e-9);
	json_decref(w);
	json_decref(ev);
	/* over capacity: the capacity plus the rule's margin */
	s.kam_capacity = 10;
	s.alert_threshold[AR_KAM_OVER_CAPACITY] = 2;
	ev = json_pack("{s:i,s:i}", "key_accounts", 13, "capacity", 10);
	w = playbook_alert_why("kam_over_capacity", ev, &s);
	assert_int_equal(
	    (int)json_real_value(json_object_get(json_object_get(w, "threshold"), "value")), 12);
	json_decref(w);
	json_decref(ev);
	w = playbook_alert_why("nonsense", NULL, &s);
	assert_true(json_is_null(json_object_get(w, "threshold")));
	json_decref(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_due_dates),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_run_state),
	    cmocka_unit_test(test_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
