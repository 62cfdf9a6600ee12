// Several kam servers on one PostgreSQL: shared sessions, no lost writes, a node killed
// mid-load, PostgreSQL restarting under a running server, and job leases that move.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, PG_DIR, createDb, kam, serve, api, login, psql, sleep } from '../lib/harness.mjs';

const skip = PG ? false : 'needs PostgreSQL: run through scripts/test-pg';
let db, dbname, a, b, token;

before(async () => {
  if (skip) return;
  db = createDb();
  dbname = new URL(db).pathname.slice(1);
  kam(['demo', '--db', db]);
  token = kam(['token', 'create', '--email', 'admin@example.com', '--name', 'multinode', '--db', db]).trim();
  [a, b] = await Promise.all([serve(db, { KAM_JOB_INTERVAL: '1' }), serve(db, { KAM_JOB_INTERVAL: '1' })]);
});

after(async () => {
  // SIGTERM drains and exits 0; the sanitizer build exits non-zero on any memory error
  for (const n of [a, b]) if (n) assert.equal(await n.stop(), 0, n.log().slice(-2000));
});

test('a session made on one node is valid on the other', { skip }, async () => {
  const s = await login(a.url, 'anna@example.com');
  const r = await fetch(b.url + '/api/v1/me', { headers: { Cookie: s.cookie } });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).email, 'anna@example.com');
  // and a CSRF-protected write through the other node works with the same session
  const w = await fetch(b.url + '/api/v1/tokens', {
    method: 'POST',
    headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'via-b' }),
  });
  assert.equal(w.status, 201);
  const out = await fetch(a.url + '/api/v1/session', { method: 'DELETE', headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf } });
  assert.equal(out.status, 204);
  const again = await fetch(b.url + '/api/v1/me', { headers: { Cookie: s.cookie } });
  assert.equal(again.status, 401, 'logging out on one node ends the session on all');
});

test('two nodes updating one record: the stale write gets 412 and nothing is lost', { skip }, async () => {
  const r0 = await api(a.url, token, 'GET', '/api/v1/accounts/1');
  const etag = r0.headers.get('etag');
  const r1 = await api(a.url, token, 'PATCH', '/api/v1/accounts/1', { notes: 'from node A' }, { 'If-Match': etag });
  assert.equal(r1.status, 200);
  const r2 = await api(b.url, token, 'PATCH', '/api/v1/accounts/1', { notes: 'from node B' }, { 'If-Match': etag });
  assert.equal(r2.status, 412);
  assert.equal(r2.json.status, 412);
  const r3 = await api(b.url, token, 'GET', '/api/v1/accounts/1');
  assert.equal(r3.json.notes, 'from node A');
  assert.notEqual(r3.headers.get('etag'), etag);
  // concurrent unconditional updates: every one bumps the version exactly once
  const before = Number(r3.headers.get('etag').replaceAll('"', ''));
  // a 503 (busy, Retry-After) means the write is not in: a client sends it again
  const patch = async (i) => {
    for (let k = 0; ; k++) {
      const w = await api(i % 2 ? a.url : b.url, token, 'PATCH', '/api/v1/accounts/1', { notes: `w${i}` });
      if (w.status !== 503 || k === 5) return w;
      await sleep(1000 * Number(w.headers.get('retry-after') || 1));
    }
  };
  const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => patch(i)));
  assert.ok(writes.every((w) => w.status === 200), writes.map((w) => w.status).join(','));
  const r4 = await api(a.url, token, 'GET', '/api/v1/accounts/1');
  assert.equal(Number(r4.headers.get('etag').replaceAll('"', '')), before + 20);
});

