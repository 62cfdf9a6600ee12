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
