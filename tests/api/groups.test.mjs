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
import { serve, api, demoDb, tokens, kam } from '../lib/harness.mjs';

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
  assert.deepEqual(k.scope, { kind: 'group', id: A.holding.id, entities: 4, complete: true });
  // the spelling names the parent as well: scope=group&account_id=…
  const alias = await call('director', 'GET', `/api/v1/kpis?scope=group&account_id=${A.holding.id}&${WINDOW}`);
  assert.equal(alias.status, 200, alias.text);
  assert.equal(alias.json.kpis.revenue.value, 220000);
  const both = await call('director', 'GET', `/api/v1/kpis?scope=group&id=${A.holding.id}&account_id=${A.holding.id}&${WINDOW}`);
  assert.equal(both.status, 400);
  assert.match(JSON.stringify(both.json.errors), /given twice/);
  const pareto = await call('director', 'GET', `/api/v1/portfolio/pareto?scope=group&account_id=${A.holding.id}`);
  assert.equal(pareto.json.total, 220000, pareto.text);
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
  // kam kpi --scope group: the same figure, and as a subsidiary's KAM sees it
  const cli = (...more) => JSON.parse(kam(['kpi', '--scope', 'group', '--id', String(A.holding.id), '--from', '2025-06-01', '--to', '2026-06-01', '--format', 'json', '--db', db, ...more], { env: { ...process.env, KAM_NOW: NOW } })).kpis.revenue.value;
  assert.equal(cli(), 220000);
  assert.equal(cli('--as', 'chloe@example.com'), 30000);
});

const tree = (u, id) => call(u, 'GET', `/api/v1/accounts/${id}/group`);
const names = (r) => r.json.entities.map((e) => e.name);

test('GET /accounts/:id/group?format=csv|xlsx: one row per entity it lists (money in major units), then the group total when the caller may see it', async () => {
  const file = async (u, id, format = 'csv') => {
    const r = await fetch(`${srv.url}/api/v1/accounts/${id}/group?format=${format}`, { headers: { Authorization: `Bearer ${tok[u]}` } });
    return { status: r.status, type: r.headers.get('content-type'), text: format === 'csv' ? await r.text() : '', size: (await r.arrayBuffer?.().catch(() => null))?.byteLength };
  };
  let f = await file('director', A.lyon.id);
  assert.equal(f.status, 200);
  assert.match(f.type, /text\/csv/);
  const rows = (t) => t.replace(/^\uFEFF/, '').replace(/"/g, '').trim().split(/\r?\n/);
  const lines = rows(f.text);
  assert.equal(lines[0], 'account_id,name,parent_id,depth,owner_id,owner_name,revenue_12m,currency,health,visible');
  assert.equal(lines.length, 6, f.text);
  assert.match(lines[3], /^\d+,Globex Lyon,\d+,2,\d+,Chloé Martin,500(\.0+)?,EUR,/);
  assert.match(lines[5], /Group total \(net of intra-group revenue\),,,,,2200(\.0+)?,EUR/);
  f = await file('chloe', A.lyon.id);
  assert.equal(rows(f.text).length, 2, 'her entity, no total');
  assert.equal((await file('dev', A.lyon.id)).status, 404);
  f = await file('director', A.lyon.id, 'xlsx');
  assert.equal(f.status, 200);
  assert.match(f.type, /spreadsheetml/);
  const bad = await call('director', 'GET', `/api/v1/accounts/${A.lyon.id}/group?format=pdf`);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].field, 'format');
  assert.equal((await call('director', 'GET', `/api/v1/accounts/${A.lyon.id}/group?depth=2`)).json.errors[0].field, 'depth');
});

