-- The sum of the absolute values of each money column that kam adds up, kept by triggers
-- on every write path (API, import, bulk, demo, copy). kam refuses a write that would take
-- one past its cap (src/kam/money.h), so no sum of a subset of those values (an account,
-- a month, a portfolio, a KPI window) can overflow a 64-bit integer. Statement triggers
-- with transition tables: a bulk insert updates the counter once, not once a row.
CREATE TABLE money_totals (
	name TEXT PRIMARY KEY,
	abs_total BIGINT NOT NULL
);
INSERT INTO money_totals (name, abs_total)
	SELECT 'transactions', least(coalesce(sum(abs(amount_base)), 0), 9000000000000000000)::bigint FROM transactions;
INSERT INTO money_totals (name, abs_total)
	SELECT 'opportunities', least(coalesce(sum(abs(amount)), 0), 9000000000000000000)::bigint FROM opportunities;
INSERT INTO money_totals (name, abs_total)
	SELECT 'potential', least(coalesce(sum(abs(potential_annual_spend)), 0), 9000000000000000000)::bigint FROM accounts;

-- TG_ARGV: the counter's name, the column
CREATE FUNCTION money_total_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	delta numeric := 0;
	part numeric;
BEGIN
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		EXECUTE format('SELECT coalesce(sum(abs(%I)), 0) FROM new_rows', TG_ARGV[1]) INTO part;
		delta := delta + part;
	END IF;
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		EXECUTE format('SELECT coalesce(sum(abs(%I)), 0) FROM old_rows', TG_ARGV[1]) INTO part;
		delta := delta - part;
	END IF;
	IF delta <> 0 THEN
		UPDATE money_totals SET abs_total = (abs_total + delta)::bigint WHERE name = TG_ARGV[0];
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER money_tx_ins AFTER INSERT ON transactions REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('transactions', 'amount_base');
CREATE TRIGGER money_tx_del AFTER DELETE ON transactions REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('transactions', 'amount_base');
CREATE TRIGGER money_tx_upd AFTER UPDATE ON transactions
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('transactions', 'amount_base');
CREATE TRIGGER money_opp_ins AFTER INSERT ON opportunities REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('opportunities', 'amount');
CREATE TRIGGER money_opp_del AFTER DELETE ON opportunities REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('opportunities', 'amount');
CREATE TRIGGER money_opp_upd AFTER UPDATE ON opportunities
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('opportunities', 'amount');
CREATE TRIGGER money_pot_ins AFTER INSERT ON accounts REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('potential', 'potential_annual_spend');
CREATE TRIGGER money_pot_del AFTER DELETE ON accounts REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('potential', 'potential_annual_spend');
CREATE TRIGGER money_pot_upd AFTER UPDATE ON accounts
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION money_total_add('potential', 'potential_annual_spend');
