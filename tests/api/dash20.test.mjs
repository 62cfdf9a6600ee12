// The dashboard at 10,000 accounts (issue 20): the portfolio matrix's compact form (an array
// per key account with what the picture draws) carries exactly the accounts, coordinates and
// counts of the explained form; both are answered from the cache at the same data version and
// follow a change; the forecast the dashboard asks on every load is cached the same way; the
// workload answers its busiest KAMs first and as few as asked, with how many there are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens, kam } from '../lib/harness.mjs';

let t, db, srv, big;
const tok = {};
const get = (who, path, server = srv) => api(server.url, tok[who], 'GET', path);
const ok = (r) => { assert.equal(r.status, 200, r.text); return r.json; };
const FIELDS = ['account_id', 'name', 'segment', 'attractiveness', 'strength', 'revenue', 'health'];

// A server whose health scores are in before the first question: the job's first run at
// start computes them too, and a matrix read before it and one read after differ in every
// bubble's health (a CI run on PostgreSQL compared such a pair). The evaluation waits for
// that run (store_portfolio_lock) or does its work; the job then finds nothing to change.
async function settled(file, who) {
  const s = await serve(file, { KAM_JOB_INTERVAL: '3600' });
  assert.equal((await api(s.url, tok[who], 'POST', '/api/v1/alerts/evaluate')).status, 200);
  return s;
}

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna', 'admin'], 'dash20'));
  srv = await settled(db, 'director');
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  if (big) assert.equal(await big.stop(), 0, big.log().slice(-3000));
  t.rm();
});

// the explained answer as the compact form's rows would say it
const asRows = (m) => m.items.map((i) => [i.account_id, i.name, i.segment, i.attractiveness.value, i.strength.value, i.revenue, i.health]);

async function sameMatrix(who, query = '', server = srv) {
  const sep = query ? '&' : '';
  const full = ok(await get(who, `/api/v1/portfolio/matrix?${query}`, server));
  const compact = ok(await get(who, `/api/v1/portfolio/matrix?${query}${sep}form=compact`, server));
  assert.deepEqual(compact.fields, FIELDS);
  assert.equal(compact.items, undefined, 'rows instead of items');
  assert.deepEqual(compact.splits, full.splits);
  assert.deepEqual(compact.counts, full.counts);
  assert.deepEqual(compact.rows, asRows(full), `${who} ${query}: the same key accounts, in the same order, at the same places`);
  // the quadrant counts are the rows' segments
  for (const [seg, n] of Object.entries(compact.counts)) assert.equal(compact.rows.filter((r) => r[2] === seg).length, n, seg);
  return { full, compact };
}

test('matrix form=compact: the key accounts, coordinates, revenue, health and counts of the explained form, each as one array', async () => {
  const { compact } = await sameMatrix('director');
  assert.ok(compact.rows.length > 0, 'the demo has key accounts');
  // the dashboard's question: a period for the bubbles' revenue
  await sameMatrix('director', 'from=2026-05&to=2026-10');
  await sameMatrix('director', 'explain=false&from=2026-08&to=2026-10');
  // a KAM's own key accounts only, as in the explained form
  const mine = await sameMatrix('anna');
  assert.ok(mine.compact.rows.length < compact.rows.length);
  // a group's key accounts (Tyrell Robotics and its subsidiaries)
  await sameMatrix('director', 'scope=group&id=9');
});

test('matrix form: compact or explained; the compact form has no components to explain', async () => {
  const r = await get('director', '/api/v1/portfolio/matrix?form=tiny');
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'form');
  const both = await get('director', '/api/v1/portfolio/matrix?form=compact&explain=true');
  assert.equal(both.status, 400);
  assert.equal(both.json.errors[0].field, 'explain');
  const explained = ok(await get('director', '/api/v1/portfolio/matrix?form=explained'));
  assert.ok(explained.items[0].strength.components.length > 0, 'form=explained is the default form');
  // the server keeps serving
  ok(await get('director', '/api/v1/portfolio/matrix?form=compact'));
});

