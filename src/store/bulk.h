/* Bulk loading for large generated data sets: multi-row inserts, prepared once. */
#ifndef KAM_STORE_BULK_H
#define KAM_STORE_BULK_H
#include "store/store.h"

struct store_bulk_txn {
	int64_t account_id, product_id;
	char booked_on[11];
	int64_t amount;
};

/* Prepares c for a bulk load (a larger cache where that helps). */
int store_bulk_setup(struct store_conn *c);
/* Inserts transactions (in the base currency) n at a time into the open transaction. */
int store_bulk_transactions(struct store_conn *c, const struct store_bulk_txn *t, size_t n,
                            const char *currency, int64_t now);

/* A transaction from an import: every column the ERP gives, already converted. */
struct store_bulk_row {
	int64_t account_id, product_id; /* product_id 0: none */
	char booked_on[11];
	char currency[4];
	int64_t amount, amount_base;
	const char *external_id; /* may be NULL */
	bool intra_group;        /* repeats revenue of another entity of its group */
};

/* Inserts imported transactions n at a time into the open transaction (no rollup: the
 * caller adds the month totals with store_rollup_add). */
int store_bulk_import(struct store_conn *c, const struct store_bulk_row *t, size_t n, int64_t now);

#endif
