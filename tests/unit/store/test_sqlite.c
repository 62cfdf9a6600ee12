/* The store on a temporary SQLite file: records, versions, keyset pages, auth rows, audit,
 * leases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include "store/store.h"
#include "util/err.h"

struct fx {
	char path[64];
	struct store *st;
	struct store_conn *c;
	int64_t owner;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	json_t *u = json_pack("{s:s,s:s,s:s}", "email", "o@example.com", "name", "Owner", "role",
			      "kam");
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/kam-unit-XXXXXX");
	fd = mkstemp(f->path);
	close(fd);
	assert_int_equal(store_open(f->path, 1, &f->st, err, sizeof(err)), 0);
	store_acquire(f->st, &f->c);
	assert_int_equal(store_insert(f->c, &model_user, u, 1000, &f->owner), 0);
	json_decref(u);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[80];

	store_release(f->st, f->c);
	store_close(f->st);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	free(f);
	return 0;
}

static int64_t account(struct fx *f, const char *name, const char *tag)
{
	json_t *a = json_pack("{s:s,s:I}", "name", name, "owner_id", (json_int_t)f->owner);
	int64_t id;

	if (tag)
		json_object_set_new(a, "tags", json_pack("[s]", tag));
	assert_int_equal(store_insert(f->c, &model_account, a, 2000, &id), 0);
	json_decref(a);
	return id;
}

static void test_versions(void **state)
{
	struct fx *f = *state;
	int64_t id = account(f, "Versioned", "x"), v;
	json_t *a, *patch = json_pack("{s:s}", "notes", "n");

	assert_int_equal(store_get(f->c, &model_account, id, &a, &v), 0);
	assert_int_equal(v, 1);
	assert_string_equal(json_string_value(json_object_get(a, "status")), "prospect");
	assert_string_equal(json_string_value(json_object_get(a, "currency")), "EUR");
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "tags"), 0)), "x");
	json_decref(a);
	assert_int_equal(store_update(f->c, &model_account, id, patch, 1, 3000), 0);
	assert_int_equal(store_update(f->c, &model_account, id, patch, 1, 3000), KAM_ESTALE);
	assert_int_equal(store_update(f->c, &model_account, id, patch, -1, 3000), 0);
	assert_int_equal(store_get(f->c, &model_account, id, &a, &v), 0);
	assert_int_equal(v, 3);
	json_decref(a);
	assert_int_equal(store_delete(f->c, &model_account, id, 2), KAM_ESTALE);
	assert_int_equal(store_delete(f->c, &model_account, id, 3), 0);
	assert_int_equal(store_get(f->c, &model_account, id, &a, &v), KAM_ENOTFOUND);
	assert_int_equal(store_update(f->c, &model_account, id, patch, -1, 3000), KAM_ENOTFOUND);
	assert_int_equal(store_delete(f->c, &model_account, id, -1), KAM_ENOTFOUND);
	json_decref(patch);
}

/* Walks every page; returns how many rows, checking no id repeats. */
static size_t walk(struct fx *f, const char *sort, bool desc, json_t *filters, const char *q,
		   int64_t scope)
{
	struct store_list l = {.sort = sort, .desc = desc, .filters = filters, .q = q, .limit = 7,
			       .scope_user = scope};
	char *next = NULL, *cur = NULL, seen[4096] = {0};
	size_t n = 0;

	do {
		json_t *items = NULL, *it;
		size_t i;

		assert_int_equal(store_list(f->c, &model_account, &l, &items, &next), 0);
		json_array_foreach(items, i, it)
		{
			int64_t id = json_integer_value(json_object_get(it, "id"));

			assert_true(id < 4096);
			assert_int_equal(seen[id], 0);
			seen[id] = 1;
			n++;
		}
		json_decref(items);
		free(cur);
		l.cursor = cur = next;
	} while (next);
	return n;
}

static void test_keyset(void **state)
{
	struct fx *f = *state;
	json_t *filt;

	for (int i = 0; i < 120; i++) {
		char name[32];

		/* names repeat, so ties on the sort key must fall back to id */
		snprintf(name, sizeof(name), "Acc %02d", i % 40);
		account(f, name, i % 3 ? NULL : "third");
	}
	account(f, "100% sure_thing", NULL);
	assert_int_equal(walk(f, "id", false, NULL, NULL, 0), 121);
	assert_int_equal(walk(f, "name", false, NULL, NULL, 0), 121);
	assert_int_equal(walk(f, "name", true, NULL, NULL, 0), 121);
	assert_int_equal(walk(f, "created_at", true, NULL, NULL, 0), 121);
	filt = json_pack("{s:s}", "tags", "third");
	assert_int_equal(walk(f, "id", false, filt, NULL, 0), 40);
	json_decref(filt);
	/* search text is literal: % and _ are not wildcards */
	assert_int_equal(walk(f, "id", false, NULL, "%", 0), 1);
	assert_int_equal(walk(f, "id", false, NULL, "_", 0), 1);
	assert_int_equal(walk(f, "id", false, NULL, "acc 0", 0), 30);
	/* the owner's scope holds all; another user's none */
	assert_int_equal(walk(f, "id", false, NULL, NULL, f->owner), 121);
	assert_int_equal(walk(f, "id", false, NULL, NULL, f->owner + 100), 0);
	{
		struct store_list l = {.sort = "id", .limit = 5, .cursor = "bm90LWEtY3Vyc29y"};
		json_t *items = NULL;
		char *next = NULL;

		assert_int_equal(store_list(f->c, &model_account, &l, &items, &next), KAM_EINVAL);
		l.cursor = NULL;
		l.sort = "notes";
		assert_int_equal(store_list(f->c, &model_account, &l, &items, &next), KAM_EINVAL);
	}
}

