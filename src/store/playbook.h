/* Playbooks, their steps and runs (issue 17): the SQL, the same on both backends. */
#ifndef KAM_STORE_PLAYBOOK_H
#define KAM_STORE_PLAYBOOK_H
#include "store/store.h"

/* Every playbook (id = 0) or one, oldest first, as rows of the playbooks table with steps
 * as an array ordered by position; *out owned. One id that does not exist: KAM_ENOTFOUND. */
int store_playbooks(struct store_conn *c, int64_t id, json_t **out);
/* Inserts pb (as playbook_check returns it) with its steps; *id gets its id. */
int store_playbook_insert(struct store_conn *c, const json_t *pb, int64_t now, int64_t *id);
/* Replaces playbook id with pb and its steps and bumps its version when it is want (< 0:
 * any); KAM_ESTALE when it moved, KAM_ENOTFOUND when it is gone. */
int store_playbook_update(struct store_conn *c, int64_t id, const json_t *pb, int64_t want,
                          int64_t now);
/* Deletes playbook id (its runs stay, without it); KAM_ENOTFOUND when missing. */
int store_playbook_delete(struct store_conn *c, int64_t id);

/* What a run is started with. */
struct store_run {
	int64_t playbook_id, version, account_id, plan_id, alert_id, review_id, started_by;
	const char *name, *started_on, *trigger_kind, *trigger_key, *why;
};
/* The id of the run of (playbook, account, trigger_key), or KAM_ENOTFOUND. */
int store_run_find(struct store_conn *c, int64_t playbook_id, int64_t account_id,
                   const char *trigger_key, int64_t *id);
/* Inserts a run; KAM_ECONFLICT when its trigger already started one. */
int store_run_insert(struct store_conn *c, const struct store_run *r, int64_t now, int64_t *id);
/* Links action_id to run_id as its step at position. */
int store_run_link(struct store_conn *c, int64_t run_id, int64_t action_id, int position);
/* How many runs of playbook_id on account_id have some step still open or in progress. */
int store_run_open_count(struct store_conn *c, int64_t playbook_id, int64_t account_id, int64_t *n);

/* Which runs a list wants: 0 / NULL for no condition. */
struct store_run_query {
	int64_t id, account_id, owner_id; /* owner: of the account or of a step */
	int64_t scope;                    /* only accounts this user owns or is on the team of */
	const char *today;                /* YYYY-MM-DD, for overdue steps */
	int limit;
};
/* Runs, newest first, with account_name, total, done, cancelled, open, overdue step counts
 * and the plan's title; *out owned. */
int store_runs(struct store_conn *c, const struct store_run_query *q, json_t **out);
/* The steps (actions) of run_id in order: id, position, title, owner_id, owner_name,
 * due_on, status, done_on, objective_id; *out owned. */
int store_run_steps(struct store_conn *c, int64_t run_id, json_t **out);

/* The active user who owns a step of role on account_id: the team member of that role
 * (lowest id), the first active director for "director"; 0 when nobody fits. */
int store_role_user(struct store_conn *c, int64_t account_id, const char *role, int64_t *user);

/* Live alerts of an account whose rule starts an enabled auto_start playbook (on a key
 * account when it says so) and that have not started it yet: alert_id, account_id, rule,
 * evidence, opened_at, playbook_id; *out owned. */
int store_playbook_alerts(struct store_conn *c, json_t **out);
/* The next review planned by each active plan's latest review on or after today, with each
 * enabled auto_start review playbook (key accounts only when it says so): playbook_id,
 * days_before, review_id, plan_id, account_id, next_review_on; *out owned. */
int store_playbook_reviews(struct store_conn *c, const char *today, json_t **out);

/* The rows an alert of rule on account_id rests on, for "why did this fire?": {kind, id,
 * label, on} (kind: case, action, survey, interaction, opportunity, contact, review,
 * account), at most 20; survey_id names a detractor alert's answer. *out owned. */
int store_why_rows(struct store_conn *c, const char *rule, int64_t account_id, int64_t user_id,
                   int64_t survey_id, const char *today, json_t **out);

/* The account's active plan (the latest period), or KAM_ENOTFOUND. */
int store_active_plan(struct store_conn *c, int64_t account_id, int64_t *plan_id);
/* The first objective of plan_id titled title, or KAM_ENOTFOUND. */
int store_plan_objective(struct store_conn *c, int64_t plan_id, const char *title, int64_t *id);

/* The runs alert_id started: id, name, playbook_id, account_id; *out owned. */
int store_alert_runs(struct store_conn *c, int64_t alert_id, json_t **out);

/* How many runs of playbook_id on account_id were started by hand. */
int store_run_count_manual(struct store_conn *c, int64_t playbook_id, int64_t account_id,
                           int64_t *n);

#endif
