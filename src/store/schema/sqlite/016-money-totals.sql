-- The sum of the absolute values of each money column that kam adds up, kept by triggers
-- on every write path (API, import, bulk, demo, copy). kam refuses a write that would take
-- one past its cap (src/kam/money.h), so no sum of a subset of those values (an account,
-- a month, a portfolio, a KPI window) can overflow a 64-bit integer.
CREATE TABLE money_totals (
	name TEXT PRIMARY KEY,
	abs_total INTEGER NOT NULL
);
-- total() is a float and never overflows, even over data stored before the caps existed
INSERT INTO money_totals (name, abs_total)
	SELECT 'transactions', CAST(min(total(abs(amount_base)), 9.0e18) AS INTEGER) FROM transactions;
INSERT INTO money_totals (name, abs_total)
	SELECT 'opportunities', CAST(min(total(abs(amount)), 9.0e18) AS INTEGER) FROM opportunities;
INSERT INTO money_totals (name, abs_total)
	SELECT 'potential', CAST(min(total(abs(potential_annual_spend)), 9.0e18) AS INTEGER) FROM accounts;

CREATE TRIGGER money_tx_ins AFTER INSERT ON transactions BEGIN
	UPDATE money_totals SET abs_total = abs_total + abs(NEW.amount_base) WHERE name = 'transactions';
END;
CREATE TRIGGER money_tx_del AFTER DELETE ON transactions BEGIN
	UPDATE money_totals SET abs_total = abs_total - abs(OLD.amount_base) WHERE name = 'transactions';
END;
CREATE TRIGGER money_tx_upd AFTER UPDATE OF amount_base ON transactions BEGIN
	UPDATE money_totals SET abs_total = abs_total - abs(OLD.amount_base) + abs(NEW.amount_base)
		WHERE name = 'transactions';
END;
CREATE TRIGGER money_opp_ins AFTER INSERT ON opportunities BEGIN
	UPDATE money_totals SET abs_total = abs_total + abs(NEW.amount) WHERE name = 'opportunities';
END;
CREATE TRIGGER money_opp_del AFTER DELETE ON opportunities BEGIN
	UPDATE money_totals SET abs_total = abs_total - abs(OLD.amount) WHERE name = 'opportunities';
END;
CREATE TRIGGER money_opp_upd AFTER UPDATE OF amount ON opportunities BEGIN
	UPDATE money_totals SET abs_total = abs_total - abs(OLD.amount) + abs(NEW.amount)
		WHERE name = 'opportunities';
END;
CREATE TRIGGER money_pot_ins AFTER INSERT ON accounts BEGIN
	UPDATE money_totals SET abs_total = abs_total + abs(coalesce(NEW.potential_annual_spend, 0))
		WHERE name = 'potential';
END;
CREATE TRIGGER money_pot_del AFTER DELETE ON accounts BEGIN
	UPDATE money_totals SET abs_total = abs_total - abs(coalesce(OLD.potential_annual_spend, 0))
		WHERE name = 'potential';
END;
CREATE TRIGGER money_pot_upd AFTER UPDATE OF potential_annual_spend ON accounts BEGIN
	UPDATE money_totals SET abs_total = abs_total - abs(coalesce(OLD.potential_annual_spend, 0))
		+ abs(coalesce(NEW.potential_annual_spend, 0)) WHERE name = 'potential';
END;
