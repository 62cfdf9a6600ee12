-- A key account's segment on the portfolio matrix (strategic, develop, maintain,
-- streamline), kept on the account so lists show and filter by it; null for the others.
-- Derived like score and health: refreshed with the scores and by the health job.
ALTER TABLE accounts ADD COLUMN segment TEXT;
CREATE INDEX accounts_segment ON accounts (segment, id);
UPDATE settings SET value = 'dirty' WHERE key = 'score_state';
