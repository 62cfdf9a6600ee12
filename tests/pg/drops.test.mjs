// PostgreSQL connection drops (issue 14): kam's backend connections terminated
// (pg_terminate_backend) at random moments of a write load and of imports. Every answer is a
// 2xx or a 503 problem (never a 500, never a hang); a write answered 503 left nothing behind;
// an import ends done, or failed with the rows its committed batches wrote counted; and the
// servers reconnect by themselves. DROP_SECONDS (default 4) sets the length of the write load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { PG, createDb, kam, serve, psql, sleep } from '../lib/harness.mjs';

const skip = PG ? false : 'needs PostgreSQL: run through scripts/test-pg';
const SECONDS = Number(process.env.DROP_SECONDS || 4);
const run = promisify(execFile);
let db, dbname, nodes = [], token;
const drops = { calls: 0, backends: 0 };

before(async () => {
  if (skip) return;
  db = createDb();
  dbname = new URL(db).pathname.slice(1);
  kam(['demo', '--db', db]);
  token = kam(['token', 'create', '--email', 'admin@example.com', '--name', 'drops', '--db', db]).trim();
  nodes = await Promise.all([serve(db, { KAM_JOB_INTERVAL: '1' }), serve(db, { KAM_JOB_INTERVAL: '1' })]);
});

after(async () => {
  console.log(`drops: ${drops.calls} pg_terminate_backend rounds, ${drops.backends} connections terminated`);
  const codes = await Promise.all(nodes.map((n) => n.stop())); // all of them, then judge
  codes.forEach((c, i) => assert.equal(c, 0, nodes[i].log().slice(-2000)));
  if (dbname) psql(`DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)`);
});

const sql = (q) => psql(q, dbname);

// Terminates kam's connections to the test database: all of them, or one at random.
async function drop() {
  const u = new URL(PG);
  const which = Math.random() < 0.3 ? '' : 'ORDER BY random() LIMIT 1';
  const q = `SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity WHERE datname = '${dbname}' AND application_name = 'kam' ${which}) x`;
  const { stdout } = await run('psql', ['-h', u.hostname, '-p', u.port, '-U', 'postgres', '-d', 'postgres', '-tA', '-c', q]);
  drops.calls++;
  drops.backends += Number(stdout.trim());
}

function dropper() {
  let stop = false;
  const done = (async () => {
    while (!stop) {
      await sleep(20 + Math.random() * 150);
      if (!stop) await drop();
    }
  })();
  return async () => { stop = true; await done; };
}

