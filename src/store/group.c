/* Group accounts: the subtree of an account, its ancestors, intra-group revenue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/group.h"
#include "store/internal.h"
#include "util/buf.h"

#define ROW_COLS                                                                                   \
	"a.id, coalesce(a.parent_id, 0), a.owner_id, a.name, coalesce(u.name, ''), "               \
	"a.revenue_12m, CASE WHEN a.health_enough_data = 0 THEN -1 ELSE a.health END, "            \
	"a.group_totals_shared, CASE WHEN a.owner_id = ? THEN 1 ELSE 0 END, CASE WHEN EXISTS "     \
	"(SELECT 1 FROM account_team t WHERE t.account_id = a.id AND t.user_id = ?) THEN 1 ELSE "  \
	"0 END"

static void fill(struct store_conn *c, struct db_stmt *st, struct store_group_row *r)
{
	r->id = c->ops->col_int(st, 0);
	r->parent_id = c->ops->col_int(st, 1);
	r->owner_id = c->ops->col_int(st, 2);
	snprintf(r->name, sizeof(r->name), "%s", c->ops->col_text(st, 3));
	snprintf(r->owner_name, sizeof(r->owner_name), "%s", c->ops->col_text(st, 4));
	r->revenue_12m = c->ops->col_int(st, 5);
	r->health = c->ops->col_real(st, 6);
	r->shared = c->ops->col_int(st, 7) != 0;
	r->mine = c->ops->col_int(st, 8) != 0;
	r->team = c->ops->col_int(st, 9) != 0;
}

int store_group_members(struct store_conn *c, int64_t id, int64_t user,
                        struct store_group_row **rows, size_t *n)
{
	struct db_stmt *st;
	size_t cap = 0;
	/* UNION (not UNION ALL) keeps each account once, so even a cycle ends the recursion */
	int rc = c->ops->query(c->db,
	                       "WITH RECURSIVE g(id) AS (SELECT id FROM accounts WHERE id = ? "
	                       "UNION SELECT a.id FROM accounts a JOIN g ON a.parent_id = g.id) "
	                       "SELECT " ROW_COLS " FROM g JOIN accounts a ON a.id = g.id "
	                       "LEFT JOIN users u ON u.id = a.owner_id ORDER BY a.id",
	                       (struct db_val[]){DB_INT(id), DB_INT(user), DB_INT(user)}, 3, &st);

	*rows = NULL;
	*n = 0;
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct store_group_row *r = vec_push((void **)rows, n, &cap, sizeof(**rows));

		if (r == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		fill(c, st, r);
	}
	c->ops->done(st);
	if (rc < 0) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return rc;
	}
	return KAM_OK;
}

int store_group_ancestors(struct store_conn *c, int64_t id, int64_t user,
                          struct store_group_row **rows, size_t *n)
{
	size_t cap = 0;
	int64_t at = id;
	int rc = KAM_OK;

	*rows = NULL;
	*n = 0;
	/* kam refuses a parent that would close a cycle; the bound keeps a walk over data
	 * written around it finite all the same */
	for (int steps = 0; steps < 10000 && rc == KAM_OK; steps++) {
		struct db_stmt *st;
		int64_t parent = 0;

		rc =
		    c->ops->query(c->db, "SELECT coalesce(parent_id, 0) FROM accounts WHERE id = ?",
		                  (struct db_val[]){DB_INT(at)}, 1, &st);
		if (rc != KAM_OK)
			break;
		if ((rc = c->ops->next(st)) == 1)
			parent = c->ops->col_int(st, 0);
		c->ops->done(st);
		if (rc < 0)
			break;
		rc = KAM_OK;
		if (parent <= 0 || parent == id)
			break;
		for (size_t i = 0; i < *n; i++)
			if ((*rows)[i].id == parent)
				parent = 0;
		if (parent == 0)
			break;
		rc = c->ops->query(
		    c->db,
		    "SELECT " ROW_COLS " FROM accounts a LEFT JOIN users u ON u.id = "
		    "a.owner_id WHERE a.id = ?",
		    (struct db_val[]){DB_INT(user), DB_INT(user), DB_INT(parent)}, 3, &st);
		if (rc != KAM_OK)
			break;
		if ((rc = c->ops->next(st)) == 1) {
			struct store_group_row *r =
			    vec_push((void **)rows, n, &cap, sizeof(**rows));

			if (r == NULL)
				rc = KAM_ENOMEM;
			else
				fill(c, st, r);
		}
		c->ops->done(st);
		if (rc == 0) /* the parent is gone */
			break;
		rc = rc < 0 ? rc : KAM_OK;
		at = parent;
	}
	if (rc < 0) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return rc;
	}
	return KAM_OK;
}

