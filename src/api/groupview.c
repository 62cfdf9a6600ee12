/* The group page's own reads (docs/groups.md, "The group page"): the stakeholders of one
 * account or of every entity of its group the caller sees, on one map. */
#include <string.h>
#include "api/api.h"
#include "app/grouplinks.h"

int api_account_stakeholders(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0);
	bool group = false;
	json_t *out = NULL;
	int rc = KAM_OK;

	for (size_t i = 0; i < rq->nquery && rc == KAM_OK; i++) {
		const char *k = rq->query[i].key, *v = rq->query[i].value;

		if (strcmp(k, "scope") != 0) {
			err_field(&ei, k, "is not a parameter of this report");
			rc = KAM_EINVAL;
		} else if (strcmp(v, "group") == 0 || strcmp(v, "account") == 0) {
			group = strcmp(v, "group") == 0;
		} else {
			err_field(&ei, "scope", "must be account or group");
			rc = KAM_EINVAL;
		}
	}
	if (rc == KAM_OK)
		rc = id < 0 ? KAM_ENOTFOUND
		            : app_group_stakeholders(rq->db, &rq->user.who, id, group, &out);
	if (rc == KAM_ENOTFOUND) {
		err_clear(&ei);
		return api_not_found(rs, "account");
	}
	if (rc != KAM_OK) {
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	return http_reply_json(rs, 200, out);
}
