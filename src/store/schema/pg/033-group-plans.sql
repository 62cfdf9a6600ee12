-- Issue 18, one group plan that the plans of a group's entities link to: group_plan_id is a
-- plan of an ancestor account (checked by the server, src/app/groupplan.c). Deferrable, so a
-- whole-database copy may write an entity plan before the group plan it links to.
ALTER TABLE plans ADD COLUMN group_plan_id BIGINT REFERENCES plans (id) ON DELETE SET NULL DEFERRABLE INITIALLY IMMEDIATE;
CREATE INDEX plans_group_plan ON plans (group_plan_id);
