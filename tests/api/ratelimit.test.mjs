// Failed logins are rate-limited per e-mail and per client address: this file fails logins
// on purpose, so it has its own server. Requests come from several loopback addresses
// (127.0.0.2, …) so the two limits can be told apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { PG, createDb, kam, serve, tmp } from '../lib/harness.mjs';

let t, db, srv;

before(async () => {
  t = tmp();
  db = PG ? createDb() : join(t.dir, 'kam.db');
  kam(['demo', '--db', db]);
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

test('five failures for one e-mail in a minute: the next try is 429, even with the right password', async () => {
  for (let i = 0; i < 5; i++)
    assert.equal((await login('sam@example.com', `wrong-${i}-password`, `127.0.0.${10 + i}`)).status, 401);
  const r = await login('sam@example.com', 'demo-password-1', '127.0.0.20');
  assert.equal(r.status, 429);
  const wait = Number(r.headers['retry-after']);
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  assert.equal(r.json.status, 429);
  assert.match(r.headers['content-type'], /application\/problem\+json/);
  // another user from that fresh address is not affected
  assert.equal((await login('anna@example.com', 'demo-password-1', '127.0.0.20')).status, 201);
});

test('five failures from one address in a minute: the next try from it is 429 for anyone', async () => {
  const emails = ['a1@example.com', 'a2@example.com', 'a3@example.com', 'a4@example.com', 'a5@example.com'];
  for (const e of emails) assert.equal((await login(e, 'wrong-password-x', '127.0.0.30')).status, 401);
  assert.equal((await login('ben@example.com', 'demo-password-1', '127.0.0.30')).status, 429);
  assert.equal((await login('ben@example.com', 'demo-password-1', '127.0.0.31')).status, 201);
  assert.equal((await fetch(srv.url + '/healthz')).status, 200, 'the server keeps serving');
});
