-- 036: the auth version (the SQLite twin says why). Statement-level triggers: one bump per
-- statement, however many rows it ends.
INSERT INTO settings (key, value, created_at, updated_at) VALUES ('auth_version', '', 0, 0)
	ON CONFLICT (key) DO NOTHING;

CREATE FUNCTION auth_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'auth_version';
	RETURN NULL;
END $$;

CREATE TRIGGER auth_sessions_del AFTER DELETE ON sessions
	FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_sessions_upd AFTER UPDATE OF token_hash, user_id, csrf_token, created_at
	ON sessions FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_tokens_del AFTER DELETE ON api_tokens
	FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_tokens_upd AFTER UPDATE OF token_hash, user_id, expires_at
	ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_users_del AFTER DELETE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
CREATE TRIGGER auth_users_upd AFTER UPDATE OF email, name, role, active, password_hash
	ON users FOR EACH STATEMENT EXECUTE FUNCTION auth_version_bump();
