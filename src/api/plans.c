/* /api/v1/plans and their objectives, actions, resources and reviews. */
#include "api/resource.h"

const struct api_resource res_plans = {
	.e = &model_plan,
	.base = "/api/v1/plans",
	.scope = SCOPE_ACCOUNT,
	.conflict = "this account already has an active plan for that period",
};
const struct api_resource res_objectives = {&model_objective, "/api/v1/objectives", SCOPE_PLAN,
					    false, NULL, NULL, NULL, NULL};
const struct api_resource res_actions = {&model_action, "/api/v1/actions", SCOPE_PLAN, true,
					 NULL, NULL, NULL, NULL};
const struct api_resource res_plan_resources = {
	&model_plan_resource, "/api/v1/plan-resources", SCOPE_PLAN, false, NULL, NULL, NULL,
	"this user is already a resource of the plan"};
const struct api_resource res_reviews = {&model_review, "/api/v1/reviews", SCOPE_PLAN, false,
					 NULL, NULL, NULL, NULL};

int api_kam_workload(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