test('lists and their exports take group=<parent id>: the records of the group\'s entities the caller sees', async () => {
  let r = await call('director', 'GET', `/api/v1/accounts?group=${A.holding.id}&sort=name`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((a) => a.name), ['Globex France', 'Globex Germany', 'Globex Holding', 'Globex Lyon']);
  r = await call('director', 'GET', `/api/v1/accounts?group=${A.france.id}&sort=name`);
  assert.deepEqual(r.json.items.map((a) => a.name), ['Globex France', 'Globex Lyon']);
  r = await call('director', 'GET', `/api/v1/transactions?group=${A.holding.id}&limit=50`);
  assert.equal(r.json.items.length, 5);
  assert.equal(r.json.items.filter((x) => x.intra_group).length, 1);
  assert.equal(r.json.items.find((x) => x.account_id === A.lyon.id).account_name, 'Globex Lyon', 'each row names its entity');
  // the list's own scope still holds: chloe sees only Lyon's records
  r = await call('chloe', 'GET', `/api/v1/transactions?group=${A.holding.id}`);
  assert.deepEqual([...new Set(r.json.items.map((x) => x.account_id))], [A.lyon.id]);
  // a file of the group's transactions, each row with its account
  const f = await fetch(`${srv.url}/api/v1/transactions?group=${A.holding.id}&format=csv`, { headers: { Authorization: `Bearer ${tok.director}` } });
  assert.equal(f.status, 200);
  const text = (await f.text()).replace(/^\uFEFF/, '').replace(/"/g, '');
  const lines = text.trim().split(/\r?\n/);
  assert.equal(lines.length, 6, text);
  assert.ok(lines[0].split(',').includes('account_id'));
  assert.ok(lines[0].split(',').includes('intra_group'));
  assert.ok(lines[0].split(',').includes('account_name'));
  assert.ok(lines.some((l) => l.includes('Globex Lyon')));
  r = await call('director', 'GET', '/api/v1/transactions?group=x');
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'group');
  r = await call('director', 'GET', '/api/v1/products?group=1');
  assert.equal(r.status, 400, 'products belong to no account');
  assert.equal(r.json.errors[0].field, 'group');
});

