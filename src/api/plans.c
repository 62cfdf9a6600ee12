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
	const struct store_workload_row *row;
	bool over;
	size_t i;
};

static int busiest_first(const void *pa, const void *pb)
{
	const struct busy *a = pa, *b = pb;

	if (a->over != b->over)
		return a->over ? -1 : 1;
	if (a->row->overdue_actions != b->row->overdue_actions)
		return a->row->overdue_actions > b->row->overdue_actions ? -1 : 1;
	if (a->row->key_accounts != b->row->key_accounts)
		return a->row->key_accounts > b->row->key_accounts ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The rows of w answered, as a new array: in busiest_first order when busiest, else the
 * store's; the first limit of them (0: all). Only those rows become JSON. */
static json_t *workload_items(const struct store_workload *w, int capacity, bool busiest,
                              int64_t limit)
{
	size_t n = w->n, k = limit > 0 && (uint64_t)limit < n ? (size_t)limit : n, i;
	struct busy *v = n ? calloc(n, sizeof(*v)) : NULL;
	json_t *out = json_array();

	if ((n && v == NULL) || out == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		v[i] = (struct busy){&w->rows[i], w->rows[i].key_accounts > capacity, i};
	if (busiest && n)
		qsort(v, n, sizeof(*v), busiest_first);
	for (i = 0; i < k; i++) {
		const struct store_workload_row *r = v[i].row;

		if (json_array_append_new(
		        out, json_pack("{s:I,s:s,s:I,s:I,s:I,s:I,s:i,s:b}", "user_id",
		                       (json_int_t)r->user_id, "name", w->names + r->name,
		                       "key_accounts", (json_int_t)r->key_accounts, "accounts",
		                       (json_int_t)r->accounts, "open_actions",
		                       (json_int_t)r->open_actions, "overdue_actions",
		                       (json_int_t)r->overdue_actions, "capacity", capacity,
		                       "over_capacity", (int)v[i].over)) != 0)
			goto fail;
	}
	free(v);
	return out;
fail:
	free(v);
	json_decref(out);
	return NULL;
}

int api_kam_workload(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct settings s;
	struct store_workload w;
	json_t *items;
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
	                         today, &w)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	total = w.n;
	items = workload_items(&w, s.kam_capacity, sort && !strcmp(sort, "busiest"), limit);
	store_workload_free(&w);
	if (items == NULL)
		return http_reply_err(rs, KAM_ENOMEM, NULL), KAM_ENOMEM;
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
