/* My work, the alerts inbox and the global search (store/mywork.h). The SQL is the same on
 * both backends: ? placeholders; the search compares with the backend's ILIKE (db_ops.ilike)
 * and an explicit escape character. */
#include "store/mywork.h"
#include "store/internal.h"

/* col is an account id; the three ? are a user id (0 = no condition): owned or on the team */
#define ACCOUNTS_OF(col)                                                                           \
	" AND (? = 0 OR " col " IN (SELECT id FROM accounts WHERE owner_id = ? UNION SELECT "      \
	"account_id FROM account_team WHERE user_id = ?))"

static int push_user(struct db_val *args, int n, int64_t u)
{
	args[n++] = DB_INT(u);
	args[n++] = DB_INT(u);
	args[n++] = DB_INT(u);
	return n;
}

int store_work_rows(struct store_conn *c, const struct store_work_scope *s, const char *today,
                    const char *until, const char *horizon, int64_t quiet_since, int limit,
                    json_t **out)
{
	/* an action of the owner's accounts, or one the owner holds on an account in scope */
	static const char actions_sql[] =
	    "SELECT x.id, x.account_id, a.name AS account_name, x.plan_id, x.title, x.due_on, "
	    "x.status, x.owner_id, u.name AS owner_name, pr.id AS playbook_run_id, pr.name AS "
	    "playbook_name FROM actions x JOIN accounts a ON a.id = x.account_id LEFT JOIN users "
	    "u ON u.id = x.owner_id LEFT JOIN playbook_run_actions pl ON pl.action_id = x.id LEFT "
	    "JOIN playbook_runs pr ON pr.id = pl.run_id WHERE x.status IN ('open', "
	    "'in_progress') AND x.due_on IS NOT NULL AND x.due_on <= ? AND (? = 0 OR x.owner_id = "
	    "? OR x.account_id IN (SELECT id FROM accounts WHERE owner_id = ? UNION SELECT "
	    "account_id FROM account_team WHERE user_id = ?))" ACCOUNTS_OF(
	        "x.account_id") " ORDER BY x.due_on, x.id LIMIT ?";
	/* the next review set by a plan's latest review, the end of an active plan's period,
	 * an open renewal's expected close */
	static const char dates_sql[] =
	    "SELECT * FROM (SELECT 'review' AS kind, x.id, x.account_id, a.name AS account_name, "
	    "x.next_review_on AS day, p.title AS title FROM reviews x JOIN accounts a ON a.id = "
	    "x.account_id JOIN plans p ON p.id = x.plan_id WHERE p.status = 'active' AND "
	    "x.next_review_on >= ? AND x.next_review_on <= ? AND NOT EXISTS (SELECT 1 FROM "
	    "reviews r2 WHERE r2.plan_id = x.plan_id AND (r2.held_on > x.held_on OR (r2.held_on "
	    "= x.held_on AND r2.id > x.id)))" ACCOUNTS_OF("x.account_id") ACCOUNTS_OF(
	        "x.account_id") " UNION ALL SELECT 'plan_end', p.id, p.account_id, a.name, "
	                        "p.period_end, p.title FROM plans p JOIN accounts a ON a.id = "
	                        "p.account_id WHERE p.status = 'active' AND p.period_end >= ? AND "
	                        "p.period_end <= ?" ACCOUNTS_OF("p.account_id") ACCOUNTS_OF(
	                            "p.account_id") " UNION ALL SELECT 'renewal', o.id, "
	                                            "o.account_id, a.name, o.expected_close_on, "
	                                            "o.name FROM opportunities o JOIN accounts a "
	                                            "ON a.id = o.account_id WHERE o.kind = "
	                                            "'renewal' AND o.stage NOT IN ('won', 'lost') "
	                                            "AND o.expected_close_on >= ? AND "
	                                            "o.expected_close_on <= "
	                                            "?" ACCOUNTS_OF("o.account_id") ACCOUNTS_OF(
	                                                "o.account_id") ") d ORDER BY d.day, "
	                                                                "d.kind, d.id LIMIT ?";
	static const char quiet_sql[] =
	    "SELECT * FROM (SELECT a.id AS account_id, a.name AS account_name, a.owner_id, u.name "
	    "AS owner_name, a.last_interaction_at FROM accounts a JOIN users u ON u.id = "
	    "a.owner_id WHERE "
	    "a.status IN ('active', 'prospect')" ACCOUNTS_OF("a.id") ACCOUNTS_OF(
	        "a.id") ") q WHERE coalesce(q.last_interaction_at, 0) < ? ORDER BY "
	                "coalesce(q.last_interaction_at, 0), q.account_name, q.account_id LIMIT ?";
	struct db_val args[32];
	json_t *res = json_object(), *rows = NULL;
	int n = 0, rc;

	args[n++] = DB_STR(until);
	for (int k = 0; k < 4; k++) /* no owner, the action's owner, owned, on the team */
		args[n++] = DB_INT(s->owner);
	n = push_user(args, n, s->scope);
	args[n++] = DB_INT(limit);
	if ((rc = sq_rows(c, actions_sql, args, n, &rows)) != KAM_OK)
		goto out;
	json_object_set_new(res, "actions", rows);
	n = 0;
	for (int k = 0; k < 3; k++) {
		args[n++] = DB_STR(today);
		args[n++] = DB_STR(horizon);
		n = push_user(args, n, s->owner);
		n = push_user(args, n, s->scope);
	}
	args[n++] = DB_INT(limit);
	if ((rc = sq_rows(c, dates_sql, args, n, &rows)) != KAM_OK)
		goto out;
	json_object_set_new(res, "dates", rows);
	n = push_user(args, 0, s->owner);
	n = push_user(args, n, s->scope);
	args[n++] = DB_INT(quiet_since);
	args[n++] = DB_INT(limit);
	if ((rc = sq_rows(c, quiet_sql, args, n, &rows)) != KAM_OK)
		goto out;
	json_object_set_new(res, "quiet", rows);
	*out = res;
	res = NULL;
out:
	json_decref(res);
	return rc;
}

