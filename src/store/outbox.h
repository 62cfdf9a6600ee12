/* The outbox: messages (mails, later webhook deliveries) written in the transaction of what
 * caused them and sent by a worker that claims each one under a lease. */
#ifndef KAM_STORE_OUTBOX_H
#define KAM_STORE_OUTBOX_H
#include <jansson.h>
#include "store/store.h"

/* One message to put in the outbox; NULL fields stay empty. */
struct outbox_msg {
	const char *channel; /* "mail" or "webhook" */
	const char *kind;    /* what caused it: "test", "invitation", "alert", "digest" */
	int64_t user_id;     /* 0 for none */
	const char *recipient;
	const char *subject;
	const char *body_text;
	const char *body_html;
	const char *payload;
	const char *headers; /* a JSON object of extra headers */
};

/* Adds m, due at now; *id (may be NULL) gets its id. */
int store_outbox_put(struct store_conn *c, const struct outbox_msg *m, int64_t now, int64_t *id);
/* The ids of up to limit messages of channel due at now, unsent and unclaimed, as [{id}]
 * (*items owned). */
int store_outbox_due(struct store_conn *c, const char *channel, int64_t now, int limit,
                     json_t **items);
/* Claims message id for owner until now + ttl if it is still due and nobody holds it;
 * *got says whether it did (then *row owns the message's columns). */
int store_outbox_claim(struct store_conn *c, int64_t id, const char *owner, int64_t now, int ttl,
                       bool *got, json_t **row);
/* Claims up to limit messages of channel due at now for owner until now + ttl, in one
 * statement, and returns their columns as store_outbox_claim does (*rows owned; [] when
 * none is due or other nodes hold them all). */
int store_outbox_claim_batch(struct store_conn *c, const char *channel, const char *owner,
                             int64_t now, int ttl, int limit, json_t **rows);
/* Gives back owner's claim on id, unsent (due again at once). */
int store_outbox_release(struct store_conn *c, int64_t id, const char *owner);
/* Marks id sent by owner at now. */
int store_outbox_sent(struct store_conn *c, int64_t id, const char *owner, int64_t now);
/* Records a failed attempt of owner: due again at next, or failed for good when next is 0. */
int store_outbox_retry(struct store_conn *c, int64_t id, const char *owner, const char *error,
                       int64_t next, int64_t now);
/* Messages of channel in state "failed", "pending" or "sent", newest first, without their
 * bodies (*items owned). */
int store_outbox_list(struct store_conn *c, const char *channel, const char *state, int limit,
                      json_t **items);
/* Forgets the messages sent before `before` (failed ones stay until an admin has seen them). */
int store_outbox_purge(struct store_conn *c, int64_t before);
/* How many mails failed for good. */
int store_outbox_failed_count(struct store_conn *c, int64_t *n);

/* The highest alert id (0 for none): what was there before a run opened new ones. */
int store_alerts_max_id(struct store_conn *c, int64_t *id);
/* Alerts with an id above after_id, with their account's KAM to mail them to: [{id, severity,
 * rule, account_id, account_name, user_id, email, user_name, immediate}] (*items owned). */
int store_alerts_for_mail(struct store_conn *c, int64_t after_id, json_t **items);
/* Alerts with an id above after_id on accounts whose revenue_12m is at least min_revenue, once
 * per active director who does not own the account, with that director's immediate
 * severities: the rows of store_alerts_for_mail and revenue_12m (*items owned). */
int store_alerts_for_directors(struct store_conn *c, int64_t after_id, int64_t min_revenue,
                               json_t **items);
/* The user's accounts (owned or on the team) whose health rests on enough data, with the
 * health their last digest saw (null when none): [{account_id, name, health, before}]. */
int store_digest_health(struct store_conn *c, int64_t user_id, json_t **items);
/* Replaces what user_id's digest saw with items' {account_id, health}. */
int store_digest_health_put(struct store_conn *c, int64_t user_id, const json_t *items);
/* A user's mail preferences {digest, digest_hour, immediate}, defaults when never set. */
int store_notify_prefs_get(struct store_conn *c, int64_t user_id, json_t **row);
/* Sets a user's mail preferences (immediate: comma-separated severities, "" for none). */
int store_notify_prefs_put(struct store_conn *c, int64_t user_id, bool digest, int hour,
                           const char *immediate);
/* Active users with a digest due: [{id, name, email, role, digest_hour, last_digest_day}]. */
int store_digest_users(struct store_conn *c, json_t **items);
/* Records that user_id's digest of day (YYYY-MM-DD) was dealt with. */
int store_digest_done(struct store_conn *c, int64_t user_id, const char *day);
/* The secret called name, made from fresh (stored) when there is none yet (*value owned). */
int store_secret(struct store_conn *c, const char *name, const char *fresh, char **value);

#endif
