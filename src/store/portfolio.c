/* Settings, scores, Pareto and matrix queries: portable SQL, one pass per question. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/internal.h"
#include "store/portfolio.h"
#include "store/revenue.h"
#include "util/buf.h"

int store_settings_get(struct store_conn *c, json_t **doc, int64_t *version)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db, "SELECT value, version FROM settings WHERE key = 'main'",
	                       NULL, 0, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	*doc = NULL;
	*version = 0;
	if (rc == 1 && !c->ops->is_null(st, 0)) {
		const char *text = c->ops->col_text(st, 0);
		json_error_t e;

		/* settings unread for want of memory are not "invalid, so the defaults": a KPI in
		 * the default currency would answer 200 */
		if (text == NULL)
			rc = KAM_ENOMEM;
		else if ((*doc = json_loads(text, 0, &e)) == NULL &&
		         json_error_code(&e) == json_error_out_of_memory)
			rc = KAM_ENOMEM;
		*version = c->ops->col_int(st, 1);
	}
	c->ops->done(st);
	if (rc < 0)
		return rc;
	if (*doc == NULL && (*doc = json_object()) == NULL)
		return KAM_ENOMEM;
	return KAM_OK;
}

int store_settings_put(struct store_conn *c, const json_t *doc, int64_t version, int64_t now)
{
	char *s = buf_json(doc, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	if (s == NULL)
		return KAM_ENOMEM;
	if (version == 0)
		rc = sq_run(c,
		            "INSERT INTO settings (key, value, created_at, updated_at) "
		            "VALUES ('main', ?, ?, ?) ON CONFLICT (key) DO NOTHING",
		            (struct db_val[]){DB_TEXT(s), DB_INT(now), DB_INT(now)}, 3);
	else
		rc = sq_run(c,
		            "UPDATE settings SET value = ?, updated_at = ?, version = version + 1 "
		            "WHERE key = 'main' AND version = ?",
		            (struct db_val[]){DB_TEXT(s), DB_INT(now), DB_INT(version)}, 3);
	free(s);
	if (rc == KAM_OK && c->ops->changes(c->db) == 0)
		rc = KAM_ESTALE;
	return rc;
}

static int put_state(struct store_conn *c, const char *value)
{
	return sq_run(
	    c,
	    "INSERT INTO settings (key, value, created_at, updated_at) VALUES "
	    "('score_state', ?, 0, 0) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	    (struct db_val[]){DB_TEXT(value)}, 1);
}

int store_derived_rebuild(struct store_conn *c)
{
	static const char *const sql[] = {
	    "DELETE FROM revenue_monthly",
	    "INSERT INTO revenue_monthly (account_id, product_id, month, amount, transactions) "
	    "SELECT account_id, coalesce(product_id, 0), substr(booked_on, 1, 7), "
	    "sum(amount_base), count(*) FROM transactions GROUP BY account_id, "
	    "coalesce(product_id, 0), substr(booked_on, 1, 7)",
	    "DELETE FROM revenue_account_monthly",
	    "INSERT INTO revenue_account_monthly (account_id, month, amount, transactions) "
	    "SELECT account_id, month, sum(amount), sum(transactions) FROM revenue_monthly "
	    "GROUP BY account_id, month",
	    "UPDATE accounts SET last_interaction_at = (SELECT max(i.occurred_at) FROM "
	    "interactions i WHERE i.account_id = accounts.id)",
	    "UPDATE contacts SET last_contacted_at = (SELECT max(i.occurred_at) FROM interactions "
	    "i JOIN interactions_contact_ids x ON x.entity_id = i.id WHERE x.ref_id = contacts.id)",
	};
	int rc = KAM_OK;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && rc == KAM_OK; i++)
		rc = sq_run(c, sql[i], NULL, 0);
	return rc == KAM_OK ? store_revenue_changed(c) : rc;
}

int store_count_transactions(struct store_conn *c, int64_t *n)
{
	return sq_int(c, "SELECT count(*) FROM transactions", NULL, 0, n);
}

int store_any_transactions(struct store_conn *c, bool *any)
{
	int64_t n = 0;
	int rc = sq_int(c, "SELECT count(*) FROM (SELECT 1 FROM transactions LIMIT 1) t", NULL, 0,
	                &n);

	*any = n > 0;
	return rc;
}

int store_scores_dirty(struct store_conn *c)
{
	return put_state(c, "dirty");
}

int store_scores_clean(struct store_conn *c, const char *today)
{
	return put_state(c, today);
}

int store_scores_stale(struct store_conn *c, const char *today, bool *stale)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db, "SELECT value FROM settings WHERE key = 'score_state'", NULL,
	                       0, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	/* the value is the day of the last refresh, or "dirty" */
	*stale = rc != 1 || strcmp(c->ops->col_text(st, 0), today) != 0;
	c->ops->done(st);
	return rc < 0 ? rc : KAM_OK;
}

