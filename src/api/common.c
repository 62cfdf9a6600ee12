/* What several resources share: ids, visibility, lists, audit, 201 replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/cache.h"
#include "app/scores.h"
#include "kam/money.h"
#include "store/revenue.h"
#include "util/time.h"

int64_t api_param_id(const struct req *rq, size_t i)
{
	return i < rq->nparams ? validate_id(rq->params[i]) : -1;
}

int api_not_found(struct resp *rs, const char *what)
{
	char detail[128];

	snprintf(detail, sizeof(detail), "no such %s", what);
	http_problem(rs, 404, detail, NULL);
	return KAM_ENOTFOUND;
}

int64_t api_scope_user(const struct req *rq)
{
	return actor_scope(&rq->user.who);
}

/* The request's query as list parameters; at most HTTP_MAX_QUERY of them. */
static size_t params_of(const struct req *rq, struct app_param p[HTTP_MAX_QUERY])
{
	for (size_t i = 0; i < rq->nquery; i++)
		p[i] = (struct app_param){rq->query[i].key, rq->query[i].value};
	return rq->nquery;
}

/* The decorated page of l the request asks for; *items and *next owned by the caller. */
static int list_page(struct req *rq, const struct app_list *l, json_t **items, char **next,
                     struct kam_errinfo *ei)
{
	struct app_param p[HTTP_MAX_QUERY];
	size_t n = params_of(rq, p);

	return app_list_page(rq->db, &rq->user.who, l, p, n, NULL, api_exporting(rq), items, next,
	                     ei);
}

bool api_exporting(const struct req *rq)
{
	const char *f = http_query(rq, "format");

	return f && (!strcmp(f, "csv") || !strcmp(f, "xlsx"));
}

int api_reply_page(struct req *rq, struct resp *rs, const struct app_list *l, json_t *items,
		   char *next)
{
	struct app_param p[HTTP_MAX_QUERY];
	struct kam_errinfo ei = {0};
	size_t n, len = 0;
	bool xlsx;
	char disp[160];
	int fd = -1, rc;

	if (!api_exporting(rq)) {
		rc = http_reply_json(rs, 200,
		                     json_pack("{s:o,s:o}", "items", items, "next_cursor",
		                               next ? json_string(next) : json_null()));
		free(next);
		return rc;
	}
	n = params_of(rq, p);
	xlsx = !strcmp(http_query(rq, "format"), "xlsx");
	rc = app_export(rq->db, &rq->user.who, l, p, n, xlsx, items, next, &fd, &len, &ei);
	if (rc != KAM_OK) {
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.%s\"", l->e->table,
	         xlsx ? "xlsx" : "csv");
	http_header(rs, "Content-Disposition", disp);
	return http_reply_file(rs, 200,
	                       xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	                            : "text/csv; charset=utf-8",
	                       fd, len);
}

int api_list(struct req *rq, struct resp *rs, const struct app_list *l)
{
	struct kam_errinfo ei = {0};
	json_t *items = NULL;
	char *next = NULL;
	int rc = list_page(rq, l, &items, &next, &ei);

	if (rc == KAM_OK)
		return api_reply_page(rq, rs, l, items, next);
	http_reply_err(rs, rc, &ei);
	err_clear(&ei);
	return rc;
}

int api_list_kind(struct req *rq, struct resp *rs)
{
	struct kam_errinfo ei = {0};
	struct app_list l;
	int rc = app_list_of(&rq->user.who, rq->route_arg, &l, &ei);

	if (rc != KAM_OK) {
		http_reply_err(rs, rc, &ei);
		err_clear(&ei);
		return rc;
	}
	return api_list(rq, rs, &l);
}

int api_created(struct resp *rs, const char *base, int64_t id, int64_t version, json_t *rec)
{
	char loc[256];

	snprintf(loc, sizeof(loc), "%s/%lld", base, (long long)id);
	http_header(rs, "Location", loc);
	http_etag(rs, version);
	return http_reply_json(rs, 201, rec);
}

int64_t api_now(const struct req *rq)
{
	return rq->user.who.now;
}

int api_today(struct req *rq, date_t *out)
{
	int rc = app_actor_today(rq->db, &rq->user.who);

	*out = rq->user.who.today;
	return rc;
}

