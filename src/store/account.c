/* Account access, account teams and the audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "store/internal.h"
#include "util/time.h"
#include "util/buf.h"

int store_account_access(struct store_conn *c, int64_t account_id, int64_t user_id,
			 bool *owner, bool *on_team)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db,
			       "SELECT owner_id = ?, EXISTS (SELECT 1 FROM account_team WHERE "
			       "account_id = a.id AND user_id = ?) FROM accounts a WHERE id = ?",
			       (struct db_val[]){DB_INT(user_id), DB_INT(user_id), DB_INT(account_id)},
			       3, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1) {
		*owner = c->ops->col_int(st, 0) != 0;
		*on_team = c->ops->col_int(st, 1) != 0;
		rc = KAM_OK;
	} else if (rc == 0) {
		rc = KAM_ENOTFOUND;
	}
	c->ops->done(st);
	return rc;
}

int store_team_list(struct store_conn *c, int64_t account_id, json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(c->db,
			       "SELECT t.user_id, u.name, u.email, t.role, t.created_at FROM "
			       "account_team t JOIN users u ON u.id = t.user_id WHERE "
			       "t.account_id = ? ORDER BY u.name, t.user_id",
			       (struct db_val[]){DB_INT(account_id)}, 1, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1) {
		char ts[32];

		time_rfc3339(c->ops->col_int(st, 4), ts, sizeof(ts));
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s}", "user_id",
						     (json_int_t)c->ops->col_int(st, 0), "name",
						     c->ops->col_text(st, 1), "email",
						     c->ops->col_text(st, 2), "role",
						     c->ops->col_text(st, 3), "added_at", ts));
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}

int store_team_put(struct store_conn *c, int64_t account_id, int64_t user_id, const char *role,
		   int64_t now, bool *created)
{
	int rc = sq_run(c, "UPDATE account_team SET role = ? WHERE account_id = ? AND user_id = ?",
			(struct db_val[]){DB_TEXT(role), DB_INT(account_id), DB_INT(user_id)}, 3);

	if (rc != KAM_OK)
		return rc;
	*created = c->ops->changes(c->db) == 0;
	if (*created)
		rc = sq_run(c,
			    "INSERT INTO account_team (account_id, user_id, role, created_at) "
			    "VALUES (?, ?, ?, ?)",
			    (struct db_val[]){DB_INT(account_id), DB_INT(user_id), DB_TEXT(role),
					      DB_INT(now)},
			    4);
	return rc;
}

int store_team_delete(struct store_conn *c, int64_t account_id, int64_t user_id)
{
	int rc = sq_run(c, "DELETE FROM account_team WHERE account_id = ? AND user_id = ?",
			(struct db_val[]){DB_INT(account_id), DB_INT(user_id)}, 2);

	if (rc == KAM_OK && c->ops->changes(c->db) == 0)
		rc = KAM_ENOTFOUND;
	return rc;
}

/* Audited events that change nothing a report reads: they must not move the data version,
 * or every login would empty the KPI caches and the rollup in memory on every node. Any
 * event not listed counts as a data change (a stale report is worse than a reload). */
static bool audit_only(const char *entity, const char *action)
{
	static const struct {
		const char *entity, *action; /* action NULL: every action on the entity */
	} only[] = {
	    {"user", "login"},       {"user", "password"}, {"api_token", NULL},
	    {"calendar_feed", NULL}, {"account", "share"}, {"account", "unshare"},
	    {"contact", "export"},   {"alert", NULL},      {"import", "queue"},
	    {"user", "invite"},      {"user", "accept_invitation"}, {"user", "password_reset"},
	    /* the client workspace's own records (issue 19): no KPI counts them */
	    {"client_member", NULL}, {"workspace_comment", NULL}, {"survey_request", NULL},
	};

	for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++)
		if (strcmp(entity, only[i].entity) == 0 &&
		    (only[i].action == NULL || strcmp(action, only[i].action) == 0))
			return true;
	return false;
}

int store_audit_add(struct store_conn *c, int64_t user_id, const char *action, const char *entity,
                    int64_t entity_id, const json_t *before, const json_t *after, int64_t now)
{
	return store_audit_add_by(c, user_id, 0, action, entity, entity_id, before, after, now);
}

