// Accounts, contacts and teams: CRUD, keyset pages, filters, ETags, audit, and every role
// against every resource (DESIGN §2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const roles = ['admin', 'director', 'anna', 'ben', 'mia', 'viewer'];

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, roles, 'crud'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (who, m, p, b, h) => api(srv.url, tok[who], m, p, b, h);

async function pages(who, query) {
  const ids = [];
  let cursor = null, n = 0;
  do {
    const r = await call(who, 'GET', `/api/v1/accounts?${query}${cursor ? '&cursor=' + cursor : ''}`);
    assert.equal(r.status, 200, r.text);
    ids.push(...r.json.items);
    cursor = r.json.next_cursor;
    assert.ok(++n < 100);
  } while (cursor);
  return ids;
}

test('create, read, list, change with If-Match, delete', async () => {
  const c = await call('director', 'POST', '/api/v1/accounts', {
    name: 'Hooli XYZ', industry: 'Software', region: 'NA', country: 'US', website: 'https://hooli.example',
    owner_id: 3, status: 'active', acquired_on: '2024-02-29', potential_annual_spend: 123456789,
    currency: 'USD', strategic_importance: 5, growth_potential: 4, industry_influence: 3,
    tags: ['strategic', 'renewal-2027'], notes: 'Line one\nline two',
  });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.headers.get('location'), `/api/v1/accounts/${c.json.id}`);
  assert.equal(c.headers.get('etag'), '"1"');
  assert.deepEqual(c.json.tags, ['renewal-2027', 'strategic']);
  assert.match(c.json.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  const g = await call('anna', 'GET', `/api/v1/accounts/${c.json.id}`);
  assert.equal(g.status, 200, 'the owner sees it');
  assert.equal(g.json.notes, 'Line one\nline two');
  const stale = await call('anna', 'PATCH', `/api/v1/accounts/${c.json.id}`, { notes: 'x' }, { 'If-Match': '"7"' });
  assert.equal(stale.status, 412);
  const p = await call('anna', 'PATCH', `/api/v1/accounts/${c.json.id}`, { notes: 'changed', tags: [] }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.headers.get('etag'), '"2"');
  assert.deepEqual(p.json.tags, []);
  assert.equal(p.json.industry, 'Software', 'a patch keeps what it does not name');
  const again = await call('anna', 'PATCH', `/api/v1/accounts/${c.json.id}`, { notes: 'lost update' }, { 'If-Match': '"1"' });
  assert.equal(again.status, 412);
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${c.json.id}`)).json.notes, 'changed');
  const audit = await call('director', 'GET', `/api/v1/audit?entity=account&id=${c.json.id}`);
  assert.equal(audit.json.items[0].action, 'update');
  assert.equal(audit.json.items[0].before.notes, 'Line one\nline two');
  assert.equal(audit.json.items[0].after.notes, 'changed');
  assert.equal(audit.json.items[1].action, 'create');
  assert.equal((await call('anna', 'DELETE', `/api/v1/accounts/${c.json.id}`, undefined, { 'If-Match': '"1"' })).status, 412);
  assert.equal((await call('anna', 'DELETE', `/api/v1/accounts/${c.json.id}`)).status, 204);
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${c.json.id}`)).status, 404);
  assert.equal((await call('director', 'GET', `/api/v1/audit?entity=account&id=${c.json.id}`)).json.items[0].action, 'delete');
});

test('keyset pages visit every account exactly once, in every sort order', async () => {
  const all = await pages('director', 'limit=500');
  for (const sort of ['id', '-id', 'name', '-name', 'status', '-created_at', 'score', '-score']) {
    const got = await pages('director', `limit=7&sort=${sort}`);
    assert.equal(got.length, all.length, sort);
    assert.equal(new Set(got.map((a) => a.id)).size, all.length, `${sort}: no duplicates`);
    const key = sort.replace('-', '');
    for (let i = 1; i < got.length; i++) {
      const [x, y] = sort.startsWith('-') ? [got[i], got[i - 1]] : [got[i - 1], got[i]];
      assert.ok(x[key] < y[key] || (x[key] === y[key]), `${sort} order at ${i}`);
    }
  }
  assert.equal((await call('director', 'GET', '/api/v1/accounts?cursor=bm9wZQ')).status, 400);
});

