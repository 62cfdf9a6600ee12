/*
 * The OpenAPI 3.1 description, generated from the route table and the data model, so it
 * cannot drift from what the server does. `kam openapi` prints it; docs/openapi.json is
 * that output, and a test checks the two are the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/resource.h"
#include "util/buf.h"

enum kind {
	K_LIST,
	K_CREATE,
	K_GET,
	K_UPDATE,
	K_DELETE,
	K_PUT,
	K_OBJ,
	K_HTML,
	K_EMPTY,
	K_DOC,
	K_ICS,
	K_TEXT
};

/* The entities a route's schemas may name ("Account", "AccountInput", "Account[]"). */
static const struct model_entity *const entities[] = {
    &model_user,        &model_account,     &model_contact,       &model_plan,
    &model_objective,   &model_action,      &model_plan_resource, &model_review,
    &model_product,     &model_unit,        &model_opportunity,   &model_fx_rate,
    &model_contract,
    &model_transaction, &model_interaction, &model_case,          &model_risk, &model_competitor,
    &model_survey,      &model_alert,       &model_import,        &model_import_mapping,
    &model_coverage,
};

static void schema_name(const struct model_entity *e, char *out, size_t len);

/* The entity whose schema is the first n bytes of name, or NULL. */
static const struct model_entity *entity_named(const char *name, size_t n)
{
	char s[64];

	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		schema_name(entities[i], s, sizeof(s));
		if (strlen(s) == n && !strncmp(s, name, n))
			return entities[i];
	}
	return NULL;
}

/* Whether s ends in suffix; *stem gets the length before it. */
static bool ends_with(const char *s, const char *suffix, size_t *stem)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n <= m || strcmp(s + n - m, suffix) != 0)
		return false;
	*stem = n - m;
	return true;
}

/*
 * What a route replies and takes, from its schema names (struct http_route): the kind of
 * operation, its entity (or NULL) and its success status (0: the kind's usual one).
 * KAM_EINVAL when a name is not one this file knows, so a typo in the table cannot pass.
 */
static int route_kind(const struct http_route *r, enum kind *k, const struct model_entity **e,
                      int *status)
{
	const char *resp = r->response;
	size_t n;

	*e = NULL;
	*status = 0;
	if (resp && resp[0] >= '1' && resp[0] <= '5') {
		char *end;

		*status = (int)strtol(resp, &end, 10);
		if (*end != ' ')
			return KAM_EINVAL;
		resp = end + 1;
	}
	if (r->request) {
		if (ends_with(r->request, "Input", &n) && (*e = entity_named(r->request, n)))
			*k = K_CREATE;
		else if (ends_with(r->request, "Patch", &n) && (*e = entity_named(r->request, n)))
			*k = K_UPDATE;
		else if (!strcmp(r->request, "TeamRole") && !strcmp(r->method, "PUT"))
			*k = K_PUT;
		else
			return KAM_EINVAL;
		/* the reply is the record the body made or changed */
		if (*k != K_PUT && (resp == NULL || *e != entity_named(resp, strlen(resp))))
			return KAM_EINVAL;
		return *k == K_PUT && (resp == NULL || strcmp(resp, "object")) ? KAM_EINVAL
		                                                               : KAM_OK;
	}
	if (resp == NULL)
		*k = !strcmp(r->method, "DELETE") && (r->flags & ROUTE_IF_MATCH) ? K_DELETE
		                                                                 : K_EMPTY;
	else if (!strcmp(resp, "object"))
		*k = K_OBJ;
	else if (!strcmp(resp, "text/html"))
		*k = K_HTML;
	else if (!strcmp(resp, "text/calendar"))
		*k = K_ICS;
	else if (!strcmp(resp, "text/plain"))
		*k = K_TEXT;
	else if (!strcmp(resp, "application/pdf"))
		*k = K_DOC;
	else if (ends_with(resp, "[]", &n) && (*e = entity_named(resp, n)))
		*k = K_LIST;
	else if ((*e = entity_named(resp, strlen(resp))))
		*k = K_GET;
	else
		return KAM_EINVAL;
	/* only a plain object's status is free; the others follow from their kind */
	return *status && *k != K_OBJ ? KAM_EINVAL : KAM_OK;
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
	/* the records of a group: an account and its descendants (docs/groups.md) */
	if (e == &model_account || model_field_find(e, "account_id"))
		json_array_append_new(
		    params, json_pack("{s:s,s:s,s:s,s:{s:s,s:i}}", "name", "group", "in", "query",
		                      "description",
		                      "the id of a group's parent account: its records and its "
		                      "descendants' (each row with account_name)",
		                      "schema", "type", "integer", "minimum", 1));
}

