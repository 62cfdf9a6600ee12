// Client share links: capability URLs that show agreed objectives, actions and service KPIs,
// nothing internal; they expire, can be revoked, and never reach the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, serve, api, psql, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'mia', 'viewer', 'director', 'admin'], 'share'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
const open = async (token) => {
  const r = await fetch(`${srv.url}/api/v1/shared/${token}`);
  return { status: r.status, json: await r.json() };
};
function sql(q) {
  return PG ? psql(q, new URL(db).pathname.slice(1)) : execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}

test('a share link shows the agreed plan and service KPIs, without a login and without anything internal', async () => {
  const plan = (await call('anna', 'GET', '/api/v1/plans?status=active&limit=50')).json.items[0];
  const acc = plan.account_id;
  await call('anna', 'PATCH', `/api/v1/accounts/${acc}`, { notes: 'INTERNAL-NOTE: price floor 12%' });
  await call('anna', 'POST', '/api/v1/risks', { account_id: acc, title: 'INTERNAL-RISK champion leaving', category: 'relationship', probability: 4, impact: 4 });
  // the KAM marks what the client sees (issue 13); everything else stays internal
  for (const kind of ['objectives', 'actions']) {
    const items = (await call('anna', 'GET', `/api/v1/${kind}?plan_id=${plan.id}&limit=500`)).json.items;
    for (const x of items) await call('anna', 'PATCH', `/api/v1/${kind}/${x.id}`, { client_visible: true });
  }
  const s = await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { expires_in_days: 7, include_kpis: true });
  assert.equal(s.status, 201, s.text);
  assert.match(s.json.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(s.json.url, `/#/shared/${s.json.token}`);
  const r = await open(s.json.token);
  assert.equal(r.status, 200);
  const body = JSON.stringify(r.json);
  assert.ok(r.json.objectives.length > 0 && r.json.actions.length > 0);
  assert.deepEqual(Object.keys(r.json.objectives[0]).sort(), ['baseline', 'current', 'due_on', 'metric', 'progress', 'status', 'target', 'title']);
  assert.deepEqual(Object.keys(r.json.actions[0]).sort(), ['due_on', 'status', 'title']);
  assert.deepEqual(Object.keys(r.json.kpis).sort(), ['csat', 'nps', 'sla_compliance', 'ttr_median_hours']);
  // ("at risk" is an objective status; the internal risk register is what must not show)
  for (const secret of ['INTERNAL', '"notes"', '"situation"', '"attitude"', '"owner_id"', '"category"', 'revenue', plan.situation])
    assert.ok(!body.includes(secret), `the client view leaks ${secret}`);
  // the one person of ours named is the account's KAM, whom the client may write to
  const owner = (await call('anna', 'GET', `/api/v1/users/${(await call('anna', 'GET', `/api/v1/accounts/${acc}`)).json.owner_id}`)).json;
  assert.deepEqual(r.json.kam, { name: owner.name, email: owner.email });
  assert.equal(body.match(/@/g).length, 1, 'no other e-mail address');
  // the list shows shares without their tokens; the database keeps only a hash
  const list = await call('anna', 'GET', `/api/v1/accounts/${acc}/shares`);
  assert.equal(list.json.items[0].id, s.json.id);
  assert.ok(!JSON.stringify(list.json).includes(s.json.token));
  assert.equal(sql(`SELECT count(*) FROM shares WHERE token_hash = '${s.json.token}'`), '0');
  // the token never reaches the access log
  // (the access line is written once the reply has gone: wait for it)
  for (let i = 0; i < 50 && !srv.log().includes('/api/v1/shared/'); i++) await new Promise((res) => setTimeout(res, 20));
  assert.ok(srv.log().includes('/api/v1/shared/'));
  assert.ok(!srv.log().includes(s.json.token));
});

test('revoked and expired links stop working; only people who may change the account share it', async () => {
  const acc = (await call('anna', 'GET', '/api/v1/accounts?limit=1')).json.items[0].id;
  const s = (await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { include_kpis: true })).json;
  assert.equal((await open(s.token)).status, 200);
  assert.equal((await call('anna', 'DELETE', `/api/v1/accounts/${acc}/shares/${s.id}`)).status, 204);
  const gone = await open(s.token);
  assert.equal(gone.status, 404);
  assert.match(gone.json.detail, /expired or was revoked/);
  assert.equal((await call('anna', 'DELETE', `/api/v1/accounts/${acc}/shares/${s.id}`)).status, 404);
  const s2 = (await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { include_kpis: true })).json;
  sql(`UPDATE shares SET expires_at = 1 WHERE id = ${s2.id}`);
  assert.equal((await open(s2.token)).status, 404, 'expired');
  assert.equal((await open('x'.repeat(43))).status, 404);
  assert.equal((await open('short')).status, 404);
  // another KAM cannot share an account they do not work on, and learns nothing of it: an
  // account of anna's alone, so the check never depends on the demo's teams
  const annaId = (await call('anna', 'GET', '/api/v1/me')).json.id;
  const own = await call('anna', 'POST', '/api/v1/accounts', { name: 'Anna Alone AG', owner_id: annaId });
  assert.equal(own.status, 201, own.text);
  assert.equal((await call('ben', 'GET', `/api/v1/accounts/${own.json.id}`)).status, 404);
  const foreign = await call('ben', 'POST', `/api/v1/accounts/${own.json.id}/shares`);
  const missing = await call('ben', 'POST', '/api/v1/accounts/99999999/shares');
  assert.equal(foreign.status, 404, foreign.text);
  assert.deepEqual({ ...foreign.json, instance: null }, { ...missing.json, instance: null }, 'answered like a missing account');
  assert.equal((await call('ben', 'GET', `/api/v1/accounts/${own.json.id}/shares`)).status, 404);
  assert.equal((await call('viewer', 'POST', `/api/v1/accounts/${acc}/shares`)).status, 403);
  assert.equal((await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { expires_in_days: 365 })).status, 400);
  const audit = (await call('director', 'GET', `/api/v1/audit?entity=account&id=${acc}&limit=10`)).json.items.map((a) => a.action);
  assert.ok(audit.includes('share') && audit.includes('unshare'));
});

