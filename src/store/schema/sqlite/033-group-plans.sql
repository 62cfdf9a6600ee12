-- Issue 18, one group plan that the plans of a group's entities link to: group_plan_id is a
-- plan of an ancestor account (checked by the server, src/app/groupplan.c).
ALTER TABLE plans ADD COLUMN group_plan_id INTEGER REFERENCES plans (id) ON DELETE SET NULL;
CREATE INDEX plans_group_plan ON plans (group_plan_id);
