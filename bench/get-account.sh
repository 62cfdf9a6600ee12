#!/usr/bin/env bash
# Single-record GET throughput and latency: kam on SQLite, kam on PostgreSQL, two kam nodes
# on one PostgreSQL, each beside nginx serving the same bytes as a static file, in one run.
#   bench/get-account.sh            (make bench installs wrk, nginx and PostgreSQL first)
#   BENCH_SECONDS=30 bench/get-account.sh
# Loads go to 127.0.0.1 only and stop after BENCH_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-10}
CONNS=64
. bench/lib.sh
bench_tmp bench

# free_port: a TCP port of 127.0.0.1 free now (for nginx, which cannot take port 0 and say which it got)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# cpu_ticks PID... → user + system clock ticks of those processes ("pg": every postgres
# process on the machine, the throwaway cluster's backends among them)
cpu_ticks() {
	local t=0 p q
	for p in "$@"; do
		if [ "$p" = pg ]; then
			for q in $(pgrep -x postgres); do t=$((t + $(awk '{print $14 + $15}' /proc/"$q"/stat 2>/dev/null || echo 0))); done
		else
			t=$((t + $(awk '{print $14 + $15}' /proc/"$p"/stat 2>/dev/null || echo 0)))
		fi
	done
	echo "$t"
}

# run_wrk URL THREADS CONNS [TOKEN [SCRIPT]] → "rps p50_ms p99_ms non2xx kam_us db_us load":
# kam_us and db_us the CPU per request of the processes in KAM_PIDS and DB_PIDS ("-" when
# unset), load the statements per request during the run (with a token)
run_wrk() {
	local url=$1 th=$2 c=$3 tok=${4:-} out="$T/wrk.$RANDOM" k0 k1 d0 d1 s0 s1
	local hdr=()
	[ -n "$tok" ] && hdr=(-H "Authorization: Bearer $tok")
	[ -n "${5:-}" ] && hdr+=(-s "$5")
	wrk -t"$th" -c"$c" -d2s "${hdr[@]}" "$url" >/dev/null 2>&1 # warm-up
	[ -n "$tok" ] && s0=$(statements "${url%%/api/*}" "$tok")
	# KAM_PIDS and DB_PIDS are lists (or empty): split on purpose
	# shellcheck disable=SC2086
	k0=$(cpu_ticks ${KAM_PIDS:-}) d0=$(cpu_ticks ${DB_PIDS:-})
	wrk -t"$th" -c"$c" -d"${SECS}s" --latency "${hdr[@]}" "$url" >"$out" 2>&1
	# shellcheck disable=SC2086
	k1=$(cpu_ticks ${KAM_PIDS:-}) d1=$(cpu_ticks ${DB_PIDS:-})
	[ -n "$tok" ] && s1=$(statements "${url%%/api/*}" "$tok")
	awk -v hz="$(getconf CLK_TCK)" -v k="$((k1 - k0))" -v d="$((d1 - d0))" \
		-v kon="${KAM_PIDS:-}" -v don="${DB_PIDS:-}" -v s0="${s0:-}" -v s1="${s1:-}" '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	function us(t) { return n ? sprintf("%.1f", t * 1e6 / hz / n) : "-" }
	/requests in/ { n = $1 }
	/Requests\/sec/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Non-2xx/ { bad = $NF }
	END { printf "%.0f %.2f %.2f %d %s %s %s\n", rps, p50, p99, bad + 0, kon == "" ? "-" : us(k), don == "" ? "-" : us(d),
		s0 == "" || s1 == "" || !n ? "-" : sprintf("%.2f", (s1 - s0) / n) }' "$out"
}

# statements URL TOKEN: the process's kam_db_statements_total (round trips on PostgreSQL)
statements() {
	curl -sf -H "Authorization: Bearer $2" "$1/metrics" | awk '/^kam_db_statements_total/ { print $2 }'
}

