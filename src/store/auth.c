/* Users' credentials, sessions, API tokens and the failed-login log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/internal.h"
#include "util/time.h"
#include "util/utf8.h"

/* A user's name of 200 characters may take 800 bytes: cut whole to a character. */
static void copy(char *dst, size_t len, const char *src)
{
	utf8_copy(dst, len, src);
}

static int versions_query(struct store_conn *c, const struct store_versions *have,
                          struct store_versions *v, char **doc)
{
	struct db_stmt *st;
	int rc;

	*doc = NULL;
	v->auth = -1;
	v->data = v->derived = v->settings = 0;
	/* four point lookups, 'main' last: whether its text is wanted is known by then. Every
	 * request runs this; on SQLite "key IN (…) ORDER BY key" built an ephemeral index of
	 * the four keys on each run (8% of a cached GET's CPU) */
	rc = c->ops->query(c->db,
	                   "SELECT key, version, value FROM settings WHERE key = 'auth_version' "
	                   "UNION ALL SELECT key, version, value FROM settings WHERE key = "
	                   "'data_version' UNION ALL SELECT key, version, value FROM settings "
	                   "WHERE key = 'derived_version' UNION ALL SELECT key, version, value "
	                   "FROM settings WHERE key = 'main'",
	                   NULL, 0, &st);
	if (rc != KAM_OK)
		return rc;
	while ((rc = c->ops->next(st)) == 1) {
		const char *key = c->ops->col_text(st, 0);
		int64_t n = c->ops->col_int(st, 1);

		if (strcmp(key, "auth_version") == 0) {
			v->auth = n;
		} else if (strcmp(key, "data_version") == 0) {
			v->data = n;
		} else if (strcmp(key, "derived_version") == 0) {
			v->derived = n;
		} else {
			v->settings = n;
			if (n == have->settings && v->data == have->data)
				continue;
			if ((*doc = sq_strdup(c->ops->col_text(st, 2))) == NULL) {
				rc = KAM_ENOMEM;
				break;
			}
		}
	}
	c->ops->done(st);
	if (rc < 0) {
		free(*doc);
		*doc = NULL;
		return rc;
	}
	return KAM_OK;
}

/* The settings document goes to a caller only when its versions differ from the caller's. */
static bool doc_wanted(const struct store_versions *v, const struct store_versions *have)
{
	return v->settings != 0 && (v->settings != have->settings || v->data != have->data);
}

/* Called with vshare.mu held: keeps v and its settings document (doc, taken; or NULL when
 * the read did not bring it) as the last shared read's. */
static void keep_last(struct store *st, const struct store_versions *v, char *doc)
{
	/* the same settings and data versions as the last read: the same document */
	bool same = v->settings == st->vlast.settings && v->data == st->vlast.data;

	if (doc || !same) {
		free(st->vlast_doc);
		st->vlast_doc = doc; /* NULL: a caller who needs it reads on its own */
	}
	st->vlast = *v;
}

/* The read of ticket, for every request waiting on it: on failure a waiting caller reads on
 * its own connection. */
static int read_for_all(struct store_conn *c, uint64_t ticket, const struct store_versions *have,
                        struct store_versions *v, char **doc)
{
	struct store *st = c->st;
	int rc;

	atomic_fetch_add_explicit(&st->vreads, 1, memory_order_relaxed);
	if ((rc = versions_query(c, have, v, doc)) != KAM_OK) {
		share_abandon(&st->vshare);
		return rc;
	}
	share_lock(&st->vshare);
	keep_last(st, v, *doc ? sq_strdup(*doc) : NULL);
	share_publish(&st->vshare, ticket);
	return KAM_OK;
}

/* Called with vshare.mu held (share_join or share_lock): the last shared read, which started
 * after this request arrived and so saw every change committed before it. Releases the
 * lock; *own when the caller must read for itself (it needs the settings document, which
 * that read did not copy). */
static int use_shared(struct store *st, const struct store_versions *have, struct store_versions *v,
                      char **doc, bool *own)
{
	int rc = KAM_OK;

	*v = st->vlast;
	*doc = NULL;
	*own = doc_wanted(v, have) && st->vlast_doc == NULL;
	if (doc_wanted(v, have) && st->vlast_doc && (*doc = sq_strdup(st->vlast_doc)) == NULL)
		rc = KAM_ENOMEM;
	share_unlock(&st->vshare);
	if (rc == KAM_OK && !*own)
		atomic_fetch_add_explicit(&st->vshared, 1, memory_order_relaxed);
	return rc;
}

