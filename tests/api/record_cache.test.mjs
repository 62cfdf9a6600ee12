// The record cache: one caller's repeated read of an account, a contact or an opportunity is
// answered from memory at the data version the request read anyway (docs/performance.md,
// "A single-record GET"). What a user must see: the same body and ETag as a fresh read, every
// change at once (the record's own, its team's, a score's), and never another caller's copy:
// an account one may not see answers exactly like a missing one, cached or not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, serve, api, demoDb, tokens, psql } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const call = (who, m, p, b, h) => api(srv.url, tok[who], m, p, b, h);

// plain SQL, as an operator types it beside the running server
function sql(q) {
  if (PG) return psql(q, new URL(db).pathname.slice(1));
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8' }).trim();
}

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'director', 'anna', 'chloe', 'mia'], 'records'));
  // the background job is kept away for good (another "node" holds its lease) and the
  // evaluation below brings the demo's tiers up to date: no score moves under the reads
  // compared here (docs/testing.md, "Races a test can have with the server")
  sql("INSERT INTO leases (name, holder, expires_at) VALUES ('alerts', 'another-node', 4102444800)");
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  const ev = await call('admin', 'POST', '/api/v1/alerts/evaluate');
  assert.equal(ev.status, 200, ev.text);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const counters = async () => {
  const text = (await call('admin', 'GET', '/metrics')).text;
  const n = (name) => Number((text.match(new RegExp(`^${name} (\\d+)$`, 'm')) || [])[1]);
  return { hits: n('kam_record_cache_hits_total'), misses: n('kam_record_cache_misses_total') };
};

test('a second read of the same record is the same answer, from the cache', async () => {
  for (const path of ['/api/v1/accounts/1', '/api/v1/contacts/1', '/api/v1/opportunities/1']) {
    const before = await counters();
    const a = await call('anna', 'GET', path);
    const b = await call('anna', 'GET', path);
    assert.equal(a.status, 200, path);
    assert.equal(b.status, 200, path);
    assert.equal(b.text, a.text, path);
    assert.equal(b.headers.get('etag'), a.headers.get('etag'), path);
    assert.match(a.headers.get('etag'), /^"\d+"$/);
    assert.equal(b.headers.get('x-cache'), 'hit', path);
    assert.equal(b.headers.get('content-type'), a.headers.get('content-type'));
    const now = await counters();
    assert.ok(now.hits >= before.hits + 1, `${path}: ${JSON.stringify([before, now])}`);
  }
});

test('a change to the record is read back at once, with its new ETag', async () => {
  const a = await call('anna', 'GET', '/api/v1/accounts/1');
  await call('anna', 'GET', '/api/v1/accounts/1');
  const p = await call('anna', 'PATCH', '/api/v1/accounts/1', { notes: 'cache test: changed' },
    { 'If-Match': a.headers.get('etag') });
  assert.equal(p.status, 200, p.text);
  const b = await call('anna', 'GET', '/api/v1/accounts/1');
  assert.equal(b.json.notes, 'cache test: changed');
  assert.notEqual(b.headers.get('etag'), a.headers.get('etag'));
  assert.equal(b.headers.get('etag'), p.headers.get('etag'));
  assert.equal(b.headers.get('x-cache'), 'miss');
  // and a change elsewhere in the data (another account) is a new data version too: the
  // next read is computed again, and says the same
  await call('director', 'PATCH', '/api/v1/accounts/2', { notes: 'elsewhere' });
  const c = await call('anna', 'GET', '/api/v1/accounts/1');
  assert.equal(c.headers.get('x-cache'), 'miss');
  assert.equal(c.text, b.text);
});

test('off the team, a cached account answers exactly like a missing one', async () => {
  const missing = await call('mia', 'GET', '/api/v1/accounts/999999');
  assert.equal(missing.status, 404);
  // the owner and a director read it (and keep it in the cache); Chloé and Mia are not on it
  assert.equal((await call('anna', 'GET', '/api/v1/accounts/1')).status, 200);
  assert.equal((await call('director', 'GET', '/api/v1/accounts/1')).status, 200);
  for (const who of ['chloe', 'mia']) {
    const r = await call(who, 'GET', '/api/v1/accounts/1');
    assert.equal(r.status, 404, who);
    assert.equal(r.text, missing.text.replace('999999', '1').replace('999999', '1'), who);
    assert.equal(r.headers.get('x-cache'), null, who);
  }
  // Mia joins the team: she reads it, twice, the second from the cache
  assert.equal((await call('anna', 'PUT', '/api/v1/accounts/1/team/7', { role: 'solution_engineer' })).status, 201);
  assert.equal((await call('mia', 'GET', '/api/v1/accounts/1')).status, 200);
  const hit = await call('mia', 'GET', '/api/v1/accounts/1');
  assert.equal(hit.status, 200);
  assert.equal(hit.headers.get('x-cache'), 'hit');
  // she leaves it: her cached copy is gone with the data version
  assert.equal((await call('anna', 'DELETE', '/api/v1/accounts/1/team/7')).status, 204);
  const gone = await call('mia', 'GET', '/api/v1/accounts/1');
  assert.equal(gone.status, 404);
  assert.equal(gone.text, (await call('mia', 'GET', '/api/v1/accounts/999999')).text.replace('999999', '1'));
  // and her contact reads go the same way
  assert.equal((await call('mia', 'GET', '/api/v1/contacts/1')).status, 404);
});

test('records whose answer moves with the hour are never cached: a case (its SLA)', async () => {
  const a = await call('anna', 'GET', '/api/v1/cases/1');
  const b = await call('anna', 'GET', '/api/v1/cases/1');
  assert.equal(a.status, 200, a.text);
  assert.equal(typeof b.json.sla_breached, 'boolean');
  assert.equal(b.headers.get('x-cache'), null);
});

test('who sees an account, changed in plain SQL, counts on the next read too', async () => {
  const missing = (id) => call('chloe', 'GET', `/api/v1/accounts/999999`).then((r) => r.text.replace('999999', String(id)));
  // Chloé (user 5) is on account 2's team: read twice, the second from the cache
  assert.equal((await call('chloe', 'GET', '/api/v1/accounts/2')).status, 200);
  assert.equal((await call('chloe', 'GET', '/api/v1/accounts/2')).headers.get('x-cache'), 'hit');
  sql('DELETE FROM account_team WHERE account_id = 2 AND user_id = 5');
  const off = await call('chloe', 'GET', '/api/v1/accounts/2');
  assert.equal(off.status, 404);
  assert.equal(off.text, await missing(2));
  // put back, then account 2 given to Chloé and taken away again by its owner column
  sql(`INSERT INTO account_team (account_id, user_id, role, created_at) VALUES (2, 5, 'kam', 0)`);
  assert.equal((await call('chloe', 'GET', '/api/v1/accounts/2')).status, 200);
  const owner = sql('SELECT owner_id FROM accounts WHERE id = 4');
  sql('UPDATE accounts SET owner_id = 5 WHERE id = 4');
  assert.equal((await call('chloe', 'GET', '/api/v1/accounts/4')).status, 200);
  assert.equal((await call('chloe', 'GET', '/api/v1/accounts/4')).headers.get('x-cache'), 'hit');
  sql(`UPDATE accounts SET owner_id = ${owner} WHERE id = 4`);
  const gone = await call('chloe', 'GET', '/api/v1/accounts/4');
  assert.equal(gone.status, 404, `account 4 is ${owner}'s again`);
  assert.equal(gone.text, await missing(4));
});
