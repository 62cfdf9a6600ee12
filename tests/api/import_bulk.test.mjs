// A transactions file as large as the table (issue 20) loads in one transaction, the three
// large indexes and the insert trigger dropped inside it and built again at its end
// (KAM_IMPORT_BULK_ROWS sets the smallest such file; the command line and atomic runs
// take that lane). What it stores must be exactly what the row-by-row lane stores — rows,
// monthly rollup, the money total, every check and the error report — and a run killed
// half-way must leave the database as it was, indexes included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, PG, psql, demoDb, sleep, serve, tokens, api, importTransactions } from '../lib/harness.mjs';

const BULK = { KAM_IMPORT_BULK_ROWS: '100' };
const ROW_BY_ROW = { KAM_IMPORT_BULK_ROWS: '1000000000' };

let a, b;
before(() => {
  a = demoDb();
  b = demoDb();
});
after(() => {
  a.t.rm();
  b.t.rm();
});

const sql = (db, q) =>
  PG
    ? psql(q, new URL(db).pathname.slice(1))
    // a reader waits for a lock as kam's own connections do (the load's last moments)
    : execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim();


// Everything a reader can see of the transactions, the rollups and the money total
// (row ids aside: the two lanes write new rows in another order).
function stored(db) {
  return {
    rows: sql(db, `SELECT account_id, COALESCE(product_id, 0), COALESCE(unit_id, 0), booked_on, amount, currency, amount_base,
                   external_id, intra_group FROM transactions ORDER BY external_id, account_id, booked_on, amount`),
    rollup: sql(db, 'SELECT account_id, product_id, month, amount, transactions FROM revenue_monthly ORDER BY 1, 2, 3'),
    accounts: sql(db, 'SELECT account_id, month, amount, transactions FROM revenue_account_monthly ORDER BY 1, 2'),
    money: sql(db, "SELECT abs_total FROM money_totals WHERE name = 'transactions'"),
  };
}

const schema = (db) =>
  PG
    ? psql(`SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE tablename = 'transactions' ORDER BY 1`, new URL(db).pathname.slice(1))
    : sql(db, "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'transactions' ORDER BY name");

function names(db, q) {
  return sql(db, q).split('\n');
}

