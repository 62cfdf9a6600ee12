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

test('a write by hand moves the health in the list at once, to the figure the account page shows', async () => {
  const list = async () => (await get('/api/v1/accounts?limit=100')).items;
  const plans = (await get('/api/v1/plans?status=active&limit=100')).items;
  // an account whose health counts overdue actions at full marks today
  let target = null;
  for (const pl of plans) {
    const h = await get(`/api/v1/accounts/${pl.account_id}/health`);
    if (h.components.find((c) => c.name === 'overdue_actions').value === 100) { target = pl; break; }
  }
  assert.ok(target, 'an account with an active plan and no overdue action');
  const before = (await list()).find((a) => a.id === target.account_id).health;
  const r = await api(srv.url, tok.director, 'POST', '/api/v1/actions',
    { plan_id: target.id, title: 'Send the QBR deck', due_on: '2026-11-01', status: 'open' });
  assert.equal(r.status, 201, r.text);
  const page = (await get(`/api/v1/accounts/${target.account_id}/health`)).score;
  assert.ok(page < before, `the overdue action lowers the health (${before} → ${page})`);
  assert.equal((await list()).find((a) => a.id === target.account_id).health, page);
  // and deleting it puts it back
  const del = await api(srv.url, tok.director, 'DELETE', `/api/v1/actions/${r.json.id}`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await list()).find((a) => a.id === target.account_id).health, before);
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

// A CSV line's cells (the exporter quotes every cell).
const cells = (line) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1].replaceAll('""', '"'));

test('exports write money in major units with its currency and owners by name, beside their ids', async () => {
  const r = await fetch(`${srv.url}/api/v1/accounts?format=csv&limit=100&sort=-revenue_12m`, { headers: { Authorization: `Bearer ${tok.director}` } });
  assert.equal(r.status, 200);
  const [head, ...rows] = (await r.text()).trim().split('\r\n').map(cells);
  const col = (n) => { const i = head.indexOf(n); assert.ok(i >= 0, `column ${n} in ${head}`); return i; };
  assert.equal(col('owner'), col('owner_id') + 1, 'the name right beside the id');
  assert.equal(col('revenue_12m_currency'), col('revenue_12m') + 1);
  const users = Object.fromEntries((await get('/api/v1/users?limit=100')).items.map((u) => [u.id, u.name]));
  const api_ = (await get('/api/v1/accounts?limit=100&sort=-revenue_12m')).items;
  for (const [i, a] of api_.slice(0, 5).entries()) {
    const row = rows[i];
    assert.equal(Number(row[col('id')]), a.id);
    assert.equal(row[col('owner')], users[a.owner_id]);
    assert.equal(Number(row[col('revenue_12m')]), a.revenue_12m / 100, `${a.name}: revenue in euros`);
    assert.equal(row[col('revenue_12m_currency')], 'EUR');
    assert.equal(Number(row[col('potential_annual_spend')]), a.potential_annual_spend / 100, `${a.name}: potential in euros`);
    assert.equal(row[col('currency')], a.currency);
  }
  const o = await fetch(`${srv.url}/api/v1/opportunities?format=csv&limit=5`, { headers: { Authorization: `Bearer ${tok.director}` } });
  const [oh, or] = (await o.text()).trim().split('\r\n').map(cells);
  assert.ok(oh.includes('owner'));
  assert.ok(Object.values(users).includes(or[oh.indexOf('owner')]) || or[oh.indexOf('owner_id')] === '');
});
