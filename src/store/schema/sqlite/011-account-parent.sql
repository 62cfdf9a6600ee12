-- Groups of companies: an account may belong to a parent account (a CRM's "Parent Account").
ALTER TABLE accounts ADD COLUMN parent_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
CREATE INDEX accounts_parent ON accounts (parent_id);
