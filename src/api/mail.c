/* /api/v1/outbox: the mails kam sends, for admins (failed ones first of all). */
#include "api/api.h"
#include "app/mail.h"

int api_outbox_list(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_outbox_list(rq->db, &rq->user.who, http_query(rq, "state"), &out, &ei);

	if (rc != KAM_OK) {
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	return http_reply_json(rs, 200, out);
}

int api_notify_get(struct req *rq, struct resp *rs)
{
	json_t *out = NULL;
	int rc = app_notify_get(rq->db, &rq->user.who, &out);

	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, out);
}

int api_notify_patch(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_notify_patch(rq->db, &rq->user.who, rq->json, &out, &ei);

	if (rc != KAM_OK) {
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	return http_reply_json(rs, 200, out);
}

int api_unsubscribe(struct req *rq, struct resp *rs)
{
	int rc = app_unsubscribe(rq->db, rq->nparams ? rq->params[0] : "");

	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "unsubscribe link");
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(
	    rs, 200,
	    json_pack("{s:b,s:s}", "unsubscribed", 1, "detail",
	              "you will get no more mails from kam; turn them on again in "
	              "Settings"));
}
