/* The router, problem documents, If-Match parsing and the refusal of a repeated parameter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "http/http.h"

static int h(struct req *rq, struct resp *rs)
{
	(void)rq;
	(void)rs;
	return 0;
}

static const struct http_route routes[] = {
    {"GET", "/", h, 0, 0, NULL, NULL, NULL, NULL},
    {"GET", "/api/v1/accounts", h, 0, 0, NULL, NULL, NULL, NULL},
    {"POST", "/api/v1/accounts", h, 0, 0, NULL, NULL, NULL, NULL},
    {"GET", "/api/v1/accounts/:id", h, 0, 0, NULL, NULL, NULL, NULL},
    {"PATCH", "/api/v1/accounts/:id", h, 0, 0, NULL, NULL, NULL, NULL},
    {"PUT", "/api/v1/accounts/:id/team/:user_id", h, 0, 0, NULL, NULL, NULL, NULL},
    /* the lookup skips routes by segment count and literal third segment first */
    {"GET", "/api/v1/accountsx/:id", h, 0, 0, NULL, NULL, NULL, NULL},
    {"DELETE", "/api/:v/accounts/:id", h, 0, 0, NULL, NULL, NULL, NULL},
    {"GET", "/api/v1/:kind/:id/notes", h, 0, 0, NULL, NULL, NULL, NULL},
};
#define NR (sizeof(routes) / sizeof(routes[0]))

/* params point into the path buffer, which must outlive them: here, the test */
static char buf[2048];

static const struct http_route *find(const char *method, const char *path, struct req *rq,
				     bool *known, char *allow)
{
	snprintf(buf, sizeof(buf), "%s", path);
	memset(rq, 0, sizeof(*rq));
	return http_route_find(routes, NR, method, buf, rq, known, allow, 128);
}

static void test_router(void **state)
{
	static const struct {
		const char *method, *path;
		int route; /* index, or -1 */
		bool known;
		const char *p0, *p1;
	} rows[] = {
		{"GET", "/", 0, true, NULL, NULL},
		{"GET", "/api/v1/accounts", 1, true, NULL, NULL},
		{"POST", "/api/v1/accounts", 2, true, NULL, NULL},
		{"DELETE", "/api/v1/accounts", -1, true, NULL, NULL},
		{"GET", "/api/v1/accounts/42", 3, true, "42", NULL},
		{"HEAD", "/api/v1/accounts/42", 3, true, "42", NULL}, /* HEAD is GET's */
		{"HEAD", "/api/v1/accounts", 1, true, NULL, NULL},
		{"HEAD", "/api/v1/accounts/7/team/9", -1, true, NULL, NULL}, /* PUT only */
		{"PUT", "/api/v1/accounts/7/team/9", 5, true, "7", "9"},
		{"GET", "/api/v1/accounts/7/team/9", -1, true, NULL, NULL},
		{"GET", "/api/v1/accounts/", -1, false, NULL, NULL},  /* trailing slash */
		{"GET", "/api/v1//accounts", -1, false, NULL, NULL},  /* empty segment */
		{"GET", "/api/v1/contacts", -1, false, NULL, NULL},
		{"GET", "api/v1/accounts", -1, false, NULL, NULL},    /* not absolute */
		{"GET", "/api/v1/accounts/1/2", -1, false, NULL, NULL},
		{"GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r", -1, false, NULL, NULL},
		{"GET", "/api/v1/accountsx/5", 6, true, "5", NULL},
		{"GET", "/api/v1/account/5", -1, false, NULL, NULL},
		{"DELETE", "/api/v2/accounts/3", 7, true, "v2", "3"},
		{"DELETE", "/api/v1/accounts/42", 7, true, "v1", "42"},
		{"GET", "/api/v1/cases/8/notes", 8, true, "cases", "8"},
		{"GET", "/api/v1/accounts/8/notes", 8, true, "accounts", "8"},
	};
	struct req rq;
	char allow[128];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool known;
		const struct http_route *r = find(rows[i].method, rows[i].path, &rq, &known, allow);

		if (rows[i].route < 0)
			assert_null(r);
		else
			assert_ptr_equal(r, &routes[rows[i].route]);
		assert_int_equal(known, rows[i].known);
		if (rows[i].p0)
			assert_string_equal(rq.params[0], rows[i].p0);
		if (rows[i].p1)
			assert_string_equal(rq.params[1], rows[i].p1);
	}
	/* a 405 names the methods the path has */
	{
		bool known;

		assert_null(find("DELETE", "/api/v1/accounts", &rq, &known, allow));
		assert_string_equal(allow, "GET, HEAD, POST");
		assert_null(find("POST", "/api/v1/accounts/3", &rq, &known, allow));
		assert_string_equal(allow, "GET, HEAD, PATCH, DELETE");
		assert_null(find("HEAD", "/api/v1/accounts/7/team/9", &rq, &known, allow));
		assert_string_equal(allow, "PUT");
	}
	/* dispatch's second look: the one route the server found, for its parameters */
	{
		snprintf(buf, sizeof(buf), "%s", "/api/v1/accounts/7/team/9");
		memset(&rq, 0, sizeof(rq));
		assert_true(http_route_match(&routes[5], buf, &rq));
		assert_string_equal(rq.params[0], "7");
		assert_string_equal(rq.params[1], "9");
		snprintf(buf, sizeof(buf), "%s", "/api/v1/accounts/7");
		assert_false(http_route_match(&routes[5], buf, &rq));
	}
}

