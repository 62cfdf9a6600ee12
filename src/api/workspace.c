/*
 * The client workspace's doors (issue 19, docs/workspace.md): the staff routes that manage
 * an account's client members, joint reviews and survey requests, and the /api/v1/workspace
 * routes a client member's session reaches (ROUTE_CLIENT: src/http/dispatch.c). Each parses,
 * calls src/app/workspace.c with the caller's actor and replies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "api/api.h"
#include "app/workspace.h"
#include "util/time.h"

#define WS_COOKIE_MAX_AGE AUTH_CLIENT_SESSION_MAX_AGE

/* --- staff ------------------------------------------------------------------------------------ */

int api_ws_member_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_member_create(rq->db, &rq->user.who, id, rq->json, &out, &ei)
	                : KAM_ENOTFOUND;

	return api_answer(rs, rc, 201, out, &ei, "account");
}

int api_ws_members(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_members(rq->db, &rq->user.who, id, &out) : KAM_ENOTFOUND;

	return api_answer(rs, rc, 200, out, &ei, "account");
}

int api_ws_member_link(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_member_link(rq->db, &rq->user.who, id, &out, &ei) : KAM_ENOTFOUND;

	return api_answer(rs, rc, 201, out, &ei, "client member");
}

int api_ws_member_delete(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_member_remove(rq->db, &rq->user.who, id, &ei) : KAM_ENOTFOUND;

	return api_answer(rs, rc, 204, NULL, &ei, "client member");
}

int api_ws_activity(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_activity(rq->db, &rq->user.who, id, &out) : KAM_ENOTFOUND;

	return api_answer(rs, rc, 200, out, &ei, "account");
}

int api_ws_comments(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_comments(rq->db, &rq->user.who, id, &out) : KAM_ENOTFOUND;

	return api_answer(rs, rc, 200, out, &ei, "account");
}

int api_ws_staff_comment(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_staff_comment(rq->db, &rq->user.who, id, rq->json, &out, &ei)
	                : KAM_ENOTFOUND;

	return api_answer(rs, rc, 201, out, &ei, "account");
}

int api_ws_review_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_review_create(rq->db, &rq->user.who, id, rq->json, &out, &ei)
	                : KAM_ENOTFOUND;

	if (rc == KAM_OK) {
		char loc[64];

		snprintf(loc, sizeof(loc), "/api/v1/reviews/%lld",
		         (long long)json_integer_value(json_object_get(out, "id")));
		http_header(rs, "Location", loc);
	}
	return api_answer(rs, rc, 201, out, &ei, "plan");
}

int api_ws_reviews(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_reviews(rq->db, &rq->user.who, id, &out) : KAM_ENOTFOUND;

	return api_answer(rs, rc, 200, out, &ei, "plan");
}

int api_ws_survey_request(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_survey_request(rq->db, &rq->user.who, id, rq->json, &out, &ei)
	                : KAM_ENOTFOUND;

	return api_answer(rs, rc, 201, out, &ei, "account");
}

int api_ws_survey_requests(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_survey_requests(rq->db, &rq->user.who, id, &out) : KAM_ENOTFOUND;

	return api_answer(rs, rc, 200, out, &ei, "account");
}

int api_ws_survey_request_close(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0), rid = api_param_id(rq, 1);
	int rc = id > 0 && rid > 0
	             ? app_ws_survey_request_close(rq->db, &rq->user.who, id, rid, &out, &ei)
	             : KAM_ENOTFOUND;

	return api_answer(rs, rc, 200, out, &ei, "survey request");
}

/* --- the client's side -------------------------------------------------------------------- */

static void ws_cookie(struct req *rq, struct resp *rs, const char *tok, int max_age)
{
	char buf[256];
	bool secure = rq->forwarded_proto && strcasecmp(rq->forwarded_proto, "https") == 0;

	/* Path: the browser sends it to the workspace routes only, never to staff ones */
	snprintf(buf, sizeof(buf),
	         "kam_workspace=%s; Path=/api/v1/workspace; HttpOnly; SameSite=Strict; "
	         "Max-Age=%d%s",
	         tok, max_age, secure ? "; Secure" : "");
	http_header(rs, "Set-Cookie", buf);
}

#define LINK_GONE                                                                                  \
	"this link is not valid, was used already or has expired; ask your account manager for a " \
	"new one"

