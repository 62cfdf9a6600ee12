-- Issue 16: webhook endpoints. An admin subscribes a URL to events; each event becomes one
-- outbox row per endpoint (channel 'webhook', recipient the endpoint's id), delivered in
-- order per endpoint and signed with the endpoint's secret (Standard Webhooks). After a
-- rotation the previous secret also signs until previous_secret_until.
CREATE TABLE webhooks (
	id INTEGER PRIMARY KEY,
	url TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	events TEXT NOT NULL, -- comma-separated event types
	format TEXT NOT NULL DEFAULT 'standard', -- 'standard', 'slack' or 'teams'
	enabled INTEGER NOT NULL DEFAULT 1,
	secret TEXT NOT NULL, -- whsec_ + base64: kam signs with it, so it is kept as is
	previous_secret TEXT,
	previous_secret_until INTEGER,
	disabled_reason TEXT, -- why kam turned it off (persistent failure), for the admins
	disabled_at INTEGER,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
-- Every attempt to deliver an outbox row to its endpoint: the answer's code (NULL when
-- there was none), how long it took and the first KiB of the answer.
CREATE TABLE webhook_attempts (
	id INTEGER PRIMARY KEY,
	webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
	at INTEGER NOT NULL,
	status_code INTEGER,
	duration_ms INTEGER NOT NULL,
	error TEXT,
	response TEXT
);
CREATE INDEX webhook_attempts_outbox ON webhook_attempts (outbox_id, id);
CREATE INDEX outbox_webhook ON outbox (recipient, id) WHERE channel = 'webhook';
-- each endpoint's undelivered events, oldest first: the head of its queue
CREATE INDEX outbox_webhook_pending ON outbox (recipient, id) WHERE channel = 'webhook' AND sent_at IS NULL AND failed_at IS NULL;
