/* Users written by the importer, and invitations (see users.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/jobs.h"
#include "app/mail.h"
#include "app/users.h"
#include "kam/auth.h"
#include "kam/plandoc.h"
#include "store/invitation.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/tok.h"

/* Only admins add or change people; a manager is another user, and nobody manages
 * themselves through a chain of managers. */
static int user_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                        const json_t *before, struct kam_errinfo *ei)
{
	json_t *m = json_object_get(rec, "manager_id"), *row = NULL;
	int64_t self = before ? json_integer_value(json_object_get(before, "id")) : 0;
	int64_t at = json_integer_value(m);
	int rc = KAM_OK;

	if (who->role != ROLE_ADMIN) {
		err_detail(ei, "only admins may add or change users");
		return KAM_EFORBIDDEN;
	}
	for (int depth = 0; json_is_integer(m) && at > 0 && depth < 64 && rc == KAM_OK; depth++) {
		if (at == self) {
			err_field(ei, "manager_id", "would make the user their own manager");
			return KAM_EINVAL;
		}
		rc = store_get(db, &model_user, at, &row, NULL);
		if (rc == KAM_ENOTFOUND) {
			err_field(ei, "manager_id", "no such user %lld", (long long)at);
			return KAM_EINVAL;
		}
		at = json_integer_value(json_object_get(row, "manager_id"));
		json_decref(row);
		row = NULL;
		if (at == 0)
			break;
	}
	return rc;
}

const struct app_resource res_users = {
    .e = &model_user,
    .base = "/api/v1/users",
    .scope = SCOPE_GLOBAL,
    .prepare = user_prepare,
    .conflict = "a user with this e-mail exists already",
};

static json_t *user_brief(const json_t *u)
{
	return json_pack("{s:O,s:O,s:O}", "id", json_object_get(u, "id"), "name",
	                 json_object_get(u, "name"), "email", json_object_get(u, "email"));
}

/* The invitation mail of user u; "{{link}}" becomes the link when it is sent. */
static int invitation_mail(struct store_conn *db, const json_t *u, int64_t now)
{
	const char *name = json_string_value(json_object_get(u, "name"));
	const char *email = json_string_value(json_object_get(u, "email"));
	char *html = NULL, *text = NULL;
	struct buf b = {0};
	int rc;

	buf_printf(&b,
	           "Hello %s,\n\nyou have an account on kam, the key account management tool.\n"
	           "Set your password with this link (valid for 14 days, once):\n\n{{link}}\n",
	           name ? name : "");
	text = buf_take(&b, NULL);
	buf_puts(&b, "<p>Hello ");
	plandoc_put_escaped(&b, name);
	buf_puts(&b, ",</p><p>you have an account on kam, the key account management tool.</p>"
	             "<p><a href=\"{{link}}\">Set your password</a> (the link is valid for 14 "
	             "days, once).</p>");
	html = buf_take(&b, NULL);
	rc = text && html ? app_mail_enqueue(db, "invitation", json_integer_value(json_object_get(u, "id")),
	                                     email, name, "Your kam account", text, html, NULL, now)
	                  : KAM_ENOMEM;
	free(text);
	free(html);
	return rc;
}

