#!/usr/bin/env bash
# Health and alerts at 10,000 accounts: `GET /api/v1/accounts/{id}/health` and one alert
# evaluation over every account, beside references in the same run: the single-record
# `GET /api/v1/accounts/{id}` on the same connection (what any authenticated read costs) and
# `/healthz` (the floor). With KAM_BEFORE=path/to/older/kam, that binary is measured too,
# on its own copy of the same database, so before and after share the run.
#   bench/health.sh                    10,000 accounts, 100,000 contacts, BENCH_TRANSACTIONS
#   KAM_BEFORE=/tmp/kam-old bench/health.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_TRANSACTIONS:-1000000}
. bench/lib.sh
bench_tmp health

echo "bench: generating 10,000 accounts, 100,000 contacts, $N transactions"
# made by the older binary when there is one: the newer one then migrates its copy, as an
# upgrade would, and the older one never sees the newer schema
"${KAM_BEFORE:-$KAM}" demo --db "$T/gen.db" --accounts 10000 --contacts 100000 --transactions "$N" >/dev/null 2>&1

# per-request times (ms) of 200 requests on one keep-alive connection: PATH has %d for 1..200
many() {
	local args=() i
	for i in $(seq 1 200); do
		# shellcheck disable=SC2059
		args+=(-o /dev/null -w '%{time_total}\n' "$URL$(printf "$1" "$i")")
	done
	curl -s -H "Authorization: Bearer $TOK" "${args[@]}" | awk '{printf "%.3f\n", $1 * 1000}' | median
}
evaluate() { curl -s -XPOST -H "Authorization: Bearer $TOK" "$URL/api/v1/alerts/evaluate" | python3 -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["ms"])'; }

# start BINARY DB [KAM_NOW]: serves DB; without KAM_NOW, waits for the jobs' first alert run
# (at start-up: the one that opens them all). With it, the jobs' alerts lease is still held
# by the server before, so only the evaluation asked for runs.
start() {
	local ready=alerts
	if [ -n "${3:-}" ]; then ready=""; fi
	# the jobs run once at start-up and not again while the figures are taken (they would add
	# their own run to the CPU and faults counted)
	KAM_JOB_INTERVAL=3600 KAM_NOW=${3:-} kam_start "$1" "$2" "$T/out" "$T/log" "$ready"
	TOK=$(kam_token "$1" "$2")
}
# the server's minor page faults, and its CPU time in ms (every thread), so far
faults() { awk '{print $10}' "/proc/$PID/stat"; }
cpu_ms() { cat /proc/"$PID"/task/*/schedstat | awk '{s += $1} END {printf "%.0f", s / 1e6}'; }
jobrun() { grep -o 'alerts: [^"]* in [0-9.]* ms' "$T/log" | head -1 | sed 's/.* in \([0-9.]*\) ms/\1/'; }

# measure NAME BINARY: prints one row per figure into $T/NAME
measure() {
	local name=$1 bin=$2
	cp "$T/gen.db" "$T/$name.db"
	start "$bin" "$T/$name.db"
	{
		echo "first $(jobrun)"
		echo "health $(many '/api/v1/accounts/%d/health')"
		echo "account $(many '/api/v1/accounts/%d')"
		echo "healthz $(many '/healthz?%d')"
		local f0 c0 again
		f0=$(faults)
		c0=$(cpu_ms)
		again=$(for _ in 1 2 3 4 5; do evaluate; done | median)
		echo "again $again"
		echo "again_faults $(( ($(faults) - f0) / 5 ))"
		echo "again_cpu $(( ($(cpu_ms) - c0) / 5 ))"
	} >"$T/$name"
	kam_stop "$PID"
	# the next day: every account gets a new snapshot, most alerts new evidence
	start "$bin" "$T/$name.db" "$(date -u -d tomorrow +%Y-%m-%dT%H:%M:%SZ)"
	echo "nextday $(evaluate)" >>"$T/$name"
	kam_stop "$PID"
}

measure after "$KAM"
[ -n "${KAM_BEFORE:-}" ] && measure before "$KAM_BEFORE"

get() { awk -v k="$2" '$1 == k {print $2}' "$T/$1"; }
row() { # label key
	local a b
	a=$(get after "$2")
	if [ -n "${KAM_BEFORE:-}" ]; then
		b=$(get before "$2")
		printf '  %-52s %10s %10s %8s\n' "$1" "$b" "$a" "$(awk -v a="$a" -v b="$b" 'BEGIN {if (a > 0) printf "%.1f×", b / a; else printf "-"}')"
	else
		printf '  %-52s %10s\n' "$1" "$a"
	fi
}
echo
echo "10,000 accounts, 100,000 contacts, $N transactions; ms, median (one keep-alive connection)"
if [ -n "${KAM_BEFORE:-}" ]; then
	printf '  %-52s %10s %10s %8s\n' "" "before" "after" "speed-up"
fi
row "GET /api/v1/accounts/{id}/health (200 accounts)" health
row "  reference: GET /api/v1/accounts/{id}, same run" account
row "  reference: GET /healthz, same run" healthz
row "alert evaluation, all accounts: first (opens them all)" first
row "alert evaluation: again, nothing changed (median of 5)" again
row "  its server's CPU ms (mean of the 5)" again_cpu
row "  its server's minor page faults (mean of the 5)" again_faults
row "alert evaluation: the next day (KAM_NOW + 1 day)" nextday
A_H=$(get after health)
A_G=$(get after account)
echo "health / single-record GET: $(awk -v h="$A_H" -v g="$A_G" 'BEGIN {printf "%.1f", h / g}')× (target: health ≤ 2 ms; alerts ≤ 200 ms)"
