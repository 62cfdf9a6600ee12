/* /api/v1/plans and their objectives, actions, resources and reviews; KAM workload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/grouplinks.h"
#include "app/measure.h"
#include "app/record.h"
#include "app/workspace.h"
#include "app/scores.h"
#include "kam/plan.h"
#include "kam/settings.h"
#include "store/portfolio.h"
#include "util/time.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int plan_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                        const json_t *before, struct kam_errinfo *ei)
{
	(void)db;
	(void)who;
	(void)before;
	if (strcmp(str(rec, "period_end"), str(rec, "period_start")) < 0) {
		err_field(ei, "period_end", "must not be before period_start");
		return KAM_EINVAL;
	}
	if (json_object_get(rec, "status") == NULL)
		json_object_set_new(rec, "status", json_string("draft"));
	return KAM_OK;
}

/* A done action has the day it was done; reopening clears it. */
static int action_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                          const json_t *before, struct kam_errinfo *ei)
{
	const char *status = str(rec, "status");
	json_t *obj = json_object_get(rec, "objective_id");
	char today[DATE_LEN];
	int rc;

	(void)before;
	if ((rc = app_today_text(db, who, today)) != KAM_OK)
		return rc;
	if (status == NULL) {
		status = "open";
		json_object_set_new(rec, "status", json_string(status));
	}
	if (!strcmp(status, "done") && !json_is_string(json_object_get(rec, "done_on")))
		json_object_set_new(rec, "done_on", json_string(today));
	if (strcmp(status, "done") != 0 && json_is_string(json_object_get(rec, "done_on")))
		json_object_set_new(rec, "done_on", json_null());
	if (json_is_integer(obj)) {
		json_t *o = NULL;
		rc = store_get(db, &model_objective, json_integer_value(obj), &o, NULL);

		if (rc == KAM_OK && json_integer_value(json_object_get(o, "plan_id")) !=
		                        json_integer_value(json_object_get(rec, "plan_id")))
			rc = KAM_EINVAL;
		json_decref(o);
		if (rc != KAM_OK) {
			err_field(ei, "objective_id", "must be an objective of the same plan");
			return KAM_EINVAL;
		}
	}
	return KAM_OK;
}

static int review_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                          const json_t *before, struct kam_errinfo *ei)
{
	const char *next = str(rec, "next_review_on");

	(void)db;
	(void)who;
	/* a joint review is held on the date proposed: a new date asks the client again */
	if (json_is_true(json_object_get(rec, "joint")) && str(rec, "proposed_on") &&
	    (before == NULL || str(before, "proposed_on") == NULL ||
	     strcmp(str(before, "proposed_on"), str(rec, "proposed_on")) != 0)) {
		json_object_set(rec, "held_on", json_object_get(rec, "proposed_on"));
		json_object_set_new(rec, "status", json_string("proposed"));
		json_object_set_new(rec, "client_proposed_on", json_null());
	}
	if (next && strcmp(next, str(rec, "held_on")) < 0) {
		err_field(ei, "next_review_on", "must not be before held_on");
		return KAM_EINVAL;
	}
	return KAM_OK;
}

static int objective_decorate(struct store_conn *db, const struct actor *who, json_t *rec,
                              bool single)
{
	double p;
	int rc = app_objective_measure(db, who, rec);

	(void)single;
	if (rc != KAM_OK)
		return rc;
	json_object_set_new(rec, "progress", plan_progress(rec, &p) ? json_real(p) : json_null());
	return KAM_OK;
}

static int objective_prepare(struct store_conn *db, const struct actor *who, json_t *rec,
                             const json_t *before, struct kam_errinfo *ei)
{
	(void)db;
	(void)who;
	(void)before;
	return app_measure_check(rec, ei);
}

static int action_decorate(struct store_conn *db, const struct actor *who, json_t *rec, bool single)
{
	char today[DATE_LEN];
	int rc;

	(void)single;
	if ((rc = app_today_text(db, who, today)) != KAM_OK)
		return rc;
	json_object_set_new(rec, "overdue", json_boolean(plan_action_overdue(rec, today)));
	return KAM_OK;
}

/* The children of a plan of one kind, decorated, oldest first (reviews newest first). */
static int children(struct store_conn *db, const struct actor *who, const struct model_entity *e,
                    int64_t plan, bool desc,
                    int (*decorate)(struct store_conn *, const struct actor *, json_t *, bool),
                    json_t **out)
{
	struct store_list q = {.sort = desc ? "held_on" : "id", .desc = desc, .limit = 500};
	struct actor w = *who; /* today, worked out once for every row */
	char *next = NULL;
	json_t *items = NULL, *it;
	size_t i;
	int rc;

	if ((rc = app_actor_today(db, &w)) != KAM_OK)
		return rc;
	q.filters = json_pack("{s:o}", "plan_id", json_sprintf("%lld", (long long)plan));
	rc = store_list(db, e, &q, &items, &next);
	json_decref(q.filters);
	free(next);
	if (rc != KAM_OK)
		return rc;
	json_array_foreach(items, i, it)
	{
		if (decorate && (rc = decorate(db, &w, it, false)) != KAM_OK) {
			json_decref(items);
			return rc;
		}
	}
	*out = items;
	return KAM_OK;
}

