-- The twin of schema/pg/046-settings-version-bump.sql, which makes PostgreSQL's three
-- copies of the versions' trigger function (036, 041, 045) one function that takes the
-- settings key as the trigger's argument: SQLite's triggers have their statement in their own
-- body and no function to share, so nothing changes here; the number keeps both backends at
-- the same schema version.
SELECT 1;
