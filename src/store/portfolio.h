/* Store queries behind settings, scores, the Pareto list and the portfolio matrix. */
#ifndef KAM_STORE_PORTFOLIO_H
#define KAM_STORE_PORTFOLIO_H
#include "store/store.h"

/* The stored settings document (*doc owned by the caller; {} and version 0 when none). */
int store_settings_get(struct store_conn *c, json_t **doc, int64_t *version);
/* Writes the settings document if its version is still version (0: none yet), else ESTALE. */
int store_settings_put(struct store_conn *c, const json_t *doc, int64_t version, int64_t now);

/* Rebuilds everything derived from rows written in bulk: the monthly revenue rollup,
 * last_interaction_at and last_contacted_at; marks scores stale. */
int store_derived_rebuild(struct store_conn *c);
/* How many transactions are stored. */
int store_count_transactions(struct store_conn *c, int64_t *n);
/* Whether any transaction is stored: one index probe, where the count reads them all. */
int store_any_transactions(struct store_conn *c, bool *any);
/* Marks every account's score stale (revenue changed); the next reader refreshes them. */
int store_scores_dirty(struct store_conn *c);
/* Whether scores need a refresh: marked dirty, or last refreshed before today. */
int store_scores_stale(struct store_conn *c, const char *today, bool *stale);
/* Records that scores were refreshed today. */
int store_scores_clean(struct store_conn *c, const char *today);

struct store_score_row {
	int64_t id;
	bool churned;
	int growth, strategic, influence; /* 0 when null */
	double revenue;                   /* base minor units in the window */
	double score;
	char tier[12];
};

/* Every account with its score inputs and revenue in [from_month, to_month]; *rows owned. */
int store_score_rows(struct store_conn *c, const char *from_month, const char *to_month,
		     struct store_score_row **rows, size_t *n);
/* One account's row, with how many accounts earn strictly less and how many there are. */
int store_score_row(struct store_conn *c, int64_t id, const char *from_month,
		    const char *to_month, struct store_score_row *row, size_t *lower, size_t *n);
/* Saves a score, tier and twelve-month revenue (no version bump: derived, not edited). */
int store_score_set(struct store_conn *c, int64_t id, double score, const char *tier,
		    int64_t revenue);

/* Saves a key account's matrix segment (NULL: none); derived: a change moves the data
 * version at commit. */
int store_segment_set(struct store_conn *c, int64_t id, const char *segment);
/* Clears the segment of every account that is not key. */
int store_segments_clear(struct store_conn *c);

/* Accounts in scope (scope_user 0 = all) with revenue in the window, highest first. */
int store_pareto(struct store_conn *c, int64_t scope_user, const char *from_month,
		 const char *to_month, json_t **items);

/* Key accounts in scope with what the matrix needs (see portfolio.c for the fields). */
/* The revenue of the months [from_month, to_month] of each key account in scope that has
 * any, as an object keyed by the account's id in decimal (the matrix's bubbles). */
int store_key_revenue(struct store_conn *c, int64_t scope_user, const char *from_month,
                      const char *to_month, json_t **rev);
int store_matrix_rows(struct store_conn *c, int64_t scope_user, const char *from_month,
		      const char *to_month, const char *from_date, int64_t engaged_since,
		      json_t **items);

/* One active KAM's workload: key accounts (not churned), accounts they own, their open and
 * in-progress actions and those of them due before today. */
struct store_workload_row {
	int64_t user_id;
	int64_t key_accounts, accounts, open_actions, overdue_actions;
	size_t name; /* where the user's name starts in store_workload.names */
};

struct store_workload {
	struct store_workload_row *rows; /* by name, then id */
	size_t n;
	char *names; /* every row's name, each NUL-terminated; NULL when n is 0 */
};

/* Each active KAM (only: a user id, 0 all, -1 none), into *w (store_workload_free frees
 * it; on an error *w holds nothing). */
int store_workload(struct store_conn *c, int64_t only, const char *today, struct store_workload *w);
void store_workload_free(struct store_workload *w);

#endif
