-- Issue 16: password resets by mail, and what the last digest saw of each account's health.
-- A reset link works once and for an hour; only a hash of its token is kept, made when the
-- mail goes out, and a new request replaces the old link (one per user).
CREATE TABLE password_resets (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX password_resets_token ON password_resets (token_hash);
CREATE UNIQUE INDEX password_resets_user ON password_resets (user_id);
-- The health of each of a user's accounts as their last digest saw it, written in the
-- digest's transaction, so the next one can say whose health fell since (and by how much).
CREATE TABLE digest_health (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	health REAL NOT NULL,
	PRIMARY KEY (user_id, account_id)
);