test("with this year's and next year's plan active, the link shows the plan covering today", async () => {
  const acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Two Plans GmbH', owner_id: (await call('anna', 'GET', '/api/v1/me')).json.id })).json.id;
  const y = new Date().getUTCFullYear();
  const now = await call('anna', 'POST', '/api/v1/plans', { account_id: acc, title: `Plan ${y}`, period_start: `${y}-01-01`, period_end: `${y}-12-31`, status: 'active', vision: 'THIS-YEAR' });
  assert.equal(now.status, 201, now.text);
  const next = await call('anna', 'POST', '/api/v1/plans', { account_id: acc, title: `Plan ${y + 1}`, period_start: `${y + 1}-01-01`, period_end: `${y + 1}-12-31`, status: 'active', vision: 'DRAFT-NEXT-YEAR' });
  assert.equal(next.status, 201, next.text);
  const s = (await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { include_kpis: true })).json;
  const page = await open(s.token);
  assert.equal(page.status, 200);
  assert.equal(page.json.plan.title, `Plan ${y}`);
  assert.ok(!JSON.stringify(page.json).includes('DRAFT-NEXT-YEAR'));
  // a plan that ended still shows when no newer one has started
  await call('anna', 'DELETE', `/api/v1/plans/${now.json.id}`, undefined);
  const last = await call('anna', 'POST', '/api/v1/plans', { account_id: acc, title: `Plan ${y - 1}`, period_start: `${y - 1}-01-01`, period_end: `${y - 1}-12-31`, status: 'active' });
  assert.equal(last.status, 201, last.text);
  assert.equal((await open(s.token)).json.plan.title, `Plan ${y - 1}`);
});

test('a link stops when its creator leaves the account team or is deactivated', async () => {
  const me = (w) => call(w, 'GET', '/api/v1/me').then((r) => r.json.id);
  const [annaId, benId] = [await me('anna'), await me('ben')];
  const acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Shared By Team', owner_id: annaId })).json.id;
  assert.ok([200, 201].includes((await call('anna', 'PUT', `/api/v1/accounts/${acc}/team/${benId}`, { role: 'solution_engineer' })).status));
  const byBen = (await call('ben', 'POST', `/api/v1/accounts/${acc}/shares`, { include_kpis: true })).json;
  const byAnna = (await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { include_kpis: true })).json;
  assert.equal((await open(byBen.token)).status, 200);
  assert.equal((await call('anna', 'DELETE', `/api/v1/accounts/${acc}/team/${benId}`)).status, 204);
  const gone = await open(byBen.token);
  assert.equal(gone.status, 404);
  assert.match(gone.json.detail, /expired or was revoked/);
  assert.equal((await open(byAnna.token)).status, 200, "the owner's own link still works");
  // deactivating its creator ends every link they made
  const u = await call('admin', 'GET', `/api/v1/users/${annaId}`);
  const off = await api(srv.url, tok.admin, 'PATCH', `/api/v1/users/${annaId}`, { active: false }, { 'If-Match': u.headers.get('etag') });
  assert.equal(off.status, 200, off.text);
  assert.equal((await open(byAnna.token)).status, 404);
  const u2 = await call('admin', 'GET', `/api/v1/users/${annaId}`);
  assert.equal((await api(srv.url, tok.admin, 'PATCH', `/api/v1/users/${annaId}`, { active: true }, { 'If-Match': u2.headers.get('etag') })).status, 200);
});

test('a share token never reaches the error log either', async () => {
  const acc = (await call('director', 'GET', '/api/v1/accounts?limit=1')).json.items[0].id;
  const s = (await call('director', 'POST', `/api/v1/accounts/${acc}/shares`, { include_kpis: true })).json;
  sql('ALTER TABLE shares RENAME TO shares_away');
  try {
    const r = await fetch(`${srv.url}/api/v1/shared/${s.token}`);
    assert.equal(r.status, 500);
  } finally {
    sql('ALTER TABLE shares_away RENAME TO shares');
  }
  const failed = /GET \/api\/v1\/shared\/(…|\\u2026) failed/;
  for (let i = 0; i < 50 && !failed.test(srv.log()); i++) await new Promise((res) => setTimeout(res, 20));
  assert.match(srv.log(), failed);
  assert.ok(!srv.log().includes(s.token));
  assert.equal((await open(s.token)).status, 200);
});
