-- 046: one trigger function for the versions kept in settings. auth_version_bump (036),
-- data_version_bump (041) and rollup_version_bump (045) were the same statement with another
-- key; settings_version_bump takes the key from the trigger (TG_ARGV[0]). A trigger's function
-- cannot be changed in place, so each trigger is made again as it was, calling the new one
-- with its key, and the three old functions go.
CREATE FUNCTION settings_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE settings SET version = version + 1 WHERE key = TG_ARGV[0];
	RETURN NULL;
END $$;

-- 036: the auth version
DROP TRIGGER auth_sessions_del ON sessions;
DROP TRIGGER auth_sessions_upd ON sessions;
DROP TRIGGER auth_tokens_del ON api_tokens;
DROP TRIGGER auth_tokens_upd ON api_tokens;
DROP TRIGGER auth_users_del ON users;
DROP TRIGGER auth_users_upd ON users;
CREATE TRIGGER auth_sessions_del AFTER DELETE ON sessions
	FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('auth_version');
CREATE TRIGGER auth_sessions_upd AFTER UPDATE OF token_hash, user_id, csrf_token, created_at
	ON sessions FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('auth_version');
CREATE TRIGGER auth_tokens_del AFTER DELETE ON api_tokens
	FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('auth_version');
CREATE TRIGGER auth_tokens_upd AFTER UPDATE OF token_hash, user_id, expires_at
	ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('auth_version');
CREATE TRIGGER auth_users_del AFTER DELETE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('auth_version');
CREATE TRIGGER auth_users_upd AFTER UPDATE OF email, name, role, active, password_hash
	ON users FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('auth_version');
DROP FUNCTION auth_version_bump();

-- 041: who sees an account moves the data version
DROP TRIGGER seen_team ON account_team;
DROP TRIGGER seen_owner_upd ON accounts;
DROP TRIGGER seen_accounts_del ON accounts;
CREATE TRIGGER seen_team AFTER INSERT OR DELETE OR UPDATE OF account_id, user_id
	ON account_team FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('data_version');
CREATE TRIGGER seen_owner_upd AFTER UPDATE OF owner_id ON accounts
	FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
	EXECUTE FUNCTION settings_version_bump('data_version');
CREATE TRIGGER seen_accounts_del AFTER DELETE ON accounts
	FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('data_version');
DROP FUNCTION data_version_bump();

-- 045: the rollup version
DROP TRIGGER rollup_accounts_del ON accounts;
CREATE TRIGGER rollup_accounts_del AFTER DELETE ON accounts
	FOR EACH STATEMENT EXECUTE FUNCTION settings_version_bump('rollup_version');
DROP FUNCTION rollup_version_bump();
