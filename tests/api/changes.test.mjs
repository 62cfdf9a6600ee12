// "Changed since the last review" (issue 17): the plan's QBR first slide, made by kam from
// the audit log: objectives' progress and status, actions done, slipped and added,
// stakeholders added, gone or turned, new and closed risks, health then and now.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {}, acc, plan, obj, act1, act2, cto, risk;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben'], 'changes'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  const me = (await call('anna', 'GET', '/api/v1/me')).json;
  acc = (await ok('anna', 'POST', '/api/v1/accounts', { name: 'Review Works AG', owner_id: me.id, status: 'active' })).id;
  plan = (await ok('anna', 'POST', '/api/v1/plans', { account_id: acc, title: 'Plan', period_start: '2020-01-01', period_end: '2999-12-31', status: 'active' })).id;
  obj = (await ok('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: 'Cut downtime', baseline: 40, target: 20, current: 32 })).id;
  act1 = (await ok('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: 'Run the pilot', due_on: '2030-03-01' })).id;
  act2 = (await ok('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: 'Train the operators', due_on: '2030-02-01' })).id;
  cto = (await ok('anna', 'POST', '/api/v1/contacts', { account_id: acc, name: 'Hans Brandt', attitude: 'supporter' })).id;
  risk = (await ok('anna', 'POST', '/api/v1/risks', { account_id: acc, title: 'Budget freeze', category: 'financial', probability: 3, impact: 4 })).id;
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (u, method, path, body) => api(srv.url, tok[u], method, path, body);
const ok = async (u, m, p, b) => { const r = await call(u, m, p, b); assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`); return r.json; };

test('without a review, everything since the plan started; after one, only what came after', async () => {
  let ch = await ok('anna', 'GET', `/api/v1/plans/${plan}/changes`);
  assert.equal(ch.since, '2020-01-01');
  assert.equal(ch.review, null);
  assert.deepEqual(ch.items.map((x) => x.text), [
    'New objective: Cut downtime',
    'New action: Run the pilot, due 2030-03-01', 'New action: Train the operators, due 2030-02-01',
    'New stakeholder: Hans Brandt', 'New risk: Budget freeze (probability 3, impact 4)',
  ]);
  // a review today: the slate is clean
  const today = (await ok('anna', 'GET', '/api/v1/session')).clock.today;
  const review = await ok('anna', 'POST', '/api/v1/reviews', { plan_id: plan, held_on: today, kind: 'qbr' });
  // a review recorded on the day it was held starts when it was recorded: what comes after
  await ok('anna', 'PATCH', `/api/v1/objectives/${obj}`, { current: 27 });
  await ok('anna', 'PATCH', `/api/v1/objectives/${obj}`, { status: 'at_risk' });
  await ok('anna', 'PATCH', `/api/v1/actions/${act1}`, { status: 'done' });
  await ok('anna', 'PATCH', `/api/v1/actions/${act2}`, { due_on: '2030-04-15' });
  await ok('anna', 'PATCH', `/api/v1/contacts/${cto}`, { attitude: 'critic' });
  const gone = (await ok('anna', 'POST', '/api/v1/contacts', { account_id: acc, name: 'Lena Sommer', title: 'COO' })).id;
  await ok('anna', 'PATCH', `/api/v1/contacts/${gone}`, { left_on: today });
  await ok('anna', 'PATCH', `/api/v1/risks/${risk}`, { status: 'closed' });
  // a change undone says nothing
  await ok('anna', 'PATCH', `/api/v1/risks/${risk}`, { impact: 5 });
  await ok('anna', 'PATCH', `/api/v1/risks/${risk}`, { impact: 4 });
  ch = await ok('anna', 'GET', `/api/v1/plans/${plan}/changes`);
  assert.equal(ch.since, today);
  assert.equal(ch.review.id, review.id);
  const texts = ch.items.map((x) => x.text);
  // created before the review, changed since: only the changes
  for (const want of ['Cut downtime: progress 40% → 65%', 'Cut downtime: on track → at risk', 'Done: Run the pilot',
    'Slipped: Train the operators (due 2030-02-01 → 2030-04-15)', 'Hans Brandt: supporter → critic',
    'New stakeholder: Lena Sommer, COO', `Lena Sommer left on ${today}`, 'Risk closed: Budget freeze'])
    assert.ok(texts.includes(want), `${want} in ${JSON.stringify(texts, null, 1)}`);
  assert.ok(ch.items.every((x) => ['objective', 'action', 'contact', 'risk'].includes(x.entity) && x.id > 0));
});

test('since a given day; a bad day is refused; another KAM gets the answer of a missing plan', async () => {
  const ch = await ok('anna', 'GET', `/api/v1/plans/${plan}/changes?since=2999-01-01`);
  assert.deepEqual(ch.items, []);
  let r = await call('anna', 'GET', `/api/v1/plans/${plan}/changes?since=yesterday`);
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'since');
  r = await call('anna', 'GET', `/api/v1/plans/${plan}/changes?from=2020-01-01`);
  assert.equal(r.status, 400);
  const missing = await call('ben', 'GET', '/api/v1/plans/999999/changes');
  const hidden = await call('ben', 'GET', `/api/v1/plans/${plan}/changes`);
  assert.equal(hidden.status, 404);
  assert.deepEqual({ ...hidden.json, instance: null }, { ...missing.json, instance: null });
});
