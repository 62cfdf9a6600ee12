// One set of numbers (issue 13 §3): the health in the accounts list is the health on the
// account page, and "revenue, 12 months" is one figure over one window on every endpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoDb, tokens, serve, api } from '../lib/harness.mjs';

let t, db, srv, tok;
const get = async (path) => {
  const r = await api(srv.url, tok.director, 'GET', path);
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  return r.json;
};

before(async () => {
  ({ t, db } = demoDb());
  tok = tokens(db, ['director', 'admin']);
  srv = await serve(db, { KAM_NOW: '2026-11-15T10:00:00Z' });
  // the stored scores of every account, as the background job writes them
  assert.equal((await api(srv.url, tok.admin, 'POST', '/api/v1/alerts/evaluate')).status, 200);
});
after(async () => { await srv?.stop(); t?.rm(); });

test('the health in the accounts list is the health on the account page, for every account', async () => {
  const list = await get('/api/v1/accounts?limit=100');
  assert.ok(list.items.length >= 20);
  const differ = [];
  for (const a of list.items) {
    const h = await get(`/api/v1/accounts/${a.id}/health`);
    if (Math.abs(h.score - a.health) > 0.005) differ.push(`${a.name}: list ${a.health}, page ${h.score}`);
  }
  assert.deepEqual(differ, []);
});

const major = (minor) => `EUR ${Math.round(minor / 100).toLocaleString('en-US')}`;

test('revenue, 12 months is the same figure in the list, the score, the KPIs and the plan document', async () => {
  const list = await get('/api/v1/accounts?limit=100&sort=-revenue_12m');
  const plans = (await get('/api/v1/plans?limit=200')).items;
  let checked = 0, withPlan = 0;
  for (const a of list.items.slice(0, 8)) {
    const score = await get(`/api/v1/accounts/${a.id}/score`);
    // the window: the twelve whole months before the current one
    assert.deepEqual(score.revenue_window, { from: '2025-11', to: '2026-10' });
    const fin = score.criteria.find((c) => c.name === 'financial');
    assert.equal(fin.raw, a.revenue_12m, `${a.name}: score explanation`);
    // the account page's overview asks the KPIs over the default period
    const k = await get(`/api/v1/kpis?scope=account&id=${a.id}&interval=month`);
    assert.deepEqual(k.period, { from: '2025-11-01', to: '2026-11-01' });
    assert.equal(Math.round(k.kpis.revenue.value), a.revenue_12m, `${a.name}: KPI revenue`);
    const monthly = k.series.reduce((s, x) => s + x.kpis.revenue.value, 0);
    assert.equal(Math.round(monthly), a.revenue_12m, `${a.name}: the monthly chart adds up to it`);
    const plan = plans.find((p) => p.account_id === a.id && p.status === 'active') || plans.find((p) => p.account_id === a.id);
    if (plan) {
      const doc = await api(srv.url, tok.director, 'GET', `/api/v1/plans/${plan.id}/document?format=html`);
      assert.equal(doc.status, 200);
      const m = doc.text.match(/Revenue, 12 months<b>([^<]*)<\/b>/);
      assert.ok(m, 'the document shows the revenue');
      assert.equal(m[1], major(a.revenue_12m), `${a.name}: plan document`);
      withPlan++;
    }
    checked++;
  }
  assert.equal(checked, 8);
  assert.ok(withPlan >= 3, `plans checked: ${withPlan}`);
});
