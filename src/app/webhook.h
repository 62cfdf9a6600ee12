/* Webhooks: endpoints admins subscribe to events, the events written into the outbox in the
 * transaction of what caused them, and the worker that delivers them signed per the
 * Standard Webhooks spec, in order per endpoint, with SSRF checks (docs/webhooks.md). */
#ifndef KAM_APP_WEBHOOK_H
#define KAM_APP_WEBHOOK_H
#include <stdbool.h>
#include <jansson.h>
#include "app/access.h"
#include "store/store.h"
#include "util/buf.h"

/* Delivery settings of this process, from KAM_WEBHOOK_* (docs/webhooks.md). */
struct webhook_config {
	int retry_base;   /* seconds before the first retry, doubling (at most 12 h apart) */
	int max_attempts; /* tries before a delivery fails for good */
	int max_age;      /* seconds after the event past which no retry is made (3 days) */
	int timeout;      /* seconds for a whole attempt */
	char allow[1024]; /* KAM_WEBHOOK_ALLOW: addresses or CIDR ranges allowed though private */
	char public_url[512];
};

/* Fills c from the environment (out-of-range values keep the defaults). */
void app_webhook_config(struct webhook_config *c);
/* Whether url may be delivered to: http(s), a host that resolves only to public addresses
 * or allow-listed ones. KAM_EINVAL with the reason in why otherwise. pin (may be NULL) gets
 * "host:port:address" for CURLOPT_RESOLVE ("" for an address literal). */
int app_webhook_url_check(const struct webhook_config *c, const char *url, char *why, size_t whylen,
                          char *pin, size_t pinlen);
/* Whether addr (IPv4 or IPv6 text) is one kam refuses to call without the allow-list. */
bool app_webhook_addr_private(const char *addr);
/* The v1 signatures of a message: "v1,<base64>" for secret and, when not NULL, previous,
 * separated by a space (*out owned). */
int app_webhook_sign(const char *secret, const char *previous, const char *msg_id, int64_t ts,
                     const char *body, char **out);

/* The endpoints (admins): {items, events} (*out owned). */
int app_webhook_list(struct store_conn *db, const struct actor *who, json_t **out,
                     struct kam_errinfo *ei);
/* One endpoint (*out owned); KAM_ENOTFOUND for none. */
int app_webhook_get(struct store_conn *db, const struct actor *who, int64_t id, json_t **out,
                    struct kam_errinfo *ei);
/* Creates an endpoint from body {url, description, events, format, enabled}; *out (owned)
 * has its secret, shown this once. */
int app_webhook_create(struct store_conn *db, const struct actor *who, json_t *body, json_t **out,
                       struct kam_errinfo *ei);
/* Changes fields of an endpoint (*out owned). */
int app_webhook_patch(struct store_conn *db, const struct actor *who, int64_t id, json_t *body,
                      json_t **out, struct kam_errinfo *ei);
/* Removes an endpoint and its undelivered events. */
int app_webhook_delete(struct store_conn *db, const struct actor *who, int64_t id,
                       struct kam_errinfo *ei);
/* A new secret (in *out, owned, shown once); the old one also signs for 24 hours. */
int app_webhook_rotate(struct store_conn *db, const struct actor *who, int64_t id, json_t **out,
                       struct kam_errinfo *ei);
/* Queues a "ping" event to the endpoint; *out (owned) names the delivery. */
int app_webhook_ping(struct store_conn *db, const struct actor *who, int64_t id, json_t **out,
                     struct kam_errinfo *ei);
/* The endpoint's deliveries, newest first, before cursor (NULL: the newest), limit a page;
 * {items, next} (*out owned). */
int app_webhook_deliveries(struct store_conn *db, const struct actor *who, int64_t id,
                           const char *cursor, int limit, json_t **out, struct kam_errinfo *ei);
/* Queues a delivery again with the same id and body (*out owned: the delivery). */
int app_webhook_replay(struct store_conn *db, const struct actor *who, int64_t delivery_id,
                       json_t **out, struct kam_errinfo *ei);

/* Puts event type with data (the resource as the API gives it) and previous (may be NULL:
 * the fields that changed, as they were) in the outbox of every enabled endpoint that
 * subscribed to it, inside the caller's transaction. */
int app_webhook_emit(struct store_conn *db, const char *type, const json_t *data,
                     const json_t *previous);
struct app_resource;
/* The events a write of r's record makes (account.created, opportunity.won, …), with the
 * record as the API gives it (r's decoration for who): before NULL on create. */
int app_webhook_record(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                       const json_t *before, const json_t *after);
/* account.tier_changed for account id, which had tier previous. */
int app_webhook_tier(struct store_conn *db, int64_t id, const char *previous);
/* The accounts' segments before a refresh, when an endpoint wants account.segment_changed
 * (*before owned; NULL otherwise). */
int app_webhook_segments_before(struct store_conn *db, json_t **before);
/* account.segment_changed for each account whose segment differs from before's (which it
 * frees). */
int app_webhook_segments_after(struct store_conn *db, json_t *before);
/* alert.opened for the open alerts above after_id (an alerts run), and the events their
 * rules stand for: case.sla_breached, survey.detractor, action.overdue, plan.review_due. */
int app_webhook_alerts_opened(struct store_conn *db, int64_t after_id);
/* alert.resolved for the alerts resolved at exactly at (an alerts run). */
int app_webhook_alerts_resolved(struct store_conn *db, int64_t at);
/* alert.resolved for alert id (resolved by hand). */
int app_webhook_alert_resolved(struct store_conn *db, int64_t id);

/* Delivers what is due at now, each delivery under a lease held by owner; counts in *sent
 * and *failed. */
int app_webhook_run(struct store_conn *db, const char *owner, int64_t now, int *sent, int *failed);

struct app_webhooks;
/* Starts the delivery thread (polls every KAM_WEBHOOK_POLL_MS, default 250 ms) on a
 * connection of st of its own; *out owned, stopped by app_webhooks_stop. */
int app_webhooks_start(struct store *st, struct app_webhooks **out);
/* Stops the delivery thread (after the attempt in progress) and frees it. */
void app_webhooks_stop(struct app_webhooks *w);
/* Appends the delivery counters of this process (Prometheus text) to b. */
void app_webhooks_metrics_write(struct buf *b);

#endif
