/* Roles and what they may do, passwords, session lifetimes, login throttling, tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "kam/auth.h"
#include "util/tok.h"

static void test_roles(void **state)
{
	static const struct {
		enum role r;
		bool all, w_own, w_team, w_none, manage_own, manage_other, own;
	} rows[] = {
		/* role        sees all  write: owner team other  manage: owner other  can own */
		{ROLE_ADMIN, true, true, true, true, true, true, true},
		{ROLE_DIRECTOR, true, true, true, true, true, true, true},
		{ROLE_KAM, false, true, true, false, true, false, true},
		{ROLE_MEMBER, false, false, false, false, false, false, false},
		{ROLE_VIEWER, true, false, false, false, false, false, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum role r = rows[i].r;

		assert_int_equal(auth_role_parse(auth_role_name(r)), r);
		assert_int_equal(auth_sees_all(r), rows[i].all);
		assert_int_equal(auth_account_writable(r, true, false), rows[i].w_own);
		assert_int_equal(auth_account_writable(r, false, true), rows[i].w_team);
		assert_int_equal(auth_account_writable(r, false, false), rows[i].w_none);
		assert_int_equal(auth_account_manage(r, true), rows[i].manage_own);
		assert_int_equal(auth_account_manage(r, false), rows[i].manage_other);
		assert_int_equal(auth_can_own(r), rows[i].own);
	}
	assert_int_equal(auth_role_parse("root"), ROLE_NONE);
	assert_int_equal(auth_role_parse(NULL), ROLE_NONE);
}

/* What an actor sees: every account for admin, director and viewer; owned or team accounts
 * for kam and member; and only admins and directors assign account external ids. */
static void test_actor(void **state)
{
	static const struct {
		enum role r;
		bool all, keys;
	} rows[] = {
	    {ROLE_ADMIN, true, true},    {ROLE_DIRECTOR, true, true}, {ROLE_KAM, false, false},
	    {ROLE_MEMBER, false, false}, {ROLE_VIEWER, true, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct actor a = {.user_id = 42, .role = rows[i].r};

		assert_int_equal(actor_scope(&a), rows[i].all ? 0 : 42);
		assert_int_equal(actor_sees_account(&a, false, false), rows[i].all);
		assert_true(actor_sees_account(&a, true, false));
		assert_true(actor_sees_account(&a, false, true));
		assert_int_equal(actor_assigns_account_keys(&a), rows[i].keys);
	}
	/* a client member is no user: a scope no account matches (0 would be "all") */
	struct actor c = {.user_id = 0, .role = ROLE_CLIENT, .member_id = 7, .member_account = 3};

	assert_int_equal(actor_scope(&c), INT64_MAX);
	assert_false(actor_sees_account(&c, false, false));
	assert_false(actor_assigns_account_keys(&c));
	assert_int_equal(auth_role_parse("client"), ROLE_NONE);
	assert_string_equal(auth_role_name(ROLE_CLIENT), "client");
}

static void test_passwords(void **state)
{
	struct kam_errinfo ei = {0};
	char hash[AUTH_HASH_LEN];
	char long129[130];

	(void)state;
	memset(long129, 'x', 129);
	long129[129] = '\0';
	assert_int_equal(auth_password_policy("eleven chars", &ei), KAM_OK); /* 12 */
	assert_int_equal(auth_password_policy("elevenchars", &ei), KAM_EINVAL);
	assert_int_equal(auth_password_policy(long129, &ei), KAM_EINVAL);
	long129[128] = '\0';
	err_clear(&ei);
	assert_int_equal(auth_password_policy(long129, &ei), KAM_OK);
	/* characters, not bytes: 11 two-byte letters are too short */
	assert_int_equal(auth_password_policy("üüüüüüüüüüü", &ei), KAM_EINVAL);
	err_clear(&ei);
	assert_int_equal(auth_password_hash("correct horse battery", hash), KAM_OK);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_true(auth_password_verify(hash, "correct horse battery"));
	assert_false(auth_password_verify(hash, "correct horse battery!"));
	assert_false(auth_password_verify("", "x"));
	assert_false(auth_password_verify(NULL, "x"));
	/* OWASP's baseline, not libsodium's 64 MiB "interactive" (the peak of a sign-in) */
	assert_non_null(strstr(hash, "$m=19456,t=2,p=1$"));
	/* a hash made before, at 64 MiB, keeps its parameters and still verifies */
	char old[AUTH_HASH_LEN];
	assert_int_equal(crypto_pwhash_str_alg(old, "correct horse battery", 21,
	                                       crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                                       crypto_pwhash_MEMLIMIT_INTERACTIVE,
	                                       crypto_pwhash_ALG_ARGON2ID13),
	                 0);
	assert_non_null(strstr(old, "$m=65536,"));
	assert_true(auth_password_verify(old, "correct horse battery"));
	assert_false(auth_password_verify(old, "correct horse batterz"));
}

static void test_sessions_and_throttle(void **state)
{
	(void)state;
	assert_true(auth_session_live(0, 0, 30 * 60 - 1));
	assert_false(auth_session_live(0, 0, 30 * 60));		 /* idle */
	assert_true(auth_session_live(0, 12 * 3600 - 60, 12 * 3600 - 1));
	assert_false(auth_session_live(0, 12 * 3600 - 60, 12 * 3600)); /* too old */
	/* a client member's workspace session: a day idle, a week at most */
	assert_true(auth_client_session_live(0, 0, 86400 - 1));
	assert_false(auth_client_session_live(0, 0, 86400));
	assert_true(auth_client_session_live(0, 7 * 86400 - 60, 7 * 86400 - 1));
	assert_false(auth_client_session_live(0, 7 * 86400 - 60, 7 * 86400));
	assert_int_equal(auth_throttle_wait(&auth_throttle_pair, 5, 100, 110), 0);
	assert_int_equal(auth_throttle_wait(&auth_throttle_pair, 6, 100, 110), 50);
	assert_int_equal(auth_throttle_wait(&auth_throttle_pair, 9, 100, 170),
	                 1); /* never 0 over */
	/* the per-e-mail limit is far looser than the per-address ones */
	assert_true(auth_throttle_email.max >= 10 * auth_throttle_pair.max);
	assert_int_equal(auth_throttle_wait(&auth_throttle_email, 50, 100, 110), 0);
}

static void test_tokens(void **state)
{
	char a[96], b[96], ha[TOK_HASH_LEN], hb[TOK_HASH_LEN];

	(void)state;
	assert_int_equal(tok_random("kam_", 32, a, sizeof(a)), 0);
	assert_int_equal(tok_random("kam_", 32, b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 4 + 43);
	assert_true(strncmp(a, "kam_", 4) == 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strspn(a + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			 43);
	tok_hash(a, ha);
	tok_hash(a, hb);
	assert_string_equal(ha, hb);
	assert_int_equal(strlen(ha), 64);
	tok_hash(b, hb);
	assert_string_not_equal(ha, hb);
	assert_true(tok_equal(a, a));
	assert_false(tok_equal(a, b));
	assert_false(tok_equal("abc", "abcd"));
	assert_int_equal(tok_random("kam_", 32, a, 20), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roles),     cmocka_unit_test(test_actor),
	    cmocka_unit_test(test_passwords), cmocka_unit_test(test_sessions_and_throttle),
	    cmocka_unit_test(test_tokens),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
