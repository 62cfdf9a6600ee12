/*
 * Client share links: a KAM creates an expiring, revocable link; whoever holds it sees what
 * the KAM marked client_visible of the account's current plan, and the service KPIs only when
 * the link was made with them, read-only, with nothing internal. The view is built by
 * app/share.c, the same for the link and for the KAM's preview before any link exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "app/share.h"
#include "store/share.h"
#include "util/time.h"
#include "util/tok.h"

#define SHARE_DAYS_DEFAULT 30
#define SHARE_DAYS_MAX 90

static int writable_account(struct req *rq, int64_t id, struct kam_errinfo *ei)
{
	bool owner = false, team = false;
	int rc = app_account_visible(rq->db, &rq->user.who, id, &owner, &team);

	if (rc == KAM_ENOTFOUND)
		err_detail(ei, "no such account");
	else if (rc == KAM_OK && !auth_account_writable(rq->user.who.role, owner, team)) {
		err_detail(ei, "your role may not share this account");
		rc = KAM_EFORBIDDEN;
	}
	return rc;
}

int api_share_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), sid, now = time_now(), days = SHARE_DAYS_DEFAULT;
	char tok[80], h[TOK_HASH_LEN], url[160], ts[32];
	json_t *audit = NULL, *view = NULL;
	bool kpis = false, shared = false;
	int rc = KAM_OK;

	if (rq->json) {
		const char *k;
		json_t *v;

		if (!json_is_object(rq->json)) {
			err_detail(&ei, "send {\"expires_in_days\": 1 to 90, \"include_kpis\": "
			                "false}, or no body");
			rc = KAM_EINVAL;
			goto out;
		}
		json_object_foreach(rq->json, k, v)
		{
			if (strcmp(k, "include_kpis") == 0) {
				if (!json_is_boolean(v)) {
					err_field(&ei, k, "include_kpis must be true or false");
					rc = KAM_EINVAL;
				}
				kpis = json_is_true(v);
			} else if (strcmp(k, "expires_in_days") != 0 || !json_is_integer(v) ||
			           json_integer_value(v) < 1 ||
			           json_integer_value(v) > SHARE_DAYS_MAX) {
				err_field(&ei, k,
				          "expires_in_days must be an integer from 1 to 90");
				rc = KAM_EINVAL;
			} else {
				days = json_integer_value(v);
			}
		}
		if (rc != KAM_OK)
			goto out;
	}
	if (id < 0) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK ||
	    (rc = writable_account(rq, id, &ei)) != KAM_OK ||
	    (rc = app_share_view(rq->db, id, kpis, api_now(rq), &view, &shared)) != KAM_OK)
		goto out;
	if (!shared) {
		err_detail(&ei,
		           "nothing of this account is shared with the client: mark an objective "
		           "or action of its current plan \"Client can see\", or include the "
		           "service KPIs");
		rc = KAM_ECONFLICT;
		goto out;
	}
	tok_random("", 32, tok, sizeof(tok));
	tok_hash(tok, h);
	if ((rc = store_share_create(rq->db, id, h, rq->user.who.user_id, now, now + days * 86400,
	                             kpis, &sid)) != KAM_OK)
		goto out;
	audit = json_pack("{s:I,s:I,s:b}", "share_id", (json_int_t)sid, "expires_in_days",
	                  (json_int_t)days, "include_kpis", kpis);
	if ((rc = app_audit(rq->db, &rq->user.who, "share", "account", id, NULL, audit)) !=
	        KAM_OK ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	snprintf(url, sizeof(url), "/#/shared/%s", tok);
	time_rfc3339(now + days * 86400, ts, sizeof(ts));
	http_reply_json(rs, 201,
	                json_pack("{s:I,s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)sid, "account_id",
	                          (json_int_t)id, "token", tok, "url", url, "expires_at", ts,
	                          "include_kpis", kpis));
out:
	json_decref(audit);
	json_decref(view);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_share_list(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *items = NULL;
	int rc;

	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	if ((rc = store_share_list(rq->db, id, &items)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, json_pack("{s:o}", "items", items));
}

int api_share_delete(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0), sid = api_param_id(rq, 1);
	json_t *audit = NULL;
	int rc;

	if (id < 0 || sid < 0) {
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if ((rc = store_begin(rq->db, true)) != KAM_OK ||
	    (rc = writable_account(rq, id, &ei)) != KAM_OK)
		goto out;
	if ((rc = store_share_revoke(rq->db, id, sid, time_now())) != KAM_OK) {
		if (rc == KAM_ENOTFOUND)
			err_detail(&ei, "no such live share of this account");
		goto out;
	}
	audit = json_pack("{s:I}", "share_id", (json_int_t)sid);
	if ((rc = app_audit(rq->db, &rq->user.who, "unshare", "account", id, audit, NULL)) !=
	        KAM_OK ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	http_reply_empty(rs, 204);
out:
	json_decref(audit);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_share_preview(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	const char *k = http_query(rq, "include_kpis");
	json_t *view = NULL;
	bool shared = false;
	int rc;

	if (k && strcmp(k, "true") != 0 && strcmp(k, "false") != 0) {
		struct kam_errinfo ei = {0};

		err_field(&ei, "include_kpis", "must be true or false");
		http_reply_err(rs, KAM_EINVAL, &ei);
		err_clear(&ei);
		return KAM_EINVAL;
	}
	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	if ((rc = app_share_view(rq->db, id, k && !strcmp(k, "true"), api_now(rq), &view,
	                         &shared)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	/* whether a link may be made of it: the same test as creating one */
	json_object_set_new(view, "shared", json_boolean(shared));
	return http_reply_json(rs, 200, view);
}

int api_shared(struct req *rq, struct resp *rs)
{
	const char *tok = rq->nparams ? rq->params[0] : "";
	int64_t now = time_now();
	char h[TOK_HASH_LEN];
	struct store_share_link link = {0};
	json_t *view = NULL;
	bool shared;
	int rc;

	if (strlen(tok) < 40 || strlen(tok) > 64) {
		http_problem(rs, 404, "this link is not valid, has expired or was revoked", NULL);
		return KAM_ENOTFOUND;
	}
	tok_hash(tok, h);
	rc = store_share_find(rq->db, h, now, &link);
	/* a link speaks for its creator: it dies with their right to share the account */
	if (rc == KAM_OK && !(link.creator_active &&
	                      auth_account_writable(auth_role_parse(link.creator_role),
	                                            link.creator_owner, link.creator_on_team)))
		rc = KAM_ENOTFOUND;
	if (rc == KAM_ENOTFOUND) {
		http_problem(rs, 404, "this link is not valid, has expired or was revoked", NULL);
		return rc;
	}
	if (rc != KAM_OK || (rc = app_share_view(rq->db, link.account_id, link.include_kpis,
	                                         api_now(rq), &view, &shared)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	http_header(rs, "X-Robots-Tag", "noindex");
	return http_reply_json(rs, 200, view);
}
