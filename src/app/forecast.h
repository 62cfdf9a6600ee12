/*
 * The forecast (docs/forecast.md): per quarter and per KAM, team or portfolio, what is
 * booked, what contracts still bring, and the pipeline closing in the quarter as commit, best
 * case and pipeline; targets, attainment and gap; the weekly snapshots and their accuracy.
 * Admins, directors and viewers see every KAM; anyone else their own figures.
 */
#ifndef KAM_APP_FORECAST_H
#define KAM_APP_FORECAST_H
#include "app/access.h"

/* The forecast of quarter ("2026-Q4"; NULL: today's) by "kam", "team" or "portfolio" (NULL:
 * kam) into *out (owned). Faults name the parameter in ei. */
int app_forecast(struct store_conn *db, const struct actor *who, const char *quarter,
                 const char *by, json_t **out, struct kam_errinfo *ei);
/* The forecast of quarter by by as a CSV or XLSX file (money in major units): *fd (the
 * caller closes it) of *len bytes, and its file name in name. */
int app_forecast_file(struct store_conn *db, const struct actor *who, const char *quarter,
                      const char *by, bool xlsx, int *fd, size_t *len, char name[64],
                      struct kam_errinfo *ei);
/* The opportunities behind the figures of quarter: owner_id (0: all who sees) and category
 * (commit, best_case, pipeline, omitted, won; NULL: all) narrow them. */
int app_forecast_opportunities(struct store_conn *db, const struct actor *who,
                               const char *quarter, int64_t owner_id, const char *category,
                               json_t **out, struct kam_errinfo *ei);
/* Sets targets from body {quarter, targets: [{user_id (null: portfolio), amount (minor
 * units of the base currency; null removes)}]}: admins and directors. *out: the targets. */
int app_forecast_targets_put(struct store_conn *db, const struct actor *who, json_t *body,
                             json_t **out, struct kam_errinfo *ei);
/* The targets of quarter as who sees them. */
int app_forecast_targets(struct store_conn *db, const struct actor *who, const char *quarter,
                         json_t **out, struct kam_errinfo *ei);
/* The weekly snapshots of quarter as who sees them, and once it is over, the accuracy of
 * each week's call against what was booked. */
int app_forecast_history(struct store_conn *db, const struct actor *who, const char *quarter,
                         json_t **out, struct kam_errinfo *ei);
/* Stores this week's snapshot of the current quarter for every KAM and the portfolio, once
 * per week (a job; who: a system actor who sees all). *added counts new rows. */
int app_forecast_snapshot_run(struct store_conn *db, const struct actor *who, int *added);

#endif
