// Two kam servers on one PostgreSQL, each keeping resolved credentials in memory
// (src/http/authcache.c): whatever one node does to a token, a session or a user counts on
// the other node's very next request, as a write does for the KPI cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PG, createDb, kam, serve, api, login, psql } from '../lib/harness.mjs';

const skip = PG ? false : 'needs PostgreSQL: run through scripts/test-pg';
let db, a, b;
const tok = {};

before(async () => {
  if (skip) return;
  db = createDb();
  kam(['demo', '--db', db]);
  for (const u of ['admin', 'director', 'anna', 'ben', 'chloe'])
    tok[u] = kam(['token', 'create', '--email', `${u}@example.com`, '--name', 'two-nodes', '--db', db]).trim();
  [a, b] = await Promise.all([serve(db, { KAM_JOB_INTERVAL: '3600' }), serve(db, { KAM_JOB_INTERVAL: '3600' })]);
});

after(async () => {
  for (const n of [a, b]) if (n) assert.equal(await n.stop(), 0, n.log().slice(-2000));
});

// Two answers from each node, so both certainly hold the credential in memory.
async function warm(token) {
  for (const n of [a, b]) for (let i = 0; i < 2; i++) assert.equal((await api(n.url, token, 'GET', '/api/v1/me')).status, 200);
}

test('a token revoked on one node answers 401 on the other at once', { skip }, async () => {
  await warm(tok.anna);
  const mine = (await api(a.url, tok.anna, 'GET', '/api/v1/tokens')).json.items.find((x) => x.name === 'two-nodes');
  assert.equal((await api(a.url, tok.anna, 'DELETE', `/api/v1/tokens/${mine.id}`)).status, 204);
  assert.equal((await api(b.url, tok.anna, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await api(a.url, tok.anna, 'GET', '/api/v1/me')).status, 401);
});

test('a user deactivated on one node is out on the other at once', { skip }, async () => {
  await warm(tok.ben);
  const ben = (await api(b.url, tok.ben, 'GET', '/api/v1/me')).json;
  assert.equal((await api(a.url, tok.admin, 'PATCH', `/api/v1/users/${ben.id}`, { active: false })).status, 200);
  assert.equal((await api(b.url, tok.ben, 'GET', '/api/v1/me')).status, 401);
});

test('a role changed in the database counts on both nodes from the next request', { skip }, async () => {
  await warm(tok.director);
  psql("UPDATE users SET role = 'viewer' WHERE email = 'director@example.com'", new URL(db).pathname.slice(1));
  for (const n of [a, b]) {
    assert.equal((await api(n.url, tok.director, 'GET', '/api/v1/me')).json.role, 'viewer');
    assert.equal((await api(n.url, tok.director, 'PATCH', '/api/v1/accounts/1', { notes: 'x' })).status, 403);
  }
  psql("UPDATE users SET role = 'director' WHERE email = 'director@example.com'", new URL(db).pathname.slice(1));
  assert.equal((await api(b.url, tok.director, 'PATCH', '/api/v1/accounts/1', { notes: 'y' })).status, 200);
});

test('a session logged out on one node ends on the other, used there a moment before', { skip }, async () => {
  const s = await login(a.url, 'chloe@example.com');
  for (const n of [a, b]) for (let i = 0; i < 2; i++)
    assert.equal((await fetch(n.url + '/api/v1/me', { headers: { Cookie: s.cookie } })).status, 200);
  const out = await fetch(b.url + '/api/v1/session', { method: 'DELETE', headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf } });
  assert.equal(out.status, 204);
  for (const n of [a, b]) assert.equal((await fetch(n.url + '/api/v1/me', { headers: { Cookie: s.cookie } })).status, 401);
});

test('settings changed on one node are in force on the other at once', { skip }, async () => {
  const today = async (n) => (await api(n.url, tok.admin, 'GET', '/api/v1/session')).json.clock.today;
  const zone = async (z) => assert.equal((await api(a.url, tok.admin, 'PATCH', '/api/v1/settings', { time_zone: z })).status, 200);
  // 25 hours apart: "today" differs between these two zones at every instant
  await zone('Pacific/Pago_Pago');
  const before = [await today(a), await today(b), await today(b)];
  assert.equal(before[1], before[0]);
  await zone('Pacific/Kiritimati');
  const after = await today(b);
  assert.notEqual(after, before[1], 'node B still counts days in the old zone');
  assert.equal(after, await today(a));
});

// Reads until node n answers from its record cache (the jobs' first run at start may move a
// score between two reads: docs/testing.md); the answer served from memory.
async function cached(n, token, path) {
  for (let i = 0; i < 20; i++) {
    const r = await api(n.url, token, 'GET', path);
    assert.equal(r.status, 200, r.text);
    if (r.headers.get('x-cache') === 'hit') return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`${path} never came from node ${n.url}'s record cache`);
}

test('a record kept in memory on one node is read afresh after a change on the other', { skip }, async () => {
  // (earlier tests revoked Anna's token and deactivated Ben)
  const read = (n) => api(n.url, tok.director, 'GET', '/api/v1/accounts/5');
  const first = await cached(a, tok.director, '/api/v1/accounts/5');
  const p = await api(b.url, tok.director, 'PATCH', '/api/v1/accounts/5', { notes: 'changed on node B' });
  assert.equal(p.status, 200, p.text);
  const again = await read(a);
  assert.equal(again.json.notes, 'changed on node B');
  assert.equal(again.headers.get('etag'), p.headers.get('etag'));
  assert.notEqual(again.headers.get('etag'), first.headers.get('etag'));
});

test('taken off an account\'s team on one node, the other node answers as for a missing one', { skip }, async () => {
  // Chloé (user 5) is on account 2's team
  const missing = await api(a.url, tok.chloe, 'GET', '/api/v1/accounts/999999');
  const read = () => api(a.url, tok.chloe, 'GET', '/api/v1/accounts/2');
  await cached(a, tok.chloe, '/api/v1/accounts/2');
  assert.equal((await api(b.url, tok.director, 'DELETE', '/api/v1/accounts/2/team/5')).status, 204);
  const r = await read();
  assert.equal(r.status, 404);
  assert.equal(r.text, missing.text.replace('999999', '2'));
});
