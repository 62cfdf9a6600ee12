// The forecast's quarters are fiscal (issue 18): with fiscal_year_start_month = 4 the fiscal
// year FY2027 runs 1 Apr 2026 … 31 Mar 2027, named by the year it ends in. Today is
// 2026-11-15 (KAM_NOW): FY2027-Q3 (Oct–Dec 2026).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, serve, api, demoDb, tokens, sleep } from '../lib/harness.mjs';

const NOW = '2026-11-15T12:00:00Z';
let t, db, srv, fay, acct;
const tok = {};
const call = (who, method, path, body) => api(srv.url, tok[who], method, path, body);
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.json; };
const fayRow = (f) => f.rows.find((r) => r.owner_id === fay.id);

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'director'], 'fiscal'));
  srv = await serve(db, { KAM_NOW: NOW, KAM_JOB_INTERVAL: '1' });
  fay = ok(await call('admin', 'POST', '/api/v1/users',
    { email: 'fay@example.com', name: 'Fay Fiscal', role: 'kam', team: 'South', password: 'fay-password-1' }), 201);
  Object.assign(tok, tokens(db, ['fay'], 'fiscal'));
  acct = ok(await call('admin', 'POST', '/api/v1/accounts',
    { name: 'Fiscal Year Ltd', owner_id: fay.id, currency: 'EUR', status: 'active' }), 201);
  ok(await call('fay', 'POST', '/api/v1/transactions', { account_id: acct.id, booked_on: '2026-04-15', amount: 100000, currency: 'EUR' }), 201);
  // an open deal of this quarter, so the weekly snapshot has a row of hers
  ok(await call('fay', 'POST', '/api/v1/opportunities', { account_id: acct.id, name: 'December deal', kind: 'new_business', currency: 'EUR', amount: 70000, expected_close_on: '2026-12-10' }), 201);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('fiscal_year_start_month: 1 by default; 0, 13, "x" and 4.5 are a 400 naming the field', async () => {
  assert.equal(ok(await call('admin', 'GET', '/api/v1/settings')).fiscal_year_start_month, 1);
  for (const bad of [0, 13, 'x', 4.5, null]) {
    const r = await call('admin', 'PATCH', '/api/v1/settings', { fiscal_year_start_month: bad });
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
    assert.equal(r.json.errors[0].field, 'fiscal_year_start_month');
  }
  // with the calendar year the quarters are named as they always were
  const f = ok(await call('admin', 'GET', '/api/v1/forecast?quarter=2026-Q2'));
  assert.equal(f.quarter, '2026-Q2');
  assert.equal(f.label, '2026 Q2 (Apr–Jun 2026)');
  assert.equal(fayRow(f).booked, 100000);
  assert.equal(ok(await call('admin', 'GET', '/api/v1/forecast?quarter=FY2026-Q2')).quarter, '2026-Q2');
  assert.equal(ok(await call('admin', 'PATCH', '/api/v1/settings', { fiscal_year_start_month: 4 })).fiscal_year_start_month, 4);
  assert.equal(ok(await call('admin', 'GET', '/api/v1/settings')).fiscal_year_start_month, 4);
});

test('a fiscal year starting in April: a deal of 2026-04-15 is in FY2027-Q1, not in the answer for 2026-Q2', async () => {
  const f = ok(await call('admin', 'GET', '/api/v1/forecast?quarter=FY2027-Q1'));
  assert.equal(f.quarter, 'FY2027-Q1');
  assert.equal(f.label, 'FY2027 Q1 (Apr–Jun 2026)');
  assert.equal(f.from, '2026-04-01');
  assert.equal(f.to, '2026-06-30');
  assert.equal(fayRow(f).booked, 100000);
  // any case, and the year alone means the fiscal year too
  assert.equal(ok(await call('admin', 'GET', '/api/v1/forecast?quarter=fy2027-q1')).quarter, 'FY2027-Q1');
  // "2026-Q2" is now the fiscal year 2026's second quarter: July to September 2025
  const q2 = ok(await call('fay', 'GET', '/api/v1/forecast?quarter=2026-Q2'));
  assert.equal(q2.quarter, 'FY2026-Q2');
  assert.equal(q2.label, 'FY2026 Q2 (Jul–Sep 2025)');
  assert.equal(fayRow(q2).booked, 0);
  // and the next fiscal quarter does not have it either
  assert.equal(fayRow(ok(await call('fay', 'GET', '/api/v1/forecast?quarter=FY2027-Q2'))).booked, 0);
  // without a quarter: today's fiscal quarter, and the picker's quarters around it
  const cur = ok(await call('fay', 'GET', '/api/v1/forecast'));
  assert.equal(cur.quarter, 'FY2027-Q3');
  assert.equal(cur.label, 'FY2027 Q3 (Oct–Dec 2026)');
  assert.deepEqual(cur.quarters.find((x) => x.current), { quarter: 'FY2027-Q3', label: 'FY2027 Q3 (Oct–Dec 2026)', current: true });
  assert.ok(cur.quarters.some((x) => x.quarter === 'FY2027-Q1'));
  assert.equal((await call('admin', 'GET', '/api/v1/forecast?quarter=FY27-Q1')).json.errors[0].field, 'quarter');
  // the deals behind the figures answer for the same quarter
  assert.equal(ok(await call('admin', 'GET', '/api/v1/forecast/opportunities?quarter=FY2027-Q1')).quarter, 'FY2027-Q1');
});

