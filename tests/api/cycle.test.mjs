// The KAM cycle through the API: plans, revenue and its rollup, bulk import, whitespace,
// pipeline, interactions, cases, risks, surveys, workload — with each role's rights.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, serve, api, psql, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const who = ['admin', 'director', 'anna', 'ben', 'mia', 'sam', 'viewer'];
const me = {};

function sql(q) {
  const out = PG ? psql(q, new URL(db).pathname.slice(1)) : execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
  return out === '' ? null : out;
}

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, who, 'cycle'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  for (const w of who) me[w] = (await call(w, 'GET', '/api/v1/me')).json.id;
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b, h) => api(srv.url, tok[w], m, p, b, h);

// An active account of Anna's with Mia on its team, and one without her.
async function accounts() {
  const list = (await call('anna', 'GET', '/api/v1/accounts?limit=100&status=active')).json.items.filter((a) => a.owner_id === me.anna);
  let withMia = null, without = null;
  for (const a of list) {
    const team = (await call('anna', 'GET', `/api/v1/accounts/${a.id}/team`)).json.items.map((m) => m.user_id);
    if (team.includes(me.mia)) withMia ??= a; else without ??= a;
  }
  return { withMia, without };
}

test('a plan reads in one payload, with progress, overdue actions and rules on dates', async () => {
  const { without: acc } = await accounts();
  assert.equal((await call('anna', 'POST', '/api/v1/plans', { account_id: acc.id, period_start: '2030-12-31', period_end: '2030-01-01' })).status, 400);
  const p = await call('anna', 'POST', '/api/v1/plans', { account_id: acc.id, title: 'FY30', period_start: '2030-01-01', period_end: '2030-12-31', status: 'active', vision: 'Partner' });
  assert.equal(p.status, 201, p.text);
  const dup = await call('anna', 'POST', '/api/v1/plans', { account_id: acc.id, period_start: '2030-01-01', period_end: '2030-12-31', status: 'active' });
  assert.equal(dup.status, 409, 'one active plan per account and period');
  const o = await call('anna', 'POST', '/api/v1/objectives', { plan_id: p.json.id, title: 'Share of wallet', metric: '%', baseline: 10, target: 30, current: 15, due_on: '2030-12-31' });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.account_id, acc.id, 'account_id follows the plan');
  assert.equal(o.json.progress, 0.25);
  const past = new Date(Date.now() - 3 * 86400e3).toISOString().slice(0, 10);
  const a1 = await call('anna', 'POST', '/api/v1/actions', { plan_id: p.json.id, objective_id: o.json.id, title: 'Workshop', owner_id: me.anna, due_on: past });
  assert.equal(a1.status, 201, a1.text);
  assert.equal(a1.json.overdue, true);
  const done = await call('anna', 'PATCH', `/api/v1/actions/${a1.json.id}`, { status: 'done' });
  assert.equal(done.json.done_on, new Date().toISOString().slice(0, 10));
  assert.equal(done.json.overdue, false);
  const reopened = await call('anna', 'PATCH', `/api/v1/actions/${a1.json.id}`, { status: 'open' });
  assert.equal(reopened.json.done_on, null);
  const other = (await call('director', 'GET', '/api/v1/objectives?limit=1')).json.items.find((x) => x.plan_id !== p.json.id);
  assert.equal((await call('anna', 'POST', '/api/v1/actions', { plan_id: p.json.id, objective_id: other.id, title: 'x' })).status, 400);
  assert.equal((await call('anna', 'POST', '/api/v1/plan-resources', { plan_id: p.json.id, user_id: me.mia, role: 'SE', commitment_hours_per_month: 16 })).status, 201);
  assert.equal((await call('anna', 'POST', '/api/v1/plan-resources', { plan_id: p.json.id, user_id: me.mia })).status, 409);
  assert.equal((await call('anna', 'POST', '/api/v1/reviews', { plan_id: p.json.id, held_on: '2030-03-01', kind: 'qbr', next_review_on: '2030-02-01' })).status, 400);
  assert.equal((await call('anna', 'POST', '/api/v1/reviews', { plan_id: p.json.id, held_on: '2030-03-01', kind: 'qbr', notes: 'Good', next_review_on: '2030-06-01' })).status, 201);
  const full = await call('anna', 'GET', `/api/v1/plans/${p.json.id}`);
  assert.equal(full.status, 200);
  assert.equal(full.json.objectives.length, 1);
  assert.equal(full.json.actions.length, 1);
  assert.equal(full.json.resources.length, 1);
  assert.equal(full.json.reviews[0].kind, 'qbr');
  assert.deepEqual(full.json.counts, { objectives: 1, achieved: 0, actions: 1, overdue_actions: 1, resources: 1, reviews: 1 });
  const list = await call('anna', 'GET', `/api/v1/plans?account_id=${acc.id}`);
  assert.ok(list.json.items.every((x) => x.counts && !x.objectives));
  // a kam who cannot see the account cannot see or touch its plan
  for (const w of ['ben']) {
    const seen = (await call(w, 'GET', `/api/v1/accounts/${acc.id}`)).status;
    if (seen === 404) {
      assert.equal((await call(w, 'GET', `/api/v1/plans/${p.json.id}`)).status, 404);
      assert.equal((await call(w, 'PATCH', `/api/v1/objectives/${o.json.id}`, { current: 20 })).status, 404);
      assert.equal((await call(w, 'POST', '/api/v1/actions', { plan_id: p.json.id, title: 'x' })).status, 400);
    }
  }
  assert.equal((await call('viewer', 'PATCH', `/api/v1/plans/${p.json.id}`, { vision: 'v' })).status, 403);
});

