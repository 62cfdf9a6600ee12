-- Leases: a background job runs on one node at a time; the lease moves when its holder dies.
CREATE TABLE leases (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at BIGINT NOT NULL
);
