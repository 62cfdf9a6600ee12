-- Revenue per account and month: what KPIs, scores and health read. The per-product
-- rollup stays for product questions; at 10M transactions it is many times larger.
CREATE TABLE revenue_account_monthly (
	account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	month TEXT NOT NULL,
	amount BIGINT NOT NULL,
	transactions BIGINT NOT NULL,
	PRIMARY KEY (account_id, month)
);
CREATE INDEX revenue_account_monthly_month ON revenue_account_monthly (month, account_id, amount);
INSERT INTO revenue_account_monthly (account_id, month, amount, transactions)
	SELECT account_id, month, sum(amount), sum(transactions) FROM revenue_monthly
	GROUP BY account_id, month;
