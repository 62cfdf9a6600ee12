/* Calendar feeds: one per user, stored as a token hash; and the dated rows a feed shows. */
#ifndef KAM_STORE_CALENDAR_H
#define KAM_STORE_CALENDAR_H
#include "store/store.h"

/* Creates the user's feed or replaces its token (rotation: the old URL stops working). */
int store_calendar_set(struct store_conn *c, int64_t user_id, const char *token_hash, int64_t now);
/* The creation time of the user's feed; KAM_ENOTFOUND when there is none. */
int store_calendar_get(struct store_conn *c, int64_t user_id, int64_t *created_at);
/* Revokes the user's feed; KAM_ENOTFOUND when there is none. */
int store_calendar_revoke(struct store_conn *c, int64_t user_id);
/* The active user a feed token hash belongs to (out->user_id, role, name); KAM_ENOTFOUND for
 * an unknown or revoked token or a deactivated user. */
int store_calendar_user(struct store_conn *c, const char *token_hash, struct store_auth *out);

/*
 * The dated rows of a feed, on accounts scope_user may see (0 = all accounts), from since
 * (YYYY-MM-DD) on, each kind capped at limit rows. *out (owned) is an object of arrays:
 *   actions:   {id, account_id, account_name, due_on, title, status, plan_title}  open ones
 *   reviews:   {id, account_id, account_name, held_on, next_review_on, kind, plan_title}
 *   renewals:  {id, account_id, account_name, expected_close_on, name, amount, currency, stage}
 *   cases:     {id, account_id, account_name, opened_at, severity, title, status}  open ones
 */
int store_calendar_rows(struct store_conn *c, int64_t scope_user, const char *since, int limit,
                        json_t **out);

#endif
