-- Issue 13: a health score that rests on no evidence (no revenue trend, no survey answer,
-- no interaction) is "not enough data", decided by the health computation and kept beside
-- the score so lists, the matrix and the at-risk panel say so instead of showing a number
-- made of defaults. Their stored health is -1 (the API sends null), so a list sorted by
-- health keeps them together, first. The health job sets both; until it runs, the accounts
-- with nothing logged, no revenue and no survey are marked, and a new account has not enough
-- data until its first health computation.
ALTER TABLE accounts ADD COLUMN health_enough_data INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET health_enough_data = 1 WHERE last_interaction_at IS NOT NULL OR
	revenue_12m <> 0 OR EXISTS (SELECT 1 FROM surveys s WHERE s.account_id = accounts.id);
UPDATE accounts SET health = -1 WHERE health_enough_data = 0;