test('members on the team write actions, interactions and cases, not objectives, risks or surveys', async () => {
  const { withMia: acc, without } = await accounts();
  const plan = await call('anna', 'POST', '/api/v1/plans', { account_id: acc.id, period_start: '2031-01-01', period_end: '2031-12-31' });
  assert.equal(plan.status, 201);
  assert.equal((await call('mia', 'POST', '/api/v1/actions', { plan_id: plan.json.id, title: 'Demo' })).status, 201);
  assert.equal((await call('mia', 'POST', '/api/v1/objectives', { plan_id: plan.json.id, title: 'Grow' })).status, 403);
  assert.equal((await call('mia', 'POST', '/api/v1/interactions', { account_id: acc.id, kind: 'call', occurred_at: '2026-01-01T10:00:00Z' })).status, 201);
  assert.equal((await call('mia', 'POST', '/api/v1/cases', { account_id: acc.id, title: 'Broken', severity: 'low' })).status, 201);
  assert.equal((await call('mia', 'POST', '/api/v1/risks', { account_id: acc.id, title: 'R', category: 'delivery', probability: 2, impact: 2 })).status, 403);
  assert.equal((await call('mia', 'POST', '/api/v1/surveys', { account_id: acc.id, kind: 'nps', score: 9, answered_on: '2026-01-01' })).status, 403);
  const miaSees = (await call('mia', 'GET', `/api/v1/accounts/${without.id}`)).status;
  if (miaSees === 404)
    assert.equal((await call('mia', 'POST', '/api/v1/interactions', { account_id: without.id, kind: 'call', occurred_at: '2026-01-01T10:00:00Z' })).status, 400);
});

