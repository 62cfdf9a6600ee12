/* Playbooks, their steps and runs (store/playbook.h). */
#include <stdio.h>
#include <string.h>
#include "store/internal.h"
#include "store/playbook.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A stored playbook row as it goes out: trigger nested, flags as booleans. */
static json_t *playbook_out(json_t *row, json_t *steps)
{
	json_t *t =
	    json_pack("{s:O,s:O,s:O,s:b,s:b}", "kind", json_object_get(row, "trigger_kind"), "rule",
	              json_object_get(row, "trigger_rule"), "days_before",
	              json_object_get(row, "trigger_days"), "key_accounts_only",
	              json_integer_value(json_object_get(row, "key_accounts_only")) != 0,
	              "auto_start", json_integer_value(json_object_get(row, "auto_start")) != 0);

	json_object_set_new(row, "enabled",
	                    json_boolean(json_integer_value(json_object_get(row, "enabled")) != 0));
	json_object_set_new(row, "trigger", t);
	json_object_del(row, "trigger_kind");
	json_object_del(row, "trigger_rule");
	json_object_del(row, "trigger_days");
	json_object_del(row, "key_accounts_only");
	json_object_del(row, "auto_start");
	json_object_set(row, "steps", steps);
	return row;
}

int store_playbooks(struct store_conn *c, int64_t id, json_t **out)
{
	json_t *rows = NULL, *steps = NULL, *row, *s;
	size_t i, j;
	int rc;

	*out = NULL;
	rc = sq_rows(c,
	             "SELECT id, name, description, enabled, trigger_kind, trigger_rule, "
	             "trigger_days, key_accounts_only, auto_start, version, created_at, updated_at "
	             "FROM playbooks WHERE (? = 0 OR id = ?) ORDER BY id",
	             (struct db_val[]){DB_INT(id), DB_INT(id)}, 2, &rows);
	if (rc != KAM_OK)
		return rc;
	if (id && json_array_size(rows) == 0) {
		json_decref(rows);
		return KAM_ENOTFOUND;
	}
	rc =
	    sq_rows(c,
	            "SELECT playbook_id, position, title, owner_role, offset_days, objective_title "
	            "FROM playbook_steps WHERE (? = 0 OR playbook_id = ?) ORDER BY playbook_id, "
	            "position",
	            (struct db_val[]){DB_INT(id), DB_INT(id)}, 2, &steps);
	if (rc != KAM_OK) {
		json_decref(rows);
		return rc;
	}
	json_array_foreach(rows, i, row)
	{
		json_t *mine = json_array();
		int64_t pid = json_integer_value(json_object_get(row, "id"));

		json_array_foreach(steps, j, s)
		{
			if (json_integer_value(json_object_get(s, "playbook_id")) == pid) {
				json_t *x = json_deep_copy(s);

				json_object_del(x, "playbook_id");
				json_array_append_new(mine, x);
			}
		}
		playbook_out(row, mine);
		json_decref(mine);
	}
	json_decref(steps);
	*out = rows;
	return KAM_OK;
}

static int put_steps(struct store_conn *c, int64_t id, const json_t *steps)
{
	json_t *s;
	size_t i;
	int rc = sq_run(c, "DELETE FROM playbook_steps WHERE playbook_id = ?",
	                (struct db_val[]){DB_INT(id)}, 1);

	json_array_foreach(steps, i, s)
	{
		if (rc != KAM_OK)
			break;
		rc = sq_run(
		    c,
		    "INSERT INTO playbook_steps (playbook_id, position, title, owner_role, "
		    "offset_days, objective_title) VALUES (?, ?, ?, ?, ?, ?)",
		    (struct db_val[]){DB_INT(id), DB_INT((int64_t)i + 1), DB_TEXT(str(s, "title")),
		                      DB_TEXT(str(s, "owner_role")),
		                      DB_INT(json_integer_value(json_object_get(s, "offset_days"))),
		                      DB_TEXT(str(s, "objective_title"))},
		    6);
	}
	return rc;
}

