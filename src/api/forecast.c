/* /api/v1/forecast: parse, call app/forecast.c, reply. */
#include <string.h>
#include "api/forecast.h"
#include "app/forecast.h"

/* Refuses a query parameter not in allowed (NULL-terminated), naming it. */
static int only(const struct req *rq, const char *const *allowed, struct kam_errinfo *ei)
{
	for (size_t i = 0; i < rq->nquery; i++) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, rq->query[i].key) != 0)
			a++;
		if (*a == NULL) {
			err_field(ei, rq->query[i].key, "is not a parameter of the forecast");
			return KAM_EINVAL;
		}
	}
	return KAM_OK;
}

static int reply(struct resp *rs, int rc, json_t *out, struct kam_errinfo *ei)
{
	if (rc != KAM_OK) {
		rc = http_reply_err(rs, rc, ei);
		err_clear(ei);
		return rc;
	}
	return http_reply_json(rs, 200, out);
}

int api_forecast(struct req *rq, struct resp *rs)
{
	static const char *const allowed[] = {"quarter", "by", "format", NULL};
	struct kam_errinfo ei = {0};
	const char *format = http_query(rq, "format");
	json_t *out = NULL;
	int rc = only(rq, allowed, &ei);

	if (rc == KAM_OK && format && strcmp(format, "json") && strcmp(format, "csv") &&
	    strcmp(format, "xlsx")) {
		err_field(&ei, "format", "is json, csv or xlsx");
		rc = KAM_EINVAL;
	}
	if (rc == KAM_OK && format && strcmp(format, "json")) {
		char name[64], disp[120];
		bool xlsx = !strcmp(format, "xlsx");
		size_t len = 0;
		int fd = -1;

		rc = app_forecast_file(rq->db, &rq->user.who, http_query(rq, "quarter"),
		                       http_query(rq, "by"), xlsx, &fd, &len, name, &ei);
		if (rc != KAM_OK)
			return reply(rs, rc, NULL, &ei);
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
		http_header(rs, "Content-Disposition", disp);
		return http_reply_file(
		    rs, 200,
		    xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		         : "text/csv; charset=utf-8",
		    fd, len);
	}
	if (rc == KAM_OK) {
		/* every dashboard asks it: the same question at the same data version (and day,
		 * and scope: part of the key) has the same answer */
		char ck[API_CACHE_KEY_LEN];
		int64_t version = 0;

		if ((rc = api_cached(rq, rs, ck, &version)) > 0)
			return KAM_OK;
		if (rc == KAM_OK)
			rc = app_forecast(rq->db, &rq->user.who, http_query(rq, "quarter"),
			                  http_query(rq, "by"), &out, &ei);
		if (rc == KAM_OK)
			return api_cache_keep(rq, rs, ck, version, out);
	}
	return reply(rs, rc, out, &ei);
}

int api_forecast_opportunities(struct req *rq, struct resp *rs)
{
	static const char *const allowed[] = {"quarter", "owner_id", "category", NULL};
	struct kam_errinfo ei = {0};
	const char *owner = http_query(rq, "owner_id");
	json_t *out = NULL;
	int64_t owner_id = 0;
	int rc = only(rq, allowed, &ei);

	if (rc == KAM_OK && owner && (owner_id = validate_id(owner)) < 1) {
		err_field(&ei, "owner_id", "must be a user id");
		rc = KAM_EINVAL;
	}
	if (rc == KAM_OK)
		rc = app_forecast_opportunities(rq->db, &rq->user.who, http_query(rq, "quarter"),
		                                owner_id, http_query(rq, "category"), &out, &ei);
	return reply(rs, rc, out, &ei);
}

int api_forecast_history(struct req *rq, struct resp *rs)
{
	static const char *const allowed[] = {"quarter", NULL};
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = only(rq, allowed, &ei);

	if (rc == KAM_OK)
		rc = app_forecast_history(rq->db, &rq->user.who, http_query(rq, "quarter"), &out,
		                          &ei);
	return reply(rs, rc, out, &ei);
}

int api_forecast_targets_get(struct req *rq, struct resp *rs)
{
	static const char *const allowed[] = {"quarter", NULL};
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = only(rq, allowed, &ei);

	if (rc == KAM_OK)
		rc = app_forecast_targets(rq->db, &rq->user.who, http_query(rq, "quarter"), &out,
		                          &ei);
	return reply(rs, rc, out, &ei);
}

int api_forecast_targets_put(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	json_t *out = NULL;
	int rc = app_forecast_targets_put(rq->db, &rq->user.who, rq->json, &out, &ei);

	return reply(rs, rc, out, &ei);
}