int api_today_text(struct req *rq, char out[DATE_LEN])
{
	date_t d = 0;
	int rc = api_today(rq, &d);

	date_format(d, out);
	return rc;
}

void api_int_param(struct req *rq, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   struct kam_errinfo *ei)
{
	const char *v = http_query(rq, key);
	char *end = NULL;
	long long n;

	if (v == NULL)
		return;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < lo || n > hi)
		err_field(ei, key, "must be a whole number from %lld to %lld", (long long)lo,
		          (long long)hi);
	else
		*out = n;
}

int api_cached(struct req *rq, struct resp *rs, char key[API_CACHE_KEY_LEN], int64_t *version)
{
	const struct api_server *srv = rq->app_data;
	char today[DATE_LEN];
	size_t n;
	int rc;

	key[0] = '\0';
	*version = 0;
	if (srv == NULL || srv->cache == NULL)
		return 0;
	if ((rc = api_today_text(rq, today)) != KAM_OK)
		return rc;
	/* read with the credential at the request's start (as store_answer_version does) */
	if (rq->has_versions)
		*version = rq->data_version + rq->derived_version;
	else if ((rc = store_answer_version(rq->db, version)) != KAM_OK)
		return rc;
	/* today is part of the question: "the last 90 days" and lifecycles move with it */
	n = (size_t)snprintf(key, API_CACHE_KEY_LEN, "%s|%lld|%s", rq->path,
	                     (long long)api_scope_user(rq), today);
	for (size_t i = 0; i < rq->nquery && n < API_CACHE_KEY_LEN; i++)
		n += (size_t)snprintf(key + n, API_CACHE_KEY_LEN - n, "|%s=%s", rq->query[i].key,
		                      rq->query[i].value ? rq->query[i].value : "");
	if (n >= API_CACHE_KEY_LEN) {
		key[0] = '\0'; /* a question too long to name is answered afresh */
		return 0;
	}
	return api_cache_reply(srv->cache, key, *version, rs) ? 1 : 0;
}

int api_cache_keep(const struct req *rq, struct resp *rs, const char *key, int64_t version,
                   json_t *ans)
{
	const struct api_server *srv = rq->app_data;

	return api_cache_answer(srv ? srv->cache : NULL, key, version, -1, ans, rs);
}

int api_record_cached(struct req *rq, struct resp *rs, char key[API_CACHE_KEY_LEN],
                      int64_t *version)
{
	const struct api_server *srv = rq->app_data;
	const struct actor *who = &rq->user.who;
	char today[DATE_LEN];
	int rc;

	key[0] = '\0';
	*version = 0;
	/* only at the versions the request read anyway: a record is too cheap to read another */
	if (srv == NULL || srv->records == NULL || !rq->has_versions || rq->nquery > 0)
		return 0;
	if ((rc = api_today_text(rq, today)) != KAM_OK)
		return rc;
	*version = rq->data_version + rq->derived_version;
	/* per caller, not per scope: decorations may depend on the role or the user; today
	 * because ages, lifecycles and "overdue" move with it */
	if ((size_t)snprintf(key, API_CACHE_KEY_LEN, "%s|%lld|%d|%lld|%s", rq->path,
	                     (long long)who->user_id, (int)who->role, (long long)who->member_id,
	                     today) >= API_CACHE_KEY_LEN) {
		key[0] = '\0';
		return 0;
	}
	return api_cache_reply(srv->records, key, *version, rs) ? 1 : 0;
}

int api_record_keep(const struct req *rq, struct resp *rs, const char *key, int64_t version,
                    int64_t etag, json_t *rec)
{
	const struct api_server *srv = rq->app_data;

	return api_cache_answer(srv ? srv->records : NULL, key, version, etag, rec, rs);
}

int api_answer(struct resp *rs, int rc, int status, json_t *body, struct kam_errinfo *ei,
               const char *what)
{
	if (rc == KAM_ENOTFOUND) {
		err_clear(ei);
		json_decref(body);
		return api_not_found(rs, what);
	}
	if (rc != KAM_OK) {
		http_reply_err(rs, rc, ei);
		err_clear(ei);
		json_decref(body);
		return rc;
	}
	err_clear(ei);
	if (status == 204 || body == NULL) {
		json_decref(body);
		return http_reply_empty(rs, 204);
	}
	return http_reply_json(rs, status, body);
}
