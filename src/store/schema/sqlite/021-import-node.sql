-- Which server took a queued import: when that server dies (kill -9, a crash, a lost
-- machine) before the run ends, another node or its own restart marks the run failed
-- instead of leaving it queued or running for ever.
ALTER TABLE imports ADD COLUMN node TEXT;
CREATE INDEX imports_unfinished ON imports (status) WHERE status IN ('queued', 'running');
