-- 041: who sees an account moves the data version (the SQLite twin says why). Statement-level
-- where a statement may touch many rows; the owner's only when it really changes.
INSERT INTO settings (key, value, created_at, updated_at) VALUES ('data_version', '', 0, 0)
	ON CONFLICT (key) DO NOTHING;

CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'data_version';
	RETURN NULL;
END $$;

CREATE TRIGGER seen_team AFTER INSERT OR DELETE OR UPDATE OF account_id, user_id
	ON account_team FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER seen_owner_upd AFTER UPDATE OF owner_id ON accounts
	FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
	EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER seen_accounts_del AFTER DELETE ON accounts
	FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