static void test_problem_documents(void **state)
{
	struct resp rs;
	struct kam_errinfo ei = {0};
	json_t *j;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	err_field(&ei, "name", "must not be empty");
	http_reply_err(&rs, KAM_EINVAL, &ei);
	assert_int_equal(rs.status, 400);
	assert_string_equal(rs.content_type, "application/problem+json; charset=utf-8");
	j = json_loadb(rs.body, rs.len, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Bad Request");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "name: must not be empty");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(j, "errors"), 0), "field")),
			    "name");
	assert_non_null(strstr(json_string_value(json_object_get(j, "type")), "bad-request"));
	json_decref(j);
	free(rs.body);
	memset(&rs, 0, sizeof(rs));
	http_reply_err(&rs, KAM_EBUSY, NULL);
	assert_int_equal(rs.status, 503);
	assert_string_equal(rs.headers[0].name, "Retry-After");
	free(rs.body);
	err_clear(&ei);
}

static void test_status_of(void **state)
{
	static const struct {
		int err, status;
	} rows[] = {
	    {KAM_OK, 200},        {KAM_EINVAL, 400},    {KAM_EAUTH, 401},  {KAM_EFORBIDDEN, 403},
	    {KAM_ENOTFOUND, 404}, {KAM_ECONFLICT, 409}, {KAM_ESTALE, 412}, {KAM_ERATE, 429},
	    {KAM_EBUSY, 503},     {KAM_EDB, 500},       {KAM_ENOMEM, 500}, {KAM_EUNAVAIL, 503},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(http_status_of(rows[i].err), rows[i].status);
}

static void test_if_match(void **state)
{
	static const struct {
		const char *h;
		int64_t want;
	} rows[] = {
		{NULL, -1}, {"*", -1}, {"\"3\"", 3}, {"W/\"12\"", 12}, {"3", -2},
		{"\"3", -2}, {"\"\"", -2}, {"\"-1\"", -2}, {"\"3\"x", -2}, {"\"abc\"", -2},
	};
	struct req rq;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&rq, 0, sizeof(rq));
		rq.if_match = rows[i].h;
		assert_int_equal(http_if_match(&rq), rows[i].want);
	}
}

/* The first parameter given again, past any allowed to repeat. */
static void test_query_repeat(void **state)
{
	static const struct http_kv once[] = {{"limit", "5"}, {"sort", "name"}, {"Limit", "6"}},
	                            twice[] = {{"sort", "name"},
	                                       {"limit", "5"},
	                                       {"tag", "a"},
	                                       {"limit", "500"},
	                                       {"sort", "-score"}},
	                            same[] = {{"limit", "5"}, {"limit", "5"}},
	                            tags[] = {{"tag", "a"}, {"limit", "5"}, {"tag", "b"}},
	                            empty[] = {{"", ""}, {"limit", "5"}, {"", ""}, {"", "1"}};
	static const char *const multi[] = {"tag", NULL};

	(void)state;
	assert_null(http_query_repeat(once, 0, NULL));
	assert_null(http_query_repeat(once, 3, NULL)); /* names are compared as they are */
	assert_string_equal(http_query_repeat(twice, 5, NULL), "limit");
	assert_string_equal(http_query_repeat(twice, 5, multi), "limit");
	assert_null(http_query_repeat(twice, 3, NULL));
	assert_string_equal(http_query_repeat(same, 2, http_multi_params), "limit");
	assert_string_equal(http_query_repeat(tags, 3, NULL), "tag");
	assert_null(http_query_repeat(tags, 3, multi));
	assert_null(http_query_repeat(empty, 4, NULL)); /* "a=1&&b=2": no name, no parameter */
	/* nothing may repeat today */
	assert_null(http_multi_params[0]);
}

/* The 400 of http_dispatch for a parameter given twice, naming field; rs is freed. */
static void assert_twice(struct resp *rs, const char *field)
{
	json_t *j = json_loadb(rs->body, rs->len, 0, NULL);

	assert_int_equal(rs->status, 400);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(j, "errors"), 0), "field")),
	                    field);
	json_decref(j);
	free(rs->body);
	memset(rs, 0, sizeof(*rs));
}