// One request: its status and body; a hang (no answer in 20 s) or a dropped HTTP connection
// fails the test.
async function call(method, path, body, type = 'application/json') {
  const node = nodes[Math.floor(Math.random() * nodes.length)];
  const r = await fetch(node.url + path, {
    method, signal: AbortSignal.timeout(20000),
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': type } : {}) },
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text, retryAfter: r.headers.get('retry-after'), type: r.headers.get('content-type') };
}

// A 2xx, or a 503 problem document saying when to retry; anything else is a defect.
function answered(r, what, bad) {
  if (r.status >= 200 && r.status < 300) return true;
  if (r.status === 503 && r.json?.status === 503 && /problem\+json/.test(r.type) && r.retryAfter) return false;
  bad.push(`${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return false;
}

test('connections dropped under a write load: 2xx or 503, nothing half-written, and the servers reconnect', { skip, timeout: 300000 }, async () => {
  const bad = [];
  const made = { accounts: [], refused: [], tx: [], txRefused: [] };
  const notes = new Map(); // account id → last acknowledged notes
  let n503 = 0, n2xx = 0;
  const stopAt = Date.now() + SECONDS * 1000;
  const writer = async (w) => {
    const mine = [];
    for (let i = 0; Date.now() < stopAt; i++) {
      const op = mine.length === 0 ? 0 : i % 3;
      if (op === 0) {
        const name = `drop-${w}-${i}`;
        const r = await call('POST', '/api/v1/accounts', { name, tags: ['drop'], owner_id: 3, notes: 'n0' });
        if (answered(r, 'create account', bad)) { n2xx++; mine.push(r.json.id); notes.set(r.json.id, 'n0'); made.accounts.push(name); }
        else if (r.status === 503) { n503++; made.refused.push(name); }
      } else if (op === 1) {
        const id = mine[i % mine.length], v = `n-${w}-${i}`;
        const r = await call('PATCH', `/api/v1/accounts/${id}`, { notes: v });
        if (answered(r, 'patch account', bad)) { n2xx++; notes.set(id, v); } else if (r.status === 503) n503++;
      } else {
        const ext = `DROP-${w}-${i}`;
        const r = await call('POST', '/api/v1/transactions', { account_id: mine[i % mine.length], booked_on: '2026-03-03', amount: 100 + i, currency: 'EUR', external_id: ext });
        if (answered(r, 'create transaction', bad)) { n2xx++; made.tx.push([ext, 100 + i]); }
        else if (r.status === 503) { n503++; made.txRefused.push(ext); }
      }
    }
  };
  const reader = async () => {
    while (Date.now() < stopAt) {
      const r = await call('GET', '/api/v1/kpis?from=2026-01-01&to=2027-01-01');
      if (answered(r, 'kpis', bad)) n2xx++; else if (r.status === 503) n503++;
      const l = await call('GET', '/api/v1/accounts?tag=drop&limit=50');
      if (answered(l, 'list', bad)) n2xx++; else if (l.status === 503) n503++;
    }
  };
  const stopDrops = dropper();
  try {
    await Promise.all([0, 1, 2, 3, 4, 5].map(writer).concat([reader()]));
  } finally {
    await stopDrops();
  }
  console.log(`write load: ${n2xx} 2xx, ${n503} 503 answers`);
  assert.deepEqual(bad, [], 'every answer is a 2xx or a 503 problem');
  assert.ok(made.accounts.length > 10, 'writes went through between the drops');

  // the servers reconnect by themselves: the next requests succeed on both
  for (const n of nodes) {
    let r;
    for (let i = 0; i < 3; i++) {
      r = await fetch(n.url + '/api/v1/accounts?limit=1', { headers: { Authorization: `Bearer ${token}` } });
      if (r.status === 200) break;
    }
    assert.equal(r.status, 200, 'a node serves again at once');
    assert.equal((await fetch(n.url + '/readyz')).status, 200);
  }

  // acknowledged writes are in with their values; refused ones left nothing
  const names = new Set(sql("SELECT name FROM accounts WHERE name LIKE 'drop-%'").split('\n'));
  assert.deepEqual(made.accounts.filter((x) => !names.has(x)), [], 'acknowledged accounts are in');
  assert.deepEqual(made.refused.filter((x) => names.has(x)), [], 'accounts answered 503 are absent');
  const got = new Map(sql("SELECT id || '|' || coalesce(notes, '') FROM accounts WHERE name LIKE 'drop-%'").split('\n').map((l) => l.split('|')).map(([id, v]) => [Number(id), v]));
  for (const [id, v] of notes) assert.equal(got.get(id), v, `account ${id} holds its last acknowledged notes, not a refused patch's`);
  const tx = new Map(sql("SELECT external_id || '|' || amount FROM transactions WHERE external_id LIKE 'DROP-%'").split('\n').filter(Boolean).map((l) => l.split('|')).map(([e, a]) => [e, Number(a)]));
  for (const [ext, a] of made.tx) assert.equal(tx.get(ext), a, `transaction ${ext}`);
  assert.deepEqual(made.txRefused.filter((e) => tx.has(e)), [], 'transactions answered 503 are absent');
  // and the rollups still equal the rows
  assert.equal(sql(`SELECT count(*) FROM (
      SELECT account_id, substr(booked_on, 1, 7), sum(amount_base), count(*) FROM transactions GROUP BY 1, 2
      EXCEPT SELECT account_id, month, amount, transactions FROM revenue_account_monthly) x`), '0');
  assert.equal(sql("SELECT (SELECT abs_total FROM money_totals WHERE name = 'transactions') = (SELECT coalesce(sum(abs(amount_base)), 0) FROM transactions)"), 't');
});

test('connections dropped during imports: each ends done, or failed counting what its committed batches wrote', { skip, timeout: 300000 }, async () => {
  const bad = [];
  const acc = await call('POST', '/api/v1/accounts', { name: 'Drop Import Target', owner_id: 3 });
  assert.equal(acc.status, 201, acc.text);
  const outcomes = [];
  for (let k = 0; k < 4; k++) {
    let csv = 'external_id,account,booked_on,amount,currency\n';
    for (let i = 0; i < 8000; i++) csv += `DI-${k}-${i},Drop Import Target,2026-0${1 + (i % 9)}-1${i % 9},${i % 500}.25,EUR\n`;
    // queued without drops (the submit is an ordinary write, tested above), then dropped while it runs
    const q = await call('POST', '/api/v1/imports?kind=transactions&async=true', csv, 'text/csv');
    assert.equal(q.status, 202, q.text);
    const stopDrops = dropper();
    let run;
    try {
      for (let i = 0; i < 1200; i++) {
        const r = await call('GET', `/api/v1/imports/${q.json.id}`);
        if (answered(r, 'import status', bad)) {
          run = r.json;
          if (!['queued', 'running'].includes(run.status)) break;
        }
        await sleep(50);
      }
    } finally {
      await stopDrops();
    }
    assert.deepEqual(bad, []);
    // the status may have been read through a dropped connection: read it once more, calm
    for (let i = 0; i < 200 && ['queued', 'running'].includes(run.status); i++) {
      await sleep(100);
      run = (await call('GET', `/api/v1/imports/${q.json.id}`)).json;
    }
    assert.ok(['done', 'failed'].includes(run.status), `import ${q.json.id} ended (${run.status})`);
    const n = Number(sql(`SELECT count(*) FROM transactions WHERE external_id LIKE 'DI-${k}-%'`));
    if (run.status === 'done') {
      assert.deepEqual([run.created, n], [8000, 8000]);
    } else {
      assert.match(run.errors.at(-1).message, /stopped/, JSON.stringify(run.errors));
      assert.equal(run.created, n, `failed import ${q.json.id}: created counts the rows in (${JSON.stringify(run.errors)})`);
    }
    outcomes.push(`${run.status}:${n}`);
  }
  console.log(`imports under drops: ${outcomes.join(' ')}`);
  assert.equal(sql(`SELECT count(*) FROM (
      SELECT account_id, substr(booked_on, 1, 7), sum(amount_base), count(*) FROM transactions GROUP BY 1, 2
      EXCEPT SELECT account_id, month, amount, transactions FROM revenue_account_monthly) x`), '0');
  const r = await call('GET', '/api/v1/imports?limit=10');
  assert.equal(r.status, 200, 'served again after the drops');
});

// Found by the drop test above: a query of the health inputs that failed (the connection
// dropped under it) left a statement pointer unset, and the clean-up freed it: the server
// died of a bad free. Here the query fails for a reason that stays, the table unreadable.
test('a query failing inside the health inputs is a problem answer, not a crashed server', { skip }, async () => {
  const acc = await call('POST', '/api/v1/accounts', { name: 'Health Query Target', owner_id: 3 });
  assert.equal(acc.status, 201, acc.text);
  for (const table of ['actions', 'opportunities', 'reviews']) {
    sql(`REVOKE SELECT ON ${table} FROM kam`);
    let r;
    try {
      r = await call('POST', '/api/v1/interactions', { account_id: acc.json.id, kind: 'call', occurred_at: '2026-01-02T03:04:05Z', summary: `unreadable ${table}` });
    } finally {
      sql(`GRANT SELECT ON ${table} TO kam`);
    }
    assert.ok(r.status >= 500 && r.json?.status === r.status, `${table}: ${r.status} ${r.text}`);
    const again = await call('POST', '/api/v1/interactions', { account_id: acc.json.id, kind: 'call', occurred_at: '2026-01-02T03:04:05Z', summary: `readable ${table}` });
    assert.equal(again.status, 201, again.text);
  }
  const left = sql("SELECT count(*) FROM interactions WHERE summary LIKE 'unreadable %'");
  assert.equal(left, '0', 'the refused writes left nothing');
});

// A TCP proxy in front of PostgreSQL that, once armed, passes the next COMMIT on and cuts
// both connections when its answer comes back: the transaction is in, kam cannot know.
function commitCutter(port) {
  const p = { armed: false, cut: 0 };
  p.server = net.createServer((client) => {
    const up = net.connect(port, '127.0.0.1');
    let cutting = false;
    client.on('data', (d) => {
      if (p.armed && d.includes('COMMIT')) { p.armed = false; cutting = true; }
      up.write(d);
    });
    up.on('data', (d) => {
      if (!cutting) return client.write(d);
      p.cut++;
      client.destroy();
      up.destroy();
    });
    for (const [a, b] of [[client, up], [up, client]]) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  return new Promise((res) => p.server.listen(0, '127.0.0.1', () => { p.port = p.server.address().port; res(p); }));
}

test('a COMMIT whose answer is lost: kam learns whether it went in, and a 503 means it did not', { skip }, async () => {
  const cutter = await commitCutter(new URL(PG).port);
  const url = new URL(db);
  url.port = cutter.port;
  const s = await serve(url.href, { KAM_JOB_INTERVAL: '3600' });
  try {
    const post = (name) => fetch(s.url + '/api/v1/accounts', {
      method: 'POST', signal: AbortSignal.timeout(20000),
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, owner_id: 3 }),
    });
    assert.equal((await post('cut-warmup')).status, 201);
    await sleep(500); // the jobs' first run at start is over
    const statuses = [];
    for (let k = 0; k < 5; k++) {
      const before = cutter.cut;
      cutter.armed = true;
      const r = await post(`cut-${k}`);
      statuses.push(r.status);
      assert.equal(cutter.cut, before + 1, 'a COMMIT answer was cut');
      const n = sql(`SELECT count(*) FROM accounts WHERE name = 'cut-${k}'`);
      // the COMMIT went through: the create is in, and the answer must say so
      assert.equal(n, '1');
      assert.equal(r.status, 201, `cut-${k}: the write is in, yet kam answered ${r.status}`);
    }
    // and the server goes on on new connections
    assert.equal((await post('cut-after')).status, 201);
    console.log(`commit answers cut: ${cutter.cut}, answers ${statuses.join(',')}`);
  } finally {
    assert.equal(await s.stop(), 0, s.log().slice(-2000));
    cutter.server.close();
  }
});
