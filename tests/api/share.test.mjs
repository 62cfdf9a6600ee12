// Client share links: capability URLs that show agreed objectives, actions and service KPIs,
// nothing internal; they expire, can be revoked, and never reach the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PG, createDb, kam, serve, api, tmp, psql } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  t = tmp();
  db = PG ? createDb() : join(t.dir, 'kam.db');
  kam(['demo', '--db', db]);
  for (const w of ['anna', 'ben', 'mia', 'viewer', 'director'])
    tok[w] = kam(['token', 'create', '--email', `${w}@example.com`, '--name', 'share', '--db', db]).trim();
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
  const s = await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { expires_in_days: 7 });
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
  for (const secret of ['INTERNAL', '"notes"', '"situation"', '"attitude"', '"owner_id"', '"category"', 'revenue', 'email', plan.situation])
    assert.ok(!body.includes(secret), `the client view leaks ${secret}`);
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
  const s = (await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`)).json;
  assert.equal((await open(s.token)).status, 200);
  assert.equal((await call('anna', 'DELETE', `/api/v1/accounts/${acc}/shares/${s.id}`)).status, 204);
  const gone = await open(s.token);
  assert.equal(gone.status, 404);
  assert.match(gone.json.detail, /expired or was revoked/);
  assert.equal((await call('anna', 'DELETE', `/api/v1/accounts/${acc}/shares/${s.id}`)).status, 404);
  const s2 = (await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`)).json;
  sql(`UPDATE shares SET expires_at = 1 WHERE id = ${s2.id}`);
  assert.equal((await open(s2.token)).status, 404, 'expired');
  assert.equal((await open('x'.repeat(43))).status, 404);
  assert.equal((await open('short')).status, 404);
  const bens = new Set((await call('ben', 'GET', '/api/v1/accounts?limit=100')).json.items.map((a) => a.id));
  if (!bens.has(acc)) assert.equal((await call('ben', 'POST', `/api/v1/accounts/${acc}/shares`)).status, 404);
  assert.equal((await call('viewer', 'POST', `/api/v1/accounts/${acc}/shares`)).status, 403);
  assert.equal((await call('anna', 'POST', `/api/v1/accounts/${acc}/shares`, { expires_in_days: 365 })).status, 400);
  const audit = (await call('director', 'GET', `/api/v1/audit?entity=account&id=${acc}&limit=10`)).json.items.map((a) => a.action);
  assert.ok(audit.includes('share') && audit.includes('unshare'));
});
