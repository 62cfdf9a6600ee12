/* Derived columns kept by interactions: an account's and contacts' last contact. */
#ifndef KAM_STORE_ENGAGEMENT_H
#define KAM_STORE_ENGAGEMENT_H
#include "store/store.h"

/* Sets accounts.last_interaction_at from its interactions (no version bump: derived). */
int store_account_last_interaction(struct store_conn *c, int64_t account_id);
/* Sets contacts.last_contacted_at from the interactions that list the contact. */
int store_contact_last_contacted(struct store_conn *c, int64_t contact_id);

#endif
