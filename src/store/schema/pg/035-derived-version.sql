-- A health score or segment that the alert job or the score refresh writes moves the data
-- version like an audited change: answers cached on that version (the portfolio matrix,
-- the at-risk list, the KPIs of a segment) show them at once. A row trigger whose WHEN is
-- checked without calling the function: an unchanged row costs nothing.
INSERT INTO settings (key, value, created_at, updated_at) VALUES ('data_version', '', 0, 0)
	ON CONFLICT (key) DO NOTHING;
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE settings SET version = version + 1 WHERE key = 'data_version';
	RETURN NULL;
END;
$$;
CREATE TRIGGER accounts_derived_version AFTER UPDATE OF health, health_enough_data, segment ON accounts
	FOR EACH ROW WHEN (OLD.health IS DISTINCT FROM NEW.health
		OR OLD.health_enough_data IS DISTINCT FROM NEW.health_enough_data
		OR OLD.segment IS DISTINCT FROM NEW.segment)
	EXECUTE FUNCTION data_version_bump();
