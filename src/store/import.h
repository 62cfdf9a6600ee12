/* What imports need from the store beyond records: lookup keys and savepoints. */
#ifndef KAM_STORE_IMPORT_H
#define KAM_STORE_IMPORT_H
#include "store/store.h"

/*
 * Every row of entity (account, contact, product, user, unit, and any kind with external
 * ids) as lookup keys: *by_ext maps external_id → id, *by_name maps the folded name (or
 * "ACCOUNT_ID:name" for contacts and units, and e-mail too for users and contacts) →
 * [id, the name as stored].
 * Both are new objects owned by the caller; by_ext is an empty object for users and units.
 */
int store_import_keys(struct store_conn *c, const struct model_entity *e, json_t **by_ext,
                      json_t **by_name);
/* Folds a name for lookups: ASCII lower case, spaces trimmed and collapsed (out ≥ len+1). */
void store_fold(const char *s, char *out, size_t outlen);
/* Starts a savepoint inside the open transaction. */
int store_savepoint(struct store_conn *c);
/* Ends the savepoint: keep its writes, or undo them and carry on with the transaction. */
int store_savepoint_end(struct store_conn *c, bool keep);

#endif
