// Health scores and the alert lifecycle: fire, acknowledge, snooze and its expiry,
// self-resolve, and reopening as a new alert.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, sleep, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna', 'ben', 'chloe', 'dev', 'viewer'], 'alerts'));
  // a long job interval: the test drives evaluation itself
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (who, method, path, body, h) => api(srv.url, tok[who], method, path, body, h);
const evaluate = async () => {
  const r = await call('director', 'POST', '/api/v1/alerts/evaluate');
  assert.equal(r.status, 200, r.text);
  return r.json;
};
async function alertsOf(who, q) {
  const r = await call(who, 'GET', `/api/v1/alerts?limit=500&${q}`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

test('health explains itself and is kept as a daily snapshot', async () => {
  const h = await call('anna', 'GET', '/api/v1/accounts/1/health');
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.components.map((c) => c.name), ['revenue_trend', 'satisfaction', 'engagement',
    'cases', 'overdue_actions', 'stakeholder_coverage', 'renewal_readiness']);
  const sum = h.json.components.reduce((x, c) => x + c.points, 0);
  assert.ok(Math.abs(sum - h.json.score) < 0.02);
  const w = h.json.components.reduce((x, c) => x + c.weight, 0);
  assert.ok(Math.abs(w - 1) < 0.001);
  for (const c of h.json.components) assert.ok(c.reason.length > 10, c.name);
  let outsider = null;
  for (const who of ['ben', 'chloe', 'dev'])
    if ((await call(who, 'GET', '/api/v1/accounts/1')).status === 404) outsider = who;
  assert.ok(outsider, 'some kam cannot see account 1');
  assert.equal((await call(outsider, 'GET', '/api/v1/accounts/1/health')).status, 404, 'another kam: not found');
  const run = await evaluate();
  assert.equal(run.accounts, 30);
  const hist = await call('anna', 'GET', '/api/v1/accounts/1/health/history');
  assert.equal(hist.status, 200);
  const today = new Date().toISOString().slice(0, 10);
  const snap = hist.json.items.find((i) => i.day === today);
  assert.ok(snap, 'today is in the history');
  assert.ok(Math.abs(snap.score - h.json.score) < 0.01);
});

test('alerts are scoped like accounts and carry evidence', async () => {
  await evaluate();
  const all = await alertsOf('director', '');
  assert.ok(all.length > 5);
  for (const a of all) {
    assert.equal(typeof a.evidence, 'object');
    assert.ok(['info', 'warning', 'critical'].includes(a.severity));
  }
  const annas = await alertsOf('anna', '');
  const me = (await call('anna', 'GET', '/api/v1/me')).json.id;
  for (const a of annas) {
    if (a.account_id === null) { assert.equal(a.user_id, me); continue; }
    assert.equal((await call('anna', 'GET', `/api/v1/accounts/${a.account_id}`)).status, 200);
  }
  const foreign = all.find((a) => a.account_id && !annas.some((b) => b.id === a.id));
  assert.equal((await call('anna', 'GET', `/api/v1/alerts/${foreign.id}`)).status, 404);
  assert.equal((await call('anna', 'PATCH', `/api/v1/alerts/${foreign.id}`, { state: 'acknowledged' })).status, 404);
  const mine = annas[0];
  assert.equal((await call('viewer', 'PATCH', `/api/v1/alerts/${mine.id}`, { state: 'acknowledged' })).status, 403);
  assert.equal((await call('anna', 'PATCH', `/api/v1/alerts/${mine.id}`, { state: 'gone' })).status, 400);
  assert.equal((await call('anna', 'PATCH', `/api/v1/alerts/${mine.id}`, { state: 'snoozed' })).status, 400);
  assert.equal((await call('anna', 'PATCH', `/api/v1/alerts/${mine.id}`, { state: 'open', rule: 'x' })).status, 400);
  assert.equal((await call('anna', 'POST', '/api/v1/alerts/evaluate')).status, 403);
  const rules = await alertsOf('director', 'rule=sla_breach');
  assert.ok(rules.every((a) => a.rule === 'sla_breach'));
});

test('lifecycle: fire, acknowledge, snooze until it wakes, self-resolve, reopen as new', async () => {
  // an account of Anna's with no overdue-action alert yet
  const accs = (await call('anna', 'GET', '/api/v1/accounts?limit=100')).json.items.filter((a) => a.status === 'active');
  const live = await alertsOf('anna', 'rule=overdue_action');
  const acc = accs.find((a) => !live.some((l) => l.account_id === a.id && l.state !== 'resolved'));
  assert.ok(acc, 'an account without the alert');
  const plan = await call('anna', 'POST', '/api/v1/plans', { account_id: acc.id, period_start: '2031-01-01', period_end: '2031-12-31' });
  assert.equal(plan.status, 201, plan.text);
  const due = new Date(Date.now() - 5 * 86400e3).toISOString().slice(0, 10);
  const action = await call('anna', 'POST', '/api/v1/actions', { plan_id: plan.json.id, title: 'Send the proposal', due_on: due });
  assert.equal(action.status, 201, action.text);

  const fired = await evaluate();
  assert.ok(fired.opened >= 1);
  let [a] = (await alertsOf('anna', `rule=overdue_action&account_id=${acc.id}`)).filter((x) => x.state !== 'resolved');
  assert.ok(a, 'the alert fired');
  assert.equal(a.state, 'open');
  assert.ok(a.evidence.oldest_overdue_days >= 5);

  const ack = await call('anna', 'PATCH', `/api/v1/alerts/${a.id}`, { state: 'acknowledged' });
  assert.equal(ack.status, 200, ack.text);
  await evaluate();
  assert.equal((await call('anna', 'GET', `/api/v1/alerts/${a.id}`)).json.state, 'acknowledged', 'evaluating keeps the user\'s state');

  const until = new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, 'Z');
  const snooze = await call('anna', 'PATCH', `/api/v1/alerts/${a.id}`, { state: 'snoozed', snoozed_until: until });
  assert.equal(snooze.status, 200, snooze.text);
  assert.equal(snooze.json.snoozed_until, until);
  await evaluate();
  assert.equal((await call('anna', 'GET', `/api/v1/alerts/${a.id}`)).json.state, 'snoozed');
  await sleep(3100);
  const woke = await evaluate();
  assert.ok(woke.woke_from_snooze >= 1);
  assert.equal((await call('anna', 'GET', `/api/v1/alerts/${a.id}`)).json.state, 'open', 'the snooze ran out');

  const done = await call('anna', 'PATCH', `/api/v1/actions/${action.json.id}`, { status: 'done', done_on: due });
  assert.equal(done.status, 200, done.text);
  await evaluate();
  const resolved = (await call('anna', 'GET', `/api/v1/alerts/${a.id}`)).json;
  assert.equal(resolved.state, 'resolved', 'it stopped holding, so it resolved itself');
  assert.ok(resolved.resolved_at);
  assert.equal((await call('anna', 'PATCH', `/api/v1/alerts/${a.id}`, { state: 'open' })).status, 409);

  assert.equal((await call('anna', 'PATCH', `/api/v1/actions/${action.json.id}`, { status: 'open', done_on: null })).status, 200);
  await evaluate();
  const again = (await alertsOf('anna', `rule=overdue_action&account_id=${acc.id}`)).filter((x) => x.state === 'open');
  assert.equal(again.length, 1);
  assert.notEqual(again[0].id, a.id, 'it came back as a new alert');
  assert.equal((await call('anna', 'GET', `/api/v1/alerts/${a.id}`)).json.state, 'resolved');
});

test('thresholds in settings change what fires', async () => {
  await evaluate();
  const before = (await alertsOf('director', 'rule=no_interaction&state=open')).length;
  const r = await call('director', 'PATCH', '/api/v1/settings', { alerts: { no_interaction: { threshold: 3650 } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.alerts.no_interaction.threshold, 3650);
  const run = await evaluate();
  assert.ok(run.resolved >= before);
  assert.equal((await alertsOf('director', 'rule=no_interaction&state=open')).length, 0);
  assert.equal((await call('director', 'PATCH', '/api/v1/settings', { alerts: { no_interaction: { threshold: 0 } } })).status, 400);
  assert.equal((await call('director', 'PATCH', '/api/v1/settings', { alerts: { bogus: { threshold: 1 } } })).status, 400);
  assert.equal((await call('director', 'PATCH', '/api/v1/settings', { alerts: { detractor: { unit: 'x' } } })).status, 400);
  assert.equal((await call('director', 'PATCH', '/api/v1/settings', { health_weights: { cases: 0.5 } })).status, 200);
  // what was stored is read back: the threshold is still in force
  assert.equal((await call('director', 'GET', '/api/v1/settings')).json.alerts.no_interaction.threshold, 3650);
});
