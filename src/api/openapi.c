/*
 * The OpenAPI 3.1 description, generated from the route table and the data model, so it
 * cannot drift from what the server does. `kam openapi` prints it; docs/openapi.json is
 * that output, and a test checks the two are the same.
 */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "api/resource.h"

enum kind { K_LIST, K_CREATE, K_GET, K_UPDATE, K_DELETE, K_PUT, K_OBJ, K_HTML, K_EMPTY, K_DOC, K_ICS, K_NEW };

struct doc {
	const char *method, *pattern;
	const char *summary;
	const struct model_entity *e;
	enum kind k;
};

/* Routes not served by api_res_*: what they do and what they return. */
static const struct doc docs[] = {
	{"GET", "/", "The landing page", NULL, K_HTML},
	{"GET", "/healthz", "Liveness: the process answers", NULL, K_OBJ},
	{"GET", "/readyz", "Readiness: the database answers (503 otherwise)", NULL, K_OBJ},
	{"GET", "/api/v1/openapi.json", "This description", NULL, K_OBJ},
	{"POST", "/api/v1/session",
	 "Log in with {email, password}: sets the kam_session cookie, returns {user, csrf_token}; "
	 "5 failures a minute per e-mail or address give 429",
	 NULL, K_OBJ},
	{"GET", "/api/v1/session", "The session's user and CSRF token", NULL, K_OBJ},
	{"DELETE", "/api/v1/session", "Log out", NULL, K_EMPTY},
	{"GET", "/api/v1/me", "The caller", &model_user, K_GET},
	{"POST", "/api/v1/me/password",
	 "Change my password with {current_password, new_password}; ends every session, token "
	 "and calendar feed",
	 NULL, K_EMPTY},
	{"GET", "/api/v1/tokens", "My API tokens (all=true: everyone's, admins)", NULL, K_OBJ},
	{"POST", "/api/v1/tokens",
	 "Create an API token {name, expires_at (optional, RFC 3339, within 5 years)}; the "
	 "token is shown once",
	 NULL, K_OBJ},
	{"DELETE", "/api/v1/tokens/:id", "Revoke an API token", NULL, K_EMPTY},
	{"GET", "/api/v1/me/calendar", "Whether I have a calendar feed {active, created_at}", NULL,
	 K_OBJ},
	{"POST", "/api/v1/me/calendar",
	 "Create or rotate my calendar feed: {url, path, created_at, rotated}; the URL is shown "
	 "once and the previous one stops working",
	 NULL, K_NEW},
	{"DELETE", "/api/v1/me/calendar", "Revoke my calendar feed", NULL, K_EMPTY},
	{"GET", "/api/v1/calendar/:token",
	 "The iCalendar feed (RFC 5545) of a feed URL, {token}.ics: action due dates, plan "
	 "reviews, renewals and case SLA deadlines of the owner's accounts; no login",
	 NULL, K_ICS},
	{"GET", "/api/v1/contacts/:id/export",
	 "Everything held about a contact: {contact, interactions, surveys, audit} (privacy "
	 "request; directors, admins, the account's KAM; audited)",
	 NULL, K_OBJ},
	{"POST", "/api/v1/contacts/:id/erase",
	 "Anonymise a contact everywhere, keeping NPS, counts and links (privacy request; "
	 "idempotent; audited without personal data)",
	 NULL, K_OBJ},
	{"GET", "/api/v1/users", "List users", &model_user, K_LIST},
	{"POST", "/api/v1/users",
	 "Create a user (admins); without password one is generated and returned once",
	 &model_user, K_CREATE},
	{"GET", "/api/v1/users/:id", "Read a user", &model_user, K_GET},
	{"PATCH", "/api/v1/users/:id",
	 "Change a user (admins); deactivating or a new password ends their sessions and tokens",
	 &model_user, K_UPDATE},
	{"GET", "/api/v1/accounts", "List the accounts the caller may see", &model_account, K_LIST},
	{"POST", "/api/v1/accounts", "Create an account", &model_account, K_CREATE},
	{"GET", "/api/v1/accounts/:id", "Read an account", &model_account, K_GET},
	{"PATCH", "/api/v1/accounts/:id", "Change an account", &model_account, K_UPDATE},
	{"DELETE", "/api/v1/accounts/:id", "Delete an account and what hangs on it", &model_account,
	 K_DELETE},
	{"GET", "/api/v1/accounts/:id/team", "The account team", NULL, K_OBJ},
	{"PUT", "/api/v1/accounts/:id/team/:user_id", "Add a user to the team, or change their role",
	 NULL, K_PUT},
	{"DELETE", "/api/v1/accounts/:id/team/:user_id", "Take a user off the team", NULL, K_EMPTY},
	{"GET", "/api/v1/accounts/:id/shares", "The account's client share links (without tokens)",
	 NULL, K_OBJ},
	{"POST", "/api/v1/accounts/:id/shares",
	 "Create a client share link {expires_in_days: 1..90, default 30}; the token is shown once",
	 NULL, K_OBJ},
	{"DELETE", "/api/v1/accounts/:id/shares/:share_id", "Revoke a client share link", NULL,
	 K_EMPTY},
	{"GET", "/api/v1/shared/:token",
	 "What a share link shows the client: agreed objectives, actions, service KPIs; no login",
	 NULL, K_OBJ},
	{"GET", "/api/v1/audit", "The audit log, newest first (entity, id, limit, cursor)", NULL,
	 K_OBJ},
	{"POST", "/api/v1/imports",
	 "Import a CSV file (text/csv, or JSON {csv, mapping}); query: kind, mapping "
	 "(salesforce|hubspot), dry_run, atomic, date_format, async. Replies 201 with the run: "
	 "counts, rejected rows with line, column and reason, ignored columns; with async=true, "
	 "202 at once and the run at its Location shows progress, then the result",
	 NULL, K_OBJ},
	{"GET", "/api/v1/imports", "Import runs, newest last (a kam sees their own)", NULL, K_OBJ},
	{"GET", "/api/v1/imports/:id",
	 "One import run with its rejected rows; while it runs, progress {rows_done, rows_total}",
	 NULL, K_OBJ},
	{"GET", "/api/v1/settings", "The settings in force", NULL, K_OBJ},
	{"GET", "/api/v1/currencies",
	 "The ISO 4217 currencies kam accepts, {items: [{code, digits, status}]}: digits is the "
	 "minor unit amounts are counted in (JPY 0, EUR 2, KWD 3); status active, no_minor_unit "
	 "(ISO gives none: whole units) or withdrawn (kept for history)",
	 NULL, K_OBJ},
	{"PATCH", "/api/v1/settings",
	 "Change settings (directors, admins); scores are recomputed in the same transaction",
	 NULL, K_OBJ},
	{"POST", "/api/v1/settings/preview",
	 "Who would be key, potential or standard under proposed settings; nothing is saved",
	 NULL, K_OBJ},
	{"GET", "/api/v1/accounts/:id/score",
	 "The account's score with each criterion's raw value, normalized value, weight and "
	 "contribution, and its tier",
	 NULL, K_OBJ},
	{"GET", "/api/v1/portfolio/pareto",
	 "Accounts by revenue with cumulative share and how many make 80% (from, to: YYYY-MM)", NULL,
	 K_OBJ},
	{"GET", "/api/v1/portfolio/matrix",
	 "Key accounts by attractiveness and relationship strength in four segments; from, to "
	 "(YYYY-MM) set the months of each bubble's revenue; explain=false leaves out the "
	 "strength components",
	 NULL, K_OBJ},
	{"GET", "/api/v1/kpis",
	 "KPIs of a scope (portfolio, account, kam, segment) for [from, to) and the previous "
	 "period; interval=month|quarter|year adds a series",
	 NULL, K_OBJ},
	{"GET", "/api/v1/kpis/rows", "The rows one KPI counted (name, scope, id, from, to)", NULL,
	 K_OBJ},
	{"GET", "/api/v1/accounts/:id/health",
	 "The health score with its parts: value, weight, points and a reason", NULL, K_OBJ},
	{"GET", "/api/v1/accounts/:id/health/history", "Daily health scores (from)", NULL, K_OBJ},
	{"GET", "/api/v1/alerts", "List alerts", &model_alert, K_LIST},
	{"POST", "/api/v1/alerts/evaluate", "Evaluate every alert rule now (directors, admins)",
	 NULL, K_OBJ},
	{"GET", "/api/v1/alerts/:id", "Read an alert", &model_alert, K_GET},
	{"PATCH", "/api/v1/alerts/:id",
	 "Acknowledge, snooze (until), reopen or resolve an alert {state, snoozed_until}",
	 &model_alert, K_UPDATE},
	{"GET", "/api/v1/plans/:id/document",
	 "The plan on one A4 page, PDF (default) or HTML: situation, objectives, actions, "
	 "stakeholders, risks, KPIs, revenue chart",
	 NULL, K_DOC},
	{"GET", "/api/v1/kams/workload", "Each KAM's key accounts against capacity, and actions",
	 NULL, K_OBJ},
	{"POST", "/api/v1/transactions/bulk",
	 "Import transactions as NDJSON or CSV, idempotent by external_id", NULL, K_OBJ},
	{"GET", "/api/v1/accounts/:id/whitespace", "Units × products: sold, pipeline, white space",
	 NULL, K_OBJ},
	{"GET", "/api/v1/accounts/:id/pipeline", "Open pipeline totals and weighted value", NULL,
	 K_OBJ},
	{"GET", "/api/v1/accounts/:id/risk-matrix", "The 5×5 risk heat map of the account", NULL,
	 K_OBJ},
};

