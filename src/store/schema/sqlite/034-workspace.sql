-- Issue 19, the joint account plan: the client's people (client members) work in a workspace
-- of their one account. They sign in through one-time links (only hashes kept, 7 days), get a
-- session of their own kind (never a staff session), and everything they do is recorded in
-- workspace_activity beside the audit.
-- actions get a side (ours, theirs, joint) and a status 'proposed' (a client's proposal the
-- KAM accepts): SQLite cannot change a CHECK, so the table is built again; the implicit
-- DELETE of DROP TABLE would cascade to playbook_run_actions, whose rows are kept aside.
CREATE TABLE actions_034 (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	objective_id INTEGER REFERENCES objectives (id) ON DELETE SET NULL,
	title TEXT NOT NULL,
	owner_id INTEGER REFERENCES users (id),
	due_on TEXT,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','done','cancelled','proposed')),
	done_on TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	client_visible INTEGER NOT NULL DEFAULT 0,
	side TEXT NOT NULL DEFAULT 'ours' CHECK (side IN ('ours','theirs','joint'))
);
INSERT INTO actions_034 (id, plan_id, account_id, objective_id, title, owner_id, due_on, status,
	done_on, created_at, updated_at, version, client_visible)
	SELECT id, plan_id, account_id, objective_id, title, owner_id, due_on, status, done_on,
	created_at, updated_at, version, client_visible FROM actions;
CREATE TEMP TABLE pra_034 AS SELECT * FROM playbook_run_actions;
DELETE FROM playbook_run_actions;
DROP TABLE actions;
ALTER TABLE actions_034 RENAME TO actions;
INSERT INTO playbook_run_actions SELECT * FROM temp.pra_034;
DROP TABLE temp.pra_034;
CREATE INDEX actions_plan ON actions (plan_id, id);
CREATE INDEX actions_account ON actions (account_id, id);
CREATE INDEX actions_owner ON actions (owner_id, status);
CREATE TABLE client_members (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	invited_at INTEGER NOT NULL,
	last_visit_at INTEGER,
	removed_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX client_members_account ON client_members (account_id, id);
CREATE TABLE workspace_links (
	id INTEGER PRIMARY KEY,
	member_id INTEGER NOT NULL REFERENCES client_members (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX workspace_links_token ON workspace_links (token_hash);
CREATE INDEX workspace_links_member ON workspace_links (member_id);
CREATE TABLE workspace_sessions (
	token_hash TEXT PRIMARY KEY,
	member_id INTEGER NOT NULL REFERENCES client_members (id) ON DELETE CASCADE,
	csrf TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL
);
CREATE INDEX workspace_sessions_member ON workspace_sessions (member_id);
-- what client members did, newest last: the account's workspace activity
CREATE TABLE workspace_activity (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	member_id INTEGER REFERENCES client_members (id) ON DELETE SET NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id INTEGER,
	summary TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX workspace_activity_account ON workspace_activity (account_id, id);
-- comments on client-visible objectives and actions, by client members or by staff
CREATE TABLE workspace_comments (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	objective_id INTEGER REFERENCES objectives (id) ON DELETE CASCADE,
	action_id INTEGER REFERENCES actions (id) ON DELETE CASCADE,
	member_id INTEGER REFERENCES client_members (id) ON DELETE SET NULL,
	user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	author TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX workspace_comments_account ON workspace_comments (account_id, id);
-- the agenda of a joint review: items the KAM or a client member added
CREATE TABLE review_agenda (
	id INTEGER PRIMARY KEY,
	review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
	item TEXT NOT NULL,
	member_id INTEGER REFERENCES client_members (id) ON DELETE SET NULL,
	user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX review_agenda_review ON review_agenda (review_id, id);
-- an NPS or CSAT survey the KAM asks the client members to answer in the workspace
CREATE TABLE survey_requests (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('nps','csat')),
	question TEXT,
	requested_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	closed_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX survey_requests_account ON survey_requests (account_id, id);
-- one answer per member per request; the answer itself is a row of surveys
CREATE TABLE survey_answers (
	request_id INTEGER NOT NULL REFERENCES survey_requests (id) ON DELETE CASCADE,
	member_id INTEGER NOT NULL REFERENCES client_members (id) ON DELETE CASCADE,
	survey_id INTEGER REFERENCES surveys (id) ON DELETE SET NULL,
	answered_at INTEGER NOT NULL,
	PRIMARY KEY (request_id, member_id)
);
ALTER TABLE accounts ADD COLUMN workspace_shares_revenue INTEGER NOT NULL DEFAULT 0;
-- the contact who raised a case (the client sees the open cases its people raised)
ALTER TABLE cases ADD COLUMN contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL;
-- a joint review (shown in the workspace): the date the KAM proposes, the client's answer,
-- and the minutes once published
ALTER TABLE reviews ADD COLUMN joint INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN proposed_on TEXT;
ALTER TABLE reviews ADD COLUMN status TEXT;
ALTER TABLE reviews ADD COLUMN client_proposed_on TEXT;
ALTER TABLE reviews ADD COLUMN minutes TEXT;
ALTER TABLE reviews ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
-- the client member who made an audited change (user_id is null then): the audit shows
-- "client: Jane Doe (Acme)" from client_members, so an erased member shows erased there too
ALTER TABLE audit ADD COLUMN member_id INTEGER;
