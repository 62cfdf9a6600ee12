// On PostgreSQL a re-import reads the stored transactions of a batch of rows in one
// statement (issue 20; a read per row before, as SQLite still does) and compares each row
// with its own stored record in C. Both paths run on both backends (scripts/test-pg;
// KAM_IMPORT_READ_AHEAD=1 or 0 takes the other path): rows changed in the middle of a large
// batch — amount, day, product, an external id that needs quoting — are updated, exactly
// those, with the rollup moved by exactly their difference; every other row is unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { serve, api, demoDb, tokens, sleep, importCsv } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const servers = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin'], 'import-reimport'));
  for (const [mode, on] of [['ahead', '1'], ['row', '0']]) {
    const port = await freePort();
    servers[mode] = await serve(db, {
      KAM_JOB_INTERVAL: '3600', KAM_IMPORT_READ_AHEAD: on, KAM_METRICS_LISTEN: `127.0.0.1:${port}`,
    });
    servers[mode].metrics = `http://127.0.0.1:${port}/metrics`;
  }
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// The statements this server has sent to the database (GET /metrics).
async function statements(s) {
  for (let i = 0; ; i++) {
    try {
      const text = await (await fetch(s.metrics)).text();
      return [...text.matchAll(/^kam_db_statements_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    } catch (e) {
      if (i >= 100) throw e;
      await sleep(20);
    }
  }
}

after(async () => {
  for (const s of Object.values(servers)) assert.equal(await s.stop(), 0, s.log().slice(-3000));
  t.rm();
});

const upload = (csv, query = {}) => importCsv(srv.url, tok.admin, csv, { kind: 'transactions', ...query });
const get = (path) => api(srv.url, tok.admin, 'GET', path);
const q = (s) => `"${s.replace(/"/g, '""')}"`;
const N = 1500; // three read-ahead windows and some

async function revenue(acc) {
  const k = await get(`/api/v1/kpis?scope=account&id=${acc.id}&from=2024-01-01&to=2024-12-31`);
  assert.equal(k.status, 200, k.text);
  return k.json.kpis.revenue.value ?? 0;
}

for (const [mode, atomic] of [['ahead', false], ['ahead', true], ['row', false]]) {
  test(`a re-import updates exactly the rows that changed in the middle of a large batch (${mode === 'ahead' ? 'read ahead' : 'read per row'}${atomic ? ', atomic' : ''})`, async () => {
    srv = servers[mode];
    const accs = (await get('/api/v1/accounts?limit=3')).json.items;
    const prods = (await get('/api/v1/products?limit=2')).json.items;
    assert.equal(accs.length, 3);
    assert.equal(prods.length, 2);
    const tag = `${mode}-${atomic ? 'A' : 'R'}`;
    const ext = (i) => (i === 777 ? `${tag}-"quoted\\back{slash},x` : `${tag}-${i}`);
    const rows = [];
    for (let i = 0; i < N; i++) {
      rows.push({
        ext: ext(i), acc: accs[i % 3], prod: prods[i % 2],
        day: `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
        cents: 1000 + i,
      });
    }
    const csv = (rs) => 'external_id,account,product,booked_on,amount,currency\n' +
      rs.map((r) => `${q(r.ext)},${q(r.acc.name)},${q(r.prod.name)},${r.day},${(r.cents / 100).toFixed(2)},EUR`).join('\n') + '\n';
    const opts = atomic ? { atomic: 'true' } : {};
    const before0 = await Promise.all(accs.map(revenue));
    const first = await upload(csv(rows), opts);
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assert.equal(first.json.created, N, JSON.stringify(first.json.errors));
    const before1 = await Promise.all(accs.map(revenue));

    const again = await upload(csv(rows), opts);
    assert.equal(again.status, 201, JSON.stringify(again.json));
    assert.deepEqual([again.json.created, again.json.updated, again.json.unchanged, again.json.rejected], [0, 0, N, 0]);

    // changes in the middle of windows, at their edges, and in the last one
    const changed = new Map([
      [3, { cents: 99999 }],
      [511, { day: '2024-06-30' }],
      [512, { prod: prods[0] === rows[512].prod ? prods[1] : prods[0] }],
      [777, { cents: 5, day: '2024-02-29' }],
      [1024, { cents: 1 }],
      [1499, { prod: prods[0] === rows[1499].prod ? prods[1] : prods[0], cents: 123456 }],
    ]);
    const next = rows.map((r, i) => ({ ...r, ...(changed.get(i) ?? {}) }));
    const third = await upload(csv(next), opts);
    assert.equal(third.status, 201, JSON.stringify(third.json));
    assert.deepEqual([third.json.created, third.json.updated, third.json.unchanged, third.json.rejected],
      [0, changed.size, N - changed.size, 0], JSON.stringify(third.json.errors));

    for (const i of [0, 2, 3, 4, 510, 511, 512, 513, 776, 777, 778, 1023, 1024, 1025, 1498, 1499]) {
      const r = await get(`/api/v1/transactions?external_id=${encodeURIComponent(ext(i))}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.items.length, 1, `row ${i}`);
      const x = r.json.items[0], want = next[i];
      assert.deepEqual([x.account_id, x.product_id, x.booked_on, x.amount],
        [want.acc.id, want.prod.id, want.day, want.cents], `row ${i} as the last file says`);
    }
    // the rollup moved by exactly the changed amounts, account by account
    const after = await Promise.all(accs.map(revenue));
    for (const [k, acc] of accs.entries()) {
      const sum = (rs) => rs.filter((r) => r.acc === acc).reduce((s, r) => s + r.cents, 0);
      assert.equal(before1[k] - before0[k], sum(rows), `first import into ${acc.name}`);
      assert.equal(after[k] - before0[k], sum(next), `after the changes, ${acc.name}`);
    }
  });
}

// External ids that need quoting or escaping (in JSON, or an array literal) are found
// by the read-ahead itself: a re-import of 200 of them costs a few statements, not one per
// row as the read per row does (a key the statement missed would fall back to a read).
for (const mode of ['ahead', 'row']) {
  test(`external ids with quotes, backslashes, braces and commas are read ahead as themselves (${mode === 'ahead' ? 'read ahead' : 'read per row'})`, async () => {
    srv = servers[mode];
    const acc = (await get('/api/v1/accounts?limit=1')).json.items[0];
    const odd = ['"', '\\', '\\"', '{', '}', ',', '{a,b}', 'NULL', 'x y', 'ü ✓', "'", '\t', '[]', '"a",b'];
    const ids = Array.from({ length: 200 }, (_, i) => `${mode}-${odd[i % odd.length]}-${i}`);
    const csv = 'external_id,account,booked_on,amount,currency\n' +
      ids.map((id, i) => `${q(id)},${q(acc.name)},2023-05-${String(1 + (i % 28)).padStart(2, '0')},${i + 1}.00,EUR`).join('\n') + '\n';
    const first = await upload(csv);
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assert.equal(first.json.created, ids.length, JSON.stringify(first.json.errors));
    const a = await statements(srv);
    const again = await upload(csv);
    const used = (await statements(srv)) - a;
    assert.equal(again.status, 201, JSON.stringify(again.json));
    assert.deepEqual([again.json.created, again.json.updated, again.json.unchanged], [0, 0, ids.length]);
    if (mode === 'ahead') assert.ok(used < 60, `${used} statements for ${ids.length} stored rows read ahead`);
    else assert.ok(used >= ids.length, `${used} statements for ${ids.length} stored rows read one by one`);
  });
}