static int called;

static int counted(struct req *rq, struct resp *rs)
{
	(void)rq;
	called++;
	return http_reply_empty(rs, 204);
}

/* http_dispatch refuses a repeat itself, so every caller of it does (kam serve, the fuzz and
 * fault harnesses): before routing, authentication (there is no store here to authenticate
 * against) and the handler; over every argument the server kept (args), not only query[]. */
static void test_dispatch_repeat(void **state)
{
	static const struct http_route some[] = {
	    {"GET", "/api/v1/accounts", counted, 0, 0, NULL, NULL, NULL, NULL},
	};
	struct http_app app = {.routes = some, .nroutes = 1};
	struct http_kv all[HTTP_MAX_QUERY + 8];
	char names[HTTP_MAX_QUERY + 8][8];
	struct req rq;
	struct resp rs;

	(void)state;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = "GET";
	rq.path = "/api/v1/accounts";
	rq.query[0] = (struct http_kv){"limit", "5"};
	rq.query[1] = (struct http_kv){"sort", "name"};
	rq.query[2] = (struct http_kv){"limit", "500"};
	rq.nquery = 3;
	http_dispatch(&app, &rq, &rs);
	assert_twice(&rs, "limit");
	assert_false(rq.authed);
	/* a path nobody serves answers the same */
	rq.path = "/api/v1/nothing";
	http_dispatch(&app, &rq, &rs);
	assert_twice(&rs, "limit");
	/* a name that is not UTF-8 is not put in the document */
	rq.query[0].key = rq.query[2].key = "\xff";
	http_dispatch(&app, &rq, &rs);
	assert_twice(&rs, "query");
	/* the server's list: the repeat is the 1st and the 40th argument, past query[] */
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		snprintf(names[i], sizeof(names[i]), "x%zu", i);
		all[i] = (struct http_kv){names[i], "1"};
	}
	all[0].key = all[39].key = "limit";
	memcpy(rq.query, all, sizeof(rq.query));
	rq.nquery = HTTP_MAX_QUERY;
	rq.args = all;
	rq.nargs = 40;
	rq.path = "/api/v1/accounts";
	http_dispatch(&app, &rq, &rs);
	assert_twice(&rs, "limit");
	assert_int_equal(called, 0);
	/* without the repeat, on to routing: a path nobody serves is a 404 */
	rq.nargs = 39;
	rq.path = "/api/v1/nothing";
	http_dispatch(&app, &rq, &rs);
	assert_int_equal(rs.status, 404);
	free(rs.body);
}

static void *fail_malloc(size_t n)
{
	(void)n;
	return NULL;
}

/* A refusal whose list of fields could not be made whole is the out-of-memory 500, never a
 * 400 that leaves out which field: err_field notes the loss, http_reply_err answers it. */
static void test_reply_err_lost(void **state)
{
	static const struct http_route some[] = {
	    {"GET", "/api/v1/accounts", counted, 0, 0, NULL, NULL, NULL, NULL},
	};
	struct http_app app = {.routes = some, .nroutes = 1};
	struct kam_errinfo ei = {0};
	struct req rq;
	struct resp rs;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	err_field(&ei, "limit", "is not a number");
	assert_false(ei.lost);
	http_reply_err(&rs, KAM_EINVAL, &ei);
	assert_twice(&rs, "limit"); /* a 400 naming the field */
	err_clear(&ei);

	json_set_alloc_funcs(fail_malloc, free);
	err_field(&ei, "limit", "is not a number");
	json_set_alloc_funcs(malloc, free);
	assert_true(ei.lost);
	http_reply_err(&rs, KAM_EINVAL, &ei);
	assert_int_equal(rs.status, 500);
	assert_non_null(memmem(rs.body, rs.len, "out of memory", 13));
	free(rs.body);
	memset(&rs, 0, sizeof(rs));
	err_clear(&ei);
	assert_false(ei.lost);

	/* through dispatch: a query value that is not UTF-8, its 400 unable to name it */
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.path = "/api/v1/accounts";
	rq.query[0] = (struct http_kv){"q", "\xff"};
	rq.nquery = 1;
	called = 0;
	json_set_alloc_funcs(fail_malloc, free);
	http_dispatch(&app, &rq, &rs);
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(rs.status, 500);
	assert_int_equal(called, 0);
	free(rs.body);
	memset(&rs, 0, sizeof(rs));
	/* and with memory, the 400 naming it */
	http_dispatch(&app, &rq, &rs);
	assert_twice(&rs, "q");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router),
		cmocka_unit_test(test_problem_documents),
		cmocka_unit_test(test_status_of),
		cmocka_unit_test(test_if_match),
		cmocka_unit_test(test_query_repeat),
		cmocka_unit_test(test_dispatch_repeat),
		cmocka_unit_test(test_reply_err_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
