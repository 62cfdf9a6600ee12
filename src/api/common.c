/* What several resources share: ids, visibility, lists, audit, 201 replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/importq.h"
#include "kam/money.h"
#include "kam/settings.h"
#include "store/revenue.h"
#include "util/time.h"

int64_t api_param_id(const struct req *rq, size_t i)
{
	return i < rq->nparams ? validate_id(rq->params[i]) : -1;
}

int api_not_found(struct resp *rs, const char *what)
{
	char detail[128];

	snprintf(detail, sizeof(detail), "no such %s", what);
	http_problem(rs, 404, detail, NULL);
	return KAM_ENOTFOUND;
}

struct actor api_actor(const struct req *rq)
{
	return (struct actor){rq->user.id, rq->user.role};
}

int64_t api_scope_user(const struct req *rq)
{
	struct actor a = api_actor(rq);

	return actor_scope(&a);
}

int api_account_visible(struct req *rq, int64_t id, bool *owner, bool *on_team)
{
	struct actor a = api_actor(rq);
	bool o = false, t = false;
	int rc = store_account_access(rq->db, id, rq->user.id, &o, &t);

	if (rc != KAM_OK)
		return rc;
	if (owner)
		*owner = o;
	if (on_team)
		*on_team = t;
	if (!actor_sees_account(&a, o, t))
		return KAM_ENOTFOUND;
	return KAM_OK;
}

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

/* The list's page after cursor (NULL: the request's own cursor). */
static int collect(struct req *rq, const struct model_entity *e, int64_t scope_user,
		   const char *cursor, json_t **items, char **next, struct kam_errinfo *ei)
{
	struct store_list q = {.limit = 50, .scope_user = scope_user};
	json_t *filters = json_object();
	int rc = KAM_OK;

	for (size_t i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].key, *v = rq->query[i].value;
		const struct model_field *f;

		if (strcmp(k, "limit") == 0) {
			int64_t n = validate_id(v);

			if (n < 1 || n > 500) {
				err_field(ei, "limit", "must be an integer from 1 to 500");
				rc = KAM_EINVAL;
			}
			q.limit = (int)n;
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
						n += (size_t)snprintf(allowed + n, sizeof(allowed) - n,
								      "%s%s", n ? ", " : "",
								      e->fields[j].name);
				err_field(ei, "sort", "must be one of %s (prefix - for descending)",
					  allowed);
				rc = KAM_EINVAL;
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
	if (api_exporting(rq)) { /* a file is written a page at a time (export.c) */
		q.limit = 500;
		if (cursor)
			q.cursor = cursor;
	}
	if (rc == KAM_OK) {
		q.filters = filters;
		rc = store_list(rq->db, e, &q, items, next);
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

int api_list_collect(struct req *rq, const struct model_entity *e, int64_t scope_user,
		     json_t **items, char **next, struct kam_errinfo *ei)
{
	return collect(rq, e, scope_user, NULL, items, next, ei);
}

int api_list_next(struct req *rq, const struct api_lister *l, const char *cursor, json_t **items,
		  char **next)
{
	struct kam_errinfo ei = {0};
	json_t *it;
	size_t i;
	int rc = collect(rq, l->e, l->scope_user, cursor, items, next, &ei);

	err_clear(&ei);
	if (rc == KAM_OK && l->decorate)
		json_array_foreach(*items, i, it)
		{
			if (rc == KAM_OK)
				rc = l->decorate(rq, it, l->arg);
		}
	if (rc != KAM_OK) {
		json_decref(*items);
		*items = NULL;
		free(*next);
		*next = NULL;
	}
	return rc;
}

bool api_exporting(const struct req *rq)
{
	const char *f = http_query(rq, "format");

	return f && (!strcmp(f, "csv") || !strcmp(f, "xlsx"));
}

int api_reply_page(struct req *rq, struct resp *rs, const struct api_lister *l, json_t *items,
		   char *next)
{
	int rc;

	if (api_exporting(rq))
		return api_export(rq, rs, l, items, next);
	rc = http_reply_json(rs, 200,
	                     json_pack("{s:o,s:o}", "items", items, "next_cursor",
	                               next ? json_string(next) : json_null()));

	free(next);
	return rc;
}

int api_list(struct req *rq, struct resp *rs, const struct model_entity *e, int64_t scope_user)
{
	struct kam_errinfo ei = {0};
	json_t *items = NULL;
	char *next = NULL;
	struct api_lister l = {e, scope_user, NULL, NULL};
	int rc = api_list_collect(rq, e, scope_user, &items, &next, &ei);

	if (rc == KAM_OK)
		api_reply_page(rq, rs, &l, items, next);
	else
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

static int check_user(struct req *rq, int64_t id, const char *field, bool must_own,
		      struct kam_errinfo *ei)
{
	json_t *u = NULL;
	int rc = store_get(rq->db, &model_user, id, &u, NULL);

	if (rc == KAM_ENOTFOUND) {
		err_field(ei, field, "no such user");
		return KAM_EINVAL;
	}
	if (rc != KAM_OK)
		return rc;
	if (!json_is_true(json_object_get(u, "active"))) {
		err_field(ei, field, "user %lld is deactivated", (long long)id);
		rc = KAM_EINVAL;
	} else if (must_own &&
		   !auth_can_own(auth_role_parse(json_string_value(json_object_get(u, "role"))))) {
		err_field(ei, field, "user %lld has a role that cannot own accounts", (long long)id);
		rc = KAM_EINVAL;
	}
	json_decref(u);
	return rc;
}

int api_check_owner(struct req *rq, int64_t id, const char *field, struct kam_errinfo *ei)
{
	return check_user(rq, id, field, true, ei);
}

int api_check_user(struct req *rq, int64_t id, const char *field, struct kam_errinfo *ei)
{
	return check_user(rq, id, field, false, ei);
}

int api_audit(struct req *rq, const char *action, const char *entity, int64_t id,
	      const json_t *before, const json_t *after)
{
	return store_audit_add(rq->db, rq->user.id, action, entity, id, before, after, time_now());
}

int api_created(struct resp *rs, const char *base, int64_t id, int64_t version, json_t *rec)
{
	char loc[256];

	snprintf(loc, sizeof(loc), "%s/%lld", base, (long long)id);
	http_header(rs, "Location", loc);
	http_etag(rs, version);
	return http_reply_json(rs, 201, rec);
}

int api_money_room(struct store_conn *db, const char *name, int64_t amount, const char *field,
                   struct kam_errinfo *ei)
{
	int64_t total = 0;
	int rc = store_money_total(db, name, &total);

	if (rc == KAM_OK && !money_take(&total, amount, money_total_cap(name))) {
		char why[200];

		money_refusal(name, why, sizeof(why));
		err_field(ei, field, "%s", why);
		rc = KAM_EINVAL;
	}
	return rc;
}

int api_money_check(struct store_conn *db, const struct model_entity *e, struct kam_errinfo *ei)
{
	/* the stored totals a write of each entity can move; other entities hold no money */
	static const struct {
		const struct model_entity *e;
		const char *total, *field;
	} t[] = {{&model_transaction, "transactions", "amount"},
	         {&model_opportunity, "opportunities", "amount"},
	         {&model_account, "potential", "potential_annual_spend"}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return api_money_room(db, t[i].total, 0, t[i].field, ei);
	return KAM_OK;
}

int64_t api_now(const struct req *rq)
{
	const struct api_server *srv = rq->app_data;

	return clock_now(srv ? &srv->clock : NULL);
}

int api_today(struct req *rq, date_t *out)
{
	struct settings s;
	int rc;

	if (!rq->has_today) {
		if ((rc = api_settings_load(rq, &s, NULL)) != KAM_OK)
			return rc;
		rq->today = settings_today(&s, api_now(rq));
		rq->has_today = true;
	}
	*out = rq->today;
	return KAM_OK;
}

int api_today_text(struct req *rq, char out[DATE_LEN])
{
	date_t d = 0;
	int rc = api_today(rq, &d);

	date_format(d, out);
	return rc;
}
