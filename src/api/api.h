/* The REST resources: one file each; this header holds what they share and the route table. */
#ifndef KAM_API_API_H
#define KAM_API_API_H
#include "http/http.h"
#include "kam/date.h"
#include "kam/validate.h"
#include "store/store.h"

extern const struct http_route api_routes[];
extern const size_t api_nroutes;

/* The path parameter at index i as a positive id; -1 when it is not one. */
int64_t api_param_id(const struct req *rq, size_t i);
/* Replies 404 and returns KAM_ENOTFOUND. */
int api_not_found(struct resp *rs, const char *what);

/*
 * Checks the caller may see account id: every account for admin, director and viewer,
 * owned or team accounts for kam and member. KAM_ENOTFOUND otherwise (never a 403: an
 * account you may not see does not exist for you). owner/on_team may be NULL.
 */
int api_account_visible(struct req *rq, int64_t id, bool *owner, bool *on_team);
/* The caller as an actor (who acts and what they may see). */
struct actor api_actor(const struct req *rq);
/* The user id whose accounts scope a list, or 0 when the role sees all. */
int64_t api_scope_user(const struct req *rq);

/*
 * Lists entity e from the request's query: limit, cursor, sort (field or -field), q and
 * the entity's filter fields; any other parameter is a 400. Replies itself.
 */
int api_list(struct req *rq, struct resp *rs, const struct model_entity *e, int64_t scope_user);

/* The page of entity e a list request asks for; *items and *next owned by the caller. */
int api_list_collect(struct req *rq, const struct model_entity *e, int64_t scope_user,
		     json_t **items, char **next, struct kam_errinfo *ei);
/* Adds a listed record's computed keys (arg: the lister's). */
typedef int (*api_decorate_fn)(struct req *rq, json_t *rec, const void *arg);
/* A list: its entity, scope and decoration, enough to fetch its further pages. */
struct api_lister {
	const struct model_entity *e;
	int64_t scope_user;
	api_decorate_fn decorate; /* may be NULL */
	const void *arg;
};
/* Replies {items, next_cursor}, or the whole list as a file for ?format=csv|xlsx; takes
 * items (already decorated) and next. */
int api_reply_page(struct req *rq, struct resp *rs, const struct api_lister *l, json_t *items,
		   char *next);
/* The decorated page of a list after cursor, under the request's filters; *items and *next
 * owned by the caller. */
int api_list_next(struct req *rq, const struct api_lister *l, const char *cursor, json_t **items,
		  char **next);
/* Whether the request asks for a list as a file (?format=csv or xlsx). */
bool api_exporting(const struct req *rq);
/* The most rows one export holds. */
#define API_EXPORT_MAX 200000
/* Replies with the list as CSV or XLSX: items (taken, the first page) and the pages after
 * next (taken), a page at a time through a file on disk. */
int api_export(struct req *rq, struct resp *rs, const struct api_lister *l, json_t *items,
	       char *next);

/* Checks that id is an active user who may own accounts; the error goes on field. */
int api_check_owner(struct req *rq, int64_t id, const char *field, struct kam_errinfo *ei);
/* Checks that id is an active user. */
int api_check_user(struct req *rq, int64_t id, const char *field, struct kam_errinfo *ei);
/* Appends an audit row for the caller. */
int api_audit(struct req *rq, const char *action, const char *entity, int64_t id,
	      const json_t *before, const json_t *after);
/* Replies 201 with Location, ETag and the record (stolen). */
int api_created(struct resp *rs, const char *base, int64_t id, int64_t version, json_t *rec);

struct jobs;
struct kam_clock;
/* Starts the background jobs of kam serve (each under a database lease); clock (kept, may
 * be NULL) is the alert run's "now". */
int jobs_start(struct store *st, const struct kam_clock *clock, struct jobs **out);
/* Stops them and waits for a run in progress. */
void jobs_stop(struct jobs *j);

/* The OpenAPI 3.1 description generated from the routes and the model (caller owns it). */
json_t *api_openapi_doc(void);

/* Handlers. */
int api_healthz(struct req *rq, struct resp *rs);
int api_readyz(struct req *rq, struct resp *rs);
int api_openapi(struct req *rq, struct resp *rs);
int api_root(struct req *rq, struct resp *rs);

int api_session_create(struct req *rq, struct resp *rs);
int api_session_get(struct req *rq, struct resp *rs);
int api_session_delete(struct req *rq, struct resp *rs);
int api_me_get(struct req *rq, struct resp *rs);
int api_me_password(struct req *rq, struct resp *rs);

int api_token_create(struct req *rq, struct resp *rs);
int api_token_list(struct req *rq, struct resp *rs);
int api_token_delete(struct req *rq, struct resp *rs);

int api_user_list(struct req *rq, struct resp *rs);
int api_user_create(struct req *rq, struct resp *rs);
int api_user_get(struct req *rq, struct resp *rs);
int api_user_update(struct req *rq, struct resp *rs);

int api_account_list(struct req *rq, struct resp *rs);
int api_account_create(struct req *rq, struct resp *rs);
int api_import_create(struct req *rq, struct resp *rs);
int api_import_list(struct req *rq, struct resp *rs);
int api_import_get(struct req *rq, struct resp *rs);
/* Creates a validated account inside the caller's write transaction (owner rules, score,
 * audit); *out (may be NULL) gets the stored row, owned by the caller. score false leaves
 * the scores marked stale for one api_scores_refresh later (an import: scoring one
 * account ranks it among all, so per row it would make the import quadratic). */
int api_account_insert(struct req *rq, json_t *body, bool score, json_t **out,
                       struct kam_errinfo *ei);
