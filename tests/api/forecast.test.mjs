// Contracts, their renewal opportunities and the quarter's forecast (issue 18), worked by
// hand for a KAM of their own so the demo's random deals do not move the figures.
// Today is 2026-11-15 (KAM_NOW): 2026-Q4 runs 1 Oct … 31 Dec, 46 days are left after today.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, PG, psql, serve, api, demoDb, tokens, sleep, tmp, createDb, kam } from '../lib/harness.mjs';

const NOW = '2026-11-15T12:00:00Z';
let t, db, srv, fiona, acct;
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
  // a renewal already there (imported from a CRM beside its contract, closing on its end) is
  // linked to the contract, not doubled
  const crm = ok(await call('fiona', 'POST', '/api/v1/opportunities', opp({ name: 'CRM renewal', kind: 'renewal', expected_close_on: '2027-01-15', amount: 0 })), 201);
  const imported = ok(await call('fiona', 'POST', '/api/v1/contracts', contract({ number: 'C-CRM', end_date: '2027-01-15', annual_value: 0 })), 201);
  let linked;
  for (let i = 0; i < 300 && !linked; i++) {
    linked = ok(await call('fiona', 'GET', `/api/v1/opportunities?contract_id=${imported.id}`)).items[0];
    if (!linked) await sleep(100);
  }
  assert.equal(linked?.id, crm.id);
  assert.equal(ok(await call('fiona', 'GET', `/api/v1/opportunities?account_id=${acct.id}&kind=renewal`)).items.filter((o) => o.expected_close_on === '2027-01-15').length, 1);
  // deleting a contract leaves its renewal, unlinked
  ok(await call('fiona', 'DELETE', `/api/v1/contracts/${imported.id}`), 204);
  assert.equal(ok(await call('fiona', 'GET', `/api/v1/opportunities/${crm.id}`)).contract_id, null);
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
  // booked: 2,000.00 in October, CHF 500.00 on 10 Nov at 1.00; Q3's 9,999.00 left out, and
  // 3,333.00 dated 20 Nov, after today, not booked yet
  for (const [booked_on, amount, currency] of [['2026-10-05', 200000, 'EUR'], ['2026-11-10', 50000, 'CHF'], ['2026-09-30', 999900, 'EUR'], ['2026-11-20', 333300, 'EUR']])
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

