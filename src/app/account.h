/* Accounts: created, changed and checked the same way from every door. */
#ifndef KAM_APP_ACCOUNT_H
#define KAM_APP_ACCOUNT_H
#include "app/access.h"

/* Creates a validated account inside the caller's write transaction (owner rules, parent,
 * external id, money caps, score, audit); *out (may be NULL) gets the stored row, owned by
 * the caller. score false leaves the scores marked stale for one app_scores_refresh later
 * (an import: scoring one account ranks it among all, so per row it would be quadratic). */
int app_account_insert(struct store_conn *db, const struct actor *who, json_t *body, bool score,
                       json_t **out, struct kam_errinfo *ei);
/* Applies a validated patch to account id inside the caller's write transaction (want < 0:
 * any version); *out (may be NULL) gets the stored row, owned; score as for insert. */
int app_account_patch(struct store_conn *db, const struct actor *who, int64_t id, json_t *patch,
                      int64_t want, bool score, json_t **out, struct kam_errinfo *ei);
/* Whether who may change account id: KAM_ENOTFOUND when they cannot see it, KAM_EFORBIDDEN
 * (ei says why) when they may only read it. */
int app_account_may_write(struct store_conn *db, const struct actor *who, int64_t id,
                          struct kam_errinfo *ei);

#endif
