#!/usr/bin/env bash
# Import speed: `kam import transactions` of an ERP-style CSV (account and product by name,
# amounts like 1,054.00, an external id per row) into the demo database, beside the
# reference in the same run: the sqlite3 shell's `.import` of the same file into a plain
# table (no checks, no lookups), and into a table with the same indexes as kam's.
#   bench/import.sh                 1,000,000 rows (BENCH_ROWS to change)
#   KAM_BEFORE=/tmp/kam-old bench/import.sh    also an older binary, in the same run
#   BENCH_ACCOUNTS="3000 12000 100000"          the account file sizes (the default; none: skip)
# Each row: wall seconds, CPU seconds (user + system: what the machine's other load moves
# least), rows/s, and rows/s as a share of the shell's `.import` into a plain table.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_ROWS:-1000000}
. bench/lib.sh
bench_tmp import

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

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%8.0f rows/s", n / s }'; }
# row LABEL ROWS "WALL CPU" "REF_WALL REF_CPU": one printed line, the ratios against the
# reference by wall time and by CPU time (the second moves less on a shared machine)
row() {
	local wall cpu rwall rcpu
	read -r wall cpu <<<"$3"
	read -r rwall rcpu <<<"$4"
	printf '  %-56s %7.2f s %7.2f s  %s  %6.2f×  %6.2f×\n' "$1" "$wall" "$cpu" "$(rate "$2" "$wall")" \
		"$(awk -v r="$rwall" -v w="$wall" 'BEGIN { print r / w }')" \
		"$(awk -v r="$rcpu" -v w="$cpu" 'BEGIN { print (w > 0 ? r / w : 0) }')"
}

kam_tx() { # BINARY NAME: a first import and the same file again into a copy of the demo
	cp "$T/kam.db" "$T/$2.db"
	timed "$1" import transactions "$T/tx.csv" --db "$T/$2.db" >"$T/$2.first"
	timed "$1" import transactions "$T/tx.csv" --db "$T/$2.db" >"$T/$2.again"
}
kam_tx "$KAM" after
[ -n "${KAM_BEFORE:-}" ] && kam_tx "$KAM_BEFORE" before
ROWS=$(sqlite3 "$T/after.db" "SELECT count(*) FROM transactions WHERE external_id LIKE 'B-%'")
ROLLUP=$(sqlite3 "$T/after.db" "SELECT (SELECT sum(transactions) FROM revenue_monthly) = (SELECT count(*) FROM transactions)")

COLS="external_id TEXT, account TEXT, product TEXT, booked_on TEXT, amount TEXT, currency TEXT"
IDX="CREATE UNIQUE INDEX t_ext ON t (external_id); CREATE INDEX t_acc ON t (account, booked_on);
CREATE INDEX t_booked ON t (booked_on, account, amount);"
sqlite3 "$T/plain.db" "CREATE TABLE t ($COLS)"
PLAIN=$(timed sqlite3 "$T/plain.db" ".mode csv" ".import --skip 1 $T/tx.csv t")
sqlite3 "$T/idx.db" "CREATE TABLE t ($COLS); $IDX"
IDX_T=$(timed sqlite3 "$T/idx.db" ".mode csv" ".import --skip 1 $T/tx.csv t")
# the indexes built after the load, in bulk (sorted once), rather than row by row
sqlite3 "$T/bulk.db" "CREATE TABLE t ($COLS)"
timed sqlite3 "$T/bulk.db" ".mode csv" ".import --skip 1 $T/tx.csv t" >"$T/bulk1"
timed sqlite3 "$T/bulk.db" "$IDX" >"$T/bulk2"
BULK=$(cat "$T/bulk1" "$T/bulk2" | awk '{ w += $1; c += $2 } END { printf "%.2f %.2f", w, c }')

