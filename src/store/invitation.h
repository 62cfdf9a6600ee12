/* One-time invitations: how a user created without a password (an import, an admin's
 * invitation) sets one. Only a hash of the token is kept. */
#ifndef KAM_STORE_INVITATION_H
#define KAM_STORE_INVITATION_H
#include "store/store.h"

/* Stores the invitation of user_id, replacing any earlier one. */
int store_invitation_put(struct store_conn *c, int64_t user_id, const char *token_hash,
                         int64_t created_by, int64_t now, int64_t expires_at);
/* The user of the live (unexpired) invitation with this token hash, who is active and has no
 * password yet; KAM_ENOTFOUND otherwise. */
int store_invitation_find(struct store_conn *c, const char *token_hash, int64_t now,
                          int64_t *user_id);
/* Removes the invitation of user_id (used, or the user set a password another way). */
int store_invitation_drop(struct store_conn *c, int64_t user_id);
/* Whether user_id has a password (may sign in once active). */
int store_user_has_password(struct store_conn *c, int64_t user_id, bool *has);
/* The ids of active users without a password, as [{id}] (*items owned). */
int store_users_without_password(struct store_conn *c, json_t **items);

/* Stores the password reset of user_id (a hash of its token), replacing any earlier one. */
int store_reset_put(struct store_conn *c, int64_t user_id, const char *token_hash, int64_t now,
                    int64_t expires_at);
/* The active user of the live (unexpired, unused) reset with this token hash; KAM_ENOTFOUND
 * otherwise. */
int store_reset_find(struct store_conn *c, const char *token_hash, int64_t now, int64_t *user_id);
/* Removes the password reset of user_id (used, or replaced). */
int store_reset_drop(struct store_conn *c, int64_t user_id);

#endif
