#!/usr/bin/env bash
# Import speed on PostgreSQL: `kam import transactions` of the same ERP-style CSV as
# bench/import.sh into the demo data on a throwaway cluster (scripts/pgtmp), beside the
# reference in the same run: psql's `\copy` of the same file into a plain table, and into
# a table with kam's three indexes. New transactions go in by COPY (PQputCopyData) since
# issue 20; KAM_BEFORE=/path/to/older/kam measures an older binary in the same run, on its
# own database of the same cluster.
#   bench/import-pg.sh              200,000 rows (BENCH_ROWS to change)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_ROWS:-200000}
. bench/lib.sh
bench_tmp import-pg

pg_start
BINDIR=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin | sort -V | tail -n 1)
dburl() { echo "${PGURL%/kam}/$1"; }

for db in after before ref; do pgadmin "CREATE DATABASE $db OWNER kam"; done
"$KAM" demo --db "$(dburl after)" >/dev/null 2>&1
psql -q "$(dburl after)" -At -c "SELECT name FROM accounts ORDER BY id" >"$T/accounts"
psql -q "$(dburl after)" -At -c "SELECT name FROM products ORDER BY id" >"$T/products"
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

# timed (bench/lib.sh): cpu is the client's own: for kam its parsing and checks, without
# what the server does for it
row() { # label "wall cpu" "reference-wall reference-cpu"
	local wall cpu rwall
	read -r wall cpu <<<"$2"
	read -r rwall _ <<<"$3"
	printf '  %-58s %7.2f s %6.2f s %8.0f rows/s  %6.2f×\n' "$1" "$wall" "$cpu" "$(echo "$N / $wall" | bc -l)" "$(echo "$rwall / $wall" | bc -l)"
}

AFTER=$(timed "$KAM" import transactions "$T/tx.csv" --db "$(dburl after)")
AGAIN=$(timed "$KAM" import transactions "$T/tx.csv" --db "$(dburl after)")
if [ -n "${KAM_BEFORE:-}" ]; then
	"$KAM_BEFORE" demo --db "$(dburl before)" >/dev/null 2>&1
	BEFORE=$(timed "$KAM_BEFORE" import transactions "$T/tx.csv" --db "$(dburl before)")
	BEFORE_AGAIN=$(timed "$KAM_BEFORE" import transactions "$T/tx.csv" --db "$(dburl before)")
fi
ROWS=$(psql -q "$(dburl after)" -At -c "SELECT count(*) FROM transactions WHERE external_id LIKE 'B-%'")
ROLLUP=$(psql -q "$(dburl after)" -At -c "SELECT (SELECT sum(transactions) FROM revenue_monthly) = (SELECT count(*) FROM transactions)")

COLS="external_id TEXT, account TEXT, product TEXT, booked_on TEXT, amount TEXT, currency TEXT"
psql -q "$(dburl ref)" -c "CREATE TABLE plain ($COLS)" -c "CREATE TABLE idx ($COLS)" \
	-c "CREATE UNIQUE INDEX idx_ext ON idx (external_id)" -c "CREATE INDEX idx_acc ON idx (account, booked_on)" \
	-c "CREATE INDEX idx_booked ON idx (booked_on, account, amount)"
PLAIN=$(timed psql -q "$(dburl ref)" -c "\\copy plain FROM '$T/tx.csv' WITH (FORMAT csv, HEADER true)")
IDX=$(timed psql -q "$(dburl ref)" -c "\\copy idx FROM '$T/tx.csv' WITH (FORMAT csv, HEADER true)")

echo
echo "import of $N transactions on PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}'), $(nproc) cores; × = rows/s as a share of psql's \\copy into a plain table"
printf '  %-58s %9s %8s  %13s\n' "" "wall" "CPU" "rows/s (wall)"
if [ -n "${KAM_BEFORE:-}" ]; then
	row "kam before: import transactions (new rows)" "$BEFORE" "$PLAIN"
	row "kam before: the same file again (all unchanged)" "$BEFORE_AGAIN" "$PLAIN"
fi
row "kam import transactions (new rows, checked, rollup kept)" "$AFTER" "$PLAIN"
row "kam import of the same file again (all unchanged)" "$AGAIN" "$PLAIN"
row "psql \\copy into a plain table (reference)" "$PLAIN" "$PLAIN"
row "psql \\copy into a table with kam's three indexes" "$IDX" "$PLAIN"
echo "  rows stored by kam: $ROWS; rollup equals the rows: $([ "$ROLLUP" = t ] && echo yes || echo NO)"
echo "  load average at the end: $(loadavg)"
