-- Client share links: capability URLs to a read-only view of one account's agreed plan.
-- Only a hash of the token is kept; a link expires and can be revoked.
CREATE TABLE shares (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER
);
CREATE INDEX shares_account ON shares (account_id, id);
