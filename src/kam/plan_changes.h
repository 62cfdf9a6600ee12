/* "Changed since the last review": the QBR's first slide, made from the audit log. */
#ifndef KAM_KAM_PLAN_CHANGES_H
#define KAM_KAM_PLAN_CHANGES_H
#include <jansson.h>

/*
 * The changes of a plan's audit rows (oldest first: {entity, entity_id, action, before,
 * after}, entity objective, action, contact or risk), one item per record: {kind, entity,
 * id, text}. Kinds: objective_added, progress, objective_status, action_added, action_done,
 * action_slipped, action_cancelled, stakeholder_added, stakeholder_left, attitude,
 * decision_role, risk_added, risk_closed. A record whose changes cancel out says nothing.
 * Returns a new array, or NULL when out of memory.
 */
json_t *plan_changes(const json_t *rows);

#endif
