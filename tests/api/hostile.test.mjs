// Hostile requests to every route, generated from the served OpenAPI document (itself made
// from the route table and the model), so a new route or field is covered without anyone
// remembering to: hostile path ids, query values and body fields, sent by an admin and by an
// ordinary KAM. Every answer must be a 2xx or a 4xx problem document (never a 5xx, never a
// dropped connection), the server must keep serving, and the harness fails the file if the
// sanitizer build of the server writes any report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoDb, tokens, serve } from '../lib/harness.mjs';

let t, db, srv, tok, doc;

before(async () => {
  ({ t, db } = demoDb());
  tok = tokens(db, ['admin', 'anna'], 'hostile');
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' }, ['--threads', '4']);
  doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const BIG = 'x'.repeat(1 << 20);
// values for a path id or token, a query parameter, and a body field
const IDS = ['1', '0', '-1', '9223372036854775807', '9223372036854775808', '99999999999999999999', '1e3', 'abc',
  '%00', '%FF%FE', '..%2F..%2Fetc', '1%20OR%201=1'];
const QUERY = ['', '-1', '0', 'NaN', '1e308', '9223372036854775808', '0001-01-01', '9999-12-31', '2026-13-45',
  '1900-01', '%FF%FE%00', 'x'.repeat(5000), "'; DROP TABLE accounts; --", '%25_%5C'];
// parameters many routes read without each documenting them all
const COMMON = ['limit', 'cursor', 'sort', 'q', 'from', 'to', 'interval', 'scope', 'id', 'months', 'format', 'days',
  'explain', 'owner', 'account_id', 'state'];
const BODY = [null, true, -1, 0, 9223372036854775807n, 1e308, -1e308, 'x', '', BIG, [], [[[[]]]], {}, { a: { b: { c: {} } } },
  '0001-01-01', '9999-12-31T23:59:59Z', '\u0000', 'A\u202Eevil'];

const json = (v) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `__big${x}` : x)).replace(/"__big(\d+)"/g, '$1');

function schemaOf(op) {
  const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
  return ref ? doc.components.schemas[ref.split('/').pop()] : null;
}

// one request; resolves to a sentence when the answer breaks the rule, else null
async function send(token, method, path, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let r;
  try {
    // a server that never answers is a defect too: name the request instead of hanging
    r = await fetch(srv.url + path, { method, headers, body, signal: AbortSignal.timeout(20000) });
  } catch (e) {
    return `${method} ${path.slice(0, 200)}: no answer (${e.cause?.code || e.message})`;
  }
  let text;
  try {
    text = await r.text();
  } catch (e) {
    return `${method} ${path.slice(0, 200)}: the answer broke off (${e.cause?.code || e.message})`;
  }
  if (r.status >= 500) return `${method} ${path.slice(0, 200)} ${body ? body.slice(0, 200) : ''}: ${r.status} ${text.slice(0, 300)}`;
  if (r.status >= 400) {
    const ct = r.headers.get('content-type') || '';
    let p = null;
    try { p = JSON.parse(text); } catch { /* reported below */ }
    if (!ct.startsWith('application/problem+json') || !p || p.status !== r.status || typeof p.title !== 'string')
      return `${method} ${path.slice(0, 200)}: ${r.status} is not a problem document (${ct}) ${text.slice(0, 200)}`;
  }
  return null;
}

// k values of list for the i-th parameter or field, rotated by i and the pass so that the
// parameters of a route, and the two passes, between them meet every value
const some = (list, i, pass, k) => Array.from({ length: k }, (_, j) => list[(i * k + j + pass * 3) % list.length]);

