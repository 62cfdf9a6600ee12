-- Login throttling counts attempts, not failures, in one row per key whose count an upsert
-- raises atomically before the password is checked: parallel guesses cannot slip past the
-- limit between a check and a record (they did with the old failures table).
DROP TABLE login_failures;
CREATE TABLE login_throttle (
	key TEXT PRIMARY KEY,
	window_start INTEGER NOT NULL,
	count INTEGER NOT NULL
);
-- Bearer tokens may expire.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
