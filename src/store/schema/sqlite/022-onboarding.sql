-- Issue 15: products carry a list price (minor units of its currency), the default amount of
-- a new opportunity for the product and the value of a white-space cell. Both stay empty for
-- products stored before: nothing is guessed.
ALTER TABLE products ADD COLUMN list_price INTEGER;
ALTER TABLE products ADD COLUMN currency TEXT;
-- A won opportunity booked as revenue (settings.book_won_opportunities, for companies whose
-- only revenue source is their CRM): its transaction names it, once. No foreign key: the
-- booking goes with its opportunity through kam (rollups follow), never by a cascade.
ALTER TABLE transactions ADD COLUMN opportunity_id INTEGER;
CREATE UNIQUE INDEX transactions_opportunity ON transactions (opportunity_id);