// every hostile request of one operation, as [method, path, body]
function* cases(method, tmpl, op, pass) {
  const params = (op.parameters || []).filter((x) => x.in === 'query').map((x) => x.name);
  const fill = (v) => tmpl.replace(/\{[a-z_]+\}/g, v);
  for (const v of IDS) yield [method, fill(v)];
  const base = fill('1');
  if (method === 'GET') {
    let i = 0;
    for (const name of new Set([...params, ...COMMON]))
      for (const v of some(QUERY, i++, pass, 5)) yield [method, `${base}?${name}=${v.startsWith('%') ? v : encodeURIComponent(v)}`];
    yield [method, `${base}?limit=1&limit=2&limit=x`];
    yield [method, `${base}?${'a=1&'.repeat(2000)}`];
  }
  const s = schemaOf(op);
  if (s && ['POST', 'PATCH', 'PUT'].includes(method)) {
    let i = 0;
    for (const field of Object.keys(s.properties || {}))
      for (const v of some(BODY, i++, pass, 6)) yield [method, base, json({ [field]: v })];
    yield [method, base, '{"name":'];
    yield [method, base, '[]'];
    yield [method, base, '"x"'];
    yield [method, base, `{"name":"a","name":"b"}`];
    yield [method, base, '['.repeat(5000) + ']'.repeat(5000)];
    yield [method, base, '{"name":"\\ud800"}'];
  } else if (method !== 'GET' && method !== 'DELETE') {
    yield [method, base, '{"x":'];
    yield [method, base, json({ x: BIG })];
  }
}

// runs the cases of every operation for one token, n at a time; DELETEs last so the other
// routes meet the demo records, not their absence
async function attack(token, pass) {
  const all = [];
  for (const [tmpl, ops] of Object.entries(doc.paths))
    for (const [m, op] of Object.entries(ops))
      if (m !== 'parameters' && !tmpl.includes('/session')) for (const c of cases(m.toUpperCase(), tmpl, op, pass)) all.push(c);
  all.sort((a, b) => (a[0] === 'DELETE') - (b[0] === 'DELETE'));
  const bad = [];
  for (let i = 0; i < all.length; i += 8) {
    const got = await Promise.all(all.slice(i, i + 8).map(([m, p, b]) => send(token, m, p, b)));
    for (const g of got) if (g) bad.push(g);
  }
  return { sent: all.length, bad };
}

test('an ordinary KAM sends hostile values to every route: only 2xx and 4xx problem documents', async () => {
  const { sent, bad } = await attack(tok.anna, 0);
  assert.ok(sent > 2000, `sent ${sent}`);
  console.log(`# hostile: ${sent} requests as a KAM`);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${sent} answers broke the rule`);
});

test('an admin sends them too, and the server still serves afterwards', async () => {
  const { sent, bad } = await attack(tok.admin, 1);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${sent} answers broke the rule`);
  const r = await fetch(srv.url + '/readyz');
  assert.equal(r.status, 200);
});

test('a query of 2,000 arguments gets a 414 problem at once, not a connection left hanging', async () => {
  // libmicrohttpd answered nothing when the arguments overflowed its memory pool; the head
  // watchdog closed the connection 15 s later
  // 255 arguments are answered: distinct names, as a repeated one is a 400 of its own
  const query = (n) => (n < 256 ? Array.from({ length: n }, (_, i) => `a${i}=1&`).join('') : 'a=1&'.repeat(n));
  for (const n of [255, 256, 2000, 30000]) {
    const r = await fetch(`${srv.url}/api/v1/me?${query(n)}`, {
      headers: { Authorization: `Bearer ${tok.anna}` }, signal: AbortSignal.timeout(5000),
    });
    const p = await r.json();
    assert.equal(r.status, n < 256 ? 200 : 414, `${n} arguments`);
    if (n >= 256) assert.match(p.detail, /at most 256 query parameters/);
  }
});

test('a query value that is not UTF-8 is a 400 naming the parameter, on every backend', async () => {
  // PostgreSQL refused the bytes inside the search and the API answered 500
  for (const path of ['/api/v1/accounts?q=%FF%FE', '/api/v1/contacts?q=M%C3', '/api/v1/plans?status=%ED%A0%80']) {
    const r = await fetch(srv.url + path, { headers: { Authorization: `Bearer ${tok.anna}` } });
    const p = await r.json();
    assert.equal(r.status, 400, path);
    assert.ok(p.errors.some((e) => /UTF-8/.test(e.message)), JSON.stringify(p));
  }
  const ok = await fetch(srv.url + '/api/v1/accounts?q=' + encodeURIComponent('Müller'), { headers: { Authorization: `Bearer ${tok.anna}` } });
  assert.equal(ok.status, 200);
});
