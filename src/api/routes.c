/*
 * The one route table: method, path, handler, flags, roles allowed (0 = any logged-in user),
 * and what the route does (summary, request and response schemas; see struct http_route).
 * The router serves it and src/api/openapi.c describes it, so the two cannot drift.
 */
#include "api/api.h"
#include "api/forecast.h"
#include "api/resource.h"
#include "api/playbooks.h"

#define PUB (ROUTE_PUBLIC | ROUTE_NODB)
#define ACCOUNT_WRITERS (R_STAFF | R(ROLE_KAM) | R(ROLE_MEMBER))
#define ACCOUNT_CREATORS (R_STAFF | R(ROLE_KAM))

/* the five routes of a resource served by api_res_* (resource.h): schema names its record,
 * one and many name it in the summaries ("a contact", "contacts") */
/* clang-format off */
#define CRUD(path, res, writers, schema, one, many)                                             \
	{"GET", path, api_res_list, 0, 0, &res, "List " many, NULL, schema "[]"},                 \
	{"POST", path, api_res_create, 0, writers, &res, "Create " one, schema "Input", schema},  \
	{"GET", path "/:id", api_res_get, 0, 0, &res, "Read " one, NULL, schema},                 \
	{"PATCH", path "/:id", api_res_update, ROUTE_IF_MATCH, writers, &res, "Change " one,      \
	 schema "Patch", schema},                                                                 \
	{"DELETE", path "/:id", api_res_delete, ROUTE_IF_MATCH, writers, &res, "Delete " one,     \
	 NULL, NULL},                                                                             \
	{"GET", path "/:id/history", api_res_history, 0, 0, &res, "The change history of " one,   \
	 NULL, "object"}
/* clang-format on */

