/* /api/v1/password-resets: "Forgot your password?" by mail, and the one-time link's page. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "app/reset.h"
#include "util/time.h"


int api_reset_info(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_reply_json(rs, 200, json_pack("{s:b}", "mail", app_reset_mail_on()));
}

int api_reset_request(struct req *rq, struct resp *rs)
{
	const struct auth_throttle *const limits[2] = {&auth_throttle_reset_email,
	                                               &auth_throttle_reset_addr};
	struct kam_errinfo ei = {0};
	const char *email = json_string_value(json_object_get(rq->json, "email"));
	char keys[2][320], lower[255];
	int64_t now = time_now(), wait = 0;
	bool mail = app_reset_mail_on();
	int rc = KAM_OK;

	if (!json_is_object(rq->json) || json_object_size(rq->json) != 1 || email == NULL ||
	    strlen(email) > 254 || strchr(email, '@') == NULL) {
		err_field(&ei, "email", "is required: the e-mail address you sign in with");
		rc = KAM_EINVAL;
		goto out;
	}
	snprintf(lower, sizeof(lower), "%s", email);
	for (char *p = lower; *p; p++)
		*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	snprintf(keys[0], sizeof(keys[0]), "%s%s", limits[0]->prefix, lower);
	snprintf(keys[1], sizeof(keys[1]), "%s%s", limits[1]->prefix, rq->remote_addr);
	/* counted for every address, a user's or not: the limit tells nothing either */
	for (int i = 0; i < 2; i++) {
		int64_t count = 0, start = 0, w;

		if ((rc = store_throttle_take(rq->db, keys[i], limits[i]->window, now, &count,
		                              &start)) != KAM_OK)
			goto out;
		w = auth_throttle_wait(limits[i], count, start, now);
		if (w > wait)
			wait = w;
	}
	if (wait > 0) {
		char s[32];

		snprintf(s, sizeof(s), "%lld", (long long)wait);
		http_header(rs, "Retry-After", s);
		err_detail(&ei, "too many password-reset requests; wait %lld seconds",
		           (long long)wait);
		rc = KAM_ERATE;
		goto out;
	}
	if ((rc = app_reset_request(rq->db, email, now)) != KAM_OK)
		goto out;
	http_reply_json(
	    rs, 202,
	    json_pack("{s:b,s:s}", "mail", mail, "detail",
	              mail ? "if this address is a user's, a link to choose a new password is "
	                     "on its way; it works once, for an hour"
	                   : "this server sends no mail: ask an admin to set a new password "
	                     "for you"));
out:
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
