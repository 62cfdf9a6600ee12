/* Password resets by mail (see reset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/jobs.h"
#include "app/reset.h"
#include "kam/auth.h"
#include "kam/plandoc.h"
#include "store/invitation.h"
#include "util/buf.h"
#include "util/tok.h"

bool app_reset_mail_on(void)
{
	struct mail_config c;
	char err[256];

	return app_mail_config(&c, err, sizeof(err)) == KAM_OK && c.on && c.public_url[0];
}

/* The mail of user u; "{{link}}" becomes the link when it is sent. */
static int reset_mail(struct store_conn *db, const struct store_auth *u, int64_t now)
{
	char *html = NULL, *text = NULL;
	struct buf b = {0};
	int rc;

	buf_printf(&b,
	           "Hello %s,\n\nsomeone (we hope you) asked to set a new kam password for %s.\n"
	           "Choose it with this link (valid for one hour, once):\n\n{{link}}\n\n"
	           "If it was not you, ignore this mail: your password stays as it is.\n",
	           u->name, u->email);
	text = buf_take(&b, NULL);
	buf_puts(&b, "<p>Hello ");
	plandoc_put_escaped(&b, u->name);
	buf_puts(&b, ",</p><p>someone (we hope you) asked to set a new kam password for ");
	plandoc_put_escaped(&b, u->email);
	buf_puts(&b, ".</p><p><a href=\"{{link}}\">Choose a new password</a> (the link is valid "
	             "for one hour, once).</p><p>If it was not you, ignore this mail: your "
	             "password stays as it is.</p>");
	html = buf_take(&b, NULL);
	rc = text && html ? app_mail_enqueue(db, "password_reset", u->user_id, u->email, u->name,
	                                     "Your new kam password", text, html, NULL, now)
	                  : KAM_ENOMEM;
	free(text);
	free(html);
	return rc;
}

int app_reset_request(struct store_conn *db, const char *email, int64_t now)
{
	struct store_auth a;
	char *hash = NULL;
	bool open = false;
	int rc;

	if (!app_reset_mail_on())
		return KAM_OK;
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	open = true;
	rc = store_user_by_email(db, email, &a, &hash);
	if (rc == KAM_ENOTFOUND || (rc == KAM_OK && !a.active)) {
		rc = KAM_OK; /* nothing to send, and nothing to tell */
		goto out;
	}
	if (rc != KAM_OK || (rc = reset_mail(db, &a, now)) != KAM_OK)
		goto out;
	rc = store_commit(db);
	open = false;
	if (rc == KAM_OK)
		jobs_wake_outbox();
out:
	if (open)
		store_rollback(db);
	free(hash);
	return rc;
}

int app_reset_link(struct store_conn *db, const struct mail_config *c, int64_t user_id, int64_t now,
                   char *link, size_t linklen)
{
	char token[RESET_TOKEN_LEN], hash[TOK_HASH_LEN];
	int rc;

	tok_random("rst_", 32, token, sizeof(token));
	tok_hash(token, hash);
	if ((rc = store_begin(db, true)) != KAM_OK)
		return rc;
	rc = store_reset_put(db, user_id, hash, now, now + RESET_SECONDS);
	if (rc == KAM_OK)
		rc = store_commit(db);
	else
		store_rollback(db);
	snprintf(link, linklen, "%s/#/reset/%s", c->public_url, token);
	return rc;
}

