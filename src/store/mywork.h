/* What needs a user this week (My work), the alerts inbox, and the global search: read-only
 * queries over the accounts a user may see. */
#ifndef KAM_STORE_MYWORK_H
#define KAM_STORE_MYWORK_H
#include "store/store.h"

/* Which accounts a query covers: those of owner (owned or on its team; 0 = any) that scope
 * may see (owned or on its team; 0 = every account). */
struct store_work_scope {
	int64_t owner, scope;
};

/*
 * My work's rows, each kind capped at limit. *out (owned) is an object of arrays:
 *   actions:  open actions due on or before until (YYYY-MM-DD) on the accounts, or owned by
 *             owner: {id, account_id, account_name, plan_id, title, due_on, status,
 *             owner_id, owner_name, playbook_run_id, playbook_name: the run it is a step of}
 *   dates:    {kind: review|plan_end|renewal, id, account_id, account_name, on, title}
 *             between today and horizon (both YYYY-MM-DD)
 *   quiet:    active or prospect accounts without an interaction since quiet_since (Unix
 *             seconds): {account_id, account_name, owner_id, owner_name, last_interaction_at}
 */
int store_work_rows(struct store_conn *c, const struct store_work_scope *s, const char *today,
                    const char *until, const char *horizon, int64_t quiet_since, int limit,
                    json_t **out);

/* Alerts of the inbox on the accounts of s (and, when with_kam, the workload alerts of
 * owner, or of everyone when owner is 0), newest first, capped at limit; state, severity
 * and rule filter when not NULL. Rows: the alert's columns and account_name, owner_id,
 * owner_name, revenue_12m, account_currency. *out owned. */
int store_work_alerts(struct store_conn *c, const struct store_work_scope *s, bool with_kam,
                      const char *state, const char *severity, const char *rule, int limit,
                      json_t **out);

/* The global search: accounts, contacts, actions and opportunities whose name (or title,
 * e-mail) contains text, compared as lists compare q (the backend's case-insensitive LIKE),
 * on accounts scope may see, each kind capped at limit. *out (owned): an object of arrays. */
int store_search(struct store_conn *c, int64_t scope, const char *text, int limit, json_t **out);

#endif
