/* /api/v1/audit: the append-only log of every change, for admins and directors. */
#include <stdlib.h>
#include <string.h>
#include "api/api.h"

int api_audit_list(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	const char *entity = NULL, *cursor = NULL;
	int64_t id = 0;
	int limit = 50;
	json_t *items = NULL;
	char *next = NULL;
	int rc = KAM_OK;

	for (size_t i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].key, *v = rq->query[i].value;

		if (strcmp(k, "entity") == 0) {
			entity = v;
		} else if (strcmp(k, "id") == 0) {
			if ((id = validate_id(v)) < 0) {
				err_field(&ei, "id", "must be a positive integer");
				rc = KAM_EINVAL;
			}
		} else if (strcmp(k, "limit") == 0) {
			if (app_list_limit(v, &limit, &ei) != KAM_OK)
				rc = KAM_EINVAL;
		} else if (strcmp(k, "cursor") == 0) {
			cursor = v;
		} else {
			err_field(&ei, k, "is not a parameter of this list");
			rc = KAM_EINVAL;
		}
	}
	if (rc != KAM_OK)
		goto out;
	rc = store_audit_list(rq->db, entity, id, limit, cursor, &items, &next);
	if (rc == KAM_EINVAL)
		err_field(&ei, "cursor", "is not a cursor of this list");
	if (rc != KAM_OK)
		goto out;
	http_reply_json(rs, 200,
			json_pack("{s:o,s:o}", "items", items, "next_cursor",
				  next ? json_string(next) : json_null()));
out:
	free(next);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
