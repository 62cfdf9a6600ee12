// Contracts, their renewal opportunities and the quarter's forecast (issue 18), worked by
// hand for a KAM of their own so the demo's random deals do not move the figures.
// Today is 2026-11-15 (KAM_NOW): 2026-Q4 runs 1 Oct … 31 Dec, 46 days are left after today.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, kam, serve, api, demoDb, tokens, sleep } from '../lib/harness.mjs';

const NOW = '2026-11-15T12:00:00Z';
let t, db, srv, fiona, acct, acct2;
const tok = {};
const call = (who, method, path, body) => api(srv.url, tok[who], method, path, body);
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.json; };

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'director', 'anna', 'ben', 'viewer', 'mia'], 'forecast'));
  // one job run a second: renewals and snapshots are made by the jobs
  srv = await serve(db, { KAM_NOW: NOW, KAM_JOB_INTERVAL: '1' });
  fiona = ok(await call('admin', 'POST', '/api/v1/users',
    { email: 'fiona@example.com', name: 'Fiona Forecast', role: 'kam', team: 'North', password: 'fiona-password-1' }), 201);
  Object.assign(tok, tokens(db, ['fiona'], 'forecast'));
  acct = ok(await call('admin', 'POST', '/api/v1/accounts',
    { name: 'Forecast Fixtures AG', owner_id: fiona.id, currency: 'EUR', status: 'active' }), 201);
  acct2 = ok(await call('admin', 'POST', '/api/v1/accounts',
    { name: 'Anna Only GmbH', owner_id: (await call('admin', 'GET', '/api/v1/users?q=anna')).json.items[0].id, currency: 'EUR' }), 201);
  // CHF: 1.00 EUR until 30 Nov, 1.10 from 1 Dec
  ok(await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'CHF', valid_from: '2020-01-01', rate: 1.0 }), 201);
  ok(await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'CHF', valid_from: '2026-12-01', rate: 1.1 }), 201);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const contract = (over = {}) => ({
  account_id: acct.id, number: 'C-1', start_date: '2026-01-01', end_date: '2027-06-30',
  annual_value: 365000, currency: 'EUR', status: 'active', ...over,
});

test('contracts: the KAM of the account writes them, others see a 404 or a 403, history and list filters', async () => {
  const c = ok(await call('fiona', 'POST', '/api/v1/contracts', contract({ auto_renew: true, notice_days: 90 })), 201);
  assert.equal(c.status, 'active');
  assert.equal(c.auto_renew, true);
  assert.deepEqual(c.product_ids, []);
  // another KAM cannot see it: the same 404 as a missing one
  const hidden = await call('ben', 'GET', `/api/v1/contracts/${c.id}`);
  const missing = await call('ben', 'GET', '/api/v1/contracts/999999');
  assert.equal(hidden.status, 404);
  assert.equal(hidden.json.detail, missing.json.detail);
  // on an account he cannot see, the account is named as missing, as for any record
  const foreign = await call('ben', 'POST', '/api/v1/contracts', contract({ number: 'C-X' }));
  assert.equal(foreign.status, 400);
  assert.equal(foreign.json.errors[0].field, 'account_id');
  assert.match(foreign.json.errors[0].message, /no such account/);
  // viewers read, never write; directors write
  assert.equal(ok(await call('viewer', 'GET', `/api/v1/contracts/${c.id}`)).number, 'C-1');
  assert.equal((await call('viewer', 'PATCH', `/api/v1/contracts/${c.id}`, { notice_days: 30 })).status, 403);
  assert.equal(ok(await call('director', 'PATCH', `/api/v1/contracts/${c.id}`, { notice_days: 60 })).notice_days, 60);
  // an end before the start names end_date; a number twice on one account is a 409
  const bad = await call('fiona', 'POST', '/api/v1/contracts', contract({ number: 'C-2', end_date: '2025-12-31' }));
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].field, 'end_date');
  assert.equal((await call('fiona', 'POST', '/api/v1/contracts', contract())).status, 409);
  const badStatus = await call('fiona', 'POST', '/api/v1/contracts', contract({ number: 'C-3', status: 'open' }));
  assert.equal(badStatus.json.errors[0].field, 'status');
  // history records both writes
  const h = ok(await call('fiona', 'GET', `/api/v1/contracts/${c.id}/history`));
  assert.deepEqual(h.items.map((i) => i.action), ['update', 'create']);
  // list: by account, status, end date; fiona sees hers only, the director all
  const draft = ok(await call('fiona', 'POST', '/api/v1/contracts', contract({ number: 'C-D', status: 'draft', end_date: '2026-12-31' })), 201);
  assert.deepEqual(ok(await call('fiona', 'GET', `/api/v1/contracts?account_id=${acct.id}&status=draft`)).items.map((x) => x.id), [draft.id]);
  assert.deepEqual(ok(await call('fiona', 'GET', '/api/v1/contracts?ending_before=2027-01-01')).items.map((x) => x.id), [draft.id]);
  assert.deepEqual(ok(await call('fiona', 'GET', '/api/v1/contracts?ending_after=2027-01-01')).items.map((x) => x.id), [c.id]);
  assert.equal((await call('fiona', 'GET', '/api/v1/contracts?ending_before=tomorrow')).json.errors[0].field, 'ending_before');
  assert.equal(ok(await call('ben', 'GET', '/api/v1/contracts')).items.filter((x) => x.account_id === acct.id).length, 0);
  ok(await call('fiona', 'DELETE', `/api/v1/contracts/${draft.id}`), 204);
  // CSV export through the list framework: money in major units
  const csv = await fetch(`${srv.url}/api/v1/contracts?account_id=${acct.id}&format=csv`, { headers: { Authorization: `Bearer ${tok.fiona}` } });
  assert.equal(csv.status, 200);
  const text = await csv.text();
  assert.match(text, /number/);
  assert.match(text, /C-1/);
  assert.match(text, /3650/);
});