echo
echo "import of $N transactions ($SIZE MB CSV) on $(nproc) cores, $(sqlite3 --version | cut -d' ' -f1) shell as the reference"
printf '  %-56s %9s %9s  %15s  %7s  %7s\n' "" "wall" "CPU" "rows/s (wall)" "× plain" "(CPU)"
if [ -n "${KAM_BEFORE:-}" ]; then
	row "kam before: import transactions (new rows, checked)" "$N" "$(cat "$T/before.first")" "$PLAIN"
	row "kam before: the same file again (all unchanged)" "$N" "$(cat "$T/before.again")" "$PLAIN"
fi
row "kam import transactions (new rows, checked, rollup kept)" "$N" "$(cat "$T/after.first")" "$PLAIN"
row "kam import of the same file again (all unchanged)" "$N" "$(cat "$T/after.again")" "$PLAIN"
row "sqlite3 .import into a plain table (reference)" "$N" "$PLAIN" "$PLAIN"
row "sqlite3 .import into a table with kam's three indexes" "$N" "$IDX_T" "$PLAIN"
row "sqlite3 .import into a plain table, then the 3 indexes" "$N" "$BULK" "$PLAIN"
echo "  rows stored by kam: $ROWS; rollup equals the rows: $([ "$ROLLUP" = 1 ] && echo yes || echo NO)"
echo "  load average at the end: $(loadavg)"
[ "${BENCH_ACCOUNTS:-}" = none ] && exit 0

# Accounts: each new account used to be ranked among all the others as it was written (a
# quadratic import: 12,000 rows took 28 s); then the portfolio was ranked once per run, but
# that ranking counted every pair of accounts (quadratic again, at the end); now it sorts.
# Several sizes side by side show whether rows/s holds as the file grows.
SIZES=${BENCH_ACCOUNTS:-3000 12000 100000}
MAX=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
awk -v n="$MAX" 'BEGIN {
	srand(11)
	print "name,industry,country,status,strategic_importance,growth_potential,industry_influence,potential_annual_spend"
	for (i = 0; i < n; i++)
		printf "Bench Account %d,Industry %d,DE,active,%d,%d,%d,%d\n", i, i % 40,
			1 + int(rand() * 5), 1 + int(rand() * 5), 1 + int(rand() * 5), 1000 + int(rand() * 900000)
}' >"$T/accounts-all.csv"
echo
echo "import of accounts (each validated, owned, audited; the portfolio scored and ranked once)"
printf '  %-56s %9s %9s  %15s  %7s  %7s\n' "" "wall" "CPU" "rows/s (wall)" "× plain" "(CPU)"
for NA in $SIZES; do
	head -n $((NA + 1)) "$T/accounts-all.csv" >"$T/accounts.csv"
	sqlite3 "$T/accplain-$NA.db" "CREATE TABLE t (name TEXT, industry TEXT, country TEXT, status TEXT, s INT, g INT, i INT, p INT)"
	ACCPLAIN=$(timed sqlite3 "$T/accplain-$NA.db" ".mode csv" ".import --skip 1 $T/accounts.csv t")
	for who in before after; do
		bin=$KAM
		if [ "$who" = before ]; then
			[ -n "${KAM_BEFORE:-}" ] || continue
			bin=$KAM_BEFORE
		fi
		"$bin" demo --db "$T/acc-$who-$NA.db" >/dev/null 2>&1
		ACC=$(timed "$bin" import accounts "$T/accounts.csv" --db "$T/acc-$who-$NA.db")
		label="kam import accounts, $NA rows"
		[ -n "${KAM_BEFORE:-}" ] && label="kam $who: import accounts, $NA rows"
		row "$label" "$NA" "$ACC" "$ACCPLAIN"
	done
	row "  sqlite3 .import of the same $NA rows (reference)" "$NA" "$ACCPLAIN" "$ACCPLAIN"
	echo "  accounts stored and scored by kam: $(sqlite3 "$T/acc-after-$NA.db" "SELECT count(*) FROM accounts WHERE name LIKE 'Bench Account %' AND score IS NOT NULL")"
done