static const struct doc *find_doc(const struct http_route *r)
{
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (!strcmp(docs[i].method, r->method) && !strcmp(docs[i].pattern, r->pattern))
			return &docs[i];
	return NULL;
}

static json_t *field_schema(const struct model_field *f, bool nullable)
{
	json_t *s = json_object();
	const char *type = "string";

	switch (f->type) {
	case MT_INT:
	case MT_REF:
		type = "integer";
		if (f->min || f->max) {
			json_object_set_new(s, "minimum", json_integer(f->min));
			json_object_set_new(s, "maximum", json_integer(f->max));
		}
		break;
	case MT_NUM:
		type = "number";
		break;
	case MT_BOOL:
		type = "boolean";
		break;
	case MT_DATE:
		json_object_set_new(s, "format", json_string("date"));
		break;
	case MT_TIME:
		json_object_set_new(s, "format", json_string("date-time"));
		break;
	case MT_ENUM: {
		json_t *e = json_array();

		for (const char *const *v = f->values; v && *v; v++)
			json_array_append_new(e, json_string(*v));
		if (nullable)
			json_array_append_new(e, json_null());
		json_object_set_new(s, "enum", e);
		break;
	}
	case MT_CURRENCY:
		json_object_set_new(s, "pattern", json_string("^[A-Z]{3}$"));
		break;
	case MT_EMAIL:
		json_object_set_new(s, "format", json_string("email"));
		break;
	case MT_URL:
		json_object_set_new(s, "format", json_string("uri"));
		json_object_set_new(s, "pattern", json_string("^https?://"));
		break;
	case MT_TAGS:
		type = "array";
		json_object_set_new(s, "items", json_pack("{s:s,s:i,s:I}", "type", "string",
							  "minLength", 1, "maxLength",
							  (json_int_t)f->max));
		json_object_set_new(s, "maxItems", json_integer(20));
		break;
	case MT_REFS:
		type = "array";
		json_object_set_new(s, "items", json_pack("{s:s,s:i}", "type", "integer", "minimum", 1));
		json_object_set_new(s, "maxItems", json_integer(f->max));
		break;
	default:
		break;
	}
	if (f->type == MT_TEXT && f->max > 0)
		json_object_set_new(s, "maxLength", json_integer(f->max));
	json_object_set_new(s, "type", nullable ? json_pack("[s,s]", type, "null") : json_string(type));
	return s;
}

