/* kam user add, kam token create: the same rules as the API, entered from the shell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kam/auth.h"
#include "kam/validate.h"
#include "util/time.h"
#include "util/tok.h"

int cli_user_add(struct store *st, const char *email, const char *name, const char *role,
		 const char *pw)
{
	struct kam_errinfo ei = {0};
	struct store_conn *c = NULL;
	char generated[40], hash[AUTH_HASH_LEN];
	json_t *rec = json_pack("{s:s,s:s,s:s}", "email", email, "name", name, "role", role);
	json_t *after = NULL;
	int64_t id;
	int rc;

	if (rec == NULL) {
		fprintf(stderr, "kam: e-mail, name and role must be valid UTF-8\n");
		return KAM_EINVAL;
	}
	if ((rc = validate_body(&model_user, rec, true, &ei)) != KAM_OK)
		goto out;
	if (pw == NULL) {
		tok_random("", 15, generated, sizeof(generated));
		pw = generated;
	} else if ((rc = auth_password_policy(pw, &ei)) != KAM_OK) {
		goto out;
	}
	if ((rc = auth_password_hash(pw, hash)) != KAM_OK)
		goto out;
	json_object_set_new(rec, "password_hash", json_string(hash));
	store_acquire(st, &c);
	if ((rc = store_begin(c, true)) != KAM_OK)
		goto out;
	rc = store_insert(c, &model_user, rec, time_now(), &id);
	if (rc == KAM_ECONFLICT)
		err_detail(&ei, "a user with e-mail %s exists already", email);
	if (rc != KAM_OK)
		goto out;
	if ((rc = store_get(c, &model_user, id, &after, NULL)) != KAM_OK ||
	    (rc = store_audit_add(c, 0, "create", "user", id, NULL, after, time_now())) != KAM_OK ||
	    (rc = store_commit(c)) != KAM_OK)
		goto out;
	printf("created user %lld <%s> with role %s\n", (long long)id, email, role);
	if (pw == generated)
		printf("password: %s\n", generated);
out:
	if (rc != KAM_OK && ei.detail[0] == '\0' && ei.errors == NULL)
		err_detail(&ei, "cannot create the user (database error %d)", rc);
	if (rc != KAM_OK)
		cli_print_refusal("user add", &ei, "the user was not created");
	err_clear(&ei);
	json_decref(rec);
	json_decref(after);
	store_release(st, c);
	return rc;
}

int cli_token_create(struct store *st, const char *email, const char *label)
{
	struct store_conn *c = NULL;
	struct store_auth a;
	char tok[96], h[TOK_HASH_LEN], *hash = NULL;
	int64_t id;
	int rc;

	if (label[0] == '\0' || validate_utf8_len(label) > 100) {
		fprintf(stderr, "kam: --name must be a label of 1 to 100 characters\n");
		return KAM_EINVAL;
	}
	store_acquire(st, &c);
	rc = store_user_by_email(c, email, &a, &hash);
	free(hash);
	if (rc == KAM_ENOTFOUND || (rc == KAM_OK && !a.active)) {
		fprintf(stderr, "kam: no active user with e-mail %s\n", email);
		rc = KAM_ENOTFOUND;
		goto out;
	}
	if (rc != KAM_OK)
		goto fail;
	tok_random("kam_", 32, tok, sizeof(tok));
	tok_hash(tok, h);
	if ((rc = store_begin(c, true)) != KAM_OK ||
	    (rc = store_token_create(c, a.user_id, label, h, time_now(), 0, &id)) != KAM_OK ||
	    (rc = store_audit_add(c, 0, "create", "api_token", id, NULL, NULL, time_now())) !=
		    KAM_OK ||
	    (rc = store_commit(c)) != KAM_OK)
		goto fail;
	printf("%s\n", tok);
	goto out;
fail:
	fprintf(stderr, "kam: cannot create the token (database error %d)\n", rc);
out:
	store_release(st, c);
	return rc;
}
