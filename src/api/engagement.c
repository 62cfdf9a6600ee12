/* Interactions, cases (with SLA state), risks (with the 5x5 matrix) and surveys. */
#include "api/resource.h"

const struct api_resource res_interactions = {&model_interaction, "/api/v1/interactions",
					      SCOPE_ACCOUNT, true, NULL, NULL, NULL, NULL};
const struct api_resource res_cases = {&model_case, "/api/v1/cases", SCOPE_ACCOUNT, true, NULL,
				       NULL, NULL, NULL};
const struct api_resource res_risks = {&model_risk, "/api/v1/risks", SCOPE_ACCOUNT, false, NULL,
				       NULL, NULL, NULL};
const struct api_resource res_surveys = {&model_survey, "/api/v1/surveys", SCOPE_ACCOUNT, false,
					 NULL, NULL, NULL, NULL};

int api_account_risk_matrix(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