/* The trigger's columns: kind, rule, days (NULL unless set), key only, auto start. */
#define TRIGGER_ARGS(t)                                                                            \
	DB_TEXT(str(t, "kind")), DB_TEXT(str(t, "rule")),                                          \
	    json_is_integer(json_object_get(t, "days_before"))                                     \
	        ? DB_INT(json_integer_value(json_object_get(t, "days_before")))                    \
	        : DB_NULL,                                                                         \
	    DB_INT(json_is_true(json_object_get(t, "key_accounts_only"))),                         \
	    DB_INT(json_is_true(json_object_get(t, "auto_start")))

int store_playbook_insert(struct store_conn *c, const json_t *pb, int64_t now, int64_t *id)
{
	const json_t *t = json_object_get(pb, "trigger");
	int rc = sq_int(c,
	                "INSERT INTO playbooks (name, description, enabled, trigger_kind, "
	                "trigger_rule, trigger_days, key_accounts_only, auto_start, created_at, "
	                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	                (struct db_val[]){DB_TEXT(str(pb, "name")), DB_TEXT(str(pb, "description")),
	                                  DB_INT(json_is_true(json_object_get(pb, "enabled"))),
	                                  TRIGGER_ARGS(t), DB_INT(now), DB_INT(now)},
	                10, id);

	return rc == KAM_OK ? put_steps(c, *id, json_object_get(pb, "steps")) : rc;
}

int store_playbook_update(struct store_conn *c, int64_t id, const json_t *pb, int64_t want,
                          int64_t now)
{
	const json_t *t = json_object_get(pb, "trigger");
	int64_t v = 0;
	int rc = sq_int(c, "SELECT version FROM playbooks WHERE id = ?",
	                (struct db_val[]){DB_INT(id)}, 1, &v);

	if (rc != KAM_OK)
		return rc;
	if (want >= 0 && v != want)
		return KAM_ESTALE;
	rc =
	    sq_run(c,
	           "UPDATE playbooks SET name = ?, description = ?, enabled = ?, trigger_kind = ?, "
	           "trigger_rule = ?, trigger_days = ?, key_accounts_only = ?, auto_start = ?, "
	           "updated_at = ?, version = version + 1 WHERE id = ?",
	           (struct db_val[]){DB_TEXT(str(pb, "name")), DB_TEXT(str(pb, "description")),
	                             DB_INT(json_is_true(json_object_get(pb, "enabled"))),
	                             TRIGGER_ARGS(t), DB_INT(now), DB_INT(id)},
	           10);
	return rc == KAM_OK ? put_steps(c, id, json_object_get(pb, "steps")) : rc;
}

int store_playbook_delete(struct store_conn *c, int64_t id)
{
	int64_t n = 0;
	int rc = sq_int(c, "SELECT count(*) FROM playbooks WHERE id = ?",
	                (struct db_val[]){DB_INT(id)}, 1, &n);

	if (rc == KAM_OK && n == 0)
		return KAM_ENOTFOUND;
	return rc == KAM_OK ? sq_run(c, "DELETE FROM playbooks WHERE id = ?",
	                             (struct db_val[]){DB_INT(id)}, 1)
	                    : rc;
}

int store_run_find(struct store_conn *c, int64_t playbook_id, int64_t account_id,
                   const char *trigger_key, int64_t *id)
{
	return sq_int(
	    c,
	    "SELECT id FROM playbook_runs WHERE playbook_id = ? AND account_id = ? AND "
	    "trigger_key = ?",
	    (struct db_val[]){DB_INT(playbook_id), DB_INT(account_id), DB_STR(trigger_key)}, 3, id);
}

#define ID_OR_NULL(x) ((x) > 0 ? DB_INT(x) : DB_NULL)

int store_run_insert(struct store_conn *c, const struct store_run *r, int64_t now, int64_t *id)
{
	return sq_int(
	    c,
	    "INSERT INTO playbook_runs (playbook_id, playbook_version, name, account_id, "
	    "plan_id, started_on, trigger_kind, trigger_key, alert_id, review_id, "
	    "started_by, why, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?) RETURNING id",
	    (struct db_val[]){ID_OR_NULL(r->playbook_id), DB_INT(r->version), DB_STR(r->name),
	                      DB_INT(r->account_id), ID_OR_NULL(r->plan_id), DB_STR(r->started_on),
	                      DB_STR(r->trigger_kind), DB_STR(r->trigger_key),
	                      ID_OR_NULL(r->alert_id), ID_OR_NULL(r->review_id),
	                      ID_OR_NULL(r->started_by), DB_STR(r->why), DB_INT(now), DB_INT(now)},
	    14, id);
}

