// Relationship coverage (issue 17): who of ours covers which of the client's stakeholders,
// how strongly and when it was last verified; the grid with its gaps; a contact marked as
// gone leaves the grid. The clock is fixed so "180 days unverified" is exact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {}, users, acc, c = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'mia', 'viewer', 'director'], 'coverage'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600', KAM_NOW: '2026-07-28T09:00:00Z' });
  users = Object.fromEntries((await call('director', 'GET', '/api/v1/users?limit=500')).json.items.map((u) => [u.email.split('@')[0], u]));
  acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Coverage Werke AG', owner_id: users.anna.id, status: 'active' })).json;
  const team = await call('anna', 'PUT', `/api/v1/accounts/${acc.id}/team/${users.mia.id}`, { role: 'executive_sponsor' });
  assert.ok(team.status < 300, team.text);
  for (const [k, body] of Object.entries({
    cfo: { name: 'Greta Vogel', title: 'CFO', decision_role: 'economic_buyer' },
    cto: { name: 'Hans Brandt', title: 'CTO', decision_role: 'decision_maker', attitude: 'supporter' },
    ops: { name: 'Ida Kraus', decision_role: 'influencer', attitude: 'critic' },
    user: { name: 'Jo Lenz', decision_role: 'user' },
  })) {
    const r = await call('anna', 'POST', '/api/v1/contacts', { account_id: acc.id, ...body });
    assert.equal(r.status, 201, r.text);
    c[k] = r.json;
  }
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (u, method, path, body) => api(srv.url, tok[u], method, path, body);
const grid = async (u = 'anna') => call(u, 'GET', `/api/v1/accounts/${acc.id}/coverage`);
const gaps = (g, kind) => g.gaps.filter((x) => x.kind === kind).map((x) => x.text);

test('an account with stakeholders and nobody covering them: every decider is a gap', async () => {
  const g = (await grid()).json;
  assert.deepEqual(g.people.map((p) => [p.name, p.role]), [['Anna Berg', 'kam'], ['Mia Jensen', 'executive_sponsor']]);
  // the buyer and the decision maker first, then the influencer; a plain user is no stakeholder
  assert.deepEqual(g.stakeholders.map((s) => s.name), ['Greta Vogel', 'Hans Brandt', 'Ida Kraus']);
  assert.deepEqual(gaps(g, 'uncovered'), ['nobody covers Greta Vogel (economic buyer)', 'nobody covers Hans Brandt (decision maker)']);
});

test('links: the team records them, one per person and contact, strength 1 to 5; the grid follows', async () => {
  const link = (u, body) => call(u, 'POST', '/api/v1/coverage', { account_id: acc.id, ...body });
  let r = await link('anna', { contact_id: c.cto.id, user_id: users.anna.id, strength: 4, verified_on: '2026-01-10' });
  assert.equal(r.status, 201, r.text);
  const cto = r.json;
  // a member of the team records their own
  r = await link('mia', { contact_id: c.ops.id, user_id: users.mia.id, strength: 2 });
  assert.equal(r.status, 201, r.text);
  // twice the same pair: a conflict that says what to do
  r = await link('anna', { contact_id: c.cto.id, user_id: users.anna.id, strength: 2 });
  assert.equal(r.status, 409);
  assert.match(r.json.detail, /already covers this contact/);
  for (const strength of [0, 6, 2.5, '3', null]) {
    r = await link('anna', { contact_id: c.cfo.id, user_id: users.anna.id, strength });
    assert.equal(r.status, 400, `strength ${JSON.stringify(strength)}`);
    assert.equal(r.json.errors[0].field, 'strength');
  }
  r = await link('anna', { contact_id: c.cfo.id, user_id: users.anna.id, strength: 3, verified_on: '2026-02-30' });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'verified_on');
  let g = (await grid()).json;
  assert.deepEqual(gaps(g, 'uncovered'), ['nobody covers Greta Vogel (economic buyer)']);
  // 2026-01-10 is 199 days before the fixed today; Mia's link was never verified
  assert.deepEqual(gaps(g, 'stale'), ['Anna Berg\'s relationship with Hans Brandt was last verified on 2026-01-10', 'Mia Jensen\'s relationship with Ida Kraus was never verified']);
  assert.deepEqual(gaps(g, 'single_threaded'), ['Anna Berg alone covers every decision maker we reach']);
  const row = g.stakeholders.find((s) => s.contact_id === c.cto.id);
  assert.deepEqual(row.cells.map((x) => [x.user_id, x.strength, x.stale]), [[users.anna.id, 4, true]]);
  // verified again (180 days ago is not yet stale), and Ben, outside the team, covers the CFO
  r = await call('anna', 'PATCH', `/api/v1/coverage/${cto.id}`, { verified_on: '2026-01-29' });
  assert.equal(r.status, 200, r.text);
  r = await link('anna', { contact_id: c.cfo.id, user_id: users.ben.id, strength: 5, verified_on: '2026-07-01' });
  assert.equal(r.status, 201, r.text);
  g = (await grid()).json;
  assert.deepEqual(gaps(g, 'uncovered'), []);
  assert.deepEqual(gaps(g, 'single_threaded'), []);
  assert.deepEqual(gaps(g, 'stale'), ['Mia Jensen\'s relationship with Ida Kraus was never verified']);
  assert.deepEqual(g.people.map((p) => [p.name, p.role]), [['Anna Berg', 'kam'], ['Mia Jensen', 'executive_sponsor'], ['Ben Osei', null]]);
  // the links are a list like any other, filtered by account or contact
  const list = (await call('anna', 'GET', `/api/v1/coverage?contact_id=${c.cfo.id}`)).json.items;
  assert.deepEqual(list.map((x) => x.user_id), [users.ben.id]);
});

