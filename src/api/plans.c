/* /api/v1/plans and their objectives, actions, resources and reviews; KAM workload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/resource.h"
#include "app/plan_changes.h"
#include "kam/date.h"
#include "kam/plan.h"
#include "kam/settings.h"
#include "store/portfolio.h"
#include "util/time.h"

/* Busiest first: over capacity, then the most overdue actions, then the most key accounts;
 * ties keep the store's order (by name), which the index carries. */
struct busy {
	json_t *row;
	json_int_t over, overdue, keys;
	size_t i;
};

static int busiest_first(const void *pa, const void *pb)
{
	const struct busy *a = pa, *b = pb;

	if (a->over != b->over)
		return a->over > b->over ? -1 : 1;
	if (a->overdue != b->overdue)
		return a->overdue > b->overdue ? -1 : 1;
	if (a->keys != b->keys)
		return a->keys > b->keys ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* items in busiest_first order, the first limit of them (0: all); returns a new array. */
static json_t *busiest(json_t *items, int64_t limit)
{
	size_t n = json_array_size(items), i;
	struct busy *v = n ? calloc(n, sizeof(*v)) : NULL;
	json_t *out = json_array(), *r;

	if ((n && v == NULL) || out == NULL) {
		free(v);
		json_decref(out);
		return NULL;
	}
	json_array_foreach(items, i, r)
	{
		v[i] = (struct busy){r, json_is_true(json_object_get(r, "over_capacity")),
		                     json_integer_value(json_object_get(r, "overdue_actions")),
		                     json_integer_value(json_object_get(r, "key_accounts")), i};
	}
	if (n)
		qsort(v, n, sizeof(*v), busiest_first);
	for (i = 0; i < n && (limit == 0 || i < (size_t)limit); i++)
		if (json_array_append(out, v[i].row) != 0) {
			json_decref(out);
			out = NULL;
			break;
		}
	free(v);
	return out;
}

int api_kam_workload(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct settings s;
	json_t *items = NULL, *r;
	char today[DATE_LEN], key[API_CACHE_KEY_LEN];
	/* sort=busiest&limit=N: the dashboard's panel of a thousand KAMs shows the busiest few,
	 * with total saying how many there are */
	const char *sort = http_query(rq, "sort");
	int64_t limit = 0, version = 0;
	size_t i, total;
	int rc;

	for (i = 0; i < rq->nquery; i++)
		if (strcmp(rq->query[i].key, "sort") != 0 && strcmp(rq->query[i].key, "limit") != 0)
			err_field(&ei, rq->query[i].key, "unknown parameter");
	if (sort && strcmp(sort, "name") != 0 && strcmp(sort, "busiest") != 0)
		err_field(&ei, "sort", "is name or busiest");
	api_int_param(rq, "limit", 1, 100000, &limit, &ei);
	if (ei.errors) {
		http_reply_err(rs, KAM_EINVAL, &ei);
		err_clear(&ei);
		return KAM_EINVAL;
	}
	if ((rc = api_today_text(rq, today)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	/* the dashboard asks on every visit, and the thousand KAMs' counts took 6 ms: the answer
	 * is kept per data version, caller's scope and day, like the at-risk panel's */
	if ((rc = app_scores_fresh_as(rq->db, &rq->user.who)) != KAM_OK ||
	    (rc = api_cached(rq, rs, key, &version)) < 0)
		return http_reply_err(rs, rc, NULL), rc;
	if (rc > 0)
		return KAM_OK;
	if ((rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK ||
	    /* a kam sees their own row; members see none; directors, admins, viewers all */
	    (rc = store_workload(rq->db,
	                         rq->user.who.role == ROLE_KAM      ? rq->user.who.user_id
	                         : rq->user.who.role == ROLE_MEMBER ? -1
	                                                            : 0,
	                         today, &items)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	json_array_foreach(items, i, r)
	{
		json_int_t keys = json_integer_value(json_object_get(r, "key_accounts"));

		json_object_set_new(r, "capacity", json_integer(s.kam_capacity));
		json_object_set_new(r, "over_capacity", json_boolean(keys > s.kam_capacity));
	}
	total = json_array_size(items);
	if (sort && !strcmp(sort, "busiest")) {
		json_t *b = busiest(items, limit);

		json_decref(items);
		if ((items = b) == NULL)
			return http_reply_err(rs, KAM_ENOMEM, NULL), KAM_ENOMEM;
	} else if (limit > 0 && (size_t)limit < total) {
		while (json_array_size(items) > (size_t)limit)
			json_array_remove(items, json_array_size(items) - 1);
	}
	return api_cache_keep(rq, rs, key, version,
	                      json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total));
}

int api_plan_changes(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0);
	const char *since = http_query(rq, "since");
	json_t *out = NULL;
	int rc;

	for (size_t i = 0; i < rq->nquery; i++)
		if (strcmp(rq->query[i].key, "since") != 0)
			err_field(&ei, rq->query[i].key, "unknown parameter");
	if (since && !date_valid(since))
		err_field(&ei, "since", "must be a day YYYY-MM-DD");
	if (ei.errors) {
		http_reply_err(rs, KAM_EINVAL, &ei);
		err_clear(&ei);
		return KAM_EINVAL;
	}
	rc = id < 0 ? KAM_ENOTFOUND : app_plan_changes(rq->db, &rq->user.who, id, since, &out);
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "plan");
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, out);
}