int store_run_link(struct store_conn *c, int64_t run_id, int64_t action_id, int position)
{
	return sq_run(
	    c,
	    "INSERT INTO playbook_run_actions (run_id, action_id, position) VALUES (?, ?, "
	    "?)",
	    (struct db_val[]){DB_INT(run_id), DB_INT(action_id), DB_INT(position)}, 3);
}

int store_run_open_count(struct store_conn *c, int64_t playbook_id, int64_t account_id, int64_t *n)
{
	return sq_int(c,
	              "SELECT count(DISTINCT r.id) FROM playbook_runs r JOIN playbook_run_actions "
	              "l ON l.run_id = r.id JOIN actions x ON x.id = l.action_id WHERE "
	              "r.playbook_id = ? AND r.account_id = ? AND x.status IN ('open', "
	              "'in_progress')",
	              (struct db_val[]){DB_INT(playbook_id), DB_INT(account_id)}, 2, n);
}

int store_runs(struct store_conn *c, const struct store_run_query *q, json_t **out)
{
	static const char sql[] =
	    "SELECT r.id, r.playbook_id, r.playbook_version, r.name, r.account_id, a.name AS "
	    "account_name, a.owner_id AS account_owner_id, r.plan_id, p.title AS plan_title, "
	    "r.started_on, r.trigger_kind, r.alert_id, r.review_id, r.started_by, u.name AS "
	    "started_by_name, r.why, r.created_at, "
	    "(SELECT count(*) FROM playbook_run_actions l WHERE l.run_id = r.id) AS total, "
	    "(SELECT count(*) FROM playbook_run_actions l JOIN actions x ON x.id = l.action_id "
	    "WHERE l.run_id = r.id AND x.status = 'done') AS done, "
	    "(SELECT count(*) FROM playbook_run_actions l JOIN actions x ON x.id = l.action_id "
	    "WHERE l.run_id = r.id AND x.status = 'cancelled') AS cancelled, "
	    "(SELECT count(*) FROM playbook_run_actions l JOIN actions x ON x.id = l.action_id "
	    "WHERE l.run_id = r.id AND x.status IN ('open', 'in_progress')) AS open, "
	    "(SELECT count(*) FROM playbook_run_actions l JOIN actions x ON x.id = l.action_id "
	    "WHERE l.run_id = r.id AND x.status IN ('open', 'in_progress') AND x.due_on < ?) AS "
	    "overdue, "
	    "(SELECT max(x.due_on) FROM playbook_run_actions l JOIN actions x ON x.id = "
	    "l.action_id WHERE l.run_id = r.id) AS due_on "
	    "FROM playbook_runs r JOIN accounts a ON a.id = r.account_id LEFT JOIN plans p ON "
	    "p.id = r.plan_id LEFT JOIN users u ON u.id = r.started_by WHERE (? = 0 OR r.id = ?) "
	    "AND (? = 0 OR r.account_id = ?) AND (? = 0 OR a.owner_id = ? OR EXISTS (SELECT 1 "
	    "FROM playbook_run_actions l JOIN actions x ON x.id = l.action_id WHERE l.run_id = "
	    "r.id AND x.owner_id = ?)) AND (? = 0 OR r.account_id IN (SELECT id FROM accounts "
	    "WHERE owner_id = ? UNION SELECT account_id FROM account_team WHERE user_id = ?)) "
	    "ORDER BY r.id DESC LIMIT ?";
	return sq_rows(c, sql,
	               (struct db_val[]){DB_STR(q->today), DB_INT(q->id), DB_INT(q->id),
	                                 DB_INT(q->account_id), DB_INT(q->account_id),
	                                 DB_INT(q->owner_id), DB_INT(q->owner_id),
	                                 DB_INT(q->owner_id), DB_INT(q->scope), DB_INT(q->scope),
	                                 DB_INT(q->scope), DB_INT(q->limit > 0 ? q->limit : 500)},
	               12, out);
}

