/* The REST resources: one file each; this header holds what they share and the route table. */
#ifndef KAM_API_API_H
#define KAM_API_API_H
#include "http/http.h"
#include "kam/date.h"
#include "app/access.h"
#include "app/list.h"
#include "app/scores.h"
#include "kam/validate.h"
#include "store/store.h"

struct api_cache;
struct api_rollups;
struct app_importq;
struct jobs;
/* The server-wide state of kam's handlers (struct req's app_data). */
struct api_server {
	struct api_cache *cache;   /* reports: KPIs, the dashboard's answers */
	struct api_cache *records; /* single records, per caller */
	struct app_importq *imports;
	struct api_rollups *rollups; /* the revenue rollup in memory for KPI answers */
	char *openapi;               /* GET /api/v1/openapi.json: built once at start-up */
	size_t openapi_len;
	/* GET /metrics */
	struct store *store;           /* the pool, for its counters */
	struct jobs *jobs;             /* the background jobs, or NULL */
	struct http_metrics *requests; /* the main address's request registry */
	struct http_auth_cache *auth;  /* the main address's credentials in memory */
	const char *version;           /* build info */
	double started;                /* process start, Unix seconds */
};

/* The one route of the metrics listen address (kam serve --metrics-listen): no auth. */
extern const struct http_route api_metrics_routes[];
extern const size_t api_metrics_nroutes;

extern const struct http_route api_routes[];
extern const size_t api_nroutes;

/* The path parameter at index i as a positive id; -1 when it is not one. */
int64_t api_param_id(const struct req *rq, size_t i);
/* Query parameter key as a whole number in [lo, hi] into *out (left alone when absent); the
 * fault goes in ei under key. */
void api_int_param(struct req *rq, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   struct kam_errinfo *ei);
/* Replies 404 and returns KAM_ENOTFOUND. */
int api_not_found(struct resp *rs, const char *what);

/* The user id whose accounts scope a list, or 0 when the role sees all. */
int64_t api_scope_user(const struct req *rq);

/* Replies with list l under the request's query (limit, cursor, sort, q, filters: any
 * other parameter is a 400), or the whole list as a file for ?format=csv|xlsx. */
int api_list(struct req *rq, struct resp *rs, const struct app_list *l);
/* The handler of a list named by the route's arg ("accounts", "alerts", …: app_list_of). */
int api_list_kind(struct req *rq, struct resp *rs);
/* Replies {items, next_cursor}, or the whole list as a file for ?format=csv|xlsx; takes
 * items (already decorated) and next. */
int api_reply_page(struct req *rq, struct resp *rs, const struct app_list *l, json_t *items,
		   char *next);
/* Whether the request asks for a list as a file (?format=csv or xlsx). */
bool api_exporting(const struct req *rq);

/* Replies 201 with Location, ETag and the record (stolen). */
int api_created(struct resp *rs, const char *base, int64_t id, int64_t version, json_t *rec);
/* Replies with an app call's result: body (stolen) with status, 204 when status is 204 or
 * there is no body, or the error (KAM_ENOTFOUND: a 404 naming what). */
int api_answer(struct resp *rs, int rc, int status, json_t *body, struct kam_errinfo *ei,
               const char *what);


/* The OpenAPI 3.1 description generated from the routes and the model (caller owns it);
 * NULL when out of memory or a route names a schema the generator does not know. */
json_t *api_openapi_doc(void);
/* The description as the server sends it, compact JSON of *len bytes (caller frees); NULL
 * as for api_openapi_doc. */
char *api_openapi_json(size_t *len);

/* Handlers. */
int api_healthz(struct req *rq, struct resp *rs);
int api_readyz(struct req *rq, struct resp *rs);
/* GET /metrics: the Prometheus text exposition of the server's counters. */
int api_metrics(struct req *rq, struct resp *rs);
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

int api_user_create(struct req *rq, struct resp *rs);
int api_user_get(struct req *rq, struct resp *rs);
int api_user_update(struct req *rq, struct resp *rs);

