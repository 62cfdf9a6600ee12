-- Calendar feeds: one per user, a capability URL to an iCalendar feed of their accounts'
-- dates. Only a hash of the token is kept; POST rotates it, DELETE revokes it.
CREATE TABLE calendar_feeds (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

-- Privacy requests: an erased contact keeps its row (and so the counts and scores that
-- refer to it) with the personal fields anonymised; erased_at says when.
ALTER TABLE contacts ADD COLUMN erased_at INTEGER;

-- The audit log stays append-only, with one exception: an erasure redacts the personal
-- data in the before/after of rows about the person, once (redacted_at goes from NULL to a
-- time, nothing else but before/after may change).
ALTER TABLE audit ADD COLUMN redacted_at INTEGER;
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
WHEN NOT (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.id = OLD.id
	AND NEW.at = OLD.at AND NEW.user_id IS OLD.user_id AND NEW.action = OLD.action
	AND NEW.entity = OLD.entity AND NEW.entity_id IS OLD.entity_id)
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