test('transactions: FX conversion, an exact monthly rollup, unique external ids', async () => {
  const { without: acc } = await accounts();
  const rollup = (month) => Number(sql(`SELECT coalesce(sum(amount), 0) FROM revenue_monthly WHERE account_id = ${acc.id} AND month = '${month}'`));
  const raw = (month) => Number(sql(`SELECT coalesce(sum(amount_base), 0) FROM transactions WHERE account_id = ${acc.id} AND substr(booked_on, 1, 7) = '${month}'`));
  assert.equal((await call('director', 'POST', '/api/v1/fx-rates', { currency: 'GBP', valid_from: '2020-01-01', rate: 1.17 })).status, 201);
  assert.equal((await call('anna', 'POST', '/api/v1/fx-rates', { currency: 'CHF', valid_from: '2020-01-01', rate: 1.05 })).status, 403);
  const a = await call('anna', 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on: '2019-03-10', amount: 100000, currency: 'EUR', external_id: 'T-1' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.amount_base, 100000);
  const g = await call('anna', 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on: '2019-03-20', amount: 10000, currency: 'GBP' });
  assert.equal(g.status, 400, 'no GBP rate before 2020');
  const g2 = await call('anna', 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on: '2020-03-20', amount: 10001, currency: 'GBP', external_id: 'T-2' });
  assert.equal(g2.json.amount_base, 11701);
  assert.equal(rollup('2019-03'), 100000);
  assert.equal(rollup('2020-03'), 11701);
  assert.equal((await call('anna', 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on: '2019-03-10', amount: 1, currency: 'EUR', external_id: 'T-1' })).status, 409);
  const moved = await call('anna', 'PATCH', `/api/v1/transactions/${a.json.id}`, { booked_on: '2019-04-01', amount: 50000 });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(rollup('2019-03'), 0);
  assert.equal(rollup('2019-04'), 50000);
  assert.equal((await call('anna', 'DELETE', `/api/v1/transactions/${g2.json.id}`)).status, 204);
  assert.equal(rollup('2020-03'), raw('2020-03'));
  assert.equal(Number(sql(`SELECT count(*) FROM revenue_monthly WHERE account_id = ${acc.id} AND month = '2020-03'`)), 0);
  // the whole rollup still equals the raw rows
  assert.equal(sql('SELECT count(*) FROM (SELECT account_id, substr(booked_on, 1, 7) AS m, sum(amount_base) AS s FROM transactions GROUP BY 1, 2) t ' +
    'WHERE s <> (SELECT sum(amount) FROM revenue_monthly r WHERE r.account_id = t.account_id AND r.month = t.m)'), '0');
  assert.equal(sql('SELECT count(*) FROM (SELECT account_id, substr(booked_on, 1, 7) AS m, sum(amount_base) AS s FROM transactions GROUP BY 1, 2) t ' +
    'WHERE s <> (SELECT amount FROM revenue_account_monthly r WHERE r.account_id = t.account_id AND r.month = t.m)'), '0', 'the account rollup too');
  assert.equal(sql('SELECT count(*) FROM revenue_account_monthly r WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.account_id = r.account_id AND substr(t.booked_on, 1, 7) = r.month)'), '0', 'no empty cells');
  assert.equal((await call('mia', 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on: '2019-03-10', amount: 1, currency: 'EUR' })).status, 403);
});

test('bulk import: mixed rows, line numbers, a re-sent file changes nothing, an updated one updates', async () => {
  const { without: acc } = await accounts();
  const nd = [
    { account_id: acc.id, booked_on: '2026-02-03', amount: 1000, currency: 'EUR', external_id: 'BULK-1' },
    { account_id: acc.id, booked_on: '2026-02-31', amount: 1000, currency: 'EUR', external_id: 'BULK-2' },
    { account_id: acc.id, booked_on: '2026-02-04', amount: 2000, currency: 'EUR' },
    { account_id: 987654, booked_on: '2026-02-04', amount: 2000, currency: 'EUR', external_id: 'BULK-4' },
    { account_id: acc.id, booked_on: '2026-02-05', amount: 3000, currency: 'EUR', external_id: 'BULK-5' },
  ].map((x) => JSON.stringify(x)).join('\n') + '\nnot json\n';
  const send = async (body, type) => {
    const r = await fetch(`${srv.url}/api/v1/transactions/bulk`, { method: 'POST', body, headers: { Authorization: `Bearer ${tok.anna}`, 'Content-Type': type } });
    return { status: r.status, json: await r.json() };
  };
  const r1 = await send(nd, 'application/x-ndjson');
  assert.equal(r1.status, 200);
  assert.equal(r1.json.created, 2);
  assert.deepEqual(r1.json.errors.map((e) => [e.line, e.field]), [[2, 'booked_on'], [3, 'external_id'], [4, 'account_id'], [6, '']]);
  const r2 = await send(nd, 'application/x-ndjson');
  assert.deepEqual([r2.json.created, r2.json.updated, r2.json.unchanged], [0, 0, 2]);
  const csv = `account_id,booked_on,amount,currency,external_id\r\n${acc.id},2026-02-03,1500,EUR,BULK-1\r\n${acc.id},2026-02-06,"700",EUR,"BULK-6"\r\n`;
  const r3 = await send(csv, 'text/csv');
  assert.equal(r3.status, 200);
  assert.deepEqual([r3.json.created, r3.json.updated, r3.json.unchanged, r3.json.errors.length], [1, 1, 0, 0]);
  assert.equal(Number(sql("SELECT amount FROM transactions WHERE external_id = 'BULK-1'")), 1500);
  assert.equal(Number(sql(`SELECT sum(amount) FROM revenue_monthly WHERE account_id = ${acc.id} AND month = '2026-02'`)),
    Number(sql(`SELECT sum(amount_base) FROM transactions WHERE account_id = ${acc.id} AND booked_on LIKE '2026-02%'`)));
  assert.equal((await send('x', 'application/json')).status, 415);
  const hdr = await send('account_id,colour\r\n1,red\r\n', 'text/csv');
  assert.equal(hdr.json.errors[0].field, 'colour');
});

