/* What the KPI engine reads: per-account revenue over two windows and dated events. */
#ifndef KAM_STORE_KPI_H
#define KAM_STORE_KPI_H
#include "store/store.h"

struct store_kpi_account {
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
	bool upsell_won;        /* an upsell or cross-sell won and closed in P */
	bool upsell_won_prev;   /* … in P-1 */
};

struct store_kpi_survey {
	int64_t account_id;
	bool csat;
	int score;
	char answered_on[11];
};

struct store_kpi_objective {
	int64_t account_id;
	bool achieved;
	char due_on[11];
};

struct store_kpi_case {
	int64_t id, account_id;
	int severity; /* enum severity */
	int64_t opened_at, resolved_at;
};

struct store_kpi_interaction {
	int64_t account_id;
	int64_t occurred_at;
};

struct store_kpi_data {
	struct store_kpi_account *acc; /* sorted by id */
	size_t nacc;
	struct store_kpi_survey *surveys;
	size_t nsurveys;
	struct store_kpi_objective *objectives;
	size_t nobjectives;
	struct store_kpi_case *cases;
	size_t ncases;
	struct store_kpi_interaction *interactions;
	size_t ninteractions;
};

/* The per-account monthly revenue rollup held in memory: a series of periods (month by
 * month KPIs) reads it once instead of once per period. */
struct store_kpi_rollup {
	struct store_kpi_cell {
		int64_t account_id;
		char month[8];
		double amount;
	} *cells;
	size_t n;
};

/* Reads the whole account rollup into r (free with store_kpi_rollup_free). */
int store_kpi_rollup_load(struct store_conn *c, struct store_kpi_rollup *r);
void store_kpi_rollup_free(struct store_kpi_rollup *r);

struct store_kpi_query {
	int64_t scope_user; /* > 0: only accounts this user owns or is on the team of */
	const char *from, *to;   /* P = [from, to) */
	const char *pfrom, *pto; /* P-1 */
	const char *ppfrom, *ppto; /* P-2, so P-1's figures come from the same read */
	const char *base_currency;
	const struct store_kpi_rollup *rollup; /* or NULL: the rollup is read from the database */
};

/* Reads everything the KPIs of P and of P-1 need, in one pass over the revenue rollup
 * (events from pfrom to to); d owns its arrays. */
int store_kpi_fetch(struct store_conn *c, const struct store_kpi_query *q,
		    struct store_kpi_data *d);
/* Frees what d holds. */
void store_kpi_free(struct store_kpi_data *d);

#endif
