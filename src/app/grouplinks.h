/*
 * What ties a group's entities together on the account page (docs/groups.md, "The group
 * page"): where an account stands in its group, the references allowed across entities (a
 * contact's manager anywhere in the group, an entity plan's group plan above it), and the
 * group's stakeholders on one map.
 */
#ifndef KAM_APP_GROUPLINKS_H
#define KAM_APP_GROUPLINKS_H
#include "app/access.h"

/* Sets *yes when account anc is a strict ancestor of account id (its parent, its parent's
 * parent, …). */
int app_group_is_ancestor(struct store_conn *db, int64_t anc, int64_t id, bool *yes);
/* The top of id's group (id itself when it has no parent). */
int app_group_root(struct store_conn *db, int64_t id, int64_t *root);
/* Sets *yes when accounts a and b are in the same group (the same top). */
int app_group_same(struct store_conn *db, int64_t a, int64_t b, bool *yes);
/* The stakeholders of account id (scope_group false) or of every entity of its group that who
 * may see (true), into *out (owned): {root_id, scope, entities: [{id, name, parent_id, depth}],
 * contacts: [{id, account_id, account_name, name, title, reports_to_id, influence, attitude,
 * decision_role, left_on, …}]}. A manager who is not on the map is left out (reports_to_id
 * null, reports_elsewhere true). KAM_ENOTFOUND when id is not visible. */
int app_group_stakeholders(struct store_conn *db, const struct actor *who, int64_t id,
                           bool scope_group, json_t **out);
/* The group plan that plan rec links to, as {id, title, status, period_start, period_end,
 * account_id, account_name}, or null when none or not visible to who (new reference). */
int app_plan_group_plan(struct store_conn *db, const struct actor *who, const json_t *rec,
                        json_t **out);
/* The plans linked to plan id that who may see, oldest entity first by name, as [{id, title,
 * status, period_start, period_end, account_id, account_name}] (owned). */
int app_plan_entity_plans(struct store_conn *db, const struct actor *who, int64_t id, json_t **out);
/* After account moved to another parent (or none): unlinks, with an audit row each, the plans
 * of it and of the accounts under it whose group plan is no longer on an account above them. */
int app_group_unlink_moved(struct store_conn *db, const struct actor *who, int64_t moved);

#endif
