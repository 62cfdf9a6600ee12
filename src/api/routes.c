/* The one route table: method, path, handler, flags, roles allowed (0 = any logged-in user). */
#include "api/api.h"

#define PUB (ROUTE_PUBLIC | ROUTE_NODB)
#define ACCOUNT_WRITERS (R_STAFF | R(ROLE_KAM) | R(ROLE_MEMBER))
#define ACCOUNT_CREATORS (R_STAFF | R(ROLE_KAM))

const struct http_route api_routes[] = {
	{"GET", "/", api_root, PUB, 0},
	{"GET", "/healthz", api_healthz, PUB, 0},
	{"GET", "/readyz", api_readyz, ROUTE_PUBLIC, 0},
	{"GET", "/api/v1/openapi.json", api_openapi, PUB, 0},

	{"POST", "/api/v1/session", api_session_create, ROUTE_PUBLIC, 0},
	{"GET", "/api/v1/session", api_session_get, 0, 0},
	{"DELETE", "/api/v1/session", api_session_delete, 0, 0},
	{"GET", "/api/v1/me", api_me_get, 0, 0},
	{"POST", "/api/v1/me/password", api_me_password, 0, 0},

	{"GET", "/api/v1/tokens", api_token_list, 0, 0},
	{"POST", "/api/v1/tokens", api_token_create, 0, 0},
	{"DELETE", "/api/v1/tokens/:id", api_token_delete, 0, 0},

	{"GET", "/api/v1/users", api_user_list, 0, 0},
	{"POST", "/api/v1/users", api_user_create, 0, R_ADMIN},
	{"GET", "/api/v1/users/:id", api_user_get, 0, 0},
	{"PATCH", "/api/v1/users/:id", api_user_update, 0, R_ADMIN},

	{"GET", "/api/v1/accounts", api_account_list, 0, 0},
	{"POST", "/api/v1/accounts", api_account_create, 0, ACCOUNT_CREATORS},
	{"GET", "/api/v1/accounts/:id", api_account_get, 0, 0},
	{"PATCH", "/api/v1/accounts/:id", api_account_update, 0, ACCOUNT_WRITERS},
	{"DELETE", "/api/v1/accounts/:id", api_account_delete, 0, ACCOUNT_CREATORS},
	{"GET", "/api/v1/accounts/:id/team", api_team_list, 0, 0},
	{"PUT", "/api/v1/accounts/:id/team/:user_id", api_team_put, 0, ACCOUNT_CREATORS},
	{"DELETE", "/api/v1/accounts/:id/team/:user_id", api_team_delete, 0, ACCOUNT_CREATORS},

	{"GET", "/api/v1/contacts", api_contact_list, 0, 0},
	{"POST", "/api/v1/contacts", api_contact_create, 0, ACCOUNT_WRITERS},
	{"GET", "/api/v1/contacts/:id", api_contact_get, 0, 0},
	{"PATCH", "/api/v1/contacts/:id", api_contact_update, 0, ACCOUNT_WRITERS},
	{"DELETE", "/api/v1/contacts/:id", api_contact_delete, 0, ACCOUNT_WRITERS},

	{"GET", "/api/v1/audit", api_audit_list, 0, R_STAFF},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
