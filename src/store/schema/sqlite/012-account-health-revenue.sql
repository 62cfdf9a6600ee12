-- The accounts list sorts and filters by health and by revenue of the last twelve whole
-- months: both are kept on the account, derived (no version bump), like score and tier.
-- Health is set by the health job, revenue by the score refresh.
ALTER TABLE accounts ADD COLUMN health REAL NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN revenue_12m INTEGER NOT NULL DEFAULT 0;
CREATE INDEX accounts_health ON accounts (health, id);
CREATE INDEX accounts_revenue ON accounts (revenue_12m, id);
UPDATE accounts SET health = coalesce((SELECT h.score FROM health_snapshots h WHERE
	h.account_id = accounts.id ORDER BY h.day DESC LIMIT 1), 0);
-- the next list refreshes scores, and with them revenue_12m
UPDATE settings SET value = 'dirty' WHERE key = 'score_state';
