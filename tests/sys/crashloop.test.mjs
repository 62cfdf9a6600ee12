// Crash loops (issue 14): a mixed load — REST writes from several clients, an async CSV
// import, alert evaluation, a backup — and kill -9 of the server at a random moment, then a
// restart and the checks: the SQLite file is intact, every acknowledged write is there with
// its acknowledged values, the revenue rollups equal the raw rows, no import is left queued
// or running, and migrations run again without changing anything. On PostgreSQL (under
// scripts/test-pg) two servers share the database and one or both are killed.
//   CRASH_ROUNDS=200 KAM_BIN=$PWD/build/san/kam node --test tests/sys/crashloop.test.mjs
//   CRASH_ROUNDS=50 KAM_BIN=$PWD/build/san/kam scripts/test-pg tests/sys/crashloop.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { PG, BIN, kam, serve, api, psql, demoDb, sleep } from '../lib/harness.mjs';

const ROUNDS = Number(process.env.CRASH_ROUNDS || 3);
const WRITERS = 4;
const IMPORT_ROWS = 1500;
const run = promisify(execFile);

// a seeded generator, so a failing round can be replayed with CRASH_SEED
const SEED = Number(process.env.CRASH_SEED || Date.now() % 1e9);
let rs = SEED;
const rnd = () => ((rs = (rs * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rnd() * a.length)];

test(`crash loop: ${ROUNDS} rounds of kill -9 under a mixed load (${PG ? 'PostgreSQL, two nodes' : 'SQLite'}, seed ${SEED})`, { timeout: Infinity }, async () => {
  const { t, db } = demoDb();
  const dbname = PG ? new URL(db).pathname.slice(1) : null;
  const sql = (q) => (PG ? psql(q, dbname) : execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim());
  const token = kam(['token', 'create', '--email', 'admin@example.com', '--name', 'crash', '--db', db]).trim();
  const env = { KAM_JOB_INTERVAL: '1' };
  const nodes = PG ? [null, null] : [null];
  const start = async () => {
    for (let i = 0; i < nodes.length; i++) if (!nodes[i]) nodes[i] = await serve(db, env);
  };
  const schema = () => sql(PG
    ? "SELECT md5(string_agg(table_name || '.' || column_name || ':' || data_type || ':' || coalesce(column_default, ''), ',' ORDER BY table_name, column_name)) FROM information_schema.columns WHERE table_schema = 'public'"
    : "SELECT group_concat(type || name || coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master ORDER BY type, name)")
    + '|' + sql("SELECT count(*) || ':' || max(version) FROM schema_migrations");
  const stats = { rounds: 0, acked: 0, killedBoth: 0, imports: { done: 0, failed: 0 }, backups: 0 };
  const t0 = Date.now();
  try {
    await start();
    const target = await api(nodes[0].url, token, 'POST', '/api/v1/accounts', { name: 'Crash Import Target', owner_id: 3 });
    assert.equal(target.status, 201, target.text);
    const schemaBefore = schema();

    for (let round = 0; round < ROUNDS; round++) {
      const R = `r${round}`;
      const acked = { accounts: new Map(), interactions: new Map(), transactions: new Map() };
      const pending = new Map(); // account id → the notes sent without an answer (may be in, or not)
      let dead = false;
      const bad = [];
      const check = (r, what) => {
        if (r.status >= 200 && r.status < 300) return true;
        if (r.status === 503) return false; // the database was busy or away: not acknowledged
        bad.push(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
        return false;
      };
      const call = async (what, method, path, body) => {
        try {
          const node = pick(nodes.filter(Boolean));
          return await api(node.url, token, method, path, body);
        } catch {
          return null; // the server died under the request: not acknowledged
        }
      };
      const writer = async (w) => {
        const mine = [];
        for (let i = 0; !dead; i++) {
          const op = mine.length === 0 ? 0 : Math.floor(rnd() * 4);
          if (op === 0) {
            const body = { name: `cr-${R}-${w}-${i}`, tags: ['crash'], owner_id: 3, notes: 'n0' };
            const r = await call('create account', 'POST', '/api/v1/accounts', body);
            if (r && check(r, 'create account')) { acked.accounts.set(r.json.id, body.notes); mine.push(r.json.id); }
          } else if (op === 1) {
            const id = pick(mine), notes = `n${i}`;
            const r = await call('patch account', 'PATCH', `/api/v1/accounts/${id}`, { notes });
            if (r && check(r, 'patch account')) { acked.accounts.set(id, notes); pending.delete(id); }
            else if (!r) pending.set(id, [...(pending.get(id) || []), notes]); // no answer: in, or not
          } else if (op === 2) {
            const body = { account_id: pick(mine), kind: 'call', occurred_at: `2026-0${1 + (i % 9)}-1${i % 9}T10:00:00Z`, summary: `s-${R}-${w}-${i}` };
            const r = await call('create interaction', 'POST', '/api/v1/interactions', body);
            if (r && check(r, 'create interaction')) acked.interactions.set(r.json.id, body.summary);
          } else {
            const body = { account_id: pick(mine), booked_on: `2026-0${1 + (i % 9)}-0${1 + (i % 9)}`, amount: 100 + i, currency: 'EUR' };
            const r = await call('create transaction', 'POST', '/api/v1/transactions', body);
            if (r && check(r, 'create transaction')) acked.transactions.set(r.json.id, body.amount);
          }
        }
      };
      const evaluator = async () => {
        while (!dead) {
          const r = await call('evaluate alerts', 'POST', '/api/v1/alerts/evaluate');
          if (r) check(r, 'evaluate alerts');
          await sleep(50);
        }
      };
      // the import: IMPORT_ROWS transactions, queued on a node, running while the kill comes
      let csv = 'external_id,account,booked_on,amount,currency\n';
      for (let i = 0; i < IMPORT_ROWS; i++) csv += `IMP-${R}-${i},Crash Import Target,2026-0${1 + (i % 9)}-2${i % 9},${i % 700}.50,EUR\n`;
      let importId = null;
      const importer = (async () => {
        await sleep(rnd() * 200);
        const node = pick(nodes);
        try {
          const r = await fetch(`${node.url}/api/v1/imports?kind=transactions&async=true`, {
            method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body: csv,
          });
          const text = await r.text();
          if (check({ status: r.status, text }, 'queue import')) importId = JSON.parse(text).id;
        } catch { /* killed before it answered */ }
      })();
      // the backup: a separate process reading the live file (SQLite; PostgreSQL has pg_dump)
      const backupPath = join(t.dir, `backup-${R}.db`);
      const backup = PG ? null : (async () => {
        await sleep(rnd() * 400);
        try { await run(BIN, ['backup', backupPath, '--db', db]); return true; } catch (e) { return e; }
      })();

      const load = Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), evaluator(), importer]);
      await sleep(150 + rnd() * 900);
      // kill -9: on PostgreSQL one node or both
      const victims = PG ? (rnd() < 0.5 ? [0, 1] : [Math.floor(rnd() * 2)]) : [0];
      if (victims.length === 2) stats.killedBoth++;
      for (const v of victims) nodes[v].proc.kill('SIGKILL');
      for (const v of victims) {
        const p = nodes[v].proc;
        if (p.exitCode === null && p.signalCode === null) await new Promise((res) => p.on('exit', res));
        nodes[v] = null;
      }
      dead = true;
      await load;
      assert.deepEqual(bad, [], `round ${round}: every answer is a 2xx or a 503`);
      if (backup) {
        const b = await backup;
        if (b === true) {
          assert.equal(execFileSync('sqlite3', [backupPath, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok', `round ${round}: the backup is intact`);
          stats.backups++;
        } else {
          assert.fail(`round ${round}: kam backup failed: ${b.stderr || b}`);
        }
      }

      // the database as the kill left it
      if (!PG) assert.equal(sql('PRAGMA integrity_check'), 'ok', `round ${round}: integrity_check`);
      await start();
      assert.equal(schema(), schemaBefore, `round ${round}: the restart ran migrations without changing the schema`);

      // every acknowledged write is there with its acknowledged value (or a later one whose
      // answer the kill swallowed)
      const rows = (q) => sql(q).split('\n').filter(Boolean).map((l) => l.split('|'));
      const acc = new Map(rows(`SELECT id, notes FROM accounts WHERE name LIKE 'cr-${R}-%'`).map(([id, n]) => [Number(id), n]));
      for (const [id, notes] of acked.accounts) {
        assert.ok(acc.has(id), `round ${round}: acknowledged account ${id} is there`);
        const got = acc.get(id);
        assert.ok(got === notes || (pending.get(id) || []).includes(got), `round ${round}: account ${id} notes ${got}, acknowledged ${notes}`);
      }
      const inter = new Map(rows(`SELECT id, summary FROM interactions WHERE summary LIKE 's-${R}-%'`).map(([id, s]) => [Number(id), s]));
      for (const [id, s] of acked.interactions) assert.equal(inter.get(id), s, `round ${round}: interaction ${id}`);
      if (acked.transactions.size) {
        const ids = [...acked.transactions.keys()].join(',');
        const tx = new Map(rows(`SELECT id, amount FROM transactions WHERE id IN (${ids})`).map(([id, a]) => [Number(id), Number(a)]));
        for (const [id, a] of acked.transactions) assert.equal(tx.get(id), a, `round ${round}: transaction ${id}`);
      }
      // and through the API, as a user sees them
      const node = nodes[0];
      for (const id of [...acked.accounts.keys()].slice(-3)) {
        const r = await api(node.url, token, 'GET', `/api/v1/accounts/${id}`);
        assert.equal(r.status, 200, r.text);
        assert.ok([acked.accounts.get(id), ...(pending.get(id) || [])].includes(r.json.notes));
      }
      stats.acked += acked.accounts.size + acked.interactions.size + acked.transactions.size;

      // the import: finished, or failed with the reason; never left queued or running
      if (importId) {
        let imp;
        for (let i = 0; i < 300; i++) {
          imp = (await api(node.url, token, 'GET', `/api/v1/imports/${importId}`)).json;
          if (!['queued', 'running'].includes(imp.status)) break;
          await sleep(100);
        }
        assert.ok(['done', 'failed'].includes(imp.status), `round ${round}: import ${importId} is ${imp.status} after the restart`);
        const n = Number(sql(`SELECT count(*) FROM transactions WHERE external_id LIKE 'IMP-${R}-%'`));
        if (imp.status === 'done') {
          assert.equal(n, IMPORT_ROWS);
          stats.imports.done++;
        } else {
          assert.match(imp.errors[0].message, /stopped/, JSON.stringify(imp.errors));
          assert.equal(n, imp.created, `round ${round}: the failed import's count says what went in`);
          stats.imports.failed++;
        }
      }
      assert.equal(sql("SELECT count(*) FROM imports WHERE status IN ('queued', 'running')"), '0');

      // the rollups equal the raw rows
      assert.equal(sql(`SELECT count(*) FROM (
          SELECT account_id, month, amount, transactions FROM revenue_account_monthly WHERE transactions <> 0
          EXCEPT SELECT account_id, substr(booked_on, 1, 7), sum(amount_base), count(*) FROM transactions GROUP BY 1, 2) x`), '0', `round ${round}: revenue_account_monthly`);
      assert.equal(sql(`SELECT count(*) FROM (
          SELECT account_id, substr(booked_on, 1, 7), sum(amount_base), count(*) FROM transactions GROUP BY 1, 2
          EXCEPT SELECT account_id, month, amount, transactions FROM revenue_account_monthly) x`), '0', `round ${round}: every month of raw rows is rolled up`);
      assert.equal(sql(`SELECT count(*) FROM (
          SELECT account_id, coalesce(product_id, 0), substr(booked_on, 1, 7), sum(amount_base), count(*) FROM transactions GROUP BY 1, 2, 3
          EXCEPT SELECT account_id, product_id, month, amount, transactions FROM revenue_monthly) x`), '0', `round ${round}: revenue_monthly`);
      assert.equal(sql("SELECT (SELECT abs_total FROM money_totals WHERE name = 'transactions') = (SELECT coalesce(sum(abs(amount_base)), 0) FROM transactions)"), PG ? 't' : '1', `round ${round}: money_totals`);
      assert.equal(sql('SELECT count(*) FROM accounts a WHERE a.last_interaction_at IS DISTINCT FROM (SELECT max(i.occurred_at) FROM interactions i WHERE i.account_id = a.id)'), '0', `round ${round}: last_interaction_at`);
      // the KPI answer agrees with the raw rows too
      const kpi = await api(node.url, token, 'GET', '/api/v1/kpis?scope=account&id=' + target.json.id + '&from=2026-01-01&to=2027-01-01');
      assert.equal(kpi.status, 200, kpi.text);
      assert.equal(kpi.json.kpis.revenue.value, Number(sql(`SELECT coalesce(sum(amount_base), 0) FROM transactions WHERE account_id = ${target.json.id} AND booked_on >= '2026-01-01' AND booked_on < '2027-01-01'`)));
      stats.rounds++;
      if (existsSync(backupPath)) execFileSync('rm', ['-f', backupPath]);
    }
  } finally {
    for (const n of nodes) if (n) assert.equal(await n.stop(), 0, n.log().slice(-2000));
    console.log(`crashloop: ${JSON.stringify(stats)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (PG) psql(`DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)`);
    t.rm();
  }
});

test('an import running when its server is killed is marked failed on restart, counting the rows it committed', async () => {
  const { t, db } = demoDb();
  const dbname = PG ? new URL(db).pathname.slice(1) : null;
  const sql = (q) => (PG ? psql(q, dbname) : execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim());
  const token = kam(['token', 'create', '--email', 'admin@example.com', '--name', 'crash', '--db', db]).trim();
  let s = await serve(db, { KAM_JOB_INTERVAL: '1' });
  try {
    const acc = await api(s.url, token, 'POST', '/api/v1/accounts', { name: 'Killed Import Target', owner_id: 3 });
    assert.equal(acc.status, 201);
    let csv = 'external_id,account,booked_on,amount,currency\n';
    for (let i = 0; i < 30000; i++) csv += `KILL-${i},Killed Import Target,2026-0${1 + (i % 9)}-1${i % 9},${i % 500}.25,EUR\n`;
    const q = async () => {
      const r = await fetch(`${s.url}/api/v1/imports?kind=transactions&async=true`, {
        method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body: csv,
      });
      assert.equal(r.status, 202);
      return (await r.json()).id;
    };
    const running = await q(), queued = await q();
    let run;
    for (let i = 0; i < 600; i++) {
      run = (await api(s.url, token, 'GET', `/api/v1/imports/${running}`)).json;
      if (run.status === 'running' && sql("SELECT count(*) FROM transactions WHERE external_id LIKE 'KILL-%'") !== '0') break;
      await sleep(20);
    }
    assert.equal(run.status, 'running', 'killed while it runs');
    s.proc.kill('SIGKILL');
    await new Promise((res) => s.proc.on('close', res));
    assert.deepEqual(sql(`SELECT status FROM imports WHERE id IN (${running}, ${queued}) ORDER BY id`).split('\n'), ['running', 'queued'], 'the kill left them so');
    s = await serve(db, { KAM_JOB_INTERVAL: '1' });
    const get = async (id) => {
      for (let i = 0; i < 100; i++) {
        const r = (await api(s.url, token, 'GET', `/api/v1/imports/${id}`)).json;
        if (!['queued', 'running'].includes(r.status)) return r;
        await sleep(100);
      }
      assert.fail(`import ${id} is still queued or running after the restart`);
    };
    const a = await get(running), b = await get(queued);
    for (const r of [a, b]) {
      assert.equal(r.status, 'failed');
      assert.match(r.errors[0].message, /server running this import stopped/);
      assert.ok(r.finished_at);
    }
    const n = Number(sql("SELECT count(*) FROM transactions WHERE external_id LIKE 'KILL-%'"));
    assert.ok(n > 0 && n < 30000, `some batches went in (${n})`);
    assert.equal(a.created, n, 'the failed run counts the rows its committed batches wrote');
    assert.equal(b.created, 0);
    // sent again, the file completes: the rows in already are not duplicated
    const again = await q();
    for (let i = 0; i < 1200; i++) {
      run = (await api(s.url, token, 'GET', `/api/v1/imports/${again}`)).json;
      if (!['queued', 'running'].includes(run.status)) break;
      await sleep(50);
    }
    assert.equal(run.status, 'done');
    assert.deepEqual([run.created, run.unchanged], [30000 - n, n]);
  } finally {
    assert.equal(await s.stop(), 0, s.log().slice(-2000));
    if (PG) psql(`DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)`);
    t.rm();
  }
});

test('migrations: a second run changes nothing, and one that fails says why', () => {
  const { t, db } = demoDb();
  const dbname = PG ? new URL(db).pathname.slice(1) : null;
  const sql = (q) => (PG ? psql(q, dbname) : execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim());
  try {
    const before = sql('SELECT count(*) || \':\' || max(version) FROM schema_migrations');
    kam(['migrate', '--db', db]);
    assert.equal(sql('SELECT count(*) || \':\' || max(version) FROM schema_migrations'), before);
    // the records of the migrations lost: running them again fails on what the first one
    // added, and the message names that (SQLite's rollback used to wipe it to "not an
    // error"). Not only the last one: a migration may be one that can run twice (038
    // rebuilds an index), and then nothing fails
    sql('DELETE FROM schema_migrations');
    let err = '';
    try { kam(['migrate', '--db', db]); } catch (e) { err = e.stderr; }
    assert.match(err, /migration 0*\d+-[a-z-]+\.sql failed: /);
    assert.doesNotMatch(err, /not an error/);
    assert.match(err, /already exists|duplicate column/);
  } finally {
    if (PG) psql(`DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)`);
    t.rm();
  }
});
