/* Column and value mappings of Salesforce and HubSpot exports (see importmap.h). Keys are
 * the report labels and the API names, both as imp_key() writes them. */
#include <string.h>
#include "kam/importmap.h"

#define END {NULL, NULL}

static const struct imp_col sf_accounts[] = {
	{"account_id", "external_id"}, {"id", "external_id"},
	{"account_name", "name"}, {"name", "name"},
	{"industry", "industry"},
	{"billing_country", "country"}, {"billingcountry", "country"},
	{"billing_state_province", "region"}, {"billingstate", "region"},
	{"website", "website"},
	{"account_owner", "owner"}, {"owner_email", "owner"}, {"ownerid", "owner"},
	{"annual_revenue", "potential_annual_spend"}, {"annualrevenue", "potential_annual_spend"},
	{"account_currency", "currency"}, {"currencyisocode", "currency"},
	{"type", "status"},
	{"description", "notes"},
	{"parent_account", "parent"}, {"parent_account_id", "parent_ext"}, {"parentid", "parent_ext"},
	{"phone", "ignore"},
	{"employees", "ignore"}, {"numberofemployees", "ignore"}, {"rating", "ignore"},
	{"created_date", "ignore"}, {"createddate", "ignore"}, {"last_modified_date", "ignore"},
	END,
};

static const struct imp_col sf_contacts[] = {
	{"contact_id", "external_id"}, {"id", "external_id"},
	{"first_name", "first_name"}, {"firstname", "first_name"},
	{"last_name", "last_name"}, {"lastname", "last_name"},
	{"full_name", "name"}, {"name", "name"},
	{"title", "title"}, {"department", "department"},
	{"email", "email"}, {"phone", "phone"}, {"mobile", "ignore"}, {"mobilephone", "ignore"},
	{"account_id", "account_ext"}, {"accountid", "account_ext"},
	{"account_name", "account"},
	{"reports_to_id", "reports_to"}, {"reportstoid", "reports_to"}, {"reports_to", "reports_to"},
	{"contact_owner", "owner"}, {"ownerid", "owner"},
	{"description", "notes"},
	{"created_date", "ignore"}, {"mailing_country", "ignore"}, {"salutation", "ignore"},
	END,
};

static const struct imp_col sf_opportunities[] = {
	{"opportunity_id", "external_id"}, {"id", "external_id"},
	{"opportunity_name", "name"}, {"name", "name"},
	{"account_id", "account_ext"}, {"accountid", "account_ext"},
	{"account_name", "account"},
	{"amount", "amount"},
	{"opportunity_currency", "currency"}, {"currencyisocode", "currency"},
	{"close_date", "expected_close_on"}, {"closedate", "expected_close_on"},
	{"stage", "stage"}, {"stagename", "stage"},
	{"probability", "probability"},
	{"type", "kind"},
	{"opportunity_owner", "owner"}, {"ownerid", "owner"},
	{"product", "product"}, {"product_name", "product"},
	{"lead_source", "ignore"}, {"leadsource", "ignore"}, {"next_step", "ignore"},
	{"fiscal_period", "ignore"}, {"created_date", "ignore"}, {"age", "ignore"},
	END,
};

static const struct imp_col sf_cases[] = {
	{"case_id", "external_id"}, {"id", "external_id"}, {"case_number", "external_id"},
	{"subject", "title"},
	{"description", "description"},
	{"priority", "severity"},
	{"status", "status"},
	{"date_time_opened", "opened_at"}, {"opened_date", "opened_at"}, {"createddate", "opened_at"},
	{"date_time_closed", "resolved_at"}, {"closed_date", "resolved_at"}, {"closeddate", "resolved_at"},
	{"account_id", "account_ext"}, {"accountid", "account_ext"},
	{"account_name", "account"},
	{"case_owner", "owner"}, {"ownerid", "owner"},
	{"contact_name", "ignore"}, {"case_origin", "ignore"}, {"origin", "ignore"}, {"type", "ignore"},
	END,
};

