#include "store/engagement.h"
#include "store/internal.h"

int store_account_last_interaction(struct store_conn *c, int64_t account_id)
{
	return sq_run(c,
		      "UPDATE accounts SET last_interaction_at = (SELECT max(occurred_at) FROM "
		      "interactions WHERE account_id = ?) WHERE id = ?",
		      (struct db_val[]){DB_INT(account_id), DB_INT(account_id)}, 2);
}

int store_contact_last_contacted(struct store_conn *c, int64_t contact_id)
{
	return sq_run(c,
		      "UPDATE contacts SET last_contacted_at = (SELECT max(i.occurred_at) FROM "
		      "interactions i JOIN interactions_contact_ids x ON x.entity_id = i.id WHERE "
		      "x.ref_id = ?) WHERE id = ?",
		      (struct db_val[]){DB_INT(contact_id), DB_INT(contact_id)}, 2);
}
