#!/usr/bin/env bash
# Time to a rendered screen of the web app in headless chromium, at scale, beside references
# measured in the same run: the same screens on the small demo database, and the floor —
# chromium showing /healthz from the same server.
#   bench/web.sh                       10,000 accounts, 100,000 contacts, BENCH_TRANSACTIONS
#   BENCH_RUNS=30 BENCH_TRANSACTIONS=10000000 bench/web.sh   (defaults 20 and 1,000,000)
#   BENCH_OUT=dir keeps every sample (large.json, small.json; node bench/web.mjs report reads them)
# Needs /usr/bin/chromium (scripts/deps --test installs it; CHROMIUM=... for another) and
# playwright-core from the root package.json (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_TRANSACTIONS:-1000000}
RUNS=${BENCH_RUNS:-20}
KAM=${KAM_BIN:-./kam}
T=$(mktemp -d /tmp/kam-web.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT INT TERM

[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "bench/web.sh: no chromium at ${CHROMIUM:-/usr/bin/chromium} (scripts/deps --test installs it)" >&2; exit 1; }
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
[ -x "$KAM" ] || { echo "bench: building ./kam"; make --no-print-directory kam >/dev/null; }

NF=$(echo "$N" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
echo "bench: generating 10,000 accounts, 100,000 contacts, $NF transactions, and the small demo"
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
S=$(date +%s.%N)
"$KAM" demo --db "$T/large.db" --accounts 10000 --contacts 100000 --transactions "$N" >/dev/null 2>&1
GEN=$(echo "$(date +%s.%N) - $S" | bc)
"$KAM" demo --db "$T/small.db" >/dev/null 2>&1
SMALL=$(sqlite3 "$T/small.db" "SELECT (SELECT count(*) FROM accounts) || ' accounts, ' || (SELECT count(*) FROM contacts) || ' contacts, ' || (SELECT count(*) FROM transactions) || ' transactions'")

# measure DB LABEL: serve DB, open alerts as a running server has them, drive chromium
measure() {
	"$KAM" serve --db "$T/$1.db" --listen 127.0.0.1:0 >"$T/$1.out" 2>"$T/$1.log" &
	PID=$!
	for _ in $(seq 100); do grep -q 'serving on' "$T/$1.out" 2>/dev/null && break; sleep 0.05; done
	local url tok
	url=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/$1.out")
	tok=$("$KAM" token create --email director@example.com --name bench --db "$T/$1.db")
	curl -sf -XPOST -H "Authorization: Bearer $tok" "$url/api/v1/alerts/evaluate" >/dev/null
	echo "bench: $1: $RUNS runs per screen on $url"
	node bench/web.mjs measure "$url" "$RUNS" "$T/$1.json"
	RSS[$1]=$(awk '/VmHWM/ {print $2}' /proc/"$PID"/status)
	kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}
declare -A RSS
measure large
measure small

echo
echo "large: 10,000 accounts, 100,000 contacts, $NF transactions (generated in ${GEN%.*} s)"
echo "small: the demo data ($SMALL)"
echo "$("$KAM" --version) serve on $(nproc) cores, chromium on the same machine; load average before $LOAD0, after $(cut -d" " -f1-3 /proc/loadavg)"
node bench/web.mjs report large="$T/large.json" small="$T/small.json"
[ -n "${BENCH_OUT:-}" ] && mkdir -p "$BENCH_OUT" && cp "$T/large.json" "$T/small.json" "$BENCH_OUT/"
echo "kam peak RSS: large ${RSS[large]} kB, small ${RSS[small]} kB (VmHWM)"
