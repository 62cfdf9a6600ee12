// The server keeps resolved tokens and sessions in memory (src/http/authcache.c) and checks
// them against the auth version on every request: whatever ends a credential or changes a
// user — through the API, or straight in the database as another node or a command would —
// shows on the very next request. Runs on SQLite, and on PostgreSQL under scripts/test-pg.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, demoDb, tokens, serve, api, login, psql } from '../lib/harness.mjs';

let db, t, s, tok;

// SQL run beside the server, by another process: what another node or a command does.
function sql(q) {
  if (PG) return psql(q, new URL(db).pathname.slice(1));
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8' }).trim();
}

const me = (token) => api(s.url, token, 'GET', '/api/v1/me');
const cookieGet = (sess, path = '/api/v1/me') => fetch(s.url + path, { headers: { Cookie: sess.cookie } });

// Two answers in a row, so the second certainly came from the cache.
async function warm(token) {
  assert.equal((await me(token)).status, 200);
  assert.equal((await me(token)).status, 200);
}

before(async () => {
  ({ db, t } = demoDb());
  tok = tokens(db, ['admin', 'director', 'anna', 'ben', 'chloe', 'dev', 'viewer'], 'authcache');
  s = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (s) assert.equal(await s.stop(), 0, s.log().slice(-2000));
  t?.rm();
});

test('a revoked API token answers 401 on the next request', async () => {
  await warm(tok.anna);
  const list = await api(s.url, tok.anna, 'GET', '/api/v1/tokens');
  const mine = list.json.items.find((x) => x.name === 'authcache');
  assert.equal((await api(s.url, tok.anna, 'DELETE', `/api/v1/tokens/${mine.id}`)).status, 204);
  assert.equal((await me(tok.anna)).status, 401);
  assert.equal((await api(s.url, tok.anna, 'GET', '/api/v1/accounts')).status, 401);
});

test('a token deleted in the database by another process answers 401 on the next request', async () => {
  await warm(tok.ben);
  const hits0 = await cacheHits();
  await warm(tok.ben);
  assert.ok(await cacheHits() > hits0, 'the token is served from memory');
  sql("DELETE FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE email = 'ben@example.com')");
  assert.equal((await me(tok.ben)).status, 401);
});

test('a user set inactive in the database is out at once, token and session', async () => {
  const sess = await login(s.url, 'chloe@example.com');
  await warm(tok.chloe);
  assert.equal((await cookieGet(sess)).status, 200);
  assert.equal((await cookieGet(sess)).status, 200);
  sql("UPDATE users SET active = 0 WHERE email = 'chloe@example.com'");
  assert.equal((await me(tok.chloe)).status, 401);
  assert.equal((await cookieGet(sess)).status, 401);
});

test('a user deactivated through the API is out at once', async () => {
  await warm(tok.dev);
  const dev = (await me(tok.dev)).json;
  const r = await api(s.url, tok.admin, 'PATCH', `/api/v1/users/${dev.id}`, { active: false });
  assert.equal(r.status, 200, r.text);
  assert.equal((await me(tok.dev)).status, 401);
});

test('a role taken away counts from the next request', async () => {
  await warm(tok.director);
  const d = (await me(tok.director)).json;
  assert.equal((await api(s.url, tok.director, 'PATCH', '/api/v1/accounts/1', { notes: 'as director' })).status, 200);
  sql(`UPDATE users SET role = 'viewer' WHERE id = ${d.id}`);
  assert.equal((await me(tok.director)).json.role, 'viewer');
  assert.equal((await api(s.url, tok.director, 'PATCH', '/api/v1/accounts/1', { notes: 'as viewer' })).status, 403);
  sql(`UPDATE users SET role = 'director' WHERE id = ${d.id}`);
  assert.equal((await api(s.url, tok.director, 'PATCH', '/api/v1/accounts/1', { notes: 'director again' })).status, 200);
});

test('a session logged out, or deleted in the database, stops working at once', async () => {
  const a = await login(s.url, 'viewer@example.com');
  const b = await login(s.url, 'viewer@example.com');
  for (const x of [a, b]) for (let i = 0; i < 2; i++) assert.equal((await cookieGet(x)).status, 200);
  const out = await fetch(s.url + '/api/v1/session', { method: 'DELETE', headers: { Cookie: a.cookie, 'X-CSRF-Token': a.csrf } });
  assert.equal(out.status, 204);
  assert.equal((await cookieGet(a)).status, 401);
  assert.equal((await cookieGet(b)).status, 200, 'the other session goes on');
  sql('DELETE FROM sessions');
  assert.equal((await cookieGet(b)).status, 401);
});

async function cacheHits() {
  const r = await fetch(s.url + '/metrics', { headers: { Authorization: `Bearer ${tok.admin}` } });
  const m = /^kam_auth_cache_hits_total (\d+)$/m.exec(await r.text());
  return Number(m[1]);
}
