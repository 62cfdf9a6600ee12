#include <string.h>
#include "kam/auth.h"
#include "kam/validate.h"

static const char *const names[] = {"admin", "director", "kam", "member", "viewer"};

enum role auth_role_parse(const char *s)
{
	for (int i = 0; s && i < ROLE_NONE; i++)
		if (strcmp(names[i], s) == 0)
			return (enum role)i;
	return ROLE_NONE;
}

const char *auth_role_name(enum role r)
{
	return r < ROLE_NONE ? names[r] : r == ROLE_CLIENT ? "client" : "none";
}

bool auth_sees_all(enum role r)
{
	return r == ROLE_ADMIN || r == ROLE_DIRECTOR || r == ROLE_VIEWER;
}

int64_t actor_scope(const struct actor *a)
{
	if (auth_sees_all(a->role))
		return 0;
	/* an actor without a user (a client member) sees no staff record: no user has this id */
	return a->user_id > 0 ? a->user_id : INT64_MAX;
}

bool actor_sees_account(const struct actor *a, bool owner, bool on_team)
{
	return auth_sees_all(a->role) || owner || on_team;
}

bool actor_assigns_account_keys(const struct actor *a)
{
	return a->role == ROLE_ADMIN || a->role == ROLE_DIRECTOR;
}

bool auth_account_writable(enum role r, bool owner, bool on_team)
{
	if (r == ROLE_ADMIN || r == ROLE_DIRECTOR)
		return true;
	return r == ROLE_KAM && (owner || on_team);
}

bool auth_account_manage(enum role r, bool owner)
{
	if (r == ROLE_ADMIN || r == ROLE_DIRECTOR)
		return true;
	return r == ROLE_KAM && owner;
}

bool auth_contact_writable(enum role r, bool owner, bool on_team)
{
	return auth_account_writable(r, owner, on_team);
}

bool auth_can_own(enum role r)
{
	return r == ROLE_ADMIN || r == ROLE_DIRECTOR || r == ROLE_KAM;
}

int auth_password_policy(const char *pw, struct kam_errinfo *ei)
{
	size_t n = validate_utf8_len(pw);

	if (n < 12 || n > 128) {
		err_field(ei, "password", "must be 12 to 128 characters long (got %zu)", n);
		return KAM_EINVAL;
	}
	return KAM_OK;
}

/* Argon2id at OWASP's baseline (Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1)
 * rather than libsodium's "interactive" 64 MiB, t = 2: each sign-in held 64 MiB for its
 * hash, the largest peak of the server's memory (bench/web.sh: 90 MB on the 30-account
 * demo), and a burst of sign-ins on 16 threads would have asked for 1 GiB. Hashes made
 * before keep their own parameters in their text and still verify. */
#define PWHASH_OPS 2
#define PWHASH_MEM (19u * 1024 * 1024)

int auth_password_hash(const char *pw, char out[AUTH_HASH_LEN])
{
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), PWHASH_OPS, PWHASH_MEM,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return KAM_ENOMEM;
	return KAM_OK;
}

bool auth_password_verify(const char *hash, const char *pw)
{
	if (hash == NULL || hash[0] == '\0')
		return false;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

bool auth_session_live(int64_t created_at, int64_t last_seen_at, int64_t now)
{
	return now - created_at < AUTH_SESSION_MAX_AGE && now - last_seen_at < AUTH_SESSION_IDLE;
}

bool auth_client_session_live(int64_t created_at, int64_t last_seen_at, int64_t now)
{
	return now - created_at < AUTH_CLIENT_SESSION_MAX_AGE &&
	       now - last_seen_at < AUTH_CLIENT_SESSION_IDLE;
}

const struct auth_throttle auth_throttle_pair = {"pair:", 60, 5};
/* workspace links tried from one address: a guess at a 256-bit token is hopeless anyway */
const struct auth_throttle auth_throttle_workspace = {"workspace:", 60, 20};
const struct auth_throttle auth_throttle_addr = {"addr:", 60, 20};
const struct auth_throttle auth_throttle_email = {"email:", 900, 100};
const struct auth_throttle auth_throttle_password = {"password:", 60, 5};
const struct auth_throttle auth_throttle_reset_email = {"reset:", 3600, 5};
const struct auth_throttle auth_throttle_reset_addr = {"resetaddr:", 3600, 30};

int64_t auth_throttle_wait(const struct auth_throttle *t, int64_t count, int64_t window_start,
                           int64_t now)
{
	int64_t wait;

	if (count <= t->max)
		return 0;
	wait = window_start + t->window - now;
	return wait > 0 ? wait : 1;
}
