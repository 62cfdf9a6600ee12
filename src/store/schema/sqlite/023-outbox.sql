-- Issue 16: the outbox. A message (a mail now, a webhook delivery later) is written in the
-- transaction of what caused it, then sent by a worker of whichever node claims it first
-- (lease_owner until lease_expires_at); retried with backoff, then marked failed.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	channel TEXT NOT NULL, -- 'mail' or 'webhook'
	kind TEXT NOT NULL, -- what caused it: 'test', 'invitation', 'alert', 'digest', …
	user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
	recipient TEXT NOT NULL, -- an e-mail address, or a webhook endpoint
	subject TEXT,
	body_text TEXT,
	body_html TEXT,
	payload TEXT, -- a webhook's JSON body
	headers TEXT, -- extra headers as a JSON object (List-Unsubscribe, webhook-id, …)
	created_at INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	sent_at INTEGER,
	failed_at INTEGER,
	lease_owner TEXT,
	lease_expires_at INTEGER
);
CREATE INDEX outbox_due ON outbox (channel, next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
-- What each user wants to be told by mail: the daily digest at a local hour (the
-- installation's time zone), and immediate mails for alerts of these severities.
CREATE TABLE notification_prefs (
	user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	digest INTEGER NOT NULL DEFAULT 1,
	digest_hour INTEGER NOT NULL DEFAULT 7,
	immediate TEXT NOT NULL DEFAULT 'critical', -- comma-separated severities, '' for none
	last_digest_day TEXT -- the local day of the last digest (one a day)
);
-- Keys kam makes for itself, such as the one that signs unsubscribe links (name, value).
CREATE TABLE secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
