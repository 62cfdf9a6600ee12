-- External ids of records that belong to an account are unique per account, not across the
-- database: an import matches them only among the records its caller can see (DESIGN §2),
-- so a key held by an account the caller cannot see must neither conflict nor match.
-- The external id comes first so a lookup by it alone (?external_id=) still uses the index.
DROP INDEX contacts_external;
CREATE UNIQUE INDEX contacts_external ON contacts (external_id, account_id);
DROP INDEX opportunities_external;
CREATE UNIQUE INDEX opportunities_external ON opportunities (external_id, account_id);
DROP INDEX interactions_external;
CREATE UNIQUE INDEX interactions_external ON interactions (external_id, account_id);
DROP INDEX cases_external;
CREATE UNIQUE INDEX cases_external ON cases (external_id, account_id);
DROP INDEX surveys_external;
CREATE UNIQUE INDEX surveys_external ON surveys (external_id, account_id);
DROP INDEX transactions_external;
CREATE UNIQUE INDEX transactions_external ON transactions (external_id, account_id);
