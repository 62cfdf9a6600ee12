// docs/openapi.json is what the server serves and what `kam openapi` prints, it describes
// every route, and real responses match it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kam, serve, api, login, demoDb } from '../lib/harness.mjs';
import { validate } from '../lib/schema.mjs';

const root = new URL('../../', import.meta.url).pathname;
const file = JSON.parse(readFileSync(join(root, 'docs/openapi.json'), 'utf8'));
let t, db, srv, tok;

before(async () => {
  ({ t, db } = demoDb());
  tok = kam(['token', 'create', '--email', 'director@example.com', '--name', 'oas', '--db', db]).trim();
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('the committed file, the served document and `kam openapi` are the same (run make openapi)', async () => {
  assert.deepEqual(JSON.parse(kam(['openapi'])), file);
  const r = await fetch(srv.url + '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), file);
  assert.equal(file.openapi, '3.1.0');
});

// The document was once built per request with strtok, whose hidden state threads share:
// parallel requests got each other's path parameters. Eight workers and several rounds of
// 400 make a shared-state bug show; every reply must be the same bytes, equal to `kam openapi`.
test('400 parallel GETs of the document all return the same bytes, equal to `kam openapi`', async () => {
  const want = JSON.parse(kam(['openapi']));
  const s8 = await serve(db, {}, ['--threads', '8', '--connections-per-address', '1000']);
  try {
    let first;
    for (let round = 0; round < 4; round++) {
      const bodies = await Promise.all(Array.from({ length: 400 }, async () => {
        const r = await fetch(s8.url + '/api/v1/openapi.json');
        assert.equal(r.status, 200);
        return r.text();
      }));
      first ??= bodies[0];
      const differ = bodies.filter((b) => b !== first).length;
      assert.equal(differ, 0, `round ${round}: ${differ} of 400 documents differ from the first`);
    }
    assert.deepEqual(JSON.parse(first), want);
  } finally {
    assert.equal(await s8.stop(), 0, s8.log().slice(-3000));
  }
});

test('every route of the route table is described, and nothing else', () => {
  const src = readFileSync(join(root, 'src/api/routes.c'), 'utf8');
  const routes = new Set();
  for (const m of src.matchAll(/\{"(GET|POST|PATCH|PUT|DELETE)", "([^"]+)"/g))
    routes.add(`${m[1].toLowerCase()} ${m[2].replace(/:(\w+)/g, '{$1}')}`);
  for (const m of src.matchAll(/CRUD\("([^"]+)"/g)) {
    for (const [meth, p] of [['get', ''], ['post', ''], ['get', '/{id}'], ['patch', '/{id}'], ['delete', '/{id}'], ['get', '/{id}/history']])
      routes.add(`${meth} ${m[1]}${p}`);
  }
  const described = new Set();
  for (const [p, item] of Object.entries(file.paths))
    for (const meth of Object.keys(item)) described.add(`${meth} ${p}`);
  assert.deepEqual([...described].sort(), [...routes].sort());
  for (const [p, item] of Object.entries(file.paths))
    for (const [meth, op] of Object.entries(item)) {
      assert.ok(op.summary && op.operationId, `${meth} ${p}`);
      assert.ok(op.responses['400'], `${meth} ${p} documents bad input`);
    }
});

// The schema a response should match, from the document.
function schemaFor(method, path, status, ctype) {
  const key = Object.keys(file.paths).find((p) => new RegExp('^' + p.replace(/\{\w+\}/g, '[^/]+') + '$').test(path));
  const op = file.paths[key]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${path} is described`);
  const r = op.responses[String(status)];
  assert.ok(r, `${method} ${path}: status ${status} is declared`);
  if (!r.content) return null;
  const media = Object.keys(r.content).find((m) => ctype.startsWith(m));
  assert.ok(media, `${method} ${path}: ${ctype} is not among ${Object.keys(r.content)}`);
  // documents (PDF, HTML) are declared by media type; only JSON bodies have a schema to check
  return media.endsWith('json') ? r.content[media].schema : null;
}

async function check(method, path, body, want, headers) {
  const r = await api(srv.url, tok, method, path, body, headers);
  assert.equal(r.status, want, `${method} ${path}: ${r.text}`);
  const s = schemaFor(method, path.split('?')[0], r.status, r.headers.get('content-type') || '');
  if (s) assert.deepEqual(validate(file, s, r.json), [], `${method} ${path}`);
  return r;
}

test('responses match their schemas, happy paths and errors', async () => {
  await check('GET', '/api/v1/users', undefined, 200);
  await check('GET', '/api/v1/users/1', undefined, 200);
  await check('GET', '/api/v1/accounts?limit=5&sort=-name', undefined, 200);
  await check('GET', '/api/v1/accounts?sort=nonsense', undefined, 400);
  const a = await check('POST', '/api/v1/accounts', { name: 'Spec GmbH', tags: ['x'], website: 'https://spec.example', strategic_importance: 3 }, 201);
  await check('GET', `/api/v1/accounts/${a.json.id}`, undefined, 200);
  // what a POST that makes something answers, and If-Match where it is honoured
  await check('POST', `/api/v1/accounts/${a.json.id}/shares`, { include_kpis: true }, 201);
  await check('POST', '/api/v1/tokens', { name: 'spec' }, 201);
  await check('POST', '/api/v1/session', { email: 'viewer@example.com', password: 'demo-password-1' }, 201);
  await check('PATCH', '/api/v1/settings', { kam_capacity: 7 }, 412, { 'If-Match': '"99"' });
  await check('PATCH', `/api/v1/accounts/${a.json.id}`, { notes: 'checked' }, 200);
  await check('PATCH', `/api/v1/accounts/${a.json.id}`, { notes: 'x' }, 412, { 'If-Match': '"1"' });
  await check('POST', '/api/v1/accounts', { name: 'x', status: 'bogus' }, 400);
  const c = await check('POST', '/api/v1/contacts', { account_id: a.json.id, name: 'Ann Spec', influence: 4 }, 201);
  await check('GET', `/api/v1/contacts?account_id=${a.json.id}`, undefined, 200);
  await check('GET', `/api/v1/contacts/${c.json.id}`, undefined, 200);
  await check('DELETE', `/api/v1/contacts/${c.json.id}`, undefined, 204);
  await check('GET', '/api/v1/contacts/999999', undefined, 404);
  const p = await check('POST', '/api/v1/plans', { account_id: a.json.id, period_start: '2030-01-01', period_end: '2030-12-31' }, 201);
  await check('POST', '/api/v1/objectives', { plan_id: p.json.id, title: 'Grow', target: 12.5 }, 201);
  await check('GET', `/api/v1/objectives?plan_id=${p.json.id}`, undefined, 200);
  await check('GET', `/api/v1/plans/${p.json.id}/document`, undefined, 200);
  await check('GET', `/api/v1/plans/${p.json.id}/document?format=html`, undefined, 200);
  await check('GET', `/api/v1/plans/${p.json.id}/document?format=docx`, undefined, 400);
  await check('GET', '/api/v1/plans/999999/document', undefined, 404);
  await check('POST', '/api/v1/interactions', { account_id: a.json.id, kind: 'call', occurred_at: '2026-01-02T03:04:05Z', user_ids: [1] }, 201);
  await check('GET', '/api/v1/alerts?limit=5', undefined, 200);
  await check('GET', '/api/v1/products', undefined, 200);
  await check('GET', '/api/v1/transactions?limit=3', undefined, 200);
  await check('DELETE', `/api/v1/accounts/${a.json.id}`, undefined, 204);
  await check('GET', '/api/v1/kpis', undefined, 200);
  await check('GET', '/api/v1/settings', undefined, 200);
  const bad = await fetch(srv.url + '/api/v1/accounts', { headers: { Authorization: 'Bearer nope' } });
  assert.equal(bad.status, 401);
  assert.deepEqual(validate(file, file.components.schemas.Problem, await bad.json()), []);
  const s = await login(srv.url, 'anna@example.com');
  assert.ok(s.csrf);
});
