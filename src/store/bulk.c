#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "store/bulk.h"
#include "store/internal.h"
#include "util/buf.h"

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

/* A text value in COPY's text format: backslash, tab, newline and carriage return escaped. */
static int copy_text(struct buf *b, const char *s)
{
	int rc = KAM_OK;

	for (const char *p = s; rc == KAM_OK && *p; p++) {
		const char *esc = *p == '\\'   ? "\\\\"
		                  : *p == '\t' ? "\\t"
		                  : *p == '\n' ? "\\n"
		                  : *p == '\r' ? "\\r"
		                               : NULL;

		rc = esc ? buf_puts(b, esc) : buf_put(b, p, 1);
	}
	return rc;
}

/* The rows by COPY, where the backend has it (PostgreSQL): the same columns and values as
 * the INSERT below, the same triggers, in one round trip. */
static int bulk_copy(struct store_conn *c, const struct store_bulk_row *t, size_t n, int64_t now)
{
	struct buf b = {0};
	int rc = KAM_OK;

	for (size_t i = 0; i < n && rc == KAM_OK; i++) {
		const struct store_bulk_row *x = &t[i];
		char prod[24] = "\\N";

		if (x->product_id)
			snprintf(prod, sizeof(prod), "%" PRId64, x->product_id);
		rc = buf_printf(&b, "%" PRId64 "\t%s\t", x->account_id, prod);
		if (rc == KAM_OK)
			rc = copy_text(&b, x->booked_on);
		if (rc == KAM_OK)
			rc = buf_printf(&b, "\t%" PRId64 "\t", x->amount);
		if (rc == KAM_OK)
			rc = copy_text(&b, x->currency);
		if (rc == KAM_OK)
			rc = buf_printf(&b, "\t%" PRId64 "\t", x->amount_base);
		if (rc == KAM_OK)
			rc = x->external_id ? copy_text(&b, x->external_id) : buf_puts(&b, "\\N");
		if (rc == KAM_OK)
			rc = buf_printf(&b, "\t%d\t%" PRId64 "\t%" PRId64 "\n", x->intra_group ? 1 : 0,
			                now, now);
	}
	if (rc == KAM_OK && b.len > 0)
		rc =
		    c->ops->copy_in(c->db,
		                    "COPY transactions (account_id, product_id, booked_on, amount, "
		                    "currency, amount_base, external_id, intra_group, created_at, "
		                    "updated_at) FROM STDIN",
		                    b.data, b.len);
	buf_free(&b);
	return rc;
}

int store_bulk_import(struct store_conn *c, const struct store_bulk_row *t, size_t n, int64_t now)
{
	char part[ROWS * 44 + 256];
	struct db_val args[ROWS * ICOLS];
	int rc = KAM_OK;

	if (c->ops->copy_in)
		return bulk_copy(c, t, n, now);
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
