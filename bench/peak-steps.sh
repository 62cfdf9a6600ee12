#!/usr/bin/env bash
# Where kam's peak RSS is reached (issue 20, row 9): bench/kpi.sh's sequence of requests on
# a fresh server, VmHWM/VmRSS (kB) printed after each step: the start-up (its alert run and
# the KPI rollup's load waited for), the cold /kpis, fifteen other 12-month periods, five
# mid-month periods, fifteen health answers, two alert evaluations. The peak of one sequence
# moves by several MB from run to run, so it runs BENCH_RUNS times (default 3), alternating
# with KAM_BEFORE when given, each on its own copy of the database.
#   BENCH_DB=/tmp/kpi10m.db BENCH_TRANSACTIONS=10000000 bench/peak-steps.sh
#   KAM_BEFORE=/tmp/kam-old BENCH_DB=/tmp/kpi10m.db BENCH_TRANSACTIONS=10000000 bench/peak-steps.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_TRANSACTIONS:-1000000}
RUNS=${BENCH_RUNS:-3}
. bench/lib.sh
bench_tmp peak

bench_data "$T/gen.db" "${KAM_BEFORE:-$KAM}" "$N" "bench: generating 10,000 accounts, 100,000 contacts, $N transactions" \
	"bench: copying ${BENCH_DB:-}"

TO=$(date -u +%Y-%m-01)
FROM=$(date -u -d "$TO -12 months" +%Y-%m-%d)

# steps LABEL BINARY: one sequence on a fresh copy; prints LABEL and HWM/RSS after each step
steps() {
	local label=$1 bin=$2 i p out
	cp "$T/gen.db" "$T/run.db"
	rm -f "$T/run.db-wal" "$T/run.db-shm"
	TOK=$(kam_token "$bin" "$T/run.db")
	kam_start "$bin" "$T/run.db" "$T/out" "$T/log" alerts
	for _ in $(seq 600); do grep -q 'kpi rollup' "$T/log" && break; sleep 0.1; done
	mem() { awk '/VmHWM/ {h = $2} /VmRSS/ {r = $2} END {printf "%s/%s", h, r}' "/proc/$PID/status"; }
	get() { curl -s -o /dev/null -H "Authorization: Bearer $TOK" "$URL$1"; }
	out="$(mem)"
	get "/api/v1/kpis?from=$FROM&to=$TO"
	out="$out $(mem)"
	for p in $(kpi_periods "$FROM" "$TO" months); do get "$p"; done
	out="$out $(mem)"
	for p in $(kpi_periods "$FROM" "$TO" midmonth); do get "$p"; done
	out="$out $(mem)"
	for i in $(seq 15); do get "/api/v1/accounts/$i/health"; done
	out="$out $(mem)"
	for _ in 1 2; do curl -s -o /dev/null -XPOST -H "Authorization: Bearer $TOK" "$URL/api/v1/alerts/evaluate"; done
	out="$out $(mem)"
	kam_stop "$PID"
	# shellcheck disable=SC2086
	printf '%-8s %15s %15s %15s %15s %15s %15s\n' "$label" $out
}

echo
echo "10,000 accounts, 100,000 contacts, $N transactions; VmHWM/VmRSS in kB after each step (target: peak ≤ 65,536 kB)"
printf '%-8s %15s %15s %15s %15s %15s %15s\n' "" start-up "cold /kpis" "15 periods" "5 mid-month" "15 health" "2 alert runs"
for _ in $(seq "$RUNS"); do
	if [ -n "${KAM_BEFORE:-}" ]; then steps before "$KAM_BEFORE"; fi
	steps after "$KAM"
done