static json_t *operation(const struct http_route *r, const struct model_entity *e, enum kind k,
                         int status)
{
	json_t *op = json_object(), *params = json_array(), *resp = json_object();
	char name[64] = "", tag[64] = "ops", opid[160], code[8];
	const char *p = r->pattern;
	size_t o = 0;

	if (e)
		schema_name(e, name, sizeof(name));
	if (!strncmp(p, "/api/v1/", 8)) {
		snprintf(tag, sizeof(tag), "%s", p + 8);
		tag[strcspn(tag, "/")] = '\0';
	}
	/* path parameters: the segments ":name" (capability tokens are long strings) */
	for (const char *s = strchr(p, ':'); s; s = strchr(s, ':')) {
		size_t len = strcspn(++s, "/");
		bool token = len == 5 && !strncmp(s, "token", 5);

		json_array_append_new(params,
		                      json_pack("{s:s%,s:s,s:b,s:{s:s,s:i}}", "name", s, len, "in",
		                                "path", "required", true, "schema", "type",
		                                token ? "string" : "integer",
		                                token ? "minLength" : "minimum", token ? 40 : 1));
		s += len;
	}
	for (const char *s = r->method; *s && o < sizeof(opid) - 1; s++)
		opid[o++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
	for (const char *s = p; *s && o < sizeof(opid) - 1; s++)
		opid[o++] = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ? *s : '_';
	opid[o] = '\0';
	json_object_set_new(op, "operationId", json_string(opid));
	json_object_set_new(op, "summary", json_string(r->summary));
	json_object_set_new(op, "tags", json_pack("[s]", tag));
	if (r->flags & ROUTE_PUBLIC)
		json_object_set_new(op, "security", json_array());
	else if (r->flags & ROUTE_CLIENT) /* a client member's session, nothing else */
		json_object_set_new(op, "security", json_pack("[{s:[]}]", "workspace"));
	if (k == K_LIST && e)
		list_params(params, e);
	if (k == K_DOC)
		json_array_append_new(params,
				      json_pack("{s:s,s:s,s:{s:s,s:[s,s],s:s}}", "name", "format", "in",
						"query", "schema", "type", "string", "enum", "pdf",
						"html", "default", "pdf"));
	if (r->flags & ROUTE_IF_MATCH)
		json_array_append_new(params,
		                      json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "If-Match", "in",
		                                "header", "description",
		                                "the ETag read; 412 when the record changed since",
		                                "schema", "type", "string"));
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
		json_object_set_new(op, "requestBody", json_pack("{s:b,s:o}", "required", true,
								 "content", content(ref(in))));
		json_object_set_new(resp, "200",
				    json_pack("{s:s,s:o}", "description", "The changed record",
					      "content", content(ref(name))));
		json_object_set_new(resp, "409", problem("Conflicts with stored data"));
		break;
	}
	case K_DELETE:
		json_object_set_new(resp, "204", json_pack("{s:s}", "description", "Deleted"));
		break;
	case K_EMPTY:
		json_object_set_new(resp, "204", json_pack("{s:s}", "description", "Done"));
		break;
	case K_PUT:
		json_object_set_new(
		    op, "requestBody",
		    json_pack("{s:b,s:o}", "required", true, "content", content(ref(r->request))));
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
	case K_TEXT:
		json_object_set_new(resp, "200",
		                    json_pack("{s:s,s:{s:{s:{s:s}}}}", "description", "Plain text",
		                              "content", "text/plain", "schema", "type", "string"));
		break;
	default:
		snprintf(code, sizeof(code), "%d", status ? status : 200);
		json_object_set_new(resp, code,
		                    json_pack("{s:s,s:o}", "description",
		                              status == 201 ? "Created" : "OK", "content",
		                              content(json_pack("{s:s}", "type", "object"))));
		break;
	}
	if (r->flags & ROUTE_IF_MATCH)
		json_object_set_new(resp, "412", problem("If-Match did not match: read it again"));
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

