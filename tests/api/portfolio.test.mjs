// Identification and segmentation through the API: settings, explainable scores and tiers,
// the Pareto list and the portfolio matrix, with each role's view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna', 'viewer', 'admin', 'mia'], 'portfolio'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const get = (who, path) => api(srv.url, tok[who], 'GET', path);

async function allAccounts(who, query = '') {
  const out = [];
  let cursor = null;
  do {
    const r = await get(who, `/api/v1/accounts?limit=100${query}${cursor ? '&cursor=' + cursor : ''}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  return out;
}

test('settings: everyone reads them, only directors and admins change them, with validation and audit', async () => {
  const r = await get('viewer', '/api/v1/settings');
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json.weights).sort(), ['financial', 'growth', 'influence', 'strategic']);
  assert.equal(r.json.kam_capacity, 10);
  assert.equal(r.json.sla_hours.critical, 8);
  assert.equal(r.json.base_currency, 'EUR');
  const etag = r.headers.get('etag');

  for (const who of ['anna', 'viewer', 'mia']) {
    const w = await api(srv.url, tok[who], 'PATCH', '/api/v1/settings', { kam_capacity: 5 });
    assert.equal(w.status, 403, who);
  }
  const bad = await api(srv.url, tok.director, 'PATCH', '/api/v1/settings',
    { weights: { financial: -1 }, key_threshold: 101, colour: 'red' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json.errors.map((e) => e.field).sort(), ['colour', 'key_threshold', 'weights.financial']);
  const stale = await api(srv.url, tok.director, 'PATCH', '/api/v1/settings', { kam_capacity: 7 }, { 'If-Match': '"99"' });
  assert.equal(stale.status, 412);
  assert.equal((await get('viewer', '/api/v1/settings')).json.kam_capacity, 10, 'refused writes change nothing');

  const ok = await api(srv.url, tok.director, 'PATCH', '/api/v1/settings', { kam_capacity: 7 }, { 'If-Match': etag });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.kam_capacity, 7);
  assert.equal(ok.json.weights.financial, 0.4, 'other settings keep their values');
  const audit = await get('admin', '/api/v1/audit?entity=settings');
  assert.equal(audit.json.items[0].before.kam_capacity, 10);
  assert.equal(audit.json.items[0].after.kam_capacity, 7);
  const cur = await api(srv.url, tok.admin, 'PATCH', '/api/v1/settings', { base_currency: 'USD' });
  assert.equal(cur.status, 409, 'the base currency is fixed once transactions exist');
});

test('every score explains itself: the criteria contributions add up to the score and decide the tier', async () => {
  const accounts = await allAccounts('director');
  assert.equal(accounts.length, 30);
  const settings = (await get('director', '/api/v1/settings')).json;
  let keys = 0;
  for (const a of accounts) {
    const s = await get('director', `/api/v1/accounts/${a.id}/score`);
    assert.equal(s.status, 200);
    assert.deepEqual(s.json.criteria.map((c) => c.name), ['financial', 'growth', 'strategic', 'influence']);
    const sum = s.json.criteria.reduce((x, c) => x + c.contribution, 0);
    assert.ok(Math.abs(sum - s.json.score) < 0.011, `${a.name}: ${sum} vs ${s.json.score}`);
    for (const c of s.json.criteria) {
      assert.ok(c.normalized >= 0 && c.normalized <= 100);
      assert.ok(Math.abs(c.contribution - c.normalized * c.weight) < 0.011);
    }
    assert.equal(s.json.score, a.score, 'the list shows the same score');
    assert.equal(s.json.tier, a.tier);
    const want = a.status === 'churned' ? 'standard'
      : s.json.score >= settings.key_threshold ? 'key'
        : s.json.score >= settings.potential_threshold ? 'potential' : 'standard';
    assert.equal(s.json.tier, want, a.name);
    if (a.tier === 'key') keys++;
  }
  assert.ok(keys > 0, 'the demo has key accounts');
  // the revenue leader has the top financial percentile
  const pareto = (await get('director', '/api/v1/portfolio/pareto')).json;
  const top = await get('director', `/api/v1/accounts/${pareto.items[0].account_id}/score`);
  assert.equal(top.json.criteria[0].normalized, 100);
  assert.equal(top.json.criteria[0].raw, pareto.items[0].revenue);
});

test('lists filter and sort by tier and score', async () => {
  const bySc = await allAccounts('director', '&sort=-score');
  for (let i = 1; i < bySc.length; i++) assert.ok(bySc[i - 1].score >= bySc[i].score);
  // keyset paging over a real-valued sort key visits every account once
  const small = [];
  let cursor = null;
  do {
    const r = await get('director', `/api/v1/accounts?sort=score&limit=7${cursor ? '&cursor=' + cursor : ''}`);
    small.push(...r.json.items.map((a) => a.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(new Set(small).size, 30);
  const key = await allAccounts('director', '&tier=key');
  assert.ok(key.length > 0 && key.every((a) => a.tier === 'key'));
  assert.equal((await get('director', '/api/v1/accounts?tier=gold')).status, 400);
  const w = await api(srv.url, tok.director, 'PATCH', '/api/v1/accounts/1', { score: 99 });
  assert.equal(w.status, 400, 'score is computed, not written');
});

test('changing a weight re-ranks the portfolio at once', async () => {
  const before = await allAccounts('director', '&tier=key');
  const r = await api(srv.url, tok.director, 'PATCH', '/api/v1/settings',
    { weights: { financial: 1, growth: 0, strategic: 0, influence: 0 }, key_threshold: 90 });
  assert.equal(r.status, 200, r.text);
  const after = await allAccounts('director', '&tier=key');
  // only revenue counts now: key accounts are those at or above the 90th revenue percentile
  assert.ok(after.length >= 1 && after.length <= 4, `${after.length} key accounts`);
  for (const a of after) {
    const s = (await get('director', `/api/v1/accounts/${a.id}/score`)).json;
    assert.equal(s.criteria[0].weight, 1);
    assert.ok(s.score >= 90);
  }
  assert.notDeepEqual(after.map((a) => a.id), before.map((a) => a.id));
  await api(srv.url, tok.director, 'PATCH', '/api/v1/settings',
    { weights: { financial: 0.4, growth: 0.2, strategic: 0.25, influence: 0.15 }, key_threshold: 60 });
});

test('pareto: accounts by revenue with cumulative share and how many make 80%', async () => {
  const r = await get('director', '/api/v1/portfolio/pareto');
  assert.equal(r.status, 200);
  const p = r.json;
  assert.equal(p.items.length, 30);
  let cum = 0;
  for (let i = 0; i < p.items.length; i++) {
    const it = p.items[i];
    if (i) assert.ok(p.items[i - 1].revenue >= it.revenue);
    cum += it.revenue;
    assert.equal(it.rank, i + 1);
    assert.ok(Math.abs(it.cumulative_share - cum / p.total) < 1e-9);
  }
  assert.equal(cum, p.total);
  const k = p.accounts_for_80;
  assert.ok(p.items[k - 1].cumulative_share >= 0.8);
  assert.ok(k === 1 || p.items[k - 2].cumulative_share < 0.8);
  assert.ok(k < 15, 'revenue is concentrated in few accounts');
  // a narrower window, and bad windows
  const one = await get('director', '/api/v1/portfolio/pareto?from=2026-01&to=2026-01');
  assert.equal(one.status, 200);
  assert.deepEqual(one.json.period, { from: '2026-01', to: '2026-01' });
  assert.ok(one.json.total < p.total);
  for (const q of ['from=2026-13', 'from=2026-05&to=2026-01', 'sort=name'])
    assert.equal((await get('director', `/api/v1/portfolio/pareto?${q}`)).status, 400, q);
  // a kam sees only their own portfolio
  const mine = (await get('anna', '/api/v1/portfolio/pareto')).json;
  const annaAccounts = await allAccounts('anna');
  assert.deepEqual(mine.items.map((i) => i.account_id).sort((a, b) => a - b),
    annaAccounts.map((a) => a.id).sort((a, b) => a - b));
});

test('matrix: key accounts in four segments, each coordinate explained', async () => {
  const r = await get('director', '/api/v1/portfolio/matrix');
  assert.equal(r.status, 200);
  const m = r.json;
  const keys = await allAccounts('director', '&tier=key');
  assert.equal(m.items.length, keys.length);
  const counts = { strategic: 0, develop: 0, maintain: 0, streamline: 0 };
  for (const it of m.items) {
    counts[it.segment]++;
    const high = it.attractiveness.value >= m.splits.attractiveness;
    const strong = it.strength.value !== null && it.strength.value >= m.splits.strength;
    assert.equal(it.segment, high ? (strong ? 'strategic' : 'develop') : (strong ? 'maintain' : 'streamline'));
    assert.deepEqual(it.strength.components.map((c) => c.name),
      ['relationship_input', 'share_of_wallet', 'nps', 'stakeholder_coverage']);
    const w = it.strength.components.reduce((x, c) => x + c.weight, 0);
    assert.ok(Math.abs(w - 1) < 0.001, 'the weights of the known parts add up to 1');
    const v = it.strength.components.reduce((x, c) => x + (c.normalized ?? 0) * c.weight, 0);
    assert.ok(Math.abs(v - it.strength.value) < 0.05);
  }
  assert.deepEqual(m.counts, counts);
  const mine = (await get('anna', '/api/v1/portfolio/matrix')).json;
  const own = new Set((await allAccounts('anna')).map((a) => a.id));
  assert.ok(mine.items.every((i) => own.has(i.account_id)));
});

test('another kam\'s account score is not found, not forbidden', async () => {
  const annas = new Set((await allAccounts('anna')).map((a) => a.id));
  const other = (await allAccounts('director')).find((a) => !annas.has(a.id));
  assert.equal((await get('anna', `/api/v1/accounts/${other.id}/score`)).status, 404);
  assert.equal((await get('viewer', `/api/v1/accounts/${other.id}/score`)).status, 200);
});

test('lists sort by health and twelve-month revenue, kept on the account as the score is', async () => {
  const byRevenue = (await get('director', '/api/v1/accounts?sort=-revenue_12m&limit=500')).json.items;
  const pareto = (await get('director', '/api/v1/portfolio/pareto')).json.items;
  const revenue = Object.fromEntries(pareto.map((p) => [p.account_id ?? p.id, p.revenue]));
  for (const a of byRevenue) assert.equal(a.revenue_12m, revenue[a.id] ?? 0, a.name);
  for (let i = 1; i < byRevenue.length; i++) assert.ok(byRevenue[i - 1].revenue_12m >= byRevenue[i].revenue_12m);
  const byHealth = (await get('director', '/api/v1/accounts?sort=health&limit=500')).json.items;
  for (const a of byHealth.slice(0, 5)) {
    const h = (await get('director', `/api/v1/accounts/${a.id}/health`)).json;
    assert.equal(a.health, h.score, `${a.name}: the list shows the health the account page explains`);
  }
  for (let i = 1; i < byHealth.length; i++) assert.ok(byHealth[i - 1].health <= byHealth[i].health);
});

test('each key account carries its matrix segment, so lists filter by it; other accounts have none', async () => {
  const matrix = (await get('director', '/api/v1/portfolio/matrix')).json.items;
  const all = (await get('director', '/api/v1/accounts?limit=500')).json.items;
  const seg = Object.fromEntries(matrix.map((i) => [i.account_id, i.segment]));
  for (const a of all) assert.equal(a.segment, a.tier === 'key' ? seg[a.id] : null, a.name);
  for (const s of ['strategic', 'develop', 'maintain', 'streamline']) {
    const listed = (await get('director', `/api/v1/accounts?segment=${s}&limit=500`)).json.items.map((a) => a.id).sort((x, y) => x - y);
    assert.deepEqual(listed, matrix.filter((i) => i.segment === s).map((i) => i.account_id).sort((x, y) => x - y), s);
  }
  assert.equal((await get('director', '/api/v1/accounts?segment=galaxy')).status, 400);
});

test('the matrix follows the period for its bubbles\' revenue, not for where a bubble sits', async () => {
  const year = (await get('director', '/api/v1/portfolio/matrix')).json.items;
  const now = new Date();
  const m = (back) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
  const q = `from=${m(3)}&to=${m(1)}`;
  const quarter = (await get('director', `/api/v1/portfolio/matrix?${q}`)).json.items;
  const pareto = Object.fromEntries((await get('director', `/api/v1/portfolio/pareto?${q}`)).json.items.map((p) => [p.account_id, p.revenue]));
  assert.equal(quarter.length, year.length);
  for (const [i, it] of quarter.entries()) {
    assert.equal(it.revenue, pareto[it.account_id] ?? 0, it.name);
    assert.equal(it.segment, year[i].segment, 'the segment stays the twelve-month one');
    assert.equal(it.attractiveness.value, year[i].attractiveness.value);
  }
  assert.ok(quarter.some((it, i) => it.revenue < year[i].revenue), 'three months hold less revenue than twelve');
  assert.equal((await get('director', '/api/v1/portfolio/matrix?from=2026-13')).status, 400);
});

test('explain=false gives the same points without their strength components', async () => {
  const full = (await get('director', '/api/v1/portfolio/matrix')).json;
  const lean = (await get('director', '/api/v1/portfolio/matrix?explain=false')).json;
  assert.equal(lean.items.length, full.items.length);
  for (const [i, it] of lean.items.entries()) {
    assert.equal(it.strength.components, undefined);
    assert.ok(full.items[i].strength.components.length > 0);
    assert.equal(it.strength.value, full.items[i].strength.value);
    assert.equal(it.segment, full.items[i].segment);
  }
  assert.equal((await get('director', '/api/v1/portfolio/matrix?explain=maybe')).status, 400);
});
