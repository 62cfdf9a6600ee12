/* The client workspace's tables (see workspace.h). */
#include <stdio.h>
#include <string.h>
#include "store/internal.h"
#include "store/workspace.h"

/* the members who are one contact (privacy erasure) */
#define WHO "(SELECT id FROM client_members WHERE contact_id = ?)"
#define MEMBER_COLS "id, account_id, contact_id, name, email, invited_at, last_visit_at, removed_at"

int store_member_insert(struct store_conn *c, int64_t account_id, int64_t contact_id,
                        const char *name, const char *email, int64_t invited_by, int64_t now,
                        int64_t *id)
{
	return sq_int(
	    c,
	    "INSERT INTO client_members (account_id, contact_id, name, email, invited_by, "
	    "invited_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
	    "RETURNING id",
	    (struct db_val[]){DB_INT(account_id), contact_id > 0 ? DB_INT(contact_id) : DB_NULL,
	                      DB_TEXT(name), DB_TEXT(email),
	                      invited_by > 0 ? DB_INT(invited_by) : DB_NULL, DB_INT(now),
	                      DB_INT(now), DB_INT(now)},
	    8, id);
}

int store_member_get(struct store_conn *c, int64_t id, json_t **out)
{
	json_t *rows = NULL;
	int rc = sq_rows(c, "SELECT " MEMBER_COLS " FROM client_members WHERE id = ?",
	                 (struct db_val[]){DB_INT(id)}, 1, &rows);

	*out = NULL;
	if (rc == KAM_OK && json_array_size(rows) == 0)
		rc = KAM_ENOTFOUND;
	if (rc == KAM_OK)
		*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return rc;
}

int store_member_list(struct store_conn *c, int64_t account_id, json_t **items)
{
	return sq_rows(
	    c, "SELECT " MEMBER_COLS " FROM client_members WHERE account_id = ? ORDER BY id",
	    (struct db_val[]){DB_INT(account_id)}, 1, items);
}

int store_member_remove(struct store_conn *c, int64_t id, int64_t now)
{
	int rc =
	    sq_run(c,
	           "UPDATE client_members SET removed_at = ?, updated_at = ?, version = version "
	           "+ 1 WHERE id = ? AND removed_at IS NULL",
	           (struct db_val[]){DB_INT(now), DB_INT(now), DB_INT(id)}, 3);

	if (rc == KAM_OK)
		rc = sq_run(c, "DELETE FROM workspace_sessions WHERE member_id = ?",
		            (struct db_val[]){DB_INT(id)}, 1);
	if (rc == KAM_OK)
		rc = sq_run(c, "DELETE FROM workspace_links WHERE member_id = ?",
		            (struct db_val[]){DB_INT(id)}, 1);
	return rc;
}

int store_wslink_put(struct store_conn *c, int64_t member_id, const char *hash, bool replace,
                     int64_t now, int64_t expires_at)
{
	int rc = KAM_OK;

	if (replace)
		rc = sq_run(c, "DELETE FROM workspace_links WHERE member_id = ?",
		            (struct db_val[]){DB_INT(member_id)}, 1);
	if (rc == KAM_OK)
		rc = sq_run(c,
		            "INSERT INTO workspace_links (member_id, token_hash, created_at, "
		            "expires_at) VALUES (?, ?, ?, ?)",
		            (struct db_val[]){DB_INT(member_id), DB_TEXT(hash), DB_INT(now),
		                              DB_INT(expires_at)},
		            4);
	return rc;
}

int store_wslink_take(struct store_conn *c, const char *hash, int64_t now, int64_t *member_id)
{
	int rc = sq_int(c,
	                "SELECT l.member_id FROM workspace_links l JOIN client_members m ON m.id = "
	                "l.member_id WHERE l.token_hash = ? AND l.expires_at > ? AND m.removed_at "
	                "IS NULL",
	                (struct db_val[]){DB_TEXT(hash), DB_INT(now)}, 2, member_id);

	if (rc == KAM_OK)
		rc = sq_run(c, "DELETE FROM workspace_links WHERE token_hash = ?",
		            (struct db_val[]){DB_TEXT(hash)}, 1);
	return rc;
}