test('the compact matrix and the forecast are answered from the cache until the data changes, then afresh', async () => {
  const q = '/api/v1/portfolio/matrix?from=2026-01&to=2026-10&form=compact';
  const first = await get('director', q);
  const again = await get('director', q);
  assert.equal(again.headers.get('x-cache'), 'hit');
  assert.deepEqual(again.json, first.json);
  // renaming a key account: the next answer names it anew
  const [id, name] = first.json.rows[0];
  const acc = await get('admin', `/api/v1/accounts/${id}`);
  const patched = await api(srv.url, tok.admin, 'PATCH', `/api/v1/accounts/${id}`, { name: `${name} (renamed)` }, { 'If-Match': acc.headers.get('etag') });
  assert.equal(patched.status, 200, patched.text);
  const after = await get('director', q);
  assert.equal(after.headers.get('x-cache'), 'miss');
  assert.equal(after.json.rows.find((r) => r[0] === id)[1], `${name} (renamed)`);

  // the forecast tile's question
  const f = '/api/v1/forecast?by=portfolio';
  const f1 = ok(await get('director', f));
  const f2 = await get('director', f);
  assert.equal(f2.headers.get('x-cache'), 'hit');
  assert.deepEqual(f2.json, f1);
  // a new portfolio target for the quarter shown: the next answer has it
  const put = await api(srv.url, tok.director, 'PUT', '/api/v1/forecast/targets', { quarter: f1.quarter, targets: [{ user_id: null, amount: 123456700 }] });
  assert.equal(put.status, 200, put.text);
  const f3 = await get('director', f);
  assert.equal(f3.headers.get('x-cache'), 'miss');
  assert.equal(f3.json.total.target, 123456700);
  // a KAM's forecast is their own, never the director's cached one
  const mine = ok(await get('anna', '/api/v1/forecast'));
  assert.ok(mine.rows.every((r) => r.owner_id === mine.rows[0].owner_id), 'one KAM');
});

test('at a scale bigger than the demo (1,500 accounts): the compact form still carries every key account', async () => {
  const bigDb = `${t.dir}/big.db`;
  kam(['demo', '--db', bigDb, '--accounts', '1500', '--contacts', '1500', '--transactions', '20000']);
  tok.bigDirector = kam(['token', 'create', '--email', 'director@example.com', '--name', 'dash20', '--db', bigDb]).trim();
  big = await settled(bigDb, 'bigDirector');
  const { compact } = await sameMatrix('bigDirector', 'from=2026-01&to=2026-10', big);
  assert.ok(compact.rows.length > 100, `${compact.rows.length} key accounts`);
  assert.equal(Object.values(compact.counts).reduce((a, b) => a + b, 0), compact.rows.length);

  // the workload of its 187 KAMs, some over a capacity of 3 key accounts
  const s = await get('bigDirector', '/api/v1/settings', big);
  assert.equal((await api(big.url, tok.bigDirector, 'PATCH', '/api/v1/settings', { kam_capacity: 3 }, { 'If-Match': s.headers.get('etag') })).status, 200);
  const all = ok(await get('bigDirector', '/api/v1/kams/workload', big));
  assert.equal(all.total, 187);
  assert.equal(all.items.length, 187);
  const busiest = [...all.items].sort((a, b) => (b.over_capacity - a.over_capacity) || (b.overdue_actions - a.overdue_actions) || (b.key_accounts - a.key_accounts));
  assert.ok(busiest[0].over_capacity && !busiest.at(-1).over_capacity);
  assert.deepEqual(ok(await get('bigDirector', '/api/v1/kams/workload?sort=busiest', big)), { items: busiest, total: 187 });
  assert.deepEqual(ok(await get('bigDirector', '/api/v1/kams/workload?sort=busiest&limit=10', big)), { items: busiest.slice(0, 10), total: 187 });
  assert.deepEqual(ok(await get('bigDirector', '/api/v1/kams/workload?limit=5', big)), { items: all.items.slice(0, 5), total: 187 });
});

test('workload: sort is name or busiest, limit a whole number, nothing else; a KAM still sees their own row only', async () => {
  const r = await get('director', '/api/v1/kams/workload?sort=loudest&limit=0&owner=1');
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['limit', 'owner', 'sort']);
  const mine = ok(await get('anna', '/api/v1/kams/workload?sort=busiest&limit=10'));
  assert.equal(mine.items.length, 1);
  assert.equal(mine.total, 1);
  const all = ok(await get('director', '/api/v1/kams/workload?sort=busiest&limit=10'));
  assert.ok(all.items.some((w) => w.user_id === mine.items[0].user_id));
});
