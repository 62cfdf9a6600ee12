// Money never overflows: one amount is at most 10^13 minor units (100 billion), and the
// absolute values of the revenue kam holds add up to at most 9 × 10^15 (the pipeline
// 9 × 10^13), so no sum over any subset of them (an account, a month, a portfolio, a KPI
// window) can pass a 64-bit integer, nor 2^53 where a figure is a double. A row past a limit is refused by name; nothing stored is lost, and
// every screen keeps answering for every user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

const ROW_MAX = 10n ** 13n;
let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'director', 'anna', 'ben'], 'money'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
async function upload(who, csv, kind) {
  const r = await fetch(`${srv.url}/api/v1/imports?kind=${kind}`, {
    method: 'POST', headers: { Authorization: `Bearer ${tok[who]}`, 'Content-Type': 'text/csv' }, body: csv,
  });
  return { status: r.status, json: await r.json() };
}
const month = new Date().toISOString().slice(0, 7);

// every screen's endpoint, for a user other than the one who imported
async function everyScreenAnswers(acc) {
  const share = (await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { include_kpis: true })).json;
  const paths = ['/api/v1/accounts?limit=50&sort=-score', '/api/v1/portfolio/pareto', '/api/v1/portfolio/matrix',
    '/api/v1/kams/workload', `/api/v1/accounts/${acc}/score`, `/api/v1/accounts/${acc}/health`,
    `/api/v1/accounts/${acc}/pipeline`, `/api/v1/accounts/${acc}/whitespace`,
    `/api/v1/kpis?scope=portfolio&from=${month}-01&to=2999-12-31`, `/api/v1/kpis?scope=account&id=${acc}&interval=month&from=2025-01-01&to=2026-12-31`];
  for (const who of ['director', 'ben'])
    for (const p of paths) {
      const r = await call(who, 'GET', p);
      assert.ok(r.status === 200 || (who === 'ben' && r.status === 404), `${who} GET ${p}: ${r.status} ${r.text.slice(0, 300)}`);
    }
  assert.equal((await call('director', 'POST', '/api/v1/alerts/evaluate')).status, 200);
  assert.equal((await fetch(`${srv.url}/api/v1/shared/${share.token}`)).status, 200);
}

let acc, accName;
test('the reported attack: 9,360 rows of 10,000,000,000,000.00 EUR are refused row by row and nothing breaks', async () => {
  const a = (await call('anna', 'GET', '/api/v1/accounts?limit=1&sort=name')).json.items[0];
  acc = a.id; accName = a.name;
  const rows = ['external_id,account,booked_on,amount,currency'];
  for (let i = 0; i < 9360; i++) rows.push(`HUGE-${i},"${accName}",${month}-02,"10000000000000.00",EUR`);
  const r = await upload('anna', rows.join('\n') + '\n', 'transactions');
  assert.ok(r.status < 500, JSON.stringify(r.json).slice(0, 300));
  assert.equal(r.json.created, 0);
  assert.equal(r.json.rejected, 9360);
  assert.equal(r.json.errors[0].line, 2);
  assert.equal(r.json.errors[0].column, 'amount');
  assert.match(r.json.errors[0].message, /10000000000000/);
  await everyScreenAnswers(acc);
});

