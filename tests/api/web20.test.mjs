// What the dashboard asks on every visit (issue 20, the dashboard in chromium at 10,000
// accounts): the KAM workload is answered from the cache at the same data version, per
// caller, and afresh after a change; the open alerts, newest first, are read from an index
// in that order instead of being sorted on every visit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { serve, api, demoDb, tokens, PG, psql } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const get = (who, path) => api(srv.url, tok[who], 'GET', path);
const ok = (r) => { assert.equal(r.status, 200, r.text); return r.json; };

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna', 'admin'], 'web20'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  // the open alerts a running server has (the job's first run may still be under way)
  assert.equal((await api(srv.url, tok.director, 'POST', '/api/v1/alerts/evaluate')).status, 200);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('the workload the dashboard asks is answered from the cache until the data changes, each caller their own', async () => {
  const q = '/api/v1/kams/workload?sort=busiest&limit=10';
  const first = ok(await get('director', q));
  const again = await get('director', q);
  assert.equal(again.headers.get('x-cache'), 'hit');
  assert.deepEqual(again.json, first);
  // all KAMs is another question, with the busiest first in it
  const all = ok(await get('director', '/api/v1/kams/workload?sort=busiest'));
  assert.equal(all.items.length, all.total);
  assert.deepEqual(all.items.slice(0, first.items.length), first.items);
  // a KAM sees their own row only, never the director's kept answer
  const mine = ok(await get('anna', q));
  assert.equal(mine.items.length, 1);
  const me = ok(await get('anna', '/api/v1/me'));
  assert.equal(mine.items[0].user_id, me.id);
  assert.equal((await get('anna', q)).headers.get('x-cache'), 'hit');
  // a new capacity: the next answer has it, and who is over it
  const s = await get('admin', '/api/v1/settings');
  const cap = 1;
  const patched = await api(srv.url, tok.admin, 'PATCH', '/api/v1/settings', { kam_capacity: cap }, { 'If-Match': s.headers.get('etag') });
  assert.equal(patched.status, 200, patched.text);
  const after = await get('director', q);
  assert.equal(after.headers.get('x-cache'), 'miss');
  for (const w of after.json.items) {
    assert.equal(w.capacity, cap);
    assert.equal(w.over_capacity, w.key_accounts > cap, w.name);
  }
  assert.ok(after.json.items[0].over_capacity, 'the busiest first: a KAM over a capacity of 1');
});

test('the open alerts, newest first: in opened_at order, read from an index in that order', async () => {
  const open = ok(await get('director', '/api/v1/alerts?state=open&limit=8&sort=-opened_at'));
  assert.ok(open.items.length > 0, 'the demo has open alerts');
  const every = [];
  for (let cursor = null; ;) {
    const page = ok(await get('director', `/api/v1/alerts?state=open&limit=100&sort=-opened_at${cursor ? `&cursor=${cursor}` : ''}`));
    every.push(...page.items);
    if (!(cursor = page.next_cursor)) break;
  }
  const key = (a) => [a.opened_at, a.id];
  for (let i = 1; i < every.length; i++) {
    const [o0, i0] = key(every[i - 1]), [o1, i1] = key(every[i]);
    assert.ok(o0 > o1 || (o0 === o1 && i0 > i1), `${every[i - 1].id} before ${every[i].id}`);
  }
  assert.deepEqual(open.items.map((a) => a.id), every.slice(0, 8).map((a) => a.id));
  // the list's statement (src/store/entity.c) is answered from the index, not a sort of
  // every open alert
  const sql = 'SELECT * FROM alerts WHERE 1 = 1 AND state = \'open\' ORDER BY opened_at DESC, id DESC LIMIT 9';
  if (PG) {
    const u = new URL(db);
    assert.match(psql('SELECT indexdef FROM pg_indexes WHERE indexname = \'alerts_state_opened\'', u.pathname.slice(1)), /\(state, opened_at, id\)/);
  } else {
    const plan = execFileSync('sqlite3', [db, `EXPLAIN QUERY PLAN ${sql}`], { encoding: 'utf8' });
    assert.match(plan, /USING (COVERING )?INDEX alerts_state_opened/, plan);
    assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
  }
});