static const struct imp_col sf_interactions[] = {
	{"activity_id", "external_id"}, {"id", "external_id"},
	{"subject", "summary"},
	{"comments", "next_step"}, {"description", "next_step"},
	{"type", "kind"}, {"task_subtype", "kind"}, {"tasksubtype", "kind"},
	{"date", "occurred_at"}, {"activity_date", "occurred_at"}, {"activitydate", "occurred_at"},
	{"start", "occurred_at"}, {"startdatetime", "occurred_at"},
	{"account_id", "account_ext"}, {"accountid", "account_ext"}, {"whatid", "account_ext"},
	{"company_account", "account"}, {"account_name", "account"}, {"related_to", "account"},
	{"assigned", "users"}, {"assigned_to", "users"}, {"ownerid", "users"},
	{"contact", "contacts"}, {"name", "contacts"}, {"whoid", "contacts"},
	{"status", "ignore"}, {"priority", "ignore"},
	END,
};

static const struct imp_col sf_products[] = {
	{"product_id", "external_id"}, {"id", "external_id"}, {"product_code", "external_id"},
	{"productcode", "external_id"},
	{"product_name", "name"}, {"name", "name"},
	{"product_family", "family"}, {"family", "family"},
	{"list_price", "list_price"}, {"unitprice", "list_price"}, {"unit_price", "list_price"},
	{"product_currency", "currency"}, {"currencyisocode", "currency"},
	{"currency_iso_code", "currency"},
	{"active", "ignore"}, {"isactive", "ignore"}, {"product_description", "ignore"},
	END,
};

static const struct imp_col sf_surveys[] = {
	{"response_id", "external_id"}, {"id", "external_id"},
	{"account_id", "account_ext"}, {"account_name", "account"},
	{"contact_id", "contact"}, {"contact_email", "contact"}, {"email", "contact"},
	{"score", "score"}, {"nps_score", "score"},
	{"likelihood_to_recommend", "score"},
	{"comment", "comment"}, {"comments", "comment"},
	{"date", "answered_on"}, {"response_date", "answered_on"}, {"completed_date", "answered_on"},
	{"survey_type", "kind"},
	END,
};

static const struct imp_col hs_companies[] = {
	{"record_id", "external_id"}, {"company_id", "external_id"}, {"hs_object_id", "external_id"},
	{"company_name", "name"}, {"name", "name"},
	{"industry", "industry"},
	{"country_region", "country"}, {"country", "country"},
	{"state_region", "region"},
	{"website_url", "website"}, {"website", "website"},
	{"company_owner", "owner"}, {"hubspot_owner", "owner"},
	{"annual_revenue", "potential_annual_spend"},
	{"description", "notes"},
	{"lifecycle_stage", "ignore"}, {"phone_number", "ignore"}, {"city", "ignore"},
	{"create_date", "ignore"}, {"number_of_employees", "ignore"}, {"company_domain_name", "ignore"},
	{"last_activity_date", "ignore"}, {"parent_company", "parent"},
	{"parent_company_id", "parent_ext"},
	END,
};

static const struct imp_col hs_contacts[] = {
	{"record_id", "external_id"}, {"contact_id", "external_id"}, {"hs_object_id", "external_id"},
	{"first_name", "first_name"}, {"last_name", "last_name"},
	{"email", "email"}, {"job_title", "title"}, {"phone_number", "phone"},
	{"department", "department"},
	{"associated_company", "account"}, {"company_name", "account"},
	{"associated_company_ids", "account_ext"}, {"associated_company_id", "account_ext"},
	{"contact_owner", "owner"},
	{"lifecycle_stage", "ignore"}, {"lead_status", "ignore"}, {"create_date", "ignore"},
	{"last_activity_date", "ignore"}, {"mobile_phone_number", "ignore"},
	END,
};

static const struct imp_col hs_deals[] = {
	{"record_id", "external_id"}, {"deal_id", "external_id"}, {"hs_object_id", "external_id"},
	{"deal_name", "name"}, {"amount", "amount"}, {"close_date", "expected_close_on"},
	{"deal_stage", "stage"}, {"deal_type", "kind"}, {"deal_owner", "owner"},
	{"associated_company", "account"}, {"associated_company_ids", "account_ext"},
	{"associated_company_id", "account_ext"},
	{"currency", "currency"}, {"deal_probability", "probability"},
	{"pipeline", "ignore"}, {"create_date", "ignore"}, {"last_activity_date", "ignore"},
	END,
};

