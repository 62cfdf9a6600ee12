// The access log is written in batches (src/util/log.c): no line is lost, whether the server
// goes quiet, keeps running or is stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoDb, tokens, serve, sleep } from '../lib/harness.mjs';

const lines = (log, marker) => log.split('\n').filter((l) => l.includes(marker)).length;

async function burst(s, token, n, marker) {
  const one = (i) => fetch(`${s.url}/api/v1/accounts/${(i % 30) + 1}/${marker}`, { headers: { Authorization: `Bearer ${token}` } })
    .then((r) => r.arrayBuffer());
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => one(i + k)));
}

test('every request of a burst has its access line while the server runs, and at its stop', async () => {
  const { db, t } = demoDb();
  const { admin } = tokens(db, ['admin']);
  const s = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  try {
    await burst(s, admin, 400, 'burst-one');
    // lines reach the log within about a second of their request, the server still running
    for (let i = 0; i < 100 && lines(s.log(), 'burst-one') < 400; i++) await sleep(50);
    assert.equal(lines(s.log(), 'burst-one'), 400);
    await burst(s, admin, 400, 'burst-two');
  } finally {
    assert.equal(await s.stop(), 0);
    t.rm();
  }
  // and whatever was still in memory at SIGTERM was written before kam exited
  assert.equal(lines(s.log(), 'burst-two'), 400);
  assert.match(s.log(), /"msg":"stopped"/);
});

test('each request has one well-formed access line, whatever its path holds', async () => {
  const { db, t } = demoDb();
  const { admin } = tokens(db, ['admin']);
  const s = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  // quotes, a backslash, a control character, non-ASCII, a byte that is not UTF-8, and a
  // path cut at the log's 255 bytes in the middle of a character
  const paths = ['/api/v1/accounts/1', '/api/v1/x%22q%5Cb%01c', '/api/v1/zo%C3%AB-%E2%82%AC',
    '/api/v1/bad%FFbyte', `/api/v1/${'a'.repeat(240)}${'%C3%AB'.repeat(10)}`];
  const sent = [];
  try {
    for (const p of paths) {
      const r = await fetch(s.url + p, { headers: { Authorization: `Bearer ${admin}` } });
      sent.push({ status: r.status, bytes: (await r.arrayBuffer()).byteLength });
    }
  } finally {
    assert.equal(await s.stop(), 0);
    t.rm();
  }
  const access = s.log().split('\n').filter((l) => l.includes('"method"')).map((l) => JSON.parse(l));
  assert.equal(access.length, paths.length, s.log().slice(-2000));
  // A line is written when its request completes, which may be after the client has its
  // answer and sent the next request on another connection: lines are matched by path, not
  // by their order in the log.
  const logged = ['/api/v1/accounts/1', '/api/v1/x"q\\b\u0001c', '/api/v1/zoë-€', '/api/v1/bad\ufffdbyte', null];
  const line = (i) => {
    const m = access.filter((a) => (logged[i] === null ? a.path.startsWith('/api/v1/aaaa') : a.path === logged[i]));
    assert.equal(m.length, 1, `${paths[i]}: ${JSON.stringify(access.map((a) => a.path))}`);
    return m[0];
  };
  paths.forEach((p, i) => {
    const a = line(i);
    assert.deepEqual(Object.keys(a), ['level', 'method', 'path', 'status', 'bytes', 'ms', 'user', 'completed', 'ts']);
    assert.equal(a.level, 'info');
    assert.equal(a.method, 'GET');
    assert.equal(a.status, sent[i].status);
    assert.equal(a.bytes, sent[i].bytes);
    assert.equal(typeof a.ms, 'number');
    assert.ok(a.ms >= 0 && a.ms < 60000);
    assert.equal(a.completed, true);
    assert.match(a.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // the user is known once the route is (an unknown path is answered before sign-in)
    if (i === 0) assert.equal(a.user, 1);
    else assert.ok(a.user === null || a.user === 1, String(a.user));
    let want;
    try { want = decodeURIComponent(p); } catch { want = null; }
    if (want !== null && Buffer.byteLength(want) <= 255) assert.equal(a.path, want);
    else assert.ok(a.path.startsWith('/api/v1/') && Buffer.byteLength(a.path) <= 255 * 3, a.path);
  });
});
