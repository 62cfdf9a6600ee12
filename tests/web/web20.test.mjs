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

// The dashboard's questions, each with whether the shell was on the page when it went out
// (an init script wraps fetch: the page's own view of the moment, not the network's).
const DASH = ['/api/v1/kpis', '/api/v1/portfolio/matrix', '/api/v1/alerts', '/api/v1/kams/workload', '/api/v1/portfolio/at-risk',
  '/api/v1/forecast', '/api/v1/playbook-runs'];
async function watchAsks(p) {
  await p.addInitScript(() => {
    window.__asks = [];
    const f = window.fetch;
    window.fetch = function (u, ...rest) {
      window.__asks.push({ u: String(u), shell: !!document.querySelector('nav[aria-label=Main]') });
      return f.call(this, u, ...rest);
    };
  });
  return () => p.evaluate(() => window.__asks);
}

test('a reload of the dashboard asks its questions as the session comes in, before the shell is drawn, each once', async () => {
  const p = await newPage(browser, 1280, 900);
  const asks = await watchAsks(p);
  const sent = [];
  p.on('request', (r) => { if (r.url().includes('/api/v1/')) sent.push(new URL(r.url()).pathname + new URL(r.url()).search); });
  await signIn(p, srv.url, 'director@example.com');
  await p.goto(srv.url + '/#/dashboard?months=6');
  await p.reload();
  await p.locator('.tile .spark svg polyline').first().waitFor();
  await p.locator('section:has(#w-title) tbody tr').first().waitFor();
  await p.locator('[data-panel=overdue-runs] :is(table, p.muted)').waitFor();
  await p.locator('[data-panel=at-risk] :is(table, p.muted)').waitFor();
  await p.locator('.forecast-tile .value').waitFor();
  const mine = (await asks()).filter((a) => DASH.some((d) => a.u.startsWith(d)));
  // the seven panels' eight questions (the tiles' figures and their months are two), for the
  // period in the URL, all before the shell
  assert.equal(mine.length, 8, JSON.stringify(mine));
  assert.deepEqual(mine.filter((a) => a.shell), [], 'asked only once the shell was on the page');
  assert.ok(mine.some((a) => a.u.startsWith('/api/v1/kpis?') && a.u.includes('interval=month')));
  const from6 = mine.find((a) => a.u.startsWith('/api/v1/kpis?') && !a.u.includes('interval')).u;
  assert.match(from6, /from=(\d{4}-\d\d)-01&/);
  // each question once on the wire: the dashboard took the early answers
  const after = sent.slice(sent.lastIndexOf('/api/v1/session'));
  for (const d of DASH) assert.equal(after.filter((s) => s.startsWith(d) && !s.includes('interval=month')).length, 1, `${d}: ${after.join(', ')}`);
  // and the six months are those of the URL: the same question the period select asks
  const sel = p.getByLabel('Period');
  assert.equal(await sel.inputValue(), '6');
  const next = p.waitForRequest((r) => r.url().includes('/api/v1/kpis?') && !r.url().includes('interval'));
  await sel.selectOption('12');
  const asked12 = new URL((await next).url());
  assert.notEqual(asked12.searchParams.get('from'), new URL(srv.url + from6).searchParams.get('from'));
  await p.locator('[data-kpi=revenue] .value').waitFor();
  assert.deepEqual(p.problems, []);
  await p.context().close();
});

test('a KAM landing on My work, and a director opening another screen, do not ask the dashboard\'s questions', async () => {
  for (const [who, hash, ready] of [['anna@example.com', '#/', 'h1'], ['director@example.com', '#/accounts', 'table tbody tr']]) {
    const p = await newPage(browser, 1280, 900);
    const asks = await watchAsks(p);
    await signIn(p, srv.url, who);
    await p.goto(srv.url + '/' + hash);
    await p.reload();
    await p.locator(ready).first().waitFor();
    await p.waitForTimeout(500);
    const mine = (await asks()).filter((a) => ['/api/v1/kpis', '/api/v1/portfolio/', '/api/v1/kams/workload', '/api/v1/forecast'].some((d) => a.u.startsWith(d)));
    assert.deepEqual(mine, [], `${who} at ${hash}`);
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});

test('an early question that got no reply is asked again by its panel, without a click', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'director@example.com');
  await p.goto(srv.url + '/#/dashboard');
  // only the reload's first at-risk question finds no server; the others are answered while
  // the shell waits for a slow currency table, so the app hears the server back before the
  // panel and the banner are there to listen
  let refused = 0, asked = 0;
  await p.route('**/api/v1/portfolio/at-risk**', (r) => (asked++ === 0 && ++refused ? r.abort('connectionrefused') : r.continue()));
  await p.route('**/api/v1/currencies', (r) => setTimeout(() => r.continue(), 700));
  await p.reload();
  await p.locator('.tile .spark svg polyline').first().waitFor();
  await p.locator('[data-panel=at-risk] :is(table, p.muted)').waitFor({ timeout: 5000 });
  assert.equal(refused, 1);
  assert.equal(asked, 2, 'asked once more, by the panel');
  assert.equal(await p.locator('[data-panel=at-risk] [role=alert]').count(), 0);
  await p.context().close();
});

test('the page names every module the app imports, so chromium asks for all of them as it reads the head', async () => {
  const p = await newPage(browser, 1280, 900);
  await p.goto(srv.url + '/');
  await p.getByLabel('E-mail').waitFor();
  const { links, loaded } = await p.evaluate(() => ({
    links: [...document.querySelectorAll('link[rel=modulepreload]')].map((l) => new URL(l.href).pathname.split('/').pop()),
    loaded: performance.getEntriesByType('resource').filter((e) => /^\/app\/[^/]+\/[^/]+\.js$/.test(new URL(e.name).pathname))
      .map((e) => ({ file: new URL(e.name).pathname.split('/').pop(), start: e.startTime, end: e.responseEnd })),
  }));
  assert.equal(new Set(links).size, links.length, `no module named twice: ${links}`);
  assert.ok(!links.includes('vendor-echarts.js'), 'ECharts is loaded by the screens that draw with it, not at start');
  // every module the page ran, but app.js (the page's own script), was named by a link, and
  // every link named a module it ran; each was asked before app.js was in, so none waited
  // for its importer to be read
  const app = loaded.find((l) => l.file === 'app.js'), others = loaded.filter((l) => l !== app);
  assert.deepEqual(others.map((l) => l.file).sort(), [...links].sort());
  assert.deepEqual(others.filter((l) => l.start >= app.end), [], `asked after app.js was in (${app.end} ms)`);
  assert.ok(links.includes('dashboard.js') && links.includes('vendor-preact-htm.js') && links.length > 30, links.join(' '));
  assert.deepEqual(p.problems, []);
  await p.context().close();
});
