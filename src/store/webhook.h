/* Webhook endpoints, their deliveries (outbox rows of channel "webhook", recipient the
 * endpoint's id) and the log of every attempt. */
#ifndef KAM_STORE_WEBHOOK_H
#define KAM_STORE_WEBHOOK_H
#include <jansson.h>
#include "store/store.h"

/* An endpoint's columns as the app writes them. */
struct store_webhook {
	const char *url;
	const char *description;
	const char *events; /* comma-separated */
	const char *format; /* "standard", "slack" or "teams" */
	bool enabled;
};

/* Adds an endpoint with secret; *id gets its id. */
int store_webhook_insert(struct store_conn *c, const struct store_webhook *w, const char *secret,
                         int64_t created_by, int64_t now, int64_t *id);
/* One endpoint with every column (*row owned); KAM_ENOTFOUND when there is none. */
int store_webhook_get(struct store_conn *c, int64_t id, json_t **row);
/* Every endpoint, oldest first, with its pending and failed delivery counts (*items owned). */
int store_webhook_list(struct store_conn *c, json_t **items);
/* Writes the endpoint's settings; turning it on clears why kam turned it off. */
int store_webhook_update(struct store_conn *c, int64_t id, const struct store_webhook *w,
                         int64_t now);
/* Removes the endpoint and the deliveries it still had to make. */
int store_webhook_delete(struct store_conn *c, int64_t id);
/* A new secret; the previous one keeps signing until previous_until. */
int store_webhook_rotate(struct store_conn *c, int64_t id, const char *secret, const char *previous,
                         int64_t previous_until, int64_t now);
/* Turns the endpoint off for reason (persistent failure). */
int store_webhook_disable(struct store_conn *c, int64_t id, const char *reason, int64_t now);
/* The enabled endpoints [{id, events, format}] (*items owned). */
int store_webhooks_enabled(struct store_conn *c, json_t **items);
/* The first undelivered row of each enabled endpoint, if due at now and unclaimed: [{id}]
 * (a later event waits while an earlier one is pending; *items owned). */
int store_webhook_due(struct store_conn *c, int64_t now, int limit, json_t **items);
/* Logs one attempt (code 0: no answer). */
int store_webhook_attempt(struct store_conn *c, int64_t webhook_id, int64_t outbox_id, int64_t at,
                          int code, int64_t ms, const char *error, const char *response);
/* The deliveries of endpoint id below before (0: from the newest), newest first, up to
 * limit, each with its attempts, newest first (*items owned). */
int store_webhook_deliveries(struct store_conn *c, int64_t id, int64_t before, int limit,
                             json_t **items);
/* The endpoint (*webhook_id) a delivery belongs to; KAM_ENOTFOUND for no delivery. */
int store_webhook_delivery_owner(struct store_conn *c, int64_t outbox_id, int64_t *webhook_id);
/* Makes a delivery due again at now, from its first attempt (same id, same payload). */
int store_webhook_replay(struct store_conn *c, int64_t outbox_id, int64_t now);
/* Every account that has a segment [{id, segment}] (*items owned). */
int store_webhook_segments(struct store_conn *c, json_t **items);
/* The active admins [{id, name, email}], to tell them of an endpoint turned off. */
int store_webhook_admins(struct store_conn *c, json_t **items);
/* Alerts opened above after_id (state open), or resolved at exactly resolved_at when
 * after_id < 0, as stored rows (*items owned). */
int store_webhook_alerts(struct store_conn *c, int64_t after_id, int64_t resolved_at,
                         json_t **items);

#endif
