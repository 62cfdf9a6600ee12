/* /api/v1/session and /api/v1/me: logging in and out with a cookie, and who am I. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "api/api.h"
#include "store/portfolio.h"
#include "util/time.h"
#include "util/tok.h"

static json_t *user_json(int64_t id, const char *email, const char *name, const char *role)
{
	return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "email", email, "name", name,
			 "role", role);
}

static void set_cookie(struct req *rq, struct resp *rs, const char *tok, int max_age)
{
	char buf[256];
	bool secure = rq->forwarded_proto && strcasecmp(rq->forwarded_proto, "https") == 0;

	snprintf(buf, sizeof(buf), "kam_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
		 tok, max_age, secure ? "; Secure" : "");
	http_header(rs, "Set-Cookie", buf);
}

/*
 * Takes an attempt under each throttle key (n of them); *wait is the longest wait any of
 * them asks for, 0 when the attempt may go ahead. Keys are "prefix" + subject.
 */
static int throttle_take(struct req *rq, const struct auth_throttle *const *t, char (*keys)[320],
                         int n, int64_t now, int64_t *wait)
{
	*wait = 0;
	for (int i = 0; i < n; i++) {
		int64_t count = 0, start = 0, w;
		int rc = store_throttle_take(rq->db, keys[i], t[i]->window, now, &count, &start);

		if (rc != KAM_OK)
			return rc;
		w = auth_throttle_wait(t[i], count, start, now);
		if (w > *wait)
			*wait = w;
	}
	return KAM_OK;
}

static int too_many(struct resp *rs, struct kam_errinfo *ei, int64_t wait, const char *what)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)wait);
	http_header(rs, "Retry-After", s);
	err_detail(ei, "too many %s; wait %lld seconds", what, (long long)wait);
	return KAM_ERATE;
}

static int parse_credentials(json_t *body, const char **email, const char **pw,
			     struct kam_errinfo *ei)
{
	const char *key;
	json_t *v;
	int rc = KAM_OK;

	if (!json_is_object(body)) {
		err_detail(ei, "send {\"email\": ..., \"password\": ...}");
		return KAM_EINVAL;
	}
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "email") != 0 && strcmp(key, "password") != 0) {
			err_field(ei, key, "is not a field of a login");
			rc = KAM_EINVAL;
		}
	}
	*email = json_string_value(json_object_get(body, "email"));
	*pw = json_string_value(json_object_get(body, "password"));
	if (*email == NULL || strlen(*email) > 254) {
		err_field(ei, "email", "must be a string");
		rc = KAM_EINVAL;
	}
	if (*pw == NULL || strlen(*pw) > 1024) {
		err_field(ei, "password", "must be a string");
		rc = KAM_EINVAL;
	}
	return rc;
}

/* kam's now, today and the installation's zone, so the web app counts "today", "this week"
 * and month windows as the server does (KAM_NOW included), not in the browser's UTC. */
static json_t *clock_json(struct req *rq)
{
	struct settings s;
	char now[32], today[DATE_LEN];
	date_t d = 0;

	app_settings_load(rq->db, &s, NULL);
	time_rfc3339(api_now(rq), now, sizeof(now));
	api_today(rq, &d);
	date_format(d, today);
	return json_pack("{s:s,s:s,s:s}", "now", now, "today", today, "time_zone", s.time_zone);
}

/* A new installation's first questions, for a director or admin: while the settings were
 * never saved and no money is stored, the web app asks for the company's name, currency and
 * time zone (the currency cannot change once revenue is in). Every page load asks this: only
 * whether a transaction exists, not how many (counting 1M rows took 3-9 ms). */
static json_t *setup_json(struct req *rq, enum role role)
{
	struct settings s;
	int64_t version = 0;
	bool any = true;

	if ((role != ROLE_ADMIN && role != ROLE_DIRECTOR) ||
	    app_settings_load(rq->db, &s, &version) != KAM_OK || version > 0 ||
	    store_any_transactions(rq->db, &any) != KAM_OK || any)
		return json_false();
	return json_true();
}

