-- KPIs sum the transactions of partial months at a period's edges by day: a covering index
-- answers that from the index alone, without a table lookup per transaction.
DROP INDEX transactions_booked;
CREATE INDEX transactions_booked ON transactions (booked_on, account_id, amount_base);
