/* The forecast's reads and writes (store/forecast.h). */
#include <stdlib.h>
#include <string.h>
#include "store/forecast.h"
#include "store/internal.h"
#include "util/buf.h"

int store_contract_renewal(struct store_conn *c, int64_t contract_id, int64_t *opp_id)
{
	return sq_int(c, "SELECT id FROM opportunities WHERE contract_id = ?",
	              (struct db_val[]){DB_INT(contract_id)}, 1, opp_id);
}

int store_renewal_adopt(struct store_conn *c, int64_t contract_id, int64_t account_id,
                        const char *end, int64_t now, int64_t *opp_id)
{
	int rc =
	    sq_int(c,
	           "SELECT id FROM opportunities WHERE account_id = ? AND kind = 'renewal' AND "
	           "contract_id IS NULL AND stage <> 'lost' AND (expected_close_on = ? OR "
	           "closed_on = ?) ORDER BY id LIMIT 1",
	           (struct db_val[]){DB_INT(account_id), DB_STR(end), DB_STR(end)}, 3, opp_id);

	if (rc == KAM_ENOTFOUND) {
		*opp_id = 0;
		return KAM_OK;
	}
	if (rc != KAM_OK)
		return rc;
	return sq_run(c,
	              "UPDATE opportunities SET contract_id = ?, version = version + 1, updated_at "
	              "= ? WHERE id = ?",
	              (struct db_val[]){DB_INT(contract_id), DB_INT(now), DB_INT(*opp_id)}, 3);
}

int store_contract_unlink(struct store_conn *c, int64_t contract_id)
{
	return sq_run(c, "UPDATE opportunities SET contract_id = NULL WHERE contract_id = ?",
	              (struct db_val[]){DB_INT(contract_id)}, 1);
}

int store_contracts_due(struct store_conn *c, const char *horizon, json_t **items)
{
	return sq_rows(c,
	               "SELECT c.id, c.account_id, c.number, c.annual_value, c.currency, "
	               "c.end_date, a.owner_id FROM contracts c JOIN accounts a ON a.id = "
	               "c.account_id WHERE c.status = 'active' AND c.end_date <= ? AND NOT EXISTS "
	               "(SELECT 1 FROM opportunities o WHERE o.contract_id = c.id) ORDER BY c.id",
	               (struct db_val[]){DB_STR(horizon)}, 1, items);
}

/* One owner's sum (owner_id 0: accounts without an owner, written as null). */
struct owner_sum {
	int64_t owner_id, amount;
	bool seen; /* a row of the range counted: the GROUP BY's rows only */
};

/* The sum of owner o in v (n of them, sorted by owner), added in place at need. */
static struct owner_sum *owner_at(struct owner_sum **v, size_t *n, size_t *cap, int64_t o)
{
	size_t lo = 0, hi = *n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((*v)[mid].owner_id < o)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < *n && (*v)[lo].owner_id == o)
		return &(*v)[lo];
	if (vec_push((void **)v, n, cap, sizeof(**v)) == NULL)
		return NULL;
	memmove(&(*v)[lo + 1], &(*v)[lo], (*n - 1 - lo) * sizeof(**v));
	(*v)[lo] = (struct owner_sum){o, 0, false};
	return &(*v)[lo];
}

/*
 * SQLite: the rows of the range summed here, per owner, as they come off the covering
 * (booked_on, account_id, amount_base) index. Its GROUP BY sorted every row of the range
 * by owner first, and with temp_store=MEMORY that sort was held whole: 18 MB for the
 * quarter-to-date of 10M transactions, the peak of a server's start-up (docs/performance.md,
 * "The sorts SQLite held in memory").
 */