static void entity_schemas(json_t *schemas, const struct model_entity *e, const char *name)
{
	json_t *out = json_object(), *in = json_object(), *patch = json_object(), *req = json_array(),
	       *oreq = json_array();
	char key[80];

	for (size_t i = 0; i < e->nfields; i++) {
		const struct model_field *f = &e->fields[i];
		bool nullable = !(f->flags & (MF_NOTNULL | MF_REQUIRED)) && f->type != MT_TAGS &&
				f->type != MT_REFS && strcmp(f->name, "id") != 0 &&
				strcmp(f->name, "created_at") != 0 && strcmp(f->name, "updated_at") != 0;

		if (f->flags & MF_INTERNAL)
			continue;
		json_object_set_new(out, f->name, field_schema(f, nullable));
		json_array_append_new(oreq, json_string(f->name));
		if (f->flags & MF_READONLY)
			continue;
		json_object_set_new(in, f->name, field_schema(f, nullable));
		json_object_set_new(patch, f->name, field_schema(f, nullable));
		if (f->flags & MF_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	json_object_set_new(schemas, name,
			    json_pack("{s:s,s:o,s:o}", "type", "object", "properties", out,
				      "required", oreq));
	snprintf(key, sizeof(key), "%sInput", name);
	json_object_set_new(schemas, key,
			    json_pack("{s:s,s:o,s:o,s:b}", "type", "object", "properties", in,
				      "required", req, "additionalProperties", false));
	snprintf(key, sizeof(key), "%sPatch", name);
	json_object_set_new(schemas, key,
			    json_pack("{s:s,s:o,s:b}", "type", "object", "properties", patch,
				      "additionalProperties", false));
}

/* "plan resource" → "PlanResource" */
static void schema_name(const struct model_entity *e, char *out, size_t len)
{
	size_t o = 0;
	bool up = true;

	for (const char *p = e->name; *p && o + 1 < len; p++) {
		if (*p == ' ') {
			up = true;
			continue;
		}
		out[o++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
		up = false;
	}
	out[o] = '\0';
}

static json_t *ref(const char *name)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "#/components/schemas/%s", name);
	return json_pack("{s:s}", "$ref", buf);
}

static json_t *content(json_t *schema)
{
	return json_pack("{s:{s:o}}", "application/json", "schema", schema);
}

static json_t *problem(const char *why)
{
	return json_pack("{s:s,s:{s:{s:o}}}", "description", why, "content",
			 "application/problem+json", "schema", ref("Problem"));
}

static void list_params(json_t *params, const struct model_entity *e)
{
	json_t *sorts = json_array();

	json_array_append_new(params, json_pack("{s:s,s:s,s:{s:s,s:i,s:i,s:i}}", "name", "limit",
						"in", "query", "schema", "type", "integer",
						"minimum", 1, "maximum", 500, "default", 50));
	json_array_append_new(params, json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "cursor", "in",
						"query", "description",
						"next_cursor of the previous page", "schema", "type",
						"string"));
	json_array_append_new(params, json_pack("{s:s,s:s,s:s,s:{s:s,s:i}}", "name", "q", "in",
						"query", "description",
						"case-insensitive search of the text fields", "schema",
						"type", "string", "maxLength", 200));
	for (size_t i = 0; i < e->nfields; i++) {
		const struct model_field *f = &e->fields[i];

		if (f->flags & MF_SORT) {
			char desc[64];

			snprintf(desc, sizeof(desc), "-%s", f->name);
			json_array_append_new(sorts, json_string(f->name));
			json_array_append_new(sorts, json_string(desc));
		}
		if (f->flags & MF_FILTER)
			json_array_append_new(
				params, json_pack("{s:s,s:s,s:o}", "name",
						  f->type == MT_TAGS ? "tag" : f->name, "in", "query",
						  "schema",
						  f->type == MT_TAGS ? json_pack("{s:s}", "type", "string")
								     : field_schema(f, false)));
	}
	json_array_append_new(params, json_pack("{s:s,s:s,s:{s:s,s:o}}", "name", "sort", "in",
						"query", "schema", "type", "string", "enum", sorts));
}

