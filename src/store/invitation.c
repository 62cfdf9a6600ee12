/* One-time invitations (see invitation.h). */
#include "store/internal.h"
#include "store/invitation.h"

int store_invitation_put(struct store_conn *c, int64_t user_id, const char *token_hash,
                         int64_t created_by, int64_t now, int64_t expires_at)
{
	int rc = store_invitation_drop(c, user_id);

	if (rc != KAM_OK)
		return rc;
	return sq_run(c,
	              "INSERT INTO invitations (user_id, token_hash, created_by, created_at, "
	              "expires_at) VALUES (?, ?, ?, ?, ?)",
	              (struct db_val[]){DB_INT(user_id), DB_TEXT(token_hash),
	                                created_by > 0 ? DB_INT(created_by) : DB_NULL, DB_INT(now),
	                                DB_INT(expires_at)},
	              5);
}

int store_invitation_find(struct store_conn *c, const char *token_hash, int64_t now,
                          int64_t *user_id)
{
	return sq_int(c,
	              "SELECT i.user_id FROM invitations i JOIN users u ON u.id = i.user_id "
	              "WHERE i.token_hash = ? AND i.expires_at > ? AND u.active <> 0 AND "
	              "u.password_hash IS NULL",
	              (struct db_val[]){DB_TEXT(token_hash), DB_INT(now)}, 2, user_id);
}

int store_invitation_drop(struct store_conn *c, int64_t user_id)
{
	return sq_run(c, "DELETE FROM invitations WHERE user_id = ?",
	              (struct db_val[]){DB_INT(user_id)}, 1);
}

int store_user_has_password(struct store_conn *c, int64_t user_id, bool *has)
{
	int64_t n = 0;
	int rc = sq_int(c, "SELECT count(*) FROM users WHERE id = ? AND password_hash IS NOT NULL",
	                (struct db_val[]){DB_INT(user_id)}, 1, &n);

	*has = n > 0;
	return rc;
}

int store_users_without_password(struct store_conn *c, json_t **items)
{
	return sq_rows(c,
	               "SELECT id, name, email FROM users WHERE password_hash IS NULL AND active "
	               "<> 0 ORDER BY id",
	               NULL, 0, items);
}

int store_reset_put(struct store_conn *c, int64_t user_id, const char *token_hash, int64_t now,
                    int64_t expires_at)
{
	int rc = store_reset_drop(c, user_id);

	if (rc != KAM_OK)
		return rc;
	return sq_run(c,
	              "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) "
	              "VALUES (?, ?, ?, ?)",
	              (struct db_val[]){DB_INT(user_id), DB_TEXT(token_hash), DB_INT(now),
	                                DB_INT(expires_at)},
	              4);
}

int store_reset_find(struct store_conn *c, const char *token_hash, int64_t now, int64_t *user_id)
{
	return sq_int(c,
	              "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id "
	              "WHERE r.token_hash = ? AND r.expires_at > ? AND u.active <> 0",
	              (struct db_val[]){DB_TEXT(token_hash), DB_INT(now)}, 2, user_id);
}

int store_reset_drop(struct store_conn *c, int64_t user_id)
{
	return sq_run(c, "DELETE FROM password_resets WHERE user_id = ?",
	              (struct db_val[]){DB_INT(user_id)}, 1);
}