#define SCORE_SELECT                                                                               \
	"SELECT a.id, a.status, coalesce(a.growth_potential, 0), "                                 \
	"coalesce(a.strategic_importance, 0), coalesce(a.industry_influence, 0), "                 \
	"coalesce((SELECT sum(r.amount) FROM revenue_account_monthly r WHERE r.account_id = a.id " \
	"AND "                                                                                     \
	"r.month >= ? AND r.month <= ?), 0), a.score, a.tier FROM accounts a"

static void fill_row(struct store_conn *c, struct db_stmt *st, struct store_score_row *r)
{
	r->id = c->ops->col_int(st, 0);
	r->churned = strcmp(c->ops->col_text(st, 1), "churned") == 0;
	r->growth = (int)c->ops->col_int(st, 2);
	r->strategic = (int)c->ops->col_int(st, 3);
	r->influence = (int)c->ops->col_int(st, 4);
	r->revenue = (double)c->ops->col_int(st, 5);
	r->score = c->ops->col_real(st, 6);
	snprintf(r->tier, sizeof(r->tier), "%s", c->ops->col_text(st, 7));
}

int store_score_rows(struct store_conn *c, const char *from_month, const char *to_month,
                     struct store_score_row **rows, size_t *n)
{
	struct db_stmt *st;
	struct store_score_row *v = NULL;
	size_t cap = 0, len = 0;
	int rc = c->ops->query(c->db, SCORE_SELECT " ORDER BY a.id",
	                       (struct db_val[]){DB_TEXT(from_month), DB_TEXT(to_month)}, 2, &st);

	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct store_score_row *row = vec_push((void **)&v, &len, &cap, sizeof(*v));

		if (row == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		fill_row(c, st, row);
	}
	c->ops->done(st);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*rows = v;
	*n = len;
	return KAM_OK;
}

int store_score_row(struct store_conn *c, int64_t id, const char *from_month, const char *to_month,
                    struct store_score_row *row, size_t *lower, size_t *n)
{
	struct db_stmt *st;
	int64_t cnt = 0, low = 0;
	int rc = c->ops->query(
	    c->db, SCORE_SELECT " WHERE a.id = ?",
	    (struct db_val[]){DB_TEXT(from_month), DB_TEXT(to_month), DB_INT(id)}, 3, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1)
		fill_row(c, st, row);
	c->ops->done(st);
	if (rc == 0)
		return KAM_ENOTFOUND;
	if (rc < 0)
		return rc;
	if ((rc = sq_int(c, "SELECT count(*) FROM accounts", NULL, 0, &cnt)) != KAM_OK)
		return rc;
	rc = sq_int(c,
	            "SELECT count(*) FROM accounts a WHERE coalesce((SELECT sum(r.amount) FROM "
	            "revenue_account_monthly r WHERE r.account_id = a.id AND r.month >= ? AND "
	            "r.month <= ?), "
	            "0) < ?",
	            (struct db_val[]){DB_TEXT(from_month), DB_TEXT(to_month),
	                              DB_INT((int64_t)row->revenue)},
	            3, &low);
	*n = (size_t)cnt;
	*lower = (size_t)low;
	return rc;
}

int store_score_set(struct store_conn *c, int64_t id, double score, const char *tier,
                    int64_t revenue)
{
	return sq_run(c,
	              "UPDATE accounts SET score = ?, tier = ?, revenue_12m = ? WHERE id = ? AND "
	              "(score <> ? OR tier <> ? OR revenue_12m <> ?)",
	              (struct db_val[]){DB_REAL(score), DB_TEXT(tier), DB_INT(revenue), DB_INT(id),
	                                DB_REAL(score), DB_TEXT(tier), DB_INT(revenue)},
	              7);
}

#define IN_SCOPE                                                                                   \
	"(? = 0 OR a.owner_id = ? OR a.id IN (SELECT account_id FROM account_team WHERE "          \
	"user_id = ?))"

