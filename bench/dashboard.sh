#!/usr/bin/env bash
# Each of the dashboard's API requests at 10,000 accounts, computed afresh (the answer caches
# cold), one at a time, timed by curl (request sent → last byte, on 127.0.0.1; the access
# log's line may still be in its buffer when the answer is in):
#   first   the request alone on a server just started on a fresh copy of the data (after its
#           start-up alert run and one GET /session): what the first dashboard after sign-in
#           computes; one server per request
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
KAM=${KAM_BIN:-./kam}
T=$(mktemp -d /tmp/kam-dashboard.XXXXXX)
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	wait 2>/dev/null || true
	[ -d "$T/pg" ] && scripts/pgtmp stop "$T/pg" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
chmod 755 "$T"
[ -x "$KAM" ] || make --no-print-directory kam >/dev/null

LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
if [ -n "${BENCH_DB:-}" ] && [ -f "$BENCH_DB" ]; then
	cp "$BENCH_DB" "$T/gen.db"
else
	echo "bench: generating 10,000 accounts, 100,000 contacts, $N transactions"
	"${KAM_BEFORE:-$KAM}" demo --db "$T/gen.db" --accounts 10000 --contacts 100000 --transactions "$N" >/dev/null 2>&1
	if [ -n "${BENCH_DB:-}" ]; then cp "$T/gen.db" "$BENCH_DB"; fi
fi

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
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

start() { # start BIN DB
	"$1" serve --db "$2" --listen 127.0.0.1:0 >"$T/out" 2>"$T/log" &
	PID=$!
	for _ in $(seq 600); do grep -q 'serving on' "$T/out" 2>/dev/null && break; sleep 0.05; done
	for _ in $(seq 1200); do grep -q 'alerts: .* ms' "$T/log" 2>/dev/null && break; sleep 0.05; done
	URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/out")
	H="Authorization: Bearer $("$1" token create --email director@example.com --name bench --db "$2")"
	curl -sf -o /dev/null -H "$H" "$URL/api/v1/session"
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }
get() { curl -sf -o /dev/null -w '%{time_total}\n' -H "$H" "$URL$1" | awk '{print $1 * 1000}'; }
change() {
	local etag
	etag=$(curl -sf -D - -o /dev/null -H "$H" "$URL/api/v1/accounts/$1" | tr -d '\r' | awk 'tolower($1) == "etag:" {print $2}')
	curl -sf -o /dev/null -XPATCH -H "$H" -H "If-Match: $etag" -H 'Content-Type: application/json' \
		-d "{\"notes\":\"bench $RANDOM\"}" "$URL/api/v1/accounts/$1"
}
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
		fresh "$be"; start "$bin" "$DB"
		get "$path" >>"$T/$be-$name.$key.first"
		for i in $(seq 1 "$CHANGES"); do change "$i"; get "$path" >>"$T/$be-$name.$key.ch"; done
		stop
	done
}

BINS=()
[ -n "${KAM_BEFORE:-}" ] && BINS+=(before="$KAM_BEFORE")
BINS+=(after="$KAM")
BES=(sqlite)
if [ -n "${BENCH_PG:-}" ]; then
	PGURL=$(scripts/pgtmp start "$T/pg")
	PGPORT=$(cat "$T/pg/port")
	pgadmin() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA -c "$1"; }
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
echo "load average before $LOAD0, after $(cut -d" " -f1-3 /proc/loadavg)"
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
