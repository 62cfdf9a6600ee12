// Issue 18, the group page: one group plan that the plans of a group's entities link to
// (group_plan_id: a plan of an ancestor account the caller sees), reporting lines that cross
// the entities of one group, and the group's stakeholders on one map.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const g = {}; // the group: holding (anna) > france (ben) > lyon (anna); holding > germany (anna); other (anna)
const year = new Date().getUTCFullYear();

const call = (u, method, path, body) => api(srv.url, tok[u], method, path, body);
const ok = async (u, method, path, body, want = 201) => {
  const r = await call(u, method, path, body);
  assert.equal(r.status, want, `${method} ${path}: ${r.text}`);
  return r.json;
};
const plan = (u, account, title, extra = {}) => call(u, 'POST', '/api/v1/plans', { account_id: account, title, period_start: `${year}-01-01`, period_end: `${year}-12-31`, ...extra });

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'director', 'viewer'], 'groupplans'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  const users = (await ok('director', 'GET', '/api/v1/users?limit=100', undefined, 200)).items;
  const id = (e) => users.find((u) => u.email === e).id;
  const acc = (name, owner, parent) => ok('director', 'POST', '/api/v1/accounts', { name, owner_id: id(`${owner}@example.com`), ...(parent ? { parent_id: parent } : {}) });
  g.holding = (await acc('Gruppo Holding SpA', 'anna')).id;
  g.france = (await acc('Gruppo France SAS', 'ben', g.holding)).id;
  g.lyon = (await acc('Gruppo Lyon SARL', 'anna', g.france)).id;
  g.germany = (await acc('Gruppo Deutschland GmbH', 'anna', g.holding)).id;
  g.other = (await acc('Elsewhere Ltd', 'anna')).id;
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('an entity plan links to a plan of an account above it; both show the link', async () => {
  const gp = (await plan('anna', g.holding, 'Group plan Gruppo', { status: 'active' })).json;
  const de = await plan('anna', g.germany, 'Deutschland plan', { status: 'active', group_plan_id: gp.id });
  assert.equal(de.status, 201, de.text);
  assert.equal(de.json.group_plan_id, gp.id);
  assert.equal(de.json.group_plan.title, 'Group plan Gruppo');
  assert.equal(de.json.group_plan.account_name, 'Gruppo Holding SpA');
  // three levels: Lyon sits under France under the holding
  const ly = await plan('anna', g.lyon, 'Lyon plan', { group_plan_id: gp.id });
  assert.equal(ly.status, 201, ly.text);
  await ok('anna', 'POST', '/api/v1/objectives', { plan_id: de.json.id, title: 'Win the Munich plant', baseline: 0, target: 4, current: 1 });
  await ok('anna', 'POST', '/api/v1/objectives', { plan_id: de.json.id, title: 'Renew', status: 'achieved' });
  const read = await ok('anna', 'GET', `/api/v1/plans/${gp.id}`, undefined, 200);
  assert.deepEqual(read.entity_plans.map((p) => [p.title, p.account_name]), [['Deutschland plan', 'Gruppo Deutschland GmbH'], ['Lyon plan', 'Gruppo Lyon SARL']]);
  const dep = read.entity_plans[0];
  assert.deepEqual(dep.objectives.map((o) => [o.title, o.progress]), [['Win the Munich plant', 0.25], ['Renew', null]]);
  assert.equal(dep.achieved, 1);
  assert.equal(dep.progress, 0.25);
  assert.equal(read.group_plan, null);
  // the list filters by it
  const list = await ok('anna', 'GET', `/api/v1/plans?group_plan_id=${gp.id}`, undefined, 200);
  assert.equal(list.items.length, 2);
  // unlinked with null; the group plan no longer lists it
  await ok('anna', 'PATCH', `/api/v1/plans/${ly.json.id}`, { group_plan_id: null }, 200);
  assert.deepEqual((await ok('anna', 'GET', `/api/v1/plans/${gp.id}`, undefined, 200)).entity_plans.map((p) => p.title), ['Deutschland plan']);
  // a deleted group plan leaves its entity plans unlinked, not gone
  const gone = (await plan('anna', g.holding, 'Short-lived group plan', { status: 'draft', period_start: `${year - 1}-01-01`, period_end: `${year - 1}-12-31` })).json;
  await ok('anna', 'PATCH', `/api/v1/plans/${ly.json.id}`, { group_plan_id: gone.id }, 200);
  assert.equal((await call('anna', 'DELETE', `/api/v1/plans/${gone.id}`)).status, 204);
  assert.equal((await ok('anna', 'GET', `/api/v1/plans/${ly.json.id}`, undefined, 200)).group_plan_id, null);
});

