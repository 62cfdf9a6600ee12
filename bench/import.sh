#!/usr/bin/env bash
# Import speed: `kam import transactions` of an ERP-style CSV (account and product by name,
# amounts like 1,054.00, an external id per row) into the demo database, beside the
# reference in the same run: the sqlite3 shell's `.import` of the same file into a plain
# table (no checks, no lookups), and into a table with the same indexes as kam's.
#   bench/import.sh                 1,000,000 rows (BENCH_ROWS to change)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_ROWS:-1000000}
KAM=${KAM_BIN:-./kam}
T=$(mktemp -d /tmp/kam-import.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

"$KAM" demo --db "$T/kam.db" >/dev/null 2>&1
sqlite3 "$T/kam.db" "SELECT name FROM accounts ORDER BY id" >"$T/accounts"
sqlite3 "$T/kam.db" "SELECT name FROM products ORDER BY id" >"$T/products"
echo "bench: writing $N rows"
awk -v n="$N" -v accf="$T/accounts" -v prodf="$T/products" 'BEGIN {
	srand(7)
	while ((getline l < accf) > 0) acc[na++] = l
	while ((getline l < prodf) > 0) prod[np++] = l
	print "external_id,account,product,booked_on,amount,currency"
	for (i = 0; i < n; i++) {
		a = int(rand() * 99999); c = int(rand() * 100)
		printf "B-%d,%s,%s,2026-%02d-%02d,\"%d,%03d.%02d\",EUR\n", i, acc[int(rand() * na)],
			prod[int(rand() * np)], 1 + int(rand() * 10), 1 + int(rand() * 28),
			int(a / 1000), a % 1000, c
	}
}' >"$T/tx.csv"
SIZE=$(du -m "$T/tx.csv" | cut -f1)

rate() { awk -v n="$N" -v s="$1" 'BEGIN { printf "%8.0f rows/s", n / s }'; }
secs() { local s; s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }

KAM_S=$(secs "$KAM" import transactions "$T/tx.csv" --db "$T/kam.db")
AGAIN_S=$(secs "$KAM" import transactions "$T/tx.csv" --db "$T/kam.db")
ROWS=$(sqlite3 "$T/kam.db" "SELECT count(*) FROM transactions WHERE external_id LIKE 'B-%'")
ROLLUP=$(sqlite3 "$T/kam.db" "SELECT (SELECT sum(transactions) FROM revenue_monthly) = (SELECT count(*) FROM transactions)")

sqlite3 "$T/plain.db" "CREATE TABLE t (external_id TEXT, account TEXT, product TEXT, booked_on TEXT, amount TEXT, currency TEXT)"
PLAIN_S=$(secs sqlite3 "$T/plain.db" ".mode csv" ".import --skip 1 $T/tx.csv t")
sqlite3 "$T/idx.db" "CREATE TABLE t (external_id TEXT, account TEXT, product TEXT, booked_on TEXT, amount TEXT, currency TEXT);
CREATE UNIQUE INDEX t_ext ON t (external_id); CREATE INDEX t_acc ON t (account, booked_on);
CREATE INDEX t_booked ON t (booked_on, account, amount);"
IDX_S=$(secs sqlite3 "$T/idx.db" ".mode csv" ".import --skip 1 $T/tx.csv t")

echo
echo "import of $N transactions ($SIZE MB CSV) on $(nproc) cores, $(sqlite3 --version | cut -d' ' -f1) shell as the reference"
printf '  %-58s %7.2f s  %s\n' "kam import transactions (new rows, checked, rollup kept)" "$KAM_S" "$(rate "$KAM_S")"
printf '  %-58s %7.2f s  %s\n' "kam import of the same file again (all unchanged)" "$AGAIN_S" "$(rate "$AGAIN_S")"
printf '  %-58s %7.2f s  %s\n' "sqlite3 .import into a plain table (reference)" "$PLAIN_S" "$(rate "$PLAIN_S")"
printf '  %-58s %7.2f s  %s\n' "sqlite3 .import into a table with kam's three indexes" "$IDX_S" "$(rate "$IDX_S")"
echo "  rows stored by kam: $ROWS; rollup equals the rows: $([ "$ROLLUP" = 1 ] && echo yes || echo NO)"

# Accounts: each new account used to be ranked among all the others as it was written (a
# quadratic import: 12,000 rows took 28 s); now the portfolio is ranked once per run. A
# tenth of the file beside the whole shows whether rows/s holds as the file grows.
NA=${BENCH_ACCOUNTS:-100000}
awk -v n="$NA" 'BEGIN {
	srand(11)
	print "name,industry,country,status,strategic_importance,growth_potential,industry_influence,potential_annual_spend"
	for (i = 0; i < n; i++)
		printf "Bench Account %d,Industry %d,DE,active,%d,%d,%d,%d\n", i, i % 40,
			1 + int(rand() * 5), 1 + int(rand() * 5), 1 + int(rand() * 5), 1000 + int(rand() * 900000)
}' >"$T/accounts.csv"
head -n $((NA / 10 + 1)) "$T/accounts.csv" >"$T/accounts-tenth.csv"
"$KAM" demo --db "$T/acc10.db" >/dev/null 2>&1
"$KAM" demo --db "$T/acc.db" >/dev/null 2>&1
ACC10_S=$(secs "$KAM" import accounts "$T/accounts-tenth.csv" --db "$T/acc10.db")
ACC_S=$(secs "$KAM" import accounts "$T/accounts.csv" --db "$T/acc.db")
ACC_ROWS=$(sqlite3 "$T/acc.db" "SELECT count(*) FROM accounts WHERE name LIKE 'Bench Account %' AND score IS NOT NULL")
sqlite3 "$T/accplain.db" "CREATE TABLE t (name TEXT, industry TEXT, country TEXT, status TEXT, s INT, g INT, i INT, p INT)"
ACCPLAIN_S=$(secs sqlite3 "$T/accplain.db" ".mode csv" ".import --skip 1 $T/accounts.csv t")
arate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%8.0f rows/s", n / s }'; }
echo
echo "import of $NA accounts (each scored and ranked, owner, audit)"
printf '  %-58s %7.2f s  %s\n' "kam import accounts, $((NA / 10)) rows" "$ACC10_S" "$(arate $((NA / 10)) "$ACC10_S")"
printf '  %-58s %7.2f s  %s\n' "kam import accounts, $NA rows" "$ACC_S" "$(arate "$NA" "$ACC_S")"
printf '  %-58s %7.2f s  %s\n' "sqlite3 .import of the same $NA rows (reference)" "$ACCPLAIN_S" "$(arate "$NA" "$ACCPLAIN_S")"
echo "  accounts stored and scored by kam: $ACC_ROWS"
