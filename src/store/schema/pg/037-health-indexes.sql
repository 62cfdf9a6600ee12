-- Issue 20, health and alerts over every account: the influential contacts of each account
-- (count, and how many were contacted lately) read from a small covering index instead of
-- every contact, and the few stakeholders who left or turned found by date instead of by
-- scanning all contacts (store_health_inputs, src/store/health.c).
CREATE INDEX contacts_influential ON contacts (account_id, last_contacted_at) WHERE influence >= 4;
CREATE INDEX contacts_left ON contacts (left_on) WHERE left_on IS NOT NULL;
CREATE INDEX contacts_attitude_changed ON contacts (attitude_changed_on) WHERE attitude_changed_on IS NOT NULL;