test('access: the owner of the parent sees the whole group, entities they cannot open included (visible: false), with the totals', async () => {
  const r = await tree('anna', A.germany.id);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(names(r), ['Globex Holding', 'Globex France', 'Globex Lyon', 'Globex Germany']);
  assert.deepEqual(r.json.entities.map((e) => e.visible), [true, false, false, true]);
  assert.equal(r.json.complete, true);
  assert.equal(r.json.totals.revenue_12m, 220000);
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${A.lyon.id}`)).status, 404, 'seeing the figures does not open the record');
  const k = await revenue('anna', A.holding.id);
  assert.equal(k.kpis.revenue.value, 220000);
  assert.equal(k.scope.complete, true);
  const rows = await call('anna', 'GET', `/api/v1/kpis/rows?name=revenue&scope=group&id=${A.holding.id}&${WINDOW}`);
  assert.equal(rows.json.items.length, 4);
});

test('access: directors, admins and viewers see every group whole', async () => {
  for (const u of ['director', 'admin', 'viewer']) {
    const r = await tree(u, A.lyon.id);
    assert.equal(r.status, 200, `${u}: ${r.text}`);
    assert.equal(r.json.entities.length, 4, u);
    assert.ok(r.json.entities.every((e) => e.visible), u);
    assert.equal(r.json.totals.revenue_12m, 220000, u);
    assert.equal((await revenue(u, A.holding.id)).kpis.revenue.value, 220000, u);
  }
});

test('access: the owner of a sub-group sees it (and what is under it), not the rest; no totals unless shared', async () => {
  // ben owns France; Lyon (chloe's) is under it
  let r = await tree('ben', A.lyon.id);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.root_id, A.holding.id);
  assert.deepEqual(names(r), ['Globex France', 'Globex Lyon']);
  assert.deepEqual(r.json.entities.map((e) => e.visible), [true, false]);
  assert.equal(r.json.complete, false);
  assert.equal(r.json.totals, null);
  assert.equal((await tree('ben', A.holding.id)).status, 404, 'the parent itself is not his');
  let k = await revenue('ben', A.france.id);
  assert.equal(k.kpis.revenue.value, 80000);
  assert.equal(k.scope.complete, true);
  k = await revenue('ben', A.holding.id);
  assert.equal(k.kpis.revenue.value, 80000, 'of the holding he counts only what he may see');
  assert.deepEqual(k.scope, { kind: 'group', id: A.holding.id, entities: 2, complete: false });
});

test('access: the KAM of one subsidiary sees only their entity; an invisible group answers 404 exactly like a missing one', async () => {
  let r = await tree('chloe', A.lyon.id);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(names(r), ['Globex Lyon']);
  assert.equal(r.json.totals, null);
  const k = await revenue('chloe', A.holding.id);
  assert.equal(k.kpis.revenue.value, 30000, 'her entity, net of its intra-group revenue');
  assert.equal(k.scope.entities, 1);
  // nothing of the group is dev's or mia's: the same answer as an account that does not exist
  for (const u of ['dev', 'mia']) {
    for (const path of [(id) => `/api/v1/accounts/${id}/group`, (id) => `/api/v1/kpis?scope=group&id=${id}`, (id) => `/api/v1/kpis/rows?name=revenue&scope=group&id=${id}`]) {
      const hidden = await call(u, 'GET', path(A.holding.id));
      const missing = await call(u, 'GET', path(99999999));
      assert.equal(hidden.status, 404, `${u} ${path(A.holding.id)}: ${hidden.text}`);
      assert.equal(hidden.text, missing.text, 'indistinguishable from a missing account');
    }
  }
  assert.equal((await tree('chloe', A.holding.id)).status, 404);
  const bad = await call('director', 'GET', '/api/v1/kpis?scope=group&id=x');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].field, 'id');
});

test('sharing: the group owner (or staff) shares the totals; then a subsidiary KAM gets them, still seeing only their entity', async () => {
  // a kam on the team of the parent may change it, not share its group's figures
  const dev = await userId('dev');
  let r = await call('director', 'PUT', `/api/v1/accounts/${A.holding.id}/team/${dev}`, { role: 'sales' });
  assert.ok([200, 201].includes(r.status), r.text);
  r = await call('dev', 'PATCH', `/api/v1/accounts/${A.holding.id}`, { group_totals_shared: true });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.errors[0].field, 'group_totals_shared');
  assert.equal((await call('chloe', 'PATCH', `/api/v1/accounts/${A.holding.id}`, { group_totals_shared: true })).status, 404);
  r = await call('anna', 'PATCH', `/api/v1/accounts/${A.holding.id}`, { group_totals_shared: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.group_totals_shared, true);

  r = await tree('chloe', A.lyon.id);
  assert.deepEqual(names(r), ['Globex Lyon']);
  assert.equal(r.json.complete, false);
  assert.equal(r.json.totals.revenue_12m, 220000);
  assert.equal(r.json.totals.entities, 4);
  const k = await revenue('chloe', A.holding.id);
  assert.equal(k.kpis.revenue.value, 220000);
  assert.equal(k.scope.complete, true);
  const rows = await call('chloe', 'GET', `/api/v1/kpis/rows?name=revenue&scope=group&id=${A.holding.id}&${WINDOW}`);
  assert.deepEqual(rows.json.items.map((x) => x.account_name), ['Globex Lyon'], 'rows only of what she may see');
  // a sub-group under a shared parent is shared too
  assert.equal((await revenue('chloe', A.france.id)).kpis.revenue.value, 80000);
  // the director turns it off again
  r = await call('director', 'PATCH', `/api/v1/accounts/${A.holding.id}`, { group_totals_shared: false });
  assert.equal(r.status, 200, r.text);
  assert.equal((await tree('chloe', A.lyon.id)).json.totals, null);
  assert.equal((await call('director', 'DELETE', `/api/v1/accounts/${A.holding.id}/team/${dev}`)).status, 204);
});

test('scope=group on the Pareto list, the matrix, health, white space and pipeline: the group\'s entities, as the caller may see them', async () => {
  const widget = await call('director', 'POST', '/api/v1/products', { name: 'Globex Widget' });
  assert.equal(widget.status, 201, widget.text);
  // after the KPI window, inside the white-space year (since 2025-06-15)
  await txn(A.germany, '2026-06-05', 7000, { product_id: widget.json.id });
  await txn(A.lyon, '2026-06-06', 5000, { product_id: widget.json.id, intra_group: true });
  const opp = await call('ben', 'POST', '/api/v1/opportunities', { account_id: A.france.id, name: 'Widgets for France', kind: 'upsell', amount: 9000, currency: 'EUR', stage: 'proposal', probability: 50, product_id: widget.json.id, expected_close_on: '2026-09-30' });
  assert.equal(opp.status, 201, opp.text);

  let r = await call('director', 'GET', `/api/v1/portfolio/pareto?scope=group&id=${A.holding.id}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => [x.name, x.revenue]), [['Globex Holding', 100000], ['Globex France', 50000], ['Globex Germany', 40000], ['Globex Lyon', 30000]]);
  assert.equal(r.json.total, 220000);
  r = await call('ben', 'GET', `/api/v1/portfolio/pareto?scope=group&id=${A.holding.id}`);
  assert.deepEqual(r.json.items.map((x) => x.name), ['Globex France', 'Globex Lyon']);
  r = await call('director', 'GET', `/api/v1/portfolio/matrix?scope=group&id=${A.holding.id}`);
  assert.equal(r.status, 200, r.text);
  const ids = new Set(Object.values(A).map((a) => a.id));
  assert.ok(r.json.items.every((x) => ids.has(x.account_id)), 'only the group\'s key accounts');

  r = await call('director', 'GET', `/api/v1/accounts/${A.holding.id}/health?scope=group`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.scope, 'group');
  assert.equal(r.json.entities, 4);
  assert.equal(r.json.items.length, 4);
  r = await call('chloe', 'GET', `/api/v1/accounts/${A.holding.id}/health?scope=group`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => x.name), ['Globex Lyon']);
  assert.equal(r.json.complete, false);

  r = await call('director', 'GET', `/api/v1/accounts/${A.holding.id}/pipeline?scope=group`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 9000);
  assert.equal(r.json.weighted, 4500);
  assert.equal(r.json.entities, 4);
  r = await call('chloe', 'GET', `/api/v1/accounts/${A.holding.id}/pipeline?scope=group`);
  assert.equal(r.json.total, 0, 'France\'s deal is not hers to count');

  r = await call('director', 'GET', `/api/v1/accounts/${A.holding.id}/whitespace?scope=group`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.entities.length, 4);
  const cell = (acc) => r.json.cells.find((c) => c.account_id === acc.id && c.product_id === widget.json.id);
  assert.deepEqual([cell(A.germany).state, cell(A.germany).revenue], ['sold', 7000]);
  assert.equal(cell(A.france).state, 'pipeline');
  assert.equal(cell(A.lyon).state, 'white_space', 'an intra-group purchase is the other entity\'s');
  assert.equal(cell(A.holding).state, 'white_space');

  for (const path of ['/portfolio/pareto?scope=group&id=', '/portfolio/matrix?scope=group&id=']) {
    const hidden = await call('dev', 'GET', `/api/v1${path}${A.holding.id}`);
    const missing = await call('dev', 'GET', `/api/v1${path}99999999`);
    assert.equal(hidden.status, 404, path);
    assert.equal(hidden.text, missing.text, path);
  }
  for (const what of ['health', 'pipeline', 'whitespace']) {
    const hidden = await call('dev', 'GET', `/api/v1/accounts/${A.holding.id}/${what}?scope=group`);
    const missing = await call('dev', 'GET', `/api/v1/accounts/99999999/${what}?scope=group`);
    assert.equal(hidden.status, 404, what);
    assert.equal(hidden.text, missing.text, what);
    const bad = await call('director', 'GET', `/api/v1/accounts/${A.holding.id}/${what}?scope=galaxy`);
    assert.equal(bad.status, 400, what);
    assert.equal(bad.json.errors[0].field, 'scope', what);
  }
  r = await call('director', 'GET', `/api/v1/portfolio/pareto?scope=galaxy`);
  assert.equal(r.json.errors[0].field, 'scope');
});