test('a contact marked as gone leaves the grid and its gaps', async () => {
  let r = await call('anna', 'PATCH', `/api/v1/contacts/${c.cfo.id}`, { left_on: '2026-07-20' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.left_on, '2026-07-20');
  const g = (await grid()).json;
  assert.deepEqual(g.stakeholders.map((s) => s.name), ['Hans Brandt', 'Ida Kraus']);
  // Anna is again the only one on a decision maker
  assert.deepEqual(gaps(g, 'single_threaded'), ['Anna Berg alone covers the decision maker']);
  r = await call('anna', 'PATCH', `/api/v1/contacts/${c.cfo.id}`, { left_on: null });
  assert.equal(r.status, 200, r.text);
});

test('who sees and who writes: another KAM gets the answer of a missing account; a viewer reads', async () => {
  const missing = await call('anna', 'GET', '/api/v1/accounts/999999/coverage');
  const other = await grid('ben');
  assert.equal(missing.status, 404);
  assert.equal(other.status, 404);
  assert.deepEqual({ ...other.json, instance: null }, { ...missing.json, instance: null });
  assert.equal((await grid('viewer')).status, 200);
  assert.equal((await grid('director')).status, 200);
  const r = await call('viewer', 'POST', '/api/v1/coverage', { account_id: acc.id, contact_id: c.cto.id, user_id: users.mia.id, strength: 3 });
  assert.equal(r.status, 403);
  // a contact of an account Ben cannot see is "no such contact" to him, on his own account too
  const bens = (await call('ben', 'GET', '/api/v1/accounts?limit=1')).json.items[0];
  const x = await call('ben', 'POST', '/api/v1/coverage', { account_id: bens.id, contact_id: c.cto.id, user_id: users.ben.id, strength: 3 });
  assert.equal(x.status, 400);
  assert.equal(x.json.errors[0].field, 'contact_id');
  assert.equal((await call('ben', 'GET', `/api/v1/coverage?account_id=${acc.id}`)).json.items.length, 0);
});

test('a champion who leaves or a decider who turns against us is an alert; the latest change is the open one', async () => {
  const evaluate = async () => { const r = await call('director', 'POST', '/api/v1/alerts/evaluate'); assert.equal(r.status, 200, r.text); };
  const open = async () => (await call('anna', 'GET', `/api/v1/alerts?account_id=${acc.id}&limit=50`)).json.items
    .filter((a) => a.rule === 'stakeholder_change' && a.state !== 'resolved')
    .map((a) => [a.evidence.contact, a.evidence.change, a.evidence.attitude_was ?? null, a.evidence.attitude ?? null, a.severity]);
  await evaluate();
  assert.deepEqual(await open(), [], 'nothing changed yet');
  // a champion leaves
  const champ = (await call('anna', 'POST', '/api/v1/contacts', { account_id: acc.id, name: 'Lena Sommer', attitude: 'champion' })).json;
  assert.equal((await call('anna', 'PATCH', `/api/v1/contacts/${champ.id}`, { left_on: '2026-07-27' })).status, 200);
  // an influencer turning critic is not the rule's business
  assert.equal((await call('anna', 'PATCH', `/api/v1/contacts/${c.ops.id}`, { attitude: 'blocker' })).status, 200);
  await evaluate();
  assert.deepEqual(await open(), [['Lena Sommer', 'left', null, null, 'warning']]);
  await evaluate();
  assert.equal((await open()).length, 1, 'evaluated again: the same alert, not another');
  // the CTO (a decision maker, a supporter) turns blocker: kam keeps what he was and since when
  let r = await call('anna', 'PATCH', `/api/v1/contacts/${c.cto.id}`, { attitude: 'blocker' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.attitude_was, 'supporter');
  assert.equal(r.json.attitude_changed_on, '2026-07-28');
  // those two are the server's: a body cannot set them
  r = await call('anna', 'PATCH', `/api/v1/contacts/${c.cto.id}`, { attitude_changed_on: '2020-01-01' });
  assert.equal(r.status, 400);
  await evaluate();
  assert.deepEqual(await open(), [['Hans Brandt', 'turned', 'supporter', 'blocker', 'warning']]);
  const alert = (await call('anna', 'GET', `/api/v1/alerts?account_id=${acc.id}&limit=50`)).json.items.find((a) => a.rule === 'stakeholder_change' && a.state !== 'resolved');
  assert.equal(alert.rule_label, 'A key stakeholder left or turned against us');
  // why it fired, in the alert; and the playbook the rule starts
  assert.match(alert.why.condition, /champion or decision maker left/);
  assert.equal(alert.why.value.value, '2026-07-28');
  const pbs = (await call('director', 'GET', '/api/v1/playbooks')).json.items;
  assert.equal(pbs.find((p) => p.name === 'Rebuild sponsorship').trigger.rule, 'stakeholder_change');
});