int store_wssession_create(struct store_conn *c, const char *hash, int64_t member_id,
                           const char *csrf, int64_t now)
{
	return sq_run(c,
	              "INSERT INTO workspace_sessions (token_hash, member_id, csrf, created_at, "
	              "last_seen_at) VALUES (?, ?, ?, ?, ?)",
	              (struct db_val[]){DB_TEXT(hash), DB_INT(member_id), DB_TEXT(csrf),
	                                DB_INT(now), DB_INT(now)},
	              5);
}

static void copy_text(char *dst, size_t len, const json_t *v)
{
	snprintf(dst, len, "%s", json_string_value(v) ? json_string_value(v) : "");
}

int store_wssession_lookup(struct store_conn *c, const char *hash, struct store_client *out)
{
	json_t *rows = NULL, *r;
	int rc = sq_rows(c,
	                 "SELECT s.member_id, s.csrf, s.created_at, s.last_seen_at, m.account_id, "
	                 "m.name, a.name AS account_name FROM workspace_sessions s JOIN "
	                 "client_members m ON m.id = s.member_id JOIN accounts a ON a.id = "
	                 "m.account_id WHERE s.token_hash = ? AND m.removed_at IS NULL",
	                 (struct db_val[]){DB_TEXT(hash)}, 1, &rows);

	if (rc == KAM_OK && json_array_size(rows) == 0)
		rc = KAM_ENOTFOUND;
	if (rc == KAM_OK) {
		r = json_array_get(rows, 0);
		memset(out, 0, sizeof(*out));
		out->member_id = json_integer_value(json_object_get(r, "member_id"));
		out->account_id = json_integer_value(json_object_get(r, "account_id"));
		out->created_at = json_integer_value(json_object_get(r, "created_at"));
		out->last_seen_at = json_integer_value(json_object_get(r, "last_seen_at"));
		copy_text(out->csrf, sizeof(out->csrf), json_object_get(r, "csrf"));
		copy_text(out->name, sizeof(out->name), json_object_get(r, "name"));
		copy_text(out->account_name, sizeof(out->account_name),
		          json_object_get(r, "account_name"));
	}
	json_decref(rows);
	return rc;
}

int store_wssession_touch(struct store_conn *c, const char *hash, int64_t member_id, int64_t now)
{
	int rc = sq_run(c, "UPDATE workspace_sessions SET last_seen_at = ? WHERE token_hash = ?",
	                (struct db_val[]){DB_INT(now), DB_TEXT(hash)}, 2);

	if (rc == KAM_OK)
		rc = sq_run(c, "UPDATE client_members SET last_visit_at = ? WHERE id = ?",
		            (struct db_val[]){DB_INT(now), DB_INT(member_id)}, 2);
	return rc;
}

int store_wssession_delete(struct store_conn *c, const char *hash)
{
	return sq_run(c, "DELETE FROM workspace_sessions WHERE token_hash = ?",
	              (struct db_val[]){DB_TEXT(hash)}, 1);
}

int store_ws_activity_add(struct store_conn *c, int64_t account_id, int64_t member_id,
                          const char *actor, const char *action, const char *entity,
                          int64_t entity_id, const char *summary, int64_t now)
{
	return sq_run(
	    c,
	    "INSERT INTO workspace_activity (account_id, member_id, actor, action, entity, "
	    "entity_id, summary, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    (struct db_val[]){DB_INT(account_id), member_id > 0 ? DB_INT(member_id) : DB_NULL,
	                      DB_TEXT(actor), DB_TEXT(action), DB_TEXT(entity),
	                      entity_id > 0 ? DB_INT(entity_id) : DB_NULL, DB_TEXT(summary),
	                      DB_INT(now)},
	    8);
}

