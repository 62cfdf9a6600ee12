/* The reads of the account-plan document that the generic entity functions do not cover. */
#ifndef KAM_STORE_DOCUMENT_H
#define KAM_STORE_DOCUMENT_H
#include "store/store.h"

/* The account called key: its id when key is all digits, else the one account whose name is
 * exactly key. KAM_ENOTFOUND without one, KAM_ECONFLICT when several share the name. */
int store_account_resolve(struct store_conn *c, const char *key, int64_t *id);
/* The plan a document of the account shows: the active plan (the one whose period holds
 * today first), else the latest by period. KAM_ENOTFOUND when the account has none. */
int store_plan_pick(struct store_conn *c, int64_t account_id, const char *today, int64_t *id);
/* The account's revenue per month in [from_month, to_month] (YYYY-MM), base minor units, as a
 * new array [{month, amount}] of the months that have revenue (*items owned by the caller). */
int store_revenue_by_month(struct store_conn *c, int64_t account_id, const char *from_month,
                           const char *to_month, json_t **items);

#endif