int api_ws_session_create(struct req *rq, struct resp *rs)
{
	char cookie[WS_TOKEN_LEN], csrf[WS_CSRF_LEN], wait[32];
	json_t *tok = json_object_get(rq->json, "token"), *out = NULL;
	int64_t retry = 0;
	int rc;

	if (!json_is_string(tok)) {
		struct kam_errinfo ei = {0};

		err_field(&ei, "token", "is required: the token of your workspace link");
		http_reply_err(rs, KAM_EINVAL, &ei);
		err_clear(&ei);
		return KAM_EINVAL;
	}
	rc = app_ws_session_open(rq->db, json_string_value(tok), rq->remote_addr, time_now(),
	                         cookie, csrf, &out, &retry);
	if (rc == KAM_ERATE) {
		snprintf(wait, sizeof(wait), "%lld", (long long)retry);
		http_header(rs, "Retry-After", wait);
		return http_problem(rs, 429, "too many sign-in links tried from this address",
		                    NULL),
		       rc;
	}
	if (rc == KAM_ENOTFOUND)
		return http_problem(rs, 404, LINK_GONE, NULL), rc;
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	ws_cookie(rq, rs, cookie, WS_COOKIE_MAX_AGE);
	return http_reply_json(rs, 201, out);
}

int api_ws_session_get(struct req *rq, struct resp *rs)
{
	return http_reply_json(rs, 200,
	                       json_pack("{s:{s:I,s:s},s:{s:I,s:s},s:s}", "member", "id",
	                                 (json_int_t)rq->user.who.member_id, "name", rq->user.name,
	                                 "account", "id", (json_int_t)rq->user.who.member_account,
	                                 "name", rq->user.account_name, "csrf_token",
	                                 rq->user.csrf));
}

int api_ws_session_delete(struct req *rq, struct resp *rs)
{
	int rc = app_ws_session_close(rq->db, rq->user.session_hash);

	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	ws_cookie(rq, rs, "", 0);
	return http_reply_empty(rs, 204);
}

int api_ws_view(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_ws_view(rq->db, &rq->user.who, &out);

	return api_answer(rs, rc, 200, out, &ei, "workspace");
}

int api_ws_action_update(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_action_update(rq->db, &rq->user.who, id, rq->json, &out, &ei)
	                : KAM_ENOTFOUND;

	return api_answer(rs, rc, 200, out, &ei, "action");
}

int api_ws_action_propose(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_ws_action_propose(rq->db, &rq->user.who, rq->json, &out, &ei);

	return api_answer(rs, rc, 201, out, &ei, "plan");
}

int api_ws_comment(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_ws_comment(rq->db, &rq->user.who, rq->json, &out, &ei);

	return api_answer(rs, rc, 201, out, &ei, "record");
}

static int review_answer(struct req *rq, struct resp *rs, const char *what)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_review_answer(rq->db, &rq->user.who, id, what, rq->json, &out, &ei)
	                : KAM_ENOTFOUND;

	return api_answer(rs, rc, 200, out, &ei, "review");
}

int api_ws_review_confirm(struct req *rq, struct resp *rs)
{
	return review_answer(rq, rs, "confirm");
}

int api_ws_review_propose(struct req *rq, struct resp *rs)
{
	return review_answer(rq, rs, "propose");
}

int api_ws_review_agenda(struct req *rq, struct resp *rs)
{
	return review_answer(rq, rs, "agenda");
}

int api_ws_survey_answer(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int64_t id = api_param_id(rq, 0);
	int rc = id > 0 ? app_ws_survey_answer(rq->db, &rq->user.who, id, rq->json, &out, &ei)
	                : KAM_ENOTFOUND;

	return api_answer(rs, rc, 201, out, &ei, "survey");
}

static int document(struct req *rq, struct resp *rs, const char *format)
{
	char fn[128], disp[200], err[160] = "";
	char *buf = NULL;
	size_t len = 0;
	int rc = app_ws_document(rq->db, &rq->user.who, format, &buf, &len, fn, sizeof(fn), err,
	                         sizeof(err));

	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "workspace");
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	snprintf(disp, sizeof(disp), "inline; filename=\"%s\"", fn);
	http_header(rs, "Content-Disposition", disp);
	if (!strcmp(format, "html"))
		http_header(rs, "Content-Security-Policy",
		            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
		            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
	rc = http_reply_bytes(
	    rs, 200, !strcmp(format, "pdf") ? "application/pdf" : "text/html; charset=utf-8", buf,
	    len);
	free(buf);
	return rc;
}

int api_ws_plan_pdf(struct req *rq, struct resp *rs)
{
	return document(rq, rs, "pdf");
}

int api_ws_plan_html(struct req *rq, struct resp *rs)
{
	return document(rq, rs, "html");
}
