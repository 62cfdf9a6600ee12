#include "kam/date.h"
#include "store/calendar.h"
#include <stdio.h>
#include "store/internal.h"
#include "util/time.h"
#include "util/utf8.h"

int store_calendar_set(struct store_conn *c, int64_t user_id, const char *token_hash, int64_t now)
{
	return sq_run(
	    c,
	    "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?) "
	    "ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, "
	    "created_at = excluded.created_at",
	    (struct db_val[]){DB_INT(user_id), DB_TEXT(token_hash), DB_INT(now)}, 3);
}

int store_calendar_get(struct store_conn *c, int64_t user_id, int64_t *created_at)
{
	return sq_int(c, "SELECT created_at FROM calendar_feeds WHERE user_id = ?",
	              (struct db_val[]){DB_INT(user_id)}, 1, created_at);
}

int store_calendar_revoke(struct store_conn *c, int64_t user_id)
{
	int rc = sq_run(c, "DELETE FROM calendar_feeds WHERE user_id = ?",
	                (struct db_val[]){DB_INT(user_id)}, 1);

	if (rc == KAM_OK && c->ops->changes(c->db) == 0)
		rc = KAM_ENOTFOUND;
	return rc;
}

int store_calendar_user(struct store_conn *c, const char *token_hash, struct store_auth *out)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db,
	                       "SELECT u.id, u.role, u.name FROM calendar_feeds f JOIN users u ON "
	                       "u.id = f.user_id WHERE f.token_hash = ? AND u.active <> 0",
	                       (struct db_val[]){DB_TEXT(token_hash)}, 1, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1) {
		*out = (struct store_auth){.user_id = c->ops->col_int(st, 0), .active = true};
		snprintf(out->role, sizeof(out->role), "%s", c->ops->col_text(st, 1));
		/* cut whole to a character: it names the feed, which must stay UTF-8 */
		utf8_copy(out->name, sizeof(out->name), c->ops->col_text(st, 2));
		rc = KAM_OK;
	} else if (rc == 0) {
		rc = KAM_ENOTFOUND;
	}
	c->ops->done(st);
	return rc;
}

/* x is the row's alias; the three ? are the scope user (0 = every account). */
#define SCOPE(x)                                                                                   \
	" AND (? = 0 OR " x ".account_id IN (SELECT id FROM accounts WHERE owner_id = ? UNION "    \
	"SELECT account_id FROM account_team WHERE user_id = ?))"

int store_calendar_rows(struct store_conn *c, int64_t scope_user, const char *since, int limit,
                        json_t **out)
{
	char midnight[32];
	int64_t since_t = 0;
	/* each query's placeholders: since (as date text or, for cases, Unix seconds) nsince
	 * times, the three scope ones, the limit */
	static const struct {
		const char *key, *sql;
		int nsince;
	} q[] = {
	    {"actions",
	     "SELECT x.id, x.account_id, a.name AS account_name, x.due_on, x.title, x.status, "
	     "p.title AS plan_title FROM actions x JOIN accounts a ON a.id = x.account_id JOIN "
	     "plans p ON p.id = x.plan_id WHERE x.status IN ('open', 'in_progress') AND x.due_on "
	     "IS NOT NULL AND x.due_on >= ?" SCOPE("x") " ORDER BY x.due_on, x.id LIMIT ?",
	     1},
	    /* held or scheduled reviews, and the next review the latest one of a plan set */
	    {"reviews",
	     "SELECT x.id, x.account_id, a.name AS account_name, x.held_on, CASE WHEN NOT EXISTS "
	     "(SELECT 1 FROM reviews r2 WHERE r2.plan_id = x.plan_id AND (r2.held_on > x.held_on "
	     "OR (r2.held_on = x.held_on AND r2.id > x.id))) THEN x.next_review_on END AS "
	     "next_review_on, x.kind, p.title AS plan_title FROM reviews x JOIN accounts a ON "
	     "a.id = x.account_id JOIN plans p ON p.id = x.plan_id WHERE (x.held_on >= ? OR "
	     "x.next_review_on >= ?)" SCOPE("x") " ORDER BY x.held_on, x.id LIMIT ?",
	     2},
	    {"renewals",
	     "SELECT x.id, x.account_id, a.name AS account_name, x.expected_close_on, x.name, "
	     "x.amount, x.currency, x.stage FROM opportunities x JOIN accounts a ON a.id = "
	     "x.account_id WHERE x.kind = 'renewal' AND x.stage NOT IN ('won', 'lost') AND "
	     "x.expected_close_on IS NOT NULL AND x.expected_close_on >= ?" SCOPE(
	         "x") " ORDER BY x.expected_close_on, x.id LIMIT ?",
	     1},
	    {"cases",
	     "SELECT x.id, x.account_id, a.name AS account_name, x.opened_at, x.severity, "
	     "x.title, x.status FROM cases x JOIN accounts a ON a.id = x.account_id WHERE "
	     "x.status IN ('open', 'in_progress') AND x.opened_at >= ?" SCOPE(
	         "x") " ORDER BY x.opened_at, x.id LIMIT ?",
	     -1},
	};
	json_t *res;
	int rc = KAM_OK;

	snprintf(midnight, sizeof(midnight), "%.10sT00:00:00Z", since);
	if (date_parse_time(midnight, &since_t) != KAM_OK)
		return KAM_EINVAL;
	res = json_object();
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]) && rc == KAM_OK; i++) {
		struct db_val args[6];
		json_t *rows = NULL;
		int n = 0;

		if (q[i].nsince < 0)
			args[n++] = DB_INT(since_t);
		for (int k = 0; k < q[i].nsince; k++)
			args[n++] = DB_TEXT(since);
		args[n++] = DB_INT(scope_user);
		args[n++] = DB_INT(scope_user);
		args[n++] = DB_INT(scope_user);
		args[n++] = DB_INT(limit);
		rc = sq_rows(c, q[i].sql, args, n, &rows);
		if (rc == KAM_OK)
			json_object_set_new(res, q[i].key, rows);
	}
	if (rc != KAM_OK) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return KAM_OK;
}