int store_run_steps(struct store_conn *c, int64_t run_id, json_t **out)
{
	return sq_rows(c,
	               "SELECT x.id, l.position, x.title, x.owner_id, u.name AS owner_name, "
	               "x.due_on, x.status, x.done_on, x.objective_id, o.title AS objective_title "
	               "FROM playbook_run_actions l JOIN actions x ON x.id = l.action_id LEFT JOIN "
	               "users u ON u.id = x.owner_id LEFT JOIN objectives o ON o.id = "
	               "x.objective_id WHERE l.run_id = ? ORDER BY l.position",
	               (struct db_val[]){DB_INT(run_id)}, 1, out);
}

int store_role_user(struct store_conn *c, int64_t account_id, const char *role, int64_t *user)
{
	int rc;

	*user = 0;
	if (!strcmp(role, "kam"))
		rc = sq_int(c,
		            "SELECT a.owner_id FROM accounts a JOIN users u ON u.id = a.owner_id "
		            "WHERE a.id = ? AND u.active = 1",
		            (struct db_val[]){DB_INT(account_id)}, 1, user);
	else if (!strcmp(role, "director"))
		rc = sq_int(
		    c,
		    "SELECT id FROM users WHERE role = 'director' AND active = 1 ORDER BY id "
		    "LIMIT 1",
		    NULL, 0, user);
	else
		rc = sq_int(c,
		            "SELECT t.user_id FROM account_team t JOIN users u ON u.id = t.user_id "
		            "WHERE t.account_id = ? AND t.role = ? AND u.active = 1 AND u.role <> "
		            "'viewer' ORDER BY t.user_id LIMIT 1",
		            (struct db_val[]){DB_INT(account_id), DB_STR(role)}, 2, user);
	return rc == KAM_ENOTFOUND ? KAM_OK : rc;
}

int store_playbook_alerts(struct store_conn *c, json_t **out)
{
	return sq_rows(
	    c,
	    "SELECT a.id AS alert_id, a.account_id, a.rule, a.evidence, a.opened_at, p.id AS "
	    "playbook_id FROM alerts a JOIN playbooks p ON p.trigger_kind = 'alert' AND "
	    "p.trigger_rule = a.rule AND p.enabled = 1 AND p.auto_start = 1 JOIN accounts ac ON "
	    "ac.id = a.account_id WHERE a.state <> 'resolved' AND (p.key_accounts_only = 0 OR "
	    "ac.tier = 'key') AND NOT EXISTS (SELECT 1 FROM playbook_runs r WHERE r.playbook_id = "
	    "p.id AND r.account_id = a.account_id AND r.trigger_key = 'alert:' || CAST(a.id AS "
	    "TEXT)) ORDER BY a.id, p.id",
	    NULL, 0, out);
}

int store_playbook_reviews(struct store_conn *c, const char *today, json_t **out)
{
	return sq_rows(
	    c,
	    "SELECT p.id AS playbook_id, p.trigger_days AS days_before, x.id AS review_id, "
	    "x.plan_id, x.account_id, x.next_review_on FROM reviews x JOIN plans pl ON pl.id = "
	    "x.plan_id JOIN accounts ac ON ac.id = x.account_id JOIN playbooks p ON "
	    "p.trigger_kind = 'review' AND p.enabled = 1 AND p.auto_start = 1 WHERE pl.status = "
	    "'active' AND x.next_review_on >= ? AND (p.key_accounts_only = 0 OR ac.tier = 'key') "
	    "AND NOT EXISTS (SELECT 1 FROM reviews r2 WHERE r2.plan_id = x.plan_id AND (r2.held_on "
	    "> x.held_on OR (r2.held_on = x.held_on AND r2.id > x.id))) ORDER BY x.id, p.id",
	    (struct db_val[]){DB_STR(today)}, 1, out);
}