int store_work_alerts(struct store_conn *c, const struct store_work_scope *s, bool with_kam,
                      const char *state, const char *severity, const char *rule, int limit,
                      json_t **out)
{
	static const char sql[] =
	    "SELECT x.id, x.account_id, x.user_id, x.rule, x.severity, x.evidence, x.state, "
	    "x.snoozed_until, x.opened_at, x.version, a.name AS account_name, coalesce(a.owner_id, "
	    "x.user_id) AS owner_id, u.name AS owner_name, coalesce(a.revenue_12m, 0) AS "
	    "revenue_12m FROM alerts x LEFT JOIN accounts a ON a.id = x.account_id LEFT JOIN users "
	    "u ON u.id = coalesce(a.owner_id, x.user_id) WHERE (? = '' OR x.state = ?) AND (? = '' "
	    "OR x.severity = ?) AND (? = '' OR x.rule = ?) AND ((x.account_id IS NOT "
	    "NULL" ACCOUNTS_OF("x.account_id") ACCOUNTS_OF(
	        "x.account_id") ") OR (x.account_id IS NULL AND ? <> 0 AND (? = 0 OR x.user_id = "
	                        "?) "
	                        "AND (? = 0 OR x.user_id = ?))) ORDER BY x.opened_at DESC, x.id "
	                        "DESC LIMIT ?";
	struct db_val args[24];
	int n = 0;

	args[n++] = DB_STR(state ? state : "");
	args[n++] = DB_STR(state ? state : "");
	args[n++] = DB_STR(severity ? severity : "");
	args[n++] = DB_STR(severity ? severity : "");
	args[n++] = DB_STR(rule ? rule : "");
	args[n++] = DB_STR(rule ? rule : "");
	n = push_user(args, n, s->owner);
	n = push_user(args, n, s->scope);
	args[n++] = DB_INT(with_kam ? 1 : 0);
	args[n++] = DB_INT(s->owner);
	args[n++] = DB_INT(s->owner);
	args[n++] = DB_INT(s->scope);
	args[n++] = DB_INT(s->scope);
	args[n++] = DB_INT(limit);
	return sq_rows(c, sql, args, n, out);
}

int store_search(struct store_conn *c, int64_t scope, const char *text, int limit, json_t **out)
{
	/* %s: the backend's case-insensitive LIKE, the operator lists use (ILIKE folds
	 * non-ASCII letters on PostgreSQL, where lower() LIKE a pattern lowered in C did not) */
	static const struct {
		const char *key, *sql;
		int npat;
	} q[] = {
	    {"accounts",
	     "SELECT a.id, a.name, a.status, a.owner_id FROM accounts a WHERE a.name %s ? "
	     "ESCAPE '\\'" ACCOUNTS_OF("a.id") " ORDER BY a.name, a.id LIMIT ?",
	     1},
	    {"contacts",
	     "SELECT x.id, x.account_id, a.name AS account_name, x.name, x.title, x.email FROM "
	     "contacts x JOIN accounts a ON a.id = x.account_id WHERE (x.name %s ? ESCAPE "
	     "'\\' OR coalesce(x.email, '') %s ? ESCAPE '\\')" ACCOUNTS_OF(
	         "x.account_id") " ORDER BY x.name, x.id LIMIT ?",
	     2},
	    {"actions",
	     "SELECT x.id, x.account_id, a.name AS account_name, x.plan_id, x.title, x.due_on, "
	     "x.status FROM actions x JOIN accounts a ON a.id = x.account_id WHERE x.title "
	     "%s ? ESCAPE '\\'" ACCOUNTS_OF("x.account_id") " ORDER BY x.title, x.id LIMIT ?",
	     1},
	    {"opportunities",
	     "SELECT x.id, x.account_id, a.name AS account_name, x.name, x.stage, x.amount, "
	     "x.currency FROM opportunities x JOIN accounts a ON a.id = x.account_id WHERE "
	     "x.name %s ? ESCAPE '\\'" ACCOUNTS_OF("x.account_id") " ORDER BY x.name, x.id LIMIT ?",
	     1},
	};
	const char *op = c->ops->ilike;
	char pattern[600], sql[1024];
	json_t *res = json_object();
	int rc = KAM_OK;

	store_like_pattern(text, pattern, sizeof(pattern));
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]) && rc == KAM_OK; i++) {
		struct db_val args[8];
		json_t *rows = NULL;
		int n = 0;

		/* the templates' only conversions are the operator's, npat of them */
		if (q[i].npat == 2)
			snprintf(sql, sizeof(sql), q[i].sql, op, op);
		else
			snprintf(sql, sizeof(sql), q[i].sql, op);
		for (int k = 0; k < q[i].npat; k++)
			args[n++] = DB_STR(pattern);
		n = push_user(args, n, scope);
		args[n++] = DB_INT(limit);
		if ((rc = sq_rows(c, sql, args, n, &rows)) == KAM_OK)
			json_object_set_new(res, q[i].key, rows);
	}
	if (rc != KAM_OK) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return KAM_OK;
}
