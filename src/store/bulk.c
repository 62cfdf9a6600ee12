#include <stdio.h>
#include <string.h>
#include "store/bulk.h"
#include "store/internal.h"

#define ROWS 64 /* rows per statement: 576 parameters, well under both backends' limits */

int store_bulk_setup(struct store_conn *c)
{
	return c->ops->bulk_setup ? c->ops->exec(c->db, c->ops->bulk_setup) : KAM_OK;
}

int store_bulk_transactions(struct store_conn *c, const struct store_bulk_txn *t, size_t n,
                            const char *currency, int64_t now)
{
	struct store_bulk_row rows[ROWS];
	int rc = KAM_OK;

	/* generated rows are in the base currency and have no external id */
	for (size_t i = 0; i < n && rc == KAM_OK; i += ROWS) {
		size_t k = n - i < ROWS ? n - i : ROWS;

		for (size_t j = 0; j < k; j++) {
			const struct store_bulk_txn *x = &t[i + j];

			rows[j] = (struct store_bulk_row){.account_id = x->account_id,
			                                  .product_id = x->product_id,
			                                  .amount = x->amount,
			                                  .amount_base = x->amount};
			memcpy(rows[j].booked_on, x->booked_on, sizeof(rows[j].booked_on));
			snprintf(rows[j].currency, sizeof(rows[j].currency), "%s", currency);
		}
		rc = store_bulk_import(c, rows, k, now);
	}
	return rc;
}

#define ICOLS 10

static void build(char *sql, size_t len, size_t k)
{
	size_t o = (size_t)snprintf(sql, len,
	                            "INSERT INTO transactions (account_id, product_id, booked_on, "
	                            "amount, currency, amount_base, external_id, intra_group, "
	                            "created_at, updated_at) VALUES ");

	for (size_t i = 0; i < k && o < len; i++)
		o += (size_t)snprintf(sql + o, len - o, "%s(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		                      i ? ", " : "");
}

int store_bulk_import(struct store_conn *c, const struct store_bulk_row *t, size_t n, int64_t now)
{
	char part[ROWS * 44 + 256];
	struct db_val args[ROWS * ICOLS];
	int rc = KAM_OK;

	for (size_t i = 0; i < n && rc == KAM_OK; i += ROWS) {
		size_t k = n - i < ROWS ? n - i : ROWS, a = 0;

		build(part, sizeof(part), k);
		for (size_t j = 0; j < k; j++) {
			const struct store_bulk_row *x = &t[i + j];

			args[a++] = DB_INT(x->account_id);
			args[a++] = x->product_id ? DB_INT(x->product_id) : DB_NULL;
			args[a++] = DB_STR(x->booked_on);
			args[a++] = DB_INT(x->amount);
			args[a++] = DB_STR(x->currency);
			args[a++] = DB_INT(x->amount_base);
			args[a++] = DB_TEXT(x->external_id);
			args[a++] = DB_INT(x->intra_group ? 1 : 0);
			args[a++] = DB_INT(now);
			args[a++] = DB_INT(now);
		}
		rc = sq_run(c, part, args, (int)a);
	}
	return rc;
}
