// Group accounts (issue 18, docs/groups.md): scope=group answers, the group tree, who sees
// what of a group, intra-group revenue counted once, and identification at group level.
// A hand-worked group, all amounts in EUR (the base currency), the clock fixed at
// 2026-06-15 so the 12-month window is [2025-06-01, 2026-06-01):
//
//   Globex Holding (anna)            1,000.00
//   ├── Globex France (ben)            500.00
//   │   └── Globex Lyon (chloe)        300.00 + 200.00 intra-group (re-invoiced by France)
//   └── Globex Germany (anna)          400.00
//
// group total = 1000 + 500 + 300 + 200 + 400 − 200 (intra) = 2,200.00
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const A = {}; // accounts by short name
const NOW = '2026-06-15T12:00:00Z';
const WINDOW = 'from=2025-06-01&to=2026-06-01';

const call = (u, method, path, body) => api(srv.url, tok[u], method, path, body);

async function account(u, name, parent, owner) {
  const body = { name, currency: 'EUR', status: 'active', acquired_on: '2024-01-01' };
  if (parent) body.parent_id = parent.id;
  if (owner) body.owner_id = owner;
  const r = await call(u, 'POST', '/api/v1/accounts', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function txn(acc, booked_on, amount, extra = {}) {
  const r = await call('director', 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on, amount, currency: 'EUR', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const userId = async (u) => (await call(u, 'GET', '/api/v1/me')).json.id;
const revenue = async (u, id, extra = '') => {
  const r = await call(u, 'GET', `/api/v1/kpis?scope=group&id=${id}&${WINDOW}${extra}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'chloe', 'dev', 'viewer', 'director', 'admin', 'mia'], 'groups'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600', KAM_NOW: NOW });
  const ids = { anna: await userId('anna'), ben: await userId('ben'), chloe: await userId('chloe') };
  A.holding = await account('director', 'Globex Holding', null, ids.anna);
  A.france = await account('director', 'Globex France', A.holding, ids.ben);
  A.lyon = await account('director', 'Globex Lyon', A.france, ids.chloe);
  A.germany = await account('director', 'Globex Germany', A.holding, ids.anna);
  await txn(A.holding, '2026-02-10', 100000);
  await txn(A.france, '2026-03-05', 50000);
  await txn(A.lyon, '2026-03-20', 30000);
  await txn(A.lyon, '2026-04-02', 20000, { intra_group: true });
  await txn(A.germany, '2026-01-15', 40000);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('GET /accounts/:id/group: the tree from the top parent down, with owner, revenue and health per entity, and the totals net of intra-group revenue', async () => {
  for (const from of [A.holding, A.lyon]) {
    const r = await call('director', 'GET', `/api/v1/accounts/${from.id}/group`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.root_id, A.holding.id);
    assert.equal(r.json.account_id, from.id);
    assert.equal(r.json.currency, 'EUR');
    assert.equal(r.json.complete, true);
    // depth-first, siblings by name
    assert.deepEqual(r.json.entities.map((e) => [e.name, e.depth, e.parent_id]), [
      ['Globex Holding', 0, null], ['Globex France', 1, A.holding.id], ['Globex Lyon', 2, A.france.id], ['Globex Germany', 1, A.holding.id]]);
    const lyon = r.json.entities[2];
    assert.equal(lyon.owner.name, 'Chloé Martin');
    assert.equal(lyon.revenue_12m, 50000); // its own revenue, intra-group included
    assert.equal(lyon.visible, true);
    assert.ok(lyon.health === null || typeof lyon.health === 'number');
    assert.deepEqual({ ...r.json.totals, health: undefined }, { entities: 4, revenue_12m: 220000, intra_group_12m: 20000, health: undefined });
  }
});

test('scope=group KPIs: the parent and every descendant, intra-group revenue counted once; a sub-group is a group too', async () => {
  let k = await revenue('director', A.holding.id);
  assert.equal(k.kpis.revenue.value, 220000);
  assert.deepEqual(k.scope, { kind: 'group', id: A.holding.id, entities: 4, complete: true, net_of_intra_group: true });
  k = await revenue('director', A.france.id);
  assert.equal(k.kpis.revenue.value, 80000); // 500 + 300 + 200 − 200
  assert.equal(k.scope.entities, 2);
  // the entity alone keeps its own revenue, as billed
  const one = await call('director', 'GET', `/api/v1/kpis?scope=account&id=${A.lyon.id}&${WINDOW}`);
  assert.equal(one.json.kpis.revenue.value, 50000);
  // rows name their entity
  const rows = await call('director', 'GET', `/api/v1/kpis/rows?name=revenue&scope=group&id=${A.holding.id}&${WINDOW}`);
  assert.equal(rows.status, 200, rows.text);
  const byName = Object.fromEntries(rows.json.items.map((x) => [x.account_name, x.revenue]));
  assert.deepEqual(byName, { 'Globex Holding': 100000, 'Globex France': 50000, 'Globex Lyon': 30000, 'Globex Germany': 40000 });
  assert.equal(rows.json.items.reduce((s, x) => s + x.revenue, 0), 220000, 'the rows add up to the group figure');
});
