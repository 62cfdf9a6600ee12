// PostgreSQL short of a resource (issue 14): a server out of disk, memory or connection
// slots, shutting down or starting, answers kam's statement with a SQLSTATE of class 53
// ("insufficient resources"), 57P or 08. kam answers such a request 503 with Retry-After
// (30 s for a full disk or an I/O error, as on SQLite; 1 s for the others), writes nothing
// of it, and serves the next request once the resource is back: never a 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PG, createDb, kam, serve, psql } from '../lib/harness.mjs';

const skip = PG ? false : 'needs PostgreSQL: run through scripts/test-pg';
let db, dbname, node, token;

before(async () => {
  if (skip) return;
  db = createDb();
  dbname = new URL(db).pathname.slice(1);
  kam(['demo', '--db', db]);
  token = kam(['token', 'create', '--email', 'admin@example.com', '--name', 'resources', '--db', db]).trim();
  node = await serve(db);
});

after(async () => {
  if (skip) return;
  psql('ALTER ROLE kam CONNECTION LIMIT -1');
  assert.equal(await node.stop(), 0, node.log().slice(-2000));
  psql(`DROP DATABASE IF EXISTS ${dbname} WITH (FORCE)`);
});

const sql = (q) => psql(q, dbname);

async function call(method, path, body) {
  const r = await fetch(node.url + path, {
    method, signal: AbortSignal.timeout(20000),
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text, retryAfter: r.headers.get('retry-after'), type: r.headers.get('content-type') };
}

function unavailable(r, retryAfter, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.match(r.type, /application\/problem\+json/, what);
  assert.equal(r.json?.status, 503, what);
  assert.equal(r.retryAfter, retryAfter, `${what}: Retry-After`);
}

const accounts = () => Number(sql('SELECT count(*) FROM accounts'));

// What PostgreSQL says when it is short of something, and how long kam tells the client to wait.
const STATES = [
  ['53000', '1', 'insufficient resources'],
  ['53100', '30', 'disk full'],
  ['53200', '1', 'out of memory'],
  ['53300', '1', 'too many connections'],
  ['53400', '1', 'configuration limit exceeded'],
  ['58030', '30', 'I/O error'],
  ['57P03', '1', 'cannot connect now'],
  ['08006', '1', 'connection failure'],
];

test('a write PostgreSQL refuses for want of a resource answers 503 with Retry-After and writes nothing', { skip }, async () => {
  for (const [state, retry, what] of STATES) {
    // the server's refusal, raised where the write happens: in a trigger on the insert
    sql(`CREATE OR REPLACE FUNCTION kam_short() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION '${what}' USING ERRCODE = '${state}'; END $$`);
    sql('CREATE TRIGGER kam_short BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION kam_short()');
    const before = accounts();
    const name = `Short of it ${state}`;
    try {
      unavailable(await call('POST', '/api/v1/accounts', { name }), retry, `${state} (${what})`);
      assert.equal(accounts(), before, `${state}: nothing written`);
      // reads do not touch the trigger and go on
      assert.equal((await call('GET', '/api/v1/accounts?limit=1')).status, 200);
    } finally {
      sql('DROP TRIGGER kam_short ON accounts');
    }
    // the resource is back: the same write goes through
    const ok = await call('POST', '/api/v1/accounts', { name });
    assert.equal(ok.status, 201, `${state}, then without it: ${ok.text.slice(0, 300)}`);
    assert.equal(accounts(), before + 1);
  }
});

test('too many connections: with no slot for kam a request answers 503, and it reconnects once there is one', { skip }, async () => {
  assert.equal((await call('GET', '/api/v1/accounts?limit=1')).status, 200);
  // no new connection for kam's role, and the ones it holds are gone
  psql('ALTER ROLE kam CONNECTION LIMIT 0');
  psql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbname}' AND application_name = 'kam'`);
  for (let i = 0; i < 3; i++)
    unavailable(await call('GET', '/api/v1/accounts?limit=1'), '1', `no connection slot, request ${i + 1}`);
  unavailable(await call('POST', '/api/v1/accounts', { name: 'No slot' }), '1', 'a write with no connection slot');
  psql('ALTER ROLE kam CONNECTION LIMIT -1');
  for (let i = 0; i < 3; i++)
    assert.equal((await call('GET', '/api/v1/accounts?limit=1')).status, 200, `after the slots are back, request ${i + 1}`);
  const created = await call('POST', '/api/v1/accounts', { name: 'A slot again' });
  assert.equal(created.status, 201, created.text.slice(0, 300));
  assert.equal(Number(sql("SELECT count(*) FROM accounts WHERE name = 'No slot'")), 0);
});