test('an entity moved to another parent takes its figures along', async () => {
  let r = await call('director', 'PATCH', `/api/v1/accounts/${A.lyon.id}`, { parent_id: A.germany.id });
  assert.equal(r.status, 200, r.text);
  assert.equal((await revenue('director', A.france.id)).kpis.revenue.value, 50000);
  assert.equal((await revenue('director', A.germany.id)).kpis.revenue.value, 70000); // 400 + 300 (+200 − 200)
  assert.equal((await revenue('director', A.holding.id)).kpis.revenue.value, 220000);
  r = await tree('director', A.lyon.id);
  assert.deepEqual(r.json.entities.map((e) => [e.name, e.depth]), [['Globex Holding', 0], ['Globex France', 1], ['Globex Germany', 1], ['Globex Lyon', 2]]);
  // ben owned it through France: no longer
  assert.equal((await tree('ben', A.lyon.id)).status, 404);
  assert.equal((await revenue('anna', A.germany.id)).scope.entities, 2);
  // out of the group altogether
  r = await call('director', 'PATCH', `/api/v1/accounts/${A.lyon.id}`, { parent_id: null });
  assert.equal(r.status, 200, r.text);
  assert.equal((await revenue('director', A.holding.id)).kpis.revenue.value, 190000);
  assert.equal((await tree('director', A.lyon.id)).json.root_id, A.lyon.id);
  assert.equal((await call('director', 'PATCH', `/api/v1/accounts/${A.lyon.id}`, { parent_id: A.france.id })).status, 200);
});