int store_audit_add_by(struct store_conn *c, int64_t user_id, int64_t member_id,
                       const char *action, const char *entity, int64_t entity_id,
                       const json_t *before, const json_t *after, int64_t now)
{
	char *b = before ? buf_json(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? buf_json(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	/* an audit row without the change it records is worse than no change */
	int rc =
	    (before && !b) || (after && !a)
	        ? KAM_ENOMEM
	        : sq_run(
	              c,
	              "INSERT INTO audit (at, user_id, action, entity, entity_id, before, after, "
	              "member_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	              (struct db_val[]){DB_INT(now), user_id > 0 ? DB_INT(user_id) : DB_NULL,
	                                DB_TEXT(action), DB_TEXT(entity),
	                                entity_id > 0 ? DB_INT(entity_id) : DB_NULL, DB_TEXT(b),
	                                DB_TEXT(a), member_id > 0 ? DB_INT(member_id) : DB_NULL},
	              8);

	free(b);
	free(a);
	/* every audited data change moves the data version: caches of reports key on it */
	if (rc == KAM_OK && !audit_only(entity, action))
		rc = store_settings_bump(c, "data_version");
	return rc;
}

int store_settings_bump(struct store_conn *c, const char *key)
{
	return sq_run(c,
		      "INSERT INTO settings (key, value, created_at, updated_at) VALUES "
		      "(?, '', 0, 0) ON CONFLICT (key) DO UPDATE SET version = settings.version + 1",
		      (struct db_val[]){DB_TEXT(key)}, 1);
}

int store_derived_changed(struct store_conn *c)
{
	if (c->ops->changes(c->db) <= 0)
		return KAM_OK;
	if (!c->in_tx)
		return store_settings_bump(c, "derived_version");
	c->derived_moved = true;
	return KAM_OK;
}

int store_answer_version(struct store_conn *c, int64_t *v)
{
	return sq_int(c,
		      "SELECT coalesce(sum(version), 0) FROM settings WHERE key IN ('data_version', "
		      "'derived_version')",
		      NULL, 0, v);
}

int store_data_version(struct store_conn *c, int64_t *v)
{
	int rc = sq_int(c, "SELECT version FROM settings WHERE key = 'data_version'", NULL, 0, v);

	if (rc == KAM_ENOTFOUND) {
		*v = 0;
		rc = KAM_OK;
	}
	return rc;
}

int store_audit_list(struct store_conn *c, const char *entity, int64_t id, int limit,
		     const char *cursor, json_t **items, char **next_cursor)
{
	struct db_stmt *st;
	json_t *arr;
	int64_t before = INT64_MAX, last = 0;
	int rc, count = 0;

	if (cursor) {
		char *end;

		before = strtoll(cursor, &end, 10);
		if (*end != '\0' || before <= 0)
			return KAM_EINVAL;
	}
	rc = c->ops->query(c->db,
			   "SELECT a.id, a.at, a.user_id, COALESCE(u.name, 'client: ' || m.name || "
			   "' (' || ma.name || ')'), a.action, a.entity, a.entity_id, "
			   "a.before, a.after FROM audit a LEFT JOIN users u ON u.id = a.user_id "
			   "LEFT JOIN client_members m ON m.id = a.member_id LEFT JOIN accounts ma ON "
			   "ma.id = m.account_id "
			   "WHERE (CAST(? AS TEXT) IS NULL OR a.entity = ?) AND (? = 0 OR a.entity_id = ?) "
			   "AND a.id < ? ORDER BY a.id DESC LIMIT ?",
			   (struct db_val[]){DB_TEXT(entity), DB_TEXT(entity), DB_INT(id), DB_INT(id),
					     DB_INT(before), DB_INT(limit + 1)},
			   6, &st);
	if (rc != KAM_OK)
		return rc;
	if ((arr = json_array()) == NULL) {
		c->ops->done(st);
		return KAM_ENOMEM;
	}
	while ((rc = c->ops->next(st)) == 1) {
		char ts[32];
		json_t *row, *b, *a;
		json_error_t eb = {0}, ea = {0};

		if (count == limit) {
			rc = 2;
			break;
		}
		time_rfc3339(c->ops->col_int(st, 1), ts, sizeof(ts));
		b = c->ops->is_null(st, 7) ? json_null()
		                           : json_loads(c->ops->col_text(st, 7), 0, &eb);
		a = c->ops->is_null(st, 8) ? json_null()
		                           : json_loads(c->ops->col_text(st, 8), 0, &ea);
		/* a page short of a row, or a change read as null, would look whole */
		if ((b == NULL && json_error_code(&eb) == json_error_out_of_memory) ||
		    (a == NULL && json_error_code(&ea) == json_error_out_of_memory)) {
			json_decref(b);
			json_decref(a);
			rc = KAM_ENOMEM;
			break;
		}
		row = json_pack("{s:I,s:s,s:o,s:o,s:s,s:s,s:o,s:o,s:o}", "id",
				(json_int_t)c->ops->col_int(st, 0), "at", ts, "user_id",
				c->ops->is_null(st, 2) ? json_null()
						       : json_integer(c->ops->col_int(st, 2)),
				"user_name",
				c->ops->is_null(st, 3) ? json_null()
						       : json_string(c->ops->col_text(st, 3)),
				"action", c->ops->col_text(st, 4), "entity", c->ops->col_text(st, 5),
				"entity_id",
				c->ops->is_null(st, 6) ? json_null()
						       : json_integer(c->ops->col_int(st, 6)),
				"before", b ? b : json_null(), "after", a ? a : json_null());
		last = c->ops->col_int(st, 0);
		if (json_array_append_new(arr, row) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
		count++;
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*next_cursor = NULL;
	if (rc == 2) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%lld", (long long)last);
		/* without it the page would read as the last */
		if ((*next_cursor = strdup(buf)) == NULL) {
			json_decref(arr);
			return KAM_ENOMEM;
		}
	}
	*items = arr;
	return KAM_OK;
}

int store_plan_audit(struct store_conn *c, int64_t plan, int64_t account, int64_t since,
                     int64_t after_id, int limit, json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(
	    c->db,
	    "SELECT entity, entity_id, action, at, before, after FROM audit WHERE at >= ? AND "
	    "id > ? AND ((entity = 'objective' AND entity_id IN (SELECT id FROM objectives "
	    "WHERE plan_id = ?)) OR (entity = 'action' AND entity_id IN (SELECT id FROM actions "
	    "WHERE plan_id = ?)) OR (entity = 'contact' AND entity_id IN (SELECT id FROM contacts "
	    "WHERE account_id = ?)) "
	    "OR (entity = 'risk' AND entity_id IN (SELECT id FROM risks WHERE account_id = ?))) "
	    "ORDER BY id LIMIT ?",
	    (struct db_val[]){DB_INT(since), DB_INT(after_id), DB_INT(plan), DB_INT(plan),
	                      DB_INT(account), DB_INT(account), DB_INT(limit)},
	    7, &st);

	if (rc != KAM_OK)
		return rc;
	if ((arr = json_array()) == NULL) {
		c->ops->done(st);
		return KAM_ENOMEM;
	}
	while ((rc = c->ops->next(st)) == 1) {
		json_t *b = c->ops->is_null(st, 4) ? json_null()
		                                   : json_loads(c->ops->col_text(st, 4), 0, NULL);
		json_t *a = c->ops->is_null(st, 5) ? json_null()
		                                   : json_loads(c->ops->col_text(st, 5), 0, NULL);
		json_t *row =
		    b && a
		        ? json_pack("{s:s,s:I,s:s,s:I,s:O,s:O}", "entity", c->ops->col_text(st, 0),
		                    "entity_id", (json_int_t)c->ops->col_int(st, 1), "action",
		                    c->ops->col_text(st, 2), "at",
		                    (json_int_t)c->ops->col_int(st, 3), "before", b, "after", a)
		        : NULL;

		json_decref(b);
		json_decref(a);
		if (row == NULL || json_array_append_new(arr, row) != 0) {
			rc = KAM_ENOMEM;
			break;
		}
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}