test('kam import contracts: the account by name, products by name; the same file twice changes nothing', async () => {
  const products = ok(await call('admin', 'GET', '/api/v1/products?limit=2')).items;
  const file = join(t.dir, 'contracts.csv');
  writeFileSync(file, [
    'number,account,start_date,end_date,annual_value,currency,status,products,auto_renew',
    `IMP-1,Forecast Fixtures AG,2025-01-01,2025-12-31,1200.50,EUR,expired,${products[0].name};${products[1].name},yes`,
    'IMP-2,No Such Account,2025-01-01,2025-12-31,10,EUR,active,,no',
  ].join('\n'));
  const run = spawnSync(BIN, ['import', 'contracts', file, '--db', db, '--as', 'fiona@example.com'], { encoding: 'utf8' });
  const out = run.stdout + run.stderr;
  assert.equal(run.status, 3, out); // a row was rejected
  assert.match(out, /1 created/, out);
  assert.match(out, /No Such Account/, out);
  const [imp] = ok(await call('fiona', 'GET', `/api/v1/contracts?account_id=${acct.id}&number=IMP-1`)).items;
  assert.ok(imp);
  assert.equal(imp.annual_value, 120050);
  assert.deepEqual(imp.product_ids.sort(), [products[0].id, products[1].id].sort());
  assert.equal(imp.auto_renew, true);
  const again = spawnSync(BIN, ['import', 'contracts', file, '--db', db, '--as', 'fiona@example.com'], { encoding: 'utf8' });
  assert.match(again.stdout, /0 created, 0 updated, 1 unchanged/, again.stdout + again.stderr);
});

const opp = (over) => ({ account_id: acct.id, kind: 'new_business', currency: 'EUR', ...over });
let userId = {};

test('a renewal opportunity is made once per active contract, renewal_lead_days before its end, owned by the KAM', async () => {
  for (const u of ok(await call('admin', 'GET', '/api/v1/users?limit=100')).items) userId[u.email.split('@')[0]] = u.id;
  assert.equal(ok(await call('admin', 'GET', '/api/v1/settings')).renewal_lead_days, 120);
  assert.equal((await call('director', 'PATCH', '/api/v1/settings', { renewal_lead_days: 9999 })).json.errors[0].field, 'renewal_lead_days');
  // ends 2027-01-31: due from 2026-10-03 (120 days before), so today
  const due = ok(await call('fiona', 'POST', '/api/v1/contracts', contract({ number: 'C-R', start_date: '2026-02-01', end_date: '2027-01-31', annual_value: 120000 })), 201);
  // a draft and a terminated contract ending as soon get none; nor one ending later
  const draft = ok(await call('fiona', 'POST', '/api/v1/contracts', contract({ number: 'C-DR', end_date: '2027-01-31', status: 'draft' })), 201);
  const term = ok(await call('fiona', 'POST', '/api/v1/contracts', contract({ number: 'C-T', end_date: '2027-01-31', status: 'terminated' })), 201);
  let renewal;
  for (let i = 0; i < 300 && !renewal; i++) {
    renewal = ok(await call('fiona', 'GET', `/api/v1/opportunities?contract_id=${due.id}`)).items[0];
    if (!renewal) await sleep(100);
  }
  assert.ok(renewal, 'the jobs made no renewal opportunity');
  assert.equal(renewal.kind, 'renewal');
  assert.equal(renewal.amount, 120000);
  assert.equal(renewal.currency, 'EUR');
  assert.equal(renewal.expected_close_on, '2027-01-31');
  assert.equal(renewal.owner_id, fiona.id);
  assert.equal(renewal.stage, 'identified');
  assert.equal(ok(await call('fiona', 'GET', `/api/v1/contracts/${due.id}`)).renewal_opportunity_id, renewal.id);
  // the contract link is the server's: a body cannot set it
  assert.equal((await call('fiona', 'PATCH', `/api/v1/opportunities/${renewal.id}`, { contract_id: draft.id })).status, 400);
  // later runs make no second one
  await sleep(2500);
  assert.equal(ok(await call('fiona', 'GET', `/api/v1/opportunities?contract_id=${due.id}`)).items.length, 1);
  for (const c of [draft, term])
    assert.equal(ok(await call('fiona', 'GET', `/api/v1/opportunities?contract_id=${c.id}`)).items.length, 0);
  const first = ok(await call('fiona', 'GET', '/api/v1/contracts?number=C-1')).items[0];
  assert.equal(ok(await call('fiona', 'GET', `/api/v1/opportunities?contract_id=${first.id}`)).items.length, 0);
  // the renewal-risk alert reads renewal opportunities: this one is 77 days away, so the
  // default 90-day threshold raises it for the account
  let alert;
  for (let i = 0; i < 300 && !alert; i++) {
    alert = ok(await call('fiona', 'GET', `/api/v1/alerts?account_id=${acct.id}&rule=renewal_risk`)).items[0];
    if (!alert) await sleep(100);
  }
  assert.ok(alert, 'no renewal_risk alert for the renewal');
});

