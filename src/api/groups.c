/* Group accounts (docs/groups.md): GET /api/v1/accounts/:id/group. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "api/groups.h"

int api_account_group(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *out = NULL;
	int rc;

	const char *format = http_query(rq, "format");

	for (size_t i = 0; i < rq->nquery; i++)
		if (strcmp(rq->query[i].key, "format") != 0) {
			struct kam_errinfo ei = {0};

			err_field(&ei, rq->query[i].key,
			          "is not a parameter (the only one is format)");
			http_reply_err(rs, KAM_EINVAL, &ei);
			err_clear(&ei);
			return KAM_EINVAL;
		}
	if (format && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "xlsx")) {
		struct kam_errinfo ei = {0};

		err_field(&ei, "format", "is json, csv or xlsx");
		http_reply_err(rs, KAM_EINVAL, &ei);
		err_clear(&ei);
		return KAM_EINVAL;
	}
	if (id < 0)
		return api_not_found(rs, "account");
	/* the stored 12-month revenue each entity shows is as fresh as the accounts list's */
	if ((rc = app_scores_fresh_as(rq->db, &rq->user.who)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	if (format && strcmp(format, "json")) {
		bool xlsx = !strcmp(format, "xlsx");
		char disp[120];
		size_t len = 0;
		int fd = -1;

		rc = app_group_tree_file(rq->db, &rq->user.who, id, xlsx, &fd, &len);
		if (rc == KAM_ENOTFOUND)
			return api_not_found(rs, "account");
		if (rc != KAM_OK)
			return http_reply_err(rs, rc, NULL), rc;
		snprintf(disp, sizeof(disp), "attachment; filename=\"group-%lld.%s\"",
		         (long long)id, xlsx ? "xlsx" : "csv");
		http_header(rs, "Content-Disposition", disp);
		return http_reply_file(
		    rs, 200,
		    xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		         : "text/csv; charset=utf-8",
		    fd, len);
	}
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
	int rc = app_scores_fresh_as(rq->db, &rq->user.who);

	if (rc == KAM_OK)
		rc = app_group_health(g, &out);
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, out);
}