// A file of n good rows over the demo's accounts and products, and after them the rows
// every check refuses, a few updates and unchanged rows of the demo's own transactions, a
// row in another currency and rows with a unit (these take the row-by-row lane even in a
// bulk load).
function file(db, n, dir) {
  const acc = names(db, 'SELECT name FROM accounts ORDER BY id');
  const prod = names(db, 'SELECT name FROM products ORDER BY id');
  const demo = sql(db, `SELECT t.external_id || '|' || a.name || '|' || t.booked_on || '|' || t.amount FROM transactions t
                        JOIN accounts a ON a.id = t.account_id WHERE t.currency = 'EUR' ORDER BY t.id LIMIT 3`).split('\n');
  const unitAcc = sql(db, "SELECT a.name || '|' || u.name FROM units u JOIN accounts a ON a.id = u.account_id ORDER BY u.id LIMIT 1").split('|');
  const lines = ['external_id,account,product,booked_on,amount,currency,unit'];
  for (let i = 0; i < n; i++) {
    const cents = (i * 7919) % 9999900 + 1;
    lines.push(`K-${(i * 104729) % 1000003},"${acc[(i * 31) % acc.length]}",${i % 9 ? `"${prod[i % prod.length]}"` : ''},` +
      `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')},"${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}",EUR,`);
  }
  lines.push(`K-bad-amount,"${acc[0]}",,2025-03-03,lots,EUR,`);
  lines.push(`K-${(5 * 104729) % 1000003},"${acc[1]}",,2025-03-03,1.00,EUR,`); // in the file twice
  lines.push(`K-nobody,"Nobody At All GmbH",,2025-03-03,1.00,EUR,`);
  lines.push(`K-noproduct,"${acc[2]}","No Such Product",2025-03-03,1.00,EUR,`);
  lines.push(`K-baddate,"${acc[2]}",,2025-13-45,1.00,EUR,`);
  lines.push(`K-norate,"${acc[2]}",,2025-03-03,1.00,CHF,`);
  lines.push(`K-usd,"${acc[3]}",,2025-05-05,"1,000.00",USD,`);
  lines.push(`K-unit-1,"${unitAcc[0]}",,2025-06-06,12.34,EUR,"${unitAcc[1]}"`);
  lines.push(`K-unit-2,"${unitAcc[0]}",,2025-06-07,-5.00,EUR,"${unitAcc[1]}"`);
  const [ext0, name0, day0, amount0] = demo[0].split('|');
  lines.push(`${ext0},"${name0}",,${day0},${(Number(amount0) / 100 + 1).toFixed(2)},EUR,`); // an update
  const [ext1, name1, day1, amount1] = demo[1].split('|');
  lines.push(`${ext1},"${name1}",,${day1},${(Number(amount1) / 100).toFixed(2)},EUR,`); // unchanged
  const path = join(dir, `tx-${n}.csv`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test('a bulk load stores exactly what the row-by-row lane stores, with the same report, and its indexes are back', () => {
  // more than the demo's transactions (about 2,100; the demo's three years end today, so
  // the count moves with the date): the bulk lane on SQLite
  const n = 3000;
  const f = file(a.db, n, a.t.dir);
  const before = schema(a.db);
  const demoRows = Number(sql(a.db, 'SELECT count(*) FROM transactions'));
  assert.ok(demoRows < n, `the demo holds ${demoRows} transactions, fewer than the file`);
  assert.deepEqual(stored(a.db), stored(b.db), 'two demo databases start equal');
  const bulk = importTransactions(a.db, f, BULK);
  const rows = importTransactions(b.db, f, ROW_BY_ROW);
  assert.deepEqual(bulk, rows, 'the same report');
  assert.equal(bulk.created, n + 3, JSON.stringify(bulk.errors)); // the good rows, USD, two with a unit
  assert.equal(bulk.updated, 1);
  assert.equal(bulk.unchanged, 1);
  assert.equal(bulk.rejected, 6);
  assert.deepEqual(bulk.errors.map((e) => [e.line, e.column]),
    [[n + 2, 'amount'], [n + 3, 'external_id'], [n + 4, 'account'], [n + 5, 'product'], [n + 6, 'booked_on'], [n + 7, 'currency']]);
  assert.deepEqual(stored(a.db), stored(b.db), 'the same rows, rollups and money total');
  const s = stored(a.db);
  assert.equal(s.rows.split('\n').length, demoRows + n + 3);
  // the rollup is exactly the rows, and the money total their sum
  assert.equal(sql(a.db, `SELECT (SELECT sum(transactions) FROM revenue_monthly) = (SELECT count(*) FROM transactions),
                           (SELECT sum(amount) FROM revenue_monthly) = (SELECT sum(amount_base) FROM transactions)`), PG ? 't|t' : '1|1');
  assert.equal(s.money, sql(a.db, 'SELECT sum(abs(amount_base)) FROM transactions'));
  assert.equal(schema(a.db), before, 'every index and trigger is back, as the migrations made it');
  if (!PG) assert.equal(sql(a.db, 'PRAGMA integrity_check'), 'ok');

  // again: every row is found (by the indexes the bulk load built) and unchanged
  const again = importTransactions(a.db, f, BULK);
  const againRows = importTransactions(b.db, f, ROW_BY_ROW);
  assert.deepEqual(again, againRows);
  assert.equal(again.created, 0);
  assert.equal(again.unchanged, n + 5, JSON.stringify(again.errors.slice(0, 3)));
  assert.deepEqual(stored(a.db), stored(b.db));
});

test('a bulk load refused as a whole (atomic) leaves nothing behind and its indexes in place', () => {
  const d = demoDb();
  try {
    const f = file(d.db, 2500, d.t.dir);
    const before = stored(d.db), sch = schema(d.db);
    const r = importTransactions(d.db, f, BULK, ['--atomic']);
    assert.equal(r.status, 'failed');
    assert.equal(r.rejected, 6);
    assert.deepEqual(stored(d.db), before);
    assert.equal(schema(d.db), sch);
  } finally {
    d.t.rm();
  }
});

// kill -9 at several points of a bulk load (how far it got varies from run to run; every
// outcome must hold): the indexes and trigger are all there, and the file is in whole or
// not at all. Meanwhile a server on the same database keeps answering from its indexes.
test('a bulk load killed half-way leaves the database with its indexes, and readers are served meanwhile',
  { skip: PG ? 'the bulk lane is SQLite only' : false }, async () => {
    const d = demoDb();
    try {
      const n = 150000;
      const f = file(d.db, n, d.t.dir);
      const sch = schema(d.db), before = stored(d.db);
      const base = join(d.t.dir, 'base.db');
      copyFileSync(d.db, base);
      const t0 = Date.now();
      importTransactions(d.db, f, BULK);
      const full = Date.now() - t0;
      assert.equal(schema(d.db), sch);
      const known = sql(base, "SELECT external_id FROM transactions ORDER BY id LIMIT 1");
      for (const share of [0.3, 0.6, 0.8, 0.9, 0.97]) {
        const db = join(d.t.dir, `k${share}.db`);
        copyFileSync(base, db);
        const p = spawn(BIN, ['import', 'transactions', f, '--db', db], { env: { ...process.env, ...BULK }, stdio: 'ignore' });
        const gone = new Promise((r) => p.on('exit', (code, sig) => r(sig || code)));
        // a reader on the same file while the load runs: the committed rows, by index
        const deadline = Date.now() + full * share;
        while (Date.now() < deadline) {
          assert.equal(sql(db, `SELECT count(*) FROM transactions WHERE external_id = '${known}'`), '1');
          await sleep(20);
        }
        p.kill('SIGKILL');
        await gone;
        assert.equal(schema(db), sch, `killed at ${share}: every index and trigger is there`);
        assert.equal(sql(db, 'PRAGMA integrity_check'), 'ok');
        const s = stored(db);
        const loaded = Number(sql(db, "SELECT count(*) FROM transactions WHERE external_id LIKE 'K-%'"));
        assert.ok(loaded === 0 || loaded === n + 3, `killed at ${share}: ${loaded} rows, all or none`);
        if (loaded === 0) assert.deepEqual(s, before);
        assert.equal(s.money, sql(db, 'SELECT sum(abs(amount_base)) FROM transactions'));
        const plan = sql(db, "EXPLAIN QUERY PLAN SELECT id FROM transactions WHERE external_id = 'x' AND account_id = 1");
        assert.match(plan, /transactions_external/, 'the unique index answers again');
      }
    } finally {
      d.t.rm();
    }
  });

// While a bulk load runs, a server on the same database answers from the committed data:
// every answer is the one from before the load or the one from after it, never a mix, and
// a read that needs the dropped indexes still finds its row. (The three requests of one
// "answer" are not one snapshot: the commit may fall between them, which once failed the
// test at random, before and after the import changes of issue 20's third pass alike.)
test('readers through the server during a bulk load get the answers of before or after it', async () => {
  const d = demoDb();
  const tok = tokens(d.db, ['admin'], 'bulk-read');
  const srv = await serve(d.db, { KAM_JOB_INTERVAL: '3600' });
  try {
    const get = async (path) => {
      const r = await api(srv.url, tok.admin, 'GET', path);
      assert.equal(r.status, 200, r.text);
      return r.json;
    };
    const n = 60000;
    const f = file(d.db, n, d.t.dir);
    const known = sql(d.db, 'SELECT external_id FROM transactions ORDER BY id LIMIT 1');
    const kpi = '/api/v1/kpis?from=2025-01-01&to=2026-01-01';
    const answer = async () => ({
      row: (await get(`/api/v1/transactions?external_id=${encodeURIComponent(known)}`)).items.map((t) => [t.id, t.amount]),
      revenue: (await get(kpi)).kpis.revenue.value,
      loaded: (await get('/api/v1/transactions?external_id=K-0')).items.length,
    });
    const before = await answer();
    assert.equal(before.loaded, 0);
    const p = spawn(BIN, ['import', 'transactions', f, '--db', d.db], { env: { ...process.env, ...BULK }, stdio: 'ignore' });
    const done = new Promise((r) => p.on('exit', (code) => r(code)));
    let running = true, reads = 0;
    done.then(() => { running = false; });
    const seen = [];
    while (running) {
      seen.push(await answer());
      reads++;
      await sleep(30);
    }
    assert.equal(await done, 3, 'the load ended (exit 3: its bad rows were rejected)');
    const afterwards = await answer();
    assert.equal(afterwards.loaded, 1);
    assert.notEqual(afterwards.revenue, before.revenue);
    // each answer is three requests, and the load's one commit may fall between two of
    // them: each request answers as before the load or as after it, and in the order they
    // were sent, once one has answered as after, none answers as before again
    let committed = false;
    for (const s of seen) {
      for (const k of ['row', 'revenue', 'loaded']) {
        const v = JSON.stringify(s[k]), was = JSON.stringify(before[k]), now = JSON.stringify(afterwards[k]);
        const msg = `a read during the load: ${JSON.stringify(s)}, before ${JSON.stringify(before)}, after ${JSON.stringify(afterwards)}`;
        assert.ok(v === was || v === now, msg);
        if (v === now && v !== was) committed = true;
        else assert.ok(!committed || v === now, `${msg}: an answer of before after one of after`);
      }
    }
    assert.ok(reads > 0);
  } finally {
    assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
    d.t.rm();
  }
});
