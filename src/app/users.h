/* People: users imported from a CRM (without a password) and the one-time invitations
 * through which they set one. */
#ifndef KAM_APP_USERS_H
#define KAM_APP_USERS_H
#include "app/record.h"

#define INVITE_TOKEN_LEN 64 /* "inv_" and 32 bytes in base64url, with its NUL */
#define INVITE_DAYS 14      /* how long an invitation link works */

/*
 * Makes a new invitation for user_id as who (an admin), replacing any earlier one: token
 * (shown once, never stored) and its expiry; when mail is set up (app/mail.h) the link is
 * mailed instead and token comes back empty. KAM_ENOTFOUND for no such user, KAM_ECONFLICT
 * (ei says why) when the user is inactive or already has a password.
 */
int app_invitation_create(struct store_conn *db, const struct actor *who, int64_t user_id,
                          char token[INVITE_TOKEN_LEN], int64_t *expires_at,
                          struct kam_errinfo *ei);
/* A kind of one-time link that sets a password: an invitation or a password reset. */
struct app_onetime {
	const char *prefix; /* of its tokens, four characters: "inv_", "rst_" */
	/* the user id of a live link's token hash; KAM_ENOTFOUND when none */
	int (*find)(struct store_conn *db, const char *hash, int64_t now, int64_t *user_id);
	const char *audit; /* the audit action of its use */
};
extern const struct app_onetime app_invitations, app_resets;
/* The user {id, name, email} a live link of kind k is for (*user owned); KAM_ENOTFOUND for an
 * unknown, used or expired token or a deactivated user. */
int app_onetime_find(struct store_conn *db, const struct app_onetime *k, const char *token,
                     int64_t now, json_t **user);
/* Sets the password of the token's user in one transaction, ending their invitations and
 * reset links, sessions, API tokens and calendar feeds; KAM_EINVAL (ei: password) for a weak
 * password, KAM_ENOTFOUND as app_onetime_find. */
int app_onetime_accept(struct store_conn *db, const struct app_onetime *k, const char *token,
                       const char *password, int64_t now, json_t **user, struct kam_errinfo *ei);
/* Active users without a password yet, as [{id, name, email}] (*items owned). */
int app_users_pending(struct store_conn *db, json_t **items);

#endif
