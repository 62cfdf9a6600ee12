// The KAM workload (GET /api/v1/kams/workload, the dashboard's panel) pinned to exact numbers
// on a small portfolio made for it: per active KAM, their key accounts (not churned), all the
// accounts they own, their open and in-progress actions and those of them past their due day.
// Edge cases: a KAM with nothing, an inactive KAM (and what they own), accounts with other
// users on their team (only the owner counts), churned and prospect accounts, actions done,
// cancelled or proposed, due today, without a due day, owned by someone else than the
// account's owner or by a director. Who sees what: a KAM their own row, a member none,
// directors, admins and viewers every KAM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PG, serve, api, kam, tmp, createDb } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const id = {};
const call = (w, m, p, b, h) => api(srv.url, tok[w], m, p, b, h);
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.json; };

// [local part of the e-mail, name, role]
const USERS = [
  ['admin', 'Admin', 'admin'], ['boss', 'Boss', 'director'], ['viewer', 'Viewer', 'viewer'],
  ['mem', 'Member', 'member'],
  ['ann', 'Ann', 'kam'], ['bob', 'Bob', 'kam'], ['cat', 'Cat', 'kam'], ['dan', 'Dan', 'kam'],
  ['eve', 'Eve', 'kam'], ['fay', 'Fay', 'kam'],
];
const TODAY = '2026-06-15';

// An account of owner's; strategic 5 scores 100 (key), 3 scores 50 (potential), 1 scores 0.
async function account(owner, name, strategic, status = 'active') {
  return ok(await call('admin', 'POST', '/api/v1/accounts', {
    name, owner_id: id[owner], strategic_importance: strategic, status,
    ...(status === 'churned' ? { churned_on: '2026-03-01' } : {}),
  }), 201).id;
}

async function plan(accountId) {
  return ok(await call('admin', 'POST', '/api/v1/plans', {
    account_id: accountId, title: 'FY26', period_start: '2026-01-01', period_end: '2026-12-31', status: 'active',
  }), 201).id;
}

// An action on plan p owned by owner, due on due (null: no due day), then moved to status.
async function action(p, owner, due, status = 'open') {
  const a = ok(await call('admin', 'POST', '/api/v1/actions', {
    plan_id: p, title: `${owner} ${due} ${status}`, owner_id: id[owner], ...(due ? { due_on: due } : {}),
  }), 201);
  if (status !== 'open') ok(await call('admin', 'PATCH', `/api/v1/actions/${a.id}`, { status }));
}

before(async () => {
  t = tmp();
  db = PG ? createDb() : join(t.dir, 'kam.db');
  kam(['init', '--db', db]);
  for (const [e, n, r] of USERS)
    kam(['user', 'add', '--email', `${e}@example.com`, '--name', n, '--role', r, '--password-stdin', '--db', db], { input: 'demo-password-1\n' });
  for (const [e] of USERS)
    tok[e] = kam(['token', 'create', '--email', `${e}@example.com`, '--name', 'workload', '--db', db]).trim();
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600', KAM_NOW: `${TODAY}T12:00:00Z` });
  for (const [e] of USERS) id[e] = ok(await call(e, 'GET', '/api/v1/me')).id;
  // the tier follows the strategic importance alone: 5 is key, 3 potential, 1 standard
  ok(await call('admin', 'PATCH', '/api/v1/settings', {
    weights: { financial: 0, growth: 0, strategic: 1, influence: 0 }, key_threshold: 70, potential_threshold: 40, kam_capacity: 2,
  }));

  // Ann: four accounts of strategic 5 (two active, one churned: not counted, a prospect:
  // counted) and a potential one; Bob and Cat on the team of her first
  const ann = [
    await account('ann', 'Ann key 1', 5), await account('ann', 'Ann key 2', 5),
    await account('ann', 'Ann key churned', 5, 'churned'), await account('ann', 'Ann potential', 3),
    await account('ann', 'Ann prospect', 5, 'prospect'),
  ];
  for (const u of ['bob', 'cat']) ok(await call('admin', 'PUT', `/api/v1/accounts/${ann[0]}/team/${id[u]}`, { role: 'support' }), 201);
  // Bob owns nothing (he is on Ann's team) and has no actions
  // Cat: one key account, one standard; then made inactive, with an open action still hers
  const cat = [await account('cat', 'Cat key', 5), await account('cat', 'Cat standard', 1)];
  // Dan: standard accounts only
  await account('dan', 'Dan standard 1', 1);
  await account('dan', 'Dan standard 2', 1);
  // Eve: no accounts, but actions on Ann's and Cat's
  // Fay: four key accounts, over the capacity of 2
  for (let i = 1; i <= 4; i++) await account('fay', `Fay key ${i}`, 5);
  // the director owns an account too: not a KAM, not in the workload
  const boss = await account('boss', 'Boss key', 5);

  const pa = await plan(ann[0]), pa2 = await plan(ann[3]), pc = await plan(cat[0]), pb = await plan(boss);
  await action(pa, 'ann', '2026-06-14');                  // open, overdue
  await action(pa, 'ann', '2026-06-15');                  // due today: not overdue
  await action(pa, 'ann', '2026-07-01', 'in_progress');   // open
  await action(pa, 'ann', '2026-01-10', 'in_progress');   // in progress, overdue
  await action(pa, 'ann', '2026-01-10', 'done');          // done: not counted
  await action(pa, 'ann', '2026-01-10', 'cancelled');     // cancelled: not counted
  await action(pa, 'ann', '2026-01-10', 'proposed');      // proposed: not counted
  await action(pa2, 'ann', null);                         // no due day: open, never overdue
  await action(pa, 'eve', '2026-05-01');                  // Eve's on Ann's account: Eve's, overdue
  await action(pa2, 'eve', '2026-12-01', 'in_progress');  // Eve's, open
  await action(pc, 'eve', '2026-06-01', 'done');          // Eve's, done
  await action(pc, 'cat', '2026-06-01');                  // Cat's (inactive): not shown
  await action(pb, 'boss', '2026-06-01');                 // the director's: not shown
  await action(pb, 'fay', '2026-02-01');                  // Fay's on the director's account, overdue
  await action(pb, 'dan', '2026-06-16', 'in_progress');   // Dan's, open

  // Cat leaves: inactive users are not in the workload
  const u = await call('admin', 'GET', `/api/v1/users/${id.cat}`);
  ok(await call('admin', 'PATCH', `/api/v1/users/${id.cat}`, { active: false }, { 'If-Match': u.headers.get('etag') }));
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t?.rm();
});