static void test_sessions_tokens_failures(void **state)
{
	struct fx *f = *state;
	struct store_auth a;
	int64_t tid, n, oldest;
	json_t *items;

	assert_int_equal(store_session_create(f->c, "h1", f->owner, "csrf", 5000), 0);
	assert_int_equal(store_session_lookup(f->c, "h1", &a), 0);
	assert_int_equal(a.user_id, f->owner);
	assert_string_equal(a.csrf, "csrf");
	assert_string_equal(a.role, "kam");
	assert_int_equal(store_session_lookup(f->c, "h2", &a), KAM_ENOTFOUND);
	assert_int_equal(store_token_create(f->c, f->owner, "t", "th", 5000, 0, &tid), 0);
	assert_int_equal(store_token_lookup(f->c, "th", &a), 0);
	assert_int_equal(a.token_id, tid);
	assert_int_equal(store_token_list(f->c, f->owner, &items), 0);
	assert_int_equal(json_array_size(items), 1);
	assert_null(json_object_get(json_array_get(items, 0), "token_hash"));
	json_decref(items);
	assert_int_equal(store_user_logout_all(f->c, f->owner), 0);
	assert_int_equal(store_session_lookup(f->c, "h1", &a), KAM_ENOTFOUND);
	assert_int_equal(store_token_lookup(f->c, "th", &a), KAM_ENOTFOUND);
	/* attempts count up within a window, start again after it; a success gives one back */
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_throttle_take(f->c, "pair:x", 60, 10000 + i, &n, &oldest), 0);
	assert_int_equal(n, 3);
	assert_int_equal(oldest, 10000);
	assert_int_equal(store_throttle_give(f->c, "pair:x", false), 0);
	assert_int_equal(store_throttle_take(f->c, "pair:x", 60, 10059, &n, &oldest), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_throttle_take(f->c, "pair:x", 60, 10060, &n, &oldest), 0);
	assert_int_equal(n, 1);
	assert_int_equal(oldest, 10060);
	assert_int_equal(store_throttle_give(f->c, "pair:x", true), 0);
	assert_int_equal(store_throttle_take(f->c, "pair:x", 60, 10061, &n, &oldest), 0);
	assert_int_equal(n, 1);
}

static void test_audit_is_append_only(void **state)
{
	struct fx *f = *state;
	json_t *after = json_pack("{s:s}", "k", "v"), *items;
	char *next = NULL;

	assert_int_equal(store_audit_add(f->c, f->owner, "create", "account", 1, NULL, after, 1), 0);
	assert_int_equal(store_audit_list(f->c, "account", 1, 10, NULL, &items, &next), 0);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_array_get(items, 0), "after"), "k")),
			    "v");
	json_decref(items);
	json_decref(after);
	/* the database itself refuses to change history, whoever asks */
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 5000);
		assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET action = 'x'", NULL, NULL, NULL),
				     SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(store_audit_list(f->c, NULL, 0, 10, NULL, &items, &next), 0);
	assert_int_equal(json_array_size(items), 1);
	json_decref(items);
}

static void test_leases(void **state)
{
	struct fx *f = *state;
	bool got;

	assert_int_equal(store_lease_take(f->c, "job", "a", 100, 30, &got), 0);
	assert_true(got);
	assert_int_equal(store_lease_take(f->c, "job", "b", 110, 30, &got), 0);
	assert_false(got); /* held by a until 130 */
	assert_int_equal(store_lease_take(f->c, "job", "a", 120, 30, &got), 0);
	assert_true(got); /* a renews: until 150 */
	assert_int_equal(store_lease_take(f->c, "job", "b", 140, 30, &got), 0);
	assert_false(got);
	assert_int_equal(store_lease_take(f->c, "job", "b", 151, 30, &got), 0);
	assert_true(got); /* a stopped renewing: b takes over */
	assert_int_equal(store_lease_take(f->c, "job", "a", 152, 30, &got), 0);
	assert_false(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions_tokens_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_is_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leases, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