int store_versions_read(struct store_conn *c, struct share_waiter *w,
                        const struct store_versions *have, struct store_versions *v, char **doc)
{
	struct store *st = c->st;
	uint64_t ticket;
	bool own = false;
	int rc;

	if (w && w->outcome == SHARE_READ) {
		/* handed a read while it waited (or first in line): it serves the others too */
		w->outcome = SHARE_SELF;
		if (c->in_tx || st == NULL) {
			share_abandon(&st->vshare);
			goto read;
		}
		return read_for_all(c, w->ticket, have, v, doc);
	}
	if (w && w->outcome == SHARE_USE) {
		w->outcome = SHARE_SELF; /* once: a second read in the request is its own */
		share_lock(&st->vshare);
		if ((rc = use_shared(st, have, v, doc, &own)) != KAM_OK || !own)
			return rc;
		goto read;
	}
	/* a statement on SQLite costs less than a wake-up; inside a transaction the versions
	 * belong to its snapshot; a queued request woken to read alone reads alone */
	if (w || !store_remote(c) || c->in_tx || st == NULL)
		goto read;
	if (share_join(&st->vshare, &ticket) == SHARE_READ)
		return read_for_all(c, ticket, have, v, doc);
	if ((rc = use_shared(st, have, v, doc, &own)) != KAM_OK || !own)
		return rc;
read:
	atomic_fetch_add_explicit(&st->vreads, 1, memory_order_relaxed);
	return versions_query(c, have, v, doc);
}

int store_versions_wait(struct store *st, struct share_waiter *w)
{
	w->outcome = SHARE_SELF;
	if (st == NULL || st->ops == &db_sqlite)
		return 0;
	return share_wait(&st->vshare, w) == SHARE_QUEUED;
}

void store_versions_wait_end(struct store *st, struct share_waiter *w)
{
	if (w->outcome == SHARE_READ) {
		/* the request ended before its read (a malformed credential, say): the next
		 * waiter reads instead */
		w->outcome = SHARE_SELF;
		share_abandon(&st->vshare);
	}
}

void store_versions_drain(struct store *st)
{
	if (st)
		share_drain(&st->vshare);
}

int store_user_by_email(struct store_conn *c, const char *email, struct store_auth *out,
                        char **hash)
{
	struct db_stmt *st;
	int rc;

	rc = c->ops->query(c->db,
			   "SELECT id, role, email, name, active, password_hash FROM users "
			   "WHERE lower(email) = lower(CAST(? AS TEXT))",
			   (struct db_val[]){DB_TEXT(email)}, 1, &st);
	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->user_id = c->ops->col_int(st, 0);
		copy(out->role, sizeof(out->role), c->ops->col_text(st, 1));
		copy(out->email, sizeof(out->email), c->ops->col_text(st, 2));
		copy(out->name, sizeof(out->name), c->ops->col_text(st, 3));
		out->active = c->ops->col_int(st, 4) != 0;
		*hash = sq_strdup(c->ops->col_text(st, 5));
		/* no copy is no memory, not a user without a password (a 401) */
		rc = *hash == NULL && c->ops->col_text(st, 5) ? KAM_ENOMEM : KAM_OK;
	} else if (rc == 0) {
		rc = KAM_ENOTFOUND;
	}
	c->ops->done(st);
	return rc;
}

int store_user_hash(struct store_conn *c, int64_t user_id, char **hash)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db, "SELECT password_hash FROM users WHERE id = ?",
			       (struct db_val[]){DB_INT(user_id)}, 1, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1) {
		*hash = sq_strdup(c->ops->col_text(st, 0));
		rc = *hash == NULL && c->ops->col_text(st, 0) ? KAM_ENOMEM : KAM_OK;
	} else if (rc == 0) {
		rc = KAM_ENOTFOUND;
	}
	c->ops->done(st);
	return rc;
}

int store_user_set_hash(struct store_conn *c, int64_t user_id, const char *hash, int64_t now)
{
	int rc = sq_run(c,
			"UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 "
			"WHERE id = ?",
			(struct db_val[]){DB_TEXT(hash), DB_INT(now), DB_INT(user_id)}, 3);

	if (rc == KAM_OK && c->ops->changes(c->db) == 0)
		rc = KAM_ENOTFOUND;
	return rc;
}

