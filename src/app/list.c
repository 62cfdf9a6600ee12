/* Lists (app/list.h): which lists there are and who may read them, their parameters, and
 * a page of one, decorated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/alerts.h"
#include "app/import.h"
#include "app/list.h"
#include "app/record.h"
#include "app/scores.h"
#include "kam/date.h"
#include "kam/validate.h"
#include "store/group.h"

/* The field a ?key=value filters on: a MF_FILTER field, or "tag" for one of the tags. */
static const struct model_field *filter_field(const struct model_entity *e, const char *key)
{
	const struct model_field *f = model_field_find(e, strcmp(key, "tag") == 0 ? "tags" : key);

	if (f == NULL || !(f->flags & MF_FILTER))
		return NULL;
	if ((f->type == MT_TAGS) != (strcmp(key, "tag") == 0))
		return NULL;
	return f;
}

int app_list_limit(const char *v, int *limit, struct kam_errinfo *ei)
{
	int64_t n = validate_id(v);

	if (n < 1 || n > 500) {
		err_field(ei, "limit", "must be an integer from 1 to 500");
		return KAM_EINVAL;
	}
	*limit = (int)n;
	return KAM_OK;
}

/* The list's page after cursor (NULL: the request's own cursor). */
static int collect(struct store_conn *db, const struct model_entity *e, int64_t scope_user,
                   const struct app_param *p, size_t np, const char *cursor, bool whole,
                   json_t **items, char **next, struct kam_errinfo *ei)
{
	struct store_list q = {.limit = 50, .scope_user = scope_user};
	json_t *filters = json_object();
	int rc = KAM_OK;

	for (size_t i = 0; i < np; i++) {
		const char *k = p[i].key, *v = p[i].value;
		const struct model_field *f;

		if (strcmp(k, "limit") == 0) {
			if (app_list_limit(v, &q.limit, ei) != KAM_OK)
				rc = KAM_EINVAL;
		} else if (strcmp(k, "cursor") == 0) {
			q.cursor = v;
		} else if (strcmp(k, "format") == 0) {
			if (strcmp(v, "json") && strcmp(v, "csv") && strcmp(v, "xlsx")) {
				err_field(ei, "format", "is json, csv or xlsx");
				rc = KAM_EINVAL;
			}
		} else if (strcmp(k, "q") == 0) {
			if (validate_utf8_len(v) > 200) {
				err_field(ei, "q", "must be at most 200 characters");
				rc = KAM_EINVAL;
			}
			q.q = v;
		} else if (strcmp(k, "sort") == 0) {
			q.desc = v[0] == '-';
			q.sort = q.desc ? v + 1 : v;
			f = model_field_find(e, q.sort);
			if (f == NULL || !(f->flags & MF_SORT)) {
				char allowed[256] = "";
				size_t n = 0;

				for (size_t j = 0; j < e->nfields && n < sizeof(allowed) - 40; j++)
					if (e->fields[j].flags & MF_SORT)
						n += (size_t)snprintf(
						    allowed + n, sizeof(allowed) - n, "%s%s",
						    n ? ", " : "", e->fields[j].name);
				err_field(ei, "sort", "must be one of %s (prefix - for descending)",
				          allowed);
				rc = KAM_EINVAL;
			}
		} else if ((!strcmp(k, "ending_before") || !strcmp(k, "ending_after")) &&
		           (f = model_field_find(e, "end_date")) != NULL && f->type == MT_DATE) {
			/* a range on the end date (contracts): the store reads "end_date<" as < */
			if (!date_valid(v)) {
				err_field(ei, k, "must be a date YYYY-MM-DD");
				rc = KAM_EINVAL;
			} else {
				json_object_set_new(filters,
				                    k[7] == 'b' ? "end_date<" : "end_date>",
				                    json_string(v));
			}
		} else if (!strcmp(k, "group") &&
		           (e == &model_account || model_field_find(e, "account_id") != NULL)) {
			/* the records of a group's entities (docs/groups.md), as far as the caller
			 * sees them: the list's own scope still applies */
			if (validate_id(v) <= 0) {
				err_field(ei, "group",
				          "must be the id of a group's parent account");
				rc = KAM_EINVAL;
			} else {
				json_object_set_new(filters, "group", json_string(v));
			}
		} else if ((f = filter_field(e, k)) != NULL) {
			if (validate_filter(f, v, ei) != KAM_OK)
				rc = KAM_EINVAL;
			else
				json_object_set_new(filters, f->name, json_string(v));
		} else {
			err_field(ei, k, "is not a parameter of this list");
			rc = KAM_EINVAL;
		}
	}
	if (whole) { /* a file is written a page at a time (app_export) */
		q.limit = 500;
		if (cursor)
			q.cursor = cursor;
	}
	if (rc == KAM_OK) {
		q.filters = filters;
		rc = store_list(db, e, &q, items, next);
		if (rc == KAM_EINVAL && q.cursor)
			err_field(ei, "cursor", "is not a cursor of this list");
	}
	if (rc != KAM_OK && *items) {
		json_decref(*items);
		*items = NULL;
		free(*next);
		*next = NULL;
	}
	json_decref(filters);
	return rc;
}

