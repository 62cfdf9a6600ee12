/*
 * Playbooks (issue 17), the pure part: what a playbook body may hold, whose role owns a
 * step, when a step is due, how far a run is, and why an alert fired in words and numbers.
 */
#ifndef KAM_KAM_PLAYBOOK_H
#define KAM_KAM_PLAYBOOK_H
#include <jansson.h>
#include <stdbool.h>
#include "kam/date.h"
#include "kam/settings.h"
#include "util/err.h"

#define PLAYBOOK_MAX_STEPS 50
#define PLAYBOOK_MAX_OFFSET 730

/* Whether role may own a step: kam (the account's KAM), director, or a team role. */
bool playbook_role_valid(const char *role);

/*
 * Checks a whole playbook body {name, description, enabled, trigger: {kind, rule,
 * days_before, key_accounts_only, auto_start}, steps: [{title, owner_role, offset_days,
 * objective_title}]} and returns it normalised (defaults filled, unknown keys refused) as a
 * new object in *out; KAM_EINVAL with every fault named (steps[2].owner_role) otherwise.
 */
int playbook_check(json_t *body, json_t **out, struct kam_errinfo *ei);

/* The day a step offset days after start is due (clamped to the date range). */
date_t playbook_due(date_t start, int offset);

/* How far a run is: done when no step is open; overdue when an open step is past due. */
const char *playbook_run_state(int total, int open, int overdue);

/*
 * Why an alert of rule fired, from its evidence and the settings in force: a new object
 * {rule, condition, threshold: {value, unit}, value: {value, unit, field}}; threshold or
 * value null when the rule has none.
 */
json_t *playbook_alert_why(const char *rule, const json_t *evidence, const struct settings *s);

#endif