test('the quarter forecast of one KAM, worked by hand: booked, contracted pro rata, won, commit, best case, pipeline, overrides and CHF at the close date rate', async () => {
  // booked: 2,000.00 in October, CHF 500.00 on 10 Nov at 1.00, and Q3's 9,999.00 left out
  for (const [booked_on, amount, currency] of [['2026-10-05', 200000, 'EUR'], ['2026-11-10', 50000, 'CHF'], ['2026-09-30', 999900, 'EUR']])
    ok(await call('fiona', 'POST', '/api/v1/transactions', { account_id: acct.id, booked_on, amount, currency }), 201);
  const made = {};
  for (const [k, o] of Object.entries({
    A: { name: 'A won in October', stage: 'won', closed_on: '2026-10-20', amount: 500000 },
    B: { name: 'B commit by rule', stage: 'negotiation', probability: 90, expected_close_on: '2026-12-10', amount: 1000000 },
    C: { name: 'C best case in CHF', stage: 'proposal', probability: 60, expected_close_on: '2026-12-15', amount: 100000, currency: 'CHF' },
    D: { name: 'D called commit', stage: 'proposal', probability: 60, forecast_category: 'commit', expected_close_on: '2026-11-30', amount: 100000, currency: 'CHF' },
    E: { name: 'E slipped to January', stage: 'qualified', probability: 20, expected_close_on: '2027-01-05', amount: 70000 },
    F: { name: 'F lost', stage: 'lost', closed_on: '2026-11-02', amount: 80000 },
    G: { name: 'G left out', stage: 'negotiation', probability: 95, forecast_category: 'omitted', expected_close_on: '2026-12-01', amount: 300000 },
    H: { name: 'H overdue, still open', stage: 'qualified', probability: 30, expected_close_on: '2026-10-31', amount: 40000 },
  })) made[k] = ok(await call('fiona', 'POST', '/api/v1/opportunities', opp(o)), 201);
  assert.equal((await call('fiona', 'PATCH', `/api/v1/opportunities/${made.B.id}`, { forecast_category: 'maybe' })).json.errors[0].field, 'forecast_category');

  const f = ok(await call('fiona', 'GET', '/api/v1/forecast?quarter=2026-Q4'));
  assert.equal(f.quarter, '2026-Q4');
  assert.deepEqual([f.from, f.to, f.today], ['2026-10-01', '2026-12-31', '2026-11-15']);
  assert.equal(f.rows.length, 1); // a KAM sees their own row only
  const row = f.rows[0];
  assert.equal(row.owner_id, fiona.id);
  // C-1: 3,650.00 a year for the 46 days after today = 460.00; C-R: 1,200.00 × 46/365 = 151.23
  const contracted = 46000 + 15123;
  assert.deepEqual(
    { booked: row.booked, contracted: row.contracted, won: row.won, commit: row.commit, best_case: row.best_case, pipeline: row.pipeline, omitted: row.omitted },
    { booked: 250000, contracted, won: 500000, commit: 1000000 + 100000, best_case: 110000, pipeline: 40000, omitted: 300000 });
  assert.equal(row.forecast, 250000 + contracted + 1100000);
  assert.equal(row.best_case_total, 250000 + contracted + 1100000 + 110000);
  assert.equal(row.target, null);
  assert.deepEqual(f.total.forecast, row.forecast);
  // the slipped deal and the renewal (closing 31 Jan) are next quarter's pipeline
  const q1 = ok(await call('fiona', 'GET', '/api/v1/forecast?quarter=2027-Q1')).rows[0];
  assert.equal(q1.pipeline, 70000 + 120000);
  assert.equal(q1.booked, 0);
  // a quarter to come counts whole: C-1 all 90 days of Q1, C-R its last 31 (1,200.00 × 31/365)
  assert.equal(q1.contracted, 90000 + 10192);
});