const struct http_route api_routes[] = {
    {"GET", "/", api_root, PUB, 0, NULL, "The landing page", NULL, "text/html"},
    {"GET", "/healthz", api_healthz, PUB, 0, NULL, "Liveness: the process answers", NULL, "object"},
    {"GET", "/readyz", api_readyz, ROUTE_PUBLIC, 0, NULL,
     "Readiness: the database answers (503 otherwise)", NULL, "object"},
    {"GET", "/api/v1/openapi.json", api_openapi, PUB, 0, NULL, "This description", NULL, "object"},
    {"GET", "/metrics", api_metrics, 0, R_ADMIN, NULL,
     "Counters in the Prometheus text format (admins' sessions and tokens; kam serve "
     "--metrics-listen serves them without auth on an address of their own)",
     NULL, "text/plain"},

    {"POST", "/api/v1/session", api_session_create, ROUTE_PUBLIC, 0, NULL,
     "Log in with {email, password}: sets the kam_session cookie, returns {user, csrf_token, "
     "clock: {now, today, time_zone}}; "
     "5 failures a minute per e-mail or address give 429",
     NULL, "201 object"},
    {"GET", "/api/v1/session", api_session_get, 0, 0, NULL,
     "The session's user, CSRF token and clock (kam's now, today in the installation zone)", NULL,
     "object"},
    {"DELETE", "/api/v1/session", api_session_delete, 0, 0, NULL, "Log out", NULL, NULL},
    {"GET", "/api/v1/me", api_me_get, 0, 0, NULL, "The caller", NULL, "User"},
    {"POST", "/api/v1/me/password", api_me_password, 0, 0, NULL,
     "Change my password with {current_password, new_password}; ends every session, token "
     "and calendar feed",
     NULL, NULL},
    {"GET", "/api/v1/me/calendar", api_calendar_get, 0, 0, NULL,
     "Whether I have a calendar feed {active, created_at}", NULL, "object"},
    {"POST", "/api/v1/me/calendar", api_calendar_create, 0, 0, NULL,
     "Create or rotate my calendar feed: {url, path, created_at, rotated}; the URL is shown "
     "once and the previous one stops working",
     NULL, "201 object"},
    {"DELETE", "/api/v1/me/calendar", api_calendar_delete, 0, 0, NULL, "Revoke my calendar feed",
     NULL, NULL},
    {"GET", "/api/v1/me/notifications", api_notify_get, 0, 0, NULL,
     "My mail preferences {digest, digest_hour (installation time), immediate (severities)}", NULL,
     "object"},
    {"PATCH", "/api/v1/me/notifications", api_notify_patch, 0, 0, NULL,
     "Change my mail preferences {digest, digest_hour, immediate}", NULL, "object"},
    {"POST", "/api/v1/unsubscribe/:token", api_unsubscribe, ROUTE_PUBLIC | ROUTE_RAW_BODY, 0, NULL,
     "One-click unsubscribe (RFC 8058) from a mail's signed link: no more mails (no login)", NULL,
     "object"},
    {"GET", "/api/v1/calendar/:token", api_calendar_feed, ROUTE_PUBLIC, 0, NULL,
     "The iCalendar feed (RFC 5545) of a feed URL, {token}.ics: action due dates, plan "
     "reviews, renewals and case SLA deadlines of the owner's accounts; no login",
     NULL, "text/calendar"},

    {"GET", "/api/v1/tokens", api_token_list, 0, 0, NULL,
     "My API tokens (all=true: everyone's, admins)", NULL, "object"},
    {"POST", "/api/v1/tokens", api_token_create, 0, 0, NULL,
     "Create an API token {name, expires_at (optional, RFC 3339, within 5 years)}; the "
     "token is shown once",
     NULL, "201 object"},
    {"DELETE", "/api/v1/tokens/:id", api_token_delete, 0, 0, NULL, "Revoke an API token", NULL,
     NULL},

    {"GET", "/api/v1/users", api_list_kind, 0, 0, "users", "List users", NULL, "User[]"},
    {"POST", "/api/v1/users", api_user_create, 0, R_ADMIN, NULL,
     "Create a user (admins); without password one is generated and returned once", "UserInput",
     "User"},
    {"GET", "/api/v1/users/:id", api_user_get, 0, 0, NULL, "Read a user", NULL, "User"},
    {"PATCH", "/api/v1/users/:id", api_user_update, ROUTE_IF_MATCH, R_ADMIN, NULL,
     "Change a user (admins); deactivating or a new password ends their sessions and tokens",
     "UserPatch", "User"},
    {"POST", "/api/v1/users/:id/invitation", api_invitation_create, 0, R_ADMIN, NULL,
     "A one-time link through which a user without a password sets one (admins; 14 days; "
     "replaces the previous link; the token is shown once, or mailed to the user when mail "
     "is set up: then {user_id, mailed: true})",
     NULL, "201 object"},
    {"GET", "/api/v1/outbox", api_outbox_list, 0, R_ADMIN, NULL,
     "The mails of the outbox (admins): ?state=failed (default), pending or sent, with the "
     "count of failed ones",
     NULL, "object"},
    {"GET", "/api/v1/webhooks", api_webhook_list, 0, R_ADMIN, NULL,
     "The webhook endpoints (admins), with their pending and failed deliveries, and the "
     "event types kam sends",
     NULL, "object"},
    {"POST", "/api/v1/webhooks", api_webhook_create, 0, R_ADMIN, NULL,
     "Subscribe a URL to events {url, events[], description, format: standard|slack|teams, "
     "enabled}; the answer has the signing secret, shown this once; a private or loopback "
     "destination gets 422 unless KAM_WEBHOOK_ALLOW names it",
     NULL, "201 object"},
    {"GET", "/api/v1/webhooks/:id", api_webhook_get, 0, R_ADMIN, NULL, "One webhook endpoint", NULL,
     "object"},
    {"PATCH", "/api/v1/webhooks/:id", api_webhook_update, 0, R_ADMIN, NULL,
     "Change a webhook endpoint (url, events, description, format, enabled); enabling it "
     "again resumes its deliveries in order",
     NULL, "object"},
    {"DELETE", "/api/v1/webhooks/:id", api_webhook_delete, 0, R_ADMIN, NULL,
     "Remove a webhook endpoint and its undelivered events", NULL, NULL},
    {"POST", "/api/v1/webhooks/:id/rotate", api_webhook_rotate, 0, R_ADMIN, NULL,
     "A new signing secret (shown once); the previous one also signs for 24 hours", NULL, "object"},
    {"POST", "/api/v1/webhooks/:id/test", api_webhook_test, 0, R_ADMIN, NULL,
     "Queue a ping event to the endpoint", NULL, "202 object"},
    {"GET", "/api/v1/webhooks/:id/deliveries", api_webhook_deliveries, 0, R_ADMIN, NULL,
     "The endpoint's deliveries, newest first, each with its attempts (code, duration, the "
     "first KiB of the answer); ?limit (50) and ?cursor (the previous page's next)",
     NULL, "object"},
    {"POST", "/api/v1/webhooks/deliveries/:id/replay", api_webhook_replay, 0, R_ADMIN, NULL,
     "Deliver again (same webhook-id and body), after the endpoint's earlier deliveries", NULL,
     "202 object"},
    {"GET", "/api/v1/invitations", api_invitation_pending, 0, R_ADMIN, NULL,
     "The active users who have no password yet, such as imported ones (admins)", NULL, "object"},
    {"GET", "/api/v1/invitations/:token", api_invitation_get, ROUTE_PUBLIC, 0, NULL,
     "Whom a live invitation is for (no login)", NULL, "object"},
    {"POST", "/api/v1/invitations/:token", api_invitation_accept, ROUTE_PUBLIC, 0, NULL,
     "Set the password through an invitation {password}; the link then stops working", NULL,
     "object"},

    {"GET", "/api/v1/password-resets", api_reset_info, ROUTE_PUBLIC, 0, NULL,
     "Whether this server mails password-reset links {mail} (no login)", NULL, "object"},
    {"POST", "/api/v1/password-resets", api_reset_request, ROUTE_PUBLIC, 0, NULL,
     "Forgot my password {email}: 202 whether or not the address is a user's; an active "
     "user gets a one-time link by mail (an hour) when mail is set up; 5 an hour per "
     "address, 30 per client address, else 429",
     NULL, "202 object"},
    {"GET", "/api/v1/password-resets/:token", api_reset_get, ROUTE_PUBLIC, 0, NULL,
     "Whom a live password-reset link is for (no login)", NULL, "object"},
    {"POST", "/api/v1/password-resets/:token", api_reset_accept, ROUTE_PUBLIC, 0, NULL,
     "Set a new password through a reset link {password}; the link then stops working and "
     "the user's sessions, API tokens and calendar feeds end",
     NULL, "object"},

    {"GET", "/api/v1/accounts", api_list_kind, 0, 0, "accounts",
     "List the accounts the caller may see", NULL, "Account[]"},
    {"POST", "/api/v1/accounts", api_res_create, 0, ACCOUNT_CREATORS, &res_accounts,
     "Create an account", "AccountInput", "Account"},
    {"GET", "/api/v1/accounts/:id", api_res_get, 0, 0, &res_accounts, "Read an account", NULL,
     "Account"},
    {"PATCH", "/api/v1/accounts/:id", api_res_update, ROUTE_IF_MATCH, ACCOUNT_WRITERS,
     &res_accounts, "Change an account", "AccountPatch", "Account"},
    {"DELETE", "/api/v1/accounts/:id", api_res_delete, ROUTE_IF_MATCH, ACCOUNT_CREATORS,
     &res_accounts, "Delete an account and what hangs on it", NULL, NULL},
    {"GET", "/api/v1/accounts/:id/history", api_res_history, 0, 0, &res_accounts,
     "The change history of an account (limit, cursor)", NULL, "object"},
    {"GET", "/api/v1/accounts/:id/team", api_team_list, 0, 0, NULL, "The account team", NULL,
     "object"},
    {"GET", "/api/v1/accounts/:id/shares", api_share_list, 0, 0, NULL,
     "The account's client share links (without tokens)", NULL, "object"},
    {"POST", "/api/v1/accounts/:id/shares", api_share_create, 0, ACCOUNT_CREATORS, NULL,
     "Create a client share link {expires_in_days: 1..90, default 30; include_kpis: false}; "
     "409 when nothing of the account is client-visible; the token is shown once",
     NULL, "201 object"},
    {"DELETE", "/api/v1/accounts/:id/shares/:share_id", api_share_delete, 0, ACCOUNT_CREATORS, NULL,
     "Revoke a client share link", NULL, NULL},
    {"GET", "/api/v1/accounts/:id/share-preview", api_share_preview, 0, 0, NULL,
     "Exactly what a share link would show the client (?include_kpis=true|false), and whether "
     "anything is shared (a link may be made)",
     NULL, "object"},
    {"GET", "/api/v1/shared/:token", api_shared, ROUTE_PUBLIC, 0, NULL,
     "What a share link shows the client: the client-visible objectives and actions, the "
     "service KPIs when the link has them; no login",
     NULL, "object"},
    {"PUT", "/api/v1/accounts/:id/team/:user_id", api_team_put, 0, ACCOUNT_CREATORS, NULL,
     "Add a user to the team, or change their role", "TeamRole", "object"},
    {"DELETE", "/api/v1/accounts/:id/team/:user_id", api_team_delete, 0, ACCOUNT_CREATORS, NULL,
     "Take a user off the team", NULL, NULL},

    CRUD("/api/v1/contacts", res_contacts, ACCOUNT_WRITERS, "Contact", "a contact", "contacts"),
    {"GET", "/api/v1/contacts/:id/export", api_contact_export, 0, ACCOUNT_CREATORS, NULL,
     "Everything held about a contact: {contact, interactions, surveys, audit} (privacy "
     "request; directors, admins, the account's KAM; audited)",
     NULL, "object"},
    {"POST", "/api/v1/contacts/:id/erase", api_contact_erase, 0, ACCOUNT_CREATORS, NULL,
     "Anonymise a contact everywhere, keeping NPS, counts and links (privacy request; "
     "idempotent; audited without personal data)",
     NULL, "object"},

    {"GET", "/api/v1/audit", api_audit_list, 0, R_STAFF, NULL,
     "The audit log, newest first (entity, id, limit, cursor)", NULL, "object"},

    /* getting data in */
    {"POST", "/api/v1/imports", api_import_create, ROUTE_RAW_BODY, ACCOUNT_CREATORS, NULL,
     "Import a CSV file (text/csv, or JSON {csv, mapping}); query: kind, mapping "
     "(salesforce|hubspot), dry_run, atomic, date_format, async. Replies 201 with the run: "
     "counts, rejected rows with line, column and reason, ignored columns; with async=true, "
     "202 at once and the run at its Location shows progress, then the result",
     NULL, "201 object"},
    {"GET", "/api/v1/imports", api_list_kind, 0, ACCOUNT_CREATORS, "imports",
     "Import runs, newest last (a kam sees their own)", NULL, "object"},
    {"GET", "/api/v1/imports/:id", api_import_get, 0, ACCOUNT_CREATORS, NULL,
     "One import run with its rejected rows; while it runs, progress {rows_done, rows_total}", NULL,
     "object"},

    /* identification and segmentation */
    {"GET", "/api/v1/settings", api_settings_get, 0, 0, NULL, "The settings in force", NULL,
     "object"},
    {"GET", "/api/v1/currencies", api_currencies, 0, 0, NULL,
     "The ISO 4217 currencies kam accepts, {items: [{code, digits, status}]}: digits is the "
     "minor unit amounts are counted in (JPY 0, EUR 2, KWD 3); status active, no_minor_unit "
     "(ISO gives none: whole units) or withdrawn (kept for history)",
     NULL, "object"},
    {"PATCH", "/api/v1/settings", api_settings_update, ROUTE_IF_MATCH, R_STAFF, NULL,
     "Change settings (directors, admins); scores are recomputed in the same transaction", NULL,
     "object"},
    {"POST", "/api/v1/settings/preview", api_settings_preview, 0, R_STAFF, NULL,
     "Who would be key, potential or standard under proposed settings; nothing is saved", NULL,
     "object"},
    {"GET", "/api/v1/accounts/:id/score", api_account_score, 0, 0, NULL,
     "The account's score with each criterion's raw value, normalized value, weight and "
     "contribution, and its tier",
     NULL, "object"},
    {"GET", "/api/v1/portfolio/pareto", api_portfolio_pareto, 0, 0, NULL,
     "Accounts by revenue with cumulative share and how many make 80% (from, to: YYYY-MM; "
     "scope=group&id=N (or account_id=N): the group's entities, each net of intra-group revenue)",
     NULL, "object"},
    {"GET", "/api/v1/portfolio/matrix", api_portfolio_matrix, 0, 0, NULL,
     "Key accounts by attractiveness and relationship strength in four segments; from, to "
     "(YYYY-MM) set the months of each bubble's revenue; explain=false leaves out the "
     "strength components; form=compact answers fields (account_id, name, segment, "
     "attractiveness, strength, revenue, health) and rows, one array per key account in that "
     "order, instead of items; scope=group&id=N (or account_id=N): the group's key accounts",
     NULL, "object"},
    {"GET", "/api/v1/kpis", api_kpis, 0, 0, NULL,
     "KPIs of a scope (portfolio, account, kam, segment, group: id or account_id = the "
     "group's parent account, with all its descendants, net of intra-group revenue) for [from, to) and the "
     "previous period; interval=month|quarter|year adds a series",
     NULL, "object"},
    {"GET", "/api/v1/accounts/:id/health", api_account_health, 0, 0, NULL,
     "The health score with its parts: value, weight, points and a reason; enough_data false "
     "(score null, a reason) when it rests on no revenue trend, survey answer or interaction; "
     "scope=group: the group's health weighted by each entity's 12-month revenue, with its "
     "entities",
     NULL, "object"},
    {"GET", "/api/v1/portfolio/at-risk", api_at_risk, 0, 0, NULL,
     "At-risk key accounts the caller sees (health below 70 on enough data), least healthy "
     "first (limit 1..20, default 6): {items: [{id, name, health, revenue_12m, segment, "
     "owner_id, owner_name, reason}], threshold, currency}; reason is the health's weakest part",
     NULL, "object"},
    {"GET", "/api/v1/accounts/:id/health/history", api_account_health_history, 0, 0, NULL,
     "Daily health scores (from)", NULL, "object"},
    {"GET", "/api/v1/alerts", api_list_kind, 0, 0, "alerts", "List alerts", NULL, "Alert[]"},
    {"POST", "/api/v1/alerts/evaluate", api_alert_evaluate, 0, R_STAFF, NULL,
     "Evaluate every alert rule now (directors, admins)", NULL, "object"},
    {"GET", "/api/v1/alerts/inbox", api_alert_inbox, 0, 0, NULL,
     "The alerts inbox: alerts of the accounts the caller sees grouped by account, sorted by "
     "severity × 12-month revenue, each with a plain-language rule_label (owner, state "
     "(default open, or all), severity, rule, limit)",
     NULL, "object"},
    {"GET", "/api/v1/work", api_work, 0, 0, NULL,
     "My work: open actions overdue and due in the next 7 days, open alerts by account, "
     "reviews, plan ends and renewals in the next horizon (30 or 90) days, accounts not "
     "contacted in days; of the caller's accounts, or owner's as far as the caller sees them",
     NULL, "object"},
    {"GET", "/api/v1/search", api_search, 0, 0, NULL,
     "Search accounts, contacts, actions and opportunities the caller may see (q: 2 to 100 "
     "characters; limit per kind, 1 to 20, default 5)",
     NULL, "object"},
    {"GET", "/api/v1/alerts/:id", api_alert_get, 0, 0, NULL, "Read an alert", NULL, "Alert"},
    {"PATCH", "/api/v1/alerts/:id", api_alert_update, ROUTE_IF_MATCH, 0, NULL,
     "Acknowledge, snooze (until), reopen or resolve an alert {state, snoozed_until}", "AlertPatch",
     "Alert"},
    /* playbooks (issue 17): the library and its runs */
    {"GET", "/api/v1/playbooks", api_playbook_list, 0, 0, NULL,
     "The playbook library: {items: [{id, name, description, enabled, version, trigger: {kind, "
     "rule, days_before, key_accounts_only, auto_start}, steps: [{position, title, owner_role, "
     "offset_days, objective_title}]}]}",
     NULL, "object"},
    {"POST", "/api/v1/playbooks", api_playbook_create, 0, R_STAFF, NULL,
     "Create a playbook {name, description, enabled, trigger, steps: [{title, owner_role (kam, "
     "director or a team role), offset_days, objective_title}]} (admins, directors)",
     NULL, "201 object"},
    {"GET", "/api/v1/playbooks/:id", api_playbook_get, 0, 0, NULL, "Read a playbook", NULL,
     "object"},
    {"PATCH", "/api/v1/playbooks/:id", api_playbook_update, ROUTE_IF_MATCH, R_STAFF, NULL,
     "Change a playbook (steps replace its steps) and bump its version; runs keep the version "
     "they started with (admins, directors)",
     NULL, "object"},
    {"DELETE", "/api/v1/playbooks/:id", api_playbook_delete, ROUTE_IF_MATCH, R_STAFF, NULL,
     "Delete a playbook; its runs and their actions stay (admins, directors)", NULL, NULL},
    {"POST", "/api/v1/accounts/:id/playbook-runs", api_run_start, 0, ACCOUNT_CREATORS, NULL,
     "Start a playbook on the account by hand {playbook_id}: its steps become actions of the "
     "active plan (owners from their roles, due start + offset) in one transaction; 409 "
     "without an active plan or while a run of it is open",
     NULL, "201 object"},
    {"GET", "/api/v1/accounts/:id/playbook-runs", api_account_runs, 0, 0, NULL,
     "The account's playbook runs with progress, state, why and steps (state, owner_id, limit)",
     NULL, "object"},
    {"GET", "/api/v1/playbook-runs", api_run_list, 0, 0, NULL,
     "Playbook runs on the accounts the caller sees, newest first (account_id, state: "
     "open|overdue|done, owner_id: of the account or of a step, limit)",
     NULL, "object"},
    {"GET", "/api/v1/playbook-runs/:id", api_run_get, 0, 0, NULL,
     "A playbook run: progress, state, why it started and its steps", NULL, "object"},
    {"GET", "/api/v1/kpis/rows", api_kpi_rows, 0, 0, NULL,
     "The rows one KPI counted (name, scope, id, from, to); a group's rows name their entity "
     "(account_name)",
     NULL, "object"},

    /* account plans */
    CRUD("/api/v1/plans", res_plans, ACCOUNT_WRITERS, "Plan", "a plan", "plans"),
    {"GET", "/api/v1/plans/:id/changes", api_plan_changes, 0, 0, NULL,
     "What changed since the last review (or ?since=YYYY-MM-DD): objectives' progress and "
     "status, actions done, slipped or added, stakeholders added, gone or turned, new and "
     "closed risks, the health then and now",
     NULL, "object"},
    {"GET", "/api/v1/plans/:id/document", api_plan_document, 0, 0, NULL,
     "The plan on one A4 page, PDF (default) or HTML: situation, objectives, actions, "
     "stakeholders, risks, KPIs, revenue chart",
     NULL, "application/pdf"},
    CRUD("/api/v1/objectives", res_objectives, ACCOUNT_WRITERS, "Objective", "an objective",
         "objectives"),
    CRUD("/api/v1/actions", res_actions, ACCOUNT_WRITERS, "Action", "an action", "actions"),
    CRUD("/api/v1/plan-resources", res_plan_resources, ACCOUNT_WRITERS, "PlanResource",
         "a plan resource", "plan resources"),
    CRUD("/api/v1/reviews", res_reviews, ACCOUNT_WRITERS, "Review", "a review", "reviews"),
    {"GET", "/api/v1/kams/workload", api_kam_workload, 0, 0, NULL,
     "Each KAM's key accounts against capacity, and actions {items, total}; sort=busiest puts "
     "those over capacity first, then the most overdue actions, then the most key accounts "
     "(default: by name); limit=N answers the first N, total counting them all",
     NULL, "object"},

    /* what we sell, to whom, and what it brought */
    CRUD("/api/v1/products", res_products, R_STAFF, "Product", "a product", "products"),
    CRUD("/api/v1/import-mappings", res_import_mappings, R_STAFF, "ImportMapping",
         "an import mapping saved by name (its mapping is the mapping file's JSON text)",
         "import mappings"),
    CRUD("/api/v1/units", res_units, ACCOUNT_WRITERS, "BusinessUnit", "a business unit",
         "business units"),
    CRUD("/api/v1/opportunities", res_opportunities, ACCOUNT_WRITERS, "Opportunity",
         "an opportunity", "opportunities"),
    CRUD("/api/v1/contracts", res_contracts, ACCOUNT_WRITERS, "Contract", "a contract",
         "contracts"),
    {"GET", "/api/v1/forecast", api_forecast, 0, 0, NULL,
     "The fiscal quarter's forecast by kam, team or portfolio: booked, contracted, won, "
     "commit, best case, pipeline, target, attainment and gap (quarter=2026-Q4 or FY2027-Q1, "
     "fiscal by settings.fiscal_year_start_month; by=kam|team|portfolio)",
     NULL, "object"},
    {"GET", "/api/v1/forecast/opportunities", api_forecast_opportunities, 0, 0, NULL,
     "The opportunities behind a quarter's forecast (quarter, owner_id, category)", NULL, "object"},
    {"GET", "/api/v1/forecast/history", api_forecast_history, 0, 0, NULL,
     "The weekly snapshots of a quarter's forecast and, once it is over, their accuracy", NULL,
     "object"},
    {"GET", "/api/v1/forecast/targets", api_forecast_targets_get, 0, 0, NULL,
     "The targets of a quarter (user_id null: the portfolio)", NULL, "object"},
    {"PUT", "/api/v1/forecast/targets", api_forecast_targets_put, 0, R_STAFF, NULL,
     "Set targets of a quarter: {quarter, targets: [{user_id (null: portfolio), amount (minor "
     "units of the base currency; null removes)}]}",
     NULL, "object"},
    CRUD("/api/v1/fx-rates", res_fx_rates, R_STAFF, "FXRate", "an FX rate", "FX rates"),
    CRUD("/api/v1/transactions", res_transactions, ACCOUNT_CREATORS, "Transaction", "a transaction",
         "transactions"),
    {"POST", "/api/v1/transactions/bulk", api_transactions_bulk, ROUTE_RAW_BODY, ACCOUNT_CREATORS,
     NULL, "Import transactions as NDJSON or CSV, idempotent by external_id", NULL, "object"},
    {"GET", "/api/v1/accounts/:id/whitespace", api_account_whitespace, 0, 0, NULL,
     "Units × products: sold, pipeline, white space; scope=group: the group's entities × "
     "products",
     NULL, "object"},
    {"GET", "/api/v1/accounts/:id/pipeline", api_account_pipeline, 0, 0, NULL,
     "Open pipeline totals and weighted value; scope=group: of the group's entities", NULL,
     "object"},
    {"GET", "/api/v1/accounts/:id/group", api_account_group, 0, 0, NULL,
     "The group the account belongs to, from its top parent down: {root_id, account_id, "
     "currency, complete, entities: [{id, name, parent_id, depth, owner: {id, name}, "
     "revenue_12m, health, visible}], totals: {entities, revenue_12m, intra_group_12m, health} "
     "or null}; entities whose figures the caller may not see are left out (visible: may open "
     "the record), totals only for the group's owner, staff, or when its owner shares them "
     "(docs/groups.md); format=csv|xlsx: the "
     "same as a file, money in major units",
     NULL, "object"},

    /* engagement: interactions, cases, risks, surveys */
    /* CRUD written out: POST also takes a follow_up action (its schema: openapi.c) */
    {"GET", "/api/v1/interactions", api_res_list, 0, 0, &res_interactions, "List interactions",
     NULL, "Interaction[]"},
    {"POST", "/api/v1/interactions", api_res_create, 0, ACCOUNT_WRITERS, &res_interactions,
     "Create an interaction; follow_up {title, due_on, owner_id, objective_id} also makes that "
     "action in the account's active plan, in the same transaction (409 without an active "
     "plan; a fault of either stores nothing)",
     "InteractionInput", "Interaction"},
    {"GET", "/api/v1/interactions/:id", api_res_get, 0, 0, &res_interactions, "Read an interaction",
     NULL, "Interaction"},
    {"PATCH", "/api/v1/interactions/:id", api_res_update, ROUTE_IF_MATCH, ACCOUNT_WRITERS,
     &res_interactions, "Change an interaction", "InteractionPatch", "Interaction"},
    {"DELETE", "/api/v1/interactions/:id", api_res_delete, ROUTE_IF_MATCH, ACCOUNT_WRITERS,
     &res_interactions, "Delete an interaction", NULL, NULL},
    {"GET", "/api/v1/interactions/:id/history", api_res_history, 0, 0, &res_interactions,
     "The change history of an interaction", NULL, "object"},
    CRUD("/api/v1/cases", res_cases, ACCOUNT_WRITERS, "Case", "a case", "cases"),
    CRUD("/api/v1/risks", res_risks, ACCOUNT_WRITERS, "Risk", "a risk", "risks"),
    CRUD("/api/v1/competitors", res_competitors, ACCOUNT_WRITERS, "Competitor", "a competitor",
         "competitors"),
    CRUD("/api/v1/coverage", res_coverage, ACCOUNT_WRITERS, "Coverage",
         "a link between one of our people and a stakeholder", "coverage links"),
    {"GET", "/api/v1/accounts/:id/coverage", api_account_coverage, 0, 0, NULL,
     "The relationship coverage grid: our people × the client's deciders and influencers, "
     "with the gaps (nobody covers a decision maker, a link unverified for 180 days, one "
     "person covering every decision maker)",
     NULL, "object"},
    {"GET", "/api/v1/accounts/:id/stakeholders", api_account_stakeholders, 0, 0, NULL,
     "The stakeholders on one map: the account's contacts, or with scope=group those of every "
     "entity of its group the caller sees, each with its account (reports_to may cross "
     "entities; a manager not on the map is left out, reports_elsewhere true)",
     NULL, "object"},
    CRUD("/api/v1/surveys", res_surveys, ACCOUNT_WRITERS, "Survey", "a survey", "surveys"),
    {"GET", "/api/v1/accounts/:id/risk-matrix", api_account_risk_matrix, 0, 0, NULL,
     "The 5×5 risk heat map of the account", NULL, "object"},

    /* the client workspace (issue 19, docs/workspace.md): staff side */
    {"POST", "/api/v1/accounts/:id/client-members", api_ws_member_create, 0, ACCOUNT_CREATORS,
     NULL,
     "Invite a client member {name, email, contact_id?} to the account's workspace (its KAM, "
     "directors, admins): the member with a one-time link {link: /#/workspace/ws_…, "
     "expires_at (7 days)} and mailed (a link of its own also goes by mail when mail is set up)",
     NULL, "201 object"},
    {"GET", "/api/v1/accounts/:id/client-members", api_ws_members, 0, 0, NULL,
     "The account's client members {items: [{id, name, email, contact_id, invited_at, "
     "last_visit_at, removed_at}]}",
     NULL, "object"},
    {"POST", "/api/v1/client-members/:id/link", api_ws_member_link, 0, ACCOUNT_CREATORS, NULL,
     "A fresh one-time link for a client member; their earlier links stop working", NULL,
     "201 object"},
    {"DELETE", "/api/v1/client-members/:id", api_ws_member_delete, 0, ACCOUNT_CREATORS, NULL,
     "Remove a client member: their links and sessions end at once", NULL, NULL},
    {"GET", "/api/v1/accounts/:id/workspace-activity", api_ws_activity, 0, 0, NULL,
     "What client members did in the account's workspace, newest first {items: [{actor, "
     "action, entity, entity_id, summary, at}]}",
     NULL, "object"},
    {"GET", "/api/v1/accounts/:id/workspace-comments", api_ws_comments, 0, 0, NULL,
     "The comments on the account's shared objectives and actions {items}", NULL, "object"},
    {"POST", "/api/v1/accounts/:id/workspace-comments", api_ws_staff_comment, 0,
     ACCOUNT_CREATORS, NULL,
     "Reply in the workspace {objective_id | action_id, body} on a shared objective or action",
     NULL, "201 object"},
    {"POST", "/api/v1/plans/:id/reviews", api_ws_review_create, 0, ACCOUNT_CREATORS, NULL,
     "Propose a joint review {proposed_on, agenda: [text]}; the client confirms it or proposes "
     "another date; PATCH /reviews/:id {proposed_on, minutes, published} publishes the minutes",
     NULL, "201 object"},
    {"GET", "/api/v1/plans/:id/reviews", api_ws_reviews, 0, 0, NULL,
     "The plan's reviews with their agendas {items}", NULL, "object"},
    {"POST", "/api/v1/accounts/:id/survey-requests", api_ws_survey_request, 0, ACCOUNT_CREATORS,
     NULL,
     "Ask the account's client members for an NPS or CSAT answer {kind: nps|csat, question?}; "
     "answers are surveys like any other",
     NULL, "201 object"},
    {"GET", "/api/v1/accounts/:id/survey-requests", api_ws_survey_requests, 0, 0, NULL,
     "The account's survey requests with their answer counts {items}", NULL, "object"},
    {"POST", "/api/v1/accounts/:id/survey-requests/:request_id/close", api_ws_survey_request_close,
     0, ACCOUNT_CREATORS, NULL,
     "Close a survey request (the account's KAM, directors, admins): the workspace stops "
     "asking for it and answers sent to it get 409; the answers given stay; closing a closed "
     "one answers the same",
     NULL, "object"},

    /* the client workspace: a client member's session only (ROUTE_CLIENT) */
    {"POST", "/api/v1/workspace/session", api_ws_session_create, ROUTE_PUBLIC, 0, NULL,
     "Sign in with a one-time workspace link {token}: sets the kam_workspace cookie (Path "
     "/api/v1/workspace), returns {member, account, csrf_token}; the link then stops working; "
     "20 tries a minute per address, else 429",
     NULL, "201 object"},
    {"GET", "/api/v1/workspace/session", api_ws_session_get, ROUTE_CLIENT, 0, NULL,
     "The client member's session {member: {id, name}, account: {id, name}, csrf_token}", NULL,
     "object"},
    {"DELETE", "/api/v1/workspace/session", api_ws_session_delete, ROUTE_CLIENT, 0, NULL,
     "Sign out of the workspace", NULL, NULL},
    {"GET", "/api/v1/workspace", api_ws_view, ROUTE_CLIENT, 0, NULL,
     "The joint account plan: shared objectives and actions (side, status, due_on, owner) with "
     "comments, the next review and its agenda, service KPIs (SLA, time to resolution, NPS and "
     "CSAT with the previous year), open cases the client raised, surveys to answer, revenue "
     "when shared",
     NULL, "object"},
    {"PATCH", "/api/v1/workspace/actions/:id", api_ws_action_update, ROUTE_CLIENT, 0, NULL,
     "Change {status: open|in_progress|done, due_on} of an action on the client's side (theirs "
     "or joint)",
     NULL, "object"},
    {"POST", "/api/v1/workspace/actions", api_ws_action_propose, ROUTE_CLIENT, 0, NULL,
     "Propose an action {title, due_on?, objective_id?}: status proposed until the KAM accepts it",
     NULL, "201 object"},
    {"POST", "/api/v1/workspace/comments", api_ws_comment, ROUTE_CLIENT, 0, NULL,
     "Comment {objective_id | action_id, body} on a shared objective or action", NULL,
     "201 object"},
    {"POST", "/api/v1/workspace/reviews/:id/confirm", api_ws_review_confirm, ROUTE_CLIENT, 0,
     NULL, "Confirm the proposed date of a joint review", NULL, "object"},
    {"POST", "/api/v1/workspace/reviews/:id/propose", api_ws_review_propose, ROUTE_CLIENT, 0,
     NULL, "Propose another date {proposed_on} for a joint review", NULL, "object"},
    {"POST", "/api/v1/workspace/reviews/:id/agenda", api_ws_review_agenda, ROUTE_CLIENT, 0, NULL,
     "Add an item {item} to a joint review's agenda", NULL, "object"},
    {"POST", "/api/v1/workspace/surveys/:id/answer", api_ws_survey_answer, ROUTE_CLIENT, 0, NULL,
     "Answer a survey request {score (NPS 0..10, CSAT 1..5), comment?}; once per member (409 "
     "after)",
     NULL, "201 object"},
    {"GET", "/api/v1/workspace/plan.pdf", api_ws_plan_pdf, ROUTE_CLIENT, 0, NULL,
     "The one-page plan with the workspace's content only, PDF", NULL, "application/pdf"},
    {"GET", "/api/v1/workspace/plan.html", api_ws_plan_html, ROUTE_CLIENT, 0, NULL,
     "The one-page plan with the workspace's content only, HTML", NULL, "text/html"},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

/* the metrics listen address serves this table alone; its handler needs no connection */
const struct http_route api_metrics_routes[] = {
    {"GET", "/metrics", api_metrics, PUB, 0, NULL, "Counters in the Prometheus text format",
     NULL, "text/plain"},
};
const size_t api_metrics_nroutes = sizeof(api_metrics_routes) / sizeof(api_metrics_routes[0]);