int store_ws_activity_list(struct store_conn *c, int64_t account_id, int limit, json_t **items)
{
	return sq_rows(c,
	               "SELECT id, member_id, actor, action, entity, entity_id, summary, at FROM "
	               "workspace_activity WHERE account_id = ? ORDER BY id DESC LIMIT ?",
	               (struct db_val[]){DB_INT(account_id), DB_INT(limit)}, 2, items);
}

int store_ws_comment_add(struct store_conn *c, int64_t account_id, int64_t objective_id,
                         int64_t action_id, int64_t member_id, int64_t user_id, const char *author,
                         const char *body, int64_t now, int64_t *id)
{
	return sq_int(
	    c,
	    "INSERT INTO workspace_comments (account_id, objective_id, action_id, "
	    "member_id, user_id, author, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
	    "RETURNING id",
	    (struct db_val[]){DB_INT(account_id), objective_id > 0 ? DB_INT(objective_id) : DB_NULL,
	                      action_id > 0 ? DB_INT(action_id) : DB_NULL,
	                      member_id > 0 ? DB_INT(member_id) : DB_NULL,
	                      user_id > 0 ? DB_INT(user_id) : DB_NULL, DB_TEXT(author),
	                      DB_TEXT(body), DB_INT(now)},
	    8, id);
}

int store_ws_comments(struct store_conn *c, int64_t account_id, json_t **items)
{
	return sq_rows(c,
	               "SELECT id, objective_id, action_id, member_id, user_id, author, body, "
	               "created_at FROM workspace_comments WHERE account_id = ? ORDER BY id",
	               (struct db_val[]){DB_INT(account_id)}, 1, items);
}

int store_agenda_add(struct store_conn *c, int64_t review_id, const char *item, int64_t member_id,
                     int64_t user_id, int64_t now)
{
	return sq_run(c,
	              "INSERT INTO review_agenda (review_id, item, member_id, user_id, created_at) "
	              "VALUES (?, ?, ?, ?, ?)",
	              (struct db_val[]){DB_INT(review_id), DB_TEXT(item),
	                                member_id > 0 ? DB_INT(member_id) : DB_NULL,
	                                user_id > 0 ? DB_INT(user_id) : DB_NULL, DB_INT(now)},
	              5);
}

int store_agenda_list(struct store_conn *c, int64_t review_id, json_t **items)
{
	return sq_rows(
	    c,
	    "SELECT g.id, g.item, COALESCE(m.name, u.name) AS author, CASE WHEN g.member_id "
	    "IS NULL THEN 'ours' ELSE 'theirs' END AS side FROM review_agenda g LEFT JOIN "
	    "client_members m ON m.id = g.member_id LEFT JOIN users u ON u.id = "
	    "g.user_id WHERE g.review_id = ? ORDER BY g.id",
	    (struct db_val[]){DB_INT(review_id)}, 1, items);
}

int store_survey_request_add(struct store_conn *c, int64_t account_id, const char *kind,
                             const char *question, int64_t user_id, int64_t now, int64_t *id)
{
	return sq_int(c,
	              "INSERT INTO survey_requests (account_id, kind, question, requested_by, "
	              "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	              (struct db_val[]){DB_INT(account_id), DB_TEXT(kind), DB_TEXT(question),
	                                user_id > 0 ? DB_INT(user_id) : DB_NULL, DB_INT(now),
	                                DB_INT(now)},
	              6, id);
}

int store_survey_request_get(struct store_conn *c, int64_t id, json_t **out)
{
	json_t *rows = NULL;
	int rc = sq_rows(c,
	                 "SELECT id, account_id, kind, question, created_at, closed_at FROM "
	                 "survey_requests WHERE id = ?",
	                 (struct db_val[]){DB_INT(id)}, 1, &rows);

	*out = NULL;
	if (rc == KAM_OK && json_array_size(rows) == 0)
		rc = KAM_ENOTFOUND;
	if (rc == KAM_OK)
		*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return rc;
}

