-- The KAM workload (GET /api/v1/kams/workload, the dashboard's panel) counts, per owner,
-- the accounts, the key accounts that are not churned, the open and in-progress actions
-- and those of them past their due day. The accounts were read from the table for their
-- tier and status: accounts_owner now carries them (INCLUDE, its key unchanged, so its
-- other uses stay), and the open actions get an index of their own that carries their due
-- day. The counts are then index-only scans where the pages are all-visible, and the
-- actions' cost follows the open ones, not every action ever done (docs/performance.md,
-- "The KAM workload").
DROP INDEX accounts_owner;
CREATE INDEX accounts_owner ON accounts (owner_id, id) INCLUDE (tier, status);
CREATE INDEX actions_open_owner ON actions (owner_id) INCLUDE (due_on)
	WHERE status IN ('open', 'in_progress');
