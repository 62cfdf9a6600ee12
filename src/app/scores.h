/* Identification and segmentation: the settings in force, scores, tiers and segments. */
#ifndef KAM_APP_SCORES_H
#define KAM_APP_SCORES_H
#include <jansson.h>
#include <stdint.h>
#include "kam/score.h"
#include "kam/settings.h"
#include "store/portfolio.h"
#include "store/store.h"

struct kam_clock;
/* Fixes the process's "now" (KAM_NOW, read once at start-up; c is copied, NULL for the wall
 * clock): every date kam derives (today, overdue, month edges, alerts) follows it. */
void app_clock_set(const struct kam_clock *c);
/* kam's "now": the clock of app_clock_set, else the wall clock. */
int64_t app_now(void);
/* Today in the installation's time zone (settings_today at app_now), into *out. */
int app_today(struct store_conn *c, date_t *out);
/* The same as YYYY-MM-DD. */
int app_today_text(struct store_conn *c, char out[DATE_LEN]);
/* The settings in force (defaults under what is stored); version may be NULL. */
int app_settings_load(struct store_conn *c, struct settings *s, int64_t *version);
/* Every account's score under s, without storing it: *rows (what each was computed from)
 * and *res, n of each, owned by the caller. */
int app_scores_compute(struct store_conn *db, const struct settings *s,
                       struct store_score_row **rows, struct score_result **res, size_t *n);
/* Scores and tiers every account, then their segments, in the open write transaction. */
int app_scores_refresh(struct store_conn *db, const struct settings *s);
/* Refreshes the scores in a transaction of its own when they are stale (a day old or marked
 * dirty by a write); a no-op otherwise. */
int app_scores_fresh(struct store_conn *db);
/* Computes account id's score now under s, with its criteria, into r (row: what it was
 * computed from); stores nothing. */
int app_score_explain(struct store_conn *db, const struct settings *s, int64_t id,
                      struct score_result *r, struct store_score_row *row);
/* Scores account id now, among all, in the open write transaction. */
int app_score_account(struct store_conn *db, int64_t id);
/* The 12-month revenue window scores are computed over, as months YYYY-MM (to included). */
void app_score_window(struct store_conn *db, char from[8], char to[8]);
/* One matrix row: relationship strength from its parts, the segment, the explanation
 * (a new reference). */
json_t *app_matrix_item(const struct settings *s, json_t *row);
/* Stores every key account's matrix segment (and clears the others') in the open transaction. */
int app_segments_refresh(struct store_conn *db, const struct settings *s);

#endif
