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
/* Marks id sent by owner at now. */
int store_outbox_sent(struct store_conn *c, int64_t id, const char *owner, int64_t now);
/* Records a failed attempt of owner: due again at next, or failed for good when next is 0. */
int store_outbox_retry(struct store_conn *c, int64_t id, const char *owner, const char *error,
                       int64_t next, int64_t now);
/* Messages of channel in state "failed", "pending" or "sent", newest first, without their
 * bodies (*items owned). */
int store_outbox_list(struct store_conn *c, const char *channel, const char *state, int limit,
                      json_t **items);
/* How many messages failed for good. */
int store_outbox_failed_count(struct store_conn *c, int64_t *n);

#endif
