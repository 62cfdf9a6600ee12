// The director's dashboard at a scale bigger than the demo (issue 20): 1,500 accounts, some
// 400 key accounts, 187 KAMs. The matrix draws every key account where the API places it,
// coloured by its health and sized by its revenue; a bubble names its account and opens it;
// the quadrant counts are the API's and open the filtered list; the workload shows the
// busiest KAMs first and all of them on request, each figure opening that KAM's My work.
// Screenshots at 1280, 820 and 390 px go to tests/out/dash20-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, fits, screenshot, signedIn } from '../lib/browser.mjs';
import { serve, api, demoDb, kam, PG, createDb } from '../lib/harness.mjs';

let t, db, big, srv, small, browser;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  big = PG ? createDb() : join(t.dir, 'big.db');
  kam(['demo', '--db', big, '--accounts', '1500', '--contacts', '1500', '--transactions', '20000']);
  tok.big = kam(['token', 'create', '--email', 'director@example.com', '--name', 'dash20', '--db', big]).trim();
  tok.small = kam(['token', 'create', '--email', 'director@example.com', '--name', 'dash20', '--db', db]).trim();
  srv = await serve(big, { KAM_JOB_INTERVAL: '3600' });
  small = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  // a capacity of 2 key accounts: some KAMs are over it, as the busiest should be
  const s = await api(srv.url, tok.big, 'GET', '/api/v1/settings');
  assert.equal((await api(srv.url, tok.big, 'PATCH', '/api/v1/settings', { kam_capacity: 2 }, { 'If-Match': s.headers.get('etag') })).status, 200);
  await api(srv.url, tok.big, 'POST', '/api/v1/alerts/evaluate');
  await api(small.url, tok.small, 'POST', '/api/v1/alerts/evaluate');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of [srv, small]) if (s) assert.equal(await s.stop(), 0, s.log().slice(-3000));
  t.rm();
});

// the dashboard of base, and the matrix question it asked (its period)
async function dashboard(base, width = 1280) {
  const p = await signedIn(browser, base, 'director@example.com', width);
  const asked = p.waitForRequest((r) => r.url().includes('/api/v1/portfolio/matrix'));
  await p.goto(`${base}/#/`);
  await p.reload();
  const url = new URL((await asked).url());
  await p.getByRole('img', { name: 'Portfolio matrix' }).locator('canvas').waitFor();
  await p.locator('a.quad').first().waitFor();
  return { p, period: `from=${url.searchParams.get('from')}&to=${url.searchParams.get('to')}` };
}

// what the chart draws: each bubble as "x y colour size", read from ECharts
const drawn = (p) => p.evaluate(async () => {
  const app = document.querySelector('script[type=module]').src;
  const echarts = await import(new URL('vendor-echarts.js', app).href);
  const chart = echarts.getInstanceByDom(document.querySelector('[aria-label="Portfolio matrix"]'));
  const out = [];
  for (const s of chart.getOption().series) {
    for (const d of s.data) {
      const v = Array.isArray(d) ? d : d.value;
      const colour = d.itemStyle?.color ?? s.itemStyle?.color;
      const size = typeof s.symbolSize === 'function' ? s.symbolSize(v) : s.symbolSize;
      out.push(`${v[0]} ${v[1]} ${colour} ${Math.round(size)}`);
    }
  }
  return out.sort();
});

// what the explained answer says should be drawn: health colours as on the accounts list,
// bubble area by revenue (in steps of 2 px)
const size = (revenue) => 2 * Math.round((10 + Math.sqrt(Math.max(revenue, 0)) / 400) / 2);
const band = (h) => (h == null ? '#8c959f' : h >= 70 ? '#1a7f37' : h >= 50 ? '#bf8700' : '#cf222e');
const expected = (m) => m.items.map((i) => `${i.attractiveness.value} ${i.strength.value ?? 0} ${band(i.health)} ${size(i.revenue)}`).sort();

