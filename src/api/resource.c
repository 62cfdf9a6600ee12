/* The shared handlers behind every account-scoped resource (see resource.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/resource.h"
#include "util/time.h"

static const struct app_resource *res_of(const struct req *rq)
{
	return rq->route_arg;
}

static int reply_err(struct resp *rs, const struct app_resource *r, int rc, struct kam_errinfo *ei)
{
	if (rc == KAM_ENOTFOUND && ei->detail[0] == '\0')
		err_detail(ei, "no such %s", r->e->name);
	if (rc == KAM_ECONFLICT && ei->detail[0] == '\0' && r->conflict)
		err_detail(ei, "%s", r->conflict);
	http_reply_err(rs, rc, ei);
	err_clear(ei);
	return rc;
}

int api_res_list(struct req *rq, struct resp *rs)
{
	struct app_list l;

	app_list_of_resource(&rq->user.who, res_of(rq), &l);
	return api_list(rq, rs, &l);
}

int api_res_get(struct req *rq, struct resp *rs)
{
	const struct app_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, at = 0;
	char key[API_CACHE_KEY_LEN] = "";
	json_t *rec = NULL;
	int rc = id < 0 ? KAM_ENOTFOUND : r->cached ? api_record_cached(rq, rs, key, &at) : 0;

	if (rc > 0)
		return KAM_OK;
	if (rc == KAM_OK)
		rc = app_res_read(rq->db, &rq->user.who, r, id, &rec, &version);
	if (rc != KAM_OK) {
		json_decref(rec);
		return reply_err(rs, r, rc, &ei);
	}
	return api_record_keep(rq, rs, key, at, version, rec);
}

int api_res_create(struct req *rq, struct resp *rs)
{
	const struct app_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	json_t *rec = NULL;
	int64_t version;
	int rc = app_res_create(rq->db, &rq->user.who, r, rq->json, &rec, &version, &ei);

	if (rc != KAM_OK)
		return reply_err(rs, r, rc, &ei);
	err_clear(&ei);
	return api_created(rs, r->base, json_integer_value(json_object_get(rec, "id")), version,
	                   rec);
}

int api_res_update(struct req *rq, struct resp *rs)
{
	const struct app_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), version, want = http_if_match(rq);
	json_t *rec = NULL;
	int rc;

	if (id < 0)
		rc = KAM_ENOTFOUND;
	else if (want == -2) {
		err_detail(&ei, "If-Match must be an ETag such as \"3\"");
		rc = KAM_ESTALE;
	} else
		rc = app_res_update(rq->db, &rq->user.who, r, id, rq->json, want, &rec, &version,
		                    &ei);
	if (rc != KAM_OK)
		return reply_err(rs, r, rc, &ei);
	err_clear(&ei);
	http_etag(rs, version);
	return http_reply_json(rs, 200, rec);
}

int api_res_delete(struct req *rq, struct resp *rs)
{
	const struct app_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), want = http_if_match(rq);
	int rc = id < 0       ? KAM_ENOTFOUND
	         : want == -2 ? KAM_ESTALE
	                      : app_res_delete(rq->db, &rq->user.who, r, id, want, &ei);

	if (rc != KAM_OK)
		return reply_err(rs, r, rc, &ei);
	err_clear(&ei);
	return http_reply_empty(rs, 204);
}

int api_res_history(struct req *rq, struct resp *rs)
{
	const struct app_resource *r = res_of(rq);
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0);
	int limit = 50;
	const char *cursor = NULL;
	json_t *items = NULL;
	char *next = NULL;
	int rc = id < 0 ? KAM_ENOTFOUND : KAM_OK;

	for (size_t i = 0; rc == KAM_OK && i < rq->nquery; i++) {
		const char *k = rq->query[i].key, *v = rq->query[i].value;

		if (strcmp(k, "limit") == 0) {
			rc = app_list_limit(v, &limit, &ei);
		} else if (strcmp(k, "cursor") == 0) {
			cursor = v;
		} else {
			err_field(&ei, k, "is not a parameter of this list");
			rc = KAM_EINVAL;
		}
	}
	if (rc == KAM_OK)
		rc = app_res_history(rq->db, &rq->user.who, r, id, limit, cursor, &items, &next);
	if (rc == KAM_EINVAL && !ei.errors)
		err_field(&ei, "cursor", "is not a cursor of this list");
	if (rc != KAM_OK) {
		free(next);
		return reply_err(rs, r, rc, &ei);
	}
	rc = http_reply_json(rs, 200,
	                     json_pack("{s:o,s:o}", "items", items, "next_cursor",
	                               next ? json_string(next) : json_null()));
	free(next);
	err_clear(&ei);
	return rc;
}
