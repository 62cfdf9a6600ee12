-- The twin of schema/pg/018-sort-collation.sql, which gives PostgreSQL's sorted text columns
-- COLLATE "C": SQLite already compares text bytewise (BINARY), so nothing changes here; the
-- number keeps both backends at the same schema version.
SELECT 1;
