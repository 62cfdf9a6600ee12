/* Password resets by mail: "Forgot your password?" mails a one-time link (an hour, once)
 * to an active user; nothing tells the asker whether the address is a user's. */
#ifndef KAM_APP_RESET_H
#define KAM_APP_RESET_H
#include <stdbool.h>
#include "app/access.h"
#include "app/mail.h"

#define RESET_TOKEN_LEN 64 /* "rst_" and 32 bytes in base64url, with its NUL */
#define RESET_SECONDS 3600 /* how long a reset link works, from when its mail went out */

/* Whether this server mails reset links (mail on and KAM_PUBLIC_URL set). */
bool app_reset_mail_on(void);
/* Queues a reset mail for the active user with this e-mail, if any and if mail is on; the
 * same KAM_OK whether or not the address is a user's (the caller answers alike). */
int app_reset_request(struct store_conn *db, const char *email, int64_t now);
/* Reset links are found and used with app_onetime_find / app_onetime_accept (app/users.h,
 * app_resets). */
/* A fresh reset link of user_id in its own transaction, for the mail going out now (the
 * token exists only in the mail; the outbox row holds "{{link}}"). */
int app_reset_link(struct store_conn *db, const struct mail_config *c, int64_t user_id, int64_t now,
                   char *link, size_t linklen);

#endif