int store_pareto(struct store_conn *c, int64_t scope_user, const char *from_month,
                 const char *to_month, json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(
	    c->db,
	    "SELECT a.id, a.name, a.owner_id, a.tier, coalesce(sum(r.amount), 0) AS revenue FROM "
	    "accounts a LEFT JOIN revenue_account_monthly r ON r.account_id = a.id AND r.month >= "
	    "? AND "
	    "r.month <= ? WHERE " IN_SCOPE " GROUP BY a.id, a.name, a.owner_id, a.tier "
	    "ORDER BY revenue DESC, a.id",
	    (struct db_val[]){DB_TEXT(from_month), DB_TEXT(to_month), DB_INT(scope_user),
	                      DB_INT(scope_user), DB_INT(scope_user)},
	    5, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:I,s:s,s:I}", "account_id",
		                                     (json_int_t)c->ops->col_int(st, 0), "name",
		                                     c->ops->col_text(st, 1), "owner_id",
		                                     (json_int_t)c->ops->col_int(st, 2), "tier",
		                                     c->ops->col_text(st, 3), "revenue",
		                                     (json_int_t)c->ops->col_int(st, 4)));
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}

int store_key_revenue(struct store_conn *c, int64_t scope_user, const char *from_month,
                      const char *to_month, json_t **rev)
{
	struct db_stmt *st;
	json_t *obj;
	int rc = c->ops->query(
	    c->db,
	    "SELECT a.id, sum(r.amount) FROM accounts a JOIN revenue_account_monthly r ON "
	    "r.account_id = a.id AND r.month >= ? AND r.month <= ? WHERE a.tier = 'key' "
	    "AND " IN_SCOPE " GROUP BY a.id",
	    (struct db_val[]){DB_TEXT(from_month), DB_TEXT(to_month), DB_INT(scope_user),
	                      DB_INT(scope_user), DB_INT(scope_user)},
	    5, &st);

	if (rc != KAM_OK)
		return rc;
	if ((obj = json_object()) == NULL)
		rc = KAM_ENOMEM;
	while (obj && (rc = c->ops->next(st)) == 1) {
		char key[24];

		snprintf(key, sizeof(key), "%lld", (long long)c->ops->col_int(st, 0));
		if (json_object_set_new(obj, key, json_integer(c->ops->col_int(st, 1))) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(obj);
		return rc;
	}
	*rev = obj;
	return KAM_OK;
}

int store_matrix_rows(struct store_conn *c, int64_t scope_user, const char *from_month,
                      const char *to_month, const char *from_date, int64_t engaged_since,
                      json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(
	    c->db,
	    "SELECT a.id, a.name, a.owner_id, a.score, coalesce(a.relationship_strength, 0), "
	    "a.potential_annual_spend, a.currency, "
	    "coalesce((SELECT sum(r.amount) FROM revenue_account_monthly r WHERE r.account_id = "
	    "a.id AND "
	    "r.month >= ? AND r.month <= ?), 0), "
	    "(SELECT count(*) FROM surveys s WHERE s.account_id = a.id AND s.kind = 'nps' AND "
	    "s.answered_on >= ?), "
	    "(SELECT count(*) FROM surveys s WHERE s.account_id = a.id AND s.kind = 'nps' AND "
	    "s.answered_on >= ? AND s.score >= 9), "
	    "(SELECT count(*) FROM surveys s WHERE s.account_id = a.id AND s.kind = 'nps' AND "
	    "s.answered_on >= ? AND s.score <= 6), "
	    "(SELECT count(*) FROM contacts k WHERE k.account_id = a.id AND k.influence >= 4), "
	    "(SELECT count(*) FROM contacts k WHERE k.account_id = a.id AND k.influence >= 4 AND "
	    "k.last_contacted_at >= ?) "
	    ", a.health, a.health_enough_data FROM accounts a WHERE a.tier = 'key' AND " IN_SCOPE
	    " ORDER BY a.score DESC, a.id",
	    (struct db_val[]){DB_TEXT(from_month), DB_TEXT(to_month), DB_TEXT(from_date),
	                      DB_TEXT(from_date), DB_TEXT(from_date), DB_INT(engaged_since),
	                      DB_INT(scope_user), DB_INT(scope_user), DB_INT(scope_user)},
	    9, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1)
		if (json_array_append_new(
		        arr,
		        json_pack("{s:I,s:s,s:I,s:f,s:i,s:o,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:o}",
		                  "account_id", (json_int_t)c->ops->col_int(st, 0), "name",
		                  c->ops->col_text(st, 1), "owner_id",
		                  (json_int_t)c->ops->col_int(st, 2), "score",
		                  c->ops->col_real(st, 3), "rating", (int)c->ops->col_int(st, 4),
		                  "potential",
		                  c->ops->is_null(st, 5) ? json_null()
		                                         : json_integer(c->ops->col_int(st, 5)),
		                  "currency", c->ops->col_text(st, 6), "revenue",
		                  (json_int_t)c->ops->col_int(st, 7), "nps_n",
		                  (json_int_t)c->ops->col_int(st, 8), "promoters",
		                  (json_int_t)c->ops->col_int(st, 9), "detractors",
		                  (json_int_t)c->ops->col_int(st, 10), "influential",
		                  (json_int_t)c->ops->col_int(st, 11), "engaged",
		                  (json_int_t)c->ops->col_int(st, 12), "health",
		                  /* null: not enough data to score (schema 20) */
		                  c->ops->col_int(st, 14) ? json_real(c->ops->col_real(st, 13))
		                                          : json_null())) != 0) {
			rc = KAM_ENOMEM;
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

int store_workload(struct store_conn *c, int64_t only, const char *today, struct store_workload *w)
{
	struct db_stmt *st;
	struct buf names = {0};
	size_t cap = 0;
	int rc = c->ops->query(
	    c->db,
	    /* one pass over accounts and open actions, grouped by owner: a correlated count per
	     * user scanned every key account once per KAM (0.4 s at 10,000 accounts). Both
	     * passes read indexes alone (migration 043): accounts_owner carries tier and status,
	     * actions_open_owner holds the open actions with their due day */
	    "SELECT u.id, u.name, coalesce(a.keys, 0), coalesce(a.n, 0), coalesce(x.open, 0), "
	    "coalesce(x.overdue, 0) FROM users u "
	    "LEFT JOIN (SELECT owner_id, sum(CASE WHEN tier = 'key' AND status <> 'churned' THEN 1 "
	    "ELSE 0 END) AS keys, count(*) AS n FROM accounts GROUP BY owner_id) a ON "
	    "a.owner_id = u.id "
	    "LEFT JOIN (SELECT owner_id, count(*) AS open, sum(CASE WHEN due_on < ? THEN 1 ELSE 0 "
	    "END) AS overdue FROM actions WHERE status IN ('open', 'in_progress') GROUP BY "
	    "owner_id) x ON x.owner_id = u.id "
	    "WHERE u.role = 'kam' AND u.active = 1 AND (? = 0 OR u.id = ?) "
	    "ORDER BY u.name, u.id",
	    (struct db_val[]){DB_TEXT(today), DB_INT(only), DB_INT(only)}, 3, &st);

	*w = (struct store_workload){0};
	if (rc != KAM_OK)
		return rc;
	/* plain rows and one buffer of names: the thousand KAMs of a large installation cost
	 * two allocations that grow, not a JSON object and its members each */
	while ((rc = c->ops->next(st)) == 1) {
		struct store_workload_row *row =
		    vec_push((void **)&w->rows, &w->n, &cap, sizeof(*w->rows));
		const char *name = c->ops->col_text(st, 1);

		/* users.name is NOT NULL: no text is a read that ran out of memory */
		if (row == NULL || name == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		*row = (struct store_workload_row){c->ops->col_int(st, 0), c->ops->col_int(st, 2),
		                                   c->ops->col_int(st, 3), c->ops->col_int(st, 4),
		                                   c->ops->col_int(st, 5), names.len};
		if ((rc = buf_put(&names, name, strlen(name) + 1)) != KAM_OK)
			break;
	}
	c->ops->done(st);
	if (rc < 0) {
		buf_free(&names);
		store_workload_free(w);
		return rc;
	}
	w->names = names.data;
	return KAM_OK;
}

void store_workload_free(struct store_workload *w)
{
	free(w->rows);
	free(w->names);
	*w = (struct store_workload){0};
}

int store_segment_set(struct store_conn *c, int64_t id, const char *segment)
{
	int rc = sq_run(c,
	                "UPDATE accounts SET segment = ? WHERE id = ? AND coalesce(segment, '') <> "
	                "coalesce(?, '')",
	                (struct db_val[]){DB_TEXT(segment), DB_INT(id), DB_TEXT(segment)}, 3);

	return rc == KAM_OK ? store_derived_changed(c) : rc;
}

int store_segments_clear(struct store_conn *c)
{
	int rc = sq_run(c,
	                "UPDATE accounts SET segment = NULL WHERE tier <> 'key' AND segment IS NOT "
	                "NULL",
	                NULL, 0);

	return rc == KAM_OK ? store_derived_changed(c) : rc;
}