test('who sees what: a KAM their own row and deals, directors and viewers every KAM, by team and portfolio; bad parameters are named', async () => {
  const anna = ok(await call('anna', 'GET', '/api/v1/forecast?quarter=2026-Q4'));
  assert.deepEqual(anna.rows.map((r) => r.owner_id), [userId.anna]);
  const mia = ok(await call('mia', 'GET', '/api/v1/forecast?quarter=2026-Q4'));
  assert.deepEqual(mia.rows.map((r) => [r.owner_id, r.forecast]), [[userId.mia, 0]]);
  for (const who of ['director', 'viewer', 'admin']) {
    const all = ok(await call(who, 'GET', '/api/v1/forecast?quarter=2026-Q4'));
    const ids = all.rows.map((r) => r.owner_id);
    assert.ok(ids.includes(fiona.id) && ids.includes(userId.anna), `${who}: ${ids}`);
    const sum = all.rows.reduce((s, r) => s + r.forecast, 0);
    assert.equal(all.total.forecast, sum);
    // sorted by name
    assert.deepEqual(all.rows.map((r) => r.name), [...all.rows.map((r) => r.name)].sort());
  }
  const byKam = ok(await call('director', 'GET', '/api/v1/forecast?quarter=2026-Q4'));
  const fionaRow = byKam.rows.find((r) => r.owner_id === fiona.id);
  const teams = ok(await call('director', 'GET', '/api/v1/forecast?quarter=2026-Q4&by=team'));
  const north = teams.rows.find((r) => r.team === 'North');
  const northKams = byKam.rows.filter((r) => r.team === 'North');
  assert.equal(north.forecast, northKams.reduce((s, r) => s + r.forecast, 0));
  assert.ok(north.forecast >= fionaRow.forecast);
  // each KAM's booked is the sum of their accounts' transactions from the quarter's first day
  // to today, as the database sums them (on SQLite kam sums them as it reads them)
  const sql = (q) => Number(PG ? psql(q, new URL(db).pathname.slice(1)) : execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8' }).trim());
  for (const r of byKam.rows) {
    assert.equal(r.booked, sql(`SELECT coalesce(sum(t.amount_base), 0) FROM transactions t JOIN accounts a ON a.id = t.account_id
                                WHERE a.owner_id = ${Number(r.owner_id)} AND t.booked_on >= '2026-10-01' AND t.booked_on <= '2026-11-15'`), r.name);
  }
  assert.ok(byKam.rows.filter((r) => r.booked > 0).length >= 3, 'several KAMs have booked revenue this quarter');
  const port = ok(await call('director', 'GET', '/api/v1/forecast?quarter=2026-Q4&by=portfolio'));
  assert.equal(port.rows[0].booked, byKam.total.booked);
  assert.equal(port.rows.length, 1);
  assert.equal(port.rows[0].forecast, byKam.total.forecast);
  // drill-down: a KAM asking for another's deals gets none, as for someone without any
  assert.deepEqual(ok(await call('ben', 'GET', `/api/v1/forecast/opportunities?quarter=2026-Q4&owner_id=${fiona.id}`)).items, []);
  const names = async (who, q) => ok(await call(who, 'GET', `/api/v1/forecast/opportunities?quarter=2026-Q4&${q}`)).items.map((o) => o.name).sort();
  assert.deepEqual(await names('director', `owner_id=${fiona.id}&category=commit`), ['B commit by rule', 'D called commit']);
  assert.deepEqual(await names('fiona', 'category=won'), ['A won in October']);
  assert.deepEqual(await names('fiona', 'category=omitted'), ['G left out']);
  const [c] = ok(await call('viewer', 'GET', `/api/v1/forecast/opportunities?quarter=2026-Q4&owner_id=${fiona.id}&category=best_case`)).items;
  assert.deepEqual([c.name, c.currency, c.amount, c.amount_base, c.account_name], ['C best case in CHF', 'CHF', 100000, 110000, 'Forecast Fixtures AG']);
  // the table as a file: CSV (money in major units, the total last) and XLSX
  const csv = await fetch(`${srv.url}/api/v1/forecast?quarter=2026-Q4&format=csv`, { headers: { Authorization: `Bearer ${tok.fiona}` } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-disposition'), /forecast-2026-Q4-kam\.csv/);
  const lines = (await csv.text()).replace(/^\ufeff/, '').trim().split('\r\n');
  assert.equal(lines[0], '"name","team","booked","contracted","won","commit","best_case","pipeline","forecast","target","attainment","gap","currency"');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^"Fiona Forecast","North","2500\.00",/);
  assert.match(lines[2], /^"Total",/);
  const xlsx = await fetch(`${srv.url}/api/v1/forecast?quarter=2026-Q4&by=team&format=xlsx`, { headers: { Authorization: `Bearer ${tok.director}` } });
  assert.equal(xlsx.status, 200);
  assert.equal(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString(), 'PK');
  // faults name the parameter
  for (const [q, field] of [['quarter=2026-Q5', 'quarter'], ['by=region', 'by'], ['quarter=2026-Q4&colour=red', 'colour'], ['format=pdf', 'format']]) {
    const r = await call('director', 'GET', `/api/v1/forecast?${q}`);
    assert.equal(r.status, 400);
    assert.equal(r.json.errors[0].field, field);
  }
  for (const [q, field] of [['category=maybe', 'category'], ['owner_id=abc', 'owner_id']])
    assert.equal((await call('director', 'GET', `/api/v1/forecast/opportunities?${q}`)).json.errors[0].field, field);
});

test('targets: directors set them per KAM and for the portfolio; attainment and gap follow; won deals booked count once', async () => {
  const put = (who, body) => call(who, 'PUT', '/api/v1/forecast/targets', body);
  assert.equal((await put('anna', { quarter: '2026-Q4', targets: [{ user_id: userId.anna, amount: 1 }] })).status, 403);
  assert.equal((await put('director', { quarter: 'Q4', targets: [{ user_id: fiona.id, amount: 1 }] })).json.errors[0].field, 'quarter');
  assert.equal((await put('director', { quarter: '2026-Q4', targets: [{ user_id: fiona.id, amount: -5 }] })).json.errors[0].field, 'targets[0].amount');
  assert.equal((await put('director', { quarter: '2026-Q4', targets: [{ user_id: 999999, amount: 5 }] })).json.errors[0].field, 'targets[0].user_id');
  const set = ok(await put('director', { quarter: '2026-Q4', targets: [{ user_id: fiona.id, amount: 2000000 }, { user_id: null, amount: 100000000 }] }));
  // (the demo set targets of its own KAMs for this quarter too)
  assert.deepEqual(set.targets.filter((x) => x.user_id === null || x.user_id === fiona.id), [{ user_id: null, amount: 100000000 }, { user_id: fiona.id, amount: 2000000 }]);
  // fiona sees her own target only
  assert.deepEqual(ok(await call('fiona', 'GET', '/api/v1/forecast/targets?quarter=2026-Q4')).targets, [{ user_id: fiona.id, amount: 2000000 }]);
  const row = ok(await call('fiona', 'GET', '/api/v1/forecast?quarter=2026-Q4')).rows[0];
  assert.equal(row.target, 2000000);
  assert.equal(row.attainment, 0.125); // 2,500.00 booked of 20,000.00
  assert.equal(row.gap, 2000000 - row.forecast);
  assert.equal(ok(await call('director', 'GET', '/api/v1/forecast?quarter=2026-Q4&by=portfolio')).total.target, 100000000);
  // a null amount removes the target
  ok(await put('admin', { quarter: '2026-Q4', targets: [{ user_id: null, amount: null }] }));
  const kamSum = ok(await call('director', 'GET', '/api/v1/forecast?quarter=2026-Q4'));
  // without a portfolio target, the KAMs' add up
  assert.equal(kamSum.total.target, kamSum.rows.reduce((s, r) => s + (r.target ?? 0), 0));
  assert.ok(kamSum.total.target >= 2000000);
  // booking won deals as revenue: A's 5,000.00 moves into booked, and is not counted twice
  ok(await call('director', 'PATCH', '/api/v1/settings', { book_won_opportunities: true }));
  const after = ok(await call('fiona', 'GET', '/api/v1/forecast?quarter=2026-Q4')).rows[0];
  assert.equal(after.booked, row.booked + 500000); // A closed on 20 Oct, before today
  assert.equal(after.won, 500000);
  assert.equal(after.forecast, row.forecast + 500000);
  ok(await call('director', 'PATCH', '/api/v1/settings', { book_won_opportunities: false }));
  // a KAM's own call overrides the rule: B called pipeline leaves commit
  ok(await call('fiona', 'PATCH', `/api/v1/opportunities/${(await call('fiona', 'GET', `/api/v1/opportunities?account_id=${acct.id}&q=B commit`)).json.items[0].id}`, { forecast_category: 'pipeline' }));
  const moved = ok(await call('fiona', 'GET', '/api/v1/forecast?quarter=2026-Q4')).rows[0];
  assert.deepEqual([moved.commit, moved.pipeline], [row.commit - 1000000, row.pipeline + 1000000]);
});

test('kam import targets: a KAM by e-mail or name, the portfolio without one, amounts in major units; the same file twice changes nothing; a KAM may not', async () => {
  const file = join(t.dir, 'targets.csv');
  writeFileSync(file, [
    'quarter,kam,target',
    '2027-q1,fiona@example.com,"30,000.00"',
    '2027-Q1,Ben Osei,25000',
    '2027-Q1,,90000',
    '2027-Q5,Ben Osei,1',
  ].join('\n'));
  const run = (as) => spawnSync(BIN, ['import', 'targets', file, '--db', db, '--as', as], { encoding: 'utf8' });
  const r = run('director@example.com');
  assert.match(r.stdout, /3 created, 0 updated, 0 unchanged, 1 rejected/, r.stdout + r.stderr);
  assert.match(r.stdout, /line 5.*quarter/, r.stdout);
  const got = ok(await call('director', 'GET', '/api/v1/forecast/targets?quarter=2027-Q1')).targets;
  assert.deepEqual(got, [{ user_id: null, amount: 9000000 }, { user_id: userId.ben, amount: 2500000 }, { user_id: fiona.id, amount: 3000000 }].sort((a, b) => (a.user_id ?? 0) - (b.user_id ?? 0)));
  assert.match(run('director@example.com').stdout, /0 created, 0 updated, 3 unchanged/);
  // a KAM's rows are refused: targets are for directors and admins to set
  const k = run('fiona@example.com');
  assert.match(k.stdout, /0 created/, k.stdout + k.stderr);
  assert.equal((await call('fiona', 'GET', '/api/v1/forecast?quarter=2027-Q1')).json.rows[0].target, 3000000);
});

test('weekly snapshots: one per week per KAM and portfolio, the call week by week, and the accuracy once the quarter is over', async () => {
  await srv.stop();
  srv = null;
  // a week later: the jobs take the week of 23 Nov
  let s2 = await serve(db, { KAM_NOW: '2026-11-24T12:00:00Z', KAM_JOB_INTERVAL: '1' });
  const hist = async (s, who) => (await api(s.url, tok[who], 'GET', '/api/v1/forecast/history?quarter=2026-Q4')).json;
  let h;
  for (let i = 0; i < 300; i++) {
    h = await hist(s2, 'director');
    if (h.series.some((x) => x.user_id === fiona.id && x.points.some((p) => p.week === '2026-11-23'))) break;
    await sleep(100);
  }
  const now = (await api(s2.url, tok.fiona, 'GET', '/api/v1/forecast?quarter=2026-Q4')).json.rows[0];
  const fs = h.series.find((x) => x.user_id === fiona.id);
  const p = fs.points.find((x) => x.week === '2026-11-23');
  assert.ok(p, JSON.stringify(h));
  assert.deepEqual([p.booked, p.contracted, p.commit, p.best_case, p.forecast, p.target], [now.booked, now.contracted, now.commit, now.best_case, now.forecast, 2000000]);
  assert.ok(h.series.some((x) => x.user_id === 0 && x.name === 'Portfolio'));
  assert.equal(h.over, false);
  // a KAM sees their own series only
  assert.deepEqual((await hist(s2, 'fiona')).series.map((x) => x.user_id), [fiona.id]);
  // more runs in the same week add nothing
  await sleep(2500);
  assert.equal((await hist(s2, 'fiona')).series[0].points.filter((x) => x.week === '2026-11-23').length, 1);
  assert.equal(await s2.stop(), 0, s2.log().slice(-3000));
  // after the quarter: each week's call against what was booked
  s2 = await serve(db, { KAM_NOW: '2027-01-10T12:00:00Z', KAM_JOB_INTERVAL: '3600' });
  try {
    const done = await hist(s2, 'fiona');
    assert.equal(done.over, true);
    const ser = done.series[0];
    assert.equal(ser.actual, 250000 + 333300); // the invoice of 20 Nov is booked by now
    const q = ser.points.find((x) => x.week === '2026-11-23');
    const actual = 583300;
    assert.equal(q.error, q.forecast - actual);
    assert.equal(q.accuracy, Math.round(Math.max(0, 1 - Math.abs(q.forecast - actual) / actual) * 10000) / 10000);
  } finally {
    assert.equal(await s2.stop(), 0, s2.log().slice(-3000));
  }
});

test('two nodes on one PostgreSQL database make one renewal per contract; the database refuses a second link', { skip: PG ? false : 'needs PostgreSQL: run through scripts/test-pg' }, async () => {
  const { t: t2, db: d2 } = demoDb();
  const nodes = [];
  try {
    for (let i = 0; i < 2; i++) nodes.push(await serve(d2, { KAM_NOW: NOW, KAM_JOB_INTERVAL: '1' }));
    const tk = tokens(d2, ['director'], 'two-nodes').director;
    const accId = (await api(nodes[0].url, tk, 'GET', '/api/v1/accounts?limit=1&sort=id')).json.items[0].id;
    const c = await api(nodes[1].url, tk, 'POST', '/api/v1/contracts',
      { account_id: accId, number: 'TWO-NODES', start_date: '2026-01-01', end_date: '2027-01-10', annual_value: 1000, currency: 'EUR', status: 'active' });
    assert.equal(c.status, 201, c.text);
    let n = 0;
    for (let i = 0; i < 300 && n === 0; i++) {
      n = (await api(nodes[i % 2].url, tk, 'GET', `/api/v1/opportunities?contract_id=${c.json.id}`)).json.items.length;
      if (!n) await sleep(100);
    }
    await sleep(3000); // several runs on both nodes
    assert.equal((await api(nodes[0].url, tk, 'GET', `/api/v1/opportunities?contract_id=${c.json.id}`)).json.items.length, 1);
    const dbname = new URL(d2).pathname.slice(1);
    const opp = psql(`SELECT id FROM opportunities WHERE contract_id IS NULL ORDER BY id LIMIT 1`, dbname);
    assert.throws(() => psql(`UPDATE opportunities SET contract_id = ${c.json.id} WHERE id = ${opp}`, dbname), /opportunities_contract/);
  } finally {
    for (const s of nodes) assert.equal(await s.stop(), 0, s.log().slice(-3000));
    t2.rm();
  }
});

test('a new installation with no KAM and no deal: the forecast answers with nothing to add up', async () => {
  const { t: t2, db: fresh } = (() => {
    const x = tmp();
    const d = PG ? createDb() : join(x.dir, 'empty.db');
    kam(['init', '--db', d]);
    kam(['user', 'add', '--email', 'boss@example.com', '--name', 'Boss', '--role', 'admin', '--password-stdin', '--db', d], { input: 'demo-password-1\n' });
    return { t: x, db: d };
  })();
  const s = await serve(fresh, { KAM_JOB_INTERVAL: '3600' });
  try {
    const tok = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', fresh]).trim();
    for (const by of ['kam', 'team', 'portfolio']) {
      const r = await api(s.url, tok, 'GET', `/api/v1/forecast?by=${by}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.rows.map((x) => x.forecast), by === 'portfolio' ? [0] : [], by);
      assert.equal(r.json.total.forecast, 0);
    }
  } finally {
    // the sanitizer build exits 1 on any report (a NULL given to qsort on no rows did)
    assert.equal(await s.stop(), 0, s.log().slice(-2000));
    t2.rm();
  }
});
