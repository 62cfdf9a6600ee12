// Logging a meeting with its follow-up action in one request (issue 13): POST
// /api/v1/interactions with follow_up {title, due_on, owner_id, objective_id} makes both in
// one transaction, in the account's active plan; a fault of either stores neither.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {}, me, plan;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'viewer'], 'meeting'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  me = (await call('anna', 'GET', '/api/v1/me')).json;
  plan = (await call('anna', 'GET', '/api/v1/plans?status=active&limit=1')).json.items[0];
  assert.ok(plan, 'anna has an account with an active plan');
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (u, method, path, body) => api(srv.url, tok[u], method, path, body);
const meeting = (account, summary, extra = {}) => ({
  account_id: account, kind: 'meeting', occurred_at: '2026-01-15T10:00:00Z', summary, ...extra,
});
// what is stored under a summary or a title, to prove nothing was
const logged = async (account, summary) => (await call('anna', 'GET', `/api/v1/interactions?account_id=${account}&limit=500`)).json.items.filter((i) => i.summary === summary);
const actions = async (title) => (await call('anna', 'GET', `/api/v1/search?q=${encodeURIComponent(title)}&limit=20`)).json.actions;

test('a meeting and its follow-up action are made together, the action in the active plan', async () => {
  const r = await call('anna', 'POST', '/api/v1/interactions', meeting(plan.account_id, 'QBR prep with the buyer', {
    follow_up: { title: 'Send the QBR deck to the buyer', due_on: '2026-02-01', owner_id: me.id },
  }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.summary, 'QBR prep with the buyer');
  const a = r.json.follow_up;
  assert.equal(a.title, 'Send the QBR deck to the buyer');
  assert.equal(a.plan_id, plan.id);
  assert.equal(a.account_id, plan.account_id);
  assert.equal(a.owner_id, me.id);
  assert.equal(a.due_on, '2026-02-01');
  assert.equal(a.status, 'open');
  assert.equal(typeof a.overdue, 'boolean');
  const stored = await call('anna', 'GET', `/api/v1/actions/${a.id}`);
  assert.equal(stored.status, 200);
  assert.equal(stored.json.title, a.title);
  // the interaction read back has no follow_up: the key belongs to the create's reply
  const back = await call('anna', 'GET', `/api/v1/interactions/${r.json.id}`);
  assert.equal(back.json.follow_up, undefined);
  // without follow_up, or with null, only the interaction
  const plain = await call('anna', 'POST', '/api/v1/interactions', meeting(plan.account_id, 'A call', { follow_up: null }));
  assert.equal(plain.status, 201, plain.text);
  assert.equal(plain.json.follow_up, undefined);
});

test('a bad follow_up is a 400 naming follow_up.field, and leaves no interaction stored', async () => {
  const cases = [
    [{ title: 'Bad due date', due_on: 'next Friday' }, 'follow_up.due_on'],
    [{ due_on: '2026-02-01' }, 'follow_up.title'],
    [{ title: 'Colourful', colour: 'red' }, 'follow_up.colour'],
    [{ title: 'Mine', plan_id: plan.id }, 'follow_up.plan_id'],
    [{ title: 'Nobody owns it', owner_id: 999999 }, 'follow_up.owner_id'],
    [{ title: 'Wrong objective', objective_id: 999999 }, 'follow_up.objective_id'],
  ];
  for (const [i, [follow, field]] of cases.entries()) {
    const summary = `Meeting with a bad follow-up ${i}`;
    const r = await call('anna', 'POST', '/api/v1/interactions', meeting(plan.account_id, summary, { follow_up: follow }));
    assert.equal(r.status, 400, `${field}: ${r.text}`);
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
    assert.ok(r.json.errors.some((e) => e.field === field), `${field} in ${r.text}`);
    assert.deepEqual(await logged(plan.account_id, summary), [], `no interaction stored for ${field}`);
    if (follow.title) assert.deepEqual(await actions(follow.title), [], `no action stored for ${field}`);
  }
  // not an object
  const s = await call('anna', 'POST', '/api/v1/interactions', meeting(plan.account_id, 'Follow-up as text', { follow_up: 'call back' }));
  assert.equal(s.status, 400);
  assert.ok(s.json.errors.some((e) => e.field === 'follow_up'));
  // faults of both are named at once
  const both = await call('anna', 'POST', '/api/v1/interactions', { account_id: plan.account_id, kind: 'chat', occurred_at: '2026-01-15T10:00:00Z', follow_up: { due_on: 'x' } });
  assert.equal(both.status, 400);
  const fields = both.json.errors.map((e) => e.field);
  for (const f of ['kind', 'follow_up.title', 'follow_up.due_on']) assert.ok(fields.includes(f), `${f} in ${both.text}`);
});

test('an objective of another plan is refused; an objective of the active plan takes the action', async () => {
  const full = (await call('anna', 'GET', `/api/v1/plans/${plan.id}`)).json;
  const obj = full.objectives[0];
  assert.ok(obj, 'the demo plan has objectives');
  const ok = await call('anna', 'POST', '/api/v1/interactions', meeting(plan.account_id, 'Objective meeting', {
    follow_up: { title: 'Follow the objective up', objective_id: obj.id },
  }));
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.follow_up.objective_id, obj.id);
  assert.equal(ok.json.follow_up.plan_id, plan.id);
  // an objective of another of anna's accounts
  const other = (await call('anna', 'GET', '/api/v1/plans?status=active&limit=50')).json.items.find((p) => p.account_id !== plan.account_id);
  const otherObj = (await call('anna', 'GET', `/api/v1/plans/${other.id}`)).json.objectives[0];
  const bad = await call('anna', 'POST', '/api/v1/interactions', meeting(plan.account_id, 'Cross-account objective', {
    follow_up: { title: 'Cross account', objective_id: otherObj.id },
  }));
  assert.equal(bad.status, 400, bad.text);
  assert.ok(bad.json.errors.some((e) => e.field === 'follow_up.objective_id'), bad.text);
  assert.deepEqual(await logged(plan.account_id, 'Cross-account objective'), []);
});

test('an account without an active plan: 409 saying so, nothing stored', async () => {
  const acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Planless Meeting AG', owner_id: me.id, status: 'active', currency: 'EUR' })).json;
  const r = await call('anna', 'POST', '/api/v1/interactions', meeting(acc.id, 'First meeting', { follow_up: { title: 'Write the first plan' } }));
  assert.equal(r.status, 409, r.text);
  assert.match(r.json.detail, /no active plan/);
  assert.ok(r.json.errors.some((e) => e.field === 'follow_up'));
  assert.deepEqual(await logged(acc.id, 'First meeting'), []);
  assert.deepEqual(await actions('Write the first plan'), []);
  // the account's last contact did not move either
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${acc.id}`)).json.last_interaction_at, null);
  // a viewer may not log one at all
  const v = await call('viewer', 'POST', '/api/v1/interactions', meeting(plan.account_id, 'Viewer meeting', { follow_up: { title: 'x' } }));
  assert.equal(v.status, 403);
});
