-- A health score or segment that the alert job or the score refresh writes moves the data
-- version like an audited change: answers cached on that version (the portfolio matrix,
-- the at-risk list, the KPIs of a segment) show them at once.
INSERT INTO settings (key, value, created_at, updated_at) VALUES ('data_version', '', 0, 0)
	ON CONFLICT (key) DO NOTHING;
CREATE TRIGGER accounts_derived_version AFTER UPDATE OF health, health_enough_data, segment ON accounts
	WHEN OLD.health IS NOT NEW.health OR OLD.health_enough_data IS NOT NEW.health_enough_data
		OR OLD.segment IS NOT NEW.segment
BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'data_version';
END;