int store_survey_request_close(struct store_conn *c, int64_t id, int64_t now)
{
	return sq_run(
	    c,
	    "UPDATE survey_requests SET closed_at = ?, updated_at = ?, version = version + "
	    "1 WHERE id = ? AND closed_at IS NULL",
	    (struct db_val[]){DB_INT(now), DB_INT(now), DB_INT(id)}, 3);
}

int store_survey_requests(struct store_conn *c, int64_t account_id, json_t **items)
{
	return sq_rows(c,
	               "SELECT r.id, r.kind, r.question, r.created_at, r.closed_at, (SELECT "
	               "count(*) FROM survey_answers s WHERE s.request_id = r.id) AS answers FROM "
	               "survey_requests r WHERE r.account_id = ? ORDER BY r.id DESC",
	               (struct db_val[]){DB_INT(account_id)}, 1, items);
}

int store_survey_pending(struct store_conn *c, int64_t account_id, int64_t member_id,
                         json_t **items)
{
	return sq_rows(
	    c,
	    "SELECT r.id, r.kind, r.question FROM survey_requests r WHERE r.account_id = "
	    "? AND r.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM survey_answers s "
	    "WHERE s.request_id = r.id AND s.member_id = ?) ORDER BY r.id",
	    (struct db_val[]){DB_INT(account_id), DB_INT(member_id)}, 2, items);
}

int store_survey_answer_add(struct store_conn *c, int64_t request_id, int64_t member_id,
                            int64_t survey_id, int64_t now)
{
	return sq_run(c,
	              "INSERT INTO survey_answers (request_id, member_id, survey_id, answered_at) "
	              "VALUES (?, ?, ?, ?)",
	              (struct db_val[]){DB_INT(request_id), DB_INT(member_id), DB_INT(survey_id),
	                                DB_INT(now)},
	              4);
}

int store_ws_cases(struct store_conn *c, int64_t account_id, json_t **items)
{
	return sq_rows(c,
	               "SELECT k.id, k.title, k.severity, k.status, k.opened_at FROM cases k WHERE "
	               "k.account_id = ? AND k.status IN ('open', 'in_progress') AND k.contact_id "
	               "IN (SELECT contact_id FROM client_members WHERE account_id = ? AND "
	               "contact_id IS NOT NULL) ORDER BY k.opened_at, k.id",
	               (struct db_val[]){DB_INT(account_id), DB_INT(account_id)}, 2, items);
}

int store_privacy_erase_members(struct store_conn *c, int64_t contact_id, int64_t now, int64_t *n)
{
	static const char *const steps[] = {
	    "DELETE FROM workspace_sessions WHERE member_id IN " WHO,
	    "DELETE FROM workspace_links WHERE member_id IN " WHO,
	    "UPDATE workspace_comments SET author = '(erased)' WHERE member_id IN " WHO,
	    "UPDATE workspace_activity SET actor = 'client: (erased)' WHERE member_id IN " WHO,
	    NULL};
	int rc = sq_int(c, "SELECT count(*) FROM client_members WHERE contact_id = ?",
	                (struct db_val[]){DB_INT(contact_id)}, 1, n);

	for (const char *const *s = steps; rc == KAM_OK && *n > 0 && *s; s++)
		rc = sq_run(c, *s, (struct db_val[]){DB_INT(contact_id)}, 1);
	if (rc == KAM_OK && *n > 0)
		rc = sq_run(c,
		            "UPDATE client_members SET name = '(erased)', email = '', removed_at = "
		            "COALESCE(removed_at, ?), updated_at = ?, version = version + 1 WHERE "
		            "contact_id = ?",
		            (struct db_val[]){DB_INT(now), DB_INT(now), DB_INT(contact_id)}, 3);
	return rc;
}
