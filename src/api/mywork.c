/* My work (/api/v1/work), the alerts inbox (/api/v1/alerts/inbox) and the global search
 * (/api/v1/search): parse the query, ask src/app/mywork, reply. */
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "app/mywork.h"

/* Every parameter of the request is one of names; the others go in ei. */
static void only(struct req *rq, const char *const *names, size_t n, struct kam_errinfo *ei)
{
	for (size_t i = 0; i < rq->nquery; i++) {
		size_t k = 0;

		while (k < n && strcmp(rq->query[i].key, names[k]) != 0)
			k++;
		if (k == n)
			err_field(ei, rq->query[i].key, "is not a parameter here");
	}
}

static int reply(struct resp *rs, int rc, json_t *out, struct kam_errinfo *ei)
{
	if (rc != KAM_OK)
		http_reply_err(rs, rc, ei);
	else
		http_reply_json(rs, 200, out);
	err_clear(ei);
	return rc;
}

int api_work(struct req *rq, struct resp *rs)
{
	static const char *const names[] = {"owner", "days", "horizon", "limit"};
	struct kam_errinfo ei = {0};
	struct app_work_query q = {0};
	int64_t owner = 0, days = 0, horizon = 0, limit = 0;
	json_t *out = NULL;
	int rc = KAM_EINVAL;

	only(rq, names, 4, &ei);
	api_int_param(rq, "owner", 1, INT64_MAX, &owner, &ei);
	api_int_param(rq, "days", 1, 3650, &days, &ei);
	api_int_param(rq, "horizon", 30, 90, &horizon, &ei);
	api_int_param(rq, "limit", 1, 500, &limit, &ei);
	if (!ei.errors) {
		q = (struct app_work_query){owner, (int)days, (int)horizon, (int)limit};
		rc = app_work(rq->db, &rq->user.who, &q, &out, &ei);
	}
	return reply(rs, rc, out, &ei);
}

int api_alert_inbox(struct req *rq, struct resp *rs)
{
	static const char *const names[] = {"owner", "state", "severity", "rule", "limit"};
	struct kam_errinfo ei = {0};
	int64_t owner = 0, limit = 0;
	json_t *out = NULL;
	int rc = KAM_EINVAL;

	only(rq, names, 5, &ei);
	api_int_param(rq, "owner", 1, INT64_MAX, &owner, &ei);
	api_int_param(rq, "limit", 1, 2000, &limit, &ei);
	if (!ei.errors) {
		struct app_inbox_query q = {owner, http_query(rq, "state"),
		                            http_query(rq, "severity"), http_query(rq, "rule"),
		                            (int)limit};

		rc = app_alert_inbox(rq->db, &rq->user.who, &q, &out, &ei);
	}
	return reply(rs, rc, out, &ei);
}

int api_search(struct req *rq, struct resp *rs)
{
	static const char *const names[] = {"q", "limit"};
	struct kam_errinfo ei = {0};
	int64_t limit = 0;
	json_t *out = NULL;
	int rc = KAM_EINVAL;

	only(rq, names, 2, &ei);
	api_int_param(rq, "limit", 1, 20, &limit, &ei);
	if (!ei.errors)
		rc = app_search(rq->db, &rq->user.who, http_query(rq, "q"), (int)limit, &out, &ei);
	return reply(rs, rc, out, &ei);
}
