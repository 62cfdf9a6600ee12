/* Request validation against the data model: every type, bound and flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/account.h"
#include "kam/date.h"
#include "kam/validate.h"
#include "util/time.h"

static int check(const struct model_entity *e, const char *json, bool create, const char *field)
{
	struct kam_errinfo ei = {0};
	json_error_t jerr;
	json_t *body = json_loads(json, 0, &jerr);
	int rc;

	assert_non_null(body);
	rc = validate_body(e, body, create, &ei);
	if (field) {
		bool found = false;
		size_t i;
		json_t *x;

		assert_int_equal(rc, KAM_EINVAL);
		json_array_foreach(ei.errors, i, x)
			found |= !strcmp(json_string_value(json_object_get(x, "field")), field);
		if (!found)
			fail_msg("%s: expected an error on %s, got %s", json, field, ei.detail);
	} else if (rc != KAM_OK) {
		fail_msg("%s: unexpected error %s", json, ei.detail);
	}
	err_clear(&ei);
	json_decref(body);
	return rc;
}

static void test_accounts(void **state)
{
	static const struct {
		const char *json;
		bool create;
		const char *field; /* NULL: valid */
	} rows[] = {
		{"{\"name\":\"Acme\"}", true, NULL},
		{"{}", true, "name"},
		{"{}", false, NULL}, /* a patch may be empty */
		{"{\"name\":\"\"}", true, "name"},
		{"{\"name\":\" \\t\"}", true, "name"},
		{"{\"name\":null}", false, "name"},
		{"{\"name\":7}", true, "name"},
		{"{\"name\":\"a\\u0001b\"}", true, "name"},
		{"{\"notes\":\"line\\nline\\ttab\"}", false, NULL},
		{"{\"strategic_importance\":0}", false, "strategic_importance"},
		{"{\"strategic_importance\":5}", false, NULL},
		{"{\"strategic_importance\":5.5}", false, "strategic_importance"},
		{"{\"strategic_importance\":null}", false, NULL},
		{"{\"status\":\"churned\"}", false, NULL},
		{"{\"status\":\"Churned\"}", false, "status"},
		{"{\"status\":null}", false, "status"},
		{"{\"acquired_on\":\"2024-02-29\"}", false, NULL},
		{"{\"acquired_on\":\"2023-02-29\"}", false, "acquired_on"},
		{"{\"acquired_on\":\"2024-2-9\"}", false, "acquired_on"},
		{"{\"acquired_on\":\"2024-13-01\"}", false, "acquired_on"},
		{"{\"currency\":\"USD\"}", false, NULL},
		{"{\"currency\":\"usd\"}", false, "currency"},
		{"{\"currency\":\"EURO\"}", false, "currency"},
		{"{\"website\":\"https://a.example/x\"}", false, NULL},
		{"{\"website\":\"javascript:alert(1)\"}", false, "website"},
		{"{\"website\":\"https://a b\"}", false, "website"},
		{"{\"tags\":[\"a\",\"b\"]}", false, NULL},
		{"{\"tags\":[\"a\",\"a\"]}", false, "tags"},
		{"{\"tags\":[\"\"]}", false, "tags"},
		{"{\"tags\":\"a\"}", false, "tags"},
		{"{\"tags\":[1]}", false, "tags"},
		{"{\"tags\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\","
		 "\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\"]}",
		 false, "tags"},
		{"{\"owner_id\":0}", false, "owner_id"},
		{"{\"owner_id\":null}", false, "owner_id"},
		{"{\"id\":1}", false, "id"},
		{"{\"created_at\":\"2020-01-01T00:00:00Z\"}", false, "created_at"},
		{"{\"score\":50}", false, "score"},
		{"{\"tier\":\"key\"}", false, "tier"},
		{"{\"colour\":\"red\"}", false, "colour"},
		{"{\"potential_annual_spend\":-1}", false, "potential_annual_spend"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(&model_account, rows[i].json, rows[i].create, rows[i].field);
}

static void test_lengths_in_characters(void **state)
{
	char json[1024];
	char name[700] = "";

	(void)state;
	/* 200 two-byte characters are 400 bytes but within the 200-character limit */
	for (int i = 0; i < 200; i++)
		strcat(name, "\xc3\xbc");
	snprintf(json, sizeof(json), "{\"name\":\"%s\"}", name);
	check(&model_account, json, true, NULL);
	strcat(name, "x");
	snprintf(json, sizeof(json), "{\"name\":\"%s\"}", name);
	check(&model_account, json, true, "name");
	assert_int_equal(validate_utf8_len("\xc3\xbc\xe2\x82\xac" "a"), 3);
}

static void test_other_types(void **state)
{
	(void)state;
	check(&model_user, "{\"email\":\"a@b.example\",\"name\":\"A\",\"role\":\"kam\"}", true, NULL);
	check(&model_user, "{\"email\":\"not-an-email\",\"name\":\"A\",\"role\":\"kam\"}", true, "email");
	check(&model_user, "{\"email\":\"a@b\",\"name\":\"A\",\"role\":\"kam\"}", true, "email");
	check(&model_user, "{\"email\":\"a b@c.example\",\"name\":\"A\",\"role\":\"kam\"}", true, "email");
	check(&model_user, "{\"email\":\"a@b.example\",\"name\":\"A\",\"role\":\"king\"}", true, "role");
	check(&model_user, "{\"active\":1}", false, "active");
	check(&model_user, "{\"active\":false}", false, NULL);
	check(&model_user, "{\"password_hash\":\"x\"}", false, "password_hash");
	check(&model_interaction,
	      "{\"account_id\":1,\"kind\":\"call\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
	      "\"user_ids\":[1,2]}",
	      true, NULL);
	check(&model_interaction, "{\"occurred_at\":\"2026-01-02 03:04:05\"}", false, "occurred_at");
	check(&model_interaction, "{\"user_ids\":[1,1]}", false, "user_ids");
	check(&model_interaction, "{\"user_ids\":[0]}", false, "user_ids");
	check(&model_interaction, "{\"sentiment\":3}", false, "sentiment");
	check(&model_objective, "{\"target\":12.5,\"baseline\":-3}", false, NULL);
	check(&model_objective, "{\"target\":\"12\"}", false, "target");
	check(&model_objective, "{\"account_id\":1}", false, "account_id"); /* set by the server */
}

static void test_filters_and_ids(void **state)
{
	struct kam_errinfo ei = {0};
	const struct model_field *status = model_field_find(&model_account, "status");
	const struct model_field *owner = model_field_find(&model_account, "owner_id");

	(void)state;
	assert_int_equal(validate_filter(status, "active", &ei), KAM_OK);
	assert_int_equal(validate_filter(status, "gone", &ei), KAM_EINVAL);
	assert_int_equal(validate_filter(owner, "12", &ei), KAM_OK);
	assert_int_equal(validate_filter(owner, "12a", &ei), KAM_EINVAL);
	assert_int_equal(validate_filter(owner, "", &ei), KAM_EINVAL);
	err_clear(&ei);
	assert_int_equal(validate_id("42"), 42);
	assert_int_equal(validate_id("0"), -1);
	assert_int_equal(validate_id("-3"), -1);
	assert_int_equal(validate_id("042"), -1);
	assert_int_equal(validate_id("4x"), -1);
	assert_int_equal(validate_id("9999999999999999999"), -1);
	assert_int_equal(validate_id(NULL), -1);
}

static void test_account_rules(void **state)
{
	static const struct {
		const char *json;
		int rc;
	} rows[] = {
		{"{\"status\":\"active\",\"acquired_on\":\"2020-01-01\"}", KAM_OK},
		{"{\"status\":\"churned\",\"churned_on\":\"2021-01-01\",\"acquired_on\":\"2020-01-01\"}", KAM_OK},
		{"{\"status\":\"churned\"}", KAM_EINVAL},
		{"{\"status\":\"active\",\"churned_on\":\"2021-01-01\"}", KAM_EINVAL},
		{"{\"status\":\"churned\",\"churned_on\":\"2019-01-01\",\"acquired_on\":\"2020-01-01\"}", KAM_EINVAL},
	};
	struct kam_errinfo ei = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *a = json_loads(rows[i].json, 0, NULL);

		assert_int_equal(account_check(a, &ei), rows[i].rc);
		err_clear(&ei);
		json_decref(a);
	}
	{
		json_t *base = json_pack("{s:s,s:i}", "name", "A", "strategic_importance", 2);
		json_t *patch = json_pack("{s:i}", "strategic_importance", 5);
		json_t *m = account_merge(base, patch);

		assert_int_equal(json_integer_value(json_object_get(m, "strategic_importance")), 5);
		assert_string_equal(json_string_value(json_object_get(m, "name")), "A");
		assert_int_equal(json_integer_value(json_object_get(base, "strategic_importance")), 2);
		json_decref(base);
		json_decref(patch);
		json_decref(m);
	}
}

