/* Webhook endpoints and their deliveries (see webhook.h). */
#include <stdio.h>
#include <string.h>
#include "store/internal.h"
#include "store/webhook.h"

#define WEBHOOK_COLS                                                                               \
	"w.id, w.url, w.description, w.events, w.format, w.enabled, w.secret, "                    \
	"w.previous_secret, w.previous_secret_until, w.disabled_reason, w.disabled_at, "           \
	"w.created_by, w.created_at, w.updated_at"

int store_webhook_insert(struct store_conn *c, const struct store_webhook *w, const char *secret,
                         int64_t created_by, int64_t now, int64_t *id)
{
	return sq_int(c,
	              "INSERT INTO webhooks (url, description, events, format, enabled, secret, "
	              "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
	              "RETURNING id",
	              (struct db_val[]){
	                  DB_TEXT(w->url), DB_TEXT(w->description), DB_TEXT(w->events),
	                  DB_TEXT(w->format), DB_INT(w->enabled ? 1 : 0), DB_TEXT(secret),
	                  created_by > 0 ? DB_INT(created_by) : DB_NULL, DB_INT(now), DB_INT(now)},
	              9, id);
}

int store_webhook_get(struct store_conn *c, int64_t id, json_t **row)
{
	json_t *rows = NULL;
	int rc = sq_rows(c, "SELECT " WEBHOOK_COLS " FROM webhooks w WHERE w.id = ?",
	                 (struct db_val[]){DB_INT(id)}, 1, &rows);

	*row = NULL;
	if (rc == KAM_OK && json_array_size(rows) == 1)
		*row = json_incref(json_array_get(rows, 0));
	else if (rc == KAM_OK)
		rc = KAM_ENOTFOUND;
	json_decref(rows);
	return rc;
}

int store_webhook_list(struct store_conn *c, json_t **items)
{
	return sq_rows(c,
	               "SELECT " WEBHOOK_COLS
	               ", (SELECT count(*) FROM outbox o WHERE o.channel = 'webhook' AND "
	               "o.recipient = CAST(w.id AS TEXT) AND o.sent_at IS NULL AND o.failed_at IS "
	               "NULL) AS pending, (SELECT count(*) FROM outbox o WHERE o.channel = "
	               "'webhook' AND o.recipient = CAST(w.id AS TEXT) AND o.failed_at IS NOT "
	               "NULL) AS failed FROM webhooks w ORDER BY w.id",
	               NULL, 0, items);
}

int store_webhook_update(struct store_conn *c, int64_t id, const struct store_webhook *w,
                         int64_t now)
{
	return sq_run(c,
	              "UPDATE webhooks SET url = ?, description = ?, events = ?, format = ?, "
	              "enabled = ?, disabled_reason = CASE WHEN ? = 1 THEN NULL ELSE "
	              "disabled_reason END, disabled_at = CASE WHEN ? = 1 THEN NULL ELSE "
	              "disabled_at END, updated_at = ? WHERE id = ?",
	              (struct db_val[]){DB_TEXT(w->url), DB_TEXT(w->description),
	                                DB_TEXT(w->events), DB_TEXT(w->format),
	                                DB_INT(w->enabled ? 1 : 0), DB_INT(w->enabled ? 1 : 0),
	                                DB_INT(w->enabled ? 1 : 0), DB_INT(now), DB_INT(id)},
	              9);
}

int store_webhook_delete(struct store_conn *c, int64_t id)
{
	char rcpt[32];
	int rc;

	const char *rcpt_p = rcpt;

	snprintf(rcpt, sizeof(rcpt), "%lld", (long long)id);
	rc = sq_run(c, "DELETE FROM outbox WHERE channel = 'webhook' AND recipient = ?",
	            (struct db_val[]){DB_TEXT((const char *)rcpt_p)}, 1);
	if (rc == KAM_OK)
		rc = sq_run(c, "DELETE FROM webhooks WHERE id = ?", (struct db_val[]){DB_INT(id)},
		            1);
	return rc;
}

int store_webhook_rotate(struct store_conn *c, int64_t id, const char *secret, const char *previous,
                         int64_t previous_until, int64_t now)
{
	return sq_run(c,
	              "UPDATE webhooks SET secret = ?, previous_secret = ?, previous_secret_until "
	              "= ?, updated_at = ? WHERE id = ?",
	              (struct db_val[]){DB_TEXT(secret), DB_TEXT(previous), DB_INT(previous_until),
	                                DB_INT(now), DB_INT(id)},
	              5);
}

int store_webhook_disable(struct store_conn *c, int64_t id, const char *reason, int64_t now)
{
	return sq_run(c,
	              "UPDATE webhooks SET enabled = 0, disabled_reason = ?, disabled_at = ?, "
	              "updated_at = ? WHERE id = ?",
	              (struct db_val[]){DB_TEXT(reason), DB_INT(now), DB_INT(now), DB_INT(id)}, 4);
}

int store_webhooks_enabled(struct store_conn *c, json_t **items)
{
	return sq_rows(c, "SELECT id, events, format FROM webhooks WHERE enabled <> 0 ORDER BY id",
	               NULL, 0, items);
}

int store_webhook_due(struct store_conn *c, int64_t now, int limit, json_t **items)
{
	return sq_rows(
	    c,
	    "SELECT o.id FROM outbox o JOIN webhooks w ON CAST(w.id AS TEXT) = o.recipient WHERE "
	    "o.channel = 'webhook' AND o.sent_at IS NULL AND o.failed_at IS NULL AND w.enabled "
	    "<> 0 AND o.next_attempt_at <= ? AND (o.lease_expires_at IS NULL OR "
	    "o.lease_expires_at < ?) AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = "
	    "'webhook' AND p.recipient = o.recipient AND p.id < o.id AND p.sent_at IS NULL AND "
	    "p.failed_at IS NULL) ORDER BY o.id LIMIT ?",
	    (struct db_val[]){DB_INT(now), DB_INT(now), DB_INT(limit)}, 3, items);
}

