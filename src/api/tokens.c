/* /api/v1/tokens: bearer tokens for scripts and integrations, shown once, stored as hashes. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "kam/date.h"
#include "util/time.h"
#include "util/tok.h"

#define TOKEN_MAX_LIFE (5 * 366 * 86400LL)

int api_token_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	const char *name = json_string_value(json_object_get(rq->json, "name"));
	json_t *exp = json_object_get(rq->json, "expires_at");
	char tok[96], h[TOK_HASH_LEN], ts[32], es[32];
	int64_t id, now = time_now(), expires_at = 0;
	json_t *audit = NULL;
	int rc = KAM_OK;

	if (!json_is_object(rq->json) ||
	    json_object_size(rq->json) != 1u + (exp != NULL) || name == NULL ||
	    name[0] == '\0' || validate_utf8_len(name) > 100) {
		err_field(&ei, "name",
			  "send {\"name\": a label of 1 to 100 characters, \"expires_at\": optional}");
		rc = KAM_EINVAL;
		goto out;
	}
	/* a token that never expires is allowed, but one far off is a mistake */
	if (exp && !json_is_null(exp) &&
	    (!json_is_string(exp) ||
	     date_parse_time(json_string_value(exp), &expires_at) != KAM_OK ||
	     expires_at <= now || expires_at > now + TOKEN_MAX_LIFE)) {
		err_field(&ei, "expires_at",
			  "must be a time (RFC 3339, UTC) in the next 5 years, or null for never");
		rc = KAM_EINVAL;
		goto out;
	}
	tok_random("kam_", 32, tok, sizeof(tok));
	tok_hash(tok, h);
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = store_token_create(rq->db, rq->user.who.user_id, name, h, now, expires_at, &id)) != KAM_OK)
		goto out;
	audit = json_pack("{s:s}", "name", name);
	if ((rc = app_audit(rq->db, &rq->user.who, "create", "api_token", id, NULL, audit)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	time_rfc3339(now, ts, sizeof(ts));
	{
		char loc[64];

		snprintf(loc, sizeof(loc), "/api/v1/tokens/%lld", (long long)id);
		http_header(rs, "Location", loc);
	}
	if (expires_at)
		time_rfc3339(expires_at, es, sizeof(es));
	http_reply_json(rs, 201,
			json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:n}", "id", (json_int_t)id, "user_id",
				  (json_int_t)rq->user.who.user_id, "name", name, "token", tok, "created_at",
				  ts, "expires_at", expires_at ? json_string(es) : json_null(),
				  "last_used_at"));
out:
	json_decref(audit);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_token_list(struct req *rq, struct resp *rs)
{
	json_t *items = NULL;
	int64_t who = rq->user.who.user_id;
	const char *all = http_query(rq, "all");
	int rc;

	if (all && strcmp(all, "true") == 0) {
		if (rq->user.who.role != ROLE_ADMIN) {
			http_problem(rs, 403, "only an admin may list everyone's tokens", NULL);
			return KAM_EFORBIDDEN;
		}
		who = 0;
	}
	if ((rc = store_token_list(rq->db, who, &items)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, json_pack("{s:o}", "items", items));
}

int api_token_delete(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	int rc;

	if (id < 0)
		return api_not_found(rs, "token");
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	rc = store_token_delete(rq->db, id, rq->user.who.role == ROLE_ADMIN ? 0 : rq->user.who.user_id);
	if (rc == KAM_OK)
		rc = app_audit(rq->db, &rq->user.who, "delete", "api_token", id, NULL, NULL);
	if (rc == KAM_OK)
		rc = store_commit(rq->db);
out:
	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "token");
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_empty(rs, 204);
}
