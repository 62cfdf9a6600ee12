/* /api/v1/opportunities and an account's pipeline. */
#include "api/resource.h"

const struct api_resource res_opportunities = {&model_opportunity, "/api/v1/opportunities",
					       SCOPE_ACCOUNT, false, NULL, NULL, NULL, NULL};

int api_account_pipeline(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