test('rows up to the total cap are kept, the row past it is refused by line, and every sum stays exact', async () => {
  // 100,000,000,000.00 EUR a row is the per-row maximum; 900 of them reach the cap
  const kpiPath = `/api/v1/kpis?scope=account&id=${acc}&from=${month}-01&to=2999-12-31`;
  // read from the text: past 2^53 a JSON number is not exact in JavaScript
  const revenueOf = async () => BigInt((await call('director', 'GET', kpiPath)).text.match(/"revenue":\{"value":(-?\d+)/)[1]);
  const before = await revenueOf();
  const rows = ['external_id,account,booked_on,amount,currency'];
  const n = 910;
  for (let i = 0; i < n; i++) rows.push(`BIG-${i},"${accName}",${month}-03,"100000000000.00",EUR`);
  const r = await upload('anna', rows.join('\n') + '\n', 'transactions');
  assert.equal(r.status, 201, JSON.stringify(r.json).slice(0, 300));
  assert.ok(r.json.created > 850 && r.json.rejected >= 10, `${r.json.created} created, ${r.json.rejected} rejected`);
  assert.equal(r.json.created + r.json.rejected, n);
  const first = r.json.errors[0];
  assert.equal(first.line, r.json.created + 2, 'the first row that does not fit is the one refused');
  assert.equal(first.column, 'amount');
  assert.match(first.message, /would take the revenue kam holds past 9000000000000000/);
  // the stored sums are exact: the account's month holds created × 10^13 plus what it had
  assert.equal(await revenueOf(), before + BigInt(r.json.created) * ROW_MAX);
  await everyScreenAnswers(acc);
  // another user's write that would pass the cap is refused too, by field, and changes nothing
  const bens = (await call('ben', 'GET', '/api/v1/accounts?limit=1')).json.items[0].id;
  const w = await call('ben', 'POST', '/api/v1/transactions', { account_id: bens, booked_on: `${month}-04`, amount: Number(ROW_MAX), currency: 'EUR' });
  assert.equal(w.status, 400, w.text);
  assert.equal(w.json.errors[0].field, 'amount');
  assert.match(w.json.errors[0].message, /past/);
  // and a small one still fits while the total is under the cap by more than it
  const small = await call('ben', 'POST', '/api/v1/transactions', { account_id: bens, booked_on: `${month}-04`, amount: 100, currency: 'EUR' });
  assert.ok([201, 400].includes(small.status));
  // deleting revenue makes room again
  const found = await call('anna', 'GET', `/api/v1/transactions?account_id=${acc}&external_id=BIG-0`);
  assert.equal(found.status, 200, found.text);
  const some = found.json.items[0];
  assert.ok(some, found.text.slice(0, 300));
  assert.equal((await call('anna', 'DELETE', `/api/v1/transactions/${some.id}`)).status, 204);
  const again = await call('ben', 'POST', '/api/v1/transactions', { account_id: bens, booked_on: `${month}-04`, amount: Number(ROW_MAX), currency: 'EUR' });
  assert.equal(again.status, 201, again.text);
});

test('one amount past its bound is a 400 naming the field, in every write path', async () => {
  const bens = (await call('ben', 'GET', '/api/v1/accounts?limit=1')).json.items[0].id;
  const over = Number(ROW_MAX) + 1;
  const tx = await call('ben', 'POST', '/api/v1/transactions', { account_id: bens, booked_on: `${month}-05`, amount: over, currency: 'EUR' });
  assert.equal(tx.status, 400);
  assert.equal(tx.json.errors[0].field, 'amount');
  const neg = await call('ben', 'POST', '/api/v1/transactions', { account_id: bens, booked_on: `${month}-05`, amount: -over, currency: 'EUR' });
  assert.equal(neg.status, 400);
  const opp = await call('ben', 'POST', '/api/v1/opportunities', { account_id: bens, name: 'Huge', kind: 'new_business', amount: over, currency: 'EUR' });
  assert.equal(opp.status, 400);
  assert.equal(opp.json.errors[0].field, 'amount');
  const pot = await call('director', 'PATCH', `/api/v1/accounts/${bens}`, { potential_annual_spend: over });
  assert.equal(pot.status, 400);
  assert.equal(pot.json.errors[0].field, 'potential_annual_spend');
  const rate = await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'JPY', valid_from: '2020-01-01', rate: 10000000 });
  assert.equal(rate.status, 400);
  assert.equal(rate.json.errors[0].field, 'rate');
  // a rate within bounds that takes a row past the cap once converted
  assert.equal((await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'XAU', valid_from: '2020-01-01', rate: 1000000 })).status, 201);
  const conv = await call('ben', 'POST', '/api/v1/transactions', { account_id: bens, booked_on: `${month}-05`, amount: 100000000, currency: 'XAU' });
  assert.equal(conv.status, 400);
  assert.equal(conv.json.errors[0].field, 'amount');
  assert.match(conv.json.errors[0].message, /base currency/);
  const bulk = await fetch(`${srv.url}/api/v1/transactions/bulk`, { method: 'POST',
    headers: { Authorization: `Bearer ${tok.ben}`, 'Content-Type': 'application/x-ndjson' },
    body: JSON.stringify({ account_id: bens, booked_on: `${month}-05`, amount: over, currency: 'EUR', external_id: 'B-1' }) + '\n' });
  const bj = await bulk.json();
  assert.equal(bulk.status, 200, JSON.stringify(bj));
  assert.equal(bj.created, 0);
  assert.equal(bj.errors[0].field, 'amount');
});

test('the pipeline has its own cap, so weighting it by probability cannot overflow', async () => {
  const rows = ['name,account,kind,amount,currency,stage'];
  for (let i = 0; i < 20; i++) rows.push(`Deal ${i},"${accName}",upsell,"100000000000.00",EUR,proposal`);
  const r = await upload('anna', rows.join('\n') + '\n', 'opportunities');
  assert.equal(r.status, 201, JSON.stringify(r.json).slice(0, 300));
  assert.ok(r.json.created <= 9 && r.json.rejected >= 11, `${r.json.created} created, ${r.json.rejected} rejected`);
  assert.equal(r.json.errors[0].column, 'amount');
  assert.match(r.json.errors[0].message, /pipeline/);
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${acc}/pipeline`)).status, 200);
  assert.equal((await call('director', 'GET', '/api/v1/kams/workload')).status, 200);
});