test('a node killed with SIGKILL mid-load: the other goes on and every acknowledged write is kept', { skip }, async () => {
  const acked = [];
  let failedOnB = 0, afterKill = 0, killed = false;
  const stopAt = Date.now() + 4000;
  const worker = async (w) => {
    for (let i = 0; Date.now() < stopAt; i++) {
      const node = (i + w) % 2 ? a : b;
      const name = `load-${w}-${i}`;
      try {
        const r = await api(node.url, token, 'POST', '/api/v1/accounts', { name, tags: ['load'] });
        if (r.status === 201) { acked.push(name); if (killed && node === a) afterKill++; }
        else assert.fail(`unexpected ${r.status} ${r.text}`);
      } catch (e) {
        if (e.code === 'ERR_ASSERTION') throw e;
        if (node !== b) throw e;
        failedOnB++;
      }
    }
  };
  const load = Promise.all([0, 1, 2, 3].map(worker));
  await sleep(1500);
  b.proc.kill('SIGKILL');
  killed = true;
  await load;
  assert.ok(failedOnB > 0, 'requests to the killed node failed');
  assert.ok(afterKill > 10, `node A went on serving after the kill (${afterKill} writes)`);
  const seen = new Set();
  let cursor = null;
  do {
    const r = await api(a.url, token, 'GET', `/api/v1/accounts?tag=load&limit=500${cursor ? '&cursor=' + cursor : ''}`);
    assert.equal(r.status, 200);
    for (const it of r.json.items) seen.add(it.name);
    cursor = r.json.next_cursor;
  } while (cursor);
  const missing = acked.filter((n) => !seen.has(n));
  assert.deepEqual(missing, [], 'every acknowledged write is in the database');
  b = await serve(db, { KAM_JOB_INTERVAL: '1' });
});

test('PostgreSQL restarts under a running server: it recovers without a restart of its own', { skip }, async () => {
  assert.equal((await api(a.url, token, 'GET', '/api/v1/accounts/2')).status, 200);
  execFileSync(new URL('../../scripts/pgtmp', import.meta.url).pathname, ['restart', PG_DIR]);
  const statuses = [];
  let ok = false;
  for (let i = 0; i < 50 && !ok; i++) {
    const r = await api(a.url, token, 'GET', '/api/v1/accounts/2');
    statuses.push(r.status);
    if (r.status === 503) assert.ok(r.headers.get('retry-after'), '503 says when to retry');
    else assert.equal(r.status, 200, r.text);
    ok = r.status === 200;
    if (!ok) await sleep(100);
  }
  assert.ok(ok, `recovered: ${statuses}`);
  const w = await api(a.url, token, 'POST', '/api/v1/accounts', { name: 'after restart' });
  assert.equal(w.status, 201);
  const ready = await fetch(a.url + '/readyz');
  assert.equal(ready.status, 200);
});

test('a background job runs on one node at a time and moves when that node dies', { skip }, async () => {
  // an earlier test killed a node: its lease runs out (3 intervals) before a live node takes it
  const holder = async () => {
    for (let i = 0; i < 100; i++) {
      const h = psql("SELECT holder FROM leases WHERE name = 'janitor'", dbname);
      if (h && [a.pid, b.pid].includes(Number(h.split(':')[1]))) return h;
      await sleep(100);
    }
    return psql("SELECT holder FROM leases WHERE name = 'janitor'", dbname);
  };
  const h1 = await holder();
  const pid1 = Number(h1.split(':')[1]);
  assert.ok([a.pid, b.pid].includes(pid1), `holder ${h1} is one of the nodes`);
  assert.equal(psql("SELECT count(*) FROM leases WHERE name = 'janitor'", dbname), '1');
  const victim = pid1 === a.pid ? a : b;
  const survivor = victim === a ? b : a;
  victim.proc.kill('SIGKILL');
  let moved = '';
  for (let i = 0; i < 80 && !moved; i++) {
    await sleep(100);
    const h = psql("SELECT holder FROM leases WHERE name = 'janitor'", dbname);
    if (Number(h.split(':')[1]) === survivor.pid) moved = h;
  }
  assert.ok(moved, 'the lease moved to the surviving node');
  if (victim === a) a = await serve(db); else b = await serve(db);
});

test('a write on one node invalidates cached reports on the other', { skip }, async () => {
  const q = '/api/v1/kpis?scope=account&id=3&from=2020-01-01&to=2030-01-01';
  const first = await api(a.url, token, 'GET', q);
  assert.equal((await api(a.url, token, 'GET', q)).headers.get('x-cache'), 'hit');
  const w = await api(b.url, token, 'POST', '/api/v1/transactions', { account_id: 3, booked_on: '2025-05-05', amount: 777, currency: 'EUR' });
  assert.equal(w.status, 201, w.text);
  const after = await api(a.url, token, 'GET', q);
  assert.equal(after.headers.get('x-cache'), 'miss');
  assert.equal(after.json.kpis.revenue.value, first.json.kpis.revenue.value + 777);
});
