-- Issue 18, group accounts: a parent's owner may share the group's totals with the KAMs of
-- its entities, and a transaction that repeats revenue already booked on another entity of
-- the same group (a re-invoice, a central purchase passed on) is flagged so group totals
-- count it once (docs/groups.md).
ALTER TABLE accounts ADD COLUMN group_totals_shared INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN intra_group INTEGER NOT NULL DEFAULT 0;
-- group answers subtract these per window: the index alone answers (covering), never a
-- scan of all transactions
CREATE INDEX transactions_intra_group ON transactions (booked_on, account_id, amount_base)
	WHERE intra_group = 1;