test('whitespace, pipeline, opportunity rules', async () => {
  const { without: acc } = await accounts();
  const unit = await call('anna', 'POST', '/api/v1/units', { account_id: acc.id, name: 'Test Lab' });
  assert.equal(unit.status, 201);
  const prods = (await call('anna', 'GET', '/api/v1/products')).json.items;
  const today = new Date().toISOString().slice(0, 10);
  assert.equal((await call('anna', 'POST', '/api/v1/transactions', { account_id: acc.id, unit_id: unit.json.id, product_id: prods[0].id, booked_on: today, amount: 4200, currency: 'EUR' })).status, 201);
  const o = await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'Lab upsell', kind: 'upsell', unit_id: unit.json.id, product_id: prods[1].id, amount: 100000, currency: 'EUR', stage: 'proposal' });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.probability, 50);
  assert.equal(o.json.weighted_amount, 50000);
  assert.equal(o.json.closed_on, null);
  const ws = (await call('anna', 'GET', `/api/v1/accounts/${acc.id}/whitespace`)).json;
  const cell = (p) => ws.cells.find((c) => c.unit_id === unit.json.id && c.product_id === p);
  assert.equal(cell(prods[0].id).state, 'sold');
  assert.equal(cell(prods[0].id).revenue, 4200);
  assert.equal(cell(prods[1].id).state, 'pipeline');
  assert.equal(cell(prods[2].id).state, 'white_space');
  assert.equal(ws.cells.length, ws.units.length * ws.products.length);
  const pipe = (await call('anna', 'GET', `/api/v1/accounts/${acc.id}/pipeline`)).json;
  const prop = pipe.by_stage.find((s) => s.stage === 'proposal');
  assert.ok(prop.amount >= 100000 && prop.weighted >= 50000);
  assert.equal(pipe.total, pipe.by_stage.reduce((x, s) => x + s.amount, 0));
  const won = await call('anna', 'PATCH', `/api/v1/opportunities/${o.json.id}`, { stage: 'won' });
  assert.equal(won.json.closed_on, today);
  assert.equal(won.json.probability, 100);
  assert.equal((await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'x', kind: 'renewal', amount: 1, currency: 'EUR', closed_on: today })).status, 400);
  assert.equal((await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'x', kind: 'merger', amount: 1, currency: 'EUR' })).status, 400);
  assert.equal((await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'x', kind: 'upsell', amount: 1, currency: 'EUR', unit_id: 1 })).status,
    (await call('director', 'GET', '/api/v1/units/1')).json.account_id === acc.id ? 201 : 400);
});