int store_user_count(struct store_conn *c, int64_t *n)
{
	return sq_int(c, "SELECT count(*) FROM users", NULL, 0, n);
}

int store_session_create(struct store_conn *c, const char *token_hash, int64_t user_id,
			 const char *csrf, int64_t now)
{
	return sq_run(c,
		      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, "
		      "last_seen_at) VALUES (?, ?, ?, ?, ?)",
		      (struct db_val[]){DB_TEXT(token_hash), DB_INT(user_id), DB_TEXT(csrf),
					DB_INT(now), DB_INT(now)},
		      5);
}

/* Runs a lookup whose columns are: user id, role, email, name, active, then three extras. */
static int auth_lookup(struct store_conn *c, const char *sql, const char *token_hash,
		       struct store_auth *out, bool session)
{
	struct db_stmt *st;
	int rc = c->ops->query(c->db, sql, (struct db_val[]){DB_TEXT(token_hash)}, 1, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		out->user_id = c->ops->col_int(st, 0);
		copy(out->role, sizeof(out->role), c->ops->col_text(st, 1));
		copy(out->email, sizeof(out->email), c->ops->col_text(st, 2));
		copy(out->name, sizeof(out->name), c->ops->col_text(st, 3));
		out->active = c->ops->col_int(st, 4) != 0;
		if (session)
			copy(out->csrf, sizeof(out->csrf), c->ops->col_text(st, 5));
		else
			out->token_id = c->ops->col_int(st, 5);
		out->created_at = c->ops->col_int(st, 6);
		out->last_seen_at = c->ops->is_null(st, 7) ? 0 : c->ops->col_int(st, 7);
		if (!session && !c->ops->is_null(st, 8))
			out->expires_at = c->ops->col_int(st, 8);
		rc = KAM_OK;
	} else if (rc == 0) {
		rc = KAM_ENOTFOUND;
	}
	c->ops->done(st);
	return rc;
}

int store_session_lookup(struct store_conn *c, const char *token_hash, struct store_auth *out)
{
	return auth_lookup(c,
			   "SELECT u.id, u.role, u.email, u.name, u.active, s.csrf_token, "
			   "s.created_at, s.last_seen_at FROM sessions s JOIN users u ON "
			   "u.id = s.user_id WHERE s.token_hash = ?",
			   token_hash, out, true);
}

int store_session_touch(struct store_conn *c, const char *token_hash, int64_t now)
{
	return sq_run(c, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
		      (struct db_val[]){DB_INT(now), DB_TEXT(token_hash)}, 2);
}

int store_session_delete(struct store_conn *c, const char *token_hash)
{
	return sq_run(c, "DELETE FROM sessions WHERE token_hash = ?",
		      (struct db_val[]){DB_TEXT(token_hash)}, 1);
}

int store_user_logout_all(struct store_conn *c, int64_t user_id)
{
	int rc = sq_run(c, "DELETE FROM sessions WHERE user_id = ?",
			(struct db_val[]){DB_INT(user_id)}, 1);

	if (rc == KAM_OK)
		rc = sq_run(c, "DELETE FROM api_tokens WHERE user_id = ?",
			    (struct db_val[]){DB_INT(user_id)}, 1);
	if (rc == KAM_OK) /* a calendar feed URL is a capability too */
		rc = sq_run(c, "DELETE FROM calendar_feeds WHERE user_id = ?",
			    (struct db_val[]){DB_INT(user_id)}, 1);
	return rc;
}

int store_token_create(struct store_conn *c, int64_t user_id, const char *name,
		       const char *token_hash, int64_t now, int64_t expires_at, int64_t *id)
{
	return sq_int(c,
		      "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) "
		      "VALUES (?, ?, ?, ?, ?) RETURNING id",
		      (struct db_val[]){DB_INT(user_id), DB_TEXT(name), DB_TEXT(token_hash),
					DB_INT(now), expires_at ? DB_INT(expires_at) : DB_NULL},
		      5, id);
}