int api_import_create(struct req *rq, struct resp *rs);
int api_import_get(struct req *rq, struct resp *rs);

int api_team_list(struct req *rq, struct resp *rs);
int api_team_put(struct req *rq, struct resp *rs);
int api_team_delete(struct req *rq, struct resp *rs);


int api_audit_list(struct req *rq, struct resp *rs);


struct settings;
/* kam's "now" for this request (its actor's: KAM_NOW in tests, else the wall clock). */
int64_t api_now(const struct req *rq);
/* Today in the installation's time zone at api_now, into *out; worked out once per request. */
int api_today(struct req *rq, date_t *out);
/* The same as YYYY-MM-DD. */
int api_today_text(struct req *rq, char out[DATE_LEN]);

#define API_CACHE_KEY_LEN 512
/* Replies from the server's answer cache and returns 1 when this caller's scope asked the
 * same question (path and query) today at the current data version; else returns 0 with key
 * and *version filled for api_cache_keep (key empty: not cacheable), or a negative error. */
int api_cached(struct req *rq, struct resp *rs, char key[API_CACHE_KEY_LEN], int64_t *version);
/* Replies 200 with ans (stolen) and keeps its text under api_cached's key and version
 * (nothing kept when key is empty). */
int api_cache_keep(const struct req *rq, struct resp *rs, const char *key, int64_t version,
                   json_t *ans);
/* api_cached for one record of this caller, from the record cache; no database statement. */
int api_record_cached(struct req *rq, struct resp *rs, char key[API_CACHE_KEY_LEN],
                      int64_t *version);
/* Replies 200 with rec (stolen) and ETag etag, and keeps it under api_record_cached's key. */
int api_record_keep(const struct req *rq, struct resp *rs, const char *key, int64_t version,
                    int64_t etag, json_t *rec);

int api_account_health(struct req *rq, struct resp *rs);
int api_account_health_history(struct req *rq, struct resp *rs);
/* GET /api/v1/portfolio/at-risk: the dashboard's at-risk key accounts in one answer. */
int api_at_risk(struct req *rq, struct resp *rs);
int api_alert_get(struct req *rq, struct resp *rs);
int api_alert_update(struct req *rq, struct resp *rs);
int api_alert_evaluate(struct req *rq, struct resp *rs);
/* My work, the alerts inbox and the global search (mywork.c). */
int api_work(struct req *rq, struct resp *rs);
int api_alert_inbox(struct req *rq, struct resp *rs);
int api_search(struct req *rq, struct resp *rs);
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
/* POST /api/v1/users/:id/invitation: a new one-time link for a user without a password. */
int api_invitation_create(struct req *rq, struct resp *rs);
/* GET /api/v1/outbox?state=failed|pending|sent: the mails of the outbox (admins). */
int api_outbox_list(struct req *rq, struct resp *rs);
/* /api/v1/webhooks (admins): list, create (the secret shown once), read, change, delete,
 * rotate the secret, send a test event, the delivery log, replay a delivery. */