int store_webhook_attempt(struct store_conn *c, int64_t webhook_id, int64_t outbox_id, int64_t at,
                          int code, int64_t ms, const char *error, const char *response)
{
	return sq_run(c,
	              "INSERT INTO webhook_attempts (webhook_id, outbox_id, at, status_code, "
	              "duration_ms, error, response) VALUES (?, ?, ?, ?, ?, ?, ?)",
	              (struct db_val[]){DB_INT(webhook_id), DB_INT(outbox_id), DB_INT(at),
	                                code > 0 ? DB_INT(code) : DB_NULL, DB_INT(ms),
	                                DB_TEXT(error), DB_TEXT(response)},
	              7);
}

int store_webhook_deliveries(struct store_conn *c, int64_t id, int64_t before, int limit,
                             json_t **items)
{
	char rcpt[32];
	json_t *rows = NULL, *att = NULL, *r, *a;
	const char *rcpt_p = rcpt;
	size_t i, k;
	int rc;

	*items = NULL;
	snprintf(rcpt, sizeof(rcpt), "%lld", (long long)id);
	rc = sq_rows(
	    c,
	    "SELECT id, kind, payload, headers, created_at, next_attempt_at, attempts, "
	    "last_error, sent_at, failed_at FROM outbox WHERE channel = 'webhook' AND "
	    "recipient = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
	    (struct db_val[]){DB_TEXT(rcpt_p), DB_INT(before), DB_INT(before), DB_INT(limit)}, 4,
	    &rows);
	if (rc != KAM_OK || json_array_size(rows) == 0)
		goto out;
	rc = sq_rows(
	    c,
	    "SELECT id, outbox_id, at, status_code, duration_ms, error, response FROM "
	    "webhook_attempts WHERE webhook_id = ? AND outbox_id >= ? AND outbox_id <= ? ORDER BY "
	    "id DESC",
	    (struct db_val[]){
	        DB_INT(id),
	        DB_INT(json_integer_value(
	            json_object_get(json_array_get(rows, json_array_size(rows) - 1), "id"))),
	        DB_INT(json_integer_value(json_object_get(json_array_get(rows, 0), "id")))},
	    3, &att);
	if (rc != KAM_OK)
		goto out;
	json_array_foreach(rows, i, r)
	{
		json_t *list = json_array();
		json_int_t oid = json_integer_value(json_object_get(r, "id"));

		json_array_foreach(
		    att, k, a) if (json_integer_value(json_object_get(a, "outbox_id")) == oid)
		    json_array_append(list, a);
		json_object_set_new(r, "attempt_log", list);
	}
out:
	json_decref(att);
	if (rc == KAM_OK)
		*items = rows;
	else
		json_decref(rows);
	return rc;
}

int store_webhook_delivery_owner(struct store_conn *c, int64_t outbox_id, int64_t *webhook_id)
{
	json_t *rows = NULL;
	int rc = sq_rows(c, "SELECT recipient FROM outbox WHERE id = ? AND channel = 'webhook'",
	                 (struct db_val[]){DB_INT(outbox_id)}, 1, &rows);

	*webhook_id = 0;
	if (rc == KAM_OK && json_array_size(rows) == 1) {
		const char *r =
		    json_string_value(json_object_get(json_array_get(rows, 0), "recipient"));
		for (const char *p = r; p && *p >= '0' && *p <= '9'; p++)
			*webhook_id = *webhook_id * 10 + (*p - '0');
	}
	if (rc == KAM_OK && *webhook_id == 0)
		rc = KAM_ENOTFOUND;
	json_decref(rows);
	return rc;
}

int store_webhook_replay(struct store_conn *c, int64_t outbox_id, int64_t now)
{
	return sq_run(c,
	              "UPDATE outbox SET sent_at = NULL, failed_at = NULL, attempts = 0, "
	              "last_error = NULL, next_attempt_at = ?, created_at = ?, lease_owner = NULL, "
	              "lease_expires_at = NULL WHERE id = ? AND channel = 'webhook'",
	              (struct db_val[]){DB_INT(now), DB_INT(now), DB_INT(outbox_id)}, 3);
}

int store_webhook_segments(struct store_conn *c, json_t **items)
{
	return sq_rows(c, "SELECT id, segment FROM accounts WHERE segment IS NOT NULL", NULL, 0,
	               items);
}

int store_webhook_admins(struct store_conn *c, json_t **items)
{
	return sq_rows(c,
	               "SELECT id, name, email FROM users WHERE role = 'admin' AND active <> 0 "
	               "ORDER BY id",
	               NULL, 0, items);
}

int store_webhook_alerts(struct store_conn *c, int64_t after_id, int64_t resolved_at,
                         json_t **items)
{
	if (after_id >= 0)
		return sq_rows(c,
		               "SELECT * FROM alerts WHERE id > ? AND state = 'open' ORDER BY id",
		               (struct db_val[]){DB_INT(after_id)}, 1, items);
	return sq_rows(c,
	               "SELECT * FROM alerts WHERE state = 'resolved' AND resolved_at = ? ORDER "
	               "BY id",
	               (struct db_val[]){DB_INT(resolved_at)}, 1, items);
}
