-- Issue 18: contracts per account, the renewal opportunity each one gets once, the forecast
-- category a KAM may set on an opportunity, targets per quarter and the weekly snapshots.
CREATE TABLE contracts (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	number TEXT NOT NULL,
	start_date TEXT NOT NULL,
	end_date TEXT NOT NULL,
	annual_value INTEGER NOT NULL DEFAULT 0,
	currency TEXT NOT NULL,
	auto_renew INTEGER NOT NULL DEFAULT 0,
	notice_days INTEGER,
	status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','active','expired','terminated')),
	external_id TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contracts_account ON contracts (account_id, id);
CREATE INDEX contracts_end ON contracts (status, end_date);
CREATE UNIQUE INDEX contracts_number ON contracts (account_id, number);
CREATE TABLE contracts_product_ids (
	entity_id INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
	ref_id INTEGER NOT NULL REFERENCES products (id)
);
CREATE UNIQUE INDEX contracts_product_ids_key ON contracts_product_ids (entity_id, ref_id);
CREATE INDEX contracts_product_ids_ref ON contracts_product_ids (ref_id);
-- The renewal opportunity of a contract exists once, whichever node's job made it. No
-- foreign key (as transactions.opportunity_id): deleting a contract through kam unlinks it.
ALTER TABLE opportunities ADD COLUMN contract_id INTEGER;
CREATE UNIQUE INDEX opportunities_contract ON opportunities (contract_id);
-- A KAM's own call (null: the probability rule of the settings decides).
ALTER TABLE opportunities ADD COLUMN forecast_category TEXT CHECK (forecast_category IN ('commit','best_case','pipeline','omitted'));
-- Targets in minor units of the base currency, one per KAM and quarter; user_id null is
-- the portfolio's, once per quarter too.
CREATE TABLE forecast_targets (
	id INTEGER PRIMARY KEY,
	quarter TEXT NOT NULL,
	user_id INTEGER REFERENCES users (id),
	amount INTEGER NOT NULL CHECK (amount >= 0),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX forecast_targets_key ON forecast_targets (quarter, user_id);
CREATE UNIQUE INDEX forecast_targets_portfolio ON forecast_targets (quarter) WHERE user_id IS NULL;
-- The call as it stood each week (week = its Monday); user_id 0 is the portfolio.
CREATE TABLE forecast_snapshots (
	quarter TEXT NOT NULL,
	week TEXT NOT NULL,
	user_id INTEGER NOT NULL,
	booked INTEGER NOT NULL,
	contracted INTEGER NOT NULL,
	commit_amount INTEGER NOT NULL,
	best_case INTEGER NOT NULL,
	pipeline INTEGER NOT NULL,
	won INTEGER NOT NULL,
	target INTEGER,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (quarter, week, user_id)
);
