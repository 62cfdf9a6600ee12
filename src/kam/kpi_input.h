/*
 * What the KPI engine reads, per account and per dated event: filled by the store
 * (store_kpi_fetch), computed on by src/kam, so it is declared here, below both.
 */
#ifndef KAM_KAM_KPI_INPUT_H
#define KAM_KAM_KPI_INPUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kpi_in_account {
	int64_t id, owner_id;
	char acquired_on[11], churned_on[11]; /* "" when none */
	double rev, rev_prev;   /* revenue in P and in P-1, base minor units */
	double rev_prev2;       /* revenue in P-2 (P-1's previous period) */
	double rev_total;       /* revenue before the end of P */
	double rev_total_prev;  /* revenue before the end of P-1 */
	double rev_year;        /* revenue in the year before the end of P */
	double rev_year_prev;   /* revenue in the year before the end of P-1 */
	double potential;       /* annual potential spend in base minor units, < 0 unknown */
	char first_month[8];    /* month of the first revenue, "" without any */
	char last_month[8];     /* month of the last revenue, "" without any */
	bool acquired_inferred; /* acquired_on comes from the revenue, not the account */
	bool churned_inferred;  /* churned_on likewise */
	bool upsell_won;        /* an upsell or cross-sell won and closed in P */
	bool upsell_won_prev;   /* … in P-1 */
};

struct kpi_in_survey {
	int64_t account_id;
	bool csat;
	int score;
	char answered_on[11];
};

struct kpi_in_objective {
	int64_t account_id;
	bool achieved;
	char due_on[11];
};

struct kpi_in_case {
	int64_t id, account_id;
	int severity; /* enum severity */
	int64_t opened_at, resolved_at;
};

struct kpi_in_interaction {
	int64_t account_id;
	int64_t occurred_at;
};

struct kpi_input {
	struct kpi_in_account *acc; /* sorted by id */
	size_t nacc;
	struct kpi_in_survey *surveys;
	size_t nsurveys;
	struct kpi_in_objective *objectives;
	size_t nobjectives;
	struct kpi_in_case *cases;
	size_t ncases;
	struct kpi_in_interaction *interactions;
	size_t ninteractions;
};

/* The per-account monthly revenue rollup held in memory: a series of periods (month by
 * month KPIs) reads it once instead of once per period. */
struct kpi_rollup {
	struct kpi_rollup_cell {
		int64_t account_id;
		int mon; /* the month "YYYY-MM" as YYYY * 12 + MM - 1 */
		double amount;
	} * cells; /* grouped by account, in id order; an account's cells in the order read */
	size_t n;
	/* each account with cells, in id order: its cells [start, start + n), its first month
	 * and its last month with revenue ("" when none) */
	struct kpi_rollup_account {
		int64_t id;
		size_t start, n;
		char first_month[8], last_month[8];
	} * acc;
	size_t nacc;
};

#endif
