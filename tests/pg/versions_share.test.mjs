// On PostgreSQL every authenticated request reads the versions its caches are checked
// against, a round trip; requests that arrive while one read is on its way share the next
// read (src/util/share.h). Here the database holds the settings table locked, so the first
// request's read waits on the lock while six more arrive; a token is revoked before the lock
// goes. Every request must see the revocation, and the six must have made one read between
// them. The oldest queued request is handed the next read.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { connect } from 'node:net';
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

// GET /api/v1/me on a connection of its own: a kept-alive one belongs to a server thread
// that may be the one reading, and then the request would queue behind it instead.
// authorization: the header as sent.
const me = (token, authorization = `Bearer ${token}`, path = '/api/v1/me') => new Promise((resolve, reject) => {
  get(`${srv.url}${path}`, { agent: false, headers: { Authorization: authorization } }, (r) => {
    let text = '';
    r.on('data', (d) => { text += d; });
    r.on('end', () => resolve({ status: r.statusCode, text }));
  }).on('error', reject);
});

// Sends the requests one at a time, each once the one before waits in kam.
async function queue(list) {
  const base = await metric('kam_versions_waiting');
  const out = [];
  for (const [i, send] of list.entries()) {
    out.push(send());
    for (let k = 0; k < 500 && await metric('kam_versions_waiting') < base + i + 1; k++) await sleep(10);
    assert.equal(await metric('kam_versions_waiting'), base + i + 1);
  }
  return out;
}

// Locks the settings table from a psql session and sends one request, whose versions read
// then waits in the database; returns the session and that request.
async function lockAndRead(token) {
  const s = session(name);
  await s.run('BEGIN; LOCK TABLE settings IN ACCESS EXCLUSIVE MODE;', 'locked');
  const first = me(token);
  for (let i = 0; i < 500 && waiters() !== '1'; i++) await sleep(10);
  assert.equal(waiters(), '1');
  return { s, first };
}

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

describe('the oldest waiting request makes the next versions read', () => {
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
    const s = srv;
    if (s) assert.equal(await s.stop(), 0, s.log().slice(-2000));
  });


  test('requests that come while a versions read waits share the next one, which sees a revocation made meanwhile', { skip }, async () => {
    for (const u of ['anna', 'ben']) for (let i = 0; i < 2; i++)
      assert.equal((await api(srv.url, tok[u], 'GET', '/api/v1/me')).status, 200);
    const reads = await metric('kam_versions_reads_total');
    const shared = await metric('kam_versions_shared_total');
    // the first request's read waits for the lock in the database
    const { s, first } = await lockAndRead(tok.anna);
    // six more arrive and wait in kam, not in the database
    const later = await queue(Array.from({ length: 6 }, () => () => me(tok.ben)));
    assert.equal(waiters(), '1');
    // Ben's token ends before any of them is answered
    await s.run("DELETE FROM api_tokens WHERE name = 'share' AND user_id = (SELECT id FROM users WHERE email = 'ben@example.com'); COMMIT;", 'revoked');
    await s.end();
    assert.equal((await first).status, 200);
    for (const r of await Promise.all(later)) assert.equal(r.status, 401, r.text);
    // the first request's read, and one read for the six: one of theirs
    assert.equal(await metric('kam_versions_reads_total') - reads, 2);
    assert.equal(await metric('kam_versions_shared_total') - shared, 5);
    assert.equal(await metric('kam_versions_waiting'), 0);
    assert.equal((await api(srv.url, tok.anna, 'GET', '/api/v1/me')).status, 200);
  });

  test('a waiting request handed the next read that ends before reading it hands it on', { skip, timeout: 30000 }, async () => {
    const reads = await metric('kam_versions_reads_total');
    const shared = await metric('kam_versions_shared_total');
    const { s, first } = await lockAndRead(tok.anna);
    // the oldest waiting request gets the next read, but its credential is malformed: it is
    // answered without reading, and the others must not wait for ever
    const later = await queue([() => me('', 'Bearer'), () => me(tok.anna), () => me(tok.anna)]);
    await s.run('COMMIT;', 'released');
    await s.end();
    assert.equal((await first).status, 200);
    const [bad, ...good] = await Promise.all(later);
    assert.equal(bad.status, 401, bad.text);
    for (const r of good) assert.equal(r.status, 200, r.text);
    assert.equal(await metric('kam_versions_reads_total') - reads, 2);
    assert.equal(await metric('kam_versions_shared_total') - shared, 1);
    assert.equal(await metric('kam_versions_waiting'), 0);
  });

  // A GET /api/v1/me whose client goes away: resolves once it is sent; call the returned
  // function to close the socket.
  const leaving = (token) => new Promise((resolve) => {
    const u = new URL(srv.url);
    const sock = connect(Number(u.port), u.hostname, () => {
      sock.write(`GET /api/v1/me HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      resolve(() => sock.destroy());
    });
    sock.on('error', () => {});
  });

  for (const [what, send] of [
    ['whose client went away', async () => { const close = await leaving(tok.anna); return { close }; }],
    ['answered before it runs (a NUL in its query)', () => ({ reply: me(tok.anna, `Bearer ${tok.anna}`, '/api/v1/me?x=%00') })],
  ]) {
    test(`a waiting request ${what} leaves none waiting`, { skip, timeout: 30000 }, async () => {
      const { s, first } = await lockAndRead(tok.anna);
      let gone;
      const later = await queue([async () => { gone = await send(); return gone.reply; }, () => me(tok.anna), () => me(tok.anna)]);
      if (gone.close) gone.close();
      await s.run('COMMIT;', 'released');
      await s.end();
      assert.equal((await first).status, 200);
      const [mine, ...good] = await Promise.all(later);
      if (mine) assert.equal(mine.status, 400, mine.text);
      for (const r of good) assert.equal(r.status, 200, r.text);
      assert.equal(await metric('kam_versions_waiting'), 0);
      assert.equal((await me(tok.anna)).status, 200);
    });
  }

  test('a server stopping while requests wait for a read exits cleanly once the read ends', { skip, timeout: 60000 }, async () => {
    const { s, first } = await lockAndRead(tok.anna);
    let released = false;
    try {
      const later = await queue([() => me(tok.anna), () => me(tok.anna), () => me(tok.anna)]);
      // past the grace period a stopping server may close a connection instead of answering;
      // what it may not do is keep one hanging, or crash (libmicrohttpd must not stop with a
      // request still parked)
      const settled = Promise.allSettled([first, ...later]);
      const stopping = srv;
      srv = null;
      const exited = stopping.stop();
      for (let i = 0; i < 3000 && !stopping.log().includes('still in flight'); i++) await sleep(10);
      assert.match(stopping.log(), /stopping with 4 requests still in flight/);
      await s.run('COMMIT;', 'released');
      released = true;
      assert.equal(await exited, 0, stopping.log().slice(-2000));
      for (const r of await settled) {
        if (r.status === 'fulfilled') assert.equal(r.value.status, 200, r.value.text);
        else assert.equal(r.reason.code, 'ECONNRESET');
      }
    } finally {
      if (!released) await s.run('COMMIT;', 'released');
      await s.end();
    }
  });
});
