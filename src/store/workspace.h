/* The client workspace's own tables (schema 34): client members, their one-time links and
 * sessions, what they did, comments, review agendas, survey requests and answers. */
#ifndef KAM_STORE_WORKSPACE_H
#define KAM_STORE_WORKSPACE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"

/* A live client session: the member, their account and the session's CSRF token. */
struct store_client {
	int64_t member_id, account_id;
	char name[256], account_name[256], csrf[64];
	int64_t created_at, last_seen_at;
};

/* Adds a client member of account_id (contact_id 0: none); *id gets theirs. */
int store_member_insert(struct store_conn *c, int64_t account_id, int64_t contact_id,
                        const char *name, const char *email, int64_t invited_by, int64_t now,
                        int64_t *id);
/* Member id as {id, account_id, contact_id, name, email, invited_at, last_visit_at,
 * removed_at} (*out owned); KAM_ENOTFOUND when none. */
int store_member_get(struct store_conn *c, int64_t id, json_t **out);
/* The members of an account, oldest first, as store_member_get gives them (*items owned). */
int store_member_list(struct store_conn *c, int64_t account_id, json_t **items);
/* Marks a member removed and ends their links and sessions at once. */
int store_member_remove(struct store_conn *c, int64_t id, int64_t now);
/* Drops the member's links (replace) and adds one with this token hash. */
int store_wslink_put(struct store_conn *c, int64_t member_id, const char *hash, bool replace,
                     int64_t now, int64_t expires_at);
/* Uses up the live link of token hash: *member_id gets its member (not removed) and the link
 * is deleted, so it works once; KAM_ENOTFOUND for none. */
int store_wslink_take(struct store_conn *c, const char *hash, int64_t now, int64_t *member_id);
/* Stores a client session (hash of its token) for member with its CSRF token. */
int store_wssession_create(struct store_conn *c, const char *hash, int64_t member_id,
                           const char *csrf, int64_t now);
/* The session of hash, of a member not removed; KAM_ENOTFOUND otherwise. */
int store_wssession_lookup(struct store_conn *c, const char *hash, struct store_client *out);
/* Stamps the session and the member's last visit. */
int store_wssession_touch(struct store_conn *c, const char *hash, int64_t member_id, int64_t now);
/* Ends one client session. */
int store_wssession_delete(struct store_conn *c, const char *hash);
/* Records what a client member (or staff, member_id 0) did in the workspace of account. */
int store_ws_activity_add(struct store_conn *c, int64_t account_id, int64_t member_id,
                          const char *actor, const char *action, const char *entity,
                          int64_t entity_id, const char *summary, int64_t now);
/* The account's workspace activity, newest first, at most limit (*items owned). */
int store_ws_activity_list(struct store_conn *c, int64_t account_id, int limit, json_t **items);
/* Adds a comment on an objective or an action (the other 0) of account by a member or a
 * user (the other 0); *id gets its id. */
int store_ws_comment_add(struct store_conn *c, int64_t account_id, int64_t objective_id,
                         int64_t action_id, int64_t member_id, int64_t user_id, const char *author,
                         const char *body, int64_t now, int64_t *id);
/* The account's workspace comments, oldest first (*items owned). */
int store_ws_comments(struct store_conn *c, int64_t account_id, json_t **items);
/* Adds an item to a review's agenda by a member or a user (the other 0). */
int store_agenda_add(struct store_conn *c, int64_t review_id, const char *item, int64_t member_id,
                     int64_t user_id, int64_t now);
/* A review's agenda {id, item, by}, in order (*items owned). */
int store_agenda_list(struct store_conn *c, int64_t review_id, json_t **items);
/* Adds a survey request of account (kind nps|csat); *id gets its id. */
int store_survey_request_add(struct store_conn *c, int64_t account_id, const char *kind,
                             const char *question, int64_t user_id, int64_t now, int64_t *id);
/* One survey request {id, account_id, kind, question, created_at, closed_at} (*out owned). */
int store_survey_request_get(struct store_conn *c, int64_t id, json_t **out);
/* Closes an open survey request at now (a closed one keeps its first closing time). */
int store_survey_request_close(struct store_conn *c, int64_t id, int64_t now);
/* The account's survey requests, newest first, each with its answer count (*items owned). */
int store_survey_requests(struct store_conn *c, int64_t account_id, json_t **items);
/* The open requests of account member has not answered (*items owned). */
int store_survey_pending(struct store_conn *c, int64_t account_id, int64_t member_id,
                         json_t **items);
/* Records member's answer to a request (the survey row survey_id); KAM_ECONFLICT when they
 * answered it already. */
int store_survey_answer_add(struct store_conn *c, int64_t request_id, int64_t member_id,
                            int64_t survey_id, int64_t now);
/* Erases what the workspace holds of the client members who are contact_id (privacy): their
 * name and e-mail, as authors of comments and agenda items and actors of the activity; they
 * are removed, their sessions and links end. *n counts the members. */
int store_privacy_erase_members(struct store_conn *c, int64_t contact_id, int64_t now, int64_t *n);
/* The open cases of account raised by the contacts of its client members (*items owned). */
int store_ws_cases(struct store_conn *c, int64_t account_id, json_t **items);

#endif