test('group_plan_id must name a plan of an ancestor: not the same account, a child, another group or nothing', async () => {
  const top = (await plan('anna', g.holding, 'Holding plan B', { status: 'draft' })).json;
  const de = (await plan('anna', g.germany, 'Deutschland plan B', { status: 'draft' })).json;
  const self = (await plan('anna', g.holding, 'Holding plan C', { status: 'draft' })).json;
  const other = (await plan('anna', g.other, 'Elsewhere plan', { status: 'draft' })).json;
  for (const [target, on] of [[de.id, top.id], [self.id, top.id], [other.id, de.id], [top.id, other.id], [top.id, top.id]]) {
    const r = await call('anna', 'PATCH', `/api/v1/plans/${on}`, { group_plan_id: target });
    assert.equal(r.status, 400, `${on} → ${target}: ${r.text}`);
    assert.equal(r.json.errors[0].field, 'group_plan_id');
    assert.match(r.json.errors[0].message, /not a plan of an account this one belongs to/);
  }
  const missing = await plan('anna', g.germany, 'Deutschland plan C', { status: 'draft', group_plan_id: 99999999 });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.errors[0].field, 'group_plan_id');
  assert.match(missing.json.errors[0].message, /no such plan 99999999/);
  assert.equal((await call('anna', 'PATCH', `/api/v1/plans/${de.id}`, { group_plan_id: 'x' })).status, 400);
  // nothing was stored by the refusals
  assert.equal((await ok('anna', 'GET', `/api/v1/plans/${top.id}`, undefined, 200)).group_plan_id, null);
});

test('a subsidiary KAM who cannot see the group plan cannot link to it, and learns nothing of it', async () => {
  const gp = (await ok('anna', 'GET', `/api/v1/plans?account_id=${g.holding}&status=active`, undefined, 200)).items[0];
  assert.ok(gp);
  const fr = await plan('ben', g.france, 'France plan');
  assert.equal(fr.status, 201, fr.text);
  // Ben does not see the holding: its plan answers like a missing one, word for word
  const hidden = await call('ben', 'PATCH', `/api/v1/plans/${fr.json.id}`, { group_plan_id: gp.id });
  const missing = await call('ben', 'PATCH', `/api/v1/plans/${fr.json.id}`, { group_plan_id: 99999999 });
  assert.equal(hidden.status, 400);
  assert.equal(hidden.json.errors[0].field, 'group_plan_id');
  assert.equal(hidden.json.errors[0].message.replace(String(gp.id), 'N'), missing.json.errors[0].message.replace('99999999', 'N'));
  assert.equal((await call('ben', 'GET', `/api/v1/plans/${gp.id}`)).status, 404);
  // the director links it; Ben's plan then says it is part of a group plan he cannot open
  await ok('director', 'PATCH', `/api/v1/plans/${fr.json.id}`, { group_plan_id: gp.id }, 200);
  const mine = await ok('ben', 'GET', `/api/v1/plans/${fr.json.id}`, undefined, 200);
  assert.equal(mine.group_plan_id, gp.id);
  assert.equal(mine.group_plan, null);
  // Anna sees her entity plans under the group plan, not Ben's; the director sees all three
  const anna = await ok('anna', 'GET', `/api/v1/plans/${gp.id}`, undefined, 200);
  assert.ok(!anna.entity_plans.some((p) => p.title === 'France plan'));
  const dir = await ok('director', 'GET', `/api/v1/plans/${gp.id}`, undefined, 200);
  assert.ok(dir.entity_plans.some((p) => p.title === 'France plan'));
  // a viewer reads the links and changes none
  assert.equal((await ok('viewer', 'GET', `/api/v1/plans/${fr.json.id}`, undefined, 200)).group_plan.id, gp.id);
  assert.equal((await call('viewer', 'PATCH', `/api/v1/plans/${fr.json.id}`, { group_plan_id: null })).status, 403);
});

