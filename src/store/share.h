/* Client share links: stored as token hashes, expiring, revocable. */
#ifndef KAM_STORE_SHARE_H
#define KAM_STORE_SHARE_H
#include "store/store.h"

/* Stores a new share link; include_kpis puts the service KPIs on it. */
int store_share_create(struct store_conn *c, int64_t account_id, const char *token_hash,
		       int64_t user_id, int64_t now, int64_t expires_at, bool include_kpis,
		       int64_t *id);
/* A live share link and what its creator may do with the account today. */
struct store_share_link {
	int64_t account_id;
	char creator_role[16]; /* "" when the creator was deleted */
	bool creator_active, creator_owner, creator_on_team;
	bool include_kpis; /* chosen when the link was made */
};

/* The live (not revoked, not expired) share with this token; KAM_ENOTFOUND otherwise. */
int store_share_find(struct store_conn *c, const char *token_hash, int64_t now,
		     struct store_share_link *out);
/* The shares of an account, newest first, without their tokens (*items owned). */
int store_share_list(struct store_conn *c, int64_t account_id, json_t **items);
/* Revokes a share of the account; KAM_ENOTFOUND when it has no such live share. */
int store_share_revoke(struct store_conn *c, int64_t account_id, int64_t id, int64_t now);

#endif
