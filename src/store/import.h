/* What imports need from the store beyond records: lookup keys and savepoints. */
#ifndef KAM_STORE_IMPORT_H
#define KAM_STORE_IMPORT_H
#include "store/store.h"

/*
 * The rows of entity (account, contact, product, user, unit, and any kind with external
 * ids) that user scope_user may see (0: every row; the entity's scope_sql, as in lists), as
 * lookup keys. Records of an account (contacts, units, transactions, …) are keyed inside
 * it: "ACCOUNT_ID:key". *by_ext maps the external id → id; *by_name maps the folded name,
 * and the folded e-mail of users and contacts, → [id, the name as stored], id 0 when two
 * visible records share the key (the row must then say which).
 * Both are new objects owned by the caller; by_ext is an empty object for users and units.
 */
int store_import_keys(struct store_conn *c, const struct model_entity *e, int64_t scope_user,
                      json_t **by_ext, json_t **by_name);
/* A lookup key: s (folded when fold) inside account_id when it is > 0 ("7:acme"). */
void store_import_key(int64_t account_id, const char *s, bool fold, char *out, size_t outlen);
/* Adds key → [id, shown] to a name map; a key already held by another id becomes [0, shown].
 * KAM_ENOMEM when it could not be added. */
int store_import_name_add(json_t *names, const char *key, int64_t id, const char *shown);
/* Folds a name for lookups: ASCII lower case, spaces trimmed and collapsed (out ≥ len+1). */
void store_fold(const char *s, char *out, size_t outlen);
/* Starts a savepoint inside the open transaction. */
int store_savepoint(struct store_conn *c);
/* Ends the savepoint: keep its writes, or undo them and carry on with the transaction. */
int store_savepoint_end(struct store_conn *c, bool keep);
/* Records which node (util/node.h) queued import id, in the open transaction. */
int store_import_node_set(struct store_conn *c, int64_t id, const char *node);
/* The queued and running imports of other nodes than self, as a new array of {id, node,
 * live}: live is 1 when their node holds an unexpired lease "node:NAME" at now. */
int store_imports_unfinished(struct store_conn *c, const char *self, int64_t now, json_t **items);
/* Marks import id failed with errors (a JSON array) if it is still queued or running;
 * *changed says whether it was. */
int store_import_abandon(struct store_conn *c, int64_t id, const char *errors, int64_t now,
                         bool *changed);

#endif
