#!/usr/bin/env bash
# Each of the dashboard's API requests at 10,000 accounts, computed afresh (the answer caches
# cold), one at a time, timed by curl (request sent → last byte, on 127.0.0.1; the access
# log's line may still be in its buffer when the answer is in):
#   first   the request alone on a server just started on a fresh copy of the data (after its
#           start-up alert run, its start-up load of the KPI rollup when it makes one, and one
#           GET /session): what the first dashboard after sign-in computes, a second or so
#           after the server started; one server per request
#   changed the same request right after a data change (an account's notes), on a warm server:
#           median of BENCH_CHANGES (default 5)
# and the sum over the requests (the work a 2-thread server has for one cold dashboard).
# Each of BENCH_RUNS (default 3) runs does this per binary; with KAM_BEFORE=path/to/older/kam
# both binaries take turns (before, after, before, …) on copies of the same data.
#   BENCH_DB=FILE (as bench/web.sh keeps it) is copied, never written; without it the data are
#   generated. BENCH_PG=1 adds the same on a throwaway PostgreSQL cluster (scripts/pgtmp).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_TRANSACTIONS:-1000000}
RUNS=${BENCH_RUNS:-3}
CHANGES=${BENCH_CHANGES:-5}
. bench/lib.sh
bench_tmp dashboard
[ -x "$KAM" ] || make --no-print-directory kam >/dev/null

LOAD0=$(loadavg)
bench_data "$T/gen.db" "${KAM_BEFORE:-$KAM}" "$N" "bench: generating 10,000 accounts, 100,000 contacts, $N transactions"

# the dashboard's questions, as web/dashboard.js and web/forecast.js ask them (12 months)
TO=$(date -u +%Y-%m-01)
FROM=$(date -u -d "$TO -12 months" +%Y-%m-01)
LAST=$(date -u -d "$TO -1 month" +%Y-%m)
REQS=(
	"kpis=/api/v1/kpis?from=$FROM&to=$TO"
	"kpis-month=/api/v1/kpis?from=$FROM&to=$TO&interval=month"
	"matrix=/api/v1/portfolio/matrix?from=${FROM:0:7}&to=$LAST&form=compact"
	"forecast=/api/v1/forecast?by=portfolio"
	"alerts=/api/v1/alerts?state=open&limit=8&sort=-opened_at"
	"workload=/api/v1/kams/workload?sort=busiest&limit=10"
	"at-risk=/api/v1/portfolio/at-risk?limit=6"
)

start() { # start BIN DB: a server after its start-up alert run and one GET /session
	kam_start "$1" "$2" "$T/out" "$T/log" alerts
	# a binary that loads the KPI rollup at start-up (KAM_KPI_WARM): after that load too, whose
	# time goes to $T/NAME.warm (the "kpi rollup: … in N ms" line)
	if grep -qa KAM_KPI_WARM "$1" && [ "${KAM_KPI_WARM:-}" != off ]; then
		for _ in $(seq 1200); do grep -q 'kpi rollup: ' "$T/log" 2>/dev/null && break; sleep 0.05; done
		sed -n 's/.*kpi rollup: .* in memory in \([0-9]*\) ms.*/\1/p' "$T/log" >>"$T/$3.warm"
	fi
	H="Authorization: Bearer $(kam_token "$1" "$2")"
	curl -sf -o /dev/null -H "$H" "$URL/api/v1/session"
}
get() { curl -sf -o /dev/null -w '%{time_total}\n' -H "$H" "$URL$1" | awk '{print $1 * 1000}'; }
fresh() { # fresh BACKEND: a database for one server
	if [ "$1" = sqlite ]; then
		cp "$T/gen.db" "$T/run.db"; rm -f "$T/run.db-wal" "$T/run.db-shm"; DB=$T/run.db
	else
		pgadmin "DROP DATABASE IF EXISTS run" 2>/dev/null
		pgadmin "CREATE DATABASE run OWNER kam TEMPLATE kam"; DB=${PGURL%/kam}/run
	fi
}
# run BIN NAME BACKEND
run() {
	local bin=$1 name=$2 be=$3 r key path i
	for r in "${REQS[@]}"; do
		key=${r%%=*} path=${r#*=}
		fresh "$be"; start "$bin" "$DB" "$be-$name"
		get "$path" >>"$T/$be-$name.$key.first"
		for i in $(seq 1 "$CHANGES"); do change_notes "$URL" "$H" "$i"; get "$path" >>"$T/$be-$name.$key.ch"; done
		kam_stop "$PID"
	done
}

BINS=()
[ -n "${KAM_BEFORE:-}" ] && BINS+=(before="$KAM_BEFORE")
BINS+=(after="$KAM")
BES=(sqlite)
if [ -n "${BENCH_PG:-}" ]; then
	pg_start
	echo "bench: PostgreSQL: generating 10,000 accounts, 100,000 contacts, 100,000 transactions"
	"${KAM_BEFORE:-$KAM}" demo --db "$PGURL" --accounts 10000 --contacts 100000 --transactions 100000 >/dev/null 2>&1
	psql "$PGURL" -q -c "VACUUM (ANALYZE)"
	BES+=(pg)
fi
for r in $(seq 1 "$RUNS"); do
	for be in "${BES[@]}"; do
		for b in "${BINS[@]}"; do run "${b#*=}" "${b%%=*}" "$be"; done
	done
	echo "bench: run $r of $RUNS done"
done

echo
echo "the dashboard's requests at 10,000 accounts, each computed afresh; ms (curl, request to last byte)"
echo "first: a fresh server per request, median of $RUNS; changed: after a data change, median of $((RUNS * CHANGES))"
echo "$("$KAM" --version) on $(nproc) cores"
[ -n "${KAM_BEFORE:-}" ] && echo "before: $("$KAM_BEFORE" --version) ($KAM_BEFORE)"
echo "load average before $LOAD0, after $(loadavg)"
for be in "${BES[@]}"; do
	for b in "${BINS[@]}"; do
		w="$T/$be-${b%%=*}.warm"
		[ -s "$w" ] && echo "$be ${b%%=*}: the KPI rollup's start-up load (waited for before \"first\"): median $(median <"$w") ms of $(wc -l <"$w")"
	done
done
for be in "${BES[@]}"; do
	printf '%-12s' "$be"
	for b in "${BINS[@]}"; do printf ' %18s %9s' "${b%%=*}: first" changed; done
	echo
	for b in "${BINS[@]}"; do echo 0 >"$T/sum.${b%%=*}.first"; echo 0 >"$T/sum.${b%%=*}.ch"; done
	for r in "${REQS[@]}" sum; do
		key=${r%%=*}
		printf '%-12s' "$key"
		for b in "${BINS[@]}"; do
			n="$be-${b%%=*}"
			if [ "$key" = sum ]; then
				printf ' %18.1f %9.1f' "$(cat "$T/sum.${b%%=*}.first")" "$(cat "$T/sum.${b%%=*}.ch")"
			else
				f=$(median <"$T/$n.$key.first") c=$(median <"$T/$n.$key.ch")
				printf ' %18.1f %9.1f' "$f" "$c"
				echo "$(cat "$T/sum.${b%%=*}.first") + $f" | bc >"$T/sum.${b%%=*}.first.n"; mv "$T/sum.${b%%=*}.first.n" "$T/sum.${b%%=*}.first"
				echo "$(cat "$T/sum.${b%%=*}.ch") + $c" | bc >"$T/sum.${b%%=*}.ch.n"; mv "$T/sum.${b%%=*}.ch.n" "$T/sum.${b%%=*}.ch"
			fi
		done
		echo
	done
done
