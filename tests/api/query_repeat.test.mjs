// A query parameter given twice is refused on every route, before the route runs: a 400
// problem document naming it, the same for a record the caller cannot see as for one that
// does not exist. Before, every route but the KPI reports read one of the values
// (`?limit=5&limit=500` listed 500, `?account_id=1&account_id=2` answered for account 2), so
// a client got an answer to a question it did not ask.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, mine, theirs, other;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna', 'ben'], 'query_repeat'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  const me = async (who) => (await api(srv.url, tok[who], 'GET', '/api/v1/me')).json.id;
  const owned = async (who) => (await api(srv.url, tok.director, 'GET', `/api/v1/accounts?owner_id=${await me(who)}&limit=2&sort=name`)).json.items;
  [mine, other] = await owned('anna');
  [theirs] = await owned('ben');
  assert.ok(mine && other && theirs, 'the demo has two accounts of Anna and one of Ben');
  // Ben's account is not Anna's to see
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/accounts/${theirs.id}`)).status, 404);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const get = (who, path) => api(srv.url, tok[who], 'GET', path);

// The 400 problem document that names name as given twice.
function twice(r, name, what) {
  assert.equal(r.status, 400, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/, what);
  assert.equal(r.json.status, 400, what);
  assert.equal(r.json.title, 'Bad Request', what);
  assert.deepEqual(r.json.errors, [{ field: name, message: 'is given twice' }], what);
  assert.equal(r.json.detail, `${name}: is given twice`, what);
  assert.equal(r.json.items, undefined, what);
}

async function serving(what) {
  assert.equal((await fetch(`${srv.url}/healthz`)).status, 200, what);
  const r = await get('director', '/api/v1/accounts?limit=3&sort=name');
  assert.equal(r.status, 200, `${what}: ${r.text.slice(0, 200)}`);
  assert.equal(r.json.items.length, 3, what);
  assert.doesNotMatch(srv.log(), /AddressSanitizer|runtime error|LeakSanitizer/, what);
}

test('a list refuses a repeated limit, account filter, status filter or sort instead of taking one of the values', async () => {
  const cases = [
    ['limit', '/api/v1/accounts?limit=5&limit=500'],
    ['limit', '/api/v1/accounts?limit=5&sort=name&limit=500'],
    ['account_id', `/api/v1/contacts?account_id=${mine.id}&account_id=${other.id}`],
    ['account_id', `/api/v1/plans?account_id=${mine.id}&limit=10&account_id=${theirs.id}`],
    ['status', '/api/v1/plans?status=active&status=draft'],
    ['status', '/api/v1/cases?status=open&status=closed'],
    ['sort', '/api/v1/accounts?sort=name&sort=-score'],
    ['tag', '/api/v1/accounts?tag=a&tag=b'],
    ['q', '/api/v1/accounts?q=North&q=South'],
    // the same value twice is refused too: one rule, no guessing which repeats are harmless
    ['limit', '/api/v1/accounts?limit=5&limit=5'],
    // names are compared as decoded: "lim%69t" is limit
    ['limit', '/api/v1/accounts?lim%69t=5&limit=500'],
  ];
  for (const [name, path] of cases)
    for (const who of ['director', 'anna']) twice(await get(who, path), name, `${who} ${path}`);
  // past the 32 arguments a handler reads, a repeat is still seen
  const filler = Array.from({ length: 40 }, (_, i) => `x${i}=1`).join('&');
  twice(await get('director', `/api/v1/accounts?limit=5&${filler}&limit=500`), 'limit', 'limit as the 1st and 42nd argument');
  // a name that is not UTF-8 cannot be named: the problem document says so
  const r = await get('director', '/api/v1/accounts?%FF=1&%FF=2');
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(r.json.errors, [{ field: 'query', message: 'repeats a parameter whose name is not valid UTF-8' }]);
  // the first name repeated is the one named
  twice(await get('director', '/api/v1/accounts?sort=name&limit=5&limit=6&sort=-score'), 'limit', 'two repeated');
  await serving('after the lists');
});

test('the KPI reports, the portfolio reports and the forecast refuse a repeat too', async () => {
  const from = 'from=2025-01-01&to=2026-01-01';
  for (const [name, path] of [
    ['from', '/api/v1/kpis?from=2025-01-01&from=2024-01-01&to=2026-01-01'],
    ['id', `/api/v1/kpis?scope=account&id=${mine.id}&id=${other.id}&${from}`],
    ['account_id', `/api/v1/kpis?scope=account&account_id=${mine.id}&account_id=${other.id}&${from}`],
    ['interval', `/api/v1/kpis?${from}&interval=month&interval=year`],
    ['name', `/api/v1/kpis/rows?name=revenue&name=nps&${from}`],
    ['from', '/api/v1/portfolio/pareto?from=2025-01&from=2020-01'],
    ['form', '/api/v1/portfolio/matrix?form=compact&form=full'],
    ['limit', '/api/v1/portfolio/at-risk?limit=2&limit=20'],
    ['by', '/api/v1/forecast?by=kam&by=portfolio'],
    ['scope', `/api/v1/accounts/${mine.id}/stakeholders?scope=account&scope=group`],
  ])
    twice(await get('director', path), name, path);
  // two names for one thing are still the report's own refusal
  const both = await get('director', `/api/v1/kpis?scope=account&id=${mine.id}&account_id=${mine.id}&${from}`);
  assert.equal(both.status, 400, both.text);
  assert.match(JSON.stringify(both.json.errors), /id and account_id name the same/);
  await serving('after the reports');
});

test('a CSV or XLSX export with a repeated parameter is a problem document, not a file of one of the values', async () => {
  for (const [name, path] of [
    ['tier', '/api/v1/accounts?format=csv&tier=key&tier=standard'],
    ['format', '/api/v1/accounts?format=csv&format=xlsx'],
    ['account_id', `/api/v1/contacts?format=csv&account_id=${mine.id}&account_id=${other.id}`],
    ['quarter', '/api/v1/forecast?format=csv&quarter=2026-Q1&quarter=2026-Q2'],
  ]) {
    const r = await get('director', path);
    twice(r, name, path);
    assert.equal(r.headers.get('content-disposition'), null, path);
  }
  await serving('after the exports');
});

test('a write with a repeated parameter does nothing', async () => {
  const before = (await get('director', '/api/v1/imports?limit=500')).json.items.length;
  const r = await fetch(`${srv.url}/api/v1/imports?kind=accounts&kind=contacts&dry_run=false`, {
    method: 'POST', headers: { Authorization: `Bearer ${tok.director}`, 'Content-Type': 'text/csv' },
    body: 'name,tier\nRepeated Query Ltd,standard\n',
  });
  const text = await r.text();
  twice({ status: r.status, headers: r.headers, text, json: JSON.parse(text) }, 'kind', 'POST /imports');
  assert.equal((await get('director', '/api/v1/imports?limit=500')).json.items.length, before);
  assert.equal((await get('director', '/api/v1/accounts?q=Repeated%20Query')).json.items.length, 0);
  await serving('after the write');
});

test('a record the caller cannot see answers a repeat as one that does not exist', async () => {
  const q = '?from=2025-01-01&from=2025-06-01';
  let refusal;
  for (const sub of ['health/history', 'stakeholders']) {
    const seen = await get('anna', `/api/v1/accounts/${mine.id}/${sub}${q}`);
    const hidden = await get('anna', `/api/v1/accounts/${theirs.id}/${sub}${q}`);
    const missing = await get('anna', `/api/v1/accounts/999999999/${sub}${q}`);
    for (const [r, what] of [[seen, 'seen'], [hidden, 'hidden'], [missing, 'missing']]) twice(r, 'from', `${sub} ${what}`);
    assert.equal(hidden.text, missing.text, sub);
    assert.equal(seen.text, missing.text, sub);
    refusal = missing.text;
  }
  // and without the repeat, hidden and missing are still the same 404
  const hidden = await get('anna', `/api/v1/accounts/${theirs.id}/health/history?from=2025-01-01`);
  const missing = await get('anna', '/api/v1/accounts/999999999/health/history?from=2025-01-01');
  assert.equal(hidden.status, 404);
  assert.equal(hidden.text, missing.text);
  // nobody signed in gets the same 400: it says nothing about the data
  const anon = await fetch(`${srv.url}/api/v1/accounts/${theirs.id}/health/history${q}`);
  assert.equal(anon.status, 400);
  assert.equal(await anon.text(), refusal);
  await serving('after the hidden records');
});

test('distinct parameters, each given once, still answer as before', async () => {
  const r = await get('director', '/api/v1/accounts?limit=5&sort=name');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 5);
  const first = (await get('director', '/api/v1/accounts?limit=50&sort=name')).json.items.slice(0, 5);
  assert.deepEqual(r.json.items.map((a) => a.id), first.map((a) => a.id));
  const contacts = await get('anna', `/api/v1/contacts?account_id=${mine.id}&limit=200&sort=name`);
  assert.equal(contacts.status, 200, contacts.text);
  assert.ok(contacts.json.items.length > 0);
  assert.ok(contacts.json.items.every((c) => c.account_id === mine.id));
  // empty segments ("&&") name no parameter: the index page still loads, a list still
  // refuses the empty name as it did
  assert.equal((await fetch(`${srv.url}/?&&`)).status, 200);
  const empty = await get('director', '/api/v1/accounts?limit=5&&sort=name&&');
  assert.equal(empty.status, 400, empty.text);
  assert.deepEqual(empty.json.errors.map((e) => [e.field, e.message]), [['', 'is not a parameter of this list'], ['', 'is not a parameter of this list']]);
  // ending_before and ending_after are two parameters, not one given twice
  const c = await get('director', '/api/v1/contracts?ending_after=2000-01-01&ending_before=2999-01-01&limit=5');
  assert.equal(c.status, 200, c.text);
  const k = await get('director', `/api/v1/kpis?scope=account&id=${mine.id}&from=2025-01-01&to=2026-01-01&interval=month`);
  assert.equal(k.status, 200, k.text);
  await serving('at the end');
});
