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

// The matrix as drawn, checked against the explained answer m of the same period: each key
// account's bubble where the chart's own scale puts its attractiveness and strength, in its
// health's colour and at its revenue's size (as "x y colour size"; drawn, want), and the pixels
// on the canvas around every bubble that no other touches: its colour inside, none just outside
// its edge, and each bubble's middle that no later one covers in its colour (checked, tops: how
// many). Also each bubble's place [account id, name, x, y, size] in the
// canvas's CSS px, for the mouse.
const BANDS = { good: '#1a7f37', fair: '#bf8700', poor: '#cf222e', none: '#8c959f' };
const drawn = (p, compact, m) => p.evaluate(async ([compact, items, BANDS]) => {
  const app = document.querySelector('script[type=module]').src;
  const { matrixLayout } = await import(new URL('matrix.js', app).href);
  const c = document.querySelector('[aria-label="Portfolio matrix"] canvas');
  const lay = matrixLayout(compact, c.clientWidth, c.clientHeight);
  const id = compact.fields.indexOf('account_id'), nm = compact.fields.indexOf('name');
  const key = (x, y, colour, d) => `${x.toFixed(2)} ${y.toFixed(2)} ${colour} ${d}`;
  const drawnNow = lay.bubbles.map((b) => key(b.x, b.y, b.colour, b.d)).sort();
  const size = (revenue) => 2 * Math.round((10 + Math.sqrt(Math.max(revenue, 0)) / 400) / 2);
  const band = (h) => (h == null ? BANDS.none : h >= 70 ? BANDS.good : h >= 50 ? BANDS.fair : BANDS.poor);
  const want = items.map((i) => key(lay.x(i.attractiveness.value), lay.y(i.strength.value ?? 0), band(i.health), size(i.revenue))).sort();
  // the pixels (the canvas is transparent where nothing is drawn; a bubble is painted at 80%):
  // inside a lone bubble the nearest of the four colours is its own, just outside it nothing
  // half-transparent (lines and labels are opaque)
  const k = c.width / c.clientWidth, px = c.getContext('2d').getImageData(0, 0, c.width, c.height);
  const rgba = (x, y) => { const o = (Math.round(y * k) * c.width + Math.round(x * k)) * 4; return [...px.data.slice(o, o + 4)]; };
  const pure = Object.values(BANDS).map((h) => [h, [1, 3, 5].map((j) => parseInt(h.slice(j, j + 2), 16))]);
  const near = (c4) => pure.map(([h, t]) => [h, Math.hypot(...t.map((v, j) => v - c4[j]))]).sort((a, b) => a[1] - b[1])[0][0];
  const { box } = lay, bs = lay.bubbles;
  let checked = 0;
  const bad = [];
  for (const b of bs) {
    const r = b.d / 2;
    if (b.x - r - 3 < box.x0 || b.x + r + 3 > box.x1 || b.y - r - 3 < box.y0 || b.y + r + 3 > box.y1) continue;
    if (bs.some((o) => o !== b && Math.hypot(o.x - b.x, o.y - b.y) < r + o.d / 2 + 3)) continue;
    checked++;
    for (const [dx, dy] of [[0, 0], [r - 2, 0], [0, r - 2], [-(r - 2), 0]]) {
      const c4 = rgba(b.x + dx, b.y + dy);
      if (c4[3] === 0 || near(c4) !== b.colour) bad.push(`inside ${b.x},${b.y}+${dx},${dy}: ${c4} not ${b.colour}`);
    }
    for (const [dx, dy] of [[r + 2, 0], [-(r + 2), 0], [0, r + 2]]) {
      const c4 = rgba(b.x + dx, b.y + dy);
      if (c4[3] > 0 && c4[3] < 255) bad.push(`outside ${b.x},${b.y}+${dx},${dy}: ${c4}`);
    }
  }
  // and every bubble whose middle no later one covers (away from the quadrants' names, which
  // are written over the bubbles): its colour there, over whatever it covers
  let tops = 0;
  bs.forEach((b, i) => {
    if (b.y < box.y0 + 20 || b.y > box.y1 - 20 || b.x < box.x0 || b.x > box.x1) return;
    if (bs.slice(i + 1).some((o) => Math.hypot(o.x - b.x, o.y - b.y) < o.d / 2 + 1)) return;
    tops++;
    const c4 = rgba(b.x, b.y);
    if (c4[3] === 0 || near(c4) !== b.colour) bad.push(`middle ${b.x},${b.y}: ${c4} not ${b.colour}`);
  });
  const places = bs.map((b) => { const r = compact.rows[b.row]; return [r[id], r[nm], b.x, b.y, b.d]; });
  return { drawn: drawnNow, want, checked, tops, bad, places, box };
}, [compact, m.items, BANDS]);