static json_t *operation(const struct http_route *r, const struct doc *d,
			 const struct model_entity *e, enum kind k, const char *summary)
{
	json_t *op = json_object(), *params = json_array(), *resp = json_object();
	char name[64] = "", tag[64] = "ops", path[256], opid[160];
	const char *p = r->pattern;
	size_t o = 0;

	(void)d;
	if (e)
		schema_name(e, name, sizeof(name));
	if (!strncmp(p, "/api/v1/", 8)) {
		snprintf(tag, sizeof(tag), "%s", p + 8);
		tag[strcspn(tag, "/")] = '\0';
	}
	/* path parameters */
	snprintf(path, sizeof(path), "%s", p);
	for (char *s = strtok(path, "/"); s; s = strtok(NULL, "/"))
		if (s[0] == ':' && !strcmp(s, ":token"))
			json_array_append_new(params,
					      json_pack("{s:s,s:s,s:b,s:{s:s,s:i}}", "name", s + 1,
							"in", "path", "required", true, "schema",
							"type", "string", "minLength", 40));
		else if (s[0] == ':')
			json_array_append_new(params,
					      json_pack("{s:s,s:s,s:b,s:{s:s,s:i}}", "name", s + 1,
							"in", "path", "required", true, "schema",
							"type", "integer", "minimum", 1));
	for (const char *s = r->method; *s && o < sizeof(opid) - 1; s++)
		opid[o++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
	for (const char *s = p; *s && o < sizeof(opid) - 1; s++)
		opid[o++] = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ? *s : '_';
	opid[o] = '\0';
	json_object_set_new(op, "operationId", json_string(opid));
	json_object_set_new(op, "summary", json_string(summary));
	json_object_set_new(op, "tags", json_pack("[s]", tag));
	if (r->flags & ROUTE_PUBLIC)
		json_object_set_new(op, "security", json_array());
	if (k == K_LIST && e)
		list_params(params, e);
	if (k == K_DOC)
		json_array_append_new(params,
				      json_pack("{s:s,s:s,s:{s:s,s:[s,s],s:s}}", "name", "format", "in",
						"query", "schema", "type", "string", "enum", "pdf",
						"html", "default", "pdf"));
	if (json_array_size(params))
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
	switch (k) {
	case K_LIST:
		json_object_set_new(
			resp, "200",
			json_pack("{s:s,s:o}", "description", "One page",
				  "content",
				  content(json_pack("{s:s,s:{s:{s:s,s:o},s:{s:[s,s]}},s:[s,s]}", "type",
						    "object", "properties", "items", "type", "array",
						    "items", ref(name), "next_cursor", "type",
						    "string", "null", "required", "items",
						    "next_cursor"))));
		break;
	case K_CREATE: {
		char in[80];

		snprintf(in, sizeof(in), "%sInput", name);
		json_object_set_new(op, "requestBody", json_pack("{s:b,s:o}", "required", true,
								 "content", content(ref(in))));
		json_object_set_new(resp, "201",
				    json_pack("{s:s,s:{s:{s:{s:s}},s:{s:{s:s}}},s:o}", "description",
					      "Created", "headers", "Location", "schema", "type",
					      "string", "ETag", "schema", "type", "string", "content",
					      content(ref(name))));
		json_object_set_new(resp, "409", problem("Conflicts with stored data"));
		json_object_set_new(resp, "415", problem("The body is not application/json"));
		break;
	}
	case K_GET:
		json_object_set_new(resp, "200",
				    json_pack("{s:s,s:{s:{s:{s:s}}},s:o}", "description", "The record",
					      "headers", "ETag", "schema", "type", "string", "content",
					      content(ref(name))));
		break;
	case K_UPDATE: {
		char in[80];

		snprintf(in, sizeof(in), "%sPatch", name);
		json_object_set_new(op, "parameters",
				    json_pack("[O,{s:s,s:s,s:s,s:{s:s}}]",
					      json_array_get(json_object_get(op, "parameters"), 0),
					      "name", "If-Match", "in", "header", "description",
					      "the ETag read; 412 when the record changed since",
					      "schema", "type", "string"));
		json_object_set_new(op, "requestBody", json_pack("{s:b,s:o}", "required", true,
								 "content", content(ref(in))));
		json_object_set_new(resp, "200",
				    json_pack("{s:s,s:o}", "description", "The changed record",
					      "content", content(ref(name))));
		json_object_set_new(resp, "409", problem("Conflicts with stored data"));
		json_object_set_new(resp, "412", problem("If-Match did not match: read it again"));
		break;
	}
	case K_DELETE:
		json_object_set_new(resp, "204", json_pack("{s:s}", "description", "Deleted"));
		json_object_set_new(resp, "412", problem("If-Match did not match: read it again"));
		break;
	case K_EMPTY:
		json_object_set_new(resp, "204", json_pack("{s:s}", "description", "Done"));
		break;
	case K_PUT:
		json_object_set_new(op, "requestBody",
				    json_pack("{s:b,s:o}", "required", true, "content",
					      content(json_pack("{s:s,s:{s:{s:s,s:i,s:i}},s:[s],s:b}",
								"type", "object", "properties",
								"role", "type", "string", "minLength",
								1, "maxLength", 100, "required", "role",
								"additionalProperties", false))));
		json_object_set_new(resp, "200", json_pack("{s:s,s:o}", "description", "Changed",
							   "content",
							   content(json_pack("{s:s}", "type", "object"))));
		json_object_set_new(resp, "201", json_pack("{s:s,s:o}", "description", "Added",
							   "content",
							   content(json_pack("{s:s}", "type", "object"))));
		break;
	case K_DOC:
		json_object_set_new(
			resp, "200",
			json_pack("{s:s,s:{s:{s:s,s:{s:s}}},s:{s:{s:{s:s,s:s}},s:{s:{s:s}}}}",
				  "description", "The document, named in Content-Disposition", "headers",
				  "Content-Disposition", "description",
				  "inline; filename=\"plan-<account>-<year>.pdf|html\"", "schema",
				  "type", "string", "content", "application/pdf", "schema", "type",
				  "string", "contentMediaType", "application/pdf", "text/html", "schema",
				  "type", "string"));
		break;
	case K_HTML:
		json_object_set_new(resp, "200",
				    json_pack("{s:s,s:{s:{s:{s:s}}}}", "description", "HTML",
					      "content", "text/html", "schema", "type", "string"));
		break;
	case K_ICS:
		json_object_set_new(resp, "200",
				    json_pack("{s:s,s:{s:{s:{s:s}}}}", "description",
					      "An iCalendar (RFC 5545) document", "content",
					      "text/calendar", "schema", "type", "string"));
		break;
	case K_NEW:
		json_object_set_new(resp, "201", json_pack("{s:s,s:o}", "description", "Created",
							   "content",
							   content(json_pack("{s:s}", "type", "object"))));
		break;
	default:
		json_object_set_new(resp, "200", json_pack("{s:s,s:o}", "description", "OK",
							   "content",
							   content(json_pack("{s:s}", "type", "object"))));
		break;
	}
	json_object_set_new(resp, "400", problem("Bad input: the errors name the fields"));
	if (!(r->flags & ROUTE_PUBLIC)) {
		json_object_set_new(resp, "401", problem("Not logged in"));
		json_object_set_new(resp, "403",
				    problem("The role may not do this, or a cookie request lacks "
					    "X-CSRF-Token"));
	}
	if (strchr(r->pattern, ':'))
		json_object_set_new(resp, "404", problem("No such resource, or not visible to you"));
	if (!strcmp(r->pattern, "/api/v1/session") && !strcmp(r->method, "POST"))
		json_object_set_new(resp, "429", problem("Too many failed logins: see Retry-After"));
	json_object_set_new(resp, "503", problem("The database is busy or away: see Retry-After"));
	json_object_set_new(op, "responses", resp);
	return op;
}

json_t *api_openapi_doc(void)
{
	json_t *paths = json_object(), *schemas = json_object(), *doc;

	json_object_set_new(
		schemas, "Problem",
		json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:{s:s,s:{s:{s:s},s:{s:s}}}}},"
			  "s:[s,s,s]}",
			  "type", "object", "properties", "type", "type", "string", "title", "type",
			  "string", "status", "type", "integer", "detail", "type", "string",
			  "errors", "type", "array", "items", "type", "object", "properties",
			  "field", "type", "string", "message", "type", "string", "required",
			  "type", "title", "status"));
	for (size_t i = 0; i < api_nroutes; i++) {
		const struct http_route *r = &api_routes[i];
		const struct doc *d = find_doc(r);
		const struct model_entity *e = d ? d->e : NULL;
		enum kind k = d ? d->k : K_OBJ;
		char path[256], summary[160], method[16], name[64];
		size_t o = 0;
		json_t *item;

		if (d == NULL && r->arg) {
			const struct api_resource *res = r->arg;

			e = res->e;
			k = r->fn == api_res_list	? K_LIST
			    : r->fn == api_res_create ? K_CREATE
			    : r->fn == api_res_get    ? K_GET
			    : r->fn == api_res_update ? K_UPDATE
						      : K_DELETE;
			snprintf(summary, sizeof(summary), "%s %s%s",
				 k == K_LIST	   ? "List"
				 : k == K_CREATE ? "Create"
				 : k == K_GET	   ? "Read"
				 : k == K_UPDATE ? "Change"
						   : "Delete",
				 k == K_LIST ? "" : "a ", e->name);
			if (k == K_LIST)
				snprintf(summary, sizeof(summary), "List %ss", e->name);
		} else {
			snprintf(summary, sizeof(summary), "%s", d ? d->summary : r->pattern);
		}
		if (e) {
			schema_name(e, name, sizeof(name));
			if (!json_object_get(schemas, name)) {
				entity_schemas(schemas, e, name);
				if (e == &model_alert) /* stored as text, served as JSON */
					json_object_set_new(
						json_object_get(json_object_get(schemas, "Alert"),
								"properties"),
						"evidence", json_pack("{s:s}", "type", "object"));
				if (e == &model_alert)
					json_object_set_new(
						json_object_get(json_object_get(schemas, "Alert"),
								"properties"),
						"account_name", json_pack("{s:[s,s]}", "type", "string", "null"));
				if (e == &model_user) /* write-only: hashed, never returned */
					for (int j = 0; j < 2; j++)
						json_object_set_new(
							json_object_get(json_object_get(
										schemas,
										j ? "UserPatch"
										  : "UserInput"),
									"properties"),
							"password",
							json_pack("{s:s,s:i,s:i}", "type", "string",
								  "minLength", 12, "maxLength", 128));
			}
		}
		for (const char *p = r->pattern; *p && o < sizeof(path) - 2; p++) {
			if (*p == ':') {
				path[o++] = '{';
				while (p[1] && p[1] != '/' && o < sizeof(path) - 2)
					path[o++] = *++p;
				path[o++] = '}';
			} else {
				path[o++] = *p;
			}
		}
		path[o] = '\0';
		for (o = 0; r->method[o] && o < sizeof(method) - 1; o++)
			method[o] = (char)(r->method[o] + 32);
		method[o] = '\0';
		item = json_object_get(paths, path);
		if (item == NULL) {
			item = json_object();
			json_object_set_new(paths, path, item);
		}
		json_object_set_new(item, method, operation(r, d, e, k, summary));
	}
	doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:[{s:[]},{s:[]}],s:o,s:{s:o,s:{s:{s:s,s:s,"
			"s:s,s:s},s:{s:s,s:s,s:s}}}}",
			"openapi", "3.1.0", "info", "title", "kam", "version", "1",
			"description",
			"The key account management server. Errors are RFC 9457 problem documents. "
			"Cookie sessions must send X-CSRF-Token on unsafe methods; bearer tokens need "
			"not. Dates are YYYY-MM-DD, timestamps RFC 3339 UTC, money integer minor units "
			"beside an ISO 4217 code.",
			"servers", "url", "/", "security", "cookie", "bearer", "paths", paths,
			"components", "schemas", schemas, "securitySchemes", "cookie", "type", "apiKey",
			"in", "cookie", "name", "kam_session", "description",
			"set by POST /api/v1/session", "bearer", "type", "http", "scheme", "bearer",
			"description", "an API token from POST /api/v1/tokens or kam token create");
	return doc;
}
