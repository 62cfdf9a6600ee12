/* Mail: the SMTP server from the environment (never stored in the database), the outbox
 * writer and its worker, which sends due mails through libcurl with retries and backoff. */
#ifndef KAM_APP_MAIL_H
#define KAM_APP_MAIL_H
#include <stdbool.h>
#include <jansson.h>
#include "app/access.h"
#include "store/store.h"

/* The mail settings of this process, read from KAM_SMTP_URL, KAM_SMTP_TLS, KAM_SMTP_USER,
 * KAM_SMTP_PASSWORD_FILE or KAM_SMTP_PASSWORD, KAM_MAIL_FROM and KAM_PUBLIC_URL. */
struct mail_config {
	bool on; /* a server and a from-address are set */
	char url[512];
	bool plain; /* KAM_SMTP_TLS=none: no STARTTLS (localhost only) */
	char user[256];
	char password[256];
	char from[320];
	char public_url[512];
	int retry_base;   /* seconds before the first retry (KAM_MAIL_RETRY_SECONDS), doubling */
	int max_attempts; /* tries before a mail fails for good (KAM_MAIL_ATTEMPTS, default 8) */
};

/* Fills c from the environment; a setting that cannot be used gets KAM_EINVAL and a reason in
 * err. Unset KAM_SMTP_URL is not an error: c->on is false. */
int app_mail_config(struct mail_config *c, char *err, size_t errlen);
/* Initialises libcurl once, before any thread starts. */
void app_mail_global_init(void);
/* Sends message (RFC 5322 text) to one address now; answer gets the server's last reply
 * (or why there was none); *permanent says a 5xx refusal (retrying will not help). */
int app_smtp_send(const struct mail_config *c, const char *to, const char *message, char *answer,
                  size_t alen, bool *permanent);
/* Puts a mail in the outbox inside the caller's transaction; "{{link}}" in an invitation's
 * text is filled in when it is sent. unsubscribe may be NULL. */
int app_mail_enqueue(struct store_conn *db, const char *kind, int64_t user_id, const char *to,
                     const char *to_name, const char *subject, const char *text, const char *html,
                     const char *unsubscribe, int64_t now);
/* Sends the mails due at now (one node each: a lease per message, held by owner); counts in
 * *sent and *failed (failed for good or to retry). */
int app_outbox_run(struct store_conn *db, const char *owner, int64_t now, int *sent, int *failed);
/* Composes a message for to (id names the Message-ID) at now (*out owned). */
int app_mail_message(const struct mail_config *c, int64_t id, const char *to, const char *to_name,
                     const char *subject, const char *text, const char *html,
                     const char *unsubscribe, int64_t now, char **out);
/* The mails in state ("failed" when NULL, "pending", "sent"), newest first, with the count
 * of failed ones, as {items, failed} (admins; *out owned). */
int app_outbox_list(struct store_conn *db, const struct actor *who, const char *state, json_t **out,
                    struct kam_errinfo *ei);
/* Puts in the outbox, inside the caller's transaction (the alerts run), an immediate mail to
 * each account's KAM for the alerts above after_id of a severity they chose. */
int app_mail_alerts(struct store_conn *db, int64_t after_id, int64_t now);
/* Queues the daily digest of each user whose local hour (settings.time_zone) has come and
 * who has had none today; nothing to say, no mail. *queued counts the mails. */
int app_digest_run(struct store_conn *db, int64_t now, int *queued);
/* Turns off every mail of the user named by a signed unsubscribe token (no login);
 * KAM_ENOTFOUND for a token that is not one. */
int app_unsubscribe(struct store_conn *db, const char *token);
/* The actor's mail preferences {digest, digest_hour, immediate[]} (*out owned). */
int app_notify_get(struct store_conn *db, const struct actor *who, json_t **out);
/* Changes the actor's mail preferences from patch (fields as app_notify_get gives them);
 * KAM_EINVAL names a bad field. *out gets the result (owned). */
int app_notify_patch(struct store_conn *db, const struct actor *who, const json_t *patch,
                     json_t **out, struct kam_errinfo *ei);

#endif
