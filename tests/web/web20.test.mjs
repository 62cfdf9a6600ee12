// The dashboard's load (issue 20, the dashboard in chromium at 10,000 accounts): the app asks
// for the session and the currency table at once, not one after the other; on the login page
// the table's 401 is no signed-out session and no error, and after sign-in every figure has
// its currency's digits; each KPI tile's months are a line drawn with the tile (SVG), breaking
// where a month has no value; the matrix draws every key account at its place, colour and size
// when the few big bubbles share one ordinary series. Screenshots at 1280, 820 and 390 px go
// to tests/out/web20-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director'], 'web20'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  await api(srv.url, tok.director, 'POST', '/api/v1/alerts/evaluate');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

// the page's requests to path, as they go out
function watch(p, path) {
  const seen = [];
  p.on('request', (r) => { if (new URL(r.url()).pathname === path) seen.push({ r }); });
  return seen;
}

// the GET of the session and of the currency table both asked before either is answered
function atOnce(order) {
  const at = (what) => order.findIndex((o) => o.startsWith(what));
  const asks = ['ask /api/v1/session GET', 'ask /api/v1/currencies GET'].map(at);
  const gots = ['got /api/v1/session GET', 'got /api/v1/currencies GET'].map(at);
  assert.ok(asks.every((i) => i >= 0) && gots.every((i) => i >= 0), order.join(', '));
  assert.ok(Math.max(...asks) < Math.min(...gots), order.join(', '));
}

test('the session and the currency table are asked at once; on the login page the table\'s 401 is quiet', async () => {
  const p = await newPage(browser, 1280, 900);
  const session = watch(p, '/api/v1/session'), currencies = watch(p, '/api/v1/currencies');
  const order = [];
  p.on('request', (r) => { if (r.url().includes('/api/v1/')) order.push(`ask ${new URL(r.url()).pathname} ${r.method()}`); });
  p.on('response', (r) => { if (r.url().includes('/api/v1/')) order.push(`got ${new URL(r.url()).pathname} ${r.request().method()} ${r.status()}`); });
  await p.goto(srv.url + '/');
  await p.getByRole('button', { name: 'Sign in' }).waitFor();
  await p.waitForFunction(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/')).length >= 2);
  // both went out before either came back
  atOnce(order);
  assert.equal(session.length, 1);
  assert.equal(currencies.length, 1);
  assert.equal((await currencies[0].r.response()).status(), 401);
  // still the login form, nothing else asked, no error shown
  await p.waitForTimeout(300);
  assert.equal(await p.getByRole('alert').count(), 0);
  assert.equal(order.filter((o) => o.startsWith('ask')).length, 2, order.join(', '));

  // signing in asks for the table again, and money has its digits: the revenue tile in euros
  await p.getByLabel('E-mail').fill('director@example.com');
  await p.getByLabel('Password').fill('demo-password-1');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.locator('[data-kpi=revenue] .value').filter({ hasText: /€\d/ }).waitFor();
  assert.equal(currencies.length, 2);
  assert.equal((await currencies[1].r.response()).status(), 200);

  // a reload with the session: one of each, again at once, and the dashboard
  order.length = 0;
  await p.reload();
  await p.locator('[data-kpi=revenue] .value').filter({ hasText: /€\d/ }).waitFor();
  atOnce(order);
  assert.equal(order.filter((o) => o === 'ask /api/v1/session GET').length, 1);
  assert.equal(order.filter((o) => o === 'ask /api/v1/currencies GET').length, 1);
  assert.deepEqual(p.problems, []);
  await p.context().close();
});

// the points of each tile's line, in the SVG's own units (x: 0..100; y: 0 at the top)
const lines = (p) => p.locator('.tile[data-kpi]').evaluateAll((tiles) => tiles.map((tl) => ({
  kpi: tl.dataset.kpi,
  label: tl.querySelector('.spark')?.getAttribute('aria-label'),
  runs: [...tl.querySelectorAll('.spark svg polyline')].map((pl) => pl.getAttribute('points').split(' ').map((xy) => xy.split(',').map(Number))),
})));

test('each KPI tile draws its months as a line: one point per month with a value, higher values higher, a gap where a month has none', async () => {
  const p = await newPage(browser, 1280, 900);
  const asking = p.waitForRequest((r) => r.url().includes('interval=month'));
  await signIn(p, srv.url, 'director@example.com');
  const asked = await asking;
  await p.locator('.tile .spark svg polyline').first().waitFor();
  const series = (await api(srv.url, tok.director, 'GET', new URL(asked.url()).pathname + new URL(asked.url()).search)).json.series;
  const drawn = await lines(p);
  assert.equal(drawn.length, 7);
  for (const d of drawn) {
    const values = series.map((s) => s.kpis[d.kpi].value);
    assert.match(d.label, /, month by month$/);
    // runs of months with a value, each a polyline
    const runs = [];
    values.forEach((v, i) => { if (v === null) { if (runs.at(-1)?.length) runs.push([]); } else (runs.at(-1) ?? runs[runs.push([]) - 1]).push(i); });
    const want = runs.filter((r) => r.length);
    assert.equal(d.runs.length, want.length, `${d.kpi}: ${JSON.stringify(values)}`);
    const pts = d.runs.flat(), idx = want.flat();
    assert.equal(pts.length, idx.length, d.kpi);
    for (let k = 1; k < pts.length; k++) {
      assert.ok(pts[k][0] > pts[k - 1][0], `${d.kpi}: months left to right`);
      const [a, b] = [values[idx[k - 1]], values[idx[k]]];
      if (a !== b) assert.equal(pts[k][1] < pts[k - 1][1], b > a, `${d.kpi}: month ${idx[k]} ${b > a ? 'above' : 'below'} month ${idx[k - 1]}`);
    }
    for (const [x, y] of pts) assert.ok(x > 0 && x < 100 && y >= 0 && y <= 36, `${d.kpi}: inside the tile (${x}, ${y})`);
  }
  assert.deepEqual(p.problems, []);
  await p.context().close();
});

test('the dashboard at 1280, 820 and 390 px: every panel in, it fits', async () => {
  for (const width of [1280, 820, 390]) {
    const p = await newPage(browser, width, 900);
    await signIn(p, srv.url, 'director@example.com');
    await p.locator('.tile .spark svg polyline').first().waitFor();
    await p.getByRole('img', { name: 'Portfolio matrix' }).locator('canvas').waitFor();
    await p.getByRole('img', { name: 'Revenue by month' }).locator('canvas').waitFor();
    await p.locator('ul.alerts li').first().waitFor();
    await p.locator('section:has(#w-title) tbody tr').first().waitFor();
    await p.waitForFunction(() => !document.querySelector('.dashboard .loading'));
    await p.waitForTimeout(300);
    await fits(p, `dashboard at ${width}`);
    await screenshot(p, `web20-dashboard-${width}`);
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});
