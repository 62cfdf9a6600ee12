/* Identification and segmentation: the settings in force, scores, tiers and segments. */
#ifndef KAM_APP_SCORES_H
#define KAM_APP_SCORES_H
#include <jansson.h>
#include <stdint.h>
#include "kam/auth.h"
#include "kam/score.h"
#include "kam/settings.h"
#include "store/kpi.h"
#include "store/portfolio.h"
#include "store/store.h"

/* Today in the installation's time zone at now (settings_today), into *out. */
int app_today_at(struct store_conn *c, int64_t now, date_t *out);
/* Today for who: theirs when worked out (app_actor_today), else app_today_at who->now. */
int app_today(struct store_conn *c, const struct actor *who, date_t *out);
/* Works out who's today once, for operations that ask it of every row they return. */
int app_actor_today(struct store_conn *c, struct actor *who);
/* Reads the settings once into *s for an operation that decorates many rows, and keeps them
 * and today on who (who->settings points at s: s must outlive who's use). */
int app_actor_settings(struct store_conn *c, struct actor *who, struct settings *s);
/* app_today as YYYY-MM-DD. */
int app_today_text(struct store_conn *c, const struct actor *who, char out[DATE_LEN]);
/* The settings in force (defaults under what is stored); version may be NULL. */
int app_settings_load(struct store_conn *c, struct settings *s, int64_t *version);
/* Every account's score under s, without storing it: *rows (what each was computed from)
 * and *res, n of each, owned by the caller. */
int app_scores_compute(struct store_conn *db, const struct settings *s, int64_t now,
                       struct store_score_row **rows, struct score_result **res, size_t *n);
/* Scores and tiers every account, then their segments, in the open write transaction. */
int app_scores_refresh(struct store_conn *db, const struct settings *s, int64_t now);
/* Refreshes the scores in a transaction of its own when they are stale (a day old or marked
 * dirty by a write); a no-op otherwise. */
int app_scores_fresh(struct store_conn *db, int64_t now);
/* The same for a request: who's today, when worked out already, spares reading the settings. */
int app_scores_fresh_as(struct store_conn *db, const struct actor *who);
/* Computes account id's score now under s, with its criteria, into r (row: what it was
 * computed from); stores nothing. */
int app_score_explain(struct store_conn *db, const struct settings *s, int64_t now, int64_t id,
                      struct score_result *r, struct store_score_row *row);
/* Scores account id now, among all, in the open write transaction. */
int app_score_account(struct store_conn *db, int64_t now, int64_t id);
/* THE 12-month revenue window, used by every "revenue 12 months" figure (accounts list,
 * score, health, KPIs, plan document, matrix): the twelve whole months before the month of
 * today (the installation's zone), as its first and last month (first days). */
void app_revenue_window(date_t today, date_t *first, date_t *last);
/* app_revenue_window as months YYYY-MM, to included. */
void app_score_window(date_t today, char from[8], char to[8]);
/* app_revenue_window as dates YYYY-MM-DD, from included, to excluded (a KPI period). */
void app_revenue_window_dates(date_t today, char from[DATE_LEN], char to[DATE_LEN]);
/* One matrix row: relationship strength from its parts, the segment, the explanation
 * (a new reference). */
json_t *app_matrix_item(const struct settings *s, json_t *row);
/* Where app_matrix_item places row, without the JSON: the strength (NAN when unknown) and
 * its parts, the attractiveness (score) and the segment. */
double app_matrix_place(const struct settings *s, json_t *row,
                        struct strength_part parts[STRENGTH_PARTS], double *score,
                        const char **segment);
/* Stores every key account's matrix segment (and clears the others') in the open transaction. */
int app_segments_refresh(struct store_conn *db, const struct settings *s, int64_t now);

/* The three periods a KPI fetch of P = [from, to) reads: P, P-1 (the same number of days
 * just before it) and P-2 (P-1's own previous, for P-1's figures). */
struct app_kpi_periods {
	char from[DATE_LEN], to[DATE_LEN];
	char pfrom[DATE_LEN], pto[DATE_LEN];
	char ppfrom[DATE_LEN], ppto[DATE_LEN];
};
/* Works out p for [from, to) and points q's six period fields at it (p outlives q's use). */
void app_kpi_periods(struct app_kpi_periods *p, const char *from, const char *to,
                     struct store_kpi_query *q);
/* store_kpi_fetch, then each account's lifecycle inferred from its revenue where it does
 * not state it (kpi_lifecycle_infer) as of today, under s's churn_after_months. */
int app_kpi_fetch(struct store_conn *db, const struct settings *s, date_t today,
                  const struct store_kpi_query *q, struct kpi_input *d);
/* The figures (kpi_figures) of one account over [from, to) into *now and over the period as
 * long just before it into *before (NULL: not wanted), read for that account alone; the
 * caller frees both. scope_user as in store_kpi_query. */
int app_account_figures(struct store_conn *db, const struct settings *s, date_t today,
                        int64_t scope_user, int64_t account_id, const char *from,
                        const char *to, json_t **now, json_t **before);

#endif
