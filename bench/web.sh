#!/usr/bin/env bash
# Time to a rendered screen of the web app in headless chromium, at scale, beside references
# measured in the same run: the same screens on the small demo database, and the floor —
# chromium showing /healthz from the same server.
#   bench/web.sh                       10,000 accounts, 100,000 contacts, BENCH_TRANSACTIONS
#   BENCH_RUNS=30 BENCH_TRANSACTIONS=10000000 bench/web.sh   (defaults 20 and 1,000,000)
#   BENCH_OUT=dir keeps every sample (large.json, small.json; node bench/web.mjs report reads them)
#   BENCH_DB=FILE keeps the generated large database there and starts from a copy of it next time
#   KAM_BEFORE=path/to/older/kam measures that binary too, in the same run, before KAM_BIN
#     (the web app is built into the binary, so this compares the app as well as the server)
# Needs /usr/bin/chromium (scripts/deps --test installs it; CHROMIUM=... for another) and
# playwright-core from the root package.json (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_TRANSACTIONS:-1000000}
RUNS=${BENCH_RUNS:-20}
. bench/lib.sh
bench_tmp web

[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "bench/web.sh: no chromium at ${CHROMIUM:-/usr/bin/chromium} (scripts/deps --test installs it)" >&2; exit 1; }
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
[ -x "$KAM" ] || { echo "bench: building ./kam"; make --no-print-directory kam >/dev/null; }

NF=$(thousands "$N")
echo "bench: ${BENCH_DB:+$BENCH_DB or }10,000 accounts, 100,000 contacts, $NF transactions, and the small demo"
LOAD0=$(loadavg)
S=$(date +%s.%N)
# the bench writes only to copies; with KAM_BEFORE, the older binary makes the data, so that
# neither server runs on a schema the other made (the newer one migrates its copy when it starts)
bench_data "$T/large.db" "${KAM_BEFORE:-$KAM}" "$N" ""
GEN=$(echo "$(date +%s.%N) - $S" | bc)
"${KAM_BEFORE:-$KAM}" demo --db "$T/small.db" >/dev/null 2>&1
cp "$T/large.db" "$T/large.orig"; cp "$T/small.db" "$T/small.orig"
SMALL=$(sqlite3 "$T/small.db" "SELECT (SELECT count(*) FROM accounts) || ' accounts, ' || (SELECT count(*) FROM contacts) || ' contacts, ' || (SELECT count(*) FROM transactions) || ' transactions'")

# measure DB [BIN [LABEL]]: serve a fresh copy of DB, open alerts as a running server has them,
# drive chromium; the samples go to $T/LABEL.json
measure() {
	local bin=${2:-$KAM} label=${3:-$1} tok
	cp "$T/$1.orig" "$T/$1.db"; rm -f "$T/$1.db-wal" "$T/$1.db-shm"
	kam_start "$bin" "$T/$1.db" "$T/$1.out" "$T/$1.log"
	tok=$(kam_token "$bin" "$T/$1.db")
	curl -sf -XPOST -H "Authorization: Bearer $tok" "$URL/api/v1/alerts/evaluate" >/dev/null
	echo "bench: $label: $RUNS runs per screen on $URL ($("$bin" --version))"
	node bench/web.mjs measure "$URL" "$RUNS" "$T/$label.json"
	RSS[$label]=$(peak_rss "$PID")
	[ -n "${BENCH_OUT:-}" ] && mkdir -p "$BENCH_OUT" && cp "$T/$1.log" "$BENCH_OUT/$label.access.log"
	kam_stop "$PID"
}
declare -A RSS
SETS=()
if [ -n "${KAM_BEFORE:-}" ]; then
	measure large "$KAM_BEFORE" large-before
	measure large "$KAM" large
	measure small "$KAM_BEFORE" small-before
	measure small "$KAM" small
	SETS=(before-large="$T/large-before.json" large="$T/large.json" before-small="$T/small-before.json" small="$T/small.json")
else
	measure large
	measure small
	SETS=(large="$T/large.json" small="$T/small.json")
fi

echo
echo "large: 10,000 accounts, 100,000 contacts, $NF transactions ($HOW in $(printf %.0f "$GEN") s)"
echo "small: the demo data ($SMALL)"
echo "$("$KAM" --version) serve on $(nproc) cores, chromium on the same machine; load average before $LOAD0, after $(loadavg)"
[ -n "${KAM_BEFORE:-}" ] && echo "before: $("$KAM_BEFORE" --version) ($KAM_BEFORE), measured just before the same screens with $KAM"
node bench/web.mjs report "${SETS[@]}"
[ -n "${BENCH_OUT:-}" ] && mkdir -p "$BENCH_OUT" && cp "$T"/*.json "$BENCH_OUT/"
echo "kam peak RSS (VmHWM, kB):$(for k in "${!RSS[@]}"; do printf ' %s %s' "$k" "${RSS[$k]}"; done)"
