-- 041: who sees an account moves the data version. Servers answer a caller's repeated read of
-- a record from memory while the data version holds (the record cache); the API moves it with
-- every audited change, and these triggers move it too when an account's owner or team
-- changes, or an account goes, whatever makes the change (a `kam` command, plain SQL), so a
-- user taken off an account is refused it on the very next request, as with the auth version.
INSERT INTO settings (key, value, created_at, updated_at) VALUES ('data_version', '', 0, 0)
	ON CONFLICT (key) DO NOTHING;

CREATE TRIGGER seen_team_ins AFTER INSERT ON account_team BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER seen_team_del AFTER DELETE ON account_team BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER seen_team_upd AFTER UPDATE OF account_id, user_id ON account_team BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER seen_owner_upd AFTER UPDATE OF owner_id ON accounts
	WHEN OLD.owner_id IS NOT NEW.owner_id BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'data_version';
END;
CREATE TRIGGER seen_accounts_del AFTER DELETE ON accounts BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'data_version';
END;
