-- Issue 17, the context the best plan templates have: the customer's strategic initiatives,
-- a SWOT, and the competitors present at the account with their share of its spend.
ALTER TABLE plans ADD COLUMN initiatives TEXT;
ALTER TABLE plans ADD COLUMN swot_strengths TEXT;
ALTER TABLE plans ADD COLUMN swot_weaknesses TEXT;
ALTER TABLE plans ADD COLUMN swot_opportunities TEXT;
ALTER TABLE plans ADD COLUMN swot_threats TEXT;
CREATE TABLE competitors (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	share_percent INTEGER CHECK (share_percent BETWEEN 0 AND 100),
	products TEXT,
	notes TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX competitors_account ON competitors (account_id, id);