int api_webhook_list(struct req *rq, struct resp *rs);
int api_webhook_create(struct req *rq, struct resp *rs);
int api_webhook_get(struct req *rq, struct resp *rs);
int api_webhook_update(struct req *rq, struct resp *rs);
int api_webhook_delete(struct req *rq, struct resp *rs);
int api_webhook_rotate(struct req *rq, struct resp *rs);
int api_webhook_test(struct req *rq, struct resp *rs);
int api_webhook_deliveries(struct req *rq, struct resp *rs);
int api_webhook_replay(struct req *rq, struct resp *rs);
/* GET /api/v1/me/notifications: my mail preferences. */
int api_notify_get(struct req *rq, struct resp *rs);
/* PATCH /api/v1/me/notifications {digest, digest_hour, immediate}: change them. */
int api_notify_patch(struct req *rq, struct resp *rs);
/* POST /api/v1/unsubscribe/:token: one-click unsubscribe (RFC 8058), no login. */
int api_unsubscribe(struct req *rq, struct resp *rs);
/* GET /api/v1/invitations: the active users who have no password yet (admins). */
int api_invitation_pending(struct req *rq, struct resp *rs);
/* GET /api/v1/invitations/:token: whom a live invitation is for (no login). */
int api_invitation_get(struct req *rq, struct resp *rs);
/* POST /api/v1/invitations/:token {password}: sets the password and ends the invitation. */
int api_invitation_accept(struct req *rq, struct resp *rs);
/* GET /api/v1/password-resets: {mail} (no login). */
int api_reset_info(struct req *rq, struct resp *rs);
/* POST /api/v1/password-resets {email}: 202 alike for every address. */
int api_reset_request(struct req *rq, struct resp *rs);
/* GET /api/v1/password-resets/:token: whom the link is for. */
int api_reset_get(struct req *rq, struct resp *rs);
/* POST /api/v1/password-resets/:token {password}: the new password. */
int api_reset_accept(struct req *rq, struct resp *rs);
/* GET /accounts/:id/share-preview?include_kpis=: what a link would show, before one exists. */
int api_share_preview(struct req *rq, struct resp *rs);
/* GET /api/v1/plans/{id}/document: the plan as one page of PDF or HTML (document.c). */
int api_plan_document(struct req *rq, struct resp *rs);
int api_kpis(struct req *rq, struct resp *rs);
int api_kpi_rows(struct req *rq, struct resp *rs);
int api_settings_get(struct req *rq, struct resp *rs);
/* GET /api/v1/currencies: ISO 4217 codes kam accepts, with their minor digits (currencies.c). */
int api_currencies(struct req *rq, struct resp *rs);
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
/* GET /api/v1/accounts/:id/group: the tree of the group the account belongs to (groups.c). */
int api_account_group(struct req *rq, struct resp *rs);
/* GET /api/v1/accounts/:id/coverage: our people × their stakeholders, with the gaps. */
int api_account_coverage(struct req *rq, struct resp *rs);
/* GET /api/v1/accounts/:id/stakeholders[?scope=group]: the account's contacts, or those of
 * every entity of its group the caller sees, with their account. */
int api_account_stakeholders(struct req *rq, struct resp *rs);
/* GET /api/v1/plans/:id/changes: what moved since the last review. */
int api_plan_changes(struct req *rq, struct resp *rs);

/* The client workspace (issue 19, src/api/workspace.c): staff doors, then the client's. */
int api_ws_member_create(struct req *rq, struct resp *rs);
int api_ws_members(struct req *rq, struct resp *rs);
int api_ws_member_link(struct req *rq, struct resp *rs);
int api_ws_member_delete(struct req *rq, struct resp *rs);
int api_ws_activity(struct req *rq, struct resp *rs);
int api_ws_comments(struct req *rq, struct resp *rs);
int api_ws_staff_comment(struct req *rq, struct resp *rs);
int api_ws_review_create(struct req *rq, struct resp *rs);
int api_ws_reviews(struct req *rq, struct resp *rs);
int api_ws_survey_request(struct req *rq, struct resp *rs);
int api_ws_survey_requests(struct req *rq, struct resp *rs);
int api_ws_survey_request_close(struct req *rq, struct resp *rs);
int api_ws_session_create(struct req *rq, struct resp *rs);
int api_ws_session_get(struct req *rq, struct resp *rs);
int api_ws_session_delete(struct req *rq, struct resp *rs);
int api_ws_view(struct req *rq, struct resp *rs);
int api_ws_action_update(struct req *rq, struct resp *rs);
int api_ws_action_propose(struct req *rq, struct resp *rs);
int api_ws_comment(struct req *rq, struct resp *rs);
int api_ws_review_confirm(struct req *rq, struct resp *rs);
int api_ws_review_propose(struct req *rq, struct resp *rs);
int api_ws_review_agenda(struct req *rq, struct resp *rs);
int api_ws_survey_answer(struct req *rq, struct resp *rs);
int api_ws_plan_pdf(struct req *rq, struct resp *rs);
int api_ws_plan_html(struct req *rq, struct resp *rs);

#endif
