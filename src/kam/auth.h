/* Roles, what each may do, passwords and session lifetimes (DESIGN §2, §5). */
#ifndef KAM_KAM_AUTH_H
#define KAM_KAM_AUTH_H
#include <stdbool.h>
#include <stdint.h>
#include <sodium.h>
#include "kam/date.h"
#include "util/err.h"

/* ROLE_CLIENT is no user's role: a client member signed in to their account's workspace
 * (issue 19); no user has it, and auth_role_parse never returns it. */
enum role { ROLE_ADMIN, ROLE_DIRECTOR, ROLE_KAM, ROLE_MEMBER, ROLE_VIEWER, ROLE_NONE, ROLE_CLIENT };

#define AUTH_HASH_LEN crypto_pwhash_STRBYTES
#define AUTH_SESSION_MAX_AGE (12 * 3600)
#define AUTH_SESSION_IDLE (30 * 60)
/* a client member's workspace session: a week at most, a day idle (they come back by a new
 * link from their KAM) */
#define AUTH_CLIENT_SESSION_MAX_AGE (7 * 86400)
#define AUTH_CLIENT_SESSION_IDLE 86400
/*
 * Password guessing is throttled per key, each a fixed window and a number of attempts in
 * it (OWASP ASVS 2.2.1): tight for one e-mail from one address, looser for one address
 * (password spraying), loosest for one e-mail from anywhere, so that an attacker elsewhere
 * cannot lock the user out of their own address. Attempts are counted before the password
 * is checked, so parallel guesses cannot exceed the limit.
 */
struct auth_throttle {
	const char *prefix; /* of the key: "pair:", "addr:", "email:", "password:" */
	int64_t window;     /* seconds */
	int64_t max;        /* attempts allowed in a window */
};

extern const struct auth_throttle auth_throttle_pair, auth_throttle_addr, auth_throttle_email,
    auth_throttle_password;
/* Password-reset mails: a few an hour per e-mail address (no mailbox flooded), more per
 * client address (an office behind one NAT), counted whether the address is a user or not. */
extern const struct auth_throttle auth_throttle_reset_email, auth_throttle_reset_addr;
/* Workspace sign-in links tried per client address (issue 19). */
extern const struct auth_throttle auth_throttle_workspace;

/* The role named s, or ROLE_NONE. */
enum role auth_role_parse(const char *s);
/* The name of a role. */
const char *auth_role_name(enum role r);
/* Roles that see every account: admin, director, viewer. */
bool auth_sees_all(enum role r);
/* May this role change an account it can see (owner/on_team from the store)? */
bool auth_account_writable(enum role r, bool owner, bool on_team);
/* May this role create or delete accounts, or change their owner? */
bool auth_account_manage(enum role r, bool owner);
/* May this role write contacts and teams of an account it can see? */
bool auth_contact_writable(enum role r, bool owner, bool on_team);
/* May a user of this role own accounts (be their KAM)? */
bool auth_can_own(enum role r);

/*
 * Who acts (DESIGN §2, §3): their user id and role decide what they may see. Every door
 * (HTTP request, `kam import/export --as`, the import worker) builds one, and everything
 * that looks records up on someone's behalf (lists, imports, exports) asks it.
 */
struct settings;
struct actor {
	int64_t user_id;
	enum role role;
	/* the instant the action happens at (KAM_NOW, else the wall clock when it began): what
	 * "today", "overdue", SLAs and month edges count from */
	int64_t now;
	/* that instant's date in the installation's zone, once worked out (app_actor_today) */
	bool has_today;
	date_t today;
	/* the installation's settings when an operation that decorates many rows read them
	 * once for all (app_actor_settings), else NULL: each row then reads them itself */
	const struct settings *settings;
	/* ROLE_CLIENT: the client member acting and the one account whose workspace they may
	 * reach (user_id is 0) */
	int64_t member_id;
	int64_t member_account;
};
/* The user whose accounts bound what the actor sees (owned or on the team), 0 for all. */
int64_t actor_scope(const struct actor *a);
/* Whether the actor sees an account, given whether they own it and are on its team. */
bool actor_sees_account(const struct actor *a, bool owner, bool on_team);
/* Whether the actor may assign an account's external id: only roles that see every account
 * and write them, since every later import, whoever runs it, matches on that key. */
bool actor_assigns_account_keys(const struct actor *a);

/* Checks length 12..128 characters; the reason goes in ei under "password". */
int auth_password_policy(const char *pw, struct kam_errinfo *ei);
/* Argon2id hash of pw into out[AUTH_HASH_LEN]; KAM_ENOMEM if libsodium cannot. */
int auth_password_hash(const char *pw, char out[AUTH_HASH_LEN]);
/* True when pw matches the stored hash (constant time in libsodium). */
bool auth_password_verify(const char *hash, const char *pw);
/* Whether a session created and last seen at these times is still valid at now. */
bool auth_session_live(int64_t created_at, int64_t last_seen_at, int64_t now);
/* The same for a client member's workspace session. */
bool auth_client_session_live(int64_t created_at, int64_t last_seen_at, int64_t now);
/* Seconds to wait when count attempts (this one included) fell in the window begun at
 * window_start; 0 = this attempt may go ahead. */
int64_t auth_throttle_wait(const struct auth_throttle *t, int64_t count, int64_t window_start,
                           int64_t now);

#endif