const row = (who, key, n, open, overdue, over) => ({
  user_id: id[who], name: USERS.find((u) => u[0] === who)[1], key_accounts: key, accounts: n,
  open_actions: open, overdue_actions: overdue, capacity: 2, over_capacity: over,
});

test('the workload of each active KAM, by name: exact counts', async () => {
  const rows = [
    row('ann', 3, 5, 5, 2, true),
    row('bob', 0, 0, 0, 0, false),
    row('dan', 0, 2, 1, 0, false),
    row('eve', 0, 0, 2, 1, false),
    row('fay', 4, 4, 1, 1, true),
  ];
  for (const who of ['boss', 'admin', 'viewer']) {
    assert.deepEqual(ok(await call(who, 'GET', '/api/v1/kams/workload')), { items: rows, total: 5 }, who);
    assert.deepEqual(ok(await call(who, 'GET', '/api/v1/kams/workload?sort=name&limit=2')), { items: rows.slice(0, 2), total: 5 }, who);
  }
  // busiest: over capacity first, then the most overdue actions, the most key accounts, by name
  const busiest = [rows[0], rows[4], rows[3], rows[1], rows[2]];
  assert.deepEqual(ok(await call('boss', 'GET', '/api/v1/kams/workload?sort=busiest')), { items: busiest, total: 5 });
  assert.deepEqual(ok(await call('boss', 'GET', '/api/v1/kams/workload?sort=busiest&limit=3')), { items: busiest.slice(0, 3), total: 5 });
});

test('a KAM sees their own row only, a member none, an inactive KAM cannot ask', async () => {
  assert.deepEqual(ok(await call('ann', 'GET', '/api/v1/kams/workload?sort=busiest&limit=10')),
    { items: [row('ann', 3, 5, 5, 2, true)], total: 1 });
  assert.deepEqual(ok(await call('bob', 'GET', '/api/v1/kams/workload')), { items: [row('bob', 0, 0, 0, 0, false)], total: 1 });
  assert.deepEqual(ok(await call('eve', 'GET', '/api/v1/kams/workload')), { items: [row('eve', 0, 0, 2, 1, false)], total: 1 });
  assert.deepEqual(ok(await call('mem', 'GET', '/api/v1/kams/workload')), { items: [], total: 0 });
  assert.equal((await call('cat', 'GET', '/api/v1/kams/workload')).status, 401);
});

test('the counts follow a change: an action done, an account churned, a KAM back', async () => {
  const u = await call('admin', 'GET', `/api/v1/users/${id.cat}`);
  ok(await call('admin', 'PATCH', `/api/v1/users/${id.cat}`, { active: true }, { 'If-Match': u.headers.get('etag') }));
  const fay = ok(await call('admin', 'GET', `/api/v1/accounts?owner_id=${id.fay}&limit=10&sort=id`)).items[0];
  const a = await call('admin', 'GET', `/api/v1/accounts/${fay.id}`);
  ok(await call('admin', 'PATCH', `/api/v1/accounts/${fay.id}`, { status: 'churned', churned_on: '2026-06-01' }, { 'If-Match': a.headers.get('etag') }));
  const acts = ok(await call('admin', 'GET', `/api/v1/actions?owner_id=${id.fay}&limit=10`)).items;
  ok(await call('admin', 'PATCH', `/api/v1/actions/${acts[0].id}`, { status: 'done' }));
  const w = ok(await call('boss', 'GET', '/api/v1/kams/workload'));
  assert.deepEqual(w, {
    items: [
      row('ann', 3, 5, 5, 2, true),
      row('bob', 0, 0, 0, 0, false),
      row('cat', 1, 2, 1, 1, false),
      row('dan', 0, 2, 1, 0, false),
      row('eve', 0, 0, 2, 1, false),
      row('fay', 3, 4, 0, 0, true),
    ],
    total: 6,
  });
});
