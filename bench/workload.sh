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
. bench/lib.sh
bench_tmp workload
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

NF=$(thousands "$N")
LOAD0=$(loadavg)
bench_data "$T/gen.db" "${KAM_BEFORE:-$KAM}" "$N" "bench: generating 10,000 accounts, 100,000 contacts, $NF transactions"
sqlite3 "$T/gen.db" "$ACTIONS"

W='/api/v1/kams/workload?sort=busiest&limit=10'

# run BINARY DB NAME: one server on DB; appends "first", "changed" and "cached" to $T/NAME.*
run() {
	local bin=$1 db=$2 name=$3 h i
	kam_start "$bin" "$db" "$T/out" "$T/log" alerts
	h="Authorization: Bearer $(kam_token "$bin" "$db")"
	curl -sf -o /dev/null -H "$h" "$URL/api/v1/session"
	curl -sf -o /dev/null -H "$h" "$URL$W"
	for i in $(seq 1 "$CHANGES"); do
		change_notes "$URL" "$h" "$i"
		curl -sf -o /dev/null -H "$h" "$URL$W"
		curl -sf -o /dev/null -H "$h" "$URL$W"
	done
	kam_stop "$PID"
	grep '"path":"/api/v1/kams/workload"' "$T/log" | grep -o '"ms":[0-9.]*' | cut -d: -f2 >"$T/ms"
	head -1 "$T/ms" >>"$T/$name.first"
	sed -n '2~2p' "$T/ms" >>"$T/$name.changed"
	sed -n '3~2p' "$T/ms" >>"$T/$name.cached"
}

BINS=()
[ -n "${KAM_BEFORE:-}" ] && BINS+=(before="$KAM_BEFORE")
BINS+=(after="$KAM")

if [ -n "${BENCH_PG:-}" ]; then
	pg_start
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
echo "load average before $LOAD0, after $(loadavg)"
printf '%-16s %12s %12s %12s   %s\n' "" "first (med)" "changed (med)" "cached (med)" "first, each run"
for be in sqlite ${BENCH_PG:+pg}; do
	for b in "${BINS[@]}"; do
		n="$be-${b%%=*}"
		printf '%-16s %12s %12s %12s   %s\n' "$n" "$(median <"$T/$n.first")" "$(median <"$T/$n.changed")" \
			"$(median <"$T/$n.cached")" "$(tr '\n' ' ' <"$T/$n.first")"
	done
done
