-- kam schema 1: users, sessions, tokens, accounts, teams, contacts, audit.
-- Times are Unix seconds (UTC); dates YYYY-MM-DD; money integer minor units + ISO 4217 code.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL,
	name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin','director','kam','member','viewer')),
	active INTEGER NOT NULL DEFAULT 1,
	password_hash TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_failures (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	industry TEXT,
	region TEXT,
	country TEXT,
	website TEXT,
	owner_id INTEGER NOT NULL REFERENCES users (id),
	status TEXT NOT NULL DEFAULT 'prospect' CHECK (status IN ('prospect','active','churned')),
	acquired_on TEXT,
	churned_on TEXT,
	potential_annual_spend INTEGER,
	currency TEXT NOT NULL DEFAULT 'EUR',
	strategic_importance INTEGER CHECK (strategic_importance BETWEEN 1 AND 5),
	growth_potential INTEGER CHECK (growth_potential BETWEEN 1 AND 5),
	industry_influence INTEGER CHECK (industry_influence BETWEEN 1 AND 5),
	notes TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX accounts_owner ON accounts (owner_id, id);
CREATE INDEX accounts_name ON accounts (name, id);
CREATE INDEX accounts_status ON accounts (status, id);

CREATE TABLE accounts_tags (
	entity_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	tag TEXT NOT NULL,
	PRIMARY KEY (entity_id, tag)
);
CREATE INDEX accounts_tags_tag ON accounts_tags (tag, entity_id);

CREATE TABLE account_team (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_team_user ON account_team (user_id, account_id);

CREATE TABLE contacts (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	title TEXT,
	department TEXT,
	email TEXT,
	phone TEXT,
	reports_to_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
	influence INTEGER CHECK (influence BETWEEN 1 AND 5),
	attitude TEXT,
	decision_role TEXT,
	relationship_owner_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	notes TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_account ON contacts (account_id, id);
CREATE INDEX contacts_name ON contacts (name, id);

CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	user_id INTEGER,
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id INTEGER,
	before TEXT,
	after TEXT
);
CREATE INDEX audit_entity ON audit (entity, entity_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
