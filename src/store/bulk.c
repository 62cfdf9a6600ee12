#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Two statement texts only, both fixed at compile time: ROWS rows, and one row for the rest
 * of a batch, so the statement cache hands back the same prepared statements every time. */
#define INSERT_TX                                                                                  \
	"INSERT INTO transactions (account_id, product_id, booked_on, amount, currency, "          \
	"amount_base, external_id, intra_group, created_at, updated_at) VALUES "
#define V1 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define V2 V1 ", " V1
#define V4 V2 ", " V2
#define V8 V4 ", " V4
#define V16 V8 ", " V8
#define V32 V16 ", " V16
#define V64 V32 ", " V32
_Static_assert(ROWS == 64, "the statement text below holds 64 rows");
static const char insert_rows[] = INSERT_TX V64;
static const char insert_one[] = INSERT_TX V1;

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
	struct db_val args[ROWS * ICOLS];
	int rc = KAM_OK;

	if (c->ops->copy_in)
		return bulk_copy(c, t, n, now);
	for (size_t i = 0; i < n && rc == KAM_OK;) {
		size_t k = n - i < ROWS ? 1 : ROWS, a = 0;

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
		rc = sq_run(c, k == ROWS ? insert_rows : insert_one, args, (int)a);
		i += k;
	}
	return rc;
}

int store_bulk_tx_rows(struct store_conn *c, int64_t *n)
{
	return sq_int(c, "SELECT count(*) FROM transactions", NULL, 0, n);
}

/* Set aside by a large load: the indexes every insert would otherwise write into one at a
 * time, and the trigger that adds each row to the money total. The smaller indexes
 * (opportunity, intra-group) take little per row and stay. */
static const struct {
	const char *type, *name;
} deferred[] = {{"index", "transactions_external"},
                {"index", "transactions_account"},
                {"index", "transactions_booked"},
                {"trigger", "money_tx_ins"}};

/* The page cache of a load: SQLite's default size, 2,000 KiB. A large cache (the command
 * line's 256 MiB) only grows the memory a load touches, since its rows are appended, and
 * each index build sorts its keys in runs of the cache's size: runs that fit the
 * processor's caches, merged, took less time than one large sort (1M rows, 2026-11-29). */
#define LOAD_CACHE "PRAGMA cache_size = -2000"

void store_bulk_deferred_free(struct store_bulk_deferred *d)
{
	if (d->c && d->cache) { /* the value read back, not input */
		char q[64];

		snprintf(q, sizeof(q), "PRAGMA cache_size = %" PRId64, d->cache);
		(void)d->c->ops->exec(d->c->db, q);
	}
	for (size_t i = 0; i < d->n; i++)
		free(d->sql[i]);
	*d = (struct store_bulk_deferred){0};
}

int store_bulk_defer(struct store_conn *c, struct store_bulk_deferred *d)
{
	char drop[100];
	int rc = KAM_OK;

	*d = (struct store_bulk_deferred){0};
	if (c->ops != &db_sqlite)
		return KAM_OK;
	if ((rc = sq_int(c, "PRAGMA cache_size", NULL, 0, &d->cache)) != KAM_OK)
		return rc;
	d->c = c;
	if ((rc = c->ops->exec(c->db, LOAD_CACHE)) != KAM_OK) {
		store_bulk_deferred_free(d);
		return rc;
	}
	/* the statements that made them, as the migrations left them, to run again at the end */
	for (size_t i = 0; i < sizeof(deferred) / sizeof(deferred[0]) && rc == KAM_OK; i++) {
		struct db_stmt *st;
		bool found = false;

		rc = c->ops->query(
		    c->db,
		    "SELECT sql FROM sqlite_master WHERE type = ? AND name = ? AND "
		    "tbl_name = 'transactions' AND sql IS NOT NULL",
		    (struct db_val[]){DB_STR(deferred[i].type), DB_STR(deferred[i].name)}, 2, &st);
		if (rc != KAM_OK)
			break;
		if ((rc = c->ops->next(st)) == 1) {
			rc = KAM_OK;
			if ((d->sql[d->n] = strdup(c->ops->col_text(st, 0))) == NULL)
				rc = KAM_ENOMEM;
			else
				found = true;
		}
		c->ops->done(st);
		if (rc != KAM_OK)
			break;
		/* a name from the list above, never from input */
		snprintf(drop, sizeof(drop), "DROP %s %s", deferred[i].type, deferred[i].name);
		if (found && (rc = c->ops->exec(c->db, drop)) == KAM_OK)
			d->n++;
		else if (found) {
			free(d->sql[d->n]);
			d->sql[d->n] = NULL;
		}
	}
	if (rc != KAM_OK) {
		store_bulk_deferred_free(
		    d); /* the caller's rollback brings back what was dropped */
		return rc;
	}
	d->on = d->n > 0;
	return KAM_OK;
}

int store_bulk_money_add(struct store_conn *c, int64_t amount)
{
	return sq_run(c, "UPDATE money_totals SET abs_total = abs_total + ? WHERE name = ?",
	              (struct db_val[]){DB_INT(amount), DB_STR("transactions")}, 2);
}

int store_bulk_restore(struct store_conn *c, struct store_bulk_deferred *d)
{
	int rc = KAM_OK;

	for (size_t i = 0; i < d->n && rc == KAM_OK; i++)
		rc = c->ops->exec(c->db, d->sql[i]);
	/* rows written without the trigger by any lane of the run are all counted this way */
	if (rc == KAM_OK && d->on)
		rc = sq_run(
		    c,
		    "UPDATE money_totals SET abs_total = (SELECT COALESCE(sum(abs(amount_base)), "
		    "0) FROM transactions) WHERE name = ?",
		    (struct db_val[]){DB_STR("transactions")}, 1);
	store_bulk_deferred_free(d);
	return rc;
}