# per_get URL TOKEN → database statements (round trips on PostgreSQL) per GET of the account,
# the /metrics request's own statements taken off, over 200 requests; the lower of two
# tries, in case a background job ran during one
per_get() {
	local a b c urls=() best=""
	for _ in $(seq 200); do urls+=("$1/api/v1/accounts/1"); done
	for _ in 1 2; do
		a=$(statements "$1" "$2")
		b=$(statements "$1" "$2")
		curl -sf -H "Authorization: Bearer $2" "${urls[@]}" >/dev/null
		c=$(statements "$1" "$2")
		[ -z "$a" ] && { echo "-"; return; }
		best=$(awk -v a="$a" -v b="$b" -v c="$c" -v best="$best" 'BEGIN {
			v = ((c - b) - (b - a)) / 200; if (best == "" || v < best) best = v; printf "%.2f\n", best }')
	done
	echo "$best"
}

echo "bench: building data sets (demo data, ${SECS}s runs, $CONNS connections, $(nproc) cores)"
"$KAM" demo --db "$T/kam.db" >/dev/null 2>&1
kam_start "$KAM" "$T/kam.db" "$T/kam.out" "$T/kam.log"
KPID=$PID KURL=$URL
TOK=$(kam_token "$KAM" "$T/kam.db" admin@example.com)
mkdir -p "$T/www/api/v1/accounts"
curl -sf -H "Authorization: Bearer $TOK" "$KURL/api/v1/accounts/1" >"$T/www/api/v1/accounts/1"
BYTES=$(wc -c <"$T/www/api/v1/accounts/1")

NPORT=$(free_port)
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user nobody nogroup;"
chmod -R a+rX "$T/www"; chmod a+x "$T"
cat >"$T/nginx.conf" <<NGINX
$USER_LINE
worker_processes $(nproc);
pid $T/nginx.pid;
error_log $T/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $T/nginx-tmp;
	proxy_temp_path $T/nginx-tmp;
	fastcgi_temp_path $T/nginx-tmp;
	uwsgi_temp_path $T/nginx-tmp;
	scgi_temp_path $T/nginx-tmp;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NPORT;
		root $T/www;
		default_type application/json;
	}
}
NGINX
mkdir -p "$T/nginx-tmp"
/usr/sbin/nginx -c "$T/nginx.conf" -p "$T" &
PIDS+=($!)
sleep 0.5
curl -sf "http://127.0.0.1:$NPORT/api/v1/accounts/1" >/dev/null

declare -A R Q
R[nginx]=$(run_wrk "http://127.0.0.1:$NPORT/api/v1/accounts/1" 2 $CONNS)
R[sqlite]=$(KAM_PIDS=$KPID run_wrk "$KURL/api/v1/accounts/1" 2 $CONNS "$TOK")
Q[sqlite]=$(per_get "$KURL" "$TOK")
RSS_SQLITE=$(peak_rss "$KPID")
kam_stop "$KPID"

# the same GET over 10,000 different accounts in turn: each read misses the record cache
# (2,048 entries), as a team reading through a large portfolio does
cat >"$T/spread.lua" <<'LUA'
-- wrk's two threads each walk their own half of the ids (1-5,000, 5,001-10,000) in a
-- scattered order: an account comes round again after 10,000 other reads
local threads = 0
function setup(thread)
	thread:set("off", threads * 5000)
	threads = threads + 1
end
local n = 0
request = function()
	n = n + 1
	return wrk.format(nil, "/api/v1/accounts/" .. (off + (n * 2719) % 5000 + 1))
end
LUA
"$KAM" demo --db "$T/large.db" --accounts 10000 --contacts 20000 --transactions 200000 >/dev/null 2>&1
kam_start "$KAM" "$T/large.db" "$T/large.out" "$T/large.log"
LPID=$PID LURL=$URL
LTOK=$(kam_token "$KAM" "$T/large.db" admin@example.com)
R[spread]=$(KAM_PIDS=$LPID run_wrk "$LURL/api/v1/accounts/1" 2 $CONNS "$LTOK" "$T/spread.lua")
Q[spread]=-
HITS=$(curl -sf -H "Authorization: Bearer $LTOK" "$LURL/metrics" | awk '/^kam_record_cache_hits_total/ { print $2 }')
kam_stop "$LPID"