test('a contact may report to a contact of another entity of the same group, never outside it', async () => {
  const ceo = await ok('anna', 'POST', '/api/v1/contacts', { account_id: g.holding, name: 'Giulia Conti', title: 'Group CEO' });
  const de = await call('anna', 'POST', '/api/v1/contacts', { account_id: g.germany, name: 'Jonas Weber', title: 'Geschäftsführer', reports_to_id: ceo.id });
  assert.equal(de.status, 201, de.text);
  // two levels down, through an entity Anna does not own
  const ly = await call('anna', 'POST', '/api/v1/contacts', { account_id: g.lyon, name: 'Camille Roux', reports_to_id: ceo.id });
  assert.equal(ly.status, 201, ly.text);
  const out = await ok('anna', 'POST', '/api/v1/contacts', { account_id: g.other, name: 'Outside Person' });
  let r = await call('anna', 'POST', '/api/v1/contacts', { account_id: g.other, name: 'Wrong Line', reports_to_id: ceo.id });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'reports_to_id');
  assert.match(r.json.errors[0].message, /outside this account's group/);
  r = await call('anna', 'PATCH', `/api/v1/contacts/${de.json.id}`, { reports_to_id: out.id });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'reports_to_id');
  // a loop across entities is still a loop
  r = await call('anna', 'PATCH', `/api/v1/contacts/${ceo.id}`, { reports_to_id: de.json.id });
  assert.equal(r.status, 400);
  assert.match(r.json.errors[0].message, /loop/);
  // Ben's France contact reports to the group CEO, whom the director sees and Ben does not
  const hidden = await call('ben', 'POST', '/api/v1/contacts', { account_id: g.france, name: 'Luc Martin', reports_to_id: ceo.id });
  assert.equal(hidden.status, 400);
  assert.match(hidden.json.errors[0].message, /no such contact/);
  r = await call('director', 'POST', '/api/v1/contacts', { account_id: g.france, name: 'Luc Martin', title: 'Directeur général', reports_to_id: ceo.id });
  assert.equal(r.status, 201, r.text);
});

