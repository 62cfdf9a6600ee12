/* Identification and segmentation: settings, scores, the Pareto list and the portfolio matrix. */
#include "api/api.h"

int api_settings_get(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
int api_settings_update(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
int api_account_score(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
int api_portfolio_pareto(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
int api_portfolio_matrix(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
