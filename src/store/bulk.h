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
	bool intra_group; /* repeats revenue of another entity of its group */
	int64_t amount, amount_base;
	const char *external_id; /* may be NULL */
};

/* Inserts imported transactions n at a time into the open transaction (no rollup: the
 * caller adds the month totals with store_rollup_add). */
int store_bulk_import(struct store_conn *c, const struct store_bulk_row *t, size_t n, int64_t now);

/* What a large load of transactions sets aside for its duration: the table's three large
 * indexes and its insert trigger, as the CREATE statements that bring them back. */
struct store_bulk_deferred {
	char *sql[4];
	size_t n;
	bool on; /* set aside: rows go in bare, the money total is kept by the caller */
	struct store_conn *c;
	int64_t cache; /* the connection's page cache size before the load (PRAGMA cache_size) */
};

/* The rows transactions holds now (*n). */
int store_bulk_tx_rows(struct store_conn *c, int64_t *n);
/* Inside the open write transaction, drops the large indexes of transactions and its
 * insert trigger so a load appends bare rows, and d->on says so; on PostgreSQL nothing
 * (dropping an index there locks readers out). Other connections keep reading the
 * committed schema; a rollback or a crash brings everything back. The connection's page
 * cache is SQLite's default size until the load ends (store_bulk_deferred_free): rows are
 * appended, and the index builds sort in runs that fit the processor's caches. */
int store_bulk_defer(struct store_conn *c, struct store_bulk_deferred *d);
/* Adds amount (the |amount_base| of rows inserted while d->on) to the money total, which
 * the dropped trigger no longer keeps. */
int store_bulk_money_add(struct store_conn *c, int64_t amount);
/* Builds again, once and sorted, what store_bulk_defer dropped (same transaction), and
 * sets the money total of transactions from the rows themselves. Frees d. */
int store_bulk_restore(struct store_conn *c, struct store_bulk_deferred *d);
/* Frees what d holds (after a rollback, which restored the schema by itself), and gives
 * the connection its page cache size back. */
void store_bulk_deferred_free(struct store_bulk_deferred *d);

#endif
