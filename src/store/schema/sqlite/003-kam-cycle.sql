-- kam schema 3: the KAM cycle — settings, plans (objectives, actions, resources, reviews),
-- products, business units, opportunities, FX rates, transactions with a monthly revenue rollup,
-- interactions, cases, risks and surveys. Generated twin of the PostgreSQL file: keep both in step.
ALTER TABLE accounts ADD COLUMN relationship_strength INTEGER CHECK (relationship_strength BETWEEN 1 AND 5);
ALTER TABLE accounts ADD COLUMN last_interaction_at INTEGER;
ALTER TABLE contacts ADD COLUMN last_contacted_at INTEGER;
-- identification: the score and tier, refreshed from settings, fields and revenue
ALTER TABLE accounts ADD COLUMN score REAL NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN tier TEXT NOT NULL DEFAULT 'standard';
CREATE INDEX accounts_score ON accounts (score, id);
CREATE INDEX accounts_tier ON accounts (tier, id);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE plans (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	title TEXT,
	period_start TEXT NOT NULL,
	period_end TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','active','archived')),
	situation TEXT,
	vision TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX plans_account ON plans (account_id, id);
CREATE UNIQUE INDEX plans_active ON plans (account_id, period_start, period_end) WHERE status = 'active';

CREATE TABLE objectives (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	metric TEXT,
	baseline REAL,
	target REAL,
	current REAL,
	due_on TEXT,
	status TEXT NOT NULL DEFAULT 'on_track' CHECK (status IN ('on_track','at_risk','achieved','missed')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX objectives_plan ON objectives (plan_id, id);
CREATE INDEX objectives_account ON objectives (account_id, id);

CREATE TABLE actions (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	objective_id INTEGER REFERENCES objectives (id) ON DELETE SET NULL,
	title TEXT NOT NULL,
	owner_id INTEGER REFERENCES users (id),
	due_on TEXT,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','done','cancelled')),
	done_on TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX actions_plan ON actions (plan_id, id);
CREATE INDEX actions_account ON actions (account_id, id);
CREATE INDEX actions_owner ON actions (owner_id, status);

CREATE TABLE plan_resources (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id),
	role TEXT,
	commitment_hours_per_month INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX plan_resources_user ON plan_resources (plan_id, user_id);
CREATE INDEX plan_resources_account ON plan_resources (account_id, id);

CREATE TABLE reviews (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	held_on TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('qbr','internal')),
	notes TEXT,
	next_review_on TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX reviews_plan ON reviews (plan_id, id);
CREATE INDEX reviews_account ON reviews (account_id, id);

CREATE TABLE products (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	family TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX products_name ON products (name);

CREATE TABLE units (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX units_name ON units (account_id, name);

CREATE TABLE opportunities (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('new_business','upsell','cross_sell','renewal')),
	product_id INTEGER REFERENCES products (id),
	unit_id INTEGER REFERENCES units (id) ON DELETE SET NULL,
	amount INTEGER NOT NULL DEFAULT 0,
	currency TEXT NOT NULL,
	probability INTEGER CHECK (probability BETWEEN 0 AND 100),
	stage TEXT NOT NULL DEFAULT 'identified' CHECK (stage IN ('identified','qualified','proposal','negotiation','won','lost')),
	expected_close_on TEXT,
	closed_on TEXT,
	owner_id INTEGER REFERENCES users (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX opportunities_account ON opportunities (account_id, id);
CREATE INDEX opportunities_stage ON opportunities (stage, closed_on);

CREATE TABLE fx_rates (
	id INTEGER PRIMARY KEY,
	currency TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	rate REAL NOT NULL CHECK (rate > 0),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX fx_rates_key ON fx_rates (currency, valid_from);

CREATE TABLE transactions (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	unit_id INTEGER REFERENCES units (id) ON DELETE SET NULL,
	product_id INTEGER REFERENCES products (id),
	booked_on TEXT NOT NULL,
	amount INTEGER NOT NULL,
	currency TEXT NOT NULL,
	amount_base INTEGER NOT NULL,
	external_id TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX transactions_external ON transactions (external_id);
CREATE INDEX transactions_account ON transactions (account_id, booked_on);

CREATE TABLE revenue_monthly (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	product_id INTEGER NOT NULL,
	month TEXT NOT NULL,
	amount INTEGER NOT NULL,
	transactions INTEGER NOT NULL
);
CREATE UNIQUE INDEX revenue_monthly_key ON revenue_monthly (account_id, product_id, month);
CREATE INDEX revenue_monthly_month ON revenue_monthly (month, account_id);

CREATE TABLE interactions (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('meeting','call','email','visit','qbr','event','note')),
	occurred_at INTEGER NOT NULL,
	summary TEXT,
	sentiment INTEGER CHECK (sentiment BETWEEN -2 AND 2),
	next_step TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX interactions_account ON interactions (account_id, occurred_at);

CREATE TABLE interactions_user_ids (
	entity_id INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
	ref_id INTEGER NOT NULL REFERENCES users (id)
);
CREATE UNIQUE INDEX interactions_user_ids_key ON interactions_user_ids (entity_id, ref_id);
CREATE INDEX interactions_user_ids_ref ON interactions_user_ids (ref_id);

CREATE TABLE interactions_contact_ids (
	entity_id INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
	ref_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX interactions_contact_ids_key ON interactions_contact_ids (entity_id, ref_id);
CREATE INDEX interactions_contact_ids_ref ON interactions_contact_ids (ref_id);

CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	description TEXT,
	severity TEXT NOT NULL CHECK (severity IN ('low','medium','high','critical')),
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','resolved','closed')),
	opened_at INTEGER NOT NULL,
	first_response_at INTEGER,
	resolved_at INTEGER,
	owner_id INTEGER REFERENCES users (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_account ON cases (account_id, opened_at);
CREATE INDEX cases_resolved ON cases (resolved_at);

CREATE TABLE risks (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	title TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('relationship','financial','competitive','delivery','regulatory')),
	probability INTEGER NOT NULL CHECK (probability BETWEEN 1 AND 5),
	impact INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
	mitigation TEXT,
	owner_id INTEGER REFERENCES users (id),
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','mitigating','closed')),
	review_on TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX risks_account ON risks (account_id, id);

CREATE TABLE surveys (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('nps','csat')),
	contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
	answered_on TEXT NOT NULL,
	score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
	comment TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX surveys_account ON surveys (account_id, answered_on);
CREATE INDEX surveys_answered ON surveys (answered_on);
