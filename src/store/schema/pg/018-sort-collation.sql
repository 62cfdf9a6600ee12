-- Text that kam sorts by compares bytewise, as SQLite's BINARY does: on a database whose
-- locale is not C (an ICU or glibc locale), tags, product families and opportunity stages
-- came back in another order than on SQLite ('b' before 'B', 'alpha-2' before 'Beta'), and a
-- keyset page sorted by stage followed the locale. tests/pg/schema.test.mjs checks every
-- sorted text column has COLLATE "C". Only the indexes on these columns are rebuilt.
ALTER TABLE accounts_tags ALTER COLUMN tag TYPE TEXT COLLATE "C";
ALTER TABLE opportunities ALTER COLUMN stage TYPE TEXT COLLATE "C";
ALTER TABLE products ALTER COLUMN family TYPE TEXT COLLATE "C";
