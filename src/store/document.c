/* Reads for the account-plan document: resolving an account, picking its plan, monthly revenue. */
#include <stdlib.h>
#include <string.h>
#include "store/document.h"
#include "store/internal.h"

int store_account_resolve(struct store_conn *c, const char *key, int64_t *id)
{
	int64_t n = 0;
	int rc;
	size_t i;

	for (i = 0; key[i] >= '0' && key[i] <= '9'; i++)
		;
	if (i > 0 && i < 19 && key[i] == '\0')
		return sq_int(c, "SELECT id FROM accounts WHERE id = ?",
		              (struct db_val[]){DB_INT(strtoll(key, NULL, 10))}, 1, id);
	rc = sq_int(c, "SELECT count(*) FROM accounts WHERE name = ?",
	            (struct db_val[]){DB_STR(key)}, 1, &n);
	if (rc != KAM_OK)
		return rc;
	if (n == 0)
		return KAM_ENOTFOUND;
	if (n > 1)
		return KAM_ECONFLICT;
	return sq_int(c, "SELECT id FROM accounts WHERE name = ?", (struct db_val[]){DB_STR(key)},
	              1, id);
}

int store_plan_pick(struct store_conn *c, int64_t account_id, const char *today, int64_t *id)
{
	return sq_int(c,
	              "SELECT id FROM plans WHERE account_id = ? ORDER BY "
	              "CASE WHEN status = 'active' THEN 0 ELSE 1 END, "
	              "CASE WHEN period_start <= ? AND period_end >= ? THEN 0 ELSE 1 END, "
	              "period_start DESC, id DESC LIMIT 1",
	              (struct db_val[]){DB_INT(account_id), DB_STR(today), DB_STR(today)}, 3, id);
}

int store_revenue_by_month(struct store_conn *c, int64_t account_id, const char *from_month,
                           const char *to_month, json_t **items)
{
	struct db_stmt *st = NULL;
	json_t *arr = NULL;
	int rc = c->ops->query(
	    c->db,
	    "SELECT month, amount FROM revenue_account_monthly WHERE account_id = ? "
	    "AND month >= ? AND month <= ? ORDER BY month",
	    (struct db_val[]){DB_INT(account_id), DB_STR(from_month), DB_STR(to_month)}, 3, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1)
		if (json_array_append_new(
		        arr, json_pack("{s:s,s:I}", "month", c->ops->col_text(st, 0), "amount",
		                       (json_int_t)c->ops->col_int(st, 1))) != 0) {
			rc = KAM_ENOMEM; /* a month missing would read as a month without revenue */
			break;
		}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}