/* An interaction's create body may carry its follow-up action (app/engagement.c), made in
 * the same transaction; the reply holds the action under the same key. */
static void interaction_follow_up(json_t *schemas)
{
	static const char *const names[] = {"title", "due_on", "owner_id", "objective_id"};
	json_t *props = json_object();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct model_field *f = model_field_find(&model_action, names[i]);

		json_object_set_new(props, names[i],
				    field_schema(f, !(f->flags & (MF_NOTNULL | MF_REQUIRED))));
	}
	json_object_set_new(
		json_object_get(json_object_get(schemas, "InteractionInput"), "properties"),
		"follow_up",
		json_pack("{s:s,s:s,s:o,s:[s],s:b}", "type", "object", "description",
			  "a plan action made with the interaction, in the account's active plan "
			  "(409 when it has none); its faults are named follow_up.<field> and "
			  "store nothing",
			  "properties", props, "required", "title", "additionalProperties", false));
	json_object_set_new(json_object_get(json_object_get(schemas, "Interaction"), "properties"),
			    "follow_up", ref("Action"));
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
		const struct app_resource *res = r->arg;
		const struct model_entity *e;
		enum kind k;
		char path[256], method[16], name[64];
		int status;
		size_t o = 0;
		json_t *item;

		if (r->summary == NULL || route_kind(r, &k, &e, &status) != KAM_OK)
			goto bad;
		/* a resource's routes name its entity, not another */
		if (e && res &&
		    (r->fn == api_res_list || r->fn == api_res_create || r->fn == api_res_get ||
		     r->fn == api_res_update) &&
		    res->e != e)
			goto bad;
		if (k == K_PUT && !json_object_get(schemas, r->request))
			json_object_set_new(schemas, r->request,
			                    json_pack("{s:s,s:{s:{s:s,s:i,s:i}},s:[s],s:b}", "type",
			                              "object", "properties", "role", "type",
			                              "string", "minLength", 1, "maxLength", 100,
			                              "required", "role", "additionalProperties",
			                              false));
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
				if (e == &model_alert) { /* app/playbooks.c: why it fired, its runs */
					json_t *why = json_pack("{s:{s:[s,s]},s:{s:s}}", "why", "type",
					                        "object", "null", "runs", "type", "array");

					json_object_update(json_object_get(json_object_get(schemas, "Alert"),
					                                   "properties"),
					                   why);
					json_decref(why);
				}
				if (e == &model_interaction)
					interaction_follow_up(schemas);
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
		json_object_set_new(item, method, operation(r, e, k, status));
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
	if (doc)
		json_object_set_new(
		    json_object_get(json_object_get(doc, "components"), "securitySchemes"),
		    "workspace",
		    json_pack("{s:s,s:s,s:s,s:s}", "type", "apiKey", "in", "cookie", "name",
		              "kam_workspace", "description",
		              "a client member's session, set by POST /api/v1/workspace/session "
		              "(docs/workspace.md)"));
	return doc;
bad:
	json_decref(paths);
	json_decref(schemas);
	return NULL;
}

char *api_openapi_json(size_t *len)
{
	json_t *doc = api_openapi_doc();
	char *s = doc ? buf_json(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(doc);
	*len = s ? strlen(s) : 0;
	return s;
}