static const struct imp_col hs_tickets[] = {
	{"record_id", "external_id"}, {"ticket_id", "external_id"}, {"hs_object_id", "external_id"},
	{"ticket_name", "title"}, {"ticket_description", "description"},
	{"priority", "severity"}, {"ticket_status", "status"},
	{"create_date", "opened_at"}, {"close_date", "resolved_at"},
	{"associated_company", "account"}, {"associated_company_ids", "account_ext"},
	{"ticket_owner", "owner"},
	{"pipeline", "ignore"}, {"source", "ignore"}, {"category", "ignore"},
	END,
};

static const struct imp_col hs_activities[] = {
	{"record_id", "external_id"}, {"activity_id", "external_id"},
	{"activity_type", "kind"}, {"meeting_name", "summary"}, {"call_title", "summary"},
	{"body_preview", "summary"}, {"activity_date", "occurred_at"},
	{"meeting_start_time", "occurred_at"},
	{"associated_company", "account"}, {"associated_company_ids", "account_ext"},
	{"activity_assigned_to", "users"}, {"associated_contacts", "contacts"},
	{"meeting_outcome", "ignore"}, {"call_outcome", "ignore"},
	END,
};

static const struct imp_col hs_products[] = {
	{"record_id", "external_id"}, {"sku", "external_id"}, {"name", "name"},
	{"product_type", "family"}, {"product_family", "family"},
	{"unit_price", "list_price"}, {"price", "list_price"}, {"currency", "currency"},
	{"description", "ignore"},
	END,
};

static const struct imp_col hs_feedback[] = {
	{"record_id", "external_id"}, {"submission_id", "external_id"},
	{"contact_email", "contact"}, {"email", "contact"},
	{"associated_company", "account"}, {"rating", "score"}, {"nps_score", "score"},
	{"response", "comment"}, {"comment", "comment"}, {"submitted_at", "answered_on"},
	{"submission_date", "answered_on"}, {"survey_type", "kind"},
	END,
};

static const char *const money_accounts[] = {"potential_annual_spend", NULL};
static const char *const money_amount[] = {"amount", NULL};
static const char *const money_products[] = {"list_price", NULL};
static const char *const money_contracts[] = {"annual_value", NULL};
static const char *const money_targets[] = {"amount", NULL};
static const char *const none[] = {NULL};

static const char *const def_accounts[] = {"status=active", NULL};
static const char *const def_users[] = {"role=kam", NULL};
static const char *const def_opportunities[] = {"kind=new_business", NULL};
static const char *const def_interactions[] = {"kind=meeting", NULL};
static const char *const def_cases[] = {"severity=medium", NULL};
static const char *const def_surveys[] = {"kind=nps", NULL};
static const char *const def_contracts[] = {"status=active", NULL};

static const struct imp_kind kinds[] = {
	{"accounts", "account", sf_accounts, hs_companies, money_accounts, def_accounts},
	{"contacts", "contact", sf_contacts, hs_contacts, none, none},
	{"products", "product", sf_products, hs_products, money_products, none},
	{"units", "unit", NULL, NULL, none, none},
	{"fx-rates", "FX rate", NULL, NULL, none, none},
	{"transactions", "transaction", NULL, NULL, money_amount, none},
	{"opportunities", "opportunity", sf_opportunities, hs_deals, money_amount, def_opportunities},
	{"interactions", "interaction", sf_interactions, hs_activities, none, def_interactions},
	{"cases", "case", sf_cases, hs_tickets, none, def_cases},
	{"surveys", "survey", sf_surveys, hs_feedback, none, def_surveys},
	{"users", "user", NULL, NULL, none, def_users},
	{"contracts", "contract", NULL, NULL, money_contracts, def_contracts},
	{"targets", "forecast target", NULL, NULL, money_targets, none},
};