test('interactions keep last contact; cases show SLA state; risks score; surveys validate', async () => {
  const { without: acc } = await accounts();
  const contact = (await call('anna', 'POST', '/api/v1/contacts', { account_id: acc.id, name: 'Fresh Contact', influence: 5 })).json;
  const when = '2031-01-01T00:00:00Z';
  assert.equal((await call('anna', 'POST', '/api/v1/interactions', { account_id: acc.id, kind: 'meeting', occurred_at: when })).status, 400, 'the future is not logged');
  const now = new Date(Date.now() - 60e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const i = await call('anna', 'POST', '/api/v1/interactions', { account_id: acc.id, kind: 'meeting', occurred_at: now, contact_ids: [contact.id], user_ids: [me.anna], sentiment: 2 });
  assert.equal(i.status, 201, i.text);
  const a1 = await call('anna', 'GET', `/api/v1/accounts/${acc.id}`);
  assert.equal(a1.json.last_interaction_at, now);
  assert.equal((await call('anna', 'GET', `/api/v1/contacts/${contact.id}`)).json.last_contacted_at, now);
  const etag = a1.headers.get('etag');
  assert.equal((await call('anna', 'DELETE', `/api/v1/interactions/${i.json.id}`)).status, 204);
  const a2 = await call('anna', 'GET', `/api/v1/accounts/${acc.id}`);
  assert.notEqual(a2.json.last_interaction_at, now);
  assert.equal(a2.headers.get('etag'), etag, 'derived stamps do not change the account version');
  assert.equal((await call('anna', 'GET', `/api/v1/contacts/${contact.id}`)).json.last_contacted_at, null);

  const opened = new Date(Date.now() - 30 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const late = await call('anna', 'POST', '/api/v1/cases', { account_id: acc.id, title: 'Outage', severity: 'high', opened_at: opened });
  assert.equal(late.status, 201, late.text);
  assert.equal(late.json.sla_target_hours, 24);
  assert.equal(late.json.sla_breached, true, '30 hours open against 24');
  const fresh = await call('anna', 'POST', '/api/v1/cases', { account_id: acc.id, title: 'Question', severity: 'low' });
  assert.equal(fresh.json.sla_breached, false);
  assert.equal(fresh.json.status, 'open');
  const res = await call('anna', 'PATCH', `/api/v1/cases/${fresh.json.id}`, { status: 'resolved' });
  assert.ok(res.json.resolved_at);
  assert.equal(res.json.sla_breached, false);
  assert.equal((await call('anna', 'POST', '/api/v1/cases', { account_id: acc.id, title: 'x', severity: 'low', opened_at: opened, resolved_at: '2020-01-01T00:00:00Z' })).status, 400);
  await call('director', 'PATCH', '/api/v1/settings', { sla_hours: { high: 48 } });
  assert.equal((await call('anna', 'GET', `/api/v1/cases/${late.json.id}`)).json.sla_breached, false, 'the SLA follows the settings');

  const r = await call('anna', 'POST', '/api/v1/risks', { account_id: acc.id, title: 'Champion leaves', category: 'relationship', probability: 4, impact: 5 });
  assert.equal(r.json.score, 20);
  assert.equal(r.json.level, 'critical');
  const m = (await call('anna', 'GET', `/api/v1/accounts/${acc.id}/risk-matrix`)).json;
  assert.equal(m.cells.length, 25);
  assert.ok(m.cells.find((c) => c.probability === 4 && c.impact === 5).count >= 1);
  assert.equal(m.open_count, m.cells.reduce((x, c) => x + c.count, 0));
  await call('anna', 'PATCH', `/api/v1/risks/${r.json.id}`, { status: 'closed' });
  const m2 = (await call('anna', 'GET', `/api/v1/accounts/${acc.id}/risk-matrix`)).json;
  assert.equal(m2.open_count, m.open_count - 1);

  assert.equal((await call('anna', 'POST', '/api/v1/surveys', { account_id: acc.id, kind: 'csat', score: 7, answered_on: '2026-01-01' })).status, 400);
  const s = await call('anna', 'POST', '/api/v1/surveys', { account_id: acc.id, kind: 'nps', score: 6, contact_id: contact.id, answered_on: '2026-01-01', comment: '<b>slow</b>' });
  assert.equal(s.json.category, 'detractor');
  assert.equal(s.json.comment, '<b>slow</b>');
  const other = (await call('director', 'GET', '/api/v1/contacts?limit=500')).json.items.find((c) => c.account_id !== acc.id);
  assert.equal((await call('anna', 'POST', '/api/v1/surveys', { account_id: acc.id, kind: 'nps', score: 9, contact_id: other.id, answered_on: '2026-01-01' })).status, 400);
});

test('workload: key accounts against capacity and open actions, per KAM', async () => {
  const w = (await call('director', 'GET', '/api/v1/kams/workload')).json.items;
  assert.equal(w.length, 4);
  for (const r of w) {
    assert.equal(r.capacity, 10);
    assert.equal(r.over_capacity, r.key_accounts > r.capacity);
    const keys = (await call('director', 'GET', `/api/v1/accounts?owner_id=${r.user_id}&tier=key&limit=500`)).json.items.filter((a) => a.status !== 'churned');
    assert.equal(r.key_accounts, keys.length);
    assert.ok(r.overdue_actions <= r.open_actions);
    const open = [];
    for (const st of ['open', 'in_progress']) open.push(...(await call('director', 'GET', `/api/v1/actions?owner_id=${r.user_id}&status=${st}&limit=500`)).json.items);
    assert.equal(r.open_actions, open.length);
    assert.equal(r.overdue_actions, open.filter((a) => a.overdue).length);
  }
  const mine = (await call('anna', 'GET', '/api/v1/kams/workload')).json.items;
  assert.deepEqual(mine.map((r) => r.user_id), [me.anna]);
  assert.deepEqual((await call('mia', 'GET', '/api/v1/kams/workload')).json.items, []);
});