int store_why_rows(struct store_conn *c, const char *rule, int64_t account_id, int64_t user_id,
                   int64_t survey_id, const char *today, json_t **out)
{
	const char *sql = NULL;
	struct db_val args[2] = {DB_INT(account_id), DB_NULL};
	int n = 1;

	if (!strcmp(rule, "sla_breach"))
		sql = "SELECT 'case' AS kind, id, title AS label, severity, opened_at AS at FROM "
		      "cases WHERE account_id = ? AND status IN ('open', 'in_progress') ORDER BY "
		      "opened_at, id LIMIT 20";
	else if (!strcmp(rule, "overdue_action")) {
		sql = "SELECT 'action' AS kind, id, title AS label, due_on AS on_day FROM actions "
		      "WHERE account_id = ? AND status IN ('open', 'in_progress') AND due_on < ? "
		      "ORDER BY due_on, id LIMIT 20";
		args[n++] = DB_STR(today);
	} else if (!strcmp(rule, "detractor")) {
		sql = "SELECT 'survey' AS kind, id, 'NPS ' || CAST(score AS TEXT) AS label, "
		      "answered_on AS on_day FROM surveys WHERE account_id = ? AND id = ?";
		args[n++] = DB_INT(survey_id);
	} else if (!strcmp(rule, "renewal_risk"))
		sql =
		    "SELECT 'opportunity' AS kind, id, name AS label, expected_close_on AS on_day, "
		    "stage FROM opportunities WHERE account_id = ? AND kind = 'renewal' AND stage "
		    "NOT IN ('won', 'lost') ORDER BY expected_close_on, id LIMIT 20";
	else if (!strcmp(rule, "no_interaction"))
		sql =
		    "SELECT 'interaction' AS kind, id, kind AS label, occurred_at AS at FROM "
		    "interactions WHERE account_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1";
	else if (!strcmp(rule, "single_threaded"))
		sql =
		    "SELECT 'contact' AS kind, id, name AS label, attitude, last_contacted_at AS "
		    "at "
		    "FROM contacts WHERE account_id = ? AND influence >= 4 ORDER BY name, id LIMIT "
		    "20";
	else if (!strcmp(rule, "plan_review_overdue"))
		sql = "SELECT 'review' AS kind, x.id, p.title AS label, x.next_review_on AS on_day "
		      "FROM reviews x JOIN plans p ON p.id = x.plan_id WHERE x.account_id = ? AND "
		      "p.status = 'active' ORDER BY x.held_on DESC, x.id DESC LIMIT 1";
	else if (!strcmp(rule, "kam_over_capacity")) {
		sql = "SELECT 'account' AS kind, id, name AS label FROM accounts WHERE ? = 0 AND "
		      "owner_id = ? AND tier = 'key' AND status = 'active' ORDER BY id LIMIT 50";
		args[0] = DB_INT(0);
		args[n++] = DB_INT(user_id);
	}
	if (sql == NULL) {
		*out = json_array();
		return *out ? KAM_OK : KAM_ENOMEM;
	}
	return sq_rows(c, sql, args, n, out);
}

int store_active_plan(struct store_conn *c, int64_t account_id, int64_t *plan_id)
{
	return sq_int(c,
	              "SELECT id FROM plans WHERE account_id = ? AND status = 'active' ORDER BY "
	              "period_start DESC, id DESC LIMIT 1",
	              (struct db_val[]){DB_INT(account_id)}, 1, plan_id);
}

int store_plan_objective(struct store_conn *c, int64_t plan_id, const char *title, int64_t *id)
{
	return sq_int(
	    c, "SELECT id FROM objectives WHERE plan_id = ? AND title = ? ORDER BY id LIMIT 1",
	    (struct db_val[]){DB_INT(plan_id), DB_STR(title)}, 2, id);
}

int store_alert_runs(struct store_conn *c, int64_t alert_id, json_t **out)
{
	return sq_rows(
	    c,
	    "SELECT id, name, playbook_id, account_id FROM playbook_runs WHERE alert_id = "
	    "? ORDER BY id",
	    (struct db_val[]){DB_INT(alert_id)}, 1, out);
}

int store_run_count_manual(struct store_conn *c, int64_t playbook_id, int64_t account_id,
                           int64_t *n)
{
	return sq_int(c,
	              "SELECT count(*) FROM playbook_runs WHERE playbook_id = ? AND account_id = ? "
	              "AND trigger_kind = 'manual'",
	              (struct db_val[]){DB_INT(playbook_id), DB_INT(account_id)}, 2, n);
}
