# shellcheck shell=bash disable=SC2034 # (the variables set here are read by the scripts)
# What the bench/*.sh scripts share. Each starts with
#   set -euo pipefail
#   cd "$(dirname "$0")/.."
#   . bench/lib.sh
#   bench_tmp NAME
# and keeps its own measurements and table. Paths are relative to the repository's root.

# the binary measured: KAM_BIN, by default the release build ./kam
KAM=${KAM_BIN:-./kam}

# bench_tmp NAME: a new directory /tmp/kam-NAME.XXXXXX as T; on exit bench_cleanup stops what was started in it
bench_tmp() {
	T=$(mktemp -d "/tmp/kam-$1.XXXXXX")
	PID=""
	PIDS=()
	trap bench_cleanup EXIT INT TERM
}

# bench_cleanup: kills the processes in PIDS, waits for the children, stops the cluster in $T/pg, removes T
bench_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -d "$T/pg" ]; then scripts/pgtmp stop "$T/pg" >/dev/null 2>&1 || true; fi
	rm -rf "$T"
}

# kam_start BIN DB OUT ERR [alerts]: BIN serve on DB at a free port (stdout to OUT, stderr and the access log to ERR); sets PID, URL
kam_start() {
	"$1" serve --db "$2" --listen 127.0.0.1:0 >"$3" 2>"$4" &
	PID=$!
	PIDS+=("$PID")
	for _ in $(seq 600); do grep -q 'serving on' "$3" 2>/dev/null && break; sleep 0.05; done
	# with "alerts": also the start-up alert run (its "alerts: … ms" line), which opens the alerts
	if [ "${5:-}" = alerts ]; then
		for _ in $(seq 1200); do grep -q 'alerts: .* ms' "$4" 2>/dev/null && break; sleep 0.05; done
	fi
	URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$3")
}

# kam_stop PID: stops a server kam_start started and waits for it to exit
kam_stop() {
	local pid=$1 p keep=()
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
	if [ "$pid" = "$PID" ]; then PID=""; fi
}

# kam_token BIN DB [EMAIL]: prints a new bearer token of EMAIL (by default the demo's director)
kam_token() { "$1" token create --email "${3:-director@example.com}" --name bench --db "$2"; }

# change_notes URL AUTH_HEADER ID: a data change (account ID's notes made new, PATCH with its ETag)
change_notes() {
	local etag
	etag=$(curl -sf -D - -o /dev/null -H "$2" "$1/api/v1/accounts/$3" | tr -d '\r' | awk 'tolower($1) == "etag:" {print $2}')
	curl -sf -o /dev/null -XPATCH -H "$2" -H "If-Match: $etag" -H 'Content-Type: application/json' \
		-d "{\"notes\":\"bench $RANDOM\"}" "$1/api/v1/accounts/$3"
}

# bench_data DEST BIN N MSG [COPY_MSG]: the 10,000-account demo (100,000 contacts, N transactions) at DEST,
# copied from BENCH_DB when that file exists (COPY_MSG printed), else made by BIN (MSG printed) and kept
# as BENCH_DB when that is set; HOW says which (the demo is deterministic: the same N, the same data)
bench_data() {
	if [ -n "${BENCH_DB:-}" ] && [ -f "$BENCH_DB" ]; then
		if [ -n "${5:-}" ]; then echo "$5"; fi
		cp "$BENCH_DB" "$1"
		HOW=copied
	else
		if [ -n "$4" ]; then echo "$4"; fi
		"$2" demo --db "$1" --accounts 10000 --contacts 100000 --transactions "$3" >/dev/null 2>&1
		HOW=generated
		if [ -n "${BENCH_DB:-}" ]; then cp "$1" "$BENCH_DB"; fi
	fi
}

# pg_start: a throwaway PostgreSQL cluster in $T/pg (scripts/pgtmp; bench_cleanup stops it); sets PGURL, PGPORT
pg_start() {
	chmod a+x "$T" # under root the cluster runs as the postgres user
	PGURL=$(scripts/pgtmp start "$T/pg")
	PGPORT=$(cat "$T/pg/port")
}

# pgadmin SQL: one statement as the cluster's superuser (CREATE DATABASE, DROP DATABASE)
pgadmin() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA -c "$1"; }

# timed CMD...: prints "wall cpu", the seconds of one run of CMD (cpu: its user + system), its output dropped
timed() {
	/usr/bin/time -f '%e %U %S' -o "$T/time" "$@" >/dev/null
	awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$T/time"
}

# median: the middle one of the numbers on stdin, one a line (of an even count, the lower)
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# thousands N: N with a comma between each three digits (1000000 → 1,000,000)
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# loadavg: the machine's load average over 1, 5 and 15 minutes
loadavg() { cut -d" " -f1-3 /proc/loadavg; }

# peak_rss PID: the peak resident set of a running process (VmHWM), kB
peak_rss() { awk '/VmHWM/ {print $2}' /proc/"$1"/status; }

# kpi_periods FROM TO KIND: the paths of bench/kpi.sh's KPI questions no cache holds, one a
# line: KIND "months", fifteen 12-month periods a month apart back from FROM..TO; KIND
# "midmonth", five starting mid-month (3, 6, … 15 days on), which read the partial months'
# transactions
kpi_periods() {
	local i
	if [ "$3" = months ]; then
		for i in $(seq 15); do
			echo "/api/v1/kpis?from=$(date -u -d "$1 -$i months" +%Y-%m-%d)&to=$(date -u -d "$2 -$i months" +%Y-%m-%d)"
		done
		return
	fi
	for i in $(seq 5); do
		echo "/api/v1/kpis?from=$(date -u -d "$1 +$((i * 3)) days" +%Y-%m-%d)&to=$(date -u -d "$2 +$((i * 3)) days" +%Y-%m-%d)"
	done
}
