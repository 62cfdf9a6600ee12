/* Group accounts (docs/groups.md): GET /api/v1/accounts/:id/group. */
#include <string.h>
#include "api/api.h"
#include "api/groups.h"

int api_account_group(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *out = NULL;
	int rc;

	if (id < 0)
		return api_not_found(rs, "account");
	/* the stored 12-month revenue each entity shows is as fresh as the accounts list's */
	if ((rc = app_scores_fresh(rq->db, api_now(rq))) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	rc = app_group_tree(rq->db, &rq->user.who, id, &out);
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "account");
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, out);
}

int api_group_param(struct req *rq, int64_t id, struct app_group *g, bool *grouped,
                    struct kam_errinfo *ei)
{
	const char *scope = http_query(rq, "scope");
	int rc;

	memset(g, 0, sizeof(*g));
	*grouped = false;
	if (scope == NULL || !strcmp(scope, "account"))
		return KAM_OK;
	if (strcmp(scope, "group") != 0) {
		err_field(ei, "scope", "must be account or group");
		return KAM_EINVAL;
	}
	if (id < 0)
		return KAM_ENOTFOUND;
	if ((rc = app_group_load(rq->db, &rq->user.who, id, g)) == KAM_ENOTFOUND)
		err_detail(ei, "no such account");
	*grouped = rc == KAM_OK;
	return rc;
}

int api_account_group_health(struct req *rq, struct resp *rs, const struct app_group *g)
{
	json_t *out = NULL;
	int rc = app_scores_fresh(rq->db, api_now(rq));

	if (rc == KAM_OK)
		rc = app_group_health(g, &out);
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, out);
}