test('targets of a fiscal quarter: set by PUT and by kam import targets, attainment shows there', async () => {
  const set = ok(await call('director', 'PUT', '/api/v1/forecast/targets', { quarter: 'FY2027-Q1', targets: [{ user_id: fay.id, amount: 400000 }] }));
  assert.equal(set.quarter, 'FY2027-Q1');
  let row = fayRow(ok(await call('fay', 'GET', '/api/v1/forecast?quarter=FY2027-Q1')));
  assert.equal(row.target, 400000);
  assert.equal(row.attainment, 0.25); // 1,000.00 booked of 4,000.00
  assert.deepEqual(ok(await call('fay', 'GET', '/api/v1/forecast/targets?quarter=fy2027-q1')).targets, [{ user_id: fay.id, amount: 400000 }]);
  // not in the fiscal quarter after it
  assert.equal(fayRow(ok(await call('fay', 'GET', '/api/v1/forecast?quarter=FY2027-Q2'))).target, null);
  const file = join(t.dir, 'fiscal-targets.csv');
  writeFileSync(file, ['quarter,kam,target', 'fy2027-q1,fay@example.com,500', 'FY2027-Q2,fay@example.com,800'].join('\n'));
  const r = spawnSync(BIN, ['import', 'targets', file, '--db', db, '--as', 'director@example.com'], { encoding: 'utf8' });
  assert.match(r.stdout, /1 created, 1 updated, 0 unchanged, 0 rejected/, r.stdout + r.stderr);
  row = fayRow(ok(await call('fay', 'GET', '/api/v1/forecast?quarter=FY2027-Q1')));
  assert.equal(row.target, 50000);
  assert.equal(row.attainment, 2);
  assert.equal(fayRow(ok(await call('fay', 'GET', '/api/v1/forecast?quarter=FY2027-Q2'))).target, 80000);
  // the year alone is the same fiscal quarter: the same file written so changes nothing, and
  // a new amount updates the FY2027-Q1 target instead of making a second one
  writeFileSync(file, ['quarter,kam,target', '2027-q1,fay@example.com,500', '2027-Q2,fay@example.com,900'].join('\n'));
  const r2 = spawnSync(BIN, ['import', 'targets', file, '--db', db, '--as', 'director@example.com'], { encoding: 'utf8' });
  assert.match(r2.stdout, /0 created, 1 updated, 1 unchanged, 0 rejected/, r2.stdout + r2.stderr);
  assert.deepEqual(ok(await call('fay', 'GET', '/api/v1/forecast/targets?quarter=FY2027-Q2')).targets, [{ user_id: fay.id, amount: 90000 }]);
});

test('weekly snapshots are taken of the fiscal quarter', async () => {
  let h;
  for (let i = 0; i < 120; i++) {
    h = ok(await call('admin', 'GET', '/api/v1/forecast/history?quarter=FY2027-Q3'));
    if (h.series.some((s) => s.user_id === fay.id)) break;
    await sleep(250);
  }
  assert.equal(h.quarter, 'FY2027-Q3');
  assert.equal(h.label, 'FY2027 Q3 (Oct–Dec 2026)');
  const s = h.series.find((x) => x.user_id === fay.id);
  assert.ok(s, JSON.stringify(h.series.map((x) => x.user_id)));
  assert.equal(s.points[0].week, '2026-11-09');
});
