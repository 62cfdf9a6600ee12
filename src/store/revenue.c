#include <stdio.h>
#include <string.h>
#include "store/internal.h"
#include "store/portfolio.h"
#include "store/revenue.h"

int store_fx_rate(struct store_conn *c, const char *currency, const char *day, double *rate)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db,
			       "SELECT rate FROM fx_rates WHERE currency = ? AND valid_from <= ? "
			       "ORDER BY valid_from DESC LIMIT 1",
			       (struct db_val[]){DB_TEXT(currency), DB_TEXT(day)}, 2, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1)
		*rate = c->ops->col_real(st, 0);
	c->ops->done(st);
	return rc == 1 ? KAM_OK : rc == 0 ? KAM_ENOTFOUND : rc;
}

int store_account_revenue_span(struct store_conn *c, int64_t account_id, char first[8],
                               char last[8])
{
	struct db_stmt *st;
	int rc =
	    c->ops->query(c->db,
	                  "SELECT coalesce(min(month), ''), coalesce(max(CASE WHEN amount <> 0 "
	                  "THEN month END), '') FROM revenue_account_monthly WHERE "
	                  "account_id = ?",
	                  (struct db_val[]){DB_INT(account_id)}, 1, &st);

	if (rc != KAM_OK)
		return rc;
	first[0] = last[0] = '\0';
	rc = c->ops->next(st);
	if (rc == 1) {
		snprintf(first, 8, "%s", c->ops->col_text(st, 0));
		snprintf(last, 8, "%s", c->ops->col_text(st, 1));
	}
	c->ops->done(st);
	return rc < 0 ? rc : KAM_OK;
}

int store_rollup_add(struct store_conn *c, int64_t account_id, int64_t product_id,
		     const char *month, int64_t amount, int count)
{
	int rc = sq_run(c,
			"INSERT INTO revenue_monthly (account_id, product_id, month, amount, "
			"transactions) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, product_id, "
			"month) DO UPDATE SET amount = revenue_monthly.amount + excluded.amount, "
			"transactions = revenue_monthly.transactions + excluded.transactions",
			(struct db_val[]){DB_INT(account_id), DB_INT(product_id), DB_TEXT(month),
					  DB_INT(amount), DB_INT(count)},
			5);

	if (rc == KAM_OK)
		rc = sq_run(c,
			    "INSERT INTO revenue_account_monthly (account_id, month, amount, "
			    "transactions) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, month) DO "
			    "UPDATE SET amount = revenue_account_monthly.amount + excluded.amount, "
			    "transactions = revenue_account_monthly.transactions + excluded.transactions",
			    (struct db_val[]){DB_INT(account_id), DB_TEXT(month), DB_INT(amount),
					      DB_INT(count)},
			    4);
	/* a cell that went back to no transactions is gone, like it never was */
	if (rc == KAM_OK && count < 0)
		rc = sq_run(c,
			    "DELETE FROM revenue_monthly WHERE account_id = ? AND product_id = ? AND "
			    "month = ? AND transactions <= 0",
			    (struct db_val[]){DB_INT(account_id), DB_INT(product_id), DB_TEXT(month)},
			    3);
	if (rc == KAM_OK && count < 0)
		rc = sq_run(c,
			    "DELETE FROM revenue_account_monthly WHERE account_id = ? AND month = ? "
			    "AND transactions <= 0",
			    (struct db_val[]){DB_INT(account_id), DB_TEXT(month)}, 2);
	return rc;
}

int store_revenue_changed(struct store_conn *c)
{
	/* a server's rollup in memory is read again on its next use */
	int rc = store_settings_bump(c, "rollup_version");

	return rc == KAM_OK ? store_scores_dirty(c) : rc;
}

int store_rollup_version(struct store_conn *c, int64_t *v)
{
	int rc = sq_int(c, "SELECT version FROM settings WHERE key = 'rollup_version'", NULL, 0, v);

	if (rc == KAM_ENOTFOUND) {
		*v = 0;
		rc = KAM_OK;
	}
	return rc;
}

int store_transaction_by_external(struct store_conn *c, int64_t account_id, const char *external_id,
                                  json_t **out, int64_t *version)
{
	int64_t id;
	int rc = sq_int(c, "SELECT id FROM transactions WHERE account_id = ? AND external_id = ?",
	                (struct db_val[]){DB_INT(account_id), DB_TEXT(external_id)}, 2, &id);

	if (rc != KAM_OK)
		return rc;
	return store_get(c, &model_transaction, id, out, version);
}

int store_transaction_by_opportunity(struct store_conn *c, int64_t opp_id, json_t **out)
{
	int64_t id;
	int rc = sq_int(c, "SELECT id FROM transactions WHERE opportunity_id = ?",
	                (struct db_val[]){DB_INT(opp_id)}, 1, &id);

	*out = NULL;
	if (rc != KAM_OK)
		return rc;
	return store_get(c, &model_transaction, id, out, NULL);
}

int store_rows(struct store_conn *c, const char *sql, int64_t arg, json_t **items)
{
	return sq_rows(c, sql, (struct db_val[]){DB_INT(arg)}, 1, items);
}

int store_whitespace_sold(struct store_conn *c, int64_t account_id, const char *since,
			  json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(c->db,
			       "SELECT unit_id, product_id, sum(amount_base) FROM transactions WHERE "
			       "account_id = ? AND booked_on >= ? AND unit_id IS NOT NULL AND "
			       "product_id IS NOT NULL GROUP BY unit_id, product_id",
			       (struct db_val[]){DB_INT(account_id), DB_TEXT(since)}, 2, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1)
		json_array_append_new(arr, json_pack("{s:I,s:I,s:I}", "unit_id",
						     (json_int_t)c->ops->col_int(st, 0), "product_id",
						     (json_int_t)c->ops->col_int(st, 1), "revenue",
						     (json_int_t)c->ops->col_real(st, 2)));
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}

int store_whitespace_open(struct store_conn *c, int64_t account_id, json_t **items)
{
	return store_rows(c,
			  "SELECT DISTINCT unit_id, product_id FROM opportunities WHERE account_id = "
			  "? AND stage NOT IN ('won', 'lost') AND unit_id IS NOT NULL AND product_id "
			  "IS NOT NULL",
			  account_id, items);
}

int store_money_total(struct store_conn *c, const char *name, int64_t *total)
{
	return sq_int(c, "SELECT abs_total FROM money_totals WHERE name = ?",
	              (struct db_val[]){DB_TEXT(name)}, 1, total);
}