pg_start
"$KAM" demo --db "$PGURL" >/dev/null 2>&1
PGTOK=$(kam_token "$KAM" "$PGURL" admin@example.com)
kam_start "$KAM" "$PGURL" "$T/pg1.out" "$T/pg1.log"
P1=$PID U1=$URL
R[pg]=$(KAM_PIDS=$P1 DB_PIDS=pg run_wrk "$U1/api/v1/accounts/1" 2 $CONNS "$PGTOK")
Q[pg]=$(per_get "$U1" "$PGTOK")
RSS_PG=$(peak_rss "$P1")
kam_start "$KAM" "$PGURL" "$T/pg2.out" "$T/pg2.log"
U2=$URL
# two nodes: half the connections on each, at the same time; their figures add up
run_wrk "$U1/api/v1/accounts/1" 1 $((CONNS / 2)) "$PGTOK" >"$T/n1" &
W1=$!
run_wrk "$U2/api/v1/accounts/1" 1 $((CONNS / 2)) "$PGTOK" >"$T/n2" &
W2=$!
wait $W1 $W2
Q[pg2]=${Q[pg]}
Q[nginx]=-
R[pg2]=$(paste "$T/n1" "$T/n2" | awk '{printf "%.0f %.2f %.2f %d - - -\n", $1 + $8, ($2 > $9 ? $2 : $9), ($3 > $10 ? $3 : $10), $4 + $11}')

NGINX_RPS=$(echo "${R[nginx]}" | cut -d' ' -f1)
SQLITE_RPS=$(echo "${R[sqlite]}" | cut -d' ' -f1)
echo
echo "GET /api/v1/accounts/1 ($BYTES bytes), $CONNS connections, ${SECS}s, wrk on the same machine"
printf '%-34s %12s %9s %9s %8s %10s %10s %11s %11s %9s %9s\n' target requests/s p50_ms p99_ms non2xx vs_nginx vs_sqlite stmts/GET under_load kam_us db_us
for k in nginx sqlite spread pg pg2; do
	read -r rps p50 p99 bad kus dus load <<<"${R[$k]}"
	case $k in
	nginx) name="nginx static file (reference)" ;;
	sqlite) name="kam, SQLite" ;;
	spread) name="kam, SQLite, 10,000 accounts" ;;
	pg) name="kam, PostgreSQL, one node" ;;
	pg2) name="kam, PostgreSQL, two nodes" ;;
	esac
	printf '%-34s %12s %9s %9s %8s %9s%% %9s%% %11s %11s %9s %9s\n' "$name" "$rps" "$p50" "$p99" "$bad" \
		"$(awk -v a="$rps" -v b="$NGINX_RPS" 'BEGIN { printf "%.0f", 100 * a / b }')" \
		"$(awk -v a="$rps" -v b="$SQLITE_RPS" 'BEGIN { printf "%.0f", 100 * a / b }')" \
		"${Q[$k]}" "${load:--}" "${kus:--}" "${dus:--}"
done
echo
echo "reference: nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\///') serving the same $BYTES bytes as a static file, same machine, same run"
echo "stmts/GET: database statements per request (round trips on PostgreSQL), from kam_db_statements_total, one request at a time; under_load: the same during the measured run (on PostgreSQL requests that wait share a versions read)"
echo "kam_us, db_us: CPU (user + system) per request of kam and of the PostgreSQL server's processes over the measured run"
echo "10,000 accounts: each request another account of a 10,000-account demo, read afresh (record cache hits: ${HITS:-?})"
echo "kam peak RSS: SQLite ${RSS_SQLITE} kB, PostgreSQL ${RSS_PG} kB (VmHWM); kam logs one JSON line per request to a file, nginx logs nothing"