static int booked_streamed(struct store_conn *c, const char *from, const char *to,
                           int64_t owner, json_t **items)
{
	struct owner_sum *v = NULL;
	size_t n = 0, cap = 0;
	struct db_stmt *st;
	int rc;

	*items = NULL;
	/* every owner first, in order: the rows then only look theirs up (inserting each owner
	 * as its first row came would move half the array each time, quadratic in owners); an
	 * owner given an account since is still added as its row comes */
	rc = c->ops->query(c->db,
	                   "SELECT DISTINCT coalesce(owner_id, 0) FROM accounts WHERE (? = 0 OR "
	                   "owner_id = ?) ORDER BY 1",
	                   (struct db_val[]){DB_INT(owner), DB_INT(owner)}, 2, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct owner_sum *o = vec_push((void **)&v, &n, &cap, sizeof(*v));

		if (o == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		*o = (struct owner_sum){c->ops->col_int(st, 0), 0, false};
	}
	c->ops->done(st);
	if (rc < 0)
		goto out;
	rc = c->ops->query(
	    c->db,
	    "SELECT a.owner_id, t.amount_base FROM transactions t JOIN accounts a ON a.id = "
	    "t.account_id WHERE t.booked_on >= ? AND t.booked_on <= ? AND (? = 0 OR a.owner_id "
	    "= ?)",
	    (struct db_val[]){DB_STR(from), DB_STR(to), DB_INT(owner), DB_INT(owner)}, 4, &st);
	if (rc != KAM_OK)
		goto out;
	while ((rc = c->ops->next(st)) == 1) {
		struct owner_sum *o =
		    owner_at(&v, &n, &cap, c->ops->is_null(st, 0) ? 0 : c->ops->col_int(st, 0));

		if (o == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		o->amount += c->ops->col_int(st, 1);
		o->seen = true;
	}
	c->ops->done(st);
	if (rc < 0)
		goto out;
	rc = KAM_OK;
	if ((*items = json_array()) == NULL) {
		rc = KAM_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && rc == KAM_OK; i++)
		if (v[i].seen && json_array_append_new(
		        *items, json_pack("{s:o,s:I}", "owner_id",
		                          v[i].owner_id ? json_integer(v[i].owner_id) : json_null(),
		                          "amount", (json_int_t)v[i].amount)) != 0)
			rc = KAM_ENOMEM;
out:
	if (rc != KAM_OK) {
		json_decref(*items);
		*items = NULL;
	}
	free(v);
	return rc;
}

int store_forecast_booked(struct store_conn *c, const char *from, const char *to, int64_t owner,
                          json_t **items)
{
	if (c->ops == &db_sqlite)
		return booked_streamed(c, from, to, owner, items);
	/* sum() of an integer column stays an integer on both backends (a numeric on PG, read
	 * back as text and converted by the driver): cast it to be sure */
	return sq_rows(
	    c,
	    "SELECT a.owner_id AS owner_id, CAST(sum(t.amount_base) AS BIGINT) AS amount "
	    "FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE "
	    "t.booked_on >= ? AND t.booked_on <= ? AND (? = 0 OR a.owner_id = ?) GROUP "
	    "BY a.owner_id ORDER BY a.owner_id",
	    (struct db_val[]){DB_STR(from), DB_STR(to), DB_INT(owner), DB_INT(owner)}, 4, items);
}

int store_forecast_contracts(struct store_conn *c, const char *from, const char *to, int64_t owner,
                             json_t **items)
{
	return sq_rows(
	    c,
	    "SELECT a.owner_id AS owner_id, c.annual_value, c.currency, c.start_date, "
	    "c.end_date FROM contracts c JOIN accounts a ON a.id = c.account_id WHERE "
	    "c.status = 'active' AND c.end_date >= ? AND c.start_date <= ? AND (? = 0 OR "
	    "a.owner_id = ?) ORDER BY c.id",
	    (struct db_val[]){DB_STR(from), DB_STR(to), DB_INT(owner), DB_INT(owner)}, 4, items);
}

int store_forecast_opps(struct store_conn *c, const char *from, const char *to, int64_t owner,
                        json_t **items)
{
	return sq_rows(
	    c,
	    "SELECT o.id, o.account_id, a.name AS account_name, o.name, COALESCE(o.owner_id, "
	    "a.owner_id) AS owner_id, o.stage, o.probability, o.forecast_category, o.kind, "
	    "CASE WHEN o.stage = 'won' THEN o.closed_on ELSE o.expected_close_on END AS close_on, "
	    "o.amount, o.currency FROM opportunities o JOIN accounts a ON a.id = o.account_id "
	    "WHERE ((o.stage = 'won' AND o.closed_on >= ? AND o.closed_on <= ?) OR (o.stage NOT IN "
	    "('won', 'lost') AND o.expected_close_on >= ? AND o.expected_close_on <= ?)) AND (? = "
	    "0 "
	    "OR COALESCE(o.owner_id, a.owner_id) = ?) ORDER BY o.id",
	    (struct db_val[]){DB_STR(from), DB_STR(to), DB_STR(from), DB_STR(to), DB_INT(owner),
	                      DB_INT(owner)},
	    6, items);
}

int store_forecast_people(struct store_conn *c, json_t **items)
{
	return sq_rows(
	    c,
	    "SELECT id, name, team FROM users WHERE id IN (SELECT owner_id FROM accounts "
	    "UNION SELECT owner_id FROM opportunities WHERE owner_id IS NOT NULL UNION "
	    "SELECT user_id FROM forecast_targets WHERE user_id IS NOT NULL) ORDER BY name, id",
	    NULL, 0, items);
}

int store_forecast_targets(struct store_conn *c, const char *quarter, json_t **items)
{
	return sq_rows(c,
	               "SELECT COALESCE(user_id, 0) AS user_id, amount FROM forecast_targets "
	               "WHERE quarter = ? ORDER BY COALESCE(user_id, 0)",
	               (struct db_val[]){DB_STR(quarter)}, 1, items);
}

int store_forecast_target_put(struct store_conn *c, const char *quarter, int64_t user_id,
                              int64_t amount, int64_t now)
{
	int rc;

	if (amount < 0)
		return sq_run(
		    c,
		    "DELETE FROM forecast_targets WHERE quarter = ? AND COALESCE(user_id, 0) "
		    "= ?",
		    (struct db_val[]){DB_STR(quarter), DB_INT(user_id)}, 2);
	rc = sq_run(
	    c,
	    "UPDATE forecast_targets SET amount = ?, updated_at = ?, version = version + 1 "
	    "WHERE quarter = ? AND COALESCE(user_id, 0) = ?",
	    (struct db_val[]){DB_INT(amount), DB_INT(now), DB_STR(quarter), DB_INT(user_id)}, 4);
	if (rc != KAM_OK || c->ops->changes(c->db) > 0)
		return rc;
	return sq_run(c,
	              "INSERT INTO forecast_targets (quarter, user_id, amount, created_at, "
	              "updated_at) VALUES (?, ?, ?, ?, ?)",
	              (struct db_val[]){DB_STR(quarter), user_id > 0 ? DB_INT(user_id) : DB_NULL,
	                                DB_INT(amount), DB_INT(now), DB_INT(now)},
	              5);
}

int store_forecast_snapshot_put(struct store_conn *c, const char *quarter, const char *week,
                                int64_t user_id, const int64_t fig[7], int64_t target, int64_t now,
                                int *added)
{
	int rc = sq_run(c,
	                "INSERT INTO forecast_snapshots (quarter, week, user_id, booked, "
	                "contracted, commit_amount, best_case, pipeline, won, target, created_at) "
	                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (quarter, week, "
	                "user_id) DO NOTHING",
	                (struct db_val[]){DB_STR(quarter), DB_STR(week), DB_INT(user_id),
	                                  DB_INT(fig[0]), DB_INT(fig[1]), DB_INT(fig[2]),
	                                  DB_INT(fig[3]), DB_INT(fig[4]), DB_INT(fig[5]),
	                                  target >= 0 ? DB_INT(target) : DB_NULL, DB_INT(now)},
	                11);

	*added = rc == KAM_OK && c->ops->changes(c->db) > 0;
	return rc;
}

int store_forecast_snapshots(struct store_conn *c, const char *quarter, int64_t owner,
                             json_t **items)
{
	return sq_rows(c,
	               "SELECT week, user_id, booked, contracted, commit_amount, best_case, "
	               "pipeline, won, target FROM forecast_snapshots WHERE quarter = ? AND (? = 0 "
	               "OR user_id = ?) ORDER BY week, user_id",
	               (struct db_val[]){DB_STR(quarter), DB_INT(owner), DB_INT(owner)}, 3, items);
}