const struct imp_kind *imp_kind_get(const char *name)
{
	for (size_t i = 0; name && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

const char *imp_map_target(const struct imp_kind *k, const char *mapping, const char *key)
{
	const struct imp_col *c = NULL;

	if (mapping && !strcmp(mapping, "salesforce"))
		c = k->salesforce;
	else if (mapping && !strcmp(mapping, "hubspot"))
		c = k->hubspot;
	for (; c && c->key; c++)
		if (!strcmp(c->key, key))
			return c->target;
	return NULL;
}

/* Picklist values of both systems in kam's terms (field, normalised source value, ours). */
static const struct {
	const char *field, *from, *to;
} values[] = {
	/* opportunity stages: Salesforce's default sales process, HubSpot's default pipeline */
	{"stage", "prospecting", "identified"},
	{"stage", "appointmentscheduled", "identified"},
	{"stage", "appointment_scheduled", "identified"},
	{"stage", "qualification", "qualified"},
	{"stage", "needs_analysis", "qualified"},
	{"stage", "qualifiedtobuy", "qualified"},
	{"stage", "qualified_to_buy", "qualified"},
	{"stage", "value_proposition", "proposal"},
	{"stage", "id_decision_makers", "proposal"},
	{"stage", "perception_analysis", "proposal"},
	{"stage", "proposal_price_quote", "proposal"},
	{"stage", "presentationscheduled", "proposal"},
	{"stage", "presentation_scheduled", "proposal"},
	{"stage", "negotiation_review", "negotiation"},
	{"stage", "decisionmakerboughtin", "negotiation"},
	{"stage", "decision_maker_bought_in", "negotiation"},
	{"stage", "contractsent", "negotiation"},
	{"stage", "contract_sent", "negotiation"},
	{"stage", "closed_won", "won"},
	{"stage", "closedwon", "won"},
	{"stage", "engaging", "qualified"},
	{"stage", "engaged", "qualified"},
	{"stage", "closed_lost", "lost"},
	{"stage", "closedlost", "lost"},
	/* opportunity types */
	{"kind", "new_customer", "new_business"},
	{"kind", "newbusiness", "new_business"},
	{"kind", "new", "new_business"},
	{"kind", "existing_customer_upgrade", "upsell"},
	{"kind", "existingbusiness", "upsell"},
	{"kind", "existing_business", "upsell"},
	{"kind", "existing_customer_replacement", "renewal"},
	{"kind", "existing_customer_downgrade", "renewal"},
	{"kind", "renewal", "renewal"},
	/* activities */
	{"kind", "task", "note"},
	{"kind", "todo", "note"},
	{"kind", "other", "note"},
	{"kind", "meetings", "meeting"},
	{"kind", "calls", "call"},
	{"kind", "emails", "email"},
	{"kind", "incoming_email", "email"},
	{"kind", "outgoing_email", "email"},
	{"kind", "csat_survey", "csat"},
	{"kind", "nps_survey", "nps"},
	{"kind", "customer_satisfaction", "csat"},
	{"kind", "net_promoter_score", "nps"},
	/* case priority and status */
	{"severity", "urgent", "critical"},
	{"severity", "p1", "critical"},
	{"severity", "p2", "high"},
	{"severity", "p3", "medium"},
	{"severity", "p4", "low"},
	{"status", "new", "open"},
	{"status", "1", "open"},
	{"status", "working", "in_progress"},
	{"status", "escalated", "in_progress"},
	{"status", "on_hold", "in_progress"},
	{"status", "waiting_on_contact", "in_progress"},
	{"status", "waiting_on_us", "in_progress"},
	{"status", "2", "in_progress"},
	{"status", "3", "in_progress"},
	{"status", "4", "closed"},
	/* account types */
	{"status", "customer", "active"},
	{"status", "customer_direct", "active"},
	{"status", "customer_channel", "active"},
	{"status", "prospect", "prospect"},
	{"status", "former_customer", "churned"},
	{"status", "churned", "churned"},
};

const char *imp_map_value(const char *field, const char *key)
{
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (!strcmp(values[i].field, field) && !strcmp(values[i].from, key))
			return values[i].to;
	return NULL;
}

int imp_is_ref_target(const char *t)
{
	static const char *const refs[] = {"account", "account_ext", "owner", "product", "contact",
					   "reports_to", "unit", "users", "contacts", "parent",
					   "parent_ext", "manager", "products", NULL};

	for (const char *const *r = refs; *r; r++)
		if (!strcmp(*r, t))
			return 1;
	return 0;
}

int imp_money_field(const char *entity, const char *field)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kinds[i].entity, entity) != 0)
			continue;
		for (const char *const *m = kinds[i].money; *m; m++)
			if (!strcmp(*m, field))
				return 1;
	}
	return !strcmp(entity, "transaction") && !strcmp(field, "amount_base");
}