int api_session_create(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct store_auth a;
	const char *email = NULL, *pw = NULL;
	const struct auth_throttle *const limits[3] = {&auth_throttle_pair, &auth_throttle_addr,
	                                               &auth_throttle_email};
	char *hash = NULL, keys[3][320], lower[255], tok[80], csrf[64], tok_h[TOK_HASH_LEN];
	int64_t now = time_now(), wait;
	bool ok;
	int rc;

	if ((rc = parse_credentials(rq->json, &email, &pw, &ei)) != KAM_OK)
		goto out;
	snprintf(lower, sizeof(lower), "%s", email);
	for (char *p = lower; *p; p++)
		*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	snprintf(keys[0], sizeof(keys[0]), "%s%s|%s", limits[0]->prefix, lower, rq->remote_addr);
	snprintf(keys[1], sizeof(keys[1]), "%s%s", limits[1]->prefix, rq->remote_addr);
	snprintf(keys[2], sizeof(keys[2]), "%s%s", limits[2]->prefix, lower);
	/* the attempt is counted before the password is checked: parallel guesses queue up */
	if ((rc = throttle_take(rq, limits, keys, 3, now, &wait)) != KAM_OK)
		goto out;
	if (wait > 0) {
		rc = too_many(rs, &ei, wait, "failed logins");
		goto out;
	}
	rc = store_user_by_email(rq->db, email, &a, &hash);
	if (rc == KAM_ENOTFOUND) {
		char dummy[AUTH_HASH_LEN];

		/* hash anyway, so a wrong e-mail takes as long as a wrong password */
		auth_password_hash(pw, dummy);
		ok = false;
	} else if (rc != KAM_OK) {
		goto out;
	} else {
		ok = auth_password_verify(hash, pw) && a.active;
	}
	if (!ok) {
		err_detail(&ei, "wrong e-mail or password, or the account is deactivated");
		rc = KAM_EAUTH;
		goto out;
	}
	tok_random("", 32, tok, sizeof(tok));
	tok_random("", 24, csrf, sizeof(csrf));
	tok_hash(tok, tok_h);
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	/* a new id at every login: a session id planted before login is worthless */
	if (rq->session_cookie && strlen(rq->session_cookie) < 512) {
		char old[TOK_HASH_LEN];

		tok_hash(rq->session_cookie, old);
		store_session_delete(rq->db, old);
	}
	if ((rc = store_session_create(rq->db, tok_h, a.user_id, csrf, now)) != KAM_OK)
		goto out;
	/* a login that succeeds is no guess: it gives its attempts back */
	if ((rc = store_throttle_give(rq->db, keys[0], true)) != KAM_OK ||
	    (rc = store_throttle_give(rq->db, keys[1], false)) != KAM_OK ||
	    (rc = store_throttle_give(rq->db, keys[2], false)) != KAM_OK)
		goto out;
	if ((rc = store_audit_add(rq->db, a.user_id, "login", "user", a.user_id, NULL, NULL,
				  now)) != KAM_OK)
		goto out;
	if ((rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	set_cookie(rq, rs, tok, AUTH_SESSION_MAX_AGE);
	rs->user_id = a.user_id;
	http_reply_json(rs, 201,
	                json_pack("{s:o,s:s,s:o,s:o}", "user",
	                          user_json(a.user_id, a.email, a.name, a.role), "csrf_token", csrf,
	                          "clock", clock_json(rq), "setup",
	                          setup_json(rq, auth_role_parse(a.role))));
out:
	free(hash);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_session_get(struct req *rq, struct resp *rs)
{
	const struct http_user *u = &rq->user;

	return http_reply_json(
	    rs, 200,
	    json_pack("{s:o,s:o,s:o,s:o}", "user",
	              user_json(u->who.user_id, u->email, u->name, auth_role_name(u->who.role)),
	              "csrf_token", u->via_cookie ? json_string(u->csrf) : json_null(), "clock",
	              clock_json(rq), "setup", setup_json(rq, u->who.role)));
}

int api_session_delete(struct req *rq, struct resp *rs)
{
	int rc;

	if (!rq->user.via_cookie) {
		http_problem(rs, 400, "this request carries no session cookie; revoke tokens at "
				      "/api/v1/tokens",
			     NULL);
		return KAM_EINVAL;
	}
	if ((rc = store_session_delete(rq->db, rq->user.session_hash)) != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	set_cookie(rq, rs, "", 0);
	return http_reply_empty(rs, 204);
}

int api_me_get(struct req *rq, struct resp *rs)
{
	json_t *u = NULL;
	int rc = store_get(rq->db, &model_user, rq->user.who.user_id, &u, NULL);

	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, u);
}

int api_me_password(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	const char *cur = json_string_value(json_object_get(rq->json, "current_password"));
	const char *next = json_string_value(json_object_get(rq->json, "new_password"));
	const struct auth_throttle *const limits[1] = {&auth_throttle_password};
	char *hash = NULL, nh[AUTH_HASH_LEN], key[1][320];
	int64_t wait;
	int rc = KAM_OK;

	if (!json_is_object(rq->json) || json_object_size(rq->json) != 2 || cur == NULL ||
	    next == NULL) {
		err_detail(&ei, "send {\"current_password\": ..., \"new_password\": ...}");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = auth_password_policy(next, &ei)) != KAM_OK) {
		json_object_set_new(json_array_get(ei.errors, 0), "field",
				    json_string("new_password"));
		goto out;
	}
	/* a stolen session must not become a way to guess the password */
	snprintf(key[0], sizeof(key[0]), "%s%lld", limits[0]->prefix, (long long)rq->user.who.user_id);
	if ((rc = throttle_take(rq, limits, key, 1, time_now(), &wait)) != KAM_OK)
		goto out;
	if (wait > 0) {
		rc = too_many(rs, &ei, wait, "wrong current passwords");
		goto out;
	}
	if ((rc = store_user_hash(rq->db, rq->user.who.user_id, &hash)) != KAM_OK)
		goto out;
	if (!auth_password_verify(hash, cur)) {
		err_field(&ei, "current_password", "is wrong");
		rc = KAM_EINVAL;
		goto out;
	}
	if ((rc = auth_password_hash(next, nh)) != KAM_OK)
		goto out;
	if ((rc = store_begin(rq->db, true)) != KAM_OK)
		goto out;
	if ((rc = store_user_set_hash(rq->db, rq->user.who.user_id, nh, time_now())) != KAM_OK ||
	    (rc = store_throttle_give(rq->db, key[0], true)) != KAM_OK ||
	    (rc = store_user_logout_all(rq->db, rq->user.who.user_id)) != KAM_OK ||
	    (rc = app_audit(rq->db, &rq->user.who, "password", "user", rq->user.who.user_id, NULL, NULL)) != KAM_OK ||
	    (rc = store_commit(rq->db)) != KAM_OK)
		goto out;
	if (rq->user.via_cookie)
		set_cookie(rq, rs, "", 0);
	http_reply_empty(rs, 204);
out:
	free(hash);
	if (rc != KAM_OK)
		http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}
