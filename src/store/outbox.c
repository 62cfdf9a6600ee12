/* The outbox (see outbox.h). */
#include <stdio.h>
#include <string.h>
#include "store/internal.h"
#include "store/outbox.h"

int store_outbox_put(struct store_conn *c, const struct outbox_msg *m, int64_t now, int64_t *id)
{
	int64_t got = 0;
	int rc = sq_int(
	    c,
	    "INSERT INTO outbox (channel, kind, user_id, recipient, subject, body_text, "
	    "body_html, payload, headers, created_at, next_attempt_at) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    (struct db_val[]){DB_TEXT(m->channel), DB_TEXT(m->kind),
	                      m->user_id > 0 ? DB_INT(m->user_id) : DB_NULL, DB_TEXT(m->recipient),
	                      DB_TEXT(m->subject), DB_TEXT(m->body_text), DB_TEXT(m->body_html),
	                      DB_TEXT(m->payload), DB_TEXT(m->headers), DB_INT(now), DB_INT(now)},
	    11, &got);

	if (id)
		*id = got;
	return rc;
}

int store_outbox_due(struct store_conn *c, const char *channel, int64_t now, int limit,
                     json_t **items)
{
	return sq_rows(c,
	               "SELECT id FROM outbox WHERE channel = ? AND sent_at IS NULL AND failed_at "
	               "IS NULL AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR "
	               "lease_expires_at < ?) ORDER BY next_attempt_at, id LIMIT ?",
	               (struct db_val[]){DB_TEXT(channel), DB_INT(now), DB_INT(now), DB_INT(limit)},
	               4, items);
}

int store_outbox_claim(struct store_conn *c, int64_t id, const char *owner, int64_t now, int ttl,
                       bool *got, json_t **row)
{
	json_t *rows = NULL;
	/* one statement: on PostgreSQL a second node's UPDATE waits for the first and then
	 * finds the row taken, so only one node sends it */
	int rc = sq_run(c,
	                "UPDATE outbox SET lease_owner = ?, lease_expires_at = ? WHERE id = ? AND "
	                "sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND "
	                "(lease_expires_at IS NULL OR lease_expires_at < ?)",
	                (struct db_val[]){DB_TEXT(owner), DB_INT(now + ttl), DB_INT(id),
	                                  DB_INT(now), DB_INT(now)},
	                5);

	*got = false;
	*row = NULL;
	if (rc != KAM_OK || c->ops->changes(c->db) != 1)
		return rc;
	rc = sq_rows(c,
	             "SELECT id, channel, kind, user_id, recipient, subject, body_text, body_html, "
	             "payload, headers, created_at, attempts FROM outbox WHERE id = ? AND "
	             "lease_owner = ?",
	             (struct db_val[]){DB_INT(id), DB_TEXT(owner)}, 2, &rows);
	if (rc == KAM_OK && json_array_size(rows) == 1) {
		*row = json_incref(json_array_get(rows, 0));
		*got = true;
	}
	json_decref(rows);
	return rc;
}

int store_outbox_sent(struct store_conn *c, int64_t id, const char *owner, int64_t now)
{
	return sq_run(
	    c,
	    "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, "
	    "lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?",
	    (struct db_val[]){DB_INT(now), DB_INT(id), DB_TEXT(owner)}, 3);
}

int store_outbox_retry(struct store_conn *c, int64_t id, const char *owner, const char *error,
                       int64_t next, int64_t now)
{
	return sq_run(
	    c,
	    "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = "
	    "?, failed_at = ?, lease_owner = NULL, lease_expires_at = NULL WHERE id = ? "
	    "AND lease_owner = ?",
	    (struct db_val[]){DB_TEXT(error), DB_INT(next > 0 ? next : now),
	                      next > 0 ? DB_NULL : DB_INT(now), DB_INT(id), DB_TEXT(owner)},
	    5);
}

int store_outbox_list(struct store_conn *c, const char *channel, const char *state, int limit,
                      json_t **items)
{
	const char *where = "failed_at IS NOT NULL";
	char sql[512];

	if (strcmp(state, "pending") == 0)
		where = "sent_at IS NULL AND failed_at IS NULL";
	else if (strcmp(state, "sent") == 0)
		where = "sent_at IS NOT NULL";
	snprintf(sql, sizeof(sql),
	         "SELECT id, channel, kind, user_id, recipient, subject, created_at, "
	         "next_attempt_at, attempts, last_error, sent_at, failed_at FROM outbox WHERE "
	         "channel = ? AND %s ORDER BY id DESC LIMIT ?",
	         where);
	return sq_rows(c, sql, (struct db_val[]){DB_TEXT(channel), DB_INT(limit)}, 2, items);
}

