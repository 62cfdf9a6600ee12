#include <stdio.h>
#include <string.h>
#include "store/internal.h"
#include "store/share.h"
#include "util/time.h"

int store_share_create(struct store_conn *c, int64_t account_id, const char *token_hash,
		       int64_t user_id, int64_t now, int64_t expires_at, bool include_kpis,
		       int64_t *id)
{
	return sq_int(c,
		      "INSERT INTO shares (account_id, token_hash, created_by, created_at, "
		      "expires_at, include_kpis) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		      (struct db_val[]){DB_INT(account_id), DB_TEXT(token_hash), DB_INT(user_id),
					DB_INT(now), DB_INT(expires_at), DB_INT(include_kpis ? 1 : 0)},
		      6, id);
}

int store_share_find(struct store_conn *c, const char *token_hash, int64_t now,
		     struct store_share_link *out)
{
	struct db_stmt *st;
	int rc = c->ops->query(
		c->db,
		"SELECT s.account_id, u.role, CASE WHEN u.active <> 0 THEN 1 ELSE 0 END, "
		"CASE WHEN a.owner_id = u.id THEN 1 ELSE 0 END, "
		"CASE WHEN EXISTS (SELECT 1 FROM account_team t WHERE t.account_id = s.account_id "
		"AND t.user_id = u.id) THEN 1 ELSE 0 END, s.include_kpis "
		"FROM shares s JOIN accounts a ON a.id = s.account_id "
		"LEFT JOIN users u ON u.id = s.created_by "
		"WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?",
		(struct db_val[]){DB_TEXT(token_hash), DB_INT(now)}, 2, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1) {
		const char *role = c->ops->is_null(st, 1) ? "" : c->ops->col_text(st, 1);

		memset(out, 0, sizeof(*out));
		out->account_id = c->ops->col_int(st, 0);
		snprintf(out->creator_role, sizeof(out->creator_role), "%s", role);
		out->creator_active = !c->ops->is_null(st, 2) && c->ops->col_int(st, 2) != 0;
		out->creator_owner = !c->ops->is_null(st, 3) && c->ops->col_int(st, 3) != 0;
		out->creator_on_team = !c->ops->is_null(st, 4) && c->ops->col_int(st, 4) != 0;
		out->include_kpis = c->ops->col_int(st, 5) != 0;
		rc = KAM_OK;
	} else if (rc == 0) {
		rc = KAM_ENOTFOUND;
	}
	c->ops->done(st);
	return rc;
}

int store_share_list(struct store_conn *c, int64_t account_id, json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc = c->ops->query(c->db,
			       "SELECT id, created_by, created_at, expires_at, revoked_at, include_kpis "
			       "FROM shares "
			       "WHERE account_id = ? ORDER BY id DESC",
			       (struct db_val[]){DB_INT(account_id)}, 1, &st);

	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1) {
		char cr[32], ex[32], rv[32];

		time_rfc3339(c->ops->col_int(st, 2), cr, sizeof(cr));
		time_rfc3339(c->ops->col_int(st, 3), ex, sizeof(ex));
		if (!c->ops->is_null(st, 4))
			time_rfc3339(c->ops->col_int(st, 4), rv, sizeof(rv));
		json_array_append_new(
			arr, json_pack("{s:I,s:o,s:s,s:s,s:o}", "id", (json_int_t)c->ops->col_int(st, 0),
				       "created_by",
				       c->ops->is_null(st, 1) ? json_null()
							      : json_integer(c->ops->col_int(st, 1)),
				       "created_at", cr, "expires_at", ex, "revoked_at",
				       c->ops->is_null(st, 4) ? json_null() : json_string(rv)));
		json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "include_kpis",
				    json_boolean(c->ops->col_int(st, 5) != 0));
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}

int store_share_revoke(struct store_conn *c, int64_t account_id, int64_t id, int64_t now)
{
	int rc = sq_run(c,
			"UPDATE shares SET revoked_at = ? WHERE id = ? AND account_id = ? AND "
			"revoked_at IS NULL",
			(struct db_val[]){DB_INT(now), DB_INT(id), DB_INT(account_id)}, 3);

	if (rc == KAM_OK && c->ops->changes(c->db) == 0)
		rc = KAM_ENOTFOUND;
	return rc;
}
