-- Issue 13: the KAM decides what a client share link shows. An objective or action is
-- internal until someone marks it client_visible; the service KPIs (NPS, SLA) show only on
-- links created with include_kpis. Existing rows stay hidden: nothing leaks by the upgrade.
ALTER TABLE objectives ADD COLUMN client_visible INTEGER NOT NULL DEFAULT 0;
ALTER TABLE actions ADD COLUMN client_visible INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shares ADD COLUMN include_kpis INTEGER NOT NULL DEFAULT 0;
