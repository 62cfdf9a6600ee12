// Dates are checked once, at the edge (issue 11 item 5): every date query parameter and every
// date or timestamp body field outside 1900-01-01 .. 2999-12-31, or malformed, is a 400 that
// names it; a KPI series has at most 120 periods; and a request body is never read past its
// end (item 3). The routes come from docs/openapi.json, so a new route is covered by the sweep.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { kam, serve, api, demoDb } from '../lib/harness.mjs';

const spec = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
let t, db, srv, tok;

before(async () => {
  ({ t, db } = demoDb());
  tok = kam(['token', 'create', '--email', 'director@example.com', '--name', 'dates', '--db', db]).trim();
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const get = (path) => api(srv.url, tok, 'GET', path);
const fields = (r) => (r.json?.errors || []).map((e) => e.field);

// A 400 problem document whose errors name field.
function names(r, field, what) {
  assert.equal(r.status, 400, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/, what);
  assert.ok(fields(r).includes(field), `${what}: errors ${JSON.stringify(r.json?.errors)}`);
}

// The server is still up and ASan has reported nothing.
async function healthy(what) {
  const r = await fetch(srv.url + '/healthz');
  assert.equal(r.status, 200, what);
  assert.doesNotMatch(srv.log(), /AddressSanitizer|runtime error/, what);
}

test('the reported request: kpis from 0001-03-01 to 9999-12-31 is a 400 naming both', async () => {
  for (const path of ['/api/v1/kpis', '/api/v1/kpis/rows?name=nrr&']) {
    const q = path.includes('?') ? path : path + '?';
    const r = await get(`${q}from=0001-03-01&to=9999-12-31`);
    names(r, 'from', path);
    names(r, 'to', path);
    assert.doesNotMatch(r.text, /-9998|\\u007f/);
  }
  await healthy('after the reported request');
});

// A real id for each collection, so routes under /{id} can be probed.
async function idOf(collection) {
  const r = await get(`${collection}?limit=1`);
  return r.status === 200 && r.json.items?.length ? r.json.items[0].id : null;
}

const CANDIDATES = ['from', 'to', 'since', 'until', 'as_of', 'date', 'day', 'month'];
const GOOD = ['2025-01-01', '2025-01', '2999-12-31', '2999-12'];
const BAD = ['0001-03-01', '9999-12-31', '1899-12-31', '3000-01-01', '0001-03', '9999-12', '1899-12',
  '3000-01', '2026-02-30', '2026-13', 'yesterday', '2026-03-01x', ''];

test('every GET route that takes a date parameter refuses one outside 1900..2999 by name', async () => {
  const taken = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (!ops.get || !path.startsWith('/api/v1/') || /shared|calendar|openapi/.test(path)) continue;
    let p = path;
    if (p.includes('{')) {
      const id = await idOf(p.slice(0, p.indexOf('/{')));
      if (id === null) continue;
      p = p.replace(/\{[^}]+\}/g, String(id));
    }
    // a route that ignores unknown parameters cannot be probed this way (and reads none)
    const unknown = await get(`${p}${p.includes('?') ? '&' : '?'}kam_not_a_parameter=1`);
    if (unknown.status < 300) continue;
    const params = new Set(CANDIDATES);
    for (const q of ops.get.parameters || [])
      if (q.in === 'query' && /^date/.test(q.schema?.format || '')) params.add(q.name);
    for (const name of params) {
      let takes = false;
      for (const v of GOOD) {
        const r = await get(`${p}?${name}=${v}`);
        assert.ok(r.status < 500, `${p}?${name}=${v}: ${r.status}`);
        if (r.status < 300 || (r.status === 400 && !fields(r).includes(name))) takes = true;
      }
      if (!takes) continue;
      taken.push(`${path} ${name}`);
      for (const v of BAD) names(await get(`${p}?${name}=${encodeURIComponent(v)}`), name, `${path}?${name}=${v}`);
    }
  }
  // the sweep found the date parameters it is about (it would pass vacuously otherwise)
  for (const want of ['/api/v1/kpis from', '/api/v1/kpis to', '/api/v1/kpis/rows from', '/api/v1/kpis/rows to',
    '/api/v1/portfolio/pareto from', '/api/v1/portfolio/pareto to', '/api/v1/portfolio/matrix from',
    '/api/v1/portfolio/matrix to', '/api/v1/accounts/{id}/health/history from'])
    assert.ok(taken.includes(want), `${want} not found among ${JSON.stringify(taken)}`);
  await healthy('after the sweep');
});

