#!/usr/bin/env bash
# Single-record GETs on PostgreSQL while slow reports run beside them: wrk on GET
# /api/v1/accounts/1 (64 connections) while two clients ask, one after another, KPI series
# by month never asked before (each computed afresh, tens of ms). A request waiting for the
# shared versions read must not wait for a slow report's thread. Each row is one kam
# binary, run in turn on the same cluster and data; the order is repeated.
#   bench/mixed-pg.sh                               (KAM_BIN=… for another binary)
#   KAM_BEFORE=/tmp/kam-old BENCH_ROUNDS=2 BENCH_SECONDS=10 bench/mixed-pg.sh
# With KAM_BEFORE the rows alternate between that binary (before) and KAM_BIN (after); both
# must know the same migrations, as they share the database.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-2}
. bench/lib.sh
bench_tmp mixed

pg_start
"$KAM" demo --db "$PGURL" --accounts 2000 --contacts 4000 --transactions 200000 >/dev/null 2>&1
TOK=$(kam_token "$KAM" "$PGURL" admin@example.com)

# slow_loop URL OUT: KPI series by month, each starting on another day (so never cached),
# until $T/stop exists; one line per request: its time in ms
slow_loop() {
	local d=0
	while [ ! -e "$T/stop" ]; do
		d=$(((d + 1) % 3000))
		from=$(date -u -d "2023-01-01 + $d days" +%F)
		curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOK" \
			"$1/api/v1/kpis?from=$from&to=2026-01-01&interval=month" | awk '{printf "%.1f\n", $1 * 1000}' >>"$2"
	done
}

# one LABEL BINARY: a fresh server, the mixed load, a line of figures
one() {
	local label=$1 out="$T/wrk.$RANDOM"
	rm -f "$T/stop" "$T/slow.1" "$T/slow.2"
	kam_start "$2" "$PGURL" "$T/k.out" "$T/k.log"
	wrk -t2 -c64 -d2s -H "Authorization: Bearer $TOK" "$URL/api/v1/accounts/1" >/dev/null 2>&1
	slow_loop "$URL" "$T/slow.1" &
	S1=$!
	slow_loop "$URL" "$T/slow.2" &
	S2=$!
	wrk -t2 -c64 -d"${SECS}s" --latency -H "Authorization: Bearer $TOK" "$URL/api/v1/accounts/1" >"$out" 2>&1
	touch "$T/stop"
	wait $S1 $S2
	kam_stop "$PID"
	awk -v label="$label" -v slow="$(cat "$T/slow.1" "$T/slow.2" | median)" -v n="$(cat "$T/slow.1" "$T/slow.2" | wc -l)" -v load="$(loadavg | cut -d' ' -f1)" '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +90%/ { p90 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	END { printf "%-22s %9.0f %8.2f %8.2f %8.2f %8d %9s %6s\n", label, rps, p50, p90, p99, n, slow, load }' "$out"
}

echo "GET /api/v1/accounts/1 under wrk (64 connections, ${SECS}s) while 2 clients ask uncached KPI series by month;"
echo "kam $("$KAM" version 2>/dev/null | head -1), PostgreSQL, 2,000 accounts, 200,000 transactions"
printf "%-22s %9s %8s %8s %8s %8s %9s %6s\n" kam "GET req/s" p50_ms p90_ms p99_ms reports report_ms load
for _ in $(seq "$ROUNDS"); do
	if [ -n "${KAM_BEFORE:-}" ]; then
		one before "$KAM_BEFORE"
		one after "$KAM"
	else
		one kam "$KAM"
	fi
done
echo "reports: KPI series answered during the run; report_ms: their median; load: the 1-minute load average after"