test('segment_by_group: a group is scored on its combined revenue (net of intra-group revenue) and its entities take its score, tier and segment', async () => {
  const score = async (a) => (await call('director', 'GET', `/api/v1/accounts/${a.id}/score`)).json;
  assert.equal((await score(A.lyon)).criteria[0].raw, 50000, 'alone: its own revenue');
  let r = await call('anna', 'PATCH', '/api/v1/settings', { segment_by_group: true });
  assert.equal(r.status, 403, 'a kam does not set it');
  r = await call('director', 'PATCH', '/api/v1/settings', { segment_by_group: 'yes' });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'segment_by_group');
  // the parent alone is strategic: only at group level are its entities key
  const weights = (await call('director', 'GET', '/api/v1/settings')).json.weights;
  assert.equal((await call('director', 'PATCH', `/api/v1/accounts/${A.holding.id}`, { strategic_importance: 5 })).status, 200);
  r = await call('director', 'PATCH', '/api/v1/settings', { weights: { financial: 0, growth: 0, strategic: 1, influence: 0 } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await score(A.france)).tier, 'standard', 'France alone is not key');
  r = await call('director', 'PATCH', '/api/v1/settings', { segment_by_group: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.segment_by_group, true);
  const holding = await score(A.holding);
  assert.equal(holding.criteria[0].raw, 220000, 'the group\'s revenue');
  for (const a of [A.france, A.lyon, A.germany]) {
    const s = await score(a);
    assert.equal(s.score, holding.score, a.name);
    assert.equal(s.tier, holding.tier, a.name);
    assert.equal(s.criteria[0].raw, 220000, a.name);
  }
  // the stored tier and segment (what lists filter on) follow, and the entity keeps its own revenue_12m
  const stored = async (a) => (await call('director', 'GET', `/api/v1/accounts/${a.id}`)).json;
  const top = await stored(A.holding);
  assert.equal(top.tier, 'key');
  assert.ok(top.segment, 'a key account has a segment');
  for (const a of [A.france, A.lyon, A.germany]) {
    const x = await stored(a);
    assert.equal(x.tier, top.tier, a.name);
    assert.equal(x.score, top.score, a.name);
    assert.equal(x.segment, top.segment, a.name);
  }
  assert.equal((await stored(A.lyon)).revenue_12m, 50000);
  // a stand-alone account is scored as before
  r = await call('director', 'PATCH', '/api/v1/settings', { segment_by_group: false });
  assert.equal(r.status, 200, r.text);
  assert.equal((await score(A.lyon)).criteria[0].raw, 50000);
  assert.equal((await stored(A.france)).tier, 'standard');
  assert.equal((await stored(A.france)).segment, null);
  assert.equal((await call('director', 'PATCH', '/api/v1/settings', { weights })).status, 200);
});