test('filters and search', async () => {
  const active = await pages('director', 'status=active');
  assert.ok(active.length > 0 && active.every((a) => a.status === 'active'));
  const mine = await pages('director', 'owner_id=3');
  assert.ok(mine.every((a) => a.owner_id === 3));
  await call('director', 'PATCH', '/api/v1/accounts/2', { tags: ['watch'] });
  assert.deepEqual((await pages('director', 'tag=watch')).map((a) => a.id), [2]);
  const q = await pages('director', 'q=ENERGY');
  assert.ok(q.length >= 1 && q.every((a) => /energy/i.test(a.name)));
  // LIKE wildcards in q are literal
  assert.equal((await pages('director', 'q=%25')).length, 0);
  assert.equal((await pages('director', 'q=_')).length, 0);
  for (const bad of ['status=bogus', 'owner_id=abc', 'sort=notes', 'limit=0', 'limit=501', 'colour=red'])
    assert.equal((await call('director', 'GET', `/api/v1/accounts?${bad}`)).status, 400, bad);
});

test('contacts: same-account reporting lines, no loops; teams', async () => {
  const boss = await call('anna', 'POST', '/api/v1/contacts', { account_id: 1, name: 'Big Boss', influence: 5, attitude: 'champion', decision_role: 'decision_maker' });
  assert.equal(boss.status, 201, boss.text);
  const rep = await call('anna', 'POST', '/api/v1/contacts', { account_id: 1, name: 'Reporter', reports_to_id: boss.json.id, relationship_owner_id: 3 });
  assert.equal(rep.status, 201, rep.text);
  const loop = await call('anna', 'PATCH', `/api/v1/contacts/${boss.json.id}`, { reports_to_id: rep.json.id });
  assert.equal(loop.status, 400);
  assert.equal(loop.json.errors[0].field, 'reports_to_id');
  const self = await call('anna', 'PATCH', `/api/v1/contacts/${boss.json.id}`, { reports_to_id: boss.json.id });
  assert.equal(self.status, 400);
  const other = (await call('director', 'GET', '/api/v1/contacts?account_id=2&limit=1')).json.items[0];
  const cross = await call('director', 'POST', '/api/v1/contacts', { account_id: 1, name: 'X', reports_to_id: other.id });
  assert.equal(cross.status, 400);
  const move = await call('anna', 'PATCH', `/api/v1/contacts/${rep.json.id}`, { account_id: 2 });
  assert.equal(move.status, 400);
  const list = await call('anna', 'GET', '/api/v1/contacts?account_id=1&limit=100');
  assert.ok(list.json.items.some((c) => c.id === rep.json.id));
  // team
  const put = await call('anna', 'PUT', '/api/v1/accounts/1/team/6', { role: 'solution_engineer' });
  assert.ok([200, 201].includes(put.status), put.text);
  assert.ok(put.json.items.some((m) => m.user_id === 6 && m.role === 'solution_engineer'));
  assert.equal((await call('anna', 'PUT', '/api/v1/accounts/1/team/6', { role: '' })).status, 400);
  assert.equal((await call('anna', 'PUT', '/api/v1/accounts/1/team/9999', { role: 'x' })).status, 400);
  assert.equal((await call('anna', 'DELETE', '/api/v1/accounts/1/team/6')).status, 204);
  assert.equal((await call('anna', 'DELETE', '/api/v1/accounts/1/team/6')).status, 404);
});

