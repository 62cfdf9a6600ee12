/* Products, business units, FX rates and transactions with their monthly revenue rollup. */
#include "api/resource.h"

const struct api_resource res_products = {&model_product, "/api/v1/products", SCOPE_GLOBAL,
					  false, NULL, NULL, NULL,
					  "a product with this name exists already"};
const struct api_resource res_units = {&model_unit, "/api/v1/units", SCOPE_ACCOUNT, false, NULL,
				       NULL, NULL, "this account already has a unit of that name"};
const struct api_resource res_fx_rates = {&model_fx_rate, "/api/v1/fx-rates", SCOPE_GLOBAL,
					  false, NULL, NULL, NULL,
					  "a rate for this currency and date exists already"};
const struct api_resource res_transactions = {&model_transaction, "/api/v1/transactions",
					      SCOPE_ACCOUNT, false, NULL, NULL, NULL,
					      "a transaction with this external_id exists already"};

int api_transactions_bulk(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}

int api_account_whitespace(struct req *rq, struct resp *rs)
{
	(void)rq;
	return http_problem(rs, 404, "not built yet", NULL);
}
