/* /api/v1/invitations and /api/v1/users/:id/invitation: the one-time links through which a
 * user without a password (an imported sales agent) sets one. */
#include <string.h>
#include "api/api.h"
#include "app/users.h"
#include "util/time.h"

#define GONE "this invitation is not valid, was used already or has expired; ask an admin for a new one"
#define GONE_RESET                                                                                 \
	"this link is not valid, was used already or has expired; ask for a new one on the sign-in " \
	"page"

int api_invitation_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	char token[INVITE_TOKEN_LEN], link[INVITE_TOKEN_LEN + 16];
	int64_t id = api_param_id(rq, 0), expires = 0;
	int rc = id > 0 ? app_invitation_create(rq->db, &rq->user.who, id, token, &expires, &ei)
	                : KAM_ENOTFOUND;

	if (rc == KAM_ENOTFOUND) {
		err_clear(&ei);
		return api_not_found(rs, "user");
	}
	if (rc != KAM_OK) {
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	if (token[0] == '\0') /* mailed: the link exists only in the mail */
		return http_reply_json(rs, 201, json_pack("{s:I,s:b}", "user_id", (json_int_t)id,
		                                          "mailed", 1));
	snprintf(link, sizeof(link), "/#/invite/%s", token);
	/* the token is shown once, here; kam keeps only its hash */
	return http_reply_json(rs, 201,
	                       json_pack("{s:I,s:s,s:s,s:I}", "user_id", (json_int_t)id, "token",
	                                 token, "link", link, "expires_at", (json_int_t)expires));
}

int api_invitation_pending(struct req *rq, struct resp *rs)
{
	json_t *items = NULL;
	int rc = app_users_pending(rq->db, &items);

	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, json_pack("{s:o}", "items", items));
}

/* GET of a one-time link of kind k: who it is for, or the same 404 for any link not live. */
static int onetime_get(struct req *rq, struct resp *rs, const struct app_onetime *k,
                       const char *gone)
{
	json_t *user = NULL;
	int rc = app_onetime_find(rq->db, k, rq->nparams ? rq->params[0] : "", api_now(rq), &user);

	if (rc == KAM_ENOTFOUND)
		return http_problem(rs, 404, gone, NULL), rc;
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	http_header(rs, "X-Robots-Tag", "noindex");
	return http_reply_json(rs, 200, json_pack("{s:o}", "user", user));
}

/* POST of a one-time link of kind k {password}: sets it. */
static int onetime_accept(struct req *rq, struct resp *rs, const struct app_onetime *k,
                          const char *gone)
{
	struct kam_errinfo ei = {0};
	json_t *pw = json_object_get(rq->json, "password"), *user = NULL;
	int rc;

	if (!json_is_string(pw)) {
		err_field(&ei, "password", "is required: a string of 12 to 128 characters");
		rc = KAM_EINVAL;
	} else {
		rc = app_onetime_accept(rq->db, k, rq->nparams ? rq->params[0] : "",
		                        json_string_value(pw), api_now(rq), &user, &ei);
	}
	if (rc == KAM_ENOTFOUND)
		http_problem(rs, 404, gone, NULL);
	else if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	else
		http_reply_json(rs, 200, json_pack("{s:o}", "user", user));
	err_clear(&ei);
	return rc;
}

int api_invitation_get(struct req *rq, struct resp *rs)
{
	return onetime_get(rq, rs, &app_invitations, GONE);
}

int api_invitation_accept(struct req *rq, struct resp *rs)
{
	return onetime_accept(rq, rs, &app_invitations, GONE);
}

int api_reset_get(struct req *rq, struct resp *rs)
{
	return onetime_get(rq, rs, &app_resets, GONE_RESET);
}

int api_reset_accept(struct req *rq, struct resp *rs)
{
	return onetime_accept(rq, rs, &app_resets, GONE_RESET);
}
