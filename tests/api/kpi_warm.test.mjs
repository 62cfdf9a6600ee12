// kam serve loads the revenue rollup for KPI answers when it starts (KAM_KPI_WARM=off leaves
// it to the first KPI question): the first question of a fresh server makes no load of its
// own, and its answer is the one a server without the start-up load gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db;
const tok = {};
const FROM = '2026-01-01', TO = '2026-02-01';
const ENV = { KAM_JOB_INTERVAL: '3600' };
const QUESTIONS = [
  `/api/v1/kpis?from=${FROM}&to=${TO}`,
  `/api/v1/kpis?from=2025-02-01&to=${TO}&interval=month`,
  `/api/v1/kpis?from=2025-01-01&to=2026-01-01&interval=quarter&scope=segment&id=strategic`,
];

before(() => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'director'], 'kpiwarm'));
});

after(() => t.rm());

const loads = async (srv) => {
  const r = await api(srv.url, tok.admin, 'GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  const m = r.text.match(/^kam_kpi_rollup_loads_total (\d+)$/m);
  assert.ok(m, 'the metric is there');
  return Number(m[1]);
};
const cells = async (srv) => {
  const r = await api(srv.url, tok.admin, 'GET', '/metrics');
  const m = r.text.match(/^kam_kpi_rollup_cells (\d+)$/m);
  assert.ok(m, 'the metric is there');
  return Number(m[1]);
};
const ask = async (srv, path) => {
  const r = await api(srv.url, tok.director, 'GET', path);
  assert.equal(r.status, 200, r.text);
  return r.text;
};
const stopped = async (srv) => assert.equal(await srv.stop(), 0, srv.log().slice(-3000));

test('a fresh server has loaded the rollup once, and its first KPI questions load it no more', { timeout: 60000 }, async (tc) => {
  const srv = await serve(db, ENV);
  try {
    // the start-up load runs beside the server: wait for it (the test's timeout is the limit;
    // without a start-up load it never comes)
    let n;
    while ((n = await loads(srv)) === 0 && !tc.signal.aborted) await delay(20);
    assert.equal(n, 1, 'one load at start-up');
    // begun; the cells are there once it ended
    while ((await cells(srv)) === 0 && !tc.signal.aborted) await delay(20);
    for (const q of QUESTIONS) await ask(srv, q);
    assert.equal(await loads(srv), 1, 'the questions found the rollup held');
    assert.match(srv.log(), /kpi rollup: \d+ cells of \d+ accounts in memory/);
  } finally {
    await stopped(srv);
  }
});

test('KAM_KPI_WARM=off: no load until the first KPI question, which makes it', async () => {
  const srv = await serve(db, { ...ENV, KAM_KPI_WARM: 'off' });
  try {
    assert.equal(await loads(srv), 0);
    assert.equal(await cells(srv), 0, 'nothing held');
    assert.equal((await api(srv.url, tok.director, 'GET', '/api/v1/accounts?limit=5')).status, 200);
    assert.equal((await api(srv.url, tok.director, 'GET', '/api/v1/session')).status, 200);
    assert.equal(await loads(srv), 0, 'other requests do not load it');
    await ask(srv, QUESTIONS[0]);
    assert.equal(await loads(srv), 1, 'the first question loaded it');
    assert.ok((await cells(srv)) > 0, 'and holds it');
    assert.doesNotMatch(srv.log(), /kpi rollup: .* in memory/);
  } finally {
    await stopped(srv);
  }
});

test('the answers right after start-up are those of a server without the start-up load', async () => {
  // asked at once: the first may come during the load and wait for it
  const warm = await serve(db, ENV);
  const hot = [];
  try {
    for (const q of QUESTIONS) hot.push(await ask(warm, q));
    assert.equal(await loads(warm), 1, 'one load, shared by the start-up and the questions');
  } finally {
    await stopped(warm);
  }
  const lazy = await serve(db, { ...ENV, KAM_KPI_WARM: 'off' });
  try {
    for (const [i, q] of QUESTIONS.entries()) {
      const text = await ask(lazy, q);
      assert.ok(text.length > 100, text);
      assert.equal(Buffer.compare(Buffer.from(hot[i]), Buffer.from(text)), 0, `${q}: the same bytes\n${hot[i]}\n${text}`);
    }
  } finally {
    await stopped(lazy);
  }
});

test('a server stopped at once, during its start-up load, stops cleanly', async () => {
  for (let i = 0; i < 3; i++) {
    const srv = await serve(db, ENV);
    await stopped(srv);
  }
});