/* Where a plan stands in its group (docs/groups.md): the group plan it is part of, and the
 * entity plans linked to it with their objectives' progress, as far as who may see them. */
static int group_links(struct store_conn *db, const struct actor *who, json_t *rec)
{
	json_t *gp = NULL, *ents = NULL, *x;
	size_t i;
	int rc;

	if ((rc = app_plan_group_plan(db, who, rec, &gp)) != KAM_OK)
		return rc;
	json_object_set_new(rec, "group_plan", gp);
	if ((rc = app_plan_entity_plans(db, who, json_integer_value(json_object_get(rec, "id")),
	                                &ents)) != KAM_OK)
		return rc;
	json_array_foreach(ents, i, x)
	{
		json_t *obj = NULL, *o, *slim = json_array();
		double sum = 0;
		int measured = 0, achieved = 0;
		size_t j;

		rc = children(db, who, &model_objective,
		              json_integer_value(json_object_get(x, "id")), false,
		              objective_decorate, &obj);
		if (rc != KAM_OK) {
			json_decref(slim);
			break;
		}
		json_array_foreach(obj, j, o)
		{
			json_t *pr = json_object_get(o, "progress");

			if (json_is_number(pr)) {
				sum += json_number_value(pr) > 1 ? 1 : json_number_value(pr);
				measured++;
			}
			achieved += !strcmp(str(o, "status"), "achieved");
			json_array_append_new(
			    slim, json_pack("{s:O,s:O,s:O,s:O,s:O}", "id", json_object_get(o, "id"),
			                    "title", json_object_get(o, "title"), "status",
			                    json_object_get(o, "status"), "due_on",
			                    json_object_get(o, "due_on") ?: json_null(), "progress",
			                    pr ? pr : json_null()));
		}
		json_decref(obj);
		json_object_set_new(x, "objectives", slim);
		json_object_set_new(x, "achieved", json_integer(achieved));
		/* the mean progress of the objectives that have one, each counted up to 100% */
		json_object_set_new(x, "progress",
		                    measured ? json_real(sum / measured) : json_null());
	}
	if (rc == KAM_OK)
		json_object_set(rec, "entity_plans", ents);
	json_decref(ents);
	return rc;
}

/* A plan read in one payload: objectives, actions, resources and reviews. */
static int plan_decorate(struct store_conn *db, const struct actor *who, json_t *rec, bool single)
{
	int64_t id = json_integer_value(json_object_get(rec, "id"));
	json_t *obj = NULL, *act = NULL, *res = NULL, *rev = NULL, *x;
	int overdue = 0, achieved = 0, rc;
	size_t i;

	if ((rc = children(db, who, &model_objective, id, false, objective_decorate, &obj)) !=
	        KAM_OK ||
	    (rc = children(db, who, &model_action, id, false, action_decorate, &act)) != KAM_OK ||
	    (rc = children(db, who, &model_plan_resource, id, false, NULL, &res)) != KAM_OK ||
	    (rc = children(db, who, &model_review, id, true, NULL, &rev)) != KAM_OK)
		goto out;
	json_array_foreach(act, i, x) overdue += json_is_true(json_object_get(x, "overdue"));
	json_array_foreach(obj, i, x) achieved += !strcmp(str(x, "status"), "achieved");
	json_object_set_new(
	    rec, "counts",
	    json_pack("{s:I,s:i,s:I,s:i,s:I,s:I}", "objectives", (json_int_t)json_array_size(obj),
	              "achieved", achieved, "actions", (json_int_t)json_array_size(act),
	              "overdue_actions", overdue, "resources", (json_int_t)json_array_size(res),
	              "reviews", (json_int_t)json_array_size(rev)));
	if (single && (rc = group_links(db, who, rec)) != KAM_OK)
		goto out;
	if (single) {
		json_object_set(rec, "objectives", obj);
		json_object_set(rec, "actions", act);
		json_object_set(rec, "resources", res);
		json_object_set(rec, "reviews", rev);
	}
out:
	json_decref(obj);
	json_decref(act);
	json_decref(res);
	json_decref(rev);
	return rc;
}

const struct app_resource res_plans = {
	.e = &model_plan,
	.base = "/api/v1/plans",
	.scope = SCOPE_ACCOUNT,
	.prepare = plan_prepare,
	.decorate = plan_decorate,
	.conflict = "this account already has an active plan for that period",
};
const struct app_resource res_objectives = {
	.e = &model_objective,
	.base = "/api/v1/objectives",
	.scope = SCOPE_PLAN,
	.prepare = objective_prepare,
	.decorate = objective_decorate,
};
const struct app_resource res_actions = {
	.e = &model_action,
	.base = "/api/v1/actions",
	.scope = SCOPE_PLAN,
	.member_writes = true,
	.prepare = action_prepare,
	.decorate = action_decorate,
};
const struct app_resource res_plan_resources = {
	.e = &model_plan_resource,
	.base = "/api/v1/plan-resources",
	.scope = SCOPE_PLAN,
	.conflict = "this user is already a resource of the plan",
};
const struct app_resource res_reviews = {
	.e = &model_review,
	.base = "/api/v1/reviews",
	.scope = SCOPE_PLAN,
	.prepare = review_prepare,
	.decorate = app_ws_review_decorate,
};