/* Applies a validated patch to account id inside the caller's write transaction (want < 0:
 * any version); *out (may be NULL) gets the stored row, owned by the caller; score as for
 * api_account_insert. */
int api_account_patch(struct req *rq, int64_t id, json_t *patch, int64_t want, bool score,
                      json_t **out, struct kam_errinfo *ei);
/* Whether the caller may change account id: KAM_ENOTFOUND when they cannot see it,
 * KAM_EFORBIDDEN (ei says why) when they may only read it. */
int api_account_may_write(struct req *rq, int64_t id, struct kam_errinfo *ei);
int api_account_get(struct req *rq, struct resp *rs);
int api_account_update(struct req *rq, struct resp *rs);
int api_account_delete(struct req *rq, struct resp *rs);

int api_team_list(struct req *rq, struct resp *rs);
int api_team_put(struct req *rq, struct resp *rs);
int api_team_delete(struct req *rq, struct resp *rs);


int api_audit_list(struct req *rq, struct resp *rs);

/* Refuses (KAM_EINVAL naming the field) a write of entity e that took a stored money total
 * past its cap (kam/money.h); call it after the write, before the commit. */
int api_money_check(struct store_conn *db, const struct model_entity *e, struct kam_errinfo *ei);
/* Whether the stored total `name` has room for amount more (KAM_EINVAL naming field when
 * not): for writes that must be refused before they are made. */
int api_money_room(struct store_conn *db, const char *name, int64_t amount, const char *field,
                   struct kam_errinfo *ei);

struct settings;
/* The settings in force (defaults under what is stored); version may be NULL. */
int api_settings_load(struct req *rq, struct settings *s, int64_t *version);
/* The same on a bare connection (background jobs). */
int api_settings_load_conn(struct store_conn *c, struct settings *s, int64_t *version);
/* kam's "now" for this request: the server's clock (KAM_NOW in tests), else the wall clock. */
int64_t api_now(const struct req *rq);
/* Today in the installation's time zone (settings_today at api_now), into *out; asked once
 * per request. */
int api_today(struct req *rq, date_t *out);
/* The same as YYYY-MM-DD. */
int api_today_text(struct req *rq, char out[DATE_LEN]);
/* Stores every key account's matrix segment (and clears the others') in the open transaction. */
int api_segments_refresh_conn(struct store_conn *db, const struct settings *s, int64_t now);

struct alerts_run {
	size_t accounts, hits;
	int opened, updated, resolved, woke;
	double ms;
};
/* Computes every account's health (keeping today's snapshot) and syncs the alerts, in one
 * write transaction on c. */
int api_alerts_run(struct store_conn *c, int64_t now, struct alerts_run *out);

int api_account_health(struct req *rq, struct resp *rs);
int api_account_health_history(struct req *rq, struct resp *rs);
int api_alert_list(struct req *rq, struct resp *rs);
int api_alert_get(struct req *rq, struct resp *rs);
int api_alert_update(struct req *rq, struct resp *rs);
int api_alert_evaluate(struct req *rq, struct resp *rs);
/* Recomputes every account's score and tier (inside the caller's write transaction). */
int api_scores_refresh(struct req *rq, const struct settings *s);
/* Refreshes scores when revenue changed or the day turned; runs its own transaction. */
int api_scores_fresh(struct req *rq);
/* The same two on a bare connection (background jobs), at now. */
int api_scores_fresh_conn(struct store_conn *c, int64_t now);
int api_scores_refresh_conn(struct store_conn *c, const struct settings *s, int64_t now);
/* Recomputes one account's score and tier (inside the caller's write transaction). */
int api_score_account(struct req *rq, int64_t id);

/* A portfolio-matrix item (segment, coordinates, explanation) from a store_matrix_rows row. */
json_t *api_matrix_item(const struct settings *s, json_t *row);

/* Calendar feeds (calendar.c): the caller's feed, and the public feed by its token. */
int api_calendar_get(struct req *rq, struct resp *rs);
int api_calendar_create(struct req *rq, struct resp *rs);
int api_calendar_delete(struct req *rq, struct resp *rs);
int api_calendar_feed(struct req *rq, struct resp *rs);
/* Privacy requests about a contact (privacy.c): export and erasure. */
int api_contact_export(struct req *rq, struct resp *rs);
int api_contact_erase(struct req *rq, struct resp *rs);

int api_share_create(struct req *rq, struct resp *rs);
int api_share_list(struct req *rq, struct resp *rs);
int api_share_delete(struct req *rq, struct resp *rs);
int api_shared(struct req *rq, struct resp *rs);
/* GET /api/v1/plans/{id}/document: the plan as one page of PDF or HTML (document.c). */
int api_plan_document(struct req *rq, struct resp *rs);
int api_kpis(struct req *rq, struct resp *rs);
int api_kpi_rows(struct req *rq, struct resp *rs);
int api_settings_get(struct req *rq, struct resp *rs);
int api_settings_preview(struct req *rq, struct resp *rs);
int api_settings_update(struct req *rq, struct resp *rs);
int api_account_score(struct req *rq, struct resp *rs);
int api_portfolio_pareto(struct req *rq, struct resp *rs);
int api_portfolio_matrix(struct req *rq, struct resp *rs);
int api_kam_workload(struct req *rq, struct resp *rs);
int api_transactions_bulk(struct req *rq, struct resp *rs);
int api_account_whitespace(struct req *rq, struct resp *rs);
int api_account_pipeline(struct req *rq, struct resp *rs);
int api_account_risk_matrix(struct req *rq, struct resp *rs);

#endif