test('every role against every resource', async () => {
  const me = {};
  for (const r of roles) me[r] = (await call(r, 'GET', '/api/v1/me')).json.id;
  const all = await pages('director', 'limit=500');
  const teamOf = async (id) => (await call('director', 'GET', `/api/v1/accounts/${id}/team`)).json.items.map((m) => m.user_id);
  // an account of Ben's that Anna is not on, and one where Mia is on the team
  let foreign = null, miaAcc = null, notMia = null;
  for (const a of all) {
    const team = await teamOf(a.id);
    if (!foreign && a.owner_id === me.ben && !team.includes(me.anna)) foreign = a;
    if (!miaAcc && team.includes(me.mia)) miaAcc = a;
    if (!notMia && !team.includes(me.mia)) notMia = a;
  }
  assert.ok(foreign && miaAcc && notMia);

  // reads
  for (const r of ['admin', 'director', 'viewer']) assert.equal((await pages(r, 'limit=100')).length, all.length, r);
  const annas = await pages('anna', 'limit=100');
  for (const a of annas)
    assert.ok(a.owner_id === me.anna || (await teamOf(a.id)).includes(me.anna), 'a kam lists only their accounts');
  assert.ok(!annas.some((a) => a.id === foreign.id));
  const c1 = (await call('director', 'GET', `/api/v1/contacts?account_id=${foreign.id}&limit=1`)).json.items[0];
  for (const [m, p, b] of [['GET', `/api/v1/accounts/${foreign.id}`], ['PATCH', `/api/v1/accounts/${foreign.id}`, { notes: 'x' }],
    ['DELETE', `/api/v1/accounts/${foreign.id}`], ['GET', `/api/v1/accounts/${foreign.id}/team`],
    ['GET', `/api/v1/contacts/${c1.id}`], ['PATCH', `/api/v1/contacts/${c1.id}`, { notes: 'x' }],
    ['DELETE', `/api/v1/contacts/${c1.id}`], ['PUT', `/api/v1/accounts/${foreign.id}/team/${me.anna}`, { role: 'x' }]]) {
    const r = await call('anna', m, p, b);
    assert.equal(r.status, 404, `anna ${m} ${p}: another kam's data does not exist for her`);
  }
  assert.equal((await call('anna', 'GET', `/api/v1/contacts?account_id=${foreign.id}`)).json.items.length, 0);
  const cc = await call('anna', 'POST', '/api/v1/contacts', { account_id: foreign.id, name: 'Sneaky' });
  assert.equal(cc.status, 400);
  assert.equal(cc.json.errors[0].field, 'account_id');
  // kam: may not give accounts away at creation
  assert.equal((await call('anna', 'POST', '/api/v1/accounts', { name: 'For Ben', owner_id: me.ben })).status, 403);
  // member: reads team accounts, cannot change or create them, cannot see others
  assert.equal((await call('mia', 'GET', `/api/v1/accounts/${miaAcc.id}`)).status, 200);
  assert.equal((await call('mia', 'PATCH', `/api/v1/accounts/${miaAcc.id}`, { notes: 'x' })).status, 403);
  assert.equal((await call('mia', 'POST', '/api/v1/accounts', { name: 'Mine' })).status, 403);
  assert.equal((await call('mia', 'DELETE', `/api/v1/accounts/${miaAcc.id}`)).status, 403);
  assert.equal((await call('mia', 'GET', `/api/v1/accounts/${notMia.id}`)).status, 404);
  // viewer: reads everything, writes nothing
  assert.equal((await call('viewer', 'GET', `/api/v1/accounts/${foreign.id}`)).status, 200);
  for (const [m, p, b] of [['POST', '/api/v1/accounts', { name: 'V' }], ['PATCH', `/api/v1/accounts/${foreign.id}`, { notes: 'v' }],
    ['DELETE', `/api/v1/accounts/${foreign.id}`], ['POST', '/api/v1/contacts', { account_id: foreign.id, name: 'V' }],
    ['PUT', `/api/v1/accounts/${foreign.id}/team/${me.viewer}`, { role: 'x' }]])
    assert.equal((await call('viewer', m, p, b)).status, 403, `viewer ${m} ${p}`);
  // audit is for admins and directors
  for (const r of ['anna', 'mia', 'viewer']) assert.equal((await call(r, 'GET', '/api/v1/audit')).status, 403, r);
  assert.equal((await call('admin', 'GET', '/api/v1/audit?limit=2')).status, 200);
  // owners change hands only by the owner, a director or an admin, and only to people who can own
  assert.equal((await call('director', 'PATCH', `/api/v1/accounts/${foreign.id}`, { owner_id: me.mia })).status, 400);
  const before = (await call('director', 'GET', `/api/v1/accounts/${foreign.id}`)).json;
  assert.deepEqual((await call('director', 'GET', `/api/v1/accounts/${foreign.id}`)).json, before, 'refused writes change nothing');
});
