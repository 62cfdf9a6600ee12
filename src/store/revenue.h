/* FX rates, the monthly revenue rollup, whitespace and pipeline reads. */
#ifndef KAM_STORE_REVENUE_H
#define KAM_STORE_REVENUE_H
#include "store/store.h"

/* The rate (units of base per unit of currency) valid on a day; KAM_ENOTFOUND without one. */
int store_fx_rate(struct store_conn *c, const char *currency, const char *day, double *rate);
/* Adds amount (and count, ±1) to the rollup cell of an account, product (0: none) and month. */
int store_rollup_add(struct store_conn *c, int64_t account_id, int64_t product_id,
		     const char *month, int64_t amount, int count);
/* The first month with revenue of an account and the last one whose revenue is not zero
 * (YYYY-MM, "" without any), from the rollup. */
int store_account_revenue_span(struct store_conn *c, int64_t account_id, char first[8],
                               char last[8]);
/* Marks scores stale and moves the rollup version after revenue changed (call it in the
 * transaction that wrote the rollup). */
int store_revenue_changed(struct store_conn *c);
/* The rollup version: moves with every change to revenue_account_monthly (migration 045). */
int store_rollup_version(struct store_conn *c, int64_t *v);
/* The transaction of account_id with this external id (unique per account), or
 * KAM_ENOTFOUND (*out owned by the caller). */
int store_transaction_by_external(struct store_conn *c, int64_t account_id, const char *external_id,
                                  json_t **out, int64_t *version);
/* The transaction booking won opportunity opp_id (*out owned), or KAM_ENOTFOUND. */
int store_transaction_by_opportunity(struct store_conn *c, int64_t opp_id, json_t **out);
/* Revenue per unit and product of an account since a day, as [{unit_id, product_id, revenue}]. */
int store_whitespace_sold(struct store_conn *c, int64_t account_id, const char *since,
			  json_t **items);
/* Open opportunities (not won or lost) of an account as [{unit_id, product_id}]. */
int store_whitespace_open(struct store_conn *c, int64_t account_id, json_t **items);
/* Every row of a simple list query with one id argument (units, products…), as objects. */
int store_rows(struct store_conn *c, const char *sql, int64_t arg, json_t **items);

/* The sum of absolute values of a money column ("transactions", "opportunities",
 * "potential"), kept by triggers (migration 016). */
int store_money_total(struct store_conn *c, const char *name, int64_t *total);

#endif
