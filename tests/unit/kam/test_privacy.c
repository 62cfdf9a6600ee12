/* Erasure rules: the patch that anonymises a contact and the redaction of audit payloads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "kam/privacy.h"

static void test_contact_patch(void **state)
{
	json_t *rec =
	    json_pack("{s:i,s:s,s:s,s:s,s:n,s:s,s:i}", "id", 7, "name", "Greta", "email",
	              "g@x.example", "title", "CFO", "phone", "notes", "golf", "influence", 4);
	json_t *p = privacy_contact_patch(rec, 7), *again;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(p, "name")), "Erased contact #7");
	assert_true(json_is_null(json_object_get(p, "email")));
	assert_true(json_is_null(json_object_get(p, "title")));
	assert_true(json_is_null(json_object_get(p, "notes")));
	assert_null(json_object_get(p, "phone"));     /* already empty: nothing to change */
	assert_null(json_object_get(p, "influence")); /* not personal as such: kept */
	assert_int_equal(json_object_size(p), 4);
	json_object_update(rec, p);
	again = privacy_contact_patch(rec, 7);
	assert_int_equal(json_object_size(again), 0); /* idempotent */
	json_decref(again);
	json_decref(p);
	json_decref(rec);
}

static void test_redact(void **state)
{
	json_t *c =
	    json_pack("{s:s,s:s,s:i}", "name", "Greta", "email", "g@x.example", "influence", 4);
	json_t *s = json_pack("{s:s,s:i}", "comment", "late again", "score", 3);
	json_t *note = json_pack("{s:i}", "surveys_blanked", 1);

	(void)state;
	assert_int_equal(privacy_redact(c, "contact", 9), 2);
	assert_string_equal(json_string_value(json_object_get(c, "name")), "Erased contact #9");
	assert_true(json_is_null(json_object_get(c, "email")));
	assert_null(json_object_get(c, "phone")); /* keys that were not there are not added */
	assert_int_equal(json_integer_value(json_object_get(c, "influence")), 4);
	assert_int_equal(privacy_redact(c, "contact", 9), 0);
	assert_int_equal(privacy_redact(s, "survey", 9), 1);
	assert_true(json_is_null(json_object_get(s, "comment")));
	assert_int_equal(json_integer_value(json_object_get(s, "score")), 3);
	assert_int_equal(privacy_redact(note, "contact", 9), 0);
	assert_int_equal(privacy_redact(NULL, "contact", 9), 0);
	assert_int_equal(privacy_redact(s, "interaction", 9), 0);
	{
		json_t *cov = json_pack("{s:i,s:s}", "strength", 4, "notes", "golfs on Fridays");

		assert_int_equal(privacy_redact(cov, "coverage", 9), 1);
		assert_true(json_is_null(json_object_get(cov, "notes")));
		assert_int_equal(json_integer_value(json_object_get(cov, "strength")), 4);
		json_decref(cov);
	}
	json_decref(c);
	json_decref(s);
	json_decref(note);
}

static void test_scrub(void **state)
{
	json_t *e = json_pack("[{s:i,s:s,s:s},{s:s},s,s]", "line", 2, "message",
	                      "no contact \"greta privacy\"; did you mean \"Greta Privacy\"?",
	                      "row", "Greta Privacy,greta@x.example", "message", "Greta Privacyx",
	                      "Li", "Limited");

	(void)state;
	assert_int_equal(privacy_scrub(e, "Greta Privacy", "Erased contact #9"), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(e, 0), "message")),
	    "no contact \"Erased contact #9\"; did you mean \"Erased contact #9\"?");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "row")),
	                    "Erased contact #9,greta@x.example");
	/* a longer word is another name */
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 1), "message")),
	                    "Greta Privacyx");
	assert_int_equal(privacy_scrub(e, "greta@x.example", "(erased)"), 1);
	assert_int_equal(privacy_scrub(e, "Li", "X"), 1); /* the word, not the prefix */
	assert_string_equal(json_string_value(json_array_get(e, 2)), "X");
	assert_string_equal(json_string_value(json_array_get(e, 3)), "Limited");
	assert_int_equal(privacy_scrub(e, "L", "X"), 0); /* too short to mean a person */
	assert_int_equal(privacy_scrub(e, NULL, "X"), 0);
	assert_int_equal(privacy_scrub(e, "Erased contact #9", "Erased contact #9"), 0);
	json_decref(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contact_patch),
	    cmocka_unit_test(test_redact),
	    cmocka_unit_test(test_scrub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
