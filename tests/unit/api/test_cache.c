/* The answer and record caches (src/api/cache.c): what is kept is answered byte for byte with
 * its ETag, only at its version; eviction keeps the cache within its entries and bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "api/cache.h"
#include "http/http.h"

static void resp_init(struct resp *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->fd = -1;
}

static void resp_free(struct resp *rs)
{
	free(rs->body);
	resp_init(rs);
}

static const char *header(const struct resp *rs, const char *name)
{
	for (int i = 0; i < rs->nheaders; i++)
		if (!strcmp(rs->headers[i].name, name))
			return rs->headers[i].value;
	return NULL;
}

/* Keeps {"n":n} under key at version with ETag etag. */
static void keep(struct api_cache *c, const char *key, int64_t version, int64_t etag, int n)
{
	struct resp rs;

	resp_init(&rs);
	assert_int_equal(api_cache_answer(c, key, version, etag, json_pack("{s:i}", "n", n), &rs),
	                 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(header(&rs, "X-Cache"), "miss");
	resp_free(&rs);
}

/* The n kept under key at version, or -1 for a miss. */
static int hit(struct api_cache *c, const char *key, int64_t version, const char **etag)
{
	static char tag[32];
	struct resp rs;
	json_t *j;
	int n;

	resp_init(&rs);
	if (!api_cache_reply(c, key, version, &rs)) {
		resp_free(&rs);
		return -1;
	}
	assert_int_equal(rs.status, 200);
	assert_string_equal(header(&rs, "X-Cache"), "hit");
	snprintf(tag, sizeof(tag), "%s", header(&rs, "ETag") ? header(&rs, "ETag") : "");
	if (etag)
		*etag = tag;
	j = json_loadb(rs.body, rs.len, 0, NULL);
	assert_non_null(j);
	n = (int)json_integer_value(json_object_get(j, "n"));
	json_decref(j);
	resp_free(&rs);
	return n;
}

static void test_hit_at_its_version_only(void **state)
{
	struct api_cache *c = api_cache_new(4, 0, "test");
	const char *etag = NULL;

	(void)state;
	keep(c, "/a|1", 7, 3, 11);
	assert_int_equal(hit(c, "/a|1", 7, &etag), 11);
	assert_string_equal(etag, "\"3\"");
	assert_int_equal(hit(c, "/a|1", 8, NULL), -1); /* the data moved on */
	assert_int_equal(hit(c, "/a|2", 7, NULL), -1); /* another caller */
	keep(c, "/a|1", 8, -1, 12);                    /* the same key, kept again */
	assert_int_equal(hit(c, "/a|1", 8, &etag), 12);
	assert_string_equal(etag, ""); /* a report has no ETag */
	assert_int_equal(hit(c, "/a|1", 7, NULL), -1);
	api_cache_free(c);
}

/* 2,000 keys through 64 slots: at most 64 kept, the last one always, recent ones mostly */
static void test_eviction_keeps_recent(void **state)
{
	struct api_cache *c = api_cache_new(64, 0, "test");
	char key[32];
	int kept = 0, recent = 0;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "/r/%d", i);
		keep(c, key, 1, i, i);
		assert_int_equal(hit(c, key, 1, NULL), i);
	}
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "/r/%d", i);
		if (hit(c, key, 1, NULL) == i) {
			kept++;
			recent += i >= 2000 - 64;
		}
	}
	assert_int_equal(kept, 64);
	assert_int_equal(recent, 64); /* a small cache evicts the least recently used exactly */
	api_cache_free(c);

	/* a large one samples: still full, still holding the newest */
	c = api_cache_new(1024, 0, "test");
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/r/%d", i);
		keep(c, key, 1, i, i);
	}
	kept = recent = 0;
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/r/%d", i);
		if (hit(c, key, 1, NULL) == i) {
			kept++;
			recent += i >= 4000;
		}
	}
	assert_int_equal(kept, 1024);
	assert_true(recent >= 900);
	snprintf(key, sizeof(key), "/r/%d", 4999);
	assert_int_equal(hit(c, key, 1, NULL), 4999);
	api_cache_free(c);
}

/* the texts stay within the byte bound; one over a quarter of it is not kept at all */
static void test_byte_bound(void **state)
{
	struct api_cache *c = api_cache_new(100, 64, "test");
	char key[32];
	int kept = 0;
	struct resp rs;
	json_t *big = json_pack("{s:s}", "n", "a text well over sixteen bytes long");

	(void)state;
	for (int i = 0; i < 50; i++) { /* {"n":NN} is 8 bytes: eight fit in 64 */
		snprintf(key, sizeof(key), "/b/%d", i);
		keep(c, key, 1, -1, 10 + i);
	}
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "/b/%d", i);
		kept += hit(c, key, 1, NULL) == 10 + i;
	}
	assert_int_equal(kept, 8);
	snprintf(key, sizeof(key), "/b/%d", 49);
	assert_int_equal(hit(c, key, 1, NULL), 59);
	resp_init(&rs);
	assert_int_equal(api_cache_answer(c, "/big", 1, -1, big, &rs), 0);
	assert_int_equal(rs.status, 200); /* answered all the same */
	resp_free(&rs);
	assert_false(api_cache_reply(c, "/big", 1, &rs));
	resp_free(&rs);
	api_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_at_its_version_only),
	    cmocka_unit_test(test_eviction_keeps_recent),
	    cmocka_unit_test(test_byte_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
