-- Imports from CRMs and ERPs: every imported kind carries the source system's id, so a
-- second import of the same file updates instead of duplicating.
ALTER TABLE accounts ADD COLUMN external_id TEXT;
ALTER TABLE contacts ADD COLUMN external_id TEXT;
ALTER TABLE products ADD COLUMN external_id TEXT;
ALTER TABLE opportunities ADD COLUMN external_id TEXT;
ALTER TABLE interactions ADD COLUMN external_id TEXT;
ALTER TABLE cases ADD COLUMN external_id TEXT;
ALTER TABLE surveys ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX accounts_external ON accounts (external_id);
CREATE UNIQUE INDEX contacts_external ON contacts (external_id);
CREATE UNIQUE INDEX products_external ON products (external_id);
CREATE UNIQUE INDEX opportunities_external ON opportunities (external_id);
CREATE UNIQUE INDEX interactions_external ON interactions (external_id);
CREATE UNIQUE INDEX cases_external ON cases (external_id);
CREATE UNIQUE INDEX surveys_external ON surveys (external_id);

-- One row per import run: what was asked, what happened, and each rejected row.
CREATE TABLE imports (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	mapping TEXT NOT NULL,
	status TEXT NOT NULL,
	dry_run INTEGER NOT NULL,
	atomic INTEGER NOT NULL,
	rows_total INTEGER NOT NULL DEFAULT 0,
	created INTEGER NOT NULL DEFAULT 0,
	updated INTEGER NOT NULL DEFAULT 0,
	unchanged INTEGER NOT NULL DEFAULT 0,
	rejected INTEGER NOT NULL DEFAULT 0,
	errors TEXT NOT NULL DEFAULT '[]',
	ignored_columns TEXT NOT NULL DEFAULT '[]',
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	finished_at INTEGER,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX imports_created_by ON imports (created_by, id);
