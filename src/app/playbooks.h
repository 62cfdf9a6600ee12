/*
 * Playbooks (issue 17): the library (admins and directors write it, everyone reads it), runs
 * started by hand, by an alert rule or by the review schedule, and "why did this fire?" for
 * alerts and runs. docs/playbooks.md says what a user sees.
 */
#ifndef KAM_APP_PLAYBOOKS_H
#define KAM_APP_PLAYBOOKS_H
#include "app/access.h"

/* Every playbook, or one (id > 0; KAM_ENOTFOUND when missing), with its steps; *out owned:
 * {items} for all, the playbook for one. */
int app_playbooks_get(struct store_conn *db, const struct actor *who, int64_t id, json_t **out);
/* Creates a playbook from body (admins and directors), in a transaction of its own. */
int app_playbook_create(struct store_conn *db, const struct actor *who, json_t *body, json_t **out,
                        struct kam_errinfo *ei);
/* Changes playbook id with the fields of body (steps replace the steps), bumping its version;
 * want < 0: any version. Runs already started keep theirs. */
int app_playbook_update(struct store_conn *db, const struct actor *who, int64_t id, json_t *body,
                        int64_t want, json_t **out, struct kam_errinfo *ei);
/* Deletes playbook id; its runs and their actions stay. */
int app_playbook_delete(struct store_conn *db, const struct actor *who, int64_t id, int64_t want,
                        struct kam_errinfo *ei);

/* Starts body.playbook_id on account_id by hand (its KAM, a KAM on its team, directors,
 * admins): the steps become actions of the active plan in one transaction. 409 when the
 * account has no active plan or a run of that playbook is still open. *out owned: the run. */
int app_run_start(struct store_conn *db, const struct actor *who, int64_t account_id, json_t *body,
                  json_t **out, struct kam_errinfo *ei);

/* Which runs: 0 / NULL for no condition; state: open, overdue (open with a step past due),
 * done, or NULL for all. */
struct app_run_filter {
	int64_t account_id, owner_id;
	const char *state;
	int limit;
};
/* The runs who sees, newest first, each with progress, state, why and steps; *out owned:
 * {items}. An account who does not see answers KAM_ENOTFOUND. */
int app_runs_list(struct store_conn *db, const struct actor *who, const struct app_run_filter *f,
                  json_t **out);
/* One run who sees (KAM_ENOTFOUND otherwise); *out owned. */
int app_run_get(struct store_conn *db, const struct actor *who, int64_t id, json_t **out);

/* The background part: starts the auto_start playbooks of live alerts and of reviews due
 * within their days_before, each once per trigger, in one write transaction at now. */
int app_playbooks_run(struct store_conn *db, int64_t now, int *started);

/* Adds why {rule, condition, threshold, value, rows, started_by} and runs [{id, name, state}]
 * to an alert as it goes out (evidence already JSON). */
int app_alert_why(struct store_conn *db, json_t *alert);

#endif