int store_outbox_failed_count(struct store_conn *c, int64_t *n)
{
	return sq_int(c, "SELECT count(*) FROM outbox WHERE channel = 'mail' AND failed_at IS NOT NULL", NULL, 0, n);
}

int store_alerts_max_id(struct store_conn *c, int64_t *id)
{
	return sq_int(c, "SELECT coalesce(max(id), 0) FROM alerts", NULL, 0, id);
}

int store_alerts_for_mail(struct store_conn *c, int64_t after_id, json_t **items)
{
	return sq_rows(c,
	               "SELECT al.id, al.severity, al.rule, al.account_id, a.name AS account_name, "
	               "u.id AS user_id, u.email, u.name AS user_name, coalesce(np.immediate, "
	               "'critical') AS immediate FROM alerts al JOIN accounts a ON a.id = "
	               "al.account_id JOIN users u ON u.id = a.owner_id LEFT JOIN "
	               "notification_prefs np ON np.user_id = u.id WHERE al.id > ? AND "
	               "al.state = 'open' AND u.active <> 0 ORDER BY al.id",
	               (struct db_val[]){DB_INT(after_id)}, 1, items);
}

int store_notify_prefs_get(struct store_conn *c, int64_t user_id, json_t **row)
{
	json_t *rows = NULL;
	int rc = sq_rows(c,
	                 "SELECT digest, digest_hour, immediate FROM notification_prefs WHERE "
	                 "user_id = ?",
	                 (struct db_val[]){DB_INT(user_id)}, 1, &rows);

	*row = NULL;
	if (rc != KAM_OK)
		return rc;
	if (json_array_size(rows) == 1)
		*row = json_incref(json_array_get(rows, 0));
	else
		*row = json_pack("{s:i,s:i,s:s}", "digest", 1, "digest_hour", 7, "immediate",
		                 "critical");
	json_decref(rows);
	return *row ? KAM_OK : KAM_ENOMEM;
}

int store_notify_prefs_put(struct store_conn *c, int64_t user_id, bool digest, int hour,
                           const char *immediate)
{
	return sq_run(c,
	              "INSERT INTO notification_prefs (user_id, digest, digest_hour, immediate) "
	              "VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET digest = "
	              "excluded.digest, digest_hour = excluded.digest_hour, immediate = "
	              "excluded.immediate",
	              (struct db_val[]){DB_INT(user_id), DB_INT(digest ? 1 : 0), DB_INT(hour),
	                                DB_TEXT(immediate)},
	              4);
}

int store_digest_users(struct store_conn *c, json_t **items)
{
	return sq_rows(
	    c,
	    "SELECT u.id, u.name, u.email, u.role, coalesce(np.digest_hour, 7) AS "
	    "digest_hour, np.last_digest_day FROM users u LEFT JOIN notification_prefs "
	    "np ON np.user_id = u.id WHERE u.active <> 0 AND coalesce(np.digest, 1) <> 0 "
	    "ORDER BY u.id",
	    NULL, 0, items);
}

int store_digest_done(struct store_conn *c, int64_t user_id, const char *day)
{
	return sq_run(c,
	              "INSERT INTO notification_prefs (user_id, last_digest_day) VALUES (?, ?) ON "
	              "CONFLICT (user_id) DO UPDATE SET last_digest_day = excluded.last_digest_day",
	              (struct db_val[]){DB_INT(user_id), DB_TEXT(day)}, 2);
}

int store_secret(struct store_conn *c, const char *name, const char *fresh, char **value)
{
	json_t *rows = NULL;
	int rc = sq_run(
	    c, "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
	    (struct db_val[]){DB_TEXT(name), DB_TEXT(fresh)}, 2);

	*value = NULL;
	if (rc == KAM_OK)
		rc = sq_rows(c, "SELECT value FROM secrets WHERE name = ?",
		             (struct db_val[]){DB_TEXT(name)}, 1, &rows);
	if (rc == KAM_OK && json_array_size(rows) == 1)
		*value =
		    sq_strdup(json_string_value(json_object_get(json_array_get(rows, 0), "value")));
	else if (rc == KAM_OK)
		rc = KAM_ENOTFOUND;
	json_decref(rows);
	return rc == KAM_OK && *value == NULL ? KAM_ENOMEM : rc;
}

