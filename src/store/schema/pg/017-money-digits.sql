-- Transactions in a currency whose minor unit differs from the base currency's (a JPY row
-- in a EUR installation) were stored with amount_base = amount × rate, as if both had two
-- digits: the yen row counted a hundredth of its worth. amount_base is recomputed with the
-- digits told apart, as money_convert_to (src/kam/money.c) now does, at the rate valid on
-- the booking day (rows without one keep theirs), and the monthly rollups of the accounts
-- concerned are rebuilt from their rows; money_totals follows by its triggers. Codes not
-- listed have two digits (ISO 4217).
CREATE TABLE m017_digits (code TEXT PRIMARY KEY, digits INTEGER NOT NULL);
INSERT INTO m017_digits (code, digits) VALUES
	('BIF', 0), ('BYR', 0), ('CLP', 0), ('DJF', 0), ('GNF', 0), ('ISK', 0), ('JPY', 0), ('KMF', 0),
	('KRW', 0), ('PYG', 0), ('RWF', 0), ('UGX', 0), ('UYI', 0), ('VND', 0), ('VUV', 0), ('XAF', 0),
	('XOF', 0), ('XPF', 0), ('XAG', 0), ('XAU', 0), ('XBA', 0), ('XBB', 0), ('XBC', 0), ('XBD', 0),
	('XDR', 0), ('XPD', 0), ('XPT', 0), ('XSU', 0), ('XTS', 0), ('XUA', 0), ('XXX', 0), ('BHD', 3),
	('IQD', 3), ('JOD', 3), ('KWD', 3), ('LYD', 3), ('OMR', 3), ('TND', 3), ('CLF', 4), ('UYW', 4);
CREATE TABLE m017_base (code TEXT NOT NULL, digits INTEGER NOT NULL);
INSERT INTO m017_base (code, digits)
	SELECT b.code, coalesce((SELECT d.digits FROM m017_digits d WHERE d.code = b.code), 2)
	FROM (SELECT coalesce((SELECT value::jsonb ->> 'base_currency' FROM settings WHERE key = 'main'), 'EUR') AS code) b;
-- per currency whose digits differ from the base's: from its minor units to the base's is
-- × mul / div (one of them 1, the other an exact power of ten)
CREATE TABLE m017_factor (code TEXT PRIMARY KEY, mul BIGINT NOT NULL, div BIGINT NOT NULL);
INSERT INTO m017_factor (code, mul, div)
	SELECT c.currency,
		CASE b.digits - coalesce(d.digits, 2) WHEN 1 THEN 10 WHEN 2 THEN 100 WHEN 3 THEN 1000
			WHEN 4 THEN 10000 ELSE 1 END,
		CASE coalesce(d.digits, 2) - b.digits WHEN 1 THEN 10 WHEN 2 THEN 100 WHEN 3 THEN 1000
			WHEN 4 THEN 10000 ELSE 1 END
	FROM (SELECT DISTINCT currency FROM transactions) c
	CROSS JOIN m017_base b
	LEFT JOIN m017_digits d ON d.code = c.currency
	WHERE c.currency <> b.code AND coalesce(d.digits, 2) <> b.digits;
UPDATE transactions AS t SET amount_base = (
	SELECT round(t.amount::numeric * r.rate::numeric * f.mul / f.div)::bigint
	FROM m017_factor f, (SELECT r.rate FROM fx_rates r
		WHERE r.currency = t.currency AND r.valid_from <= t.booked_on
		ORDER BY r.valid_from DESC LIMIT 1) r WHERE f.code = t.currency)
	WHERE t.currency IN (SELECT code FROM m017_factor) AND EXISTS (SELECT 1 FROM fx_rates r
		WHERE r.currency = t.currency AND r.valid_from <= t.booked_on);
CREATE TABLE m017_accounts (account_id BIGINT PRIMARY KEY);
INSERT INTO m017_accounts (account_id)
	SELECT DISTINCT account_id FROM transactions WHERE currency IN (SELECT code FROM m017_factor);
DELETE FROM revenue_monthly WHERE account_id IN (SELECT account_id FROM m017_accounts);
INSERT INTO revenue_monthly (account_id, product_id, month, amount, transactions)
	SELECT account_id, coalesce(product_id, 0), substr(booked_on, 1, 7), sum(amount_base), count(*)
	FROM transactions WHERE account_id IN (SELECT account_id FROM m017_accounts)
	GROUP BY account_id, coalesce(product_id, 0), substr(booked_on, 1, 7);
DELETE FROM revenue_account_monthly WHERE account_id IN (SELECT account_id FROM m017_accounts);
INSERT INTO revenue_account_monthly (account_id, month, amount, transactions)
	SELECT account_id, month, sum(amount), sum(transactions) FROM revenue_monthly
	WHERE account_id IN (SELECT account_id FROM m017_accounts) GROUP BY account_id, month;
UPDATE settings SET value = 'dirty' WHERE key = 'score_state';
DROP TABLE m017_accounts;
DROP TABLE m017_factor;
DROP TABLE m017_base;
DROP TABLE m017_digits;
