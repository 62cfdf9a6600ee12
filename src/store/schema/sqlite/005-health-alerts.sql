-- Health score history (one row per account and day) and proactive alerts.
CREATE TABLE health_snapshots (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	day TEXT NOT NULL,
	score REAL NOT NULL,
	PRIMARY KEY (account_id, day)
);

CREATE TABLE alerts (
	id INTEGER PRIMARY KEY,
	account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
	user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
	subject_key TEXT NOT NULL,
	rule TEXT NOT NULL,
	severity TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
	evidence TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','acknowledged','snoozed','resolved')),
	snoozed_until INTEGER,
	opened_at INTEGER NOT NULL,
	resolved_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
-- one live alert per rule and subject; a resolved one may come back as a new row
CREATE UNIQUE INDEX alerts_live ON alerts (rule, subject_key) WHERE state <> 'resolved';
CREATE INDEX alerts_account ON alerts (account_id, id);
CREATE INDEX alerts_state ON alerts (state, id);
