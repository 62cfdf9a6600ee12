// The change history of a record (issue 13 §7): GET /api/v1/<records>/:id/history lists the
// record's audit rows, newest first, to whoever may see the record; for anyone else it
// answers exactly like a record that does not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok;

before(async () => {
  ({ t, db } = demoDb());
  tok = tokens(db, ['director', 'anna', 'ben'], 'history');
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (who, method, path, body) => api(srv.url, tok[who], method, path, body);

// one of anna's accounts, and one she cannot see
async function annas() {
  const me = (await call('anna', 'GET', '/api/v1/me')).json;
  return (await call('anna', 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0];
}
async function notAnnas() {
  const hers = new Set((await call('anna', 'GET', '/api/v1/accounts?limit=500')).json.items.map((a) => a.id));
  return (await call('director', 'GET', '/api/v1/accounts?limit=500')).json.items.find((a) => !hers.has(a.id));
}

test('a record\'s history lists its changes, newest first, with who made them', async () => {
  const a = await annas();
  const c = (await call('anna', 'GET', `/api/v1/contacts?account_id=${a.id}&limit=1&sort=name`)).json.items[0];
  assert.equal((await call('anna', 'PATCH', `/api/v1/contacts/${c.id}`, { title: 'Head of Buying' })).status, 200);
  const h = await call('anna', 'GET', `/api/v1/contacts/${c.id}/history`);
  assert.equal(h.status, 200);
  assert.equal(h.json.items[0].action, 'update');
  assert.equal(h.json.items[0].user_name, 'Anna Berg');
  assert.equal(h.json.items[0].after.title, 'Head of Buying');
  assert.equal(h.json.items[0].before.title, c.title);
  assert.ok(h.json.items.every((r) => r.entity === 'contact' && r.entity_id === c.id));
  assert.equal((await call('director', 'GET', `/api/v1/contacts/${c.id}/history?limit=1`)).json.items.length, 1);

  assert.equal((await call('anna', 'PATCH', `/api/v1/accounts/${a.id}`, { industry: 'Shipping' })).status, 200);
  const ah = await call('anna', 'GET', `/api/v1/accounts/${a.id}/history`);
  assert.equal(ah.status, 200);
  assert.equal(ah.json.items[0].after.industry, 'Shipping');
});

test('the history of a record the caller cannot see answers like a missing record', async () => {
  const a = await notAnnas();
  const c = (await call('director', 'GET', `/api/v1/contacts?account_id=${a.id}&limit=1`)).json.items[0];
  assert.equal((await call('director', 'GET', `/api/v1/contacts/${c.id}/history`)).status, 200);
  const hidden = await call('anna', 'GET', `/api/v1/contacts/${c.id}/history`);
  const missing = await call('anna', 'GET', '/api/v1/contacts/999999/history');
  assert.equal(hidden.status, 404);
  assert.deepEqual(hidden.json, missing.json);
  const ha = await call('anna', 'GET', `/api/v1/accounts/${a.id}/history`);
  assert.equal(ha.status, 404);
  assert.deepEqual(ha.json, (await call('anna', 'GET', '/api/v1/accounts/999999/history')).json);
  assert.equal((await call('anna', 'GET', `/api/v1/contacts/${c.id}`)).status, 404, 'as the record itself');
});

test('a bad limit is refused naming the field', async () => {
  const r = await call('director', 'GET', '/api/v1/accounts/1/history?limit=0');
  assert.equal(r.status, 400);
  assert.ok(r.json.errors.some((e) => /limit/.test(e.field)));
});

test('an import names every problem of a rejected row, under the record\'s name', async () => {
  const csv = 'name,currency,strategic_importance,growth_potential\r\nGood Co,EUR,3,3\r\nBad Co,EUR,nine,high\r\n';
  const r = await fetch(`${srv.url}/api/v1/imports?kind=accounts&dry_run=true`, {
    method: 'POST', headers: { Authorization: `Bearer ${tok.director}`, 'Content-Type': 'text/csv' }, body: csv });
  const run = await r.json();
  assert.equal(run.rejected, 1, JSON.stringify(run));
  const bad = run.errors.filter((e) => e.line === 3);
  assert.deepEqual(bad.map((e) => e.column), ['strategic_importance', 'growth_potential']);
  assert.ok(bad.every((e) => e.record === 'Bad Co'));
});