test('the matrix at 1,500 accounts: every key account drawn where the API places it, coloured by health; a bubble names and opens its account; a quadrant count opens its list', async () => {
  const { p, period } = await dashboard(srv.url);
  const m = (await api(srv.url, tok.big, 'GET', `/api/v1/portfolio/matrix?${period}`)).json;
  assert.ok(m.items.length > 300, `${m.items.length} key accounts`);
  assert.deepEqual(await drawn(p), expected(m), 'every key account, at its place, colour and size');

  // the quadrant counts: on the links and in the chart's quadrants, as the API counts them
  for (const [seg, n] of Object.entries(m.counts))
    assert.equal(await p.locator(`a.quad[data-segment=${seg}] strong`).textContent(), String(n), seg);

  // a bubble no other covers the middle of: hovering it names its account, a click opens it
  const spots = await p.evaluate(async (items) => {
    const app = document.querySelector('script[type=module]').src;
    const echarts = await import(new URL('vendor-echarts.js', app).href);
    const chart = echarts.getInstanceByDom(document.querySelector('[aria-label="Portfolio matrix"]'));
    return items.map((i) => [i.account_id, i.name, ...chart.convertToPixel({ gridIndex: 0 }, [i.attractiveness.value, i.strength.value ?? 0]),
      2 * Math.round((10 + Math.sqrt(Math.max(i.revenue, 0)) / 400) / 2)]);
  }, m.items);
  const alone = spots.find(([id0, , x, y]) => y > 30 && !spots.some(([id1, , x1, y1, size]) => id1 !== id0 && Math.hypot(x - x1, y - y1) < size / 2 + 3));
  assert.ok(alone, 'a bubble with no other over its middle');
  const [id, name, x, y] = alone;
  const box = await p.getByRole('img', { name: 'Portfolio matrix' }).boundingBox();
  await p.mouse.move(box.x + x, box.y + y);
  await p.getByRole('img', { name: 'Portfolio matrix' }).getByText(name).waitFor();
  await p.mouse.click(box.x + x, box.y + y);
  await p.waitForFunction((h) => location.hash === h, `#/accounts/${id}`);
  await p.locator('.account-head h1', { hasText: name }).waitFor();

  // a click on a quadrant of the chart, away from any bubble, opens the list of its segment
  await p.goBack();
  await p.locator('a.quad').first().waitFor();
  const sp = m.splits;
  const quads = [['maintain', sp.attractiveness / 2, (100 + sp.strength) / 2], ['streamline', sp.attractiveness / 2, sp.strength / 2],
    ['strategic', (100 + sp.attractiveness) / 2, (100 + sp.strength) / 2], ['develop', (100 + sp.attractiveness) / 2, sp.strength / 2]];
  const empty = await p.evaluate(async ([qs, pts]) => {
    const app = document.querySelector('script[type=module]').src;
    const echarts = await import(new URL('vendor-echarts.js', app).href);
    const chart = echarts.getInstanceByDom(document.querySelector('[aria-label="Portfolio matrix"]'));
    for (const [seg, x, y] of qs) {
      const [px, py] = chart.convertToPixel({ gridIndex: 0 }, [x, y]);
      if (!pts.some(([, , x1, y1, size]) => Math.hypot(px - x1, py - y1) < size / 2 + 3)) return [seg, px, py];
    }
    return null;
  }, [quads, spots]);
  assert.ok(empty, 'a quadrant with room between its bubbles');
  await p.mouse.click(box.x + empty[1], box.y + empty[2]);
  await p.waitForFunction((h) => location.hash === h, `#/accounts?segment=${empty[0]}`);
  await p.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  assert.equal(await p.getByLabel('Segment').inputValue(), empty[0]);

  // the smallest quadrant with key accounts opens the accounts list of that segment, all of them
  await p.goBack();
  await p.locator('a.quad').first().waitFor();
  const [seg, n] = Object.entries(m.counts).filter(([, k]) => k > 0).sort((a, b) => a[1] - b[1])[0];
  await p.locator(`a.quad[data-segment=${seg}]`).click();
  await p.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  assert.equal(await p.getByLabel('Segment').inputValue(), seg);
  for (;;) {
    await p.waitForFunction(() => !/^0 /.test(document.querySelector('.count')?.textContent ?? '0 '));
    const more = p.getByRole('button', { name: 'Show more' });
    if (!(await more.isVisible())) break;
    const had = await p.locator('table.accounts tbody tr').count();
    await more.click();
    await p.waitForFunction((k) => document.querySelectorAll('table.accounts tbody tr').length > k, had);
  }
  assert.match(await p.locator('.count').textContent(), new RegExp(`^${n} accounts? match`));
  for (const s of await p.locator('table.accounts tbody tr td:nth-child(3)').allTextContents()) assert.equal(s, seg);
  assert.deepEqual(p.problems, []);
});

