/* "Changed since the last review" of a plan. */
#ifndef KAM_APP_PLAN_CHANGES_H
#define KAM_APP_PLAN_CHANGES_H
#include "app/record.h"

/* What changed on plan since the day since (YYYY-MM-DD; NULL: its last review held, else its
 * start): {plan_id, since, review, items (kam/plan_changes.h), health {then, now},
 * truncated}; KAM_ENOTFOUND when who cannot see it. *out is owned by the caller. */
int app_plan_changes(struct store_conn *db, const struct actor *who, int64_t plan_id,
                     const char *since, json_t **out);

#endif
