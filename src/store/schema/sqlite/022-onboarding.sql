-- Issue 15: products carry a list price (minor units of its currency), the default amount of
-- a new opportunity for the product and the value of a white-space cell. Both stay empty for
-- products stored before: nothing is guessed.
ALTER TABLE products ADD COLUMN list_price INTEGER;
ALTER TABLE products ADD COLUMN currency TEXT;
-- A won opportunity booked as revenue (settings.book_won_opportunities, for companies whose
-- only revenue source is their CRM): its transaction names it, once. No foreign key: the
-- booking goes with its opportunity through kam (rollups follow), never by a cascade.
ALTER TABLE transactions ADD COLUMN opportunity_id INTEGER;
CREATE UNIQUE INDEX transactions_opportunity ON transactions (opportunity_id);
-- People brought in from a CRM export: their manager and team or regional office, and the
-- one-time invitations through which a user without a password sets one (only a hash of
-- the token is kept; a new invitation replaces the old).
ALTER TABLE users ADD COLUMN manager_id INTEGER; -- kam checks it (users are deactivated, never deleted)
ALTER TABLE users ADD COLUMN team TEXT;
CREATE TABLE invitations (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX invitations_token ON invitations (token_hash);
CREATE UNIQUE INDEX invitations_user ON invitations (user_id);
-- Mappings saved by name from the import wizard, for next month's file (--map NAME).
CREATE TABLE import_mappings (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	mapping TEXT NOT NULL,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX import_mappings_name ON import_mappings (name);
