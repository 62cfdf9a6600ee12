/* Rules of cases (SLA), risks (score and level) and surveys (ranges and categories). */
#ifndef KAM_KAM_ENGAGEMENT_H
#define KAM_KAM_ENGAGEMENT_H
#include <stdbool.h>
#include <stdint.h>

/* The SLA due time of a case opened at opened with a target of hours. */
int64_t case_sla_due(int64_t opened, int hours);
/* Breached: resolved after the due time, or still open past it (exactly at it is in time). */
bool case_sla_breached(int64_t opened, int hours, int64_t resolved, int64_t now);
/* probability × impact, 1..25. */
int risk_score(int probability, int impact);
/* low (≤4), medium (≤9), high (≤15), critical (>15). */
const char *risk_level(int score);
/* Whether score fits the survey kind: nps 0..10, csat 1..5. */
bool survey_score_ok(const char *kind, int score);
/* promoter (9–10), passive (7–8), detractor (0–6). */
const char *survey_nps_category(int score);

#endif
