/*
 * Every record that hangs off an account (contacts, plans, objectives, actions, cases,
 * transactions, …) is written the same way: the object checks of DESIGN §2, validation from
 * the model, the resource's own checks, the write, the money caps and an audit row. A
 * resource describes itself in a struct app_resource; the REST handlers (api/resource.c),
 * the importer and the CLI all write through the functions below.
 */
#ifndef KAM_APP_RECORD_H
#define KAM_APP_RECORD_H
#include "app/access.h"

enum app_scope {
	SCOPE_GLOBAL,  /* not tied to an account (products, FX rates): staff write, all read */
	SCOPE_ACCOUNT, /* has account_id, given on create */
	SCOPE_PLAN,    /* has plan_id; account_id follows from the plan */
	SCOPE_SELF,    /* the account itself: its id is the account whose rights apply */
};

struct app_resource {
	const struct model_entity *e;
	const char *base; /* "/api/v1/plans": where its records live, for links */
	enum app_scope scope;
	bool member_writes; /* members on the account's team may write it */
	/*
	 * Checks rec as it will be stored (before: the stored record on update, NULL on
	 * create) and fills server-computed columns. May be NULL.
	 */
	int (*prepare)(struct store_conn *db, const struct actor *who, json_t *rec,
	               const json_t *before, struct kam_errinfo *ei);
	/* Runs in the write's transaction after it (before/after NULL on create/delete). */
	int (*after_write)(struct store_conn *db, const struct actor *who, const json_t *before,
	                   const json_t *after);
	/* Brings what derives from a record written by hand up to date before it is read back
	 * (an account's score). The importer skips it and refreshes once. May be NULL. */
	int (*settle)(struct store_conn *db, const struct actor *who, const json_t *rec);
	/* Whether who may delete rec, when that takes more than changing it (an account:
	 * its owner or staff, not its team). May be NULL. */
	int (*may_delete)(struct store_conn *db, const struct actor *who, const json_t *rec,
	                  struct kam_errinfo *ei);
	/* Adds computed fields to a record going out; single is true for one record. */
	int (*decorate)(struct store_conn *db, const struct actor *who, json_t *rec, bool single);
	/* Says what a 409 from the database means for this resource. */
	const char *conflict;
	/* One record going out depends only on what is stored, the caller and today (never on
	 * the hour: a case's SLA does), so a caller's read may come from the record cache. */
	bool cached;
	/* Takes app_res_create's place when a create body may hold more than the record (an
	 * interaction's follow_up action). May be NULL. */
	int (*create)(struct store_conn *db, const struct actor *who, json_t *body, json_t **out,
	              int64_t *version, struct kam_errinfo *ei);
};

/* More work in a create's transaction, after the insert of rec (the stored row). */
typedef int (*app_also_fn)(struct store_conn *db, const struct actor *who, const json_t *rec,
                           void *arg, struct kam_errinfo *ei);

/* The model entity called name ("account", "user", …), or NULL. */
const struct model_entity *app_entity(const char *name);
/* Checks that every reference in rec exists, is visible to who and belongs to account_id
 * (when it has one); an invisible record is named "no such" like a missing one. */
int app_check_refs(struct store_conn *db, const struct actor *who, const struct model_entity *e,
                   const json_t *rec, int64_t account_id, struct kam_errinfo *ei);
/* Loads record id of r if who may see it (*out owned by the caller), and whether they may
 * change it; lock takes the row for an update in the open transaction. */
int app_res_load(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                 int64_t id, bool lock, json_t **out, int64_t *version, bool *can_write);
/* Reads record id of r for its GET, decorated, if who may see it (*out owned by the caller):
 * for most records one statement. */
int app_res_read(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                 int64_t id, json_t **out, int64_t *version);
/* Where app_res_read hands an account's decoration its revenue span, [first, last month]. */
#define APP_REVENUE_SPAN "\x01revenue_span"
/* The audit rows of record id of r, newest first, if who may see the record (KAM_ENOTFOUND
 * otherwise, as for a missing one); *items and *next (NULL at the end) are owned. */
int app_res_history(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                    int64_t id, int limit, const char *cursor, json_t **items, char **next);
/* Whether who may change the stored record rec of r: KAM_ENOTFOUND when its account is not
 * visible, KAM_EFORBIDDEN (ei says why) when visible but not theirs to write. */
int app_res_may_write(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                      const json_t *rec, struct kam_errinfo *ei);
/* Creates a validated rec inside the caller's write transaction: access, references,
 * prepare, insert, after_write, money caps, audit. *out (may be NULL) gets the stored row. */
int app_res_insert(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                   json_t *rec, json_t **out, struct kam_errinfo *ei);
/* Applies a validated patch to row id inside the caller's write transaction (want < 0: any
 * version). *out (may be NULL) gets the stored row, owned. */
int app_res_patch(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                  int64_t id, json_t *patch, int64_t want, json_t **out, struct kam_errinfo *ei);
/* Validates body and creates it in a transaction of its own; *out (owned) is the record as
 * it goes out, decorated, and *version its version; both are ready before the commit. */
int app_res_create(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                   json_t *body, json_t **out, int64_t *version, struct kam_errinfo *ei);
/* app_res_create without r->create, running also(db, who, rec, arg, ei) after the insert in
 * the same transaction: when it fails, nothing is stored. */
int app_res_create_also(struct store_conn *db, const struct actor *who,
                        const struct app_resource *r, json_t *body, app_also_fn also, void *arg,
                        json_t **out, int64_t *version, struct kam_errinfo *ei);
/* Validates patch and applies it to id in a transaction of its own (want < 0: any version);
 * *out and *version as for app_res_create. */
int app_res_update(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                   int64_t id, json_t *patch, int64_t want, json_t **out, int64_t *version,
                   struct kam_errinfo *ei);
/* Deletes id (at version want, < 0 any) in a transaction of its own, with its audit row. */
int app_res_delete(struct store_conn *db, const struct actor *who, const struct app_resource *r,
                   int64_t id, int64_t want, struct kam_errinfo *ei);

/* The resources (defined in app/account.c, contacts.c, engagement.c, plans.c, revenue.c, …). */
extern const struct app_resource res_accounts, res_contacts, res_plans, res_objectives, res_actions,
    res_plan_resources, res_reviews, res_products, res_units, res_opportunities, res_fx_rates,
    res_transactions, res_interactions, res_cases, res_risks, res_competitors, res_coverage, res_surveys, res_users,
    res_import_mappings, res_contracts, res_forecast_targets;

#endif
