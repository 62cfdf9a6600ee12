/* The client's stakeholders and who of ours covers them. */
#ifndef KAM_APP_CONTACTS_H
#define KAM_APP_CONTACTS_H
#include "app/record.h"

/* The coverage grid of account id (kam/coverage.h) as who sees it; KAM_ENOTFOUND when who
 * cannot see the account. *out is owned by the caller. */
int app_account_coverage(struct store_conn *db, const struct actor *who, int64_t id, json_t **out);

#endif
