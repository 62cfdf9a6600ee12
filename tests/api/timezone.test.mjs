// The installation time zone (settings.time_zone) decides what "today" is, and KAM_NOW fixes
// the clock: at 2026-03-01T23:30:00Z it is already 2 March in Tokyo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { PG, createDb, kam, serve, api, tmp } from '../lib/harness.mjs';

let t, db, srv, tok;
const NOW = '2026-03-01T23:30:00Z';

before(async () => {
  t = tmp();
  db = PG ? createDb() : join(t.dir, 'kam.db');
  kam(['demo', '--db', db]);
  tok = kam(['token', 'create', '--email', 'director@example.com', '--name', 'tz', '--db', db]).trim();
  srv = await serve(db, { KAM_NOW: NOW });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (m, p, b) => api(srv.url, tok, m, p, b);

test('an unknown time zone is refused naming time_zone; the default is UTC', async () => {
  const g = await call('GET', '/api/v1/settings');
  assert.equal(g.json.time_zone, 'UTC');
  const r = await call('PATCH', '/api/v1/settings', { time_zone: 'Mars/Olympus' });
  assert.equal(r.status, 400, r.text);
  assert.ok(r.json.errors.some((e) => e.field === 'time_zone'), r.text);
});

test('an action due 2026-03-01 is overdue in Tokyo at 23:30 UTC, not in UTC', async () => {
  const plans = await call('GET', '/api/v1/plans?limit=1');
  const plan = plans.json.items[0];
  const a = await call('POST', '/api/v1/actions', { plan_id: plan.id, title: 'Call the CFO', due_on: '2026-03-01' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.overdue, false, 'UTC: still 1 March');
  assert.equal((await call('PATCH', '/api/v1/settings', { time_zone: 'Asia/Tokyo' })).status, 200);
  const b = await call('GET', `/api/v1/actions/${a.json.id}`);
  assert.equal(b.json.overdue, true, 'Tokyo: already 2 March');
  assert.equal((await call('PATCH', '/api/v1/settings', { time_zone: 'UTC' })).status, 200);
});

test('the default KPI window ends at the month of the installation zone', async () => {
  let r = await call('GET', '/api/v1/kpis');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.period.from, r.json.period.to], ['2025-03-01', '2026-03-01']);
  // 2026-02-28T20:00Z is already 1 March in Tokyo: the last whole month is February
  await srv.stop();
  srv = await serve(db, { KAM_NOW: '2026-02-28T20:00:00Z' });
  assert.equal((await call('PATCH', '/api/v1/settings', { time_zone: 'Asia/Tokyo' })).status, 200);
  r = await call('GET', '/api/v1/kpis');
  assert.deepEqual([r.json.period.from, r.json.period.to], ['2025-03-01', '2026-03-01']);
  assert.equal((await call('PATCH', '/api/v1/settings', { time_zone: 'UTC' })).status, 200);
  r = await call('GET', '/api/v1/kpis');
  assert.deepEqual([r.json.period.from, r.json.period.to], ['2025-02-01', '2026-02-01']);
});

test('kam kpi and kam kpi --as follow KAM_NOW and the installation zone too', async () => {
  const at = (now, extra = []) =>
    JSON.parse(kam(['kpi', '--db', db, '--format', 'json', ...extra], { env: { ...process.env, KAM_NOW: now } })).period;
  assert.equal((await call('PATCH', '/api/v1/settings', { time_zone: 'Asia/Tokyo' })).status, 200);
  assert.deepEqual(at('2026-02-28T20:00:00Z'), { from: '2025-03-01', to: '2026-03-01' });
  assert.deepEqual(at('2026-02-28T20:00:00Z', ['--as', 'anna@example.com']), { from: '2025-03-01', to: '2026-03-01' });
  assert.equal((await call('PATCH', '/api/v1/settings', { time_zone: 'UTC' })).status, 200);
  assert.deepEqual(at('2026-02-28T20:00:00Z'), { from: '2025-02-01', to: '2026-02-01' });
});

test('an import run closes a won deal on the day of its own clock, in the installation zone', async () => {
  const acc = (await call('GET', '/api/v1/accounts?limit=1')).json.items[0];
  const csv = join(t.dir, 'deals.csv');
  writeFileSync(csv, `account_id,name,stage,amount,currency\n${acc.id},Tokyo renewal,won,1000,EUR\n`);
  assert.equal((await call('PATCH', '/api/v1/settings', { time_zone: 'Asia/Tokyo' })).status, 200);
  kam(['import', 'opportunities', csv, '--db', db, '--as', 'director@example.com'], {
    env: { ...process.env, KAM_NOW: '2026-03-01T23:30:00Z' },
  });
  assert.equal((await call('PATCH', '/api/v1/settings', { time_zone: 'UTC' })).status, 200);
  const r = await call('GET', `/api/v1/opportunities?account_id=${acc.id}&limit=500`);
  const o = r.json.items.find((x) => x.name === 'Tokyo renewal');
  assert.ok(o, r.text);
  assert.equal(o.closed_on, '2026-03-02', 'already 2 March in Tokyo');
});