int store_group_intra(struct store_conn *c, const char *from, const char *to,
                      struct store_group_amount **rows, size_t *n)
{
	struct db_stmt *st;
	size_t cap = 0;
	int rc = c->ops->query(c->db,
	                       "SELECT account_id, sum(amount_base) FROM transactions WHERE "
	                       "intra_group = 1 AND booked_on >= ? AND booked_on < ? GROUP BY "
	                       "account_id ORDER BY account_id",
	                       (struct db_val[]){DB_STR(from), DB_STR(to)}, 2, &st);

	*rows = NULL;
	*n = 0;
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		struct store_group_amount *r = vec_push((void **)rows, n, &cap, sizeof(**rows));

		if (r == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		r->account_id = c->ops->col_int(st, 0);
		r->amount = c->ops->col_real(st, 1);
	}
	c->ops->done(st);
	if (rc < 0) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return rc;
	}
	return KAM_OK;
}

int store_group_links(struct store_conn *c, int64_t **ids, int64_t **parents, size_t *n)
{
	struct db_stmt *st;
	size_t cap = 0, cap2 = 0, n2 = 0;
	int rc = c->ops->query(c->db, "SELECT id, coalesce(parent_id, 0) FROM accounts ORDER BY id",
	                       NULL, 0, &st);

	*ids = NULL;
	*parents = NULL;
	*n = 0;
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		int64_t *a = vec_push((void **)ids, n, &cap, sizeof(**ids));
		int64_t *b = vec_push((void **)parents, &n2, &cap2, sizeof(**parents));

		if (a == NULL || b == NULL) {
			rc = KAM_ENOMEM;
			break;
		}
		*a = c->ops->col_int(st, 0);
		*b = c->ops->col_int(st, 1);
	}
	c->ops->done(st);
	if (rc < 0 || n2 != *n) {
		free(*ids);
		free(*parents);
		*ids = NULL;
		*parents = NULL;
		*n = 0;
		return rc < 0 ? rc : KAM_ENOMEM;
	}
	return KAM_OK;
}

#define SUBTREE                                                                                    \
	"WITH RECURSIVE g(id) AS (SELECT id FROM accounts WHERE id = ? UNION SELECT a.id FROM "    \
	"accounts a JOIN g ON a.parent_id = g.id) "

int store_group_sold(struct store_conn *c, int64_t id, const char *since, json_t **items)
{
	/* intra-group rows repeat another entity's purchase: the group counts that one */
	return sq_rows(c,
	               SUBTREE "SELECT t.account_id AS unit_id, t.product_id, "
	                       "CAST(sum(t.amount_base) AS BIGINT) AS revenue FROM transactions t "
	                       "WHERE t.account_id IN (SELECT id FROM g) AND t.booked_on >= ? AND "
	                       "t.product_id IS NOT NULL AND t.intra_group = 0 GROUP BY "
	                       "t.account_id, t.product_id",
	               (struct db_val[]){DB_INT(id), DB_STR(since)}, 2, items);
}

int store_group_open(struct store_conn *c, int64_t id, json_t **items)
{
	return sq_rows(c,
	               SUBTREE "SELECT DISTINCT o.account_id AS unit_id, o.product_id FROM "
	                       "opportunities o WHERE o.account_id IN (SELECT id FROM g) AND "
	                       "o.stage NOT IN ('won', 'lost') AND o.product_id IS NOT NULL",
	               (struct db_val[]){DB_INT(id)}, 1, items);
}

int store_group_pipeline(struct store_conn *c, int64_t id, json_t **items)
{
	return sq_rows(c,
	               SUBTREE "SELECT o.account_id, o.stage, o.amount, o.currency, "
	                       "coalesce(o.probability, -1) AS probability FROM opportunities o "
	                       "WHERE o.account_id IN (SELECT id FROM g) AND o.stage NOT IN "
	                       "('won', 'lost')",
	               (struct db_val[]){DB_INT(id)}, 1, items);
}
