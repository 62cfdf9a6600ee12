#include <string.h>
#include "model/model.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* one amount of money, minor units: MONEY_ROW_MAX of kam/money.h, which explains the bound */
#define MONEY_ROW INT64_C(10000000000000)

const struct model_table model_tables[] = {
    {"users", true},
    {"sessions", true},
    {"api_tokens", true},
    {"login_throttle", false},
    {"accounts", true},
    {"accounts_tags", false},
    {"account_team", false},
    {"contacts", true},
    {"audit", true},
    {"leases", false},
    {"settings", false},
    {"plans", true},
    {"objectives", true},
    {"actions", true},
    {"plan_resources", true},
    {"reviews", true},
    {"products", true},
    {"units", true},
    {"contracts", true},
    {"contracts_product_ids", false},
    {"opportunities", true},
    {"fx_rates", true},
    {"transactions", true},
    {"revenue_monthly", false},
    {"revenue_account_monthly", false},
    {"interactions", true},
    {"interactions_user_ids", false},
    {"interactions_contact_ids", false},
    {"cases", true},
    {"risks", true},
    {"competitors", true},
    {"coverage", true},
    {"surveys", true},
    {"health_snapshots", false},
    {"alerts", true},
    {"shares", true},
    {"imports", true},
    {"calendar_feeds", true},
    {"invitations", true},
    {"import_mappings", true},
    {"forecast_targets", true},
    {"forecast_snapshots", false},
    {"playbooks", true},
    {"playbook_steps", false},
    {"playbook_runs", true},
    {"playbook_run_actions", false},
    {"notification_prefs", false},
    {"secrets", false},
    {"webhooks", true},
    {"outbox", true},
    {"webhook_attempts", true},
    {"password_resets", true},
    {"digest_health", false},
    /* the client workspace (schema 34) */
    {"client_members", true},
    {"workspace_links", true},
    {"workspace_sessions", false},
    {"workspace_activity", true},
    {"workspace_comments", true},
    {"review_agenda", true},
    {"survey_requests", true},
    {"survey_answers", false},
    /* money_totals is kept by triggers as the rows above are copied */
    {NULL, false},
};

const char *const model_roles[] = {"admin", "director", "kam", "member", "viewer", NULL};
const char *const model_team_roles[] = {"kam", "executive_sponsor", "solution_engineer",
					 "support_lead", "delivery_manager", "sales", "finance",
					 "other", NULL};

