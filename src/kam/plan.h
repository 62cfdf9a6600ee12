/* Rules of account plans: progress of objectives, overdue actions. */
#ifndef KAM_KAM_PLAN_H
#define KAM_KAM_PLAN_H
#include <stdbool.h>
#include <jansson.h>

/* (current − baseline) / (target − baseline) clamped to 0..1; false when not computable. */
bool plan_progress(const json_t *objective, double *out);
/* Open or in progress and due before today (YYYY-MM-DD). */
bool plan_action_overdue(const json_t *action, const char *today);

#endif