static int decorate_resource(struct store_conn *db, const struct actor *who, json_t *rec,
                             const void *arg)
{
	const struct app_resource *r = arg;

	return r->decorate(db, who, rec, false);
}

static int decorate_alert(struct store_conn *db, const struct actor *who, json_t *rec,
                          const void *arg)
{
	(void)who;
	(void)arg;
	return app_alert_expand(db, rec);
}

static int decorate_import(struct store_conn *db, const struct actor *who, json_t *rec,
                           const void *arg)
{
	(void)db;
	(void)who;
	(void)arg;
	return app_import_decorate(rec);
}

/* The resources whose lists are the generic ones (app/record.h). */
static const struct app_resource *const resources[] = {
    &res_contacts,     &res_plans,        &res_objectives, &res_actions,       &res_plan_resources,
    &res_reviews,      &res_products,     &res_units,      &res_opportunities, &res_fx_rates,
    &res_transactions, &res_interactions, &res_cases,      &res_risks, &res_competitors,         &res_surveys,
    &res_import_mappings, &res_coverage, &res_contracts,
};

/* A resource's list name: the last part of its base ("/api/v1/fx-rates" → "fx-rates"). */
static const char *kind_of(const struct app_resource *r)
{
	const char *slash = strrchr(r->base, '/');

	return slash ? slash + 1 : r->base;
}

void app_list_of_resource(const struct actor *who, const struct app_resource *r,
                          struct app_list *out)
{
	*out = (struct app_list){r->e, r->scope == SCOPE_GLOBAL ? 0 : actor_scope(who),
	                         r->decorate ? decorate_resource : NULL, r, false};
}

int app_list_of(const struct actor *who, const char *kind, struct app_list *out,
                struct kam_errinfo *ei)
{
	*out = (struct app_list){0};
	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (strcmp(kind_of(resources[i]), kind) == 0) {
			app_list_of_resource(who, resources[i], out);
			return KAM_OK;
		}
	if (strcmp(kind, "accounts") == 0) {
		*out = (struct app_list){&model_account, actor_scope(who), decorate_resource,
		                         &res_accounts, true};
	} else if (strcmp(kind, "users") == 0) {
		*out = (struct app_list){&model_user, 0, NULL, NULL, false};
	} else if (strcmp(kind, "alerts") == 0) {
		*out =
		    (struct app_list){&model_alert, actor_scope(who), decorate_alert, NULL, false};
	} else if (strcmp(kind, "imports") == 0) {
		/* the roles that may import (members and viewers never ran one) */
		if (who->role != ROLE_ADMIN && who->role != ROLE_DIRECTOR &&
		    who->role != ROLE_KAM) {
			err_detail(ei, "your role may not read the record of imports");
			return KAM_EFORBIDDEN;
		}
		*out = (struct app_list){&model_import, actor_scope(who), decorate_import, NULL,
		                         false};
	} else {
		return KAM_ENOTFOUND;
	}
	return KAM_OK;
}

void app_list_names(char *buf, size_t len)
{
	static const char *const others[] = {"accounts", "users", "alerts", "imports"};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", others[i]);
	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, ", %s", kind_of(resources[i]));
}

/* The rows of a group's records name their entity (account_name beside account_id), so a
 * group's file is readable company by company (docs/groups.md). */
static int name_entities(struct store_conn *db, const char *group, json_t *items)
{
	struct store_group_row *m = NULL;
	int64_t gid = validate_id(group);
	size_t n = 0, i;
	json_t *it;
	int rc = store_group_members(db, gid, 0, &m, &n);

	json_array_foreach(items, i, it)
	{
		int64_t id = json_integer_value(json_object_get(it, "account_id"));

		for (size_t k = 0; rc == KAM_OK && k < n; k++)
			if (m[k].id == id) {
				if (json_object_set_new(it, "account_name",
				                        json_string(m[k].name)) != 0)
					rc = KAM_ENOMEM;
				break;
			}
	}
	free(m);
	return rc;
}

int app_list_page(struct store_conn *db, const struct actor *who, const struct app_list *l,
                  const struct app_param *p, size_t n, const char *cursor, bool whole,
                  json_t **items, char **next, struct kam_errinfo *ei)
{
	struct actor w = *who; /* today and the settings, read once for every row */
	struct settings s;
	json_t *it;
	size_t i;
	int rc = KAM_OK;

	*items = NULL;
	*next = NULL;
	if (l->decorate)
		rc = app_actor_settings(db, &w, &s);
	if (rc == KAM_OK && l->fresh_scores && cursor == NULL)
		rc = app_scores_fresh_as(db, who);
	if (rc == KAM_OK)
		rc = collect(db, l->e, l->scope_user, p, n, cursor, whole, items, next, ei);
	for (size_t k = 0; rc == KAM_OK && k < n; k++)
		if (!strcmp(p[k].key, "group") && l->e != &model_account)
			rc = name_entities(db, p[k].value, *items);
	if (rc == KAM_OK && l->decorate)
		json_array_foreach(*items, i, it)
		{
			if (rc == KAM_OK)
				rc = l->decorate(db, &w, it, l->arg);
		}
	if (rc != KAM_OK) {
		json_decref(*items);
		*items = NULL;
		free(*next);
		*next = NULL;
	}
	return rc;
}
