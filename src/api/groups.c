/* Group accounts (docs/groups.md): GET /api/v1/accounts/:id/group. */
#include "api/api.h"
#include "app/group.h"

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
