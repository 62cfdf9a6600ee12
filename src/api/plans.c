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

int api_kam_workload(struct req *rq, struct resp *rs)
{
	struct settings s;
	json_t *items = NULL, *r;
	char today[DATE_LEN];
	size_t i;
	int rc;

	if ((rc = api_today_text(rq, today)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	if ((rc = app_scores_fresh_as(rq->db, &rq->user.who)) != KAM_OK ||
	    (rc = app_settings_load(rq->db, &s, NULL)) != KAM_OK ||
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
	return http_reply_json(rs, 200, json_pack("{s:o}", "items", items));
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
