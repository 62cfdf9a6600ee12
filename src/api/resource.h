/*
 * One set of handlers for every resource that hangs off an account: list, create, read,
 * update, delete, with the object checks of DESIGN §2, validation from the model, ETags,
 * and an audit row per change. A resource file describes itself in a struct api_resource
 * and the route table points at api_res_* with that struct as the route's arg.
 */
#ifndef KAM_API_RESOURCE_H
#define KAM_API_RESOURCE_H
#include "api/api.h"

enum api_scope {
	SCOPE_GLOBAL,  /* not tied to an account (products, FX rates): staff write, all read */
	SCOPE_ACCOUNT, /* has account_id, given on create */
	SCOPE_PLAN,    /* has plan_id; account_id follows from the plan */
};

struct api_resource {
	const struct model_entity *e;
	const char *base; /* "/api/v1/plans" */
	enum api_scope scope;
	bool member_writes; /* members on the account's team may write it */
	/*
	 * Checks rec as it will be stored (before: the stored record on update, NULL on
	 * create) and fills server-computed columns. May be NULL.
	 */
	int (*prepare)(struct req *rq, json_t *rec, const json_t *before, struct kam_errinfo *ei);
	/* Runs in the write's transaction after it (before/after NULL on create/delete). */
	int (*after_write)(struct req *rq, const json_t *before, const json_t *after);
	/* Adds computed fields to a record going out; single is true for GET /{id}. */
	int (*decorate)(struct req *rq, json_t *rec, bool single);
	/* Says what a 409 from the database means for this resource. */
	const char *conflict;
};

/* Route handlers: rq->route_arg is the struct api_resource. */
int api_res_list(struct req *rq, struct resp *rs);
int api_res_create(struct req *rq, struct resp *rs);
int api_res_get(struct req *rq, struct resp *rs);
int api_res_update(struct req *rq, struct resp *rs);
int api_res_delete(struct req *rq, struct resp *rs);

/* Creates a validated rec inside the caller's write transaction: access, references,
 * prepare, insert, after_write, audit. *out (may be NULL) gets the stored row, owned. */
int api_res_insert(struct req *rq, const struct api_resource *r, json_t *rec, json_t **out,
		   struct kam_errinfo *ei);
/* Applies a validated patch to row id inside the caller's write transaction (want < 0: any
 * version). *out (may be NULL) gets the stored row, owned. */
int api_res_patch(struct req *rq, const struct api_resource *r, int64_t id, json_t *patch,
		  int64_t want, json_t **out, struct kam_errinfo *ei);

/* Whether the caller may change the stored record rec of r: KAM_ENOTFOUND when its account
 * is not visible, KAM_EFORBIDDEN (ei says why) when visible but not theirs to write. */
int api_res_may_write(struct req *rq, const struct api_resource *r, const json_t *rec,
                      struct kam_errinfo *ei);
/* The model entity called name ("account", "user", …), or NULL. */
const struct model_entity *api_entity(const char *name);
/* Checks that every reference in rec exists and belongs to account_id (when it has one). */
int api_check_refs(struct req *rq, const struct model_entity *e, const json_t *rec,
		   int64_t account_id, struct kam_errinfo *ei);

/* The resources (defined in their own files). */
extern const struct api_resource res_contacts, res_plans, res_objectives, res_actions, res_plan_resources,
	res_reviews, res_products, res_units, res_opportunities, res_fx_rates, res_transactions,
	res_interactions, res_cases, res_risks, res_surveys;

#endif
