#include <string.h>
#include "store/model.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct model_table model_tables[] = {
	{"users", true},	  {"sessions", true},	   {"api_tokens", true},
	{"login_failures", true}, {"accounts", true},	   {"accounts_tags", false},
	{"account_team", false},  {"contacts", true},	   {"audit", true},
	{"leases", false},	  {NULL, false},
};

const char *const model_roles[] = {"admin", "director", "kam", "member", "viewer", NULL};
const char *const model_team_roles[] = {"kam", "executive_sponsor", "solution_engineer",
					 "support_lead", "delivery_manager", "sales", "finance",
					 "other", NULL};

static const char *const account_status[] = {"prospect", "active", "churned", NULL};
static const char *const attitudes[] = {"champion", "supporter", "neutral", "critic", "blocker",
					NULL};
static const char *const decision_roles[] = {"decision_maker", "economic_buyer", "influencer",
					     "user", "gatekeeper", NULL};

static const struct model_field user_fields[] = {
	{"id", MT_INT, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"email", MT_EMAIL, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT, 0, 254, NULL, NULL},
	{"name", MT_TEXT, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT, 1, 200, NULL, NULL},
	{"role", MT_ENUM, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, model_roles, NULL},
	{"active", MT_BOOL, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"password_hash", MT_TEXT, MF_INTERNAL, 0, 0, NULL, NULL},
	{"created_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"updated_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
};

static const struct model_field account_fields[] = {
	{"id", MT_INT, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"name", MT_TEXT, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT, 1, 200, NULL, NULL},
	{"industry", MT_TEXT, MF_FILTER, 0, 100, NULL, NULL},
	{"region", MT_TEXT, MF_FILTER, 0, 100, NULL, NULL},
	{"country", MT_TEXT, MF_FILTER, 0, 100, NULL, NULL},
	{"website", MT_URL, 0, 0, 500, NULL, NULL},
	{"owner_id", MT_REF, MF_NOTNULL | MF_FILTER, 1, INT64_MAX, NULL, "user"},
	{"status", MT_ENUM, MF_NOTNULL | MF_FILTER | MF_SORT, 0, 0, account_status, NULL},
	{"acquired_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"churned_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"potential_annual_spend", MT_INT, 0, 0, INT64_C(1000000000000000), NULL, NULL},
	{"currency", MT_CURRENCY, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"strategic_importance", MT_INT, 0, 1, 5, NULL, NULL},
	{"growth_potential", MT_INT, 0, 1, 5, NULL, NULL},
	{"industry_influence", MT_INT, 0, 1, 5, NULL, NULL},
	{"tags", MT_TAGS, MF_FILTER, 0, 50, NULL, NULL},
	{"notes", MT_TEXT, 0, 0, 20000, NULL, NULL},
	{"created_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"updated_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
};

static const struct model_field contact_fields[] = {
	{"id", MT_INT, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"account_id", MT_REF, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 1, INT64_MAX, NULL, "account"},
	{"name", MT_TEXT, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT, 1, 200, NULL, NULL},
	{"title", MT_TEXT, MF_SEARCH, 0, 200, NULL, NULL},
	{"department", MT_TEXT, MF_FILTER, 0, 200, NULL, NULL},
	{"email", MT_EMAIL, MF_SEARCH, 0, 254, NULL, NULL},
	{"phone", MT_TEXT, 0, 0, 50, NULL, NULL},
	{"reports_to_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "contact"},
	{"influence", MT_INT, MF_FILTER, 1, 5, NULL, NULL},
	{"attitude", MT_ENUM, MF_FILTER, 0, 0, attitudes, NULL},
	{"decision_role", MT_ENUM, MF_FILTER, 0, 0, decision_roles, NULL},
	{"relationship_owner_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "user"},
	{"notes", MT_TEXT, 0, 0, 20000, NULL, NULL},
	{"created_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"updated_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
};

const struct model_entity model_user = {"user", "users", user_fields, N(user_fields), NULL, 0};

const struct model_entity model_account = {
	"account", "accounts", account_fields, N(account_fields),
	"(owner_id = ? OR id IN (SELECT account_id FROM account_team WHERE user_id = ?))", 2};

const struct model_entity model_contact = {
	"contact", "contacts", contact_fields, N(contact_fields),
	"account_id IN (SELECT id FROM accounts WHERE owner_id = ? "
	"UNION SELECT account_id FROM account_team WHERE user_id = ?)",
	2};

const struct model_field *model_field_find(const struct model_entity *e, const char *name)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return &e->fields[i];
	return NULL;
}

int model_enum_has(const char *const *values, const char *s)
{
	for (; values && *values; values++)
		if (strcmp(*values, s) == 0)
			return 1;
	return 0;
}
