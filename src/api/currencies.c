/* GET /api/v1/currencies: the ISO 4217 table kam holds money in (kam/money.h), so clients
 * scale minor units with the same digits as the server. */
#include "api/api.h"
#include "kam/money.h"

int api_currencies(struct req *rq, struct resp *rs)
{
	static const char *const status[] = {"active", "no_minor_unit", "withdrawn"};
	size_t n;
	const struct money_currency *c = money_currencies(&n);
	json_t *items = json_array();

	(void)rq;
	if (items == NULL)
		return http_reply_err(rs, KAM_ENOMEM, NULL), KAM_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(items, json_pack("{s:s,s:i,s:s}", "code", c[i].code,
		                                           "digits", c[i].digits, "status",
		                                           status[c[i].status])) != 0) {
			json_decref(items);
			return http_reply_err(rs, KAM_ENOMEM, NULL), KAM_ENOMEM;
		}
	return http_reply_json(rs, 200, json_pack("{s:o}", "items", items));
}
