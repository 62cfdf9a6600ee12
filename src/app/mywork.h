/* What needs a user: My work (actions due, open alerts, reviews and renewals coming, accounts
 * gone quiet), the alerts inbox grouped by account, and the global search. */
#ifndef KAM_APP_MYWORK_H
#define KAM_APP_MYWORK_H
#include "app/access.h"

struct app_work_query {
	int64_t owner; /* whose accounts: 0 = the actor's own */
	int days;      /* "not contacted in days": 0 = the no_interaction alert's threshold */
	int horizon;   /* reviews and renewals this many days ahead: 0 = 90 */
	int limit;     /* rows of each kind: 0 = 100 */
};

/* My work of q.owner's accounts as who sees them, into *out (owned): {owner, today,
 * week_end, days, horizon, overdue, this_week, alerts (grouped by account), dates, quiet}.
 * KAM_EINVAL (ei names the field) for a bad owner, days or horizon. */
int app_work(struct store_conn *db, struct actor *who, const struct app_work_query *q, json_t **out,
             struct kam_errinfo *ei);

struct app_inbox_query {
	int64_t owner;                       /* 0 = every account who sees */
	const char *state, *severity, *rule; /* NULL = any (state: default open) */
	int limit;                           /* alerts read: 0 = 500 */
};

/* The alerts inbox: who's alerts under q grouped by account, the groups sorted by severity ×
 * the account's 12-month revenue, into *out (owned): {groups, total, currency}. */
int app_alert_inbox(struct store_conn *db, struct actor *who, const struct app_inbox_query *q,
                    json_t **out, struct kam_errinfo *ei);

/* A rule's name in plain words ("No contact for a while"); the name itself when unknown. */
const char *app_alert_rule_label(const char *rule);

/* The most characters a search may have. */
#define APP_SEARCH_MAX 100

/* The global search of text q (2..APP_SEARCH_MAX characters) over what who may see: {q,
 * accounts, contacts, actions, opportunities}, each capped at limit (1..20, 0 = 5). */
int app_search(struct store_conn *db, const struct actor *who, const char *q, int limit,
               json_t **out, struct kam_errinfo *ei);

#endif
