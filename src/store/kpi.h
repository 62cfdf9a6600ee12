/* What the KPI engine reads: per-account revenue over two windows and dated events. */
#ifndef KAM_STORE_KPI_H
#define KAM_STORE_KPI_H
#include "kam/kpi_input.h"
#include "store/store.h"

/* Reads the whole account rollup into r (free with store_kpi_rollup_free); hint: how many
 * cells it is expected to hold (the last load's), or 0. */
int store_kpi_rollup_load(struct store_conn *c, size_t hint, struct kpi_rollup *r);
void store_kpi_rollup_free(struct kpi_rollup *r);

struct store_kpi_query {
	int64_t scope_user; /* > 0: only accounts this user owns or is on the team of */
	const char *from, *to;   /* P = [from, to) */
	const char *pfrom, *pto; /* P-1 */
	const char *ppfrom, *ppto; /* P-2, so P-1's figures come from the same read */
	const char *base_currency;
	const struct kpi_rollup *rollup; /* or NULL: the rollup is read from the database */
	int64_t account_id; /* > 0: only this account (one account's figures, read by index) */
	/* a whole group's answer: intra-group transactions are left out of every revenue
	 * window (docs/groups.md) */
	bool net_intra_group;
	/* or NULL: the accounts are read for this fetch alone; else read into it on its first
	 * fetch and copied from it by the next ones (a series' periods: the same accounts, the
	 * same rollup, the same scope and account_id; free with store_kpi_accounts_free) */
	struct store_kpi_accounts *accounts;
	/* or NULL: each fetch reads its own events; else the events of every fetch sharing it
	 * are read once, on the first, for [span->from, span->to), and each fetch takes its own
	 * from them (a series' periods; a fetch whose events reach outside the span reads its
	 * own; free with store_kpi_span_free) */
	struct store_kpi_span *span;
};

/* The accounts a KPI fetch reads, as stored (their potential spend converted per period). */
struct store_kpi_accounts {
	bool loaded;
	struct kpi_in_account *acc; /* sorted by id; revenue zero, potential unset */
	size_t nacc;
	struct kpi_acc_raw {
		bool has_potential;
		int64_t potential; /* potential_annual_spend, in the account's currency */
		size_t currency;   /* index into cur */
		long racc;         /* its entry in the rollup's acc, or -1 (with a rollup) */
	} * raw;
	char (*cur)[8]; /* the accounts' currencies, each once */
	size_t ncur;
	struct kpi_fx {
		char currency[8], valid_from[11];
		double rate;
	} * fx; /* every stored rate */
	size_t nfx;
	/* with a rollup: each account's entry in it (an index into its acc, or -1 without
	 * cells), and per rollup cell the sum of its account's cells up to and including it, so
	 * a window's whole months are two lookups in the account's cells, not a walk over every
	 * cell for each fetch */
	const struct kpi_rollup *rollup;
	long *racc;
	double *cum;
	/* set by the caller once it has inferred acquisition and churn on acc (the same for
	 * every period: kpi_lifecycle_infer reads the account and today only) */
	bool inferred;
};
void store_kpi_accounts_free(struct store_kpi_accounts *a);

/* The dated events of a series' whole range, read once (store_kpi_query's span), each kind
 * in the order its statement returned it. */
struct store_kpi_span {
	const char *from, *to; /* set by the caller */
	bool loaded;
	struct kpi_input ev; /* the span's surveys, objectives, cases and interactions (no acc) */
	struct kpi_span_won {
		int64_t account_id;
		char closed_on[11];
	} * won; /* upsells and cross-sells won */
	size_t nwon;
	/* a group's series: its intra-group transactions booked before to, read on the first
	 * fetch that nets them out (every window of every period ends by to) */
	bool intra_loaded;
	struct kpi_span_intra {
		int64_t account_id;
		char day[11];
		double amount;
	} * intra;
	size_t nintra;
};
void store_kpi_span_free(struct store_kpi_span *s);

/* Reads everything the KPIs of P and of P-1 need, in one pass over the revenue rollup
 * (events from pfrom to to); d owns its arrays. */
int store_kpi_fetch(struct store_conn *c, const struct store_kpi_query *q,
		    struct kpi_input *d);
/* Frees what d holds. */
void store_kpi_free(struct kpi_input *d);

#endif
