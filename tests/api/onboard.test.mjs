// First day with real data (issue 15): files as CRMs export them — subsidiaries before their
// parents, managers after their reports, a product list whose name column is "Product" with
// prices — go in with one `kam import` each and no mapping file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PG, BIN, kam, serve, api, demoDb, tokens, createDb } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'anna'], 'onboard'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

async function upload(who, csv, query) {
  const r = await fetch(`${srv.url}/api/v1/imports?${new URLSearchParams(query)}`, {
    method: 'POST', headers: { Authorization: `Bearer ${tok[who]}`, 'Content-Type': 'text/csv' }, body: csv,
  });
  return { status: r.status, json: await r.json() };
}
const get = (who, path) => api(srv.url, tok[who], 'GET', path);
const byExt = async (coll, ext) => (await get('admin', `/api/v1/${coll}?external_id=${encodeURIComponent(ext)}`)).json.items[0];

test('a subsidiary listed before its parent goes in on the first run, at any depth, by name or external id', async () => {
  const csv = [
    'external_id,name,parent,parent_ext,owner',
    'G-3,Gridline Retail Lyon,,G-2,anna@example.com',        // grandchild first, by external id
    'G-2,Gridline Retail France,Gridline Holding,,anna@example.com', // child, parent by name
    'G-1,Gridline Holding,,,anna@example.com',
    'G-4,Gridline Services,gridline holding,,anna@example.com', // after its parent, any case
  ].join('\n');
  const r = await upload('admin', csv, { kind: 'accounts' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual([r.json.created, r.json.rejected], [4, 0], JSON.stringify(r.json.errors));
  const [h, f, l, s] = await Promise.all(['G-1', 'G-2', 'G-3', 'G-4'].map((e) => byExt('accounts', e)));
  assert.equal(h.parent_id, null);
  assert.equal(f.parent_id, h.id);
  assert.equal(l.parent_id, f.id);
  assert.equal(s.parent_id, h.id);
  // the second run of the same file changes nothing
  const again = await upload('admin', csv, { kind: 'accounts' });
  assert.deepEqual([again.json.created, again.json.updated, again.json.unchanged, again.json.rejected], [0, 0, 4, 0]);
});

test('rows whose parents go round in a loop are refused, each naming the loop; the others go in, errors in line order', async () => {
  const csv = [
    'external_id,name,parent_ext,potential_annual_spend',
    'L-1,Loop One,L-2,abc',          // line 2: in the loop, and a bad amount
    'L-2,Loop Two,L-3,',             // line 3
    'L-3,Loop Three,L-1,',           // line 4
    'L-4,Loop Free,L-5,',            // line 5: waits for line 6, which is fine
    'L-5,Loop Free Parent,,',        // line 6
    'L-6,Loop Self,L-6,',            // line 7: its own parent
  ].join('\n');
  const r = await upload('admin', csv, { kind: 'accounts', dry_run: 'false' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual([r.json.created, r.json.rejected], [2, 4], JSON.stringify(r.json.errors));
  const lines = r.json.errors.map((e) => e.line);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b), 'errors are listed by line');
  const at = Object.fromEntries(r.json.errors.map((e) => [e.line, e]));
  assert.deepEqual(Object.keys(at).map(Number), [2, 3, 4, 7]);
  assert.equal(at[3].column, 'parent_ext');
  assert.match(at[3].message, /loop of parents in this file: Loop Two \(line 3\) → Loop Three \(line 4\) → Loop One \(line 2\) → Loop Two \(line 3\)$/);
  assert.match(at[2].message, /: Loop One \(line 2\) → Loop Two/);
  assert.match(at[7].message, /Loop Self \(line 7\) → Loop Self \(line 7\)/);
  assert.equal(await byExt('accounts', 'L-1'), undefined);
  assert.equal((await byExt('accounts', 'L-4')).parent_id, (await byExt('accounts', 'L-5')).id);
});

test('a contact listed before the manager they report to is linked on the first run', async () => {
  const acc = (await byExt('accounts', 'G-1')).id;
  const csv = [
    'external_id,account_ext,name,email,reports_to',
    `C-2,G-1,Ivy Report,ivy@gridline.example,nora@gridline.example`,
    `C-1,G-1,Nora Boss,nora@gridline.example,`,
  ].join('\n');
  const r = await upload('admin', csv, { kind: 'contacts' });
  assert.deepEqual([r.json.created, r.json.rejected], [2, 0], JSON.stringify(r.json.errors));
  const ivy = await byExt('contacts', 'C-2');
  const nora = await byExt('contacts', 'C-1');
  assert.equal(ivy.account_id, acc);
  assert.equal(ivy.reports_to_id, nora.id);
});

test('a products file whose name column is "Product" goes in, with list prices in their currencies', async () => {
  const csv = [
    'Product,Product Family,List Price,Currency',
    'Gridline Sensor,Hardware,"1,250.50",USD',
    'Gridline Cloud,Software,9800,EUR',
    'Gridline Support,Services,,',
  ].join('\n');
  const r = await upload('admin', csv, { kind: 'products' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual([r.json.created, r.json.rejected], [3, 0], JSON.stringify(r.json.errors));
  const all = (await get('admin', '/api/v1/products?limit=500')).json.items;
  const p = Object.fromEntries(all.map((x) => [x.name, x]));
  assert.deepEqual([p['Gridline Sensor'].list_price, p['Gridline Sensor'].currency, p['Gridline Sensor'].family], [125050, 'USD', 'Hardware']);
  assert.deepEqual([p['Gridline Cloud'].list_price, p['Gridline Cloud'].currency], [980000, 'EUR']);
  assert.equal(p['Gridline Support'].list_price, null);
});

test('a product or account spelt with other spaces or punctuation is found; a name two records share, or a real typo, is not', async () => {
  const acc = (await byExt('accounts', 'G-1')).id;
  const csv = 'external_id,account_ext,name,kind,product,amount,currency\n' +
    'SP-1,G-1,Spelt one,upsell,gridline-cloud,10,EUR\n' +      // "Gridline Cloud"
    'SP-2,G-1,Spelt two,upsell,GRIDLINE  SENSOR ,10,EUR\n' +  // "Gridline Sensor"
    'SP-3,G-1,Typo,upsell,Gridline Cluod,10,EUR\n';
  const r = await upload('admin', csv, { kind: 'opportunities' });
  assert.deepEqual([r.json.created, r.json.rejected], [2, 1], JSON.stringify(r.json.errors));
  assert.match(r.json.errors[0].message, /no product "Gridline Cluod"; did you mean "Gridline Cloud"\?/);
  const products = (await get('admin', '/api/v1/products?limit=500')).json.items;
  const one = (await get('admin', '/api/v1/opportunities?external_id=SP-1')).json.items[0];
  assert.equal(one.product_id, products.find((p) => p.name === 'Gridline Cloud').id);
  assert.equal(one.account_id, acc);
});

test('a row with a bad cell and an unknown reference is reported with both problems in one run', async () => {
  const csv = 'external_id,account_ext,name,kind,product,owner,amount,expected_close_on\n' +
    'BR-1,G-1,Both wrong,upsell,No Such Product,nobody@example.com,lots,2026-02-30\n' +
    'BR-2,NO-SUCH-ACCOUNT,Acct wrong,upsell,No Such Product,,10,\n';
  const r = await upload('admin', csv, { kind: 'opportunities' });
  assert.equal(r.json.rejected, 2, JSON.stringify(r.json.errors));
  const one = r.json.errors.filter((e) => e.line === 2).map((e) => e.column).sort();
  assert.deepEqual(one, ['amount', 'expected_close_on', 'owner', 'product']);
  // without its account, the row's lookups inside the account are not guessed at
  const two = r.json.errors.filter((e) => e.line === 3);
  assert.deepEqual(two.map((e) => e.column), ['account_ext']);
  assert.match(two[0].message, /no account "NO-SUCH-ACCOUNT"/);
});

test('a new opportunity for a priced product is worth its list price unless an amount is given, in its own currency', async () => {
  const acc = (await byExt('accounts', 'G-1')).id;
  const products = (await get('admin', '/api/v1/products?limit=500')).json.items;
  const cloud = products.find((x) => x.name === 'Gridline Cloud');
  const sensor = products.find((x) => x.name === 'Gridline Sensor');
  const support = products.find((x) => x.name === 'Gridline Support');
  const post = (b) => api(srv.url, tok.anna, 'POST', '/api/v1/opportunities', { account_id: acc, kind: 'upsell', ...b });

  let r = await post({ name: 'Cloud seats', product_id: cloud.id, currency: 'EUR' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.amount, 980000);
  r = await post({ name: 'Cloud, negotiated', product_id: cloud.id, currency: 'EUR', amount: 500000 });
  assert.equal(r.json.amount, 500000);
  r = await post({ name: 'No price', product_id: support.id, currency: 'EUR' });
  assert.equal(r.json.amount, 0);

  // USD → EUR through the rates kam holds for today
  const rate = (await get('admin', '/api/v1/fx-rates?currency=USD&sort=-valid_from&limit=1')).json.items[0];
  assert.ok(rate, 'the demo data has a USD rate');
  r = await post({ name: 'Sensors', product_id: sensor.id, currency: 'EUR' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.amount, Math.round(125050 * rate.rate));
});

test('the whitespace grid values what is not sold yet at list price, in the base currency', async () => {
  const acc = (await byExt('accounts', 'G-1')).id;
  const unit = await api(srv.url, tok.admin, 'POST', '/api/v1/units', { account_id: acc, name: 'Head office' });
  assert.equal(unit.status, 201, JSON.stringify(unit.json));
  const ws = (await get('anna', `/api/v1/accounts/${acc}/whitespace`)).json;
  const cloud = ws.products.find((p) => p.name === 'Gridline Cloud');
  const support = ws.products.find((p) => p.name === 'Gridline Support');
  assert.equal(cloud.list_price_base, 980000);
  assert.equal(support.list_price_base, null);
  const cells = ws.cells.filter((c) => c.unit_id === unit.json.id);
  const cell = (p) => cells.find((c) => c.product_id === p.id);
  assert.equal(cell(cloud).state, 'white_space');
  assert.equal(cell(cloud).value, 980000);
  assert.equal(cell(support).value, null);
  const sum = cells.filter((c) => c.state === 'white_space').reduce((s, c) => s + (c.value ?? 0), 0);
  assert.ok(sum >= 980000);
  assert.equal(ws.white_space_value, sum, "one unit: the total is its row");
});

// A new installation: kam init, one admin, nothing else.
function freshDb(name, args = []) {
  const d = PG ? createDb() : join(t.dir, `${name}.db`);
  kam(['init', '--db', d, ...args]);
  kam(['user', 'add', '--email', 'boss@example.com', '--name', 'Boss', '--role', 'admin', '--password-stdin', '--db', d], { input: 'demo-password-1\n' });
  return d;
}
const run = (args) => {
  try {
    return { code: 0, out: execFileSync(BIN, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }), err: '' };
  } catch (e) {
    return { code: e.status, out: e.stdout, err: e.stderr };
  }
};

test('kam init --currency USD starts a US company in dollars; kam settings get and set read and change any setting', () => {
  const d = freshDb('usd', ['--currency', 'USD']);
  assert.equal(kam(['settings', 'get', 'base_currency', '--db', d]).trim(), 'USD');
  assert.equal(kam(['settings', 'set', 'time_zone', 'America/Chicago', '--db', d]).trim(), 'America/Chicago');
  assert.equal(kam(['settings', 'set', 'alerts.no_interaction.threshold', '45', '--db', d]).trim(), '45');
  const all = JSON.parse(kam(['settings', 'get', '--db', d]));
  assert.equal(all.time_zone, 'America/Chicago');
  assert.equal(all.alerts.no_interaction.threshold, 45);
  // a bad value is refused with the API's reason, and nothing changes
  let r = run(['settings', 'set', 'time_zone', 'Mars/Olympus', '--db', d]);
  assert.equal(r.code, 1);
  assert.match(r.err, /time_zone: must be an IANA time zone name/);
  assert.equal(kam(['settings', 'get', 'time_zone', '--db', d]).trim(), 'America/Chicago');
  r = run(['settings', 'get', 'no_such_thing', '--db', d]);
  assert.equal(r.code, 2);
  assert.match(r.err, /no setting no_such_thing/);
  // --as has the roles of the API: a viewer may not change settings
  kam(['user', 'add', '--email', 'v@example.com', '--name', 'V', '--role', 'viewer', '--password-stdin', '--db', d], { input: 'demo-password-1\n' });
  r = run(['settings', 'set', 'company_name', 'Nope', '--as', 'v@example.com', '--db', d]);
  assert.equal(r.code, 1);
  assert.match(r.err, /only directors and admins/);
  assert.equal(run(['init', '--currency', 'XYZ', '--db', d]).code, 1);
});

test('a first revenue file all in one currency without a rate is refused once, offering to make it the base currency', async () => {
  const d = freshDb('firstfile');
  const s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  try {
    const boss = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', d]).trim();
    // the web app's first sign-in asks for currency and zone: the session says so
    let sess = await api(s.url, boss, 'GET', '/api/v1/session');
    assert.equal(sess.json.setup, true);
    writeFileSync(join(t.dir, 'a.csv'), 'name\nAcme Corp\n');
    writeFileSync(join(t.dir, 'tx.csv'), 'account,booked_on,amount,currency\nAcme Corp,2026-01-05,100.00,USD\nAcme Corp,2026-02-05,250.00,USD\n');
    kam(['import', 'accounts', join(t.dir, 'a.csv'), '--db', d]);
    const up = async () => {
      const r = await fetch(`${s.url}/api/v1/imports?kind=transactions`, { method: 'POST', headers: { Authorization: `Bearer ${boss}`, 'Content-Type': 'text/csv' }, body: 'account,booked_on,amount,currency\nAcme Corp,2026-01-05,100.00,USD\nAcme Corp,2026-02-05,250.00,USD\n' });
      return { status: r.status, json: await r.json() };
    };
    let r = await up();
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal(r.json.errors[0].field, 'currency');
    assert.equal(r.json.errors[0].base_currency, 'USD');
    assert.match(r.json.errors[0].message, /every row is in USD and kam has no rate from USD to its base currency EUR; as no money is stored yet, make USD the base currency/);
    // the CLI says the same
    const cli = run(['import', 'transactions', join(t.dir, 'tx.csv'), '--db', d]);
    assert.equal(cli.code, 1);
    assert.match(cli.err, /make USD the base currency \(kam settings set base_currency USD/);
    // taking the offer: the same file goes in
    assert.equal((await api(s.url, boss, 'PATCH', '/api/v1/settings', { base_currency: 'USD' })).status, 200);
    r = await up();
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual([r.json.created, r.json.rejected], [2, 0]);
    // once money is stored, a file in another currency is refused row by row as before
    sess = await api(s.url, boss, 'GET', '/api/v1/session');
    assert.equal(sess.json.setup, false);
    const eur = await fetch(`${s.url}/api/v1/imports?kind=transactions`, { method: 'POST', headers: { Authorization: `Bearer ${boss}`, 'Content-Type': 'text/csv' }, body: 'account,booked_on,amount,currency\nAcme Corp,2026-03-05,10.00,EUR\n' });
    const ej = await eur.json();
    assert.equal(eur.status, 201);
    assert.equal(ej.rejected, 1);
    assert.match(ej.errors[0].message, /no FX rate for EUR/);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('the session asks no setup of a KAM, nor once the settings were saved', async () => {
  assert.equal((await api(srv.url, tok.anna, 'GET', '/api/v1/session')).json.setup, false);
  assert.equal((await api(srv.url, tok.admin, 'GET', '/api/v1/session')).json.setup, false); // the demo has revenue
});

test('every report takes periods the same way: months or dates, to excluded as a date and included as a month; a quarter\'s previous period is the quarter before', async () => {
  const same = async (a, b) => {
    const x = await get('admin', a), y = await get('admin', b);
    assert.equal(x.status, 200, x.text);
    assert.equal(y.status, 200, y.text);
    return [x.json, y.json];
  };
  // /kpis: months, as the portfolio reports take them
  let [k1, k2] = await same('/api/v1/kpis?from=2026-07-01&to=2026-10-01', '/api/v1/kpis?from=2026-07&to=2026-09');
  assert.deepEqual(k1.period, { from: '2026-07-01', to: '2026-10-01' });
  assert.deepEqual(k2.period, k1.period);
  assert.deepEqual(k2.kpis.revenue, k1.kpis.revenue);
  assert.deepEqual(k1.previous, { from: '2026-04-01', to: '2026-07-01' }, 'Q3 is compared with Q2');
  // /portfolio/pareto and the matrix: dates that start a month, as /kpis takes them
  [k1, k2] = await same('/api/v1/portfolio/pareto?from=2026-01&to=2026-06', '/api/v1/portfolio/pareto?from=2026-01-01&to=2026-07-01');
  assert.deepEqual(k2.period, k1.period);
  assert.deepEqual(k2.items, k1.items);
  [k1, k2] = await same('/api/v1/portfolio/matrix?from=2026-01&to=2026-06&explain=false', '/api/v1/portfolio/matrix?from=2026-01-01&to=2026-07-01&explain=false');
  assert.deepEqual(k2, k1);
  // a day inside a month cannot bound a report counted in whole months
  const bad = await get('admin', '/api/v1/portfolio/pareto?from=2026-01-15&to=2026-07-01');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].field, 'from');
  assert.match(bad.json.errors[0].message, /first day of a month/);
  // kam kpi reads them the same way
  const cli = JSON.parse(kam(['kpi', '--from', '2026-07', '--to', '2026-09', '--format', 'json', '--db', db]));
  assert.deepEqual([cli.period.from, cli.period.to, cli.previous.from], ['2026-07-01', '2026-10-01', '2026-04-01']);
  const bad2 = await get('admin', '/api/v1/kpis?from=2026-13&to=2026-14');
  assert.equal(bad2.status, 400);
  assert.match(bad2.json.errors[0].message, /a date YYYY-MM-DD or a month YYYY-MM/);
});

test('imported history without lifecycle dates still has retention: acquired at the first revenue, churned after churn_after_months without any, flagged inferred', async () => {
  const d = freshDb('lifecycle');
  const month = (y, m) => `${y}-${String(m).padStart(2, '0')}-15`;
  const rows = ['account,booked_on,amount'];
  // Alpha buys every month 2024-01 .. 2026-10; Beta 2024-01 .. 2025-06, then nothing; Gamma
  // from 2025-09 (new in the period); Delta says it was acquired in 2023 and churned 2025-12
  for (let y = 2024, m = 1; y < 2026 || m <= 10; m === 12 ? (y++, m = 1) : m++) {
    rows.push(`Alpha,${month(y, m)},1000.00`);
    if (y < 2025 || (y === 2025 && m <= 6)) rows.push(`Beta,${month(y, m)},500.00`);
    if (y > 2025 || (y === 2025 && m >= 9)) rows.push(`Gamma,${month(y, m)},200.00`);
    if (y < 2025 || (y === 2025 && m <= 3)) rows.push(`Delta,${month(y, m)},100.00`);
  }
  writeFileSync(join(t.dir, 'lc-a.csv'), 'name,acquired_on,churned_on,status\nAlpha,,,\nBeta,,,\nGamma,,,\nDelta,2023-05-01,2025-12-01,churned\n');
  writeFileSync(join(t.dir, 'lc-t.csv'), rows.join('\n') + '\n');
  kam(['import', 'accounts', join(t.dir, 'lc-a.csv'), '--db', d]);
  kam(['import', 'transactions', join(t.dir, 'lc-t.csv'), '--db', d]);
  const s = await serve(d, { KAM_NOW: '2026-11-15T12:00:00Z', KAM_JOB_INTERVAL: '3600' });
  try {
    const boss = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', d]).trim();
    const k = (await api(s.url, boss, 'GET', '/api/v1/kpis?from=2025-07&to=2026-06')).json.kpis;
    // cohort on 2025-07-01: Alpha, Beta (acquired 2024-01, inferred) and Delta (stated);
    // churned in the period: Beta (2025-07-01, inferred: quiet since, 12 months by 2026-07-01)
    // and Delta (2025-12-01, stated); Gamma is acquired in the period, not in the cohort
    assert.deepEqual([k.logo_retention.numerator, k.logo_retention.denominator], [1, 3]);
    assert.deepEqual([k.logo_churn.numerator, k.logo_churn.denominator], [2, 3]);
    assert.notEqual(k.nrr.value, null);
    assert.notEqual(k.grr.value, null);
    const byName = async (n) => (await api(s.url, boss, 'GET', `/api/v1/accounts?q=${n}`)).json.items[0].id;
    const beta = (await api(s.url, boss, 'GET', `/api/v1/accounts/${await byName('Beta')}`)).json;
    assert.deepEqual(beta.lifecycle, { acquired_on: '2024-01-01', churned_on: '2025-07-01', acquired_inferred: true, churned_inferred: true });
    assert.equal(beta.acquired_on, null, 'the inference is not written over the account');
    const gamma = (await api(s.url, boss, 'GET', `/api/v1/accounts/${await byName('Gamma')}`)).json;
    assert.deepEqual(gamma.lifecycle, { acquired_on: '2025-09-01', churned_on: null, acquired_inferred: true, churned_inferred: false });
    const delta = (await api(s.url, boss, 'GET', `/api/v1/accounts/${await byName('Delta')}`)).json;
    assert.deepEqual(delta.lifecycle, { acquired_on: '2023-05-01', churned_on: '2025-12-01', acquired_inferred: false, churned_inferred: false });
    // a shorter setting makes Gamma's… no: a longer one keeps Beta a customer until 24 quiet months
    assert.equal((await api(s.url, boss, 'PATCH', '/api/v1/settings', { churn_after_months: 24 })).status, 200);
    const k2 = (await api(s.url, boss, 'GET', '/api/v1/kpis?from=2025-07&to=2026-06')).json.kpis;
    assert.deepEqual([k2.logo_churn.numerator, k2.logo_churn.denominator], [1, 3]);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('with no ERP feed, won deals are booked as revenue on their close date, once, and follow their deal', async () => {
  const d = freshDb('bookings', ['--currency', 'USD']);
  writeFileSync(join(t.dir, 'b-a.csv'), 'name\nAcme Corp\n');
  kam(['import', 'accounts', join(t.dir, 'b-a.csv'), '--db', d]);
  const s = await serve(d, { KAM_NOW: '2026-11-15T12:00:00Z', KAM_JOB_INTERVAL: '3600' });
  const boss = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', d]).trim();
  const call = (m, p, b) => api(s.url, boss, m, p, b);
  const deals = 'Opportunity ID,Opportunity Name,Account Name,Stage,Amount,Close Date\n' +
    'OP-1,Big win,Acme Corp,Closed Won,"1,000.00",3/10/2026\nOP-2,Lost one,Acme Corp,Closed Lost,500.00,4/2/2026\n' +
    'OP-3,Open one,Acme Corp,Negotiation,700.00,12/20/2026\n';
  const upload = async () => {
    const r = await fetch(`${s.url}/api/v1/imports?kind=opportunities&mapping=salesforce`, { method: 'POST', headers: { Authorization: `Bearer ${boss}`, 'Content-Type': 'text/csv' }, body: deals });
    return r.json();
  };
  const revenue = async () => (await call('GET', '/api/v1/kpis?from=2026-01&to=2026-06')).json.kpis.revenue.value;
  const bookings = async () => (await call('GET', '/api/v1/transactions?limit=100')).json.items;
  try {
    assert.equal((await call('PATCH', '/api/v1/settings', { book_won_opportunities: true })).status, 200);
    let r = await upload();
    assert.deepEqual([r.created, r.rejected], [3, 0], JSON.stringify(r.errors));
    const won = (await call('GET', '/api/v1/opportunities?external_id=OP-1')).json.items[0];
    let tx = await bookings();
    assert.equal(tx.length, 1);
    assert.deepEqual([tx[0].opportunity_id, tx[0].booked_on, tx[0].amount, tx[0].currency, tx[0].amount_base], [won.id, '2026-03-10', 100000, 'USD', 100000]);
    assert.equal(await revenue(), 100000);
    // the same file again: nothing changes
    r = await upload();
    assert.deepEqual([r.created, r.updated, r.unchanged], [0, 0, 3]);
    assert.deepEqual(await bookings(), tx);
    // the booking is the deal's: edited there, not on its own
    const p = await call('PATCH', `/api/v1/transactions/${tx[0].id}`, { amount: 1 });
    assert.equal(p.status, 409);
    assert.match(p.json.detail, /books won opportunity \d+ as revenue/);
    assert.equal((await call('DELETE', `/api/v1/transactions/${tx[0].id}`)).status, 409);
    // a new amount moves the booking; reopened, the deal takes its revenue back
    assert.equal((await call('PATCH', `/api/v1/opportunities/${won.id}`, { amount: 150000 })).status, 200);
    assert.equal(await revenue(), 150000);
    assert.equal((await call('PATCH', `/api/v1/opportunities/${won.id}`, { stage: 'negotiation' })).status, 200);
    assert.deepEqual(await bookings(), []);
    assert.equal(await revenue(), 0);
    assert.equal((await call('PATCH', `/api/v1/opportunities/${won.id}`, { stage: 'won', closed_on: '2026-05-05' })).status, 200);
    tx = await bookings();
    assert.deepEqual([tx.length, tx[0].booked_on], [1, '2026-05-05']);
    // the setting off takes every booking away, on brings them back
    assert.equal((await call('PATCH', '/api/v1/settings', { book_won_opportunities: false })).status, 200);
    assert.deepEqual(await bookings(), []);
    assert.equal(await revenue(), 0);
    assert.equal((await call('PATCH', '/api/v1/settings', { book_won_opportunities: true })).status, 200);
    assert.equal((await bookings()).length, 1);
    assert.equal(await revenue(), 150000);
    // a won deal in a currency without a rate is refused at its currency, nothing written
    const eur = await call('POST', '/api/v1/opportunities', { account_id: won.account_id, name: 'Euro deal', kind: 'upsell', stage: 'won', closed_on: '2026-02-02', amount: 1000, currency: 'EUR' });
    assert.equal(eur.status, 400);
    assert.equal(eur.json.errors[0].field, 'currency');
    assert.match(eur.json.errors[0].message, /no FX rate for EUR on 2026-02-02 to book this won deal/);
    // a deleted deal takes its booking with it
    assert.equal((await call('DELETE', `/api/v1/opportunities/${won.id}`)).status, 204);
    assert.deepEqual(await bookings(), []);
    assert.equal(await revenue(), 0);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('a sales team file with names only brings people in: e-mails from a domain, managers in the same file, teams; they sign in through a one-time invitation', async () => {
  const d = freshDb('users');
  const s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  const boss = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', d]).trim();
  const call = (m, p, b) => api(s.url, boss, m, p, b);
  const up = async (csv, q) => {
    const r = await fetch(`${s.url}/api/v1/imports?${new URLSearchParams({ kind: 'users', ...q })}`, { method: 'POST', headers: { Authorization: `Bearer ${boss}`, 'Content-Type': 'text/csv' }, body: csv });
    return { status: r.status, json: await r.json() };
  };
  // the agents come before their manager; no e-mails in the file
  const team = 'sales_agent,manager,regional_office\nAnna Agent,Mara Manager,Central\nZoë Ölund,Mara Manager,East\nMara Manager,,Central\n';
  try {
    // without a domain each row says what is missing
    let r = await up(team, {});
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.rejected, 3);
    const mara = r.json.errors.find((e) => e.line === 4);
    assert.equal(mara.column, 'email');
    assert.match(mara.message, /no e-mail for this user \(their login\): add an email column, or pass an e-mail domain/);
    r = await up(team, { email_domain: 'gridline.example' });
    assert.deepEqual([r.json.created, r.json.rejected], [3, 0], JSON.stringify(r.json.errors));
    const users = (await call('GET', '/api/v1/users?limit=100&sort=name')).json.items;
    const by = Object.fromEntries(users.map((u) => [u.name, u]));
    assert.equal(by['Anna Agent'].email, 'anna.agent@gridline.example');
    assert.equal(by['Zoë Ölund'].email, 'zoe.olund@gridline.example');
    assert.deepEqual([by['Anna Agent'].role, by['Anna Agent'].team, by['Anna Agent'].manager_id], ['kam', 'Central', by['Mara Manager'].id]);
    assert.equal(by['Zoë Ölund'].team, 'East');
    // the same file again changes nothing
    r = await up(team, { email_domain: 'gridline.example' });
    assert.deepEqual([r.json.created, r.json.updated, r.json.unchanged], [0, 0, 3]);
    // imported people cannot sign in until they set a password
    const login = (email, password) => fetch(`${s.url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    assert.equal((await login('anna.agent@gridline.example', 'demo-password-1')).status, 401);
    const pending = (await call('GET', '/api/v1/invitations')).json.items.map((u) => u.email).sort();
    assert.deepEqual(pending, ['anna.agent@gridline.example', 'mara.manager@gridline.example', 'zoe.olund@gridline.example']);
    const inv = await call('POST', `/api/v1/users/${by['Anna Agent'].id}/invitation`);
    assert.equal(inv.status, 201, inv.text);
    assert.match(inv.json.link, /^\/#\/invite\/inv_[A-Za-z0-9_-]{40,}$/);
    const tok = inv.json.token;
    const pub = (m, b) => fetch(`${s.url}/api/v1/invitations/${tok}`, { method: m, headers: b ? { 'Content-Type': 'application/json' } : {}, body: b ? JSON.stringify(b) : undefined });
    let g = await pub('GET');
    assert.equal(g.status, 200);
    assert.deepEqual((await g.json()).user, { id: by['Anna Agent'].id, name: 'Anna Agent', email: 'anna.agent@gridline.example' });
    // a weak password is refused at its field and the link still works
    g = await pub('POST', { password: 'short' });
    assert.equal(g.status, 400);
    assert.equal((await g.json()).errors[0].field, 'password');
    g = await pub('POST', { password: 'a-good-long-password' });
    assert.equal(g.status, 200);
    assert.equal((await login('anna.agent@gridline.example', 'a-good-long-password')).status, 201);
    // once used, the link is gone; so is an unknown one, and they answer alike
    for (const t of [tok, 'inv_' + 'x'.repeat(43), 'nonsense']) {
      const x = await fetch(`${s.url}/api/v1/invitations/${t}`);
      assert.equal(x.status, 404, t);
      assert.match((await x.json()).detail, /not valid, was used already or has expired/);
    }
    // a user with a password gets no invitation; a new link replaces the old one
    assert.equal((await call('POST', `/api/v1/users/${by['Anna Agent'].id}/invitation`)).status, 409);
    const first = (await call('POST', `/api/v1/users/${by['Mara Manager'].id}/invitation`)).json.token;
    const second = (await call('POST', `/api/v1/users/${by['Mara Manager'].id}/invitation`)).json.token;
    assert.equal((await fetch(`${s.url}/api/v1/invitations/${first}`)).status, 404);
    assert.equal((await fetch(`${s.url}/api/v1/invitations/${second}`)).status, 200);
    // deals then name their owners by name
    writeFileSync(join(t.dir, 'u-a.csv'), 'name\nAcme Corp\n');
    kam(['import', 'accounts', join(t.dir, 'u-a.csv'), '--db', d]);
    const deals = await fetch(`${s.url}/api/v1/imports?kind=opportunities`, { method: 'POST', headers: { Authorization: `Bearer ${boss}`, 'Content-Type': 'text/csv' },
      body: 'opportunity_id,account,sales_agent,deal_stage,close_value\nD-1,Acme Corp,Zoë Ölund,Prospecting,100\n' });
    const dj = await deals.json();
    assert.equal(dj.created, 1, JSON.stringify(dj.errors));
    const opp = (await call('GET', '/api/v1/opportunities?external_id=D-1')).json.items[0];
    assert.equal(opp.owner_id, by['Zoë Ölund'].id);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('only admins bring users in or invite them; kam import users prints each new user\'s invitation link once', async () => {
  const d = freshDb('users-cli');
  kam(['user', 'add', '--email', 'dir@example.com', '--name', 'Dir', '--role', 'director', '--password-stdin', '--db', d], { input: 'demo-password-1\n' });
  writeFileSync(join(t.dir, 'team.csv'), 'name,email,manager\nKai Rep,kai@example.com,Lea Lead\nLea Lead,lea@example.com,\n');
  let r = run(['import', 'users', join(t.dir, 'team.csv'), '--as', 'dir@example.com', '--db', d]);
  assert.equal(r.code, 1);
  assert.match(r.err, /only admins may import users/);
  r = run(['import', 'users', join(t.dir, 'team.csv'), '--db', d], );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /users: 2 rows: 2 created/);
  const links = [...r.out.matchAll(/^ {2}(.+) <(.+)>: (\/#\/invite\/inv_[A-Za-z0-9_-]+)$/gm)].map((m) => [m[1], m[2]]);
  assert.deepEqual(links.sort(), [['Kai Rep', 'kai@example.com'], ['Lea Lead', 'lea@example.com']]);
  // a second run creates nobody and prints no link
  r = run(['import', 'users', join(t.dir, 'team.csv'), '--db', d]);
  assert.doesNotMatch(r.out, /invite/);
  const s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  try {
    const dir = kam(['token', 'create', '--email', 'dir@example.com', '--name', 't', '--db', d]).trim();
    const kai = (await api(s.url, dir, 'GET', '/api/v1/users?q=Kai')).json.items[0];
    assert.equal((await api(s.url, dir, 'POST', `/api/v1/users/${kai.id}/invitation`)).status, 403);
    assert.equal((await api(s.url, dir, 'GET', '/api/v1/invitations')).status, 403);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

// Done means (issue 15): a CRM sample of our own making with the difficulties of a real one —
// subsidiaries before their parents, agents with names only, a product spelt otherwise than
// in the catalogue, deals without an account, US dates, invoices in a second currency — goes
// from files to figures with kam init --currency USD and one kam import per file, no mapping.
test('a CRM sample goes in with one kam import per file and no mapping; the figures match an independent computation', async () => {
  const FIX = new URL('../fixtures/onboard/', import.meta.url).pathname;
  const d = PG ? createDb() : join(t.dir, 'sample.db');
  const env = { ...process.env, KAM_NOW: '2026-11-15T12:00:00Z' };
  kam(['init', '--currency', 'USD', '--db', d], { env });
  kam(['user', 'add', '--email', 'boss@example.com', '--name', 'Boss', '--role', 'admin', '--password-stdin', '--db', d], { input: 'demo-password-1\n', env });
  const imp = (...a) => {
    try {
      return { code: 0, out: execFileSync(BIN, ['import', ...a, '--db', d], { encoding: 'utf8', env, stdio: ['pipe', 'pipe', 'pipe'] }) };
    } catch (e) {
      return { code: e.status, out: e.stdout + e.stderr };
    }
  };
  const runs = [
    ['accounts', 'accounts.csv'], ['users', 'sales_teams.csv', '--email-domain', 'gridline.example'],
    ['products', 'products.csv'], ['opportunities', 'sales_pipeline.csv'], ['fx-rates', 'fx_rates.csv'],
    ['transactions', 'invoices.csv'],
  ].map(([k, f, ...rest]) => [k, imp(k, join(FIX, f), ...rest)]);
  const out = Object.fromEntries(runs);
  for (const k of ['accounts', 'users', 'products', 'fx-rates', 'transactions']) assert.equal(out[k].code, 0, `${k}: ${out[k].out}`);
  // the three prospecting deals without an account are refused, each saying why
  assert.equal(out.opportunities.code, 3, out.opportunities.out);
  assert.match(out.opportunities.out, /39 rows: 36 created, 0 updated, 0 unchanged, 3 rejected/);
  assert.equal([...out.opportunities.out.matchAll(/line (38|39|40), column account: is required/g)].length, 3);
  assert.equal([...out.users.out.matchAll(/\/#\/invite\/inv_/g)].length, 5);

  const s = await serve(d, { KAM_NOW: '2026-11-15T12:00:00Z', KAM_JOB_INTERVAL: '3600' });
  try {
    const boss = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', d]).trim();
    const call = async (p) => { const r = await api(s.url, boss, 'GET', p); assert.equal(r.status, 200, r.text); return r.json; };
    const accounts = (await call('/api/v1/accounts?limit=100')).items;
    const acc = Object.fromEntries(accounts.map((a) => [a.name, a]));
    assert.equal(acc['Acme Europe'].parent_id, acc['Acme Group'].id);
    assert.equal(acc['Acme Retail'].parent_id, acc['Acme Group'].id);
    assert.equal(acc['Fjord AS'].country, 'Norway');
    assert.equal(acc['Betatech'].industry, 'technology');
    const users = Object.fromEntries((await call('/api/v1/users?limit=100')).items.map((u) => [u.name, u]));
    assert.equal(users['Zoë Ölund'].manager_id, users['Mara Manager'].id);
    const products = Object.fromEntries((await call('/api/v1/products?limit=100')).items.map((p) => [p.name, p]));
    const op2 = (await call('/api/v1/opportunities?external_id=OP0002')).items[0]; // "GTXPro" in the file
    assert.equal(op2.product_id, products['GTX Pro'].id);
    assert.equal(op2.owner_id, users['Zoë Ölund'].id);
    const op1 = (await call('/api/v1/opportunities?external_id=OP0001')).items[0];
    assert.deepEqual([op1.stage, op1.closed_on, op1.amount], ['won', '2025-02-01', 55000]);

    // revenue of Nov 2025 .. Oct 2026, computed here from the file: USD as is, EUR at the
    // year's rate, each row rounded half away from zero as kam stores it
    const rates = { 2024: 1.08, 2025: 1.05, 2026: 1.12 };
    let want = 0;
    const byAccount = {};
    for (const line of readFileSync(join(FIX, 'invoices.csv'), 'utf8').trim().split(/\r?\n/).slice(1)) {
      const m = /^([^,]+),([^,]+),(\d+)\/(\d+)\/(\d+),"?([\d,.]+)"?,(\w+)$/.exec(line);
      const [, , account, mo, , y, amt, cur] = m;
      const cents = Math.round(Number(amt.replace(/,/g, '')) * 100);
      const base = cur === 'USD' ? cents : Math.sign(cents) * Math.round(Math.abs(cents) * rates[y]);
      const ym = `${y}-${mo.padStart(2, '0')}`;
      if (ym >= '2025-11' && ym <= '2026-10') {
        want += base;
        byAccount[account] = (byAccount[account] || 0) + base;
      }
    }
    const k = (await call('/api/v1/kpis?from=2025-11&to=2026-10')).kpis;
    assert.equal(k.revenue.value, want);
    // retention from the revenue alone: Everest's last invoice is March 2025, so it left in
    // April 2025 (previous period); Cobalt came in June 2025; Acme Group invoices nothing
    assert.deepEqual([k.logo_retention.numerator, k.logo_retention.denominator], [6, 6]);
    assert.ok(Math.abs(k.logo_retention.previous - 5 / 6) < 1e-9, String(k.logo_retention.previous));
    assert.notEqual(k.nrr.value, null);
    assert.notEqual(k.grr.value, null);
    const everest = await call(`/api/v1/accounts/${acc['Everest Inc'].id}`);
    assert.deepEqual(everest.lifecycle, { acquired_on: '2024-01-01', churned_on: '2025-04-01', acquired_inferred: true, churned_inferred: true });
    // the top account is the one the file says
    const top = Object.entries(byAccount).sort((a, b) => b[1] - a[1])[0];
    const pareto = await call('/api/v1/portfolio/pareto?from=2025-11&to=2026-10');
    assert.equal(pareto.items[0].name ?? accounts.find((a) => a.id === pareto.items[0].account_id)?.name, top[0]);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('a preview reads the file as the import would and writes nothing: columns with samples and suggestions, picklist values, dates, the first rows as stored', async () => {
  const before = (await get('admin', '/api/v1/opportunities?limit=1')).json;
  const csv = 'Deal,Acount Name,deal_stage,close_value,Close Date,Colour\n' +
    'PV-1,Gridline Holding,Won,"1,200.00",3/14/2026,red\n' +
    'PV-2,Gridline Holding,In Talks,300,3/20/2026,blue\n' +
    'PV-3,Gridline Holding,In Talks,100,4/2/2026,red\n';
  const r = await fetch(`${srv.url}/api/v1/imports?kind=opportunities&preview=true`, { method: 'POST', headers: { Authorization: `Bearer ${tok.admin}`, 'Content-Type': 'text/csv' }, body: csv });
  const p = await r.json();
  assert.equal(r.status, 200, JSON.stringify(p));
  assert.equal(p.status, 'dry_run');
  const col = Object.fromEntries(p.columns.map((c) => [c.header, c]));
  assert.deepEqual([col.deal_stage.field, col.close_value.field, col['Close Date'].field], ['stage', 'amount', 'expected_close_on']);
  assert.equal(col['Close Date'].date_format, 'M/D/YYYY');
  assert.deepEqual(col.Colour.samples, ['red', 'blue']);
  assert.equal(col.Colour.target, null);
  assert.equal(col['Acount Name'].target, null);
  assert.equal(col['Acount Name'].suggestion, undefined, 'no field is that close; account is a reference');
  const stage = p.picklists.find((x) => x.field === 'stage');
  assert.deepEqual(stage.values.sort((a, b) => a.value.localeCompare(b.value)), [{ value: 'In Talks', rows: 2, as: null }, { value: 'Won', rows: 1, as: 'won' }]);
  assert.ok(stage.allowed.includes('negotiation'));
  assert.equal(p.rows.length, 3);
  assert.equal(p.rows[0].line, 2);
  assert.equal(p.rows[0].record.amount, 120000);
  assert.equal(p.rows[0].record.closed_on, '2026-03-14');
  assert.deepEqual(p.rows.map((x) => x.rejected), [true, true, true], 'no account column: every row is refused');
  // nothing was written
  assert.deepEqual((await get('admin', '/api/v1/opportunities?limit=1')).json, before);
  // a preview is a dry run, never a write
  const w = await fetch(`${srv.url}/api/v1/imports?kind=opportunities&preview=true&dry_run=false`, { method: 'POST', headers: { Authorization: `Bearer ${tok.admin}`, 'Content-Type': 'text/csv' }, body: csv });
  assert.equal(w.status, 400);
});

test('a mapping saved by name is used by the API and kam import --map NAME; a bad one is refused', async () => {
  const mapping = { columns: { Deal: 'external_id', 'Acount Name': 'account', Colour: null }, values: { stage: { 'In Talks': 'negotiation' } }, date_format: 'M/D/YYYY' };
  let r = await api(srv.url, tok.admin, 'POST', '/api/v1/import-mappings', { name: 'monthly deals', kind: 'opportunities', mapping: JSON.stringify(mapping) });
  assert.equal(r.status, 201, r.text);
  const bad = await api(srv.url, tok.admin, 'POST', '/api/v1/import-mappings', { name: 'broken', kind: 'opportunities', mapping: '{"columns": 3}' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].field, 'mapping');
  assert.equal((await api(srv.url, tok.anna, 'POST', '/api/v1/import-mappings', { name: 'mine', kind: 'accounts', mapping: '{}' })).status, 403);
  const csv = 'Deal,Acount Name,deal_stage,close_value,Close Date,Colour\nSM-1,Gridline Holding,In Talks,300,3/20/2026,blue\n';
  const up = await fetch(`${srv.url}/api/v1/imports?kind=opportunities&mapping=${encodeURIComponent('monthly deals')}`, { method: 'POST', headers: { Authorization: `Bearer ${tok.admin}`, 'Content-Type': 'text/csv' }, body: csv });
  const uj = await up.json();
  assert.equal(up.status, 201, JSON.stringify(uj));
  assert.equal(uj.created, 1, JSON.stringify(uj.errors));
  const sm = (await get('admin', '/api/v1/opportunities?q=SM-1')).json.items[0];
  assert.equal(sm.stage, 'negotiation');
  assert.equal(sm.account_id, (await byExt('accounts', 'G-1')).id);
  // the CLI by name too, and a mapping of another kind or an unknown name is refused
  writeFileSync(join(t.dir, 'sm2.csv'), csv.replace('SM-1', 'SM-2'));
  const out = kam(['import', 'opportunities', join(t.dir, 'sm2.csv'), '--map', 'monthly deals', '--db', db]);
  assert.match(out, /1 created/);
  let e = run(['import', 'accounts', join(t.dir, 'sm2.csv'), '--map', 'monthly deals', '--db', db]);
  assert.equal(e.code, 1);
  assert.match(e.err, /monthly deals is a mapping of opportunities files, not accounts/);
  e = run(['import', 'accounts', join(t.dir, 'sm2.csv'), '--map', 'no such mapping', '--db', db]);
  assert.equal(e.code, 1);
  assert.match(e.err, /the name of a saved mapping/);
  r = await fetch(`${srv.url}/api/v1/imports?kind=opportunities&mapping=nope`, { method: 'POST', headers: { Authorization: `Bearer ${tok.admin}`, 'Content-Type': 'text/csv' }, body: csv });
  assert.equal(r.status, 400);
});
