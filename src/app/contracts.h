/* Contracts (the resource res_contracts, app/record.h) and their renewal opportunities. */
#ifndef KAM_APP_CONTRACTS_H
#define KAM_APP_CONTRACTS_H
#include "app/access.h"

/* Makes, in a transaction of its own, the renewal opportunity of every active contract that
 * ends within settings.renewal_lead_days of who's today and has none yet; *made counts them. */
int app_renewals_run(struct store_conn *db, const struct actor *who, int *made);

#endif
