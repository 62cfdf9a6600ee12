#!/usr/bin/env bash
# The KAM workload (GET /api/v1/kams/workload?sort=busiest&limit=10, the dashboard's panel)
# computed afresh at 10,000 accounts and 1,250 KAMs, as the server's access log times it:
#   first   the server's first workload (after its start-up alert run, the session read):
#           what the first dashboard after sign-in waits for
#   changed the workload right after a data change (an account's notes), the answer cache
#           missing: median of BENCH_CHANGES (default 10) per server
#   cached  the same question again, from the answer cache (median)
# Each of BENCH_RUNS (default 5) runs starts a server on a fresh copy of the data; with
# KAM_BEFORE=path/to/older/kam both binaries are run in turn (before, after, before, …) on
# copies of the same data, the older one first.
#   bench/workload.sh                          SQLite; BENCH_DB=FILE keeps the generated data
#   BENCH_PG=1 bench/workload.sh               PostgreSQL too (a throwaway cluster, scripts/pgtmp)
# The demo has no plans at 10,000 accounts: every fourth account gets a plan with six actions
# (open, in progress, done, cancelled, proposed, and one open and overdue), 15,000 in all,
# owned by the account's owner.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_TRANSACTIONS:-1000000}
RUNS=${BENCH_RUNS:-5}
CHANGES=${BENCH_CHANGES:-10}
KAM=${KAM_BIN:-./kam}
T=$(mktemp -d /tmp/kam-workload.XXXXXX)
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	wait 2>/dev/null || true
	[ -d "$T/pg" ] && scripts/pgtmp stop "$T/pg" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
chmod 755 "$T" # a PostgreSQL cluster runs as the postgres user
[ -x "$KAM" ] || make --no-print-directory kam >/dev/null

ACTIONS="
INSERT INTO plans (account_id, title, period_start, period_end, status, created_at, updated_at)
SELECT id, 'Plan', '2026-01-01', '2026-12-31', 'active', 0, 0 FROM accounts WHERE id % 4 = 0;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 5)
INSERT INTO actions (plan_id, account_id, title, owner_id, due_on, status, created_at, updated_at)
SELECT p.id, p.account_id, 'Action', a.owner_id,
       CASE k.i WHEN 5 THEN '2020-01-15' ELSE '2099-06-30' END,
       CASE k.i WHEN 1 THEN 'in_progress' WHEN 2 THEN 'done' WHEN 3 THEN 'cancelled'
                WHEN 4 THEN 'proposed' ELSE 'open' END, 0, 0
FROM plans p JOIN accounts a ON a.id = p.account_id, k;"

