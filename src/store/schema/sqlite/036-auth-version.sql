-- 036: the auth version. Servers keep the credentials they resolved (API tokens, sessions and
-- their users) in memory and read this one number on every request instead; it moves in the
-- transaction of anything that ends a credential or changes a user's standing, whichever node
-- or command makes the change, so a cached credential is never used after that commit.
INSERT INTO settings (key, value, created_at, updated_at) VALUES ('auth_version', '', 0, 0)
	ON CONFLICT (key) DO NOTHING;

CREATE TRIGGER auth_sessions_del AFTER DELETE ON sessions BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'auth_version';
END;
CREATE TRIGGER auth_sessions_upd AFTER UPDATE OF token_hash, user_id, csrf_token, created_at
	ON sessions BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'auth_version';
END;
CREATE TRIGGER auth_tokens_del AFTER DELETE ON api_tokens BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'auth_version';
END;
CREATE TRIGGER auth_tokens_upd AFTER UPDATE OF token_hash, user_id, expires_at
	ON api_tokens BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'auth_version';
END;
CREATE TRIGGER auth_users_del AFTER DELETE ON users BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'auth_version';
END;
CREATE TRIGGER auth_users_upd AFTER UPDATE OF email, name, role, active, password_hash
	ON users BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'auth_version';
END;
