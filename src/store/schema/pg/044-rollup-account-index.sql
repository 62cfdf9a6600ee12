-- The revenue rollup by account, in account and month order, with the amount: the KPI
-- answers' in-memory rollup is read in this order (so it need not be sorted after the read),
-- and a key account's revenue of some months (the portfolio matrix) can be an index-only
-- scan (docs/performance.md, "The dashboard's cold requests").
CREATE INDEX revenue_account_monthly_account ON revenue_account_monthly (account_id, month) INCLUDE (amount);