test('a KPI series has at most 120 periods, refused before any is computed', async () => {
  let r = await get('/api/v1/kpis?from=1900-01-01&to=2999-12-31&interval=month');
  names(r, 'interval', 'eleven centuries by month');
  assert.match(JSON.stringify(r.json.errors), /120/);
  names(await get('/api/v1/kpis?from=2016-01-01&to=2026-01-02&interval=month'), 'interval', '121 months');
  names(await get('/api/v1/kpis?from=1900-01-01&to=2021-01-01&interval=year'), 'interval', '121 years');
  // stepping ends at the range's last day instead of wrapping into year 0000 or 3000
  r = await get('/api/v1/kpis?from=2990-07-01&to=2999-12-31&interval=year');
  assert.equal(r.status, 200, r.text);
  const periods = r.json.series.map((s) => s.period);
  assert.equal(periods.length, 10);
  assert.deepEqual(periods[0], { from: '2990-07-01', to: '2991-01-01' });
  assert.deepEqual(periods.at(-1), { from: '2999-01-01', to: '2999-12-31' });
  for (let i = 1; i < periods.length; i++) assert.equal(periods[i].from, periods[i - 1].to);
  // a previous period reaching before 1900 stops at 1900-01-01
  r = await get('/api/v1/kpis?from=1950-01-01&to=2026-01-01');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.previous, { from: '1900-01-01', to: '1950-01-01' });
  await healthy('after the series');
});

test('a body date outside the range is a 400 naming the field (objective due 9999-12-31)', async () => {
  const plan = await idOf('/api/v1/plans');
  const r = await api(srv.url, tok, 'POST', '/api/v1/objectives',
    { plan_id: plan, title: 'Far away', due_on: '9999-12-31' });
  names(r, 'due_on', 'objective due 9999-12-31');
  const ok = await api(srv.url, tok, 'POST', '/api/v1/objectives',
    { plan_id: plan, title: 'Last day', due_on: '2999-12-31' });
  assert.equal(ok.status, 201, ok.text);
});

// Every PATCH schema's date and timestamp fields, on a real row of each resource.
test('every date and timestamp body field refuses values outside the range by name', async () => {
  let probed = 0;
  for (const [path, ops] of Object.entries(spec.paths)) {
    const ref = ops.patch?.requestBody?.content?.['application/json']?.schema?.$ref;
    if (!ref || !path.endsWith('/{id}')) continue;
    const schema = spec.components.schemas[ref.split('/').pop()];
    const collection = path.slice(0, -'/{id}'.length);
    const id = await idOf(collection);
    if (id === null) continue;
    for (const [field, s] of Object.entries(schema.properties || {})) {
      const bad = s.format === 'date' ? ['9999-12-31', '0001-03-01', '1899-12-31', '3000-01-01']
        : s.format === 'date-time' ? ['9999-12-31T00:00:00Z', '0001-03-01T00:00:00Z', '1899-12-31T23:59:59Z']
          : null;
      if (!bad) continue;
      for (const v of bad) {
        const cur = await get(`${collection}/${id}`);
        const r = await api(srv.url, tok, 'PATCH', `${collection}/${id}`, { [field]: v },
          { 'If-Match': cur.headers.get('etag') || '"1"' });
        names(r, field, `PATCH ${collection}/${id} ${field}=${v}`);
        probed++;
      }
    }
  }
  assert.ok(probed >= 20, `only ${probed} fields probed`);
  await healthy('after the body sweep');
});

// Sends a body of exactly the given bytes.
function raw(method, path, body, ctype) {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const rq = request({
      host: u.hostname, port: u.port, path, method,
      headers: { Authorization: `Bearer ${tok}`, 'Content-Type': ctype, 'Content-Length': body.length },
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    rq.on('error', reject);
    rq.end(body);
  });
}

// The body buffer grows in powers of two from 4 KiB: a body of exactly 4096 or 8192 bytes used
// to fill it to the last byte, so a scan for the end of a blank last line ran past it.
test('a body whose last line is blank up to its very end is not read past', async () => {
  for (const size of [4096, 8192]) {
    const nd = Buffer.alloc(size, ' ');
    nd.write('{}\n');
    let r = await raw('POST', '/api/v1/transactions/bulk', nd, 'application/x-ndjson');
    assert.ok(r.status < 500, `ndjson ${size}: ${r.status} ${r.text}`);
    await healthy(`transactions/bulk, ${size} bytes`);

    const csv = Buffer.alloc(size, '\r');
    csv.write('name\n');
    r = await raw('POST', '/api/v1/imports?kind=accounts&dry_run=true', csv, 'text/csv');
    assert.ok(r.status < 500, `csv ${size}: ${r.status} ${r.text}`);
    await healthy(`imports, ${size} bytes`);

    const tcsv = Buffer.alloc(size, '\r');
    tcsv.write('account_id,booked_on,amount,currency\n');
    r = await raw('POST', '/api/v1/transactions/bulk', tcsv, 'text/csv');
    assert.ok(r.status < 500, `transactions csv ${size}: ${r.status} ${r.text}`);
    await healthy(`transactions/bulk csv, ${size} bytes`);
  }
});
