// Time to a rendered screen in headless chromium (playwright-core driving Debian's
// /usr/bin/chromium), for bench/web.sh.
//   node bench/web.mjs measure URL RUNS OUT.json   one server: sign in, then each screen RUNS+1 times
//   node bench/web.mjs report LABEL=OUT.json ...   the table, first file first
//
// A probe injected before the app's scripts checks, on every animation frame, whether each
// screen's "rendered" condition holds and records performance.now() (ms since the navigation
// started) the first time it does. The conditions only hold once the data has arrived and
// been drawn:
//   dashboard  the KPI tiles and the forecast tile, the revenue tile showing a number, each KPI tile's
//              line of months drawn, the portfolio matrix canvas with pixels drawn on it, the
//              revenue chart likewise, the open-alerts list and the workload table;
//   account    the account header: name, tier, and the health score as a number;
//   accounts   the table with min(50, all accounts) rows, Score column marked sorted;
//   sorted     after a click on the Account column: the rows in descending name order;
//   floor      /healthz (a few bytes of JSON from the same server) shown as text;
//   shell      the login form of the app (no session: HTML, CSS and the JS modules).
import { chromium } from 'playwright-core';
import { writeFileSync, readFileSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const EMAIL = 'director@example.com';
const PASSWORD = 'demo-password-1';

// Runs in the page, before the app; window.__t[name] = first frame the condition held.
function probe() {
  window.__t = {};
  const vis = (el) => !!el && (el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null);
  const drawn = (canvas) => {
    if (!canvas || !canvas.width || !canvas.height) return false;
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < d.length; i += 4 * 7) if (d[i]) return true;
    return false;
  };
  const checks = {
    floor: () => location.pathname === '/healthz' && vis(document.body) && /ok/.test(document.body.innerText),
    shell: () => vis(document.querySelector('main.login form button[type=submit]')),
    boot: () => !!document.querySelector('#app')?.firstChild, // the app's first render (Loading…)
    session: () => vis(document.querySelector('nav[aria-label=Main]')), // GET /session answered
    dashboard: () => {
      const tiles = document.querySelectorAll('.tiles [data-kpi] .value');
      // every KPI tile and the forecast tile filled in (none still "Loading…")
      return tiles.length >= 6 && !document.querySelector('.tiles .loading') && /\d/.test(document.querySelector('[data-kpi=revenue] .value').textContent) &&
        vis(document.querySelector('ul.alerts')) &&
        document.querySelectorAll('section:has(#w-title) tbody tr').length > 0 &&
        // every KPI tile's line of months (an ECharts canvas, made and drawn in one task, before
        // 2026-11-29; SVG since; a KPI without a value in any month draws nothing in either)
        document.querySelectorAll('.tiles [data-kpi] .spark svg, .tiles [data-kpi] .spark canvas').length >= 7 &&
        drawn(document.querySelector('section[aria-labelledby=m-title] .chart canvas')) &&
        // panels fill in independently: rendered means all of them, the monthly series too
        drawn(document.querySelector('section[aria-labelledby=r-title] .chart canvas'));
    },
    account: () => {
      const h = document.querySelector('.account-head');
      return vis(h) && h.querySelector('h1')?.textContent.length > 0 && !!h.querySelector('.tier') &&
        /health \d/.test(h.querySelector('.health')?.textContent || '');
    },
    accounts: () => {
      const want = window.__rows;
      const th = document.querySelector('table.accounts th[aria-sort=descending]');
      return !!want && th?.textContent.trim() === 'Score' &&
        document.querySelectorAll('table.accounts tbody tr').length === want &&
        vis(document.querySelector('table.accounts tbody tr'));
    },
    sorted: () => {
      const want = window.__rows;
      const th = document.querySelector('table.accounts th[aria-sort=descending]');
      if (!want || th?.textContent.trim() !== 'Account') return false;
      const names = [...document.querySelectorAll('table.accounts tbody tr td:first-child')].map((e) => e.textContent);
      return names.length === want && names.every((n, i) => i === 0 || names[i - 1] >= n);
    },
  };
  addEventListener('click', () => { window.__t.click = performance.now(); }, true);
  addEventListener('submit', () => { window.__t.submit = performance.now(); }, true);
  const tick = () => {
    for (const [k, f] of Object.entries(checks)) {
      if (window.__t[k] !== undefined) continue;
      try { if (f()) window.__t[k] = performance.now(); } catch { /* not there yet */ }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

const apiPath = (u) => {
  const url = new URL(u);
  return (url.pathname + url.search).replace(/\d{4}-\d{2}-\d{2}/g, 'D')
    .replace(/(accounts\/|account_id=|[?&]id=)\d+/g, '$1{id}').replace(/plans\/\d+/, 'plans/{id}');
};

// the resource timings of the API requests the current document made
async function apiTimings(page) {
  const list = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/api/v1/'))
    .map((e) => ({ name: e.name, start: e.startTime, wait: e.requestStart - e.startTime, ttfb: e.responseStart - e.requestStart,
      total: e.responseEnd - e.startTime, end: e.responseEnd, bytes: e.encodedBodySize })));
  return list.map((e) => ({ ...e, name: apiPath(e.name) }));
}

async function measure(url, runs, out) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const res = { version: browser.version(), runs, screens: {} };
  const record = (name, ms, api = null) => {
    (res.screens[name] ??= { ms: [], api: [] }).ms.push(ms);
    if (api) res.screens[name].api.push(api);
  };
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await ctx.addInitScript(probe);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const wait = async (name, timeout = 120000) => {
    await page.waitForFunction((n) => window.__t && window.__t[n] !== undefined, name, { timeout, polling: 50 });
    return page.evaluate(() => window.__t);
  };
  // navigation from about:blank to `path`, ms until `name` rendered
  const visit = async (path, name) => {
    await page.goto('about:blank');
    await page.goto(url + path, { waitUntil: 'commit' });
    const t = await wait(name);
    return { t, api: await apiTimings(page) };
  };

  // the floor, then the app shell without a session (both before signing in)
  for (let i = 0; i <= runs; i++) record('floor', (await visit('/healthz', 'floor')).t.floor);
  for (let i = 0; i <= runs; i++) record('shell', (await visit('/', 'shell')).t.shell);

  // sign in through the form: the first dashboard of this server, from the click on Sign in
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  let t = await wait('dashboard');
  record('signin', t.dashboard - t.submit, await apiTimings(page));
  res.screens.signin.start = t.submit;

  // the key account with the highest score, and how many rows the accounts table shows
  const top = (await (await page.request.get(`${url}/api/v1/accounts?tier=key&sort=-score&limit=1`)).json()).items[0];
  const rows = (await (await page.request.get(`${url}/api/v1/accounts?sort=-score&limit=50`)).json()).items.length;
  await ctx.addInitScript((n) => { window.__rows = n; }, rows);
  res.account = { id: top.id, name: top.name };
  res.rows = rows;

  // each screen: RUNS+1 navigations from about:blank (the first is reported as cold)
  const steps = { dashboard: ['/#/', 'dashboard'], account: [`/#/accounts/${top.id}`, 'account'], accounts: ['/#/accounts', 'accounts'] };
  for (const [name, [path, cond]] of Object.entries(steps)) {
    for (let i = 0; i <= runs; i++) {
      const v = await visit(path, cond);
      record(name, v.t[cond], v.api);
      if (name === 'accounts') {
        // sort by name: click → rows re-sorted (includes the table's 150 ms search debounce)
        await page.evaluate(() => { window.__t.sorted = undefined; window.__t.click = undefined; });
        const before = (await apiTimings(page)).length;
        await page.getByRole('button', { name: 'Account', exact: true }).click();
        const s = await wait('sorted');
        record('sorted', s.sorted - s.click, (await apiTimings(page)).slice(before));
      }
    }
  }
  res.errors = errors;
  await browser.close();
  writeFileSync(out, JSON.stringify(res));
}

// ---- the report -------------------------------------------------------------------------
const sorted = (a) => [...a].sort((x, y) => x - y);
const median = (a) => { const s = sorted(a); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const p95 = (a) => sorted(a)[Math.ceil(0.95 * a.length) - 1]; // nearest rank
const f = (v) => (v === undefined || v === null || Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));

function report(args) {
  const sets = args.map((a) => { const i = a.indexOf('='); return [a.slice(0, i), JSON.parse(readFileSync(a.slice(i + 1), 'utf8'))]; });
  const [, first] = sets[0];
  const rowsLabel = (r) => `accounts list (${r} rows, by score)`;
  const names = {
    floor: 'floor: about:blank → /healthz as text',
    shell: 'app shell: login form (no session)',
    signin: 'sign in: click → dashboard (first, cold)',
    dashboard: 'dashboard (every panel, both charts drawn)',
    account: 'account 360 header with health score',
    accounts: null,
    sorted: 'accounts: click Account → re-sorted',
  };
  console.log(`chromium ${first.version} headless, 1366×900; ${first.runs} runs per screen after a first (cold) one; ms from navigation start (sign in and sort: from the click); p95 = nearest rank`);
  console.log('cold = a screen\'s first load since the server started (floor, shell: the browser\'s first too; later screens find the app\'s files cached; the dashboard\'s very first load is the sign-in row)');
  const group = (label, w) => { const t = ` ${label} `; const l = Math.floor((w - t.length) / 2); return '─'.repeat(l) + t + '─'.repeat(w - t.length - l); };
  console.log(''.padEnd(42) + sets.map(([label]) => ' │ ' + group(label, 20)).join(''));
  console.log('screen'.padEnd(42) + sets.map(() => ` │ ${'cold'.padStart(6)} ${'median'.padStart(6)} ${'p95'.padStart(6)}`).join(''));
  for (const k of Object.keys(names)) {
    let line = (names[k] ?? rowsLabel(first.rows)).padEnd(42);
    for (const [, d] of sets) {
      const ms = d.screens[k]?.ms ?? [];
      const warm = k === 'signin' ? [] : ms.slice(1);
      line += ` │ ${f(ms[0]).padStart(6)} ${f(warm.length ? median(warm) : undefined).padStart(6)} ${f(warm.length ? p95(warm) : undefined).padStart(6)}`;
    }
    console.log(line);
  }
  for (const [label, d] of sets) {
    if (d.errors?.length) console.log(`${label}: page errors: ${d.errors.join(' | ')}`);
  }

  // where the time goes: each screen's API requests
  console.log('\nAPI requests each screen makes (Resource Timing, ms): median of the warm runs, and the cold run\'s total');
  console.log('  wait = start → request sent (a free one of chromium\'s 6 connections per host, connecting);');
  console.log('  server = request sent → first byte; total = start → last byte; KB = response body as sent');
  const W = 60, cols = ['wait', 'server', 'total', 'KB', 'cold'];
  for (const k of ['signin', 'dashboard', 'account', 'accounts', 'sorted']) {
    console.log(`\n  ${k === 'accounts' ? rowsLabel(first.rows) : names[k]}${k === 'signin' ? ' — one run: only the cold column' : ''}`);
    console.log('  ' + ''.padEnd(W) + sets.map(([label]) => ' │ ' + group(label, 34)).join(''));
    console.log(`  ${'request'.padEnd(W)}` + sets.map(() => ' │ ' + cols.map((c) => c.padStart(6)).join(' ')).join(''));
    const order = [];
    for (const [, d] of sets) for (const run of d.screens[k].api) for (const e of run) if (!order.includes(e.name)) order.push(e.name);
    for (const name of order) {
      let line = `  ${name.length > W ? name.slice(0, W - 1) + '…' : name.padEnd(W)}`;
      for (const [, d] of sets) {
        const es = d.screens[k].api.slice(1).flatMap((run) => run.filter((e) => e.name === name));
        const cold = d.screens[k].api[0]?.find((e) => e.name === name);
        const m = (key) => (es.length ? median(es.map((e) => e[key])) : undefined);
        line += ` │ ${[m('wait'), m('ttfb'), m('total'), es.length ? m('bytes') / 1024 : undefined, cold?.total].map((v) => f(v).padStart(6)).join(' ')}`;
      }
      console.log(line);
    }
    if (k === 'sorted') continue;
    // the last API byte vs the rendered frame: the rest is the app's JS, layout and drawing
    let line = `  ${'last API byte → rendered (ms from navigation start)'.padEnd(W)}`;
    for (const [, d] of sets) {
      const s = d.screens[k];
      const runs = s.api.length > 1 ? s.api.slice(1) : s.api, ms = s.ms.length > 1 ? s.ms.slice(1) : s.ms;
      const last = median(runs.map((run) => Math.max(...run.map((e) => e.end))));
      line += ` │ ${`${f(last)} → ${f(k === 'signin' ? ms[0] + s.start : median(ms))}`.padStart(34)}`;
    }
    console.log(line);
  }
  for (const [label, d] of sets) console.log(`\n${label}: account page measured on ${d.account.name} (id ${d.account.id}), the key account with the highest score`);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'measure') await measure(rest[0], Number(rest[1] || 10), rest[2]);
else if (cmd === 'report') report(rest);
else { console.error('usage: web.mjs measure URL RUNS OUT.json | report LABEL=OUT.json ...'); process.exit(2); }
