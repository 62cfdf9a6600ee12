// Failed logins are rate-limited per e-mail and per client address: this file fails logins
// on purpose, so it has its own server. Requests come from several loopback addresses
// (127.0.0.2, …) so the two limits can be told apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { PG, createDb, kam, serve, demoDb } from '../lib/harness.mjs';

let t, db, srv;

before(async () => {
  ({ t, db } = demoDb());
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

function login(email, password, from) {
  const u = new URL(srv.url + '/api/v1/session');
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const rq = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: from,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(data) }));
    });
    rq.on('error', reject);
    rq.end(body);
  });
}

test('a wrong e-mail and a wrong password look the same', async () => {
  const a = await login('nobody@example.com', 'whatever-password', '127.0.0.2');
  const b = await login('viewer@example.com', 'wrong-password-1', '127.0.0.3');
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.json.detail, b.json.detail);
});

test('five failures for one e-mail from one address: the next try from there is 429, even with the right password', async () => {
  for (let i = 0; i < 5; i++)
    assert.equal((await login('sam@example.com', `wrong-${i}-password`, '127.0.0.10')).status, 401);
  const r = await login('sam@example.com', 'demo-password-1', '127.0.0.10');
  assert.equal(r.status, 429);
  const wait = Number(r.headers['retry-after']);
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  assert.equal(r.json.status, 429);
  assert.match(r.headers['content-type'], /application\/problem\+json/);
  // another user from that address is not affected
  assert.equal((await login('anna@example.com', 'demo-password-1', '127.0.0.10')).status, 201);
});

test('an attacker hammering one e-mail from elsewhere does not lock the user out of their own address', async () => {
  const answers = [];
  for (let i = 0; i < 12; i++) answers.push((await login('mia@example.com', `guess-${i}-password`, '127.0.0.11')).status);
  assert.deepEqual(answers, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
  // nor from several other addresses, each held to its own five
  for (let a = 12; a < 15; a++)
    for (let i = 0; i < 5; i++) assert.equal((await login('mia@example.com', `guess-${i}-password`, `127.0.0.${a}`)).status, 401);
  assert.equal((await login('mia@example.com', 'demo-password-1', '127.0.0.16')).status, 201);
});

test('forty guesses at once get at most five password checks', async () => {
  const all = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    login('dev@example.com', `parallel-${i}-password`, '127.0.0.17')));
  const counts = {};
  for (const r of all) counts[r.status] = (counts[r.status] || 0) + 1;
  assert.equal(counts[401], 5, JSON.stringify(counts));
  assert.equal(counts[429], 35, JSON.stringify(counts));
});

test('twenty failures from one address in a minute: the next try from it is 429 for anyone', async () => {
  for (let i = 0; i < 20; i++)
    assert.equal((await login(`spray${i}@example.com`, 'wrong-password-x', '127.0.0.30')).status, 401);
  assert.equal((await login('ben@example.com', 'demo-password-1', '127.0.0.30')).status, 429);
  assert.equal((await login('ben@example.com', 'demo-password-1', '127.0.0.31')).status, 201);
  assert.equal((await fetch(srv.url + '/healthz')).status, 200, 'the server keeps serving');
});

test('guesses of the current password are throttled like logins', async () => {
  const r0 = await fetch(srv.url + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'chloe@example.com', password: 'demo-password-1' }) });
  assert.equal(r0.status, 201);
  const cookie = r0.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await r0.json();
  const change = (current) => fetch(srv.url + '/api/v1/me/password', { method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf_token },
    body: JSON.stringify({ current_password: current, new_password: 'a-new-password-42' }) });
  for (let i = 0; i < 5; i++) assert.equal((await change(`guess-${i}-password`)).status, 400);
  const r = await change('demo-password-1');
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  assert.match((await r.json()).detail, /too many wrong current passwords/);
});

// Behind a reverse proxy every client has the proxy's address: X-Forwarded-For tells them
// apart, but only when the peer is a proxy named by --trusted-proxy.
test('X-Forwarded-For names the client only when a trusted proxy sends it', async () => {
  const db2 = PG ? createDb() : join(t.dir, 'proxy.db');
  kam(['demo', '--db', db2]);
  const s2 = await serve(db2, {}, ['--trusted-proxy', '127.0.0.40,127.0.0.41']);
  const via = (from, xff, email, password) => {
    const u = new URL(s2.url + '/api/v1/session');
    const body = JSON.stringify({ email, password });
    return new Promise((resolve, reject) => {
      const rq = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: from,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Forwarded-For': xff } },
      (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
      rq.on('error', reject);
      rq.end(body);
    });
  };
  try {
    // through the trusted proxy (two hops of it): the client 10.0.0.1 is throttled ...
    for (let i = 0; i < 5; i++) assert.equal(await via('127.0.0.40', `10.0.0.1, 127.0.0.41`, 'sam@example.com', `bad-${i}-password`), 401);
    assert.equal(await via('127.0.0.40', '10.0.0.1, 127.0.0.41', 'sam@example.com', 'demo-password-1'), 429);
    // ... and a client it chose to prepend to the header does not escape it
    assert.equal(await via('127.0.0.40', '6.6.6.6, 10.0.0.1', 'sam@example.com', 'demo-password-1'), 429);
    // another client behind the same proxy is not
    assert.equal(await via('127.0.0.40', '10.0.0.2', 'sam@example.com', 'demo-password-1'), 201);
    // from an untrusted peer the header is ignored: its own address is throttled
    for (let i = 0; i < 5; i++) assert.equal(await via('127.0.0.42', `10.0.0.${50 + i}`, 'ben@example.com', `bad-${i}-password`), 401);
    assert.equal(await via('127.0.0.42', '10.0.0.99', 'ben@example.com', 'demo-password-1'), 429);
  } finally {
    assert.equal(await s2.stop(), 0, s2.log().slice(-3000));
  }
});
