-- 045: the revenue rollup has a version of its own. A server keeps the rollup in memory for
-- KPI answers; it used to read it again after any change (the data version), also one that
-- touches no revenue, such as an account's notes. store_revenue_changed and
-- store_derived_rebuild move this one in the transaction that writes revenue_account_monthly;
-- deleting an account takes its rollup rows with it (ON DELETE CASCADE), so that moves it too.
INSERT INTO settings (key, value, created_at, updated_at) VALUES ('rollup_version', '', 0, 0)
	ON CONFLICT (key) DO NOTHING;

CREATE TRIGGER rollup_accounts_del AFTER DELETE ON accounts BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'rollup_version';
END;