static void test_time(void **state)
{
	char buf[32];
	int64_t t;

	(void)state;
	time_rfc3339(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(date_parse_time("2026-03-01T09:30:00Z", &t), KAM_OK);
	time_rfc3339(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-01T09:30:00Z");
	assert_int_equal(date_parse_time("2026-03-01T09:30:00+01:00", &t), KAM_EINVAL);
	assert_int_equal(date_parse_time("2026-02-30T09:30:00Z", &t), KAM_EINVAL);
	assert_int_equal(date_parse_time("2026-03-01T24:00:00Z", &t), KAM_EINVAL);
	assert_true(date_valid("2000-02-29"));
	assert_false(date_valid("1900-02-29"));
	assert_false(date_valid("2026-04-31"));
	time_month_key(t, -3, buf, sizeof(buf));
	assert_string_equal(buf, "2025-12");
	time_month_key(t, 10, buf, sizeof(buf));
	assert_string_equal(buf, "2027-01");
	/* a corrupt clock value still writes a terminated, fixed-width text */
	time_rfc3339(INT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	time_rfc3339(0, buf, 5); /* cut to the buffer, terminated */
	assert_string_equal(buf, "1970");
	time_date(INT64_MIN, buf, sizeof(buf));
	assert_string_equal(buf, "0000-01-01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts),	cmocka_unit_test(test_lengths_in_characters),
		cmocka_unit_test(test_other_types),	cmocka_unit_test(test_filters_and_ids),
		cmocka_unit_test(test_account_rules),	cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
