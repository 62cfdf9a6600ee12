// The web app counts "today" and month windows as the server does: the installation's time
// zone and kam's clock (KAM_NOW here), not the browser's own date in UTC. At
// 2026-03-31T20:00Z it is already 1 April in Tokyo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn } from '../lib/browser.mjs';
import { demoDb, tokens, serve, api } from '../lib/harness.mjs';

const NOW = '2026-03-31T20:00:00Z';
let t, db, srv, browser, tok;

before(async () => {
  ({ t, db } = demoDb());
  tok = tokens(db, ['director']).director;
  srv = await serve(db, { KAM_NOW: NOW, KAM_JOB_INTERVAL: '3600' });
  const r = await api(srv.url, tok, 'PATCH', '/api/v1/settings', { time_zone: 'Asia/Tokyo' });
  assert.equal(r.status, 200, r.text);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('the session tells the app kam\'s now, today and the installation zone', async () => {
  const r = await api(srv.url, tok, 'GET', '/api/v1/session');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.clock, { now: NOW, today: '2026-04-01', time_zone: 'Asia/Tokyo' });
});

test('the dashboard asks for the months up to the server\'s month in Tokyo; a new review defaults to its today', async () => {
  const p = await newPage(browser, 1280, 900);
  const asked = [];
  p.on('request', (q) => { if (q.url().includes('/api/v1/kpis?')) asked.push(new URL(q.url()).searchParams); });
  await signIn(p, srv.url, 'director@example.com');
  await p.waitForFunction(() => document.querySelectorAll('.tile').length > 0);
  assert.ok(asked.length > 0, 'the dashboard asked for KPIs');
  for (const s of asked) {
    assert.equal(s.get('to'), '2026-04-01', s.toString());
    assert.equal(s.get('from'), '2025-04-01', s.toString());
  }
  assert.deepEqual(p.problems, []);
});
