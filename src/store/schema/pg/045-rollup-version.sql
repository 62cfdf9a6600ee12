-- 045: the revenue rollup has a version of its own (the SQLite twin says why).
INSERT INTO settings (key, value, created_at, updated_at) VALUES ('rollup_version', '', 0, 0)
	ON CONFLICT (key) DO NOTHING;

CREATE FUNCTION rollup_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'rollup_version';
	RETURN NULL;
END $$;

CREATE TRIGGER rollup_accounts_del AFTER DELETE ON accounts
	FOR EACH STATEMENT EXECUTE FUNCTION rollup_version_bump();
