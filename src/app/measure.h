/* Objectives measured from data: an objective bound to a figure kam computes. */
#ifndef KAM_APP_MEASURE_H
#define KAM_APP_MEASURE_H
#include "app/record.h"

/*
 * When the objective rec names a figure in "measure" (a KPI name: revenue, nrr, nps…), sets
 * its baseline and current from the account's data and adds "measured": the figure, the
 * period measured (the plan's start to today, or to its end once over), the baseline period
 * (as long, just before), and where the counted rows are. Does nothing otherwise.
 */
int app_objective_measure(struct store_conn *db, const struct actor *who, json_t *rec);
/* KAM_EINVAL naming "measure" unless it is null or a figure kam computes. */
int app_measure_check(const json_t *rec, struct kam_errinfo *ei);

#endif
