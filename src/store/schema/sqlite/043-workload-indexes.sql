-- The KAM workload (GET /api/v1/kams/workload, the dashboard's panel) counts, per owner,
-- the accounts, the key accounts that are not churned, the open and in-progress actions
-- and those of them past their due day. accounts_owner sent every account to the table for
-- its tier and status, and actions_owner every open action for its due day. With tier and
-- status in accounts_owner (after its old columns, so its other uses stay), and the open
-- actions in an index of their own that holds their due day, the counts are read from the
-- two indexes alone; the second holds only open actions, so its cost follows them, not
-- every action ever done (docs/performance.md, "The KAM workload").
DROP INDEX accounts_owner;
CREATE INDEX accounts_owner ON accounts (owner_id, id, tier, status);
CREATE INDEX actions_open_owner ON actions (owner_id, status, due_on)
	WHERE status IN ('open', 'in_progress');
