-- Issue 17, relationship coverage: which of our people covers which of the client's
-- stakeholders, how strongly (1-5) and when that was last checked; and a contact can be
-- marked as gone (left the company) without deleting who they were.
CREATE TABLE coverage (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	strength INTEGER NOT NULL CHECK (strength BETWEEN 1 AND 5),
	verified_on TEXT,
	notes TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (contact_id, user_id)
);
CREATE INDEX coverage_account ON coverage (account_id, id);
CREATE INDEX coverage_user ON coverage (user_id);
ALTER TABLE contacts ADD COLUMN left_on TEXT;
-- what the attitude was before its last change, and when that was (the stakeholder_change
-- alert: a champion or decider turned critic or blocker)
ALTER TABLE contacts ADD COLUMN attitude_was TEXT;
ALTER TABLE contacts ADD COLUMN attitude_changed_on TEXT;
-- an objective measured from data: the KPI (revenue, nrr, nps…) whose value over the plan's
-- period is its current value, and over as long before, its baseline
ALTER TABLE objectives ADD COLUMN measure TEXT;
