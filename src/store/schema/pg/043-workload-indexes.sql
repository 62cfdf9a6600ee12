-- The KAM workload (GET /api/v1/kams/workload, the dashboard's panel) counts each KAM's
-- accounts, key accounts and open actions, grouped by owner. The accounts were read from
-- the table for their tier and status: with them in the owner index the counts can be
-- read from it alone (an index-only scan where the table's pages are all-visible). The
-- actions' index carries their due day the same way. Both keep their key columns, so
-- every other use of them stays (docs/performance.md, "The KAM workload").
DROP INDEX accounts_owner;
CREATE INDEX accounts_owner ON accounts (owner_id, id) INCLUDE (tier, status);
DROP INDEX actions_owner;
CREATE INDEX actions_owner ON actions (owner_id, status) INCLUDE (due_on);