test('the stakeholders of a group: every entity the caller sees on one map, with its account', async () => {
  const map = await ok('anna', 'GET', `/api/v1/accounts/${g.germany}/stakeholders?scope=group`, undefined, 200);
  assert.equal(map.root_id, g.holding);
  assert.equal(map.scope, 'group');
  // the tree order, without Ben's France; Lyon is still shown (Anna owns it)
  assert.deepEqual(map.entities.map((e) => [e.name, e.depth]), [['Gruppo Holding SpA', 0], ['Gruppo Deutschland GmbH', 1], ['Gruppo Lyon SARL', 2]]);
  const by = Object.fromEntries(map.contacts.map((c) => [c.name, c]));
  assert.equal(by['Jonas Weber'].account_name, 'Gruppo Deutschland GmbH');
  assert.equal(by['Jonas Weber'].reports_to_id, by['Giulia Conti'].id);
  assert.equal(by['Camille Roux'].reports_to_id, by['Giulia Conti'].id);
  assert.ok(!by['Luc Martin'], 'France is not Anna\'s');
  // the director's map has all four entities in tree order
  const dir = await ok('director', 'GET', `/api/v1/accounts/${g.lyon}/stakeholders?scope=group`, undefined, 200);
  assert.deepEqual(dir.entities.map((e) => e.name), ['Gruppo Holding SpA', 'Gruppo Deutschland GmbH', 'Gruppo France SAS', 'Gruppo Lyon SARL']);
  assert.ok(dir.contacts.some((c) => c.name === 'Luc Martin' && c.reports_to_id != null));
  // Ben sees his entity only; its manager is not named, only that there is one elsewhere
  const ben = await ok('ben', 'GET', `/api/v1/accounts/${g.france}/stakeholders?scope=group`, undefined, 200);
  assert.deepEqual(ben.entities.map((e) => e.name), ['Gruppo France SAS']);
  const luc = ben.contacts.find((c) => c.name === 'Luc Martin');
  assert.equal(luc.reports_to_id, null);
  assert.equal(luc.reports_elsewhere, true);
  assert.ok(!JSON.stringify(ben).includes('Giulia'));
  // one account alone
  const one = await ok('anna', 'GET', `/api/v1/accounts/${g.germany}/stakeholders`, undefined, 200);
  assert.deepEqual(one.contacts.map((c) => c.name), ['Jonas Weber']);
  assert.equal(one.contacts[0].reports_elsewhere, true);
  // bad questions and accounts one cannot see
  let r = await call('anna', 'GET', `/api/v1/accounts/${g.germany}/stakeholders?scope=portfolio`);
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'scope');
  r = await call('anna', 'GET', `/api/v1/accounts/${g.germany}/stakeholders?depth=3`);
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'depth');
  assert.equal((await call('ben', 'GET', `/api/v1/accounts/${g.holding}/stakeholders?scope=group`)).status, 404);
  assert.equal((await call('anna', 'GET', '/api/v1/accounts/99999999/stakeholders?scope=group')).status, 404);
});

test('an entity moved out from under its group plan loses the link, with an audit row; one that stays under keeps it', async () => {
  const users = (await ok('director', 'GET', '/api/v1/users?limit=100', undefined, 200)).items;
  const anna = users.find((u) => u.email === 'anna@example.com').id;
  const acc = async (name, parent) => (await ok('director', 'POST', '/api/v1/accounts', { name, owner_id: anna, ...(parent ? { parent_id: parent } : {}) })).id;
  const top = await acc('Move Holding AG');
  const mid = await acc('Move Mitte GmbH', top);
  const low = await acc('Move Unten GmbH', mid);
  const other = await acc('Move Elsewhere AG');
  const gp = (await plan('anna', top, 'Move group plan')).json;
  const midPlan = (await plan('anna', mid, 'Mitte plan', { group_plan_id: gp.id })).json;
  const midGp = (await plan('anna', mid, 'Mitte group plan', { period_start: `${year + 1}-01-01`, period_end: `${year + 1}-12-31` })).json;
  const lowPlan = (await plan('anna', low, 'Unten plan', { group_plan_id: gp.id })).json;
  const lowToMid = (await plan('anna', low, 'Unten plan 2', { period_start: `${year + 1}-01-01`, period_end: `${year + 1}-12-31`, group_plan_id: midGp.id })).json;
  // Mitte (with Unten under it) moves to another group: the links to the old top go, the link
  // inside the part that moved stays
  await ok('anna', 'PATCH', `/api/v1/accounts/${mid}`, { parent_id: other }, 200);
  const get = async (id) => (await ok('anna', 'GET', `/api/v1/plans/${id}`, undefined, 200));
  assert.equal((await get(midPlan.id)).group_plan_id, null);
  assert.equal((await get(lowPlan.id)).group_plan_id, null);
  assert.equal((await get(lowToMid.id)).group_plan_id, midGp.id);
  assert.deepEqual((await get(gp.id)).entity_plans, []);
  const audit = (await ok('director', 'GET', `/api/v1/audit?entity=plan&id=${lowPlan.id}`, undefined, 200)).items;
  assert.equal(audit[0].action, 'update');
  assert.equal(audit[0].before.group_plan_id, gp.id);
  assert.equal(audit[0].after.group_plan_id, null);
});