// the compact answer of the period the dashboard asked
const compactOf = async (base, token, period) => (await api(base, token, 'GET', `/api/v1/portfolio/matrix?${period}&form=compact`)).json;

// Revenue by month as drawn: a bar for each month with revenue, left to right, a higher one
// for more (read from the canvas's pixels); hovering each month names it with its revenue as
// the tiles write money.
async function revenueBars(p, base, token) {
  const chart = p.getByRole('img', { name: 'Revenue by month' });
  await chart.locator('canvas').waitFor();
  const q = new URL(await p.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.includes('interval=month'))));
  const series = (await api(base, token, 'GET', q.pathname + q.search)).json.series;
  const currency = (await api(base, token, 'GET', q.pathname + q.search.replace('&interval=month', ''))).json.currency;
  const bars = await p.evaluate(() => {
    const c = document.querySelector('[aria-label="Revenue by month"] canvas');
    const k = c.width / c.clientWidth, d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const blue = (x, y) => { const o = (y * c.width + x) * 4; return Math.abs(d[o] - 0x15) + Math.abs(d[o + 1] - 0x65) + Math.abs(d[o + 2] - 0xc0) < 30; };
    const out = []; // [left, right, top] of each run of columns with the bars' blue, in CSS px
    for (let x = 0; x < c.width; x++) {
      let top = -1;
      for (let y = 0; y < c.height; y++) if (blue(x, y)) { top = y; break; }
      if (top < 0) continue;
      if (out.length && out.at(-1)[1] === (x - 1) / k) { out.at(-1)[1] = x / k; out.at(-1)[2] = Math.min(out.at(-1)[2], top / k); } else out.push([x / k, x / k, top / k]);
    }
    return out;
  });
  const values = series.map((s) => s.kpis.revenue.value);
  const shown = values.filter((v) => v !== null && v !== 0);
  assert.equal(bars.length, shown.length, `a bar for each month with revenue (or credit notes): ${JSON.stringify(values)}`);
  // two months a pixel apart or less can share a top row (the demo's are 1% apart on
  // some days): those must end within a few pixels of each other; others, higher for more
  const near = 0.02 * Math.max(...shown.map(Math.abs));
  for (let i = 1; i < bars.length; i++) {
    if (!(shown[i] > 0 && shown[i - 1] > 0)) continue;
    const why = `bar ${i} against ${i - 1}: ${JSON.stringify(shown)} ${JSON.stringify(bars)}`;
    if (Math.abs(shown[i] - shown[i - 1]) > near) assert.equal(bars[i][2] < bars[i - 1][2], shown[i] > shown[i - 1], why);
    else assert.ok(Math.abs(bars[i][2] - bars[i - 1][2]) <= 4, why);
  }
  const box = await chart.boundingBox();
  const { money } = await import('../../web/format.js');
  const nf = (v) => money(v, currency);
  const seen = [];
  for (const [l, r] of bars) {
    await p.mouse.move(box.x + (l + r) / 2, box.y + box.height / 2);
    await chart.locator('.plot-tip').waitFor();
    seen.push(await chart.locator('.plot-tip').innerText());
  }
  const months = series.map((s, i) => [s.period.from.slice(0, 7), values[i]]).filter(([, v]) => v !== null && v !== 0);
  assert.deepEqual(seen.map((t) => t.split('\n')), months.map(([m, v]) => [m, nf(v)]));
  await p.mouse.move(0, 0);
  return Math.min(...shown);
}