const char *const model_tiers[] = {"key", "potential", "standard", NULL};
static const char *const account_status[] = {"prospect", "active", "churned", NULL};
static const char *const segments[] = {"strategic", "develop", "maintain", "streamline", NULL};
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
	{"manager_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "user"},
	{"team", MT_TEXT, MF_FILTER | MF_SEARCH, 0, 100, NULL, NULL},
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
	{"parent_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "account"}, /* schema 11 */
	{"status", MT_ENUM, MF_NOTNULL | MF_FILTER | MF_SORT, 0, 0, account_status, NULL},
	{"acquired_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"churned_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"potential_annual_spend", MT_INT, 0, 0, MONEY_ROW, NULL, NULL},
	{"currency", MT_CURRENCY, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"strategic_importance", MT_INT, 0, 1, 5, NULL, NULL},
	{"growth_potential", MT_INT, 0, 1, 5, NULL, NULL},
	{"industry_influence", MT_INT, 0, 1, 5, NULL, NULL},
	{"relationship_strength", MT_INT, 0, 1, 5, NULL, NULL},
	{"last_interaction_at", MT_TIME, MF_READONLY, 0, 0, NULL, NULL},
	{"score", MT_NUM, MF_READONLY | MF_SORT, 0, 100, NULL, NULL},
	{"tier", MT_ENUM, MF_READONLY | MF_SORT | MF_FILTER, 0, 0, model_tiers, NULL},
	{"health", MT_NUM, MF_READONLY | MF_SORT, 0, 100, NULL, NULL},      /* schema 12 */
	/* false: the health rests on no evidence, is stored -1 and goes out null (schema 20) */
	{"health_enough_data", MT_BOOL, MF_READONLY | MF_NOTNULL, 0, 0, NULL, NULL},
	{"revenue_12m", MT_INT, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},   /* base minor units */
	{"segment", MT_ENUM, MF_READONLY | MF_FILTER, 0, 0, segments, NULL}, /* schema 13 */
	/* the group's totals (this account and its descendants) are shown to the KAMs of its
	 * entities; set by its owner, a director or an admin (schema 32, docs/groups.md) */
	{"group_totals_shared", MT_BOOL, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"tags", MT_TAGS, MF_FILTER, 0, 50, NULL, NULL},
	{"notes", MT_TEXT, 0, 0, 20000, NULL, NULL},
	{"external_id", MT_TEXT, MF_FILTER, 0, 200, NULL, NULL},
	/* the client workspace shows revenue only when the KAM ticks this (schema 34) */
	{"workspace_shares_revenue", MT_BOOL, MF_NOTNULL, 0, 0, NULL, NULL},
	{"created_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"updated_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
};

static const struct model_field contact_fields[] = {
	{"id", MT_INT, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"account_id", MT_REF, MF_REQUIRED | MF_NOTNULL | MF_FILTER | MF_FIXED, 1, INT64_MAX, NULL,
	 "account"},
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
	{"left_on", MT_DATE, 0, 0, 0, NULL, NULL}, /* gone from the company (schema 30) */
	{"attitude_was", MT_ENUM, MF_READONLY, 0, 0, attitudes, NULL},
	{"attitude_changed_on", MT_DATE, MF_READONLY, 0, 0, NULL, NULL},
	{"last_contacted_at", MT_TIME, MF_READONLY, 0, 0, NULL, NULL},
	{"external_id", MT_TEXT, MF_FILTER, 0, 200, NULL, NULL},
	{"erased_at", MT_TIME, MF_READONLY, 0, 0, NULL, NULL}, /* privacy erasure (schema 10) */
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


/* --- the KAM cycle (schema 3) ------------------------------------------------------------ */

static const char *const plan_status[] = {"draft", "active", "archived", NULL};
static const char *const objective_status[] = {"on_track", "at_risk", "achieved", "missed", NULL};
/* proposed: a client member's proposal, until the KAM accepts it (schema 34) */
static const char *const action_status[] = {"open", "in_progress", "done", "cancelled", "proposed",
					    NULL};
static const char *const action_sides[] = {"ours", "theirs", "joint", NULL};
static const char *const review_status[] = {"proposed", "confirmed", "rescheduled", NULL};
static const char *const review_kinds[] = {"qbr", "internal", NULL};
static const char *const forecast_categories[] = {"commit", "best_case", "pipeline", "omitted",
						  NULL};
static const char *const opp_kinds[] = {"new_business", "upsell", "cross_sell", "renewal", NULL};
static const char *const opp_stages[] = {"identified", "qualified", "proposal", "negotiation",
					 "won",	       "lost",	    NULL};
static const char *const interaction_kinds[] = {"meeting", "call",  "email", "visit",
						"qbr",	   "event", "note",  NULL};
static const char *const severities[] = {"low", "medium", "high", "critical", NULL};
static const char *const case_status[] = {"open", "in_progress", "resolved", "closed", NULL};
static const char *const risk_categories[] = {"relationship", "financial", "competitive",
					      "delivery",     "regulatory", NULL};
static const char *const risk_status[] = {"open", "mitigating", "closed", NULL};
static const char *const survey_kinds[] = {"nps", "csat", NULL};

#define ID_FIELD {"id", MT_INT, MF_READONLY | MF_SORT, 0, 0, NULL, NULL}
#define STAMPS                                                                                    \
	{"created_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},                          \
	{                                                                                          \
		"updated_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL                     \
	}
#define ACCOUNT_REF                                                                               \
	{                                                                                          \
		"account_id", MT_REF, MF_REQUIRED | MF_NOTNULL | MF_FILTER | MF_FIXED, 1, INT64_MAX, \
			NULL, "account"                                                            \
	}
/* children of a plan: account_id follows from the plan and is set by the server */
#define PLAN_REF                                                                                  \
	{"plan_id", MT_REF, MF_REQUIRED | MF_NOTNULL | MF_FILTER | MF_FIXED, 1, INT64_MAX, NULL,   \
	 "plan"},                                                                                  \
	{                                                                                          \
		"account_id", MT_REF, MF_READONLY | MF_FILTER, 1, INT64_MAX, NULL, "account"       \
	}
#define TEXT(n, max, fl) {n, MT_TEXT, fl, 0, max, NULL, NULL}
#define SCOPE_BY_ACCOUNT                                                                          \
	"account_id IN (SELECT id FROM accounts WHERE owner_id = ? "                               \
	"UNION SELECT account_id FROM account_team WHERE user_id = ?)"
#define ENTITY(var, nm, tbl, f)                                                                   \
	const struct model_entity var = {nm, tbl, f, N(f), SCOPE_BY_ACCOUNT, 2}

static const struct model_field plan_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	TEXT("title", 200, MF_SEARCH),
	{"period_start", MT_DATE, MF_REQUIRED | MF_NOTNULL | MF_SORT, 0, 0, NULL, NULL},
	{"period_end", MT_DATE, MF_REQUIRED | MF_NOTNULL, 0, 0, NULL, NULL},
	{"status", MT_ENUM, MF_NOTNULL | MF_FILTER, 0, 0, plan_status, NULL},
	TEXT("situation", 20000, 0),
	TEXT("vision", 20000, 0),
	/* the context the best plan templates have (schema 31) */
	TEXT("initiatives", 5000, 0),
	TEXT("swot_strengths", 2000, 0),
	TEXT("swot_weaknesses", 2000, 0),
	TEXT("swot_opportunities", 2000, 0),
	TEXT("swot_threats", 2000, 0),
	/* the group plan this entity's plan is part of: a plan of an ancestor account (schema 33) */
	{"group_plan_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "plan"},
	STAMPS,
};
ENTITY(model_plan, "plan", "plans", plan_fields);

static const struct model_field objective_fields[] = {
	ID_FIELD,
	PLAN_REF,
	TEXT("title", 300, MF_REQUIRED | MF_NOTNULL | MF_SEARCH),
	TEXT("metric", 200, 0),
	{"baseline", MT_NUM, 0, -INT64_C(1000000000000000), INT64_C(1000000000000000), NULL, NULL},
	{"target", MT_NUM, 0, -INT64_C(1000000000000000), INT64_C(1000000000000000), NULL, NULL},
	{"current", MT_NUM, 0, -INT64_C(1000000000000000), INT64_C(1000000000000000), NULL, NULL},
	TEXT("measure", 40, 0), /* a KPI name: baseline and current from data (schema 30) */
	{"due_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"status", MT_ENUM, MF_NOTNULL | MF_FILTER, 0, 0, objective_status, NULL},
	/* shown through client share links; schema 19 */
	{"client_visible", MT_BOOL, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	STAMPS,
};
ENTITY(model_objective, "objective", "objectives", objective_fields);

static const struct model_field action_fields[] = {
	ID_FIELD,
	PLAN_REF,
	{"objective_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "objective"},
	TEXT("title", 300, MF_REQUIRED | MF_NOTNULL | MF_SEARCH),
	{"owner_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "user"},
	{"due_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"status", MT_ENUM, MF_NOTNULL | MF_FILTER, 0, 0, action_status, NULL},
	{"done_on", MT_DATE, 0, 0, 0, NULL, NULL},
	/* shown through client share links; schema 19 */
	{"client_visible", MT_BOOL, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	/* whose action in the mutual plan: the client updates theirs and joint ones (schema 34) */
	{"side", MT_ENUM, MF_NOTNULL | MF_FILTER, 0, 0, action_sides, NULL},
	STAMPS,
};
ENTITY(model_action, "action", "actions", action_fields);

static const struct model_field plan_resource_fields[] = {
	ID_FIELD,
	PLAN_REF,
	{"user_id", MT_REF, MF_REQUIRED | MF_NOTNULL | MF_FILTER | MF_FIXED, 1, INT64_MAX, NULL, "user"},
	TEXT("role", 100, 0),
	{"commitment_hours_per_month", MT_INT, 0, 0, 744, NULL, NULL},
	STAMPS,
};
ENTITY(model_plan_resource, "plan resource", "plan_resources", plan_resource_fields);

static const struct model_field review_fields[] = {
	ID_FIELD,
	PLAN_REF,
	{"held_on", MT_DATE, MF_REQUIRED | MF_NOTNULL | MF_SORT, 0, 0, NULL, NULL},
	{"kind", MT_ENUM, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, review_kinds, NULL},
	TEXT("notes", 20000, 0),
	{"next_review_on", MT_DATE, 0, 0, 0, NULL, NULL},
	/* a joint review, shown in the client workspace (schema 34): the date the KAM proposes,
	 * the client's answer (status, another date) and the minutes once published */
	{"joint", MT_BOOL, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"proposed_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"status", MT_ENUM, MF_READONLY | MF_FILTER, 0, 0, review_status, NULL},
	{"client_proposed_on", MT_DATE, MF_READONLY, 0, 0, NULL, NULL},
	TEXT("minutes", 20000, 0),
	{"published", MT_BOOL, MF_NOTNULL, 0, 0, NULL, NULL},
	STAMPS,
};
ENTITY(model_review, "review", "reviews", review_fields);

static const struct model_field product_fields[] = {
	ID_FIELD,
	TEXT("name", 200, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT),
	TEXT("family", 100, MF_FILTER),
	TEXT("external_id", 200, MF_FILTER),
	{"list_price", MT_INT, 0, 0, MONEY_ROW, NULL, NULL},
	{"currency", MT_CURRENCY, MF_FILTER, 0, 0, NULL, NULL},
	STAMPS,
};
const struct model_entity model_product = {"product", "products", product_fields,
					   N(product_fields), NULL, 0};

static const struct model_field unit_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	TEXT("name", 200, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT),
	STAMPS,
};
ENTITY(model_unit, "business unit", "units", unit_fields);

static const struct model_field opportunity_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	TEXT("name", 200, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT),
	{"kind", MT_ENUM, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, opp_kinds, NULL},
	{"product_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "product"},
	{"unit_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "unit"},
	{"amount", MT_INT, MF_NOTNULL, 0, MONEY_ROW, NULL, NULL},
	{"currency", MT_CURRENCY, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"probability", MT_INT, 0, 0, 100, NULL, NULL},
	{"stage", MT_ENUM, MF_NOTNULL | MF_FILTER | MF_SORT, 0, 0, opp_stages, NULL},
	{"expected_close_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"closed_on", MT_DATE, 0, 0, 0, NULL, NULL},
	{"owner_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "user"},
	TEXT("external_id", 200, MF_FILTER),
	/* the contract whose renewal this is (made by the jobs, once per contract) */
	{"contract_id", MT_INT, MF_READONLY | MF_FILTER, 0, 0, NULL, NULL},
	/* the KAM's own call in the forecast; null: the settings' probability rule */
	{"forecast_category", MT_ENUM, MF_FILTER, 0, 0, forecast_categories, NULL},
	STAMPS,
};
ENTITY(model_opportunity, "opportunity", "opportunities", opportunity_fields);

static const char *const contract_status[] = {"draft", "active", "expired", "terminated", NULL};

static const struct model_field contract_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	TEXT("number", 100, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT | MF_FILTER),
	{"start_date", MT_DATE, MF_REQUIRED | MF_NOTNULL | MF_SORT, 0, 0, NULL, NULL},
	{"end_date", MT_DATE, MF_REQUIRED | MF_NOTNULL | MF_SORT | MF_FILTER, 0, 0, NULL, NULL},
	{"annual_value", MT_INT, MF_NOTNULL, 0, MONEY_ROW, NULL, NULL},
	{"currency", MT_CURRENCY, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"auto_renew", MT_BOOL, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"notice_days", MT_INT, 0, 0, 3650, NULL, NULL},
	{"status", MT_ENUM, MF_NOTNULL | MF_FILTER, 0, 0, contract_status, NULL},
	{"product_ids", MT_REFS, 0, 1, 50, NULL, "product"},
	TEXT("external_id", 200, MF_FILTER),
	STAMPS,
};
ENTITY(model_contract, "contract", "contracts", contract_fields);

/* a KAM's target of a quarter (user_id), or the portfolio's (null); minor base units */
static const struct model_field forecast_target_fields[] = {
	ID_FIELD,
	TEXT("quarter", 9, /* "FY2027-Q1" */ MF_REQUIRED | MF_NOTNULL | MF_FILTER | MF_SORT),
	{"user_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "user"},
	{"amount", MT_INT, MF_REQUIRED | MF_NOTNULL, 0, MONEY_ROW, NULL, NULL},
	STAMPS,
};
const struct model_entity model_forecast_target = {"forecast target", "forecast_targets",
						   forecast_target_fields,
						   N(forecast_target_fields), NULL, 0};

static const struct model_field fx_rate_fields[] = {
	ID_FIELD,
	{"currency", MT_CURRENCY, MF_REQUIRED | MF_NOTNULL | MF_FILTER | MF_FIXED, 0, 0, NULL, NULL},
	{"valid_from", MT_DATE, MF_REQUIRED | MF_NOTNULL | MF_SORT | MF_FIXED, 0, 0, NULL, NULL},
	{"rate", MT_NUM, MF_REQUIRED | MF_NOTNULL, 0, INT64_C(1000000), NULL, NULL},
	STAMPS,
};
const struct model_entity model_fx_rate = {"FX rate", "fx_rates", fx_rate_fields,
					   N(fx_rate_fields), NULL, 0};

static const struct model_field transaction_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	{"unit_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "unit"},
	{"product_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "product"},
	{"booked_on", MT_DATE, MF_REQUIRED | MF_NOTNULL | MF_SORT, 0, 0, NULL, NULL},
	{"amount", MT_INT, MF_REQUIRED | MF_NOTNULL, -MONEY_ROW, MONEY_ROW, NULL, NULL},
	{"currency", MT_CURRENCY, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	{"amount_base", MT_INT, MF_READONLY, 0, 0, NULL, NULL},
	TEXT("external_id", 200, MF_FILTER),
	/* the won opportunity this transaction books (book_won_opportunities), else null */
	{"opportunity_id", MT_INT, MF_READONLY | MF_FILTER, 0, 0, NULL, NULL},
	/* repeats revenue booked on another entity of the same group: left out of group
	 * totals (schema 32, docs/groups.md) */
	{"intra_group", MT_BOOL, MF_NOTNULL | MF_FILTER, 0, 0, NULL, NULL},
	STAMPS,
};
ENTITY(model_transaction, "transaction", "transactions", transaction_fields);

static const struct model_field interaction_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	{"kind", MT_ENUM, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, interaction_kinds, NULL},
	{"occurred_at", MT_TIME, MF_REQUIRED | MF_NOTNULL | MF_SORT, 0, 0, NULL, NULL},
	{"user_ids", MT_REFS, 0, 1, 50, NULL, "user"},
	{"contact_ids", MT_REFS, 0, 1, 50, NULL, "contact"},
	TEXT("summary", 20000, MF_SEARCH),
	{"sentiment", MT_INT, MF_FILTER, -2, 2, NULL, NULL},
	TEXT("next_step", 2000, 0),
	TEXT("external_id", 200, MF_FILTER),
	STAMPS,
};
ENTITY(model_interaction, "interaction", "interactions", interaction_fields);

static const struct model_field case_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	TEXT("title", 300, MF_REQUIRED | MF_NOTNULL | MF_SEARCH),
	TEXT("description", 20000, 0),
	{"severity", MT_ENUM, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, severities, NULL},
	{"status", MT_ENUM, MF_NOTNULL | MF_FILTER, 0, 0, case_status, NULL},
	{"opened_at", MT_TIME, MF_NOTNULL | MF_SORT, 0, 0, NULL, NULL},
	{"first_response_at", MT_TIME, 0, 0, 0, NULL, NULL},
	{"resolved_at", MT_TIME, 0, 0, 0, NULL, NULL},
	{"owner_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "user"},
	TEXT("external_id", 200, MF_FILTER),
	/* who at the client raised it (schema 34) */
	{"contact_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "contact"},
	STAMPS,
};
ENTITY(model_case, "case", "cases", case_fields);

static const struct model_field risk_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	TEXT("title", 300, MF_REQUIRED | MF_NOTNULL | MF_SEARCH),
	{"category", MT_ENUM, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, risk_categories, NULL},
	{"probability", MT_INT, MF_REQUIRED | MF_NOTNULL, 1, 5, NULL, NULL},
	{"impact", MT_INT, MF_REQUIRED | MF_NOTNULL, 1, 5, NULL, NULL},
	TEXT("mitigation", 20000, 0),
	{"owner_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "user"},
	{"status", MT_ENUM, MF_NOTNULL | MF_FILTER, 0, 0, risk_status, NULL},
	{"review_on", MT_DATE, 0, 0, 0, NULL, NULL},
	STAMPS,
};
ENTITY(model_risk, "risk", "risks", risk_fields);

/* who else sells to the account, and how much of its spend they hold (schema 31) */
static const struct model_field competitor_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	TEXT("name", 200, MF_REQUIRED | MF_NOTNULL | MF_SEARCH),
	{"share_percent", MT_INT, 0, 0, 100, NULL, NULL},
	TEXT("products", 500, 0),
	TEXT("notes", 2000, 0),
	STAMPS,
};
ENTITY(model_competitor, "competitor", "competitors", competitor_fields);

/* who of ours covers which of their stakeholders, and how well (schema 30) */
static const struct model_field coverage_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	{"contact_id", MT_REF, MF_REQUIRED | MF_NOTNULL | MF_FILTER | MF_FIXED, 1, INT64_MAX, NULL,
	 "contact"},
	{"user_id", MT_REF, MF_REQUIRED | MF_NOTNULL | MF_FILTER | MF_FIXED, 1, INT64_MAX, NULL,
	 "user"},
	{"strength", MT_INT, MF_REQUIRED | MF_NOTNULL, 1, 5, NULL, NULL},
	{"verified_on", MT_DATE, 0, 0, 0, NULL, NULL},
	TEXT("notes", 2000, 0),
	STAMPS,
};
ENTITY(model_coverage, "coverage", "coverage", coverage_fields);

static const struct model_field survey_fields[] = {
	ID_FIELD,
	ACCOUNT_REF,
	{"kind", MT_ENUM, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, survey_kinds, NULL},
	{"contact_id", MT_REF, MF_FILTER, 1, INT64_MAX, NULL, "contact"},
	{"answered_on", MT_DATE, MF_REQUIRED | MF_NOTNULL | MF_SORT, 0, 0, NULL, NULL},
	{"score", MT_INT, MF_REQUIRED | MF_NOTNULL, 0, 10, NULL, NULL},
	TEXT("comment", 20000, 0),
	TEXT("external_id", 200, MF_FILTER),
	STAMPS,
};
ENTITY(model_survey, "survey", "surveys", survey_fields);

static const char *const alert_rules[] = {
	"no_interaction", "detractor",	     "health_drop",	"overdue_action",
	"sla_breach",	  "renewal_risk",    "revenue_decline", "single_threaded",
	"kam_over_capacity", "plan_review_overdue", "stakeholder_change", NULL};
static const char *const alert_severities[] = {"info", "warning", "critical", NULL};
static const char *const alert_states[] = {"open", "acknowledged", "snoozed", "resolved", NULL};

static const struct model_field alert_fields[] = {
	ID_FIELD,
	{"account_id", MT_REF, MF_READONLY | MF_FILTER, 1, INT64_MAX, NULL, "account"},
	{"user_id", MT_REF, MF_READONLY | MF_FILTER, 1, INT64_MAX, NULL, "user"},
	{"rule", MT_ENUM, MF_READONLY | MF_FILTER, 0, 0, alert_rules, NULL},
	{"subject_key", MT_TEXT, MF_INTERNAL, 0, 64, NULL, NULL},
	{"severity", MT_ENUM, MF_READONLY | MF_FILTER, 0, 0, alert_severities, NULL},
	{"evidence", MT_TEXT, MF_READONLY, 0, 0, NULL, NULL},
	{"state", MT_ENUM, MF_NOTNULL | MF_FILTER, 0, 0, alert_states, NULL},
	{"snoozed_until", MT_TIME, 0, 0, 0, NULL, NULL},
	{"opened_at", MT_TIME, MF_READONLY | MF_SORT, 0, 0, NULL, NULL},
	{"resolved_at", MT_TIME, MF_READONLY, 0, 0, NULL, NULL},
	STAMPS,
};
/* a kam or member sees the alerts of their accounts and their own workload alerts */
const struct model_entity model_alert = {
	"alert", "alerts", alert_fields, N(alert_fields),
	"(account_id IN (SELECT id FROM accounts WHERE owner_id = ? UNION SELECT account_id FROM "
	"account_team WHERE user_id = ?) OR user_id = ?)",
	3};

static const char *const import_status[] = {"queued", "running", "done", "failed", "dry_run", NULL};

static const struct model_field import_fields[] = {
	ID_FIELD,
	TEXT("kind", 32, MF_READONLY | MF_FILTER),
	TEXT("mapping", 64, MF_READONLY),
	{"status", MT_ENUM, MF_READONLY | MF_FILTER, 0, 0, import_status, NULL},
	{"dry_run", MT_BOOL, MF_READONLY, 0, 0, NULL, NULL},
	{"atomic", MT_BOOL, MF_READONLY, 0, 0, NULL, NULL},
	{"rows_total", MT_INT, MF_READONLY, 0, 0, NULL, NULL},
	{"created", MT_INT, MF_READONLY, 0, 0, NULL, NULL},
	{"updated", MT_INT, MF_READONLY, 0, 0, NULL, NULL},
	{"unchanged", MT_INT, MF_READONLY, 0, 0, NULL, NULL},
	{"rejected", MT_INT, MF_READONLY, 0, 0, NULL, NULL},
	{"errors", MT_TEXT, MF_READONLY, 0, 0, NULL, NULL},          /* JSON text */
	{"ignored_columns", MT_TEXT, MF_READONLY, 0, 0, NULL, NULL}, /* JSON text */
	{"created_by", MT_REF, MF_READONLY | MF_FILTER, 1, INT64_MAX, NULL, "user"},
	{"finished_at", MT_TIME, MF_READONLY, 0, 0, NULL, NULL},
	STAMPS,
};
static const char *const import_kinds[] = {"accounts",     "users",        "contacts",
					   "products",     "units",        "fx-rates",
					   "transactions", "opportunities", "interactions",
					   "cases",        "surveys",      "contracts",
					   "targets",      NULL};
static const struct model_field import_mapping_fields[] = {
	ID_FIELD,
	TEXT("name", 100, MF_REQUIRED | MF_NOTNULL | MF_SEARCH | MF_SORT | MF_FILTER),
	{"kind", MT_ENUM, MF_REQUIRED | MF_NOTNULL | MF_FILTER, 0, 0, import_kinds, NULL},
	/* the mapping file's JSON text: {base, columns, values, defaults, date_format} */
	TEXT("mapping", 100000, MF_REQUIRED | MF_NOTNULL),
	{"created_by", MT_REF, MF_READONLY | MF_FILTER, 1, INT64_MAX, NULL, "user"},
	STAMPS,
};
const struct model_entity model_import_mapping = {"import mapping", "import_mappings",
						  import_mapping_fields,
						  N(import_mapping_fields), NULL, 0};

/* a kam sees the imports they ran */
const struct model_entity model_import = {"import", "imports", import_fields, N(import_fields),
					  "created_by = ?", 1};

const struct model_field *model_field_find(const struct model_entity *e, const char *name)
{
	/* the first byte rules out most fields without a call (every key of every body) */
	for (size_t i = 0; i < e->nfields; i++)
		if (e->fields[i].name[0] == name[0] && strcmp(e->fields[i].name, name) == 0)
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
