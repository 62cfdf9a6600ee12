/* Interactions, cases (with SLA state), risks (with the 5×5 matrix) and surveys. */
#include <stdio.h>
#include <string.h>
#include "api/resource.h"
#include "app/contacts.h"
#include "kam/date.h"
#include "kam/engagement.h"
#include "kam/settings.h"
#include "store/engagement.h"
#include "store/revenue.h"
#include "util/time.h"

int api_account_risk_matrix(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *rows = NULL, *cells;
	int counts[6][6] = {{0}}, open = 0, rc;
	size_t i;
	json_t *r;

	if (id < 0 || app_account_visible(rq->db, &rq->user.who, id, NULL, NULL) != KAM_OK)
		return api_not_found(rs, "account");
	rc = store_rows(rq->db,
			"SELECT probability, impact, count(*) AS n FROM risks WHERE account_id = ? "
			"AND status <> 'closed' GROUP BY probability, impact",
			id, &rows);
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	json_array_foreach(rows, i, r)
	{
		int p = (int)json_integer_value(json_object_get(r, "probability"));
		int im = (int)json_integer_value(json_object_get(r, "impact"));
		int n = (int)json_integer_value(json_object_get(r, "n"));

		if (p >= 1 && p <= 5 && im >= 1 && im <= 5) {
			counts[p][im] = n;
			open += n;
		}
	}
	json_decref(rows);
	cells = json_array();
	for (int p = 1; p <= 5; p++)
		for (int im = 1; im <= 5; im++)
			json_array_append_new(cells,
					      json_pack("{s:i,s:i,s:i,s:i,s:s}", "probability", p,
							"impact", im, "count", counts[p][im], "score",
							risk_score(p, im), "level",
							risk_level(risk_score(p, im))));
	return http_reply_json(rs, 200, json_pack("{s:I,s:i,s:o}", "account_id", (json_int_t)id,
						  "open_count", open, "cells", cells));
}

int api_account_coverage(struct req *rq, struct resp *rs)
{
	int64_t id = api_param_id(rq, 0);
	json_t *grid = NULL;
	int rc = id < 0 ? KAM_ENOTFOUND : app_account_coverage(rq->db, &rq->user.who, id, &grid);

	if (rc == KAM_ENOTFOUND)
		return api_not_found(rs, "account");
	if (rc != KAM_OK)
		return http_reply_err(rs, rc, NULL), rc;
	return http_reply_json(rs, 200, grid);
}
