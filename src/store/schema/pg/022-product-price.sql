-- Issue 15: products carry a list price (minor units of its currency), the default amount of
-- a new opportunity for the product and the value of a white-space cell. Both stay empty for
-- products stored before: nothing is guessed.
ALTER TABLE products ADD COLUMN list_price BIGINT;
ALTER TABLE products ADD COLUMN currency TEXT;
