// The dashboard's KPI series and matrix as a cold server computes them (a series reads its
// accounts once and converts each account's potential spend per period; first and last
// months of revenue and the bubbles' revenue come from the rollup): the same figures as
// each period asked alone and as the stored rows say.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'director', 'anna'], 'cold21'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
const get = async (w, p) => {
  const r = await call(w, 'GET', p);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

test('potential spend in a series is converted at the rate of each period: none before the first rate, then each rate from the month it is in force', async () => {
  // ¥1,200,000 a year (JPY has no minor digits; the base, EUR, two)
  const acc = await call('director', 'POST', '/api/v1/accounts', { name: 'Cold Yen KK', currency: 'JPY', potential_annual_spend: 1200000 });
  assert.equal(acc.status, 201, acc.text);
  const id = acc.json.id;
  assert.equal((await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'JPY', valid_from: '2026-01-01', rate: 0.00625 })).status, 201);
  assert.equal((await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'JPY', valid_from: '2026-03-15', rate: 0.008 })).status, 201);
  const k = await get('director', `/api/v1/kpis?scope=account&id=${id}&from=2025-12-01&to=2026-05-01&interval=month`);
  const days = { '2025-12': 31, '2026-01': 31, '2026-02': 28, '2026-03': 31, '2026-04': 30 };
  // the rate valid from before the period's end: none for December; 0.00625 for January
  // and February (and March 15 is inside March, so March and April take 0.008)
  const rate = { '2025-12': null, '2026-01': 0.00625, '2026-02': 0.00625, '2026-03': 0.008, '2026-04': 0.008 };
  assert.deepEqual(k.series.map((s) => s.period.from.slice(0, 7)), Object.keys(days));
  for (const s of k.series) {
    const m = s.period.from.slice(0, 7), sow = s.kpis.share_of_wallet;
    if (rate[m] === null) assert.equal(sow.denominator, 0, m);
    else assert.ok(Math.abs(sow.denominator - 1200000 * rate[m] * 100 * days[m] / 365) < 1e-6, `${m}: ${sow.denominator}`);
  }
  // the whole range: the potential at the rate before its end
  assert.ok(Math.abs(k.kpis.share_of_wallet.denominator - 1200000 * 0.008 * 100 * 151 / 365) < 1e-6);
  // each month of a portfolio series is the month asked alone
  const p = await get('director', '/api/v1/kpis?from=2025-12-01&to=2026-05-01&interval=month');
  for (const s of p.series) {
    const one = await get('director', `/api/v1/kpis?from=${s.period.from}&to=${s.period.to}`);
    for (const [n, f] of Object.entries(s.kpis)) assert.deepEqual(f.value, one.kpis[n].value, `${s.period.from} ${n}`);
  }
});

test('inferred acquisition and churn in a series follow the first and last month of revenue', async () => {
  // an account with no acquired_on: acquired in its first month of revenue; revenue that
  // stops (a month of zero after it does not count as revenue): churned after the quiet months
  const acc = await call('director', 'POST', '/api/v1/accounts', { name: 'Cold Quiet GmbH', currency: 'EUR' });
  assert.equal(acc.status, 201, acc.text);
  const id = acc.json.id;
  for (const [day, amount] of [['2024-02-10', 50000], ['2024-03-10', 70000], ['2024-05-03', 20000], ['2024-05-20', -20000]]) {
    const r = await call('director', 'POST', '/api/v1/transactions', { account_id: id, booked_on: day, amount, currency: 'EUR' });
    assert.equal(r.status, 201, r.text);
  }
  const q = await get('director', `/api/v1/kpis?scope=account&id=${id}&from=2024-01-01&to=2026-01-01&interval=quarter`);
  assert.deepEqual(q.series.slice(0, 3).map((s) => s.kpis.revenue.value), [120000, 0, 0]);
  // acquired on 2024-02-01 (its first month of revenue); churned on 2024-04-01, the month
  // after the last with revenue (May's sum is zero: the rollup holds a month of 0)
  const m = await get('director', `/api/v1/kpis?scope=account&id=${id}&from=2024-02-01&to=2024-06-01&interval=month`);
  const churn = m.series.map((s) => [s.period.from, s.kpis.logo_churn.numerator, s.kpis.logo_churn.denominator]);
  assert.deepEqual(churn, [['2024-02-01', 0, 0], ['2024-03-01', 0, 1], ['2024-04-01', 1, 1], ['2024-05-01', 0, 0]]);
  // and the rows of one period say the same, account by account
  const apr = await get('director', `/api/v1/kpis/rows?name=revenue&scope=account&id=${id}&from=2024-04-01&to=2024-05-01`);
  assert.equal(apr.items[0].state, 'churned', JSON.stringify(apr.items[0]));
  const feb = await get('director', `/api/v1/kpis/rows?name=revenue&scope=account&id=${id}&from=2024-02-01&to=2024-03-01`);
  assert.equal(feb.items[0].state, 'acquired', JSON.stringify(feb.items[0]));
});

test('each bubble of the matrix carries its key account\'s revenue of the months asked, for each caller', async () => {
  for (const who of ['director', 'anna']) {
    const m = await get(who, '/api/v1/portfolio/matrix?from=2025-06&to=2026-03&form=compact');
    const pareto = await get(who, '/api/v1/portfolio/pareto?from=2025-06&to=2026-03');
    const byId = new Map((pareto.items ?? pareto).map((r) => [r.account_id, r.revenue]));
    const f = m.fields;
    assert.ok(m.rows.length > 0, who);
    for (const r of m.rows) assert.equal(r[f.indexOf('revenue')], byId.get(r[f.indexOf('account_id')]) ?? 0, `${who} ${r[0]}`);
  }
});
