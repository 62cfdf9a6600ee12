// Bad input always gets a clear 4xx problem document, the server keeps serving, and nothing
// stored is lost or half-written (DESIGN §8).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { kam, serve, api, demoDb } from '../lib/harness.mjs';

let t, db, srv, tok;

before(async () => {
  ({ t, db } = demoDb());
  tok = kam(['token', 'create', '--email', 'director@example.com', '--name', 'bad', '--db', db]).trim();
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

// Sends raw bytes, so bodies can be anything at all.
function raw(method, path, body, ctype = 'application/json', extra = {}) {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Bearer ${tok}`, ...extra };
    if (body !== undefined) { headers['Content-Type'] = ctype; headers['Content-Length'] = body.length; }
    // the path goes out as written: new URL() would resolve "..", hiding what a raw client sends
    const rq = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    // a server that refuses a huge body answers early and closes: the rest of our write
    // then fails with EPIPE or ECONNRESET, and the answer still arrives
    rq.on('error', (e) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
      else setTimeout(() => reject(new Error(`no answer after ${e.code}`)), 3000);
    });
    if (body !== undefined) rq.write(body);
    rq.end();
  });
}

async function problem(r, status, field) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.ok(r.json.type && r.json.title, 'a problem document');
  if (field) assert.ok(r.json.errors.some((e) => e.field === field), `${field} in ${r.text}`);
  assert.equal((await fetch(srv.url + '/healthz')).status, 200, 'still serving');
}

const count = async () => (await api(srv.url, tok, 'GET', '/api/v1/accounts?limit=500')).json.items.length;

test('malformed, wrong types, enums, ranges, lengths, unknown and read-only fields', async () => {
  const n = await count();
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from('{"name": "x",')), 400);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from('[1,2]')), 400);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from('{"name":"a","name":"b"}')), 400);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 42 }))), 400, 'name');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', strategic_importance: '5' }))), 400, 'strategic_importance');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', strategic_importance: 6 }))), 400, 'strategic_importance');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', strategic_importance: 2.5 }))), 400, 'strategic_importance');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', status: 'bogus' }))), 400, 'status');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x'.repeat(201) }))), 400, 'name');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: '   ' }))), 400, 'name');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', acquired_on: '2023-02-29' }))), 400, 'acquired_on');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', website: 'javascript:alert(1)' }))), 400, 'website');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', currency: 'eur' }))), 400, 'currency');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', potential_annual_spend: -1 }))), 400, 'potential_annual_spend');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', tags: ['a', 'a'] }))), 400, 'tags');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', id: 5 }))), 400, 'id');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', created_at: '2020-01-01T00:00:00Z' }))), 400, 'created_at');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', is_admin: true }))), 400, 'is_admin');
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from(JSON.stringify({ name: 'x', status: 'churned' }))), 400, 'churned_on');
  const admin = kam(['token', 'create', '--email', 'admin@example.com', '--name', 'bad', '--db', db]).trim();
  await problem(await raw('POST', '/api/v1/users', Buffer.from(JSON.stringify({ email: 'a@b.example', name: 'x', role: 'admin', password_hash: 'x' })),
    'application/json', { Authorization: `Bearer ${admin}` }), 400, 'password_hash');
  assert.equal(await count(), n, 'nothing was stored');
});

test('size, type, encoding and depth', async () => {
  const n = await count();
  await problem(await raw('POST', '/api/v1/accounts', Buffer.alloc(2 * 1024 * 1024, 0x61)), 413);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from('name=x'), 'application/x-www-form-urlencoded'), 415);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from('{"name":"x"}'), 'text/plain'), 415);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])), 400);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from('{"name":"a\\u0000b"}')), 400);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from('['.repeat(100000) + ']'.repeat(100000))), 400);
  await problem(await raw('POST', '/api/v1/accounts', Buffer.from('{"a":'.repeat(100000) + '1' + '}'.repeat(100000))), 400);
  assert.equal(await count(), n);
});

test('injection strings are stored verbatim and returned verbatim', async () => {
  const evil = ["Robert'); DROP TABLE accounts;--", '<script>alert(1)</script>', '" OR 1=1 --', '%_\\', '😀 Ünïcødé', '=cmd|\' /C calc\'!A0'];
  for (const name of evil) {
    const r = await api(srv.url, tok, 'POST', '/api/v1/accounts', { name, notes: name, tags: [name.slice(0, 50)] });
    assert.equal(r.status, 201, r.text);
    const g = await api(srv.url, tok, 'GET', `/api/v1/accounts/${r.json.id}`);
    assert.equal(g.json.name, name);
    assert.equal(g.json.notes, name);
    const s = await api(srv.url, tok, 'GET', `/api/v1/accounts?q=${encodeURIComponent(name)}`);
    assert.ok(s.json.items.some((a) => a.id === r.json.id), `searchable: ${name}`);
  }
  assert.ok(await count() >= 36, 'the table is intact');
});

test('paths, methods and ids', async () => {
  await problem(await raw('GET', '/api/v1/accounts/../users'), 404);
  await problem(await raw('GET', '/api/v1/accounts/%2e%2e/users'), 404);
  await problem(await raw('GET', '/api/v1//accounts'), 404);
  await problem(await raw('GET', '/api/v1/accounts/abc'), 404);
  await problem(await raw('GET', '/api/v1/accounts/-1'), 404);
  await problem(await raw('GET', '/api/v1/accounts/99999999999999999999999'), 404);
  await problem(await raw('GET', '/etc/passwd'), 404);
  const r = await raw('PUT', '/api/v1/accounts');
  await problem(r, 405);
  assert.equal(r.headers.allow, 'GET, HEAD, POST');
  await problem(await raw('PATCH', '/api/v1/accounts/1', Buffer.from('{}'), 'application/json', { 'If-Match': 'garbage' }), 412);
});

// RFC 9110 9.3.2: a general-purpose server answers HEAD wherever it answers GET (monitors, link
// checkers and proxies ask it): GET's status and headers, no body.
test('HEAD answers as GET does, without the body; an invisible account as a missing one', async () => {
  const page = await raw('GET', '/');
  const app = page.text.match(/\/app\/[^"]+\/app\.js/)[0];
  for (const path of ['/', app, '/healthz', '/api/v1/accounts/1', '/api/v1/accounts?limit=3', '/api/v1/kpis']) {
    const g = await raw('GET', path), h = await raw('HEAD', path);
    assert.equal(h.status, g.status, `HEAD ${path}: ${h.status}`);
    assert.equal(g.status, 200, path);
    assert.equal(h.headers['content-type'], g.headers['content-type'], path);
    assert.equal(h.headers.etag, g.headers.etag, path);
    assert.equal(h.text, '', `HEAD ${path} has no body`);
  }
  const gone = await raw('HEAD', '/api/v1/accounts/99999999');
  assert.equal(gone.status, 404);
  assert.match(gone.headers['content-type'], /^application\/problem\+json/);
  assert.equal(gone.text, '');
  // a member: every demo account answers HEAD exactly as GET, the invisible ones 404 like a missing one
  const member = kam(['token', 'create', '--email', 'mia@example.com', '--name', 'head', '--db', db]).trim();
  const as = (method, path) => raw(method, path, undefined, undefined, { Authorization: `Bearer ${member}` });
  const statuses = new Set();
  for (let id = 1; id <= 30; id++) {
    const g = await as('GET', `/api/v1/accounts/${id}`), h = await as('HEAD', `/api/v1/accounts/${id}`);
    assert.equal(h.status, g.status, `account ${id}`);
    assert.equal(h.headers['content-type'], g.headers['content-type'], `account ${id}`);
    statuses.add(g.status);
  }
  assert.deepEqual([...statuses].sort(), [200, 404], 'the member sees some accounts and not others');
  const none = await as('HEAD', '/api/v1/accounts/99999999');
  assert.equal(none.status, 404);
});
