/* What a client share link shows, built once for the link itself and for the KAM's preview. */
#ifndef KAM_APP_SHARE_H
#define KAM_APP_SHARE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"

/*
 * The client's view of the account at Unix time now: its current plan, the objectives and
 * actions marked client_visible, the service KPIs only when include_kpis, our company name,
 * the KAM (account owner) and the as-of date. *out is new (caller owns it); *shared says
 * whether anything is in it for the client (a visible objective or action, or the KPIs).
 */
int app_share_view(struct store_conn *db, int64_t account_id, bool include_kpis, int64_t now,
                   json_t **out, bool *shared);

#endif
