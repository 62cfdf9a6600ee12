/* Client share links: stored as token hashes, expiring, revocable. */
#ifndef KAM_STORE_SHARE_H
#define KAM_STORE_SHARE_H
#include "store/store.h"

int store_share_create(struct store_conn *c, int64_t account_id, const char *token_hash,
		       int64_t user_id, int64_t now, int64_t expires_at, int64_t *id);
/* The account a live (not revoked, not expired) share opens; KAM_ENOTFOUND otherwise. */
int store_share_account(struct store_conn *c, const char *token_hash, int64_t now,
			int64_t *account_id);
/* The shares of an account, newest first, without their tokens (*items owned). */
int store_share_list(struct store_conn *c, int64_t account_id, json_t **items);
/* Revokes a share of the account; KAM_ENOTFOUND when it has no such live share. */
int store_share_revoke(struct store_conn *c, int64_t account_id, int64_t id, int64_t now);

#endif
