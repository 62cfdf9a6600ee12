// Writers of many accounts go one at a time on PostgreSQL. The alerts run (every account's
// health and segment) and an accounts import (its rows, then the whole portfolio ranked
// again) used to lock account rows in different orders; PostgreSQL then aborted one of them
// as a deadlock and kam answered 503 (a fresh clone's CI run saw it on the first import
// after a server started, against the server's first alerts run). Each now takes one
// advisory lock before its first account row. Here another session holds that lock while
// an evaluation and an import are sent: both wait for it and succeed once it is let go.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PG, createDb, kam, serve, psql, api, sleep } from '../lib/harness.mjs';

const skip = PG ? false : 'needs PostgreSQL: run through scripts/test-pg';
let db, dbname, srv, token;

before(async () => {
  if (skip) return;
  db = createDb();
  dbname = new URL(db).pathname.slice(1);
  kam(['demo', '--db', db]);
  token = kam(['token', 'create', '--email', 'director@example.com', '--name', 'lock', '--db', db]).trim();
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-2000));
  if (dbname) psql(`DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)`);
});

// Another session takes the portfolio lock, says so on stdout, and keeps it until its stdin
// closes; resolves once it holds the lock, with a function that lets it go.
async function holdLock() {
  const u = new URL(PG);
  const p = spawn('psql', ['-h', u.hostname, '-p', u.port, '-U', u.username || 'postgres', '-d', dbname,
    '-tA', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events = [];
  const exited = new Promise((res) => p.on('exit', () => { events.push('released'); res(); }));
  p.stdin.write("BEGIN;\nSELECT 'held', pg_advisory_xact_lock(7037293);\n");
  await new Promise((res) => p.stdout.on('data', (d) => { if (String(d).includes('held')) res(); }));
  return { events, release: async () => { p.stdin.end('COMMIT;\n'); await exited; } };
}

test('an alerts run waits for another holder of the portfolio lock, then succeeds', { skip }, async () => {
  const h = await holdLock();
  const ev = api(srv.url, token, 'POST', '/api/v1/alerts/evaluate').then((r) => { h.events.push('answered'); return r; });
  await sleep(500);
  const during = [...h.events];
  await h.release();
  assert.deepEqual(during, [], 'no answer while the lock is held elsewhere');
  const r = await ev;
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.accounts >= 30);
  assert.deepEqual(h.events, ['released', 'answered']);
});

test('an accounts import waits for it too, then writes its rows and ranks them', { skip }, async () => {
  const h = await holdLock();
  const csv = 'name,industry,country,strategic_importance\nLocked Out Ltd,Energy,DE,5\n';
  const im = fetch(`${srv.url}/api/v1/imports?kind=accounts`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body: csv,
  }).then(async (r) => { h.events.push('answered'); return { status: r.status, json: await r.json() }; });
  await sleep(500);
  const during = [...h.events];
  await h.release();
  assert.deepEqual(during, [], 'no answer while the lock is held elsewhere');
  const r = await im;
  assert.ok(r.status < 300, JSON.stringify(r.json));
  assert.equal(r.json.created, 1);
  assert.deepEqual(h.events, ['released', 'answered']);
  const found = await api(srv.url, token, 'GET', '/api/v1/accounts?q=Locked%20Out');
  assert.equal(found.json.items.length, 1);
  assert.ok(found.json.items[0].tier, 'ranked: it has a tier');
});

test('a transactions import does not take it: it never waits for a run of the alerts', { skip }, async () => {
  const acc = (await api(srv.url, token, 'GET', '/api/v1/accounts?limit=1')).json.items[0];
  const csv = `account_id,booked_on,amount,currency\n${acc.id},2026-01-15,1000,EUR\n`;
  const h = await holdLock();
  let r, j;
  try {
    r = await fetch(`${srv.url}/api/v1/imports?kind=transactions`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body: csv,
    });
    j = await r.json();
    h.events.push('answered');
  } finally {
    await h.release();
  }
  assert.ok(r.status < 300, JSON.stringify(j));
  assert.deepEqual(h.events, ['answered', 'released']);
});
