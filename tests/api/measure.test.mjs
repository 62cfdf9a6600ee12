// Objectives measured from data (issue 17): an objective names a figure kam computes
// (objectives.measure); its baseline is that figure for the account over as many days just
// before the plan started, its current value over the plan's start to today, and progress
// follows the data by itself. Hand-worked with the clock fixed on 2026-07-15.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {}, acc, plan;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'director'], 'measure'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600', KAM_NOW: '2026-07-15T12:00:00Z' });
  const me = (await call('anna', 'GET', '/api/v1/me')).json;
  acc = (await ok('anna', 'POST', '/api/v1/accounts', { name: 'Measured Mills GmbH', owner_id: me.id, status: 'active' })).id;
  plan = (await ok('anna', 'POST', '/api/v1/plans', { account_id: acc, title: 'Plan 2026', period_start: '2026-01-01', period_end: '2026-12-31', status: 'active' })).id;
  // [2026-01-01, 2026-07-16) is 196 days; the 196 days before are [2025-06-19, 2026-01-01)
  for (const [day, amount] of [['2025-06-18', 99900], ['2025-06-19', 40000], ['2025-12-31', 60000], ['2026-02-01', 70000], ['2026-07-15', 80000], ['2026-07-16', 55500]])
    await ok('director', 'POST', '/api/v1/transactions', { account_id: acc, booked_on: day, amount, currency: 'EUR' });
  // NPS: one promoter and one detractor before, two promoters and a passive during
  for (const [day, score] of [['2025-09-01', 10], ['2025-10-01', 3], ['2026-03-01', 9], ['2026-04-01', 10], ['2026-05-01', 8]])
    await ok('anna', 'POST', '/api/v1/surveys', { account_id: acc, kind: 'nps', score, answered_on: day });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (u, method, path, body) => api(srv.url, tok[u], method, path, body);
const ok = async (u, m, p, b) => { const r = await call(u, m, p, b); assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`); return r.json; };

test('revenue: baseline and current from the transactions, progress toward the target', async () => {
  const o = await ok('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: 'Grow revenue to 2,500 €', measure: 'revenue', target: 250000 });
  assert.equal(o.measure, 'revenue');
  const got = await ok('anna', 'GET', `/api/v1/objectives/${o.id}`);
  // before: 400.00 + 600.00 (2025-06-18 is a day too early); during: 700.00 + 800.00
  assert.equal(got.baseline, 100000);
  assert.equal(got.current, 150000);
  assert.deepEqual(got.measured.period, { from: '2026-01-01', to: '2026-07-16' });
  assert.deepEqual(got.measured.baseline_period, { from: '2025-06-19', to: '2026-01-01' });
  // (1500 - 1000) / (2500 - 1000)
  assert.ok(Math.abs(got.progress - 1 / 3) < 1e-9, String(got.progress));
  // the rows behind the figure are one link away, and they are the two transactions
  const rows = await ok('anna', 'GET', got.measured.rows);
  assert.deepEqual(rows.items.map((x) => [x.account_id, x.revenue, x.revenue_previous]), [[acc, 150000, 100000]]);
  // a new transaction moves it, without anyone touching the objective
  await ok('director', 'POST', '/api/v1/transactions', { account_id: acc, booked_on: '2026-07-01', amount: 100000, currency: 'EUR' });
  const o2 = await ok('anna', 'GET', `/api/v1/objectives/${o.id}`);
  assert.equal(o2.current, 250000);
  assert.equal(o2.progress, 1);
});

test('NPS: a measured objective in the plan read shows the same figures', async () => {
  const o = await ok('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: 'NPS above 50', measure: 'nps', target: 50 });
  const list = (await ok('anna', 'GET', `/api/v1/objectives?plan_id=${plan}`)).items;
  const got = list.find((x) => x.id === o.id);
  // before: 1 promoter, 1 detractor of 2 → 0; during: 2 promoters, 1 passive of 3 → 66.7
  assert.equal(got.baseline, 0);
  assert.ok(Math.abs(got.current - 200 / 3) < 1e-9, String(got.current));
  assert.equal(got.progress, 1, 'past the target: achieved');
});

test('a name that is no figure is refused; unbinding keeps what was typed', async () => {
  let r = await call('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: 'x', measure: 'happiness' });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'measure');
  const o = await ok('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: 'Typed by hand', baseline: 1, current: 2, target: 5 });
  assert.equal(o.measured, undefined);
  assert.equal(o.current, 2);
  r = await call('anna', 'PATCH', `/api/v1/objectives/${o.id}`, { measure: 'revenue' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.current, 250000);
  r = await call('anna', 'PATCH', `/api/v1/objectives/${o.id}`, { measure: null });
  assert.equal(r.json.current, 2, 'the stored value again');
});

test('a plan that has not started has a baseline and no current value yet', async () => {
  const later = await ok('anna', 'POST', '/api/v1/plans', { account_id: acc, title: 'Plan 2027', period_start: '2027-01-01', period_end: '2027-12-31', status: 'draft' });
  const o = await ok('anna', 'POST', '/api/v1/objectives', { plan_id: later.id, title: 'Revenue 2027', measure: 'revenue', target: 900000 });
  const got = await ok('anna', 'GET', `/api/v1/objectives/${o.id}`);
  assert.equal(got.current, null);
  assert.deepEqual(got.measured.period, { from: '2027-01-01', to: '2028-01-01' });
  assert.equal(got.progress, null);
  // another KAM cannot read it at all
  assert.equal((await call('ben', 'GET', `/api/v1/objectives/${o.id}`)).status, 404);
});

test('the plan document shows a measured revenue objective in euros, from the data', async () => {
  const r = await call('anna', 'GET', `/api/v1/plans/${plan}/document?format=html`);
  assert.equal(r.status, 200);
  const row = r.text.split('<tr').find((x) => x.includes('Grow revenue to 2,500'));
  assert.ok(row, r.text.slice(0, 500));
  assert.match(row, /revenue \(EUR\)/);
  // baseline 1,000, current 2,500 after the July transaction, target 2,500: no cents counted as euros
  assert.doesNotMatch(row, /100000|250000/);
  assert.match(row, /1,?000/);
});
