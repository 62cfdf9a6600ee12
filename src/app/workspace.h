/*
 * The client workspace (issue 19, docs/workspace.md): the client's people (client members)
 * work in their one account's joint plan. Staff operations take a staff actor and the usual
 * account rules; client operations take a ROLE_CLIENT actor (member_id, member_account) and
 * reach only that account's shared records, listed key by key (nothing internal is filtered
 * out of a record: what goes out is picked in).
 */
#ifndef KAM_APP_WORKSPACE_H
#define KAM_APP_WORKSPACE_H
#include "app/record.h"

#define WS_TOKEN_LEN 64 /* "ws_" and 32 bytes in base64url, with its NUL */
#define WS_LINK_DAYS 7  /* how long a sign-in link works (once) */
#define WS_CSRF_LEN 48

/* --- staff --------------------------------------------------------------------------------- */

/* Invites {name, email, contact_id?} to account_id's workspace: the member with a one-time
 * link {link, expires_at} and mailed (a second link goes by mail when mail is set up). */
int app_ws_member_create(struct store_conn *db, const struct actor *who, int64_t account_id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei);
/* The account's client members {items} (*out owned). */
int app_ws_members(struct store_conn *db, const struct actor *who, int64_t account_id,
                   json_t **out);
/* A fresh one-time link for member id; every earlier link of theirs dies. */
int app_ws_member_link(struct store_conn *db, const struct actor *who, int64_t id, json_t **out,
                       struct kam_errinfo *ei);
/* Removes member id: their links and sessions end at once. */
int app_ws_member_remove(struct store_conn *db, const struct actor *who, int64_t id,
                         struct kam_errinfo *ei);
/* What client members did in the account's workspace, newest first {items}. */
int app_ws_activity(struct store_conn *db, const struct actor *who, int64_t account_id,
                    json_t **out);
/* Proposes a joint review of plan_id {proposed_on, agenda: [text]}: the review, with agenda. */
int app_ws_review_create(struct store_conn *db, const struct actor *who, int64_t plan_id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei);
/* The reviews of plan_id with their agendas {items}. */
int app_ws_reviews(struct store_conn *db, const struct actor *who, int64_t plan_id, json_t **out);
/* Adds a review's agenda to rec (a review record going out). */
int app_ws_review_decorate(struct store_conn *db, const struct actor *who, json_t *rec,
                           bool single);
/* Asks the account's client members for an NPS or CSAT answer {kind, question?}. */
int app_ws_survey_request(struct store_conn *db, const struct actor *who, int64_t account_id,
                          const json_t *body, json_t **out, struct kam_errinfo *ei);
/* The account's survey requests with their answer counts {items}. */
int app_ws_survey_requests(struct store_conn *db, const struct actor *who, int64_t account_id,
                           json_t **out);
/* Closes survey request request_id of account_id (its KAM, a director or an admin): the
 * client is no longer asked to answer it, its answers stay; closing a closed one changes
 * nothing. *out gets the request as the list shows it. */
int app_ws_survey_request_close(struct store_conn *db, const struct actor *who, int64_t account_id,
                                int64_t request_id, json_t **out, struct kam_errinfo *ei);
/* The account's workspace comments {items}. */
int app_ws_comments(struct store_conn *db, const struct actor *who, int64_t account_id,
                    json_t **out);
/* A staff reply {objective_id|action_id, body} in the account's workspace. */
int app_ws_staff_comment(struct store_conn *db, const struct actor *who, int64_t account_id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei);

/* Makes a one-time link of member_id when its mail goes out (the outbox never holds a
 * token), in a transaction of its own: link gets public_url + "/#/workspace/<token>". */
int app_ws_mail_link(struct store_conn *db, const char *public_url, int64_t member_id, int64_t now,
                     char *link, size_t linklen);

/* --- client members ---------------------------------------------------------------------- */

/* Exchanges a one-time link's token for a client session at now (throttled per addr):
 * cookie gets the session token, csrf its CSRF token, *out {member, account, csrf_token}.
 * KAM_ENOTFOUND for a token not live; KAM_ERATE (*retry_after) when addr tried too often. */
int app_ws_session_open(struct store_conn *db, const char *token, const char *addr, int64_t now,
                        char cookie[WS_TOKEN_LEN], char csrf[WS_CSRF_LEN], json_t **out,
                        int64_t *retry_after);
/* Ends the client session whose token hashes to hash. */
int app_ws_session_close(struct store_conn *db, const char *hash);
/* Everything the member sees of their account's workspace (*out owned). */
int app_ws_view(struct store_conn *db, const struct actor *who, json_t **out);
/* Changes {status?, due_on?} of an action on their side (theirs or joint). */
int app_ws_action_update(struct store_conn *db, const struct actor *who, int64_t id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei);
/* Proposes an action {title, due_on?, objective_id?} in the current plan: status proposed. */
int app_ws_action_propose(struct store_conn *db, const struct actor *who, const json_t *body,
                          json_t **out, struct kam_errinfo *ei);
/* Comments {objective_id|action_id, body} on a client-visible objective or action. */
int app_ws_comment(struct store_conn *db, const struct actor *who, const json_t *body, json_t **out,
                   struct kam_errinfo *ei);
/* Answers a joint review: what is "confirm", "propose" {proposed_on} or "agenda" {item}. */
int app_ws_review_answer(struct store_conn *db, const struct actor *who, int64_t id,
                         const char *what, const json_t *body, json_t **out,
                         struct kam_errinfo *ei);
/* Answers survey request id {score, comment?}: a survey row like any other; KAM_ECONFLICT for
 * a second answer of the same member. */
int app_ws_survey_answer(struct store_conn *db, const struct actor *who, int64_t id,
                         const json_t *body, json_t **out, struct kam_errinfo *ei);
/* The one-page plan document with the workspace's content only, "pdf" or "html". */
int app_ws_document(struct store_conn *db, const struct actor *who, const char *format, char **buf,
                    size_t *len, char *filename, size_t fnlen, char *err, size_t errlen);

#endif