NF=$(echo "$N" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
if [ -n "${BENCH_DB:-}" ] && [ -f "$BENCH_DB" ]; then
	cp "$BENCH_DB" "$T/gen.db"
else
	echo "bench: generating 10,000 accounts, 100,000 contacts, $NF transactions"
	"${KAM_BEFORE:-$KAM}" demo --db "$T/gen.db" --accounts 10000 --contacts 100000 --transactions "$N" >/dev/null 2>&1
	if [ -n "${BENCH_DB:-}" ]; then cp "$T/gen.db" "$BENCH_DB"; fi
fi
sqlite3 "$T/gen.db" "$ACTIONS"

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
W='/api/v1/kams/workload?sort=busiest&limit=10'

# run BINARY DB NAME: one server on DB; appends "first", "changed" and "cached" to $T/NAME.*
run() {
	local bin=$1 db=$2 name=$3 url tok etag i
	"$bin" serve --db "$db" --listen 127.0.0.1:0 >"$T/out" 2>"$T/log" &
	PID=$!
	for _ in $(seq 600); do grep -q 'serving on' "$T/out" 2>/dev/null && break; sleep 0.05; done
	for _ in $(seq 1200); do grep -q 'alerts: .* ms' "$T/log" 2>/dev/null && break; sleep 0.05; done
	url=$(grep -o 'http://127.0.0.1:[0-9]*' "$T/out")
	tok=$("$bin" token create --email director@example.com --name bench --db "$db")
	local h="Authorization: Bearer $tok"
	curl -sf -o /dev/null -H "$h" "$url/api/v1/session"
	curl -sf -o /dev/null -H "$h" "$url$W"
	for i in $(seq 1 "$CHANGES"); do
		etag=$(curl -sf -D - -o /dev/null -H "$h" "$url/api/v1/accounts/$i" | tr -d '\r' | awk 'tolower($1) == "etag:" {print $2}')
		curl -sf -o /dev/null -XPATCH -H "$h" -H "If-Match: $etag" -H 'Content-Type: application/json' \
			-d "{\"notes\":\"bench $RANDOM\"}" "$url/api/v1/accounts/$i"
		curl -sf -o /dev/null -H "$h" "$url$W"
		curl -sf -o /dev/null -H "$h" "$url$W"
	done
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=""
	grep '"path":"/api/v1/kams/workload"' "$T/log" | grep -o '"ms":[0-9.]*' | cut -d: -f2 >"$T/ms"
	head -1 "$T/ms" >>"$T/$name.first"
	sed -n '2~2p' "$T/ms" >>"$T/$name.changed"
	sed -n '3~2p' "$T/ms" >>"$T/$name.cached"
}

BINS=()
[ -n "${KAM_BEFORE:-}" ] && BINS+=(before="$KAM_BEFORE")
BINS+=(after="$KAM")

if [ -n "${BENCH_PG:-}" ]; then
	PGURL=$(scripts/pgtmp start "$T/pg")
	PGPORT=$(cat "$T/pg/port")
	pgadmin() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA -c "$1"; }
	echo "bench: PostgreSQL: generating 10,000 accounts, 100,000 contacts, 100,000 transactions"
	"${KAM_BEFORE:-$KAM}" demo --db "$PGURL" --accounts 10000 --contacts 100000 --transactions 100000 >/dev/null 2>&1
	psql "$PGURL" -v ON_ERROR_STOP=1 -q -c "$ACTIONS" -c "VACUUM (ANALYZE) accounts, plans, actions, users"
fi

for r in $(seq 1 "$RUNS"); do
	for b in "${BINS[@]}"; do
		name=${b%%=*} bin=${b#*=}
		cp "$T/gen.db" "$T/run.db"
		rm -f "$T/run.db-wal" "$T/run.db-shm"
		run "$bin" "$T/run.db" "sqlite-$name"
		if [ -n "${BENCH_PG:-}" ]; then
			pgadmin "DROP DATABASE IF EXISTS run" 2>/dev/null
			pgadmin "CREATE DATABASE run OWNER kam TEMPLATE kam"
			run "$bin" "${PGURL%/kam}/run" "pg-$name"
		fi
	done
	echo "bench: run $r of $RUNS done"
done

echo
echo "GET $W at 10,000 accounts, 1,250 KAMs, 15,000 actions; server ms (access log)"
echo "$RUNS servers per binary and backend, $CHANGES changes each; $("$KAM" --version) on $(nproc) cores"
[ -n "${KAM_BEFORE:-}" ] && echo "before: $("$KAM_BEFORE" --version) ($KAM_BEFORE)"
echo "load average before $LOAD0, after $(cut -d" " -f1-3 /proc/loadavg)"
printf '%-16s %12s %12s %12s   %s\n' "" "first (med)" "changed (med)" "cached (med)" "first, each run"
for be in sqlite ${BENCH_PG:+pg}; do
	for b in "${BINS[@]}"; do
		n="$be-${b%%=*}"
		printf '%-16s %12s %12s %12s   %s\n' "$n" "$(median <"$T/$n.first")" "$(median <"$T/$n.changed")" \
			"$(median <"$T/$n.cached")" "$(tr '\n' ' ' <"$T/$n.first")"
	done
done
