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
  // accounts of two currencies read together (a group: every account is read, the base
  // currency's first): each converted with its own currency's digits
  const parent = await call('director', 'POST', '/api/v1/accounts', { name: 'Cold Holding SE', currency: 'EUR', potential_annual_spend: 500000 });
  assert.equal(parent.status, 201, parent.text);
  const child = await call('director', 'POST', '/api/v1/accounts', { name: 'Cold Yen Branch KK', currency: 'JPY', potential_annual_spend: 1200000, parent_id: parent.json.id });
  assert.equal(child.status, 201, child.text);
  const g = await get('director', `/api/v1/kpis?scope=group&id=${parent.json.id}&from=2025-12-01&to=2026-05-01&interval=month`);
  for (const s of g.series) {
    const m = s.period.from.slice(0, 7);
    const want = (500000 + (rate[m] === null ? 0 : 1200000 * rate[m] * 100)) * days[m] / 365;
    const got = s.kpis.share_of_wallet.denominator;
    assert.ok(Math.abs(got - want) <= 1e-9 * want, `group ${m}: ${got} against ${want}`);
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

// A series' windows come from running sums of each account's months (two lookups per
// window) and its events from one read of the whole range: checked here against the
// bookings themselves and against each period asked alone (which reads its own events).
const dayAdd = (d, n) => new Date(Date.parse(d + 'T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);
const monthAdd = (d, n) => {
  const x = new Date(Date.parse(d.slice(0, 7) + '-01T00:00:00Z'));
  x.setUTCMonth(x.getUTCMonth() + n);
  return x.toISOString().slice(0, 10);
};

test('each period of a series sums its account\'s bookings into every window: the period, the one before, all before its end, the year before its end', async () => {
  const users = (await get('admin', '/api/v1/users?limit=100')).items;
  const anna = users.find((u) => u.email === 'anna@example.com').id;
  const acc = await call('director', 'POST', '/api/v1/accounts', { name: 'Cold Windows AG', currency: 'EUR', owner_id: anna });
  assert.equal(acc.status, 201, acc.text);
  const id = acc.json.id;
  // one booking a month from 2023-11 to 2026-02, each amount its own; March 2025 negative,
  // June 2025 two more that cancel, and two bookings inside April 2025 for partial periods
  const books = [];
  const book = async (day, amount) => {
    const r = await call('director', 'POST', '/api/v1/transactions', { account_id: id, booked_on: day, amount, currency: 'EUR' });
    assert.equal(r.status, 201, r.text);
    books.push([day, amount]);
  };
  for (let i = 0, d = '2023-11-01'; d <= '2026-02-01'; i++, d = monthAdd(d, 1))
    await book(dayAdd(d, (i * 7) % 27), d.startsWith('2025-03') ? -3000 : 1000 * (i + 1) + 7);
  await book('2025-06-02', 5000);
  await book('2025-06-28', -5000);
  await book('2025-04-09', 111);
  await book('2025-04-23', 222);
  const sum = (from, to) => books.reduce((s, [d, a]) => (d >= from && d < to ? s + a : s), 0);
  const set = await get('admin', '/api/v1/settings');
  const margin = set.gross_margin, horizon = set.cltv_horizon_years;
  assert.ok(margin > 0 && horizon > 0, JSON.stringify(set).slice(0, 300));
  const acquired = '2023-11-01';
  const yearBefore = (d) => `${+d.slice(0, 4) - 1}${d.slice(4)}`;
  // the windows of one period [from, to) with P-1 = [pf, from)
  const check = (k, from, to, pf, what) => {
    assert.equal(k.revenue.value, sum(from, to), `${what}: revenue`);
    if (pf) assert.equal(k.revenue.previous, sum(pf, from), `${what}: revenue of P-1`);
    const total = sum('1900-01-01', to);
    assert.equal(k.cltv_historical.numerator, total > 0 ? total : 0, `${what}: revenue before the end`);
    // predictive CLTV: the year's revenue times the margin, over the horizon's churn floor
    const near = (a, b, w) => assert.ok(a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.abs(b)), `${w}: ${a} against ${b}`);
    // (none unless the account, acquired in its first month of revenue, was in that year's
    // cohort: there is no churn rate of the year otherwise)
    const year = sum(yearBefore(to), to);
    near(k.cltv_predictive.numerator, year > 0 && acquired < yearBefore(to) ? year * margin : 0, `${what}: revenue of the year before the end`);
    if (pf) {
      const prev = sum(yearBefore(from), from);
      near(k.cltv_predictive.previous, prev > 0 && acquired < yearBefore(from) ? prev * margin * horizon : null, `${what}: the year before P-1's end`);
    }
  };
  for (const who of ['director', 'anna']) {
    for (const [from, to, interval, n] of [['2025-01-01', '2026-01-01', 'month', 12], ['2024-01-01', '2026-01-01', 'quarter', 8],
      ['2024-07-01', '2026-07-01', 'year', 3]]) {
      const s = await get(who, `/api/v1/kpis?scope=account&id=${id}&from=${from}&to=${to}&interval=${interval}`);
      assert.equal(s.series.length, n, `${who} ${interval}`);
      const step = { month: 1, quarter: 3, year: 12 }[interval];
      for (const p of s.series) {
        const whole = p.period.from.endsWith('-01') && p.period.to.endsWith('-01');
        const months = (+p.period.to.slice(0, 4) * 12 + +p.period.to.slice(5, 7)) - (+p.period.from.slice(0, 4) * 12 + +p.period.from.slice(5, 7));
        check(p.kpis, p.period.from, p.period.to, whole ? monthAdd(p.period.from, -months) : null, `${who} ${interval} ${p.period.from}`);
        assert.ok(months <= step, `${who} ${p.period.from}..${p.period.to}`);
      }
      check(s.kpis, from, to, s.previous.from, `${who} ${from}..${to}`);
    }
    // partial months at the edges come from the bookings of their days
    const s = await get(who, `/api/v1/kpis?scope=account&id=${id}&from=2025-03-15&to=2025-06-10&interval=month`);
    assert.deepEqual(s.series.map((p) => [p.period.from, p.period.to]),
      [['2025-03-15', '2025-04-01'], ['2025-04-01', '2025-05-01'], ['2025-05-01', '2025-06-01'], ['2025-06-01', '2025-06-10']]);
    for (const p of s.series) check(p.kpis, p.period.from, p.period.to, null, `${who} partial ${p.period.from}`);
    const april = await get(who, `/api/v1/kpis?scope=account&id=${id}&from=2025-04-09&to=2025-04-23&interval=month`);
    assert.equal(april.series[0].kpis.revenue.value, sum('2025-04-09', '2025-04-23'), `${who}: 9 April counts, 23 April does not`);
    assert.ok(sum('2025-04-09', '2025-04-23') > 111 && sum('2025-04-09', '2025-04-24') > sum('2025-04-09', '2025-04-23'));
  }
});

test('the events of each period of a series are those of the period asked alone, on the days either side of each period\'s edges', async () => {
  const acc = await call('director', 'POST', '/api/v1/accounts', { name: 'Cold Events SA', currency: 'EUR', acquired_on: '2020-01-01' });
  assert.equal(acc.status, 201, acc.text);
  const id = acc.json.id;
  const post = async (path, body) => {
    const r = await call('director', 'POST', path, { account_id: id, ...body });
    assert.equal(r.status, 201, `${path} ${r.text}`);
    return r.json;
  };
  // revenue every month to October: in the cohort of each period asked (no inferred churn)
  for (let m = 1; m <= 10; m++) await post('/api/v1/transactions', { booked_on: `2025-${String(m).padStart(2, '0')}-10`, amount: 10000, currency: 'EUR' });
  const plan = await post('/api/v1/plans', { period_start: '2025-01-01', period_end: '2025-12-31' });
  // each kind of event on the last day of March, the first of April and the first of May
  for (const [day, n] of [['2025-03-31', 3], ['2025-04-01', 10], ['2025-05-01', 8]]) {
    await post('/api/v1/surveys', { kind: 'nps', answered_on: day, score: n });
    await post('/api/v1/surveys', { kind: 'csat', answered_on: day, score: n > 5 ? 5 : 2 });
    await post('/api/v1/interactions', { kind: 'call', occurred_at: `${day}T00:00:00Z` });
    await post('/api/v1/cases', { title: `Case ${day}`, severity: 'high', status: 'resolved', opened_at: `${dayAdd(day, -n)}T09:00:00Z`, resolved_at: `${day}T00:00:00Z` });
    const o = await call('director', 'POST', '/api/v1/objectives', { plan_id: plan.id, title: `Goal ${day}`, due_on: day, status: n > 5 ? 'achieved' : 'missed' });
    assert.equal(o.status, 201, o.text);
  }
  await post('/api/v1/opportunities', { name: 'Cold upsell', kind: 'upsell', currency: 'EUR', amount: 1000, stage: 'won', closed_on: '2025-04-01' });
  await post('/api/v1/opportunities', { name: 'Cold cross-sell', kind: 'cross_sell', currency: 'EUR', amount: 1000, stage: 'won', closed_on: '2025-05-31' });
  for (const scope of [`scope=account&id=${id}`, 'scope=portfolio']) {
    const s = await get('director', `/api/v1/kpis?${scope}&from=2025-02-01&to=2025-07-01&interval=month`);
    for (const p of [...s.series, s]) {
      const one = await get('director', `/api/v1/kpis?${scope}&from=${p.period.from}&to=${p.period.to}`);
      assert.deepEqual(p.kpis, one.kpis, `${scope} ${p.period.from}..${p.period.to}`);
    }
    if (scope.startsWith('scope=account')) {
      const apr = s.series[2].kpis, may = s.series[3].kpis;
      assert.equal(s.series[2].period.from, '2025-04-01');
      // the first of April is April's, the 31st of March is March's; May sees April before it
      assert.deepEqual([apr.nps.numerator, apr.nps.denominator, apr.nps.previous], [100, 1, -100]);
      assert.deepEqual([apr.upsell_rate.value, apr.upsell_rate.previous, may.upsell_rate.value, may.upsell_rate.previous], [1, 0, 1, 1]);
      assert.deepEqual([apr.goal_achievement.value, apr.goal_achievement.previous], [1, 0]);
      assert.equal(apr.ttr_mean_hours.value, 10 * 24 - 9, JSON.stringify(apr.ttr_mean_hours));
    }
  }
});