test('the workload of 187 KAMs: the 10 busiest first, Show all lists every KAM with the API\'s figures, a figure opens that KAM\'s My work', async () => {
  const { p } = await dashboard(srv.url);
  const work = (await api(srv.url, tok.big, 'GET', '/api/v1/kams/workload')).json.items;
  assert.equal(work.length, 187);
  // busiest: over capacity, then the most overdue actions, then the most key accounts
  const busiest = [...work].sort((a, b) => (b.over_capacity - a.over_capacity) || (b.overdue_actions - a.overdue_actions) || (b.key_accounts - a.key_accounts));
  assert.ok(busiest[0].over_capacity, 'some KAM is over capacity');
  const section = p.locator('section:has(#w-title)');
  const rows = section.locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 10);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.kam))), busiest.slice(0, 10).map((w) => w.user_id));
  assert.match(await section.locator('.work-more').textContent(), /The 10 busiest of 187 KAMs/);
  await section.getByRole('button', { name: 'Show all' }).click();
  await p.waitForFunction(() => document.querySelectorAll('section:has(#w-title) tbody tr').length === 187);
  const cells = await rows.evaluateAll((trs) => trs.map((tr) => [Number(tr.dataset.kam), ...[...tr.cells].map((c) => c.textContent)]));
  assert.deepEqual(cells, busiest.map((w) => [w.user_id, w.name, String(w.key_accounts), String(w.capacity), String(w.overdue_actions)]));
  assert.equal(await section.locator('tr.over').count(), work.filter((w) => w.over_capacity).length);
  // and back to the busiest
  await section.getByRole('button', { name: 'Show the 10 busiest' }).click();
  await p.waitForFunction(() => document.querySelectorAll('section:has(#w-title) tbody tr').length === 10);
  // the key accounts figure of the last of all opens their My work
  await section.getByRole('button', { name: 'Show all' }).click();
  const last = busiest.at(-1);
  await section.locator(`tr[data-kam="${last.user_id}"] td`).nth(1).getByRole('link').click();
  await p.getByRole('heading', { name: `Work of ${last.name}` }).waitFor();
  assert.deepEqual(p.problems, []);
});

test('the dashboard at 1280, 820 and 390 px, large and demo data: it fits, the demo matrix is drawn as the API says, the demo workload has no Show all', async () => {
  for (const [label, base, token] of [['big', srv.url, tok.big], ['demo', small.url, tok.small]]) {
    for (const width of [1280, 820, 390]) {
      const { p, period } = await dashboard(base, width);
      await p.locator('section:has(#w-title) tbody tr').first().waitFor();
      await p.locator('[data-kpi=revenue] .value').filter({ hasText: /\d/ }).waitFor();
      await p.waitForTimeout(300);
      if (label === 'demo' && width === 1280) {
        const m = (await api(base, token, 'GET', `/api/v1/portfolio/matrix?${period}`)).json;
        assert.deepEqual(await drawn(p), expected(m));
        const work = (await api(base, token, 'GET', '/api/v1/kams/workload')).json.items;
        assert.equal(await p.locator('section:has(#w-title) tbody tr').count(), work.length);
        assert.equal(await p.locator('.work-more').count(), 0);
      }
      await fits(p, `${label} dashboard`);
      await screenshot(p, `dash20-${label}-${width}`);
      assert.deepEqual(p.problems, []);
      await p.context().close();
    }
  }
});
