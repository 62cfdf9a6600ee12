// On PostgreSQL every authenticated request reads the versions its caches are checked
// against, a round trip; requests that arrive while one read is on its way share the next
// read (src/util/share.h). Here the database holds the settings table locked, so the first
// request's read waits on the lock while six more arrive; a token is revoked before the lock
// goes. Every request must see the revocation, and the six must have made one read between
// them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { PG, createDb, kam, serve, api, psql, sleep, freePort, metricsUp } from '../lib/harness.mjs';

const skip = PG ? false : 'needs PostgreSQL: run through scripts/test-pg';
let db, name, srv, murl;
const tok = {};


const metric = async (m) => {
  const text = await (await fetch(`${murl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(m + ' '));
  assert.ok(line, `${m} in /metrics`);
  return Number(line.split(' ')[1]);
};

before(async () => {
  if (skip) return;
  db = createDb();
  name = new URL(db).pathname.slice(1);
  kam(['demo', '--db', db]);
  for (const u of ['anna', 'ben'])
    tok[u] = kam(['token', 'create', '--email', `${u}@example.com`, '--name', 'share', '--db', db]).trim();
  const port = await freePort();
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' }, ['--threads', '8', '--metrics-listen', `127.0.0.1:${port}`]);
  murl = `http://127.0.0.1:${port}`;
  await metricsUp(murl);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-2000));
});

// GET /api/v1/me on a connection of its own: a kept-alive one belongs to a server thread
// that may be the one waiting, and then the request would queue behind it instead.
const me = (token) => new Promise((resolve, reject) => {
  get(`${srv.url}/api/v1/me`, { agent: false, headers: { Authorization: `Bearer ${token}` } }, (r) => {
    let text = '';
    r.on('data', (d) => { text += d; });
    r.on('end', () => resolve({ status: r.statusCode, text }));
  }).on('error', reject);
});

// Statements reading the versions that wait for a lock in the database.
const waiters = () => psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%derived_version%'", name);

// A psql session of its own, fed statements on its standard input; resolves each call once
// the marker it asked for comes back.
function session(dbname) {
  const u = new URL(PG);
  const p = spawn('psql', ['-h', u.hostname, '-p', u.port, '-U', u.username || 'postgres', '-d', dbname,
    '-tA', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { err += d; });
  return {
    async run(sql, marker) {
      p.stdin.write(`${sql}\nSELECT '${marker}';\n`);
      for (let i = 0; i < 500 && !out.includes(marker); i++) await sleep(10);
      assert.ok(out.includes(marker), `psql answered ${marker}: ${err}`);
    },
    end: () => new Promise((resolve) => { p.on('exit', resolve); p.stdin.end(); }),
  };
}

test('requests that come while a versions read waits share the next one, which sees a revocation made meanwhile', { skip }, async () => {
  for (const u of ['anna', 'ben']) for (let i = 0; i < 2; i++)
    assert.equal((await api(srv.url, tok[u], 'GET', '/api/v1/me')).status, 200);
  const reads = await metric('kam_versions_reads_total');
  const shared = await metric('kam_versions_shared_total');
  const s = session(name);
  await s.run('BEGIN; LOCK TABLE settings IN ACCESS EXCLUSIVE MODE;', 'locked');
  // the first request's read waits for the lock in the database
  const first = me(tok.anna);
  for (let i = 0; i < 500; i++) {
    if (waiters() === '1') break;
    await sleep(10);
  }
  assert.equal(waiters(), '1');
  // six more arrive and wait in kam, not in the database
  // (one at a time: a server thread takes every connection that is ready when it wakes,
  // and answers them one after the other)
  const later = [];
  for (let n = 1; n <= 6; n++) {
    later.push(me(tok.ben));
    for (let i = 0; i < 500 && await metric('kam_versions_waiting') < n; i++) await sleep(10);
    assert.equal(await metric('kam_versions_waiting'), n);
  }
  assert.equal(waiters(), '1');
  // Ben's token ends before any of them is answered
  await s.run("DELETE FROM api_tokens WHERE name = 'share' AND user_id = (SELECT id FROM users WHERE email = 'ben@example.com'); COMMIT;", 'revoked');
  await s.end();
  assert.equal((await first).status, 200);
  for (const r of await Promise.all(later)) assert.equal(r.status, 401, r.text);
  // the first request's read, and one read for the six
  assert.equal(await metric('kam_versions_reads_total') - reads, 2);
  assert.equal(await metric('kam_versions_shared_total') - shared, 5);
  assert.equal(await metric('kam_versions_waiting'), 0);
  assert.equal((await api(srv.url, tok.anna, 'GET', '/api/v1/me')).status, 200);
});
