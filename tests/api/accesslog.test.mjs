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