test('parent_id: a cycle or a chain deeper than 64 levels is refused with a 400 naming parent_id', async () => {
  let r = await call('director', 'PATCH', `/api/v1/accounts/${A.holding.id}`, { parent_id: A.lyon.id });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.errors[0].field, 'parent_id');
  const chain = [A.holding];
  for (let i = 0; i < 64; i++) chain.push(await account('director', `Chain ${i}`, chain[chain.length - 1]));
  // the bottom of the chain has 64 accounts above it: one more level is refused
  r = await call('director', 'POST', '/api/v1/accounts', { name: 'Too deep', parent_id: chain[chain.length - 1].id });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.errors[0].field, 'parent_id');
  assert.match(r.json.errors[0].message, /deeper than 64/);
  // a cycle closing more than 64 levels up is refused too (the walk used to stop there)
  r = await call('director', 'PATCH', `/api/v1/accounts/${A.holding.id}`, { parent_id: chain[chain.length - 1].id });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.errors[0].field, 'parent_id');
  assert.equal((await call('director', 'GET', `/api/v1/accounts/${A.holding.id}`)).json.parent_id, null);
  for (const a of chain.slice(1).reverse()) assert.equal((await call('director', 'DELETE', `/api/v1/accounts/${a.id}`)).status, 204);
});

test('import: a transactions file marks rows intra_group; they count for their entity, not in the group total', async () => {
  const before = (await revenue('director', A.holding.id)).kpis.revenue.value;
  const own = async () => (await call('director', 'GET', `/api/v1/kpis?scope=account&id=${A.germany.id}&${WINDOW}`)).json.kpis.revenue.value;
  const ownBefore = await own();
  const csv = 'external_id,account,booked_on,amount,currency,intra_group\nGRP-1,Globex Germany,2026-05-10,1000.00,EUR,true\nGRP-2,Globex Germany,2026-05-11,10.00,EUR,false\n';
  const r = await fetch(`${srv.url}/api/v1/imports?kind=transactions`, { method: 'POST', headers: { Authorization: `Bearer ${tok.director}`, 'Content-Type': 'text/csv' }, body: csv });
  const j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  assert.deepEqual([j.created, j.rejected], [2, 0], JSON.stringify(j));
  const listed = await call('director', 'GET', `/api/v1/transactions?account_id=${A.germany.id}&intra_group=true`);
  assert.deepEqual(listed.json.items.map((x) => [x.external_id, x.amount]), [['GRP-1', 100000]]);
  assert.equal(await own(), ownBefore + 101000, 'the entity counts both');
  assert.equal((await revenue('director', A.holding.id)).kpis.revenue.value, before + 1000, 'the group only the one not intra-group');
});

test('scope=group by month: each month nets out its own intra-group revenue, as the month asked alone does', async () => {
  // a group of its own, so the figures above stay as they are
  const top = await account('director', 'Initech Holding');
  const sub = await account('director', 'Initech Austria', top);
  await txn(top, '2026-01-10', 10000);
  await txn(sub, '2025-03-01', 2000, { intra_group: true }); // before the series: last year's windows
  await txn(sub, '2026-02-05', 5000, { intra_group: true });
  await txn(sub, '2026-03-15', 8000);
  await txn(sub, '2026-04-30', 3000, { intra_group: true });
  await txn(sub, '2026-05-31', 700);
  const range = 'from=2026-01-01&to=2026-06-01';
  const r = await call('director', 'GET', `/api/v1/kpis?scope=group&id=${top.id}&${range}&interval=month`);
  assert.equal(r.status, 200, r.text);
  // the group's revenue each month: the intra-group bookings counted on no month
  assert.deepEqual(r.json.series.map((s) => [s.period.from, s.kpis.revenue.value]), [
    ['2026-01-01', 10000], ['2026-02-01', 0], ['2026-03-01', 8000], ['2026-04-01', 0], ['2026-05-01', 700]]);
  assert.equal(r.json.kpis.revenue.value, 18700);
  for (const s of r.json.series) {
    const alone = await call('director', 'GET', `/api/v1/kpis?scope=group&id=${top.id}&from=${s.period.from}&to=${s.period.to}`);
    assert.equal(alone.status, 200, alone.text);
    assert.deepEqual(s.kpis, alone.json.kpis, `the month from ${s.period.from}`);
  }
  const whole = await call('director', 'GET', `/api/v1/kpis?scope=group&id=${top.id}&${range}`);
  assert.deepEqual(r.json.kpis, whole.json.kpis);
});
