// DESIGN §8: a kill -9 during a write load leaves an intact SQLite database holding every
// acknowledged write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { kam, serve, api, tmp, sleep } from '../lib/harness.mjs';

test('SIGKILL under write load: the database is intact and holds every acknowledged write', async () => {
  const t = tmp();
  const db = join(t.dir, 'kam.db');
  try {
    kam(['demo', '--db', db]);
    const token = kam(['token', 'create', '--email', 'director@example.com', '--name', 'load', '--db', db]).trim();
    const s = await serve(db);
    const acked = [];
    const stopAt = Date.now() + 3000;
    const worker = async (w) => {
      for (let i = 0; Date.now() < stopAt; i++) {
        try {
          const r = await api(s.url, token, 'POST', '/api/v1/accounts', {
            name: `durable-${w}-${i}`, tags: ['durable'], owner_id: 3,
          });
          if (r.status === 201) acked.push(r.json.id);
          else assert.fail(`unexpected ${r.status}: ${r.text}`);
        } catch (e) {
          if (e.code === 'ERR_ASSERTION') throw e;
          return; // the connection died with the server: not acknowledged
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    await sleep(1200);
    s.proc.kill('SIGKILL');
    await load;
    assert.ok(acked.length > 20, `some writes were acknowledged (${acked.length})`);
    assert.equal(execFileSync('sqlite3', [db, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
    const s2 = await serve(db);
    try {
      const seen = new Set();
      let cursor = null;
      do {
        const r = await api(s2.url, token, 'GET', `/api/v1/accounts?tag=durable&limit=500${cursor ? '&cursor=' + cursor : ''}`);
        assert.equal(r.status, 200);
        r.json.items.forEach((it) => seen.add(it.id));
        cursor = r.json.next_cursor;
      } while (cursor);
      assert.deepEqual(acked.filter((id) => !seen.has(id)), []);
    } finally {
      assert.equal(await s2.stop(), 0);
    }
  } finally {
    t.rm();
  }
});

test('SIGTERM drains a request in flight and exits 0', async () => {
  const t = tmp();
  const db = join(t.dir, 'kam.db');
  try {
    kam(['demo', '--db', db]);
    const s = await serve(db);
    // a login costs an Argon2id hash: long enough to still be running when SIGTERM lands
    const inflight = fetch(s.url + '/api/v1/session', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'anna@example.com', password: 'demo-password-1' }),
    });
    await sleep(20);
    const code = s.stop();
    const r = await inflight;
    assert.equal(r.status, 201, 'the request in flight got its answer');
    assert.equal(await code, 0);
    await assert.rejects(fetch(s.url + '/healthz'), 'nothing listens any more');
  } finally {
    t.rm();
  }
});
