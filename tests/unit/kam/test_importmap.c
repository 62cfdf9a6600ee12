/* What import columns and picklist values mean: table tests over headers as the source
 * systems write them (through imp_key, as the importer reads them) and their values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "kam/importfmt.h"
#include "kam/importmap.h"

static const struct {
	const char *kind, *mapping, *header, *target; /* target NULL: not a column of that export */
} columns[] = {
    {"accounts", "salesforce", "Account Name", "name"},
    {"accounts", "salesforce", "Account ID", "external_id"},
    {"accounts", "salesforce", "Billing Country", "country"},
    {"accounts", "salesforce", "Annual Revenue", "potential_annual_spend"},
    {"accounts", "salesforce", "Parent Account ID", "parent_ext"},
    {"accounts", "salesforce", "Type", "status"},
    {"accounts", "salesforce", "Phone", "ignore"},
    {"accounts", "salesforce", "Favourite Colour", NULL},
    {"accounts", "hubspot", "Company name", "name"},
    {"accounts", "hubspot", "Record ID", "external_id"},
    {"accounts", "hubspot", "Country/Region", "country"},
    {"accounts", "hubspot", "Company owner", "owner"},
    {"accounts", "hubspot", "Lifecycle Stage", "ignore"},
    {"contacts", "salesforce", "First Name", "first_name"},
    {"contacts", "salesforce", "AccountId", "account_ext"},
    {"contacts", "salesforce", "Reports To ID", "reports_to"},
    {"opportunities", "salesforce", "Stage", "stage"},
    {"opportunities", "salesforce", "Close Date", "expected_close_on"},
    {"opportunities", "salesforce", "Opportunity Owner", "owner"},
    {"opportunities", "hubspot", "Deal Stage", "stage"},
    {"opportunities", "hubspot", "Deal owner", "owner"},
    /* a mapping a kind has no table for, and an unknown mapping */
    {"units", "salesforce", "Name", NULL},
    {"accounts", "netsuite", "Account Name", NULL},
};

static const struct {
	const char *field, *value, *ours; /* ours NULL: not a value kam knows */
} values[] = {
    {"stage", "Prospecting", "identified"},
    {"stage", "Needs Analysis", "qualified"},
    {"stage", "appointmentscheduled", "identified"},
    {"stage", "Closed Won", "won"},
    {"stage", "closedlost", "lost"},
    {"kind", "New Customer", "new_business"},
    {"kind", "Existing Customer - Upgrade", "upsell"},
    {"kind", "Existing Customer - Downgrade", "renewal"},
    {"kind", "Meetings", "meeting"},
    {"severity", "P1", "critical"},
    {"severity", "Urgent", "critical"},
    {"status", "Waiting on Contact", "in_progress"},
    {"stage", "Hesitating", NULL},
    {"colour", "Blue", NULL},
};

static void test_columns(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		const struct imp_kind *k = imp_kind_get(columns[i].kind);
		const char *got;
		char key[128];

		assert_non_null(k);
		imp_key(columns[i].header, key, sizeof(key));
		got = imp_map_target(k, columns[i].mapping, key);
		if (columns[i].target == NULL && got != NULL)
			fail_msg("%s %s \"%s\" maps to %s", columns[i].kind, columns[i].mapping,
			         columns[i].header, got);
		if (columns[i].target && (got == NULL || strcmp(got, columns[i].target)))
			fail_msg("%s %s \"%s\" maps to %s, not %s", columns[i].kind,
			         columns[i].mapping, columns[i].header, got ? got : "nothing",
			         columns[i].target);
	}
}

static void test_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char key[128];
		const char *got;

		imp_key(values[i].value, key, sizeof(key));
		got = imp_map_value(values[i].field, key);
		if ((got == NULL) != (values[i].ours == NULL) ||
		    (got && strcmp(got, values[i].ours)))
			fail_msg("%s \"%s\" is %s, not %s", values[i].field, values[i].value,
			         got ? got : "nothing",
			         values[i].ours ? values[i].ours : "nothing");
	}
}

static void test_kinds(void **state)
{
	static const char *const kinds[] = {
	    "accounts",     "contacts",      "products",     "units", "fx-rates",
	    "transactions", "opportunities", "interactions", "cases", "surveys"};

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		assert_non_null(imp_kind_get(kinds[i]));
	assert_null(imp_kind_get("widgets"));
	assert_null(imp_kind_get(NULL));
	/* money is scaled by the currency for these fields only */
	assert_true(imp_money_field("account", "potential_annual_spend"));
	assert_true(imp_money_field("transaction", "amount"));
	assert_false(imp_money_field("account", "name"));
	assert_true(imp_is_ref_target("parent_ext"));
	assert_false(imp_is_ref_target("name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_columns),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