int store_token_lookup(struct store_conn *c, const char *token_hash, struct store_auth *out)
{
	return auth_lookup(c,
			   "SELECT u.id, u.role, u.email, u.name, u.active, t.id, t.created_at, "
			   "t.last_used_at, t.expires_at FROM api_tokens t JOIN users u "
			   "ON u.id = t.user_id WHERE t.token_hash = ?",
			   token_hash, out, false);
}

int store_token_touch(struct store_conn *c, int64_t token_id, int64_t now)
{
	return sq_run(c, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
		      (struct db_val[]){DB_INT(now), DB_INT(token_id)}, 2);
}

int store_token_list(struct store_conn *c, int64_t user_id, json_t **items)
{
	struct db_stmt *st;
	json_t *arr;
	int rc;

	rc = c->ops->query(c->db,
			   "SELECT id, user_id, name, created_at, last_used_at, expires_at "
			   "FROM api_tokens WHERE ? = 0 OR user_id = ? ORDER BY id",
			   (struct db_val[]){DB_INT(user_id), DB_INT(user_id)}, 2, &st);
	if (rc != KAM_OK)
		return rc;
	arr = json_array();
	while ((rc = c->ops->next(st)) == 1) {
		char created[32], used[32], expires[32];

		time_rfc3339(c->ops->col_int(st, 3), created, sizeof(created));
		if (!c->ops->is_null(st, 4))
			time_rfc3339(c->ops->col_int(st, 4), used, sizeof(used));
		if (!c->ops->is_null(st, 5))
			time_rfc3339(c->ops->col_int(st, 5), expires, sizeof(expires));
		json_array_append_new(
			arr, json_pack("{s:I,s:I,s:s,s:s,s:o,s:o}", "id",
				       (json_int_t)c->ops->col_int(st, 0), "user_id",
				       (json_int_t)c->ops->col_int(st, 1), "name",
				       c->ops->col_text(st, 2), "created_at", created,
				       "last_used_at",
				       c->ops->is_null(st, 4) ? json_null() : json_string(used),
				       "expires_at",
				       c->ops->is_null(st, 5) ? json_null() : json_string(expires)));
	}
	c->ops->done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*items = arr;
	return KAM_OK;
}

int store_token_delete(struct store_conn *c, int64_t id, int64_t user_id)
{
	int rc = sq_run(c, "DELETE FROM api_tokens WHERE id = ? AND (? = 0 OR user_id = ?)",
			(struct db_val[]){DB_INT(id), DB_INT(user_id), DB_INT(user_id)}, 3);

	if (rc == KAM_OK && c->ops->changes(c->db) == 0)
		rc = KAM_ENOTFOUND;
	return rc;
}

int store_throttle_take(struct store_conn *c, const char *key, int64_t window, int64_t now,
                        int64_t *count, int64_t *window_start)
{
	struct db_stmt *st;
	/* one statement: the row lock of the upsert makes concurrent attempts count one by one
	 * on PostgreSQL, and SQLite has a single writer anyway */
	int rc = c->ops->query(
	    c->db,
	    "INSERT INTO login_throttle (key, window_start, count) VALUES (?, ?, 1) "
	    "ON CONFLICT (key) DO UPDATE SET "
	    "count = CASE WHEN login_throttle.window_start > ? THEN login_throttle.count + 1 "
	    "ELSE 1 END, "
	    "window_start = CASE WHEN login_throttle.window_start > ? "
	    "THEN login_throttle.window_start ELSE excluded.window_start END "
	    "RETURNING count, window_start",
	    (struct db_val[]){DB_TEXT(key), DB_INT(now), DB_INT(now - window),
	                      DB_INT(now - window)},
	    4, &st);

	if (rc != KAM_OK)
		return rc;
	rc = c->ops->next(st);
	if (rc == 1) {
		*count = c->ops->col_int(st, 0);
		*window_start = c->ops->col_int(st, 1);
		rc = KAM_OK;
	} else if (rc == 0) {
		rc = KAM_EDB;
	}
	c->ops->done(st);
	return rc;
}

int store_throttle_give(struct store_conn *c, const char *key, bool forget)
{
	if (forget)
		return sq_run(c, "DELETE FROM login_throttle WHERE key = ?",
		              (struct db_val[]){DB_TEXT(key)}, 1);
	return sq_run(c, "UPDATE login_throttle SET count = count - 1 WHERE key = ? AND count > 0",
	              (struct db_val[]){DB_TEXT(key)}, 1);
}
