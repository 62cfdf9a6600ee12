/* The one route table: method, path, handler, flags, roles allowed (0 = any logged-in user). */
#include "api/api.h"
#include "api/resource.h"

#define PUB (ROUTE_PUBLIC | ROUTE_NODB)
#define ACCOUNT_WRITERS (R_STAFF | R(ROLE_KAM) | R(ROLE_MEMBER))
#define ACCOUNT_CREATORS (R_STAFF | R(ROLE_KAM))

/* the five routes of a resource served by api_res_* (resource.h) */
#define CRUD(path, res, writers)                                                                  \
	{"GET", path, api_res_list, 0, 0, &res}, {"POST", path, api_res_create, 0, writers, &res}, \
		{"GET", path "/:id", api_res_get, 0, 0, &res},                                     \
		{"PATCH", path "/:id", api_res_update, 0, writers, &res},                          \
	{                                                                                          \
		"DELETE", path "/:id", api_res_delete, 0, writers, &res                            \
	}

const struct http_route api_routes[] = {
	{"GET", "/", api_root, PUB, 0, NULL},
	{"GET", "/healthz", api_healthz, PUB, 0, NULL},
	{"GET", "/readyz", api_readyz, ROUTE_PUBLIC, 0, NULL},
	{"GET", "/api/v1/openapi.json", api_openapi, PUB, 0, NULL},

	{"POST", "/api/v1/session", api_session_create, ROUTE_PUBLIC, 0, NULL},
	{"GET", "/api/v1/session", api_session_get, 0, 0, NULL},
	{"DELETE", "/api/v1/session", api_session_delete, 0, 0, NULL},
	{"GET", "/api/v1/me", api_me_get, 0, 0, NULL},
	{"POST", "/api/v1/me/password", api_me_password, 0, 0, NULL},
	{"GET", "/api/v1/me/calendar", api_calendar_get, 0, 0, NULL},
	{"POST", "/api/v1/me/calendar", api_calendar_create, 0, 0, NULL},
	{"DELETE", "/api/v1/me/calendar", api_calendar_delete, 0, 0, NULL},
	{"GET", "/api/v1/calendar/:token", api_calendar_feed, ROUTE_PUBLIC, 0, NULL},

	{"GET", "/api/v1/tokens", api_token_list, 0, 0, NULL},
	{"POST", "/api/v1/tokens", api_token_create, 0, 0, NULL},
	{"DELETE", "/api/v1/tokens/:id", api_token_delete, 0, 0, NULL},

	{"GET", "/api/v1/users", api_user_list, 0, 0, NULL},
	{"POST", "/api/v1/users", api_user_create, 0, R_ADMIN, NULL},
	{"GET", "/api/v1/users/:id", api_user_get, 0, 0, NULL},
	{"PATCH", "/api/v1/users/:id", api_user_update, 0, R_ADMIN, NULL},

	{"GET", "/api/v1/accounts", api_account_list, 0, 0, NULL},
	{"POST", "/api/v1/accounts", api_account_create, 0, ACCOUNT_CREATORS, NULL},
	{"GET", "/api/v1/accounts/:id", api_account_get, 0, 0, NULL},
	{"PATCH", "/api/v1/accounts/:id", api_account_update, 0, ACCOUNT_WRITERS, NULL},
	{"DELETE", "/api/v1/accounts/:id", api_account_delete, 0, ACCOUNT_CREATORS, NULL},
	{"GET", "/api/v1/accounts/:id/team", api_team_list, 0, 0, NULL},
	{"GET", "/api/v1/accounts/:id/shares", api_share_list, 0, 0, NULL},
	{"POST", "/api/v1/accounts/:id/shares", api_share_create, 0, ACCOUNT_CREATORS, NULL},
	{"DELETE", "/api/v1/accounts/:id/shares/:share_id", api_share_delete, 0, ACCOUNT_CREATORS, NULL},
	{"GET", "/api/v1/shared/:token", api_shared, ROUTE_PUBLIC, 0, NULL},
	{"PUT", "/api/v1/accounts/:id/team/:user_id", api_team_put, 0, ACCOUNT_CREATORS, NULL},
	{"DELETE", "/api/v1/accounts/:id/team/:user_id", api_team_delete, 0, ACCOUNT_CREATORS, NULL},

	CRUD("/api/v1/contacts", res_contacts, ACCOUNT_WRITERS),
	{"GET", "/api/v1/contacts/:id/export", api_contact_export, 0, ACCOUNT_CREATORS, NULL},
	{"POST", "/api/v1/contacts/:id/erase", api_contact_erase, 0, ACCOUNT_CREATORS, NULL},

	{"GET", "/api/v1/audit", api_audit_list, 0, R_STAFF, NULL},

	/* getting data in */
	{"POST", "/api/v1/imports", api_import_create, ROUTE_RAW_BODY, ACCOUNT_CREATORS, NULL},
	{"GET", "/api/v1/imports", api_import_list, 0, ACCOUNT_CREATORS, NULL},
	{"GET", "/api/v1/imports/:id", api_import_get, 0, ACCOUNT_CREATORS, NULL},

	/* identification and segmentation */
	{"GET", "/api/v1/settings", api_settings_get, 0, 0, NULL},
	{"GET", "/api/v1/currencies", api_currencies, 0, 0, NULL},
	{"PATCH", "/api/v1/settings", api_settings_update, 0, R_STAFF, NULL},
	{"POST", "/api/v1/settings/preview", api_settings_preview, 0, R_STAFF, NULL},
	{"GET", "/api/v1/accounts/:id/score", api_account_score, 0, 0, NULL},
	{"GET", "/api/v1/portfolio/pareto", api_portfolio_pareto, 0, 0, NULL},
	{"GET", "/api/v1/portfolio/matrix", api_portfolio_matrix, 0, 0, NULL},
	{"GET", "/api/v1/kpis", api_kpis, 0, 0, NULL},
	{"GET", "/api/v1/accounts/:id/health", api_account_health, 0, 0, NULL},
	{"GET", "/api/v1/accounts/:id/health/history", api_account_health_history, 0, 0, NULL},
	{"GET", "/api/v1/alerts", api_alert_list, 0, 0, NULL},
	{"POST", "/api/v1/alerts/evaluate", api_alert_evaluate, 0, R_STAFF, NULL},
	{"GET", "/api/v1/alerts/:id", api_alert_get, 0, 0, NULL},
	{"PATCH", "/api/v1/alerts/:id", api_alert_update, 0, 0, NULL},
	{"GET", "/api/v1/kpis/rows", api_kpi_rows, 0, 0, NULL},

	/* account plans */
	CRUD("/api/v1/plans", res_plans, ACCOUNT_WRITERS),
	{"GET", "/api/v1/plans/:id/document", api_plan_document, 0, 0, NULL},
	CRUD("/api/v1/objectives", res_objectives, ACCOUNT_WRITERS),
	CRUD("/api/v1/actions", res_actions, ACCOUNT_WRITERS),
	CRUD("/api/v1/plan-resources", res_plan_resources, ACCOUNT_WRITERS),
	CRUD("/api/v1/reviews", res_reviews, ACCOUNT_WRITERS),
	{"GET", "/api/v1/kams/workload", api_kam_workload, 0, 0, NULL},

	/* what we sell, to whom, and what it brought */
	CRUD("/api/v1/products", res_products, R_STAFF),
	CRUD("/api/v1/units", res_units, ACCOUNT_WRITERS),
	CRUD("/api/v1/opportunities", res_opportunities, ACCOUNT_WRITERS),
	CRUD("/api/v1/fx-rates", res_fx_rates, R_STAFF),
	CRUD("/api/v1/transactions", res_transactions, ACCOUNT_CREATORS),
	{"POST", "/api/v1/transactions/bulk", api_transactions_bulk, ROUTE_RAW_BODY, ACCOUNT_CREATORS,
	 NULL},
	{"GET", "/api/v1/accounts/:id/whitespace", api_account_whitespace, 0, 0, NULL},
	{"GET", "/api/v1/accounts/:id/pipeline", api_account_pipeline, 0, 0, NULL},

	/* engagement: interactions, cases, risks, surveys */
	CRUD("/api/v1/interactions", res_interactions, ACCOUNT_WRITERS),
	CRUD("/api/v1/cases", res_cases, ACCOUNT_WRITERS),
	CRUD("/api/v1/risks", res_risks, ACCOUNT_WRITERS),
	CRUD("/api/v1/surveys", res_surveys, ACCOUNT_WRITERS),
	{"GET", "/api/v1/accounts/:id/risk-matrix", api_account_risk_matrix, 0, 0, NULL},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