test('the matrix at 1,500 accounts: every key account drawn where the API places it, coloured by health; a bubble names and opens its account; a quadrant count opens its list', async () => {
  const { p, period } = await dashboard(srv.url);
  const m = (await api(srv.url, tok.big, 'GET', `/api/v1/portfolio/matrix?${period}`)).json;
  assert.ok(m.items.length > 300, `${m.items.length} key accounts`);
  const d = await drawn(p, await compactOf(srv.url, tok.big, period), m);
  assert.deepEqual(d.drawn, d.want, 'every key account, at its place, colour and size');
  assert.deepEqual(d.bad, [], 'the canvas shows each lone bubble in its colour, at its size');
  assert.ok(d.checked >= 3 && d.tops >= 100, `${d.checked} lone bubbles and ${d.tops} middles checked on the canvas`);

  // the quadrant counts: on the links and in the chart's quadrants, as the API counts them
  for (const [seg, n] of Object.entries(m.counts))
    assert.equal(await p.locator(`a.quad[data-segment=${seg}] strong`).textContent(), String(n), seg);

  // a bubble no other covers the middle of: hovering it names its account, a click opens it
  const spots = d.places;
  const alone = spots.find(([id0, , x, y]) => y > 30 && !spots.some(([id1, , x1, y1, size]) => id1 !== id0 && Math.hypot(x - x1, y - y1) < size / 2 + 3));
  assert.ok(alone, 'a bubble with no other over its middle');
  const [id, name, x, y] = alone;
  const box = await p.getByRole('img', { name: 'Portfolio matrix' }).boundingBox();
  await p.mouse.move(box.x + x, box.y + y);
  await p.getByRole('img', { name: 'Portfolio matrix' }).getByText(name).waitFor();
  await p.mouse.click(box.x + x, box.y + y);
  await p.waitForFunction((h) => location.hash === h, `#/accounts/${id}`);
  await p.locator('.account-head h1', { hasText: name }).waitFor();

  // a name that is markup is shown as its text in the bubble's tooltip, nothing of it run
  const acc = await api(srv.url, tok.big, 'GET', `/api/v1/accounts/${id}`);
  const evil = '<img src=x onerror="window.pwned=1">Evil & Co';
  assert.equal((await api(srv.url, tok.big, 'PATCH', `/api/v1/accounts/${id}`, { name: evil }, { 'If-Match': acc.headers.get('etag') })).status, 200);
  await p.goto(`${srv.url}/#/`);
  await p.getByRole('img', { name: 'Portfolio matrix' }).locator('canvas').waitFor();
  await p.locator('a.quad').first().waitFor();
  await p.mouse.move(box.x + x, box.y + y);
  const tip = p.getByRole('img', { name: 'Portfolio matrix' }).locator('.plot-tip');
  await tip.getByText(evil, { exact: true }).waitFor();
  assert.equal(await tip.locator('img').count(), 0);
  assert.equal(await p.evaluate(() => window.pwned), undefined);
  assert.equal((await api(srv.url, tok.big, 'PATCH', `/api/v1/accounts/${id}`, { name }, { 'If-Match': (await api(srv.url, tok.big, 'GET', `/api/v1/accounts/${id}`)).headers.get('etag') })).status, 200);

  // a click on a quadrant of the chart, away from any bubble, opens the list of its segment
  const sp = m.splits, g = d.box;
  const px = (v) => g.x0 + ((g.x1 - g.x0) * v) / 100, py = (v) => g.y1 - ((g.y1 - g.y0) * v) / 100;
  const quads = [['maintain', sp.attractiveness / 2, (100 + sp.strength) / 2], ['streamline', sp.attractiveness / 2, sp.strength / 2],
    ['strategic', (100 + sp.attractiveness) / 2, (100 + sp.strength) / 2], ['develop', (100 + sp.attractiveness) / 2, sp.strength / 2]]
    .map(([seg, qx, qy]) => [seg, px(qx), py(qy)]);
  const empty = quads.find(([, qx, qy]) => !spots.some(([, , x1, y1, size]) => Math.hypot(qx - x1, qy - y1) < size / 2 + 3));
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
  // a month of the demo with more credit notes than sales: its bar goes down from 0
  const d = new Date();
  d.setUTCDate(15);
  d.setUTCMonth(d.getUTCMonth() - 3);
  const acc = (await api(small.url, tok.small, 'GET', '/api/v1/accounts?limit=1')).json.items[0];
  const credit = await api(small.url, tok.small, 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on: d.toISOString().slice(0, 10), amount: -500000000, currency: 'EUR' });
  assert.equal(credit.status, 201, credit.text);
  for (const [label, base, token] of [['big', srv.url, tok.big], ['demo', small.url, tok.small]]) {
    for (const width of [1280, 820, 390]) {
      const { p, period } = await dashboard(base, width);
      await p.locator('section:has(#w-title) tbody tr').first().waitFor();
      await p.locator('[data-kpi=revenue] .value').filter({ hasText: /\d/ }).waitFor();
      await p.waitForTimeout(300);
      if (label === 'demo' && width === 1280) {
        const m = (await api(base, token, 'GET', `/api/v1/portfolio/matrix?${period}`)).json;
        const d = await drawn(p, await compactOf(base, token, period), m);
        assert.deepEqual(d.drawn, d.want);
        assert.deepEqual(d.bad, []);
        assert.ok(d.checked >= 1 && d.tops >= 5, `${d.checked} lone bubbles and ${d.tops} middles checked on the canvas`);
        assert.ok(await revenueBars(p, base, token) < 0, 'a month below 0 in the demo');
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
