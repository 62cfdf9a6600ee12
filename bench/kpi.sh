#!/usr/bin/env bash
# Portfolio KPIs, health, alert evaluation and memory at scale, each beside a reference in
# the same run: the same NRR by plain SQL in the sqlite3 shell over the raw transactions,
# and by DuckDB (in memory) over the same raw rows.
#   bench/kpi.sh                       10,000 accounts, 100,000 contacts, BENCH_TRANSACTIONS
#   BENCH_TRANSACTIONS=10000000 bench/kpi.sh      (default 1,000,000; 10M takes minutes)
#   BENCH_DB=/tmp/kpi10m.db …                     keeps the generated data for the next run
#   KAM_MALLOC=default …                          glibc's own heap settings, to compare
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_TRANSACTIONS:-1000000}
. bench/lib.sh
bench_tmp kpi

[ -d bench/node_modules/@duckdb ] || (cd bench && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

S=$(date +%s.%N)
# BENCH_DB=FILE keeps the generated database there and starts from a copy of it next time,
# so runs can be repeated without minutes of generating at 10M; the bench writes only to its copy
bench_data "$T/kam.db" "$KAM" "$N" "bench: generating 10,000 accounts, 100,000 contacts, $N transactions" \
	"bench: copying ${BENCH_DB:-} (10,000 accounts, 100,000 contacts, $N transactions)"
GEN=$(echo "$(date +%s.%N) - $S" | bc)
kam_start "$KAM" "$T/kam.db" "$T/out" "$T/log"
TOK=$(kam_token "$KAM" "$T/kam.db")

# the last twelve whole months, and the twelve before
TO=$(date -u +%Y-%m-01)
FROM=$(date -u -d "$TO -12 months" +%Y-%m-%d)
PFROM=$(date -u -d "$FROM -$(( ( $(date -u -d "$TO" +%s) - $(date -u -d "$FROM" +%s) ) / 86400 )) days" +%Y-%m-%d)

ms() { curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOK" "$@" | awk '{printf "%.1f", $1 * 1000}'; }

COLD=$(ms "$URL/api/v1/kpis?from=$FROM&to=$TO")
# computed: a different twelve-month period each time (month by month back), so no answer
# is cached; and periods that start mid-month, which read the partial months' transactions
COMPUTED=$(kpi_periods "$FROM" "$TO" months | while read -r p; do ms "$URL$p"; echo; done | median)
MIDMONTH=$(kpi_periods "$FROM" "$TO" midmonth | while read -r p; do ms "$URL$p"; echo; done | median)
WARM=$(for _ in $(seq 15); do ms "$URL/api/v1/kpis?from=$FROM&to=$TO"; echo; done | median)
KAM_NRR=$(curl -s -H "Authorization: Bearer $TOK" "$URL/api/v1/kpis?from=$FROM&to=$TO" | python3 -c 'import json,sys; k=json.load(sys.stdin)["kpis"]["nrr"]; print(k["value"], k["numerator"], k["denominator"])')
HEALTH=$(for i in $(seq 15); do ms "$URL/api/v1/accounts/$i/health"; echo; done | median)
# a plan with three objectives measured from data (revenue, NRR, NPS of its account) beside
# the same plan with three plain objectives: what measuring costs a plan read
post() { curl -s -XPOST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$URL/api/v1/$1" -d "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
PLAN_M=$(post plans '{"account_id":1,"title":"bench measured","period_start":"'"$FROM"'","period_end":"'"$TO"'","status":"draft"}')
PLAN_P=$(post plans '{"account_id":2,"title":"bench plain","period_start":"'"$FROM"'","period_end":"'"$TO"'","status":"draft"}')
for m in revenue nrr nps; do
	post objectives '{"plan_id":'"$PLAN_M"',"title":"'$m'","measure":"'$m'","target":1}' >/dev/null
	post objectives '{"plan_id":'"$PLAN_P"',"title":"'$m'","target":1}' >/dev/null
done
PLAN_MS=$(for _ in $(seq 15); do ms "$URL/api/v1/plans/$PLAN_M"; echo; done | median)
PLAN_PS=$(for _ in $(seq 15); do ms "$URL/api/v1/plans/$PLAN_P"; echo; done | median)
ALERTS=$(curl -s -XPOST -H "Authorization: Bearer $TOK" "$URL/api/v1/alerts/evaluate" | python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["ms"])')
ALERTS2=$(curl -s -XPOST -H "Authorization: Bearer $TOK" "$URL/api/v1/alerts/evaluate" | python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["ms"])')
RSS=$(peak_rss "$PID")

# the cohort as kam counts it (README, "inferred" lifecycle dates): an account without a
# stated acquisition was acquired on the first day of its first month with revenue; one
# without a stated churn was lost on the first day after its last month with revenue once
# churn_after_months (12 here) have passed since, unless acquired after it
TODAY=$(date -u +%Y-%m-%d)
CHURN=12
NRR_SQL="WITH mon AS (SELECT account_id, substr(booked_on, 1, 7) AS m, sum(amount_base) AS s FROM transactions GROUP BY 1, 2),
span AS (SELECT account_id, min(m) AS first, max(CASE WHEN s <> 0 THEN m END) AS last FROM mon GROUP BY account_id),
life AS (SELECT a.id, coalesce(a.acquired_on, span.first || '-01') AS acq, a.churned_on,
  date(span.last || '-01', '+1 month') AS after FROM accounts a LEFT JOIN span ON span.account_id = a.id),
life2 AS (SELECT id, acq, coalesce(churned_on, CASE WHEN after IS NOT NULL AND date(after, '+$CHURN months') <= '$TODAY'
  AND after > coalesce(acq, '') THEN after END) AS churn FROM life),
cohort AS (SELECT id FROM life2 WHERE acq < '$FROM' AND (churn IS NULL OR churn >= '$FROM')),
r AS (SELECT t.account_id, sum(CASE WHEN t.booked_on >= '$FROM' AND t.booked_on < '$TO' THEN t.amount_base ELSE 0 END) AS cur,
  sum(CASE WHEN t.booked_on >= '$PFROM' AND t.booked_on < '$FROM' THEN t.amount_base ELSE 0 END) AS prev
  FROM transactions t JOIN cohort ON cohort.id = t.account_id GROUP BY t.account_id)
SELECT sum(cur) * 1.0 / sum(prev), sum(cur), sum(prev) FROM r;"
S=$(date +%s.%N)
SQL_NRR=$(sqlite3 -separator ' ' "$T/kam.db" "$NRR_SQL")
SQLITE_MS=$(echo "($(date +%s.%N) - $S) * 1000" | bc | awk '{printf "%.0f", $1}')

sqlite3 -header -csv "$T/kam.db" "SELECT id, acquired_on, churned_on FROM accounts" >"$T/accounts.csv"
sqlite3 -header -csv "$T/kam.db" "SELECT account_id, booked_on, amount_base FROM transactions" >"$T/transactions.csv"
DUCK=$(node bench/duckdb-nrr.mjs "$T/accounts.csv" "$T/transactions.csv" "$FROM" "$TO" "$PFROM" 5 "$TODAY" "$CHURN")
DUCK_MS=$(echo "$DUCK" | python3 -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["median_ms"])')
DUCK_NRR=$(echo "$DUCK" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["nrr"], d["num"], d["den"])')

echo
echo "10,000 accounts, 100,000 contacts, $N transactions (${HOW} in ${GEN%.*} s); period $FROM to $TO"
printf '%-58s %12s\n' "what" "ms"
printf '%-58s %12s\n' "kam GET /api/v1/kpis, portfolio, cold (first request)" "$COLD"
printf '%-58s %12s\n' "kam GET /api/v1/kpis, other 12-month periods (median of 15)" "$COMPUTED"
printf '%-58s %12s\n' "kam GET /api/v1/kpis, periods starting mid-month (median of 5)" "$MIDMONTH"
printf '%-58s %12s\n' "kam GET /api/v1/kpis, portfolio, repeated (cached, median)" "$WARM"
printf '%-58s %12s\n' "  reference: sqlite3 shell, NRR by plain SQL on raw rows" "$SQLITE_MS"
printf '%-58s %12s\n' "  reference: DuckDB in memory, NRR on the same raw rows" "$DUCK_MS"
printf '%-58s %12s\n' "kam GET /api/v1/accounts/{id}/health (median of 15)" "$HEALTH"
printf '%-58s %12s\n' "kam GET /api/v1/plans/{id}, 3 measured objectives (median)" "$PLAN_MS"
printf '%-58s %12s\n' "  reference: the same read, 3 plain objectives" "$PLAN_PS"
printf '%-58s %12s\n' "kam alert evaluation, all 10,000 accounts (first, second)" "$ALERTS, $ALERTS2"
echo
echo "NRR  kam: $KAM_NRR"
echo "     sqlite3: $SQL_NRR"
echo "     DuckDB: $DUCK_NRR"
echo "kam peak RSS: $RSS kB"