int app_invitation_create(struct store_conn *db, const struct actor *who, int64_t user_id,
                          char token[INVITE_TOKEN_LEN], int64_t *expires_at, struct kam_errinfo *ei)
{
	char hash[TOK_HASH_LEN];
	json_t *u = NULL;
	bool has = false, open = false;
	int64_t now = time_now();
	struct mail_config mc;
	char merr[256];
	int rc;

	if (who->role != ROLE_ADMIN) {
		err_detail(ei, "only admins may invite users");
		return KAM_EFORBIDDEN;
	}
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto out;
	open = true;
	if ((rc = store_get(db, &model_user, user_id, &u, NULL)) != KAM_OK ||
	    (rc = store_user_has_password(db, user_id, &has)) != KAM_OK)
		goto out;
	if (!json_is_true(json_object_get(u, "active")) || has) {
		err_detail(ei, "%s %s", json_string_value(json_object_get(u, "email")),
		           has ? "already has a password; they sign in with it (an admin may set a "
		                 "new one)"
		               : "is deactivated; activate them first");
		rc = KAM_ECONFLICT;
		goto out;
	}
	if (app_mail_config(&mc, merr, sizeof(merr)) == KAM_OK && mc.on && mc.public_url[0]) {
		/* mailed: the token is made when the mail goes out and exists only in it */
		rc = invitation_mail(db, u, now);
		if (rc == KAM_OK)
			rc = app_audit(db, who, "invite", "user", user_id, NULL, NULL);
		if (rc != KAM_OK)
			goto out;
		rc = store_commit(db);
		open = false;
		if (rc == KAM_OK)
			jobs_wake_outbox(); /* the mail leaves now, not at the next run */
		token[0] = '\0';
		*expires_at = 0;
		json_decref(u);
		return rc;
	}
	tok_random("inv_", 32, token, INVITE_TOKEN_LEN);
	tok_hash(token, hash);
	*expires_at = now + INVITE_DAYS * 86400;
	if ((rc = store_invitation_put(db, user_id, hash, who->user_id, now, *expires_at)) !=
	        KAM_OK ||
	    (rc = app_audit(db, who, "invite", "user", user_id, NULL, NULL)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	open = false;
out:
	if (open)
		store_rollback(db);
	if (rc != KAM_OK)
		token[0] = '\0';
	json_decref(u);
	return rc;
}

const struct app_onetime app_invitations = {"inv_", store_invitation_find, "accept_invitation"};
const struct app_onetime app_resets = {"rst_", store_reset_find, "password_reset"};

int app_onetime_find(struct store_conn *db, const struct app_onetime *k, const char *token,
                     int64_t now, json_t **user)
{
	char hash[TOK_HASH_LEN];
	int64_t id = 0;
	json_t *u = NULL;
	int rc;

	*user = NULL;
	if (token == NULL || strncmp(token, k->prefix, 4) != 0 || strlen(token) >= INVITE_TOKEN_LEN)
		return KAM_ENOTFOUND;
	tok_hash(token, hash);
	if ((rc = k->find(db, hash, now, &id)) != KAM_OK ||
	    (rc = store_get(db, &model_user, id, &u, NULL)) != KAM_OK)
		return rc;
	*user = user_brief(u);
	json_decref(u);
	return *user ? KAM_OK : KAM_ENOMEM;
}

int app_onetime_accept(struct store_conn *db, const struct app_onetime *k, const char *token,
                       const char *password, int64_t now, json_t **user, struct kam_errinfo *ei)
{
	char hash[AUTH_HASH_LEN];
	struct actor who = {.role = ROLE_NONE, .now = now};
	int64_t id;
	bool open = false;
	int rc;

	*user = NULL;
	if ((rc = auth_password_policy(password, ei)) != KAM_OK)
		return rc;
	if ((rc = auth_password_hash(password, hash)) != KAM_OK)
		return rc;
	if ((rc = store_begin(db, true)) != KAM_OK)
		goto out;
	open = true;
	/* found again inside the write: two tabs using one link set one password */
	if ((rc = app_onetime_find(db, k, token, now, user)) != KAM_OK)
		goto out;
	id = json_integer_value(json_object_get(*user, "id"));
	who.user_id = id;
	/* a password set ends every other link of the user, and whatever was signed in with
	 * the old one (sessions, API tokens, calendar feeds) */
	if ((rc = store_user_set_hash(db, id, hash, now)) != KAM_OK ||
	    (rc = store_reset_drop(db, id)) != KAM_OK ||
	    (rc = store_invitation_drop(db, id)) != KAM_OK ||
	    (rc = store_user_logout_all(db, id)) != KAM_OK ||
	    (rc = app_audit(db, &who, k->audit, "user", id, NULL, NULL)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	open = false;
out:
	if (open)
		store_rollback(db);
	if (rc != KAM_OK) {
		json_decref(*user);
		*user = NULL;
	}
	return rc;
}

int app_users_pending(struct store_conn *db, json_t **items)
{
	return store_users_without_password(db, items);
}