int store_outbox_purge(struct store_conn *c, int64_t before)
{
	return sq_run(c, "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?",
	              (struct db_val[]){DB_INT(before)}, 1);
}

int store_alerts_for_directors(struct store_conn *c, int64_t after_id, int64_t min_revenue,
                               json_t **items)
{
	/* the KAM has their own mail already: a director who owns the account gets one */
	return sq_rows(c,
	               "SELECT al.id, al.severity, al.rule, al.account_id, a.name AS account_name, "
	               "a.revenue_12m, u.id AS user_id, u.email, u.name AS user_name, "
	               "coalesce(np.immediate, 'critical') AS immediate FROM alerts al JOIN "
	               "accounts a ON a.id = al.account_id JOIN users u ON u.role = 'director' "
	               "AND u.active <> 0 AND u.id <> coalesce(a.owner_id, 0) LEFT JOIN "
	               "notification_prefs np ON np.user_id = u.id WHERE al.id > ? AND al.state = "
	               "'open' AND a.revenue_12m >= ? ORDER BY al.id, u.id",
	               (struct db_val[]){DB_INT(after_id), DB_INT(min_revenue)}, 2, items);
}

int store_digest_health(struct store_conn *c, int64_t user_id, json_t **items)
{
	return sq_rows(c,
	               "SELECT a.id AS account_id, a.name, a.health, dh.health AS before FROM "
	               "accounts a LEFT JOIN digest_health dh ON dh.user_id = ? AND "
	               "dh.account_id = a.id WHERE a.health_enough_data <> 0 AND a.id IN (SELECT "
	               "id FROM accounts WHERE owner_id = ? UNION SELECT account_id FROM "
	               "account_team WHERE user_id = ?) ORDER BY a.id",
	               (struct db_val[]){DB_INT(user_id), DB_INT(user_id), DB_INT(user_id)}, 3,
	               items);
}

int store_digest_health_put(struct store_conn *c, int64_t user_id, const json_t *items)
{
	size_t i;
	json_t *r;
	int rc = sq_run(c, "DELETE FROM digest_health WHERE user_id = ?",
	                (struct db_val[]){DB_INT(user_id)}, 1);

	json_array_foreach(items, i, r)
	{
		if (rc != KAM_OK)
			break;
		rc = sq_run(
		    c, "INSERT INTO digest_health (user_id, account_id, health) VALUES (?, ?, ?)",
		    (struct db_val[]){DB_INT(user_id),
		                      DB_INT(json_integer_value(json_object_get(r, "account_id"))),
		                      DB_REAL(json_number_value(json_object_get(r, "health")))},
		    3);
	}
	return rc;
}

int store_outbox_claim_batch(struct store_conn *c, const char *channel, const char *owner,
                             int64_t now, int ttl, int limit, json_t **rows)
{
	/* one statement: on PostgreSQL a second node's UPDATE waits for the rows the first
	 * took, then finds their lease live and skips them, so no message goes out twice */
	return sq_rows(
	    c,
	    "UPDATE outbox SET lease_owner = ?, lease_expires_at = ? WHERE id IN (SELECT id FROM "
	    "outbox WHERE channel = ? AND sent_at IS NULL AND failed_at IS NULL AND "
	    "next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?) ORDER BY "
	    "next_attempt_at, id LIMIT ?) AND sent_at IS NULL AND failed_at IS NULL AND "
	    "next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at < ?) RETURNING "
	    "id, channel, kind, user_id, recipient, subject, body_text, body_html, payload, "
	    "headers, created_at, attempts",
	    (struct db_val[]){DB_TEXT(owner), DB_INT(now + ttl), DB_TEXT(channel), DB_INT(now),
	                      DB_INT(now), DB_INT(limit), DB_INT(now), DB_INT(now)},
	    8, rows);
}

int store_outbox_release(struct store_conn *c, int64_t id, const char *owner)
{
	return sq_run(c,
	              "UPDATE outbox SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? "
	              "AND lease_owner = ?",
	              (struct db_val[]){DB_INT(id), DB_TEXT(owner)}, 2);
}
