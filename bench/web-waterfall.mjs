// Where one dashboard load's time goes, for bench/web.sh's dashboard row: the moments the
// page reached (app booted, session shown, each panel in, each chart drawn), every request
// of the load with its start, request sent, first byte and last byte (ms from navigation
// start), and optionally a Chrome trace of the last load (open it in chrome://tracing or
// Perfetto; bench/README.md says what to look for).
//   node bench/web-waterfall.mjs URL [LOADS] [trace.json]
// URL is a running `kam serve` whose database has the director of the demo data (kam demo).
import { warmDashboard } from './dashboard-page.mjs';

const [url, loads = '10', tracefile] = process.argv.slice(2);
if (!url) { console.error('usage: web-waterfall.mjs URL [LOADS] [trace.json]'); process.exit(2); }
// the first animation frame at which each part is on screen (as bench/web.mjs's probe)
const probe = () => {
  window.__t = {};
  const drawn = (c) => {
    if (!c || !c.width || !c.height) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 28) if (d[i]) return true;
    return false;
  };
  const checks = {
    boot: () => !!document.querySelector('#app')?.firstChild,
    session: () => !!document.querySelector('nav[aria-label=Main]'),
    tiles: () => document.querySelectorAll('.tiles [data-kpi] .value').length >= 6 && !document.querySelector('.tiles .loading'),
    sparks: () => document.querySelectorAll('.tiles [data-kpi] .spark svg, .tiles [data-kpi] .spark canvas').length >= 7,
    matrix: () => drawn(document.querySelector('section[aria-labelledby=m-title] .chart canvas')),
    revenue: () => drawn(document.querySelector('section[aria-labelledby=r-title] .chart canvas')),
    alerts: () => !!document.querySelector('ul.alerts'),
    work: () => document.querySelectorAll('section:has(#w-title) tbody tr').length > 0,
  };
  const tick = () => {
    for (const [k, f] of Object.entries(checks)) {
      if (window.__t[k] !== undefined) continue;
      try { if (f()) window.__t[k] = performance.now(); } catch { /* not there yet */ }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};
const parts = ['tiles', 'sparks', 'matrix', 'revenue', 'alerts', 'work'];
const done = (page) => page.waitForFunction((ks) => ks.every((k) => window.__t[k] !== undefined), parts, { timeout: 120000, polling: 50 });
const { browser, page } = await warmDashboard(url, { init: probe, done });
const runs = [];
for (let i = 0; i < Number(loads); i++) {
  await page.goto('about:blank');
  const tracing = tracefile && i === Number(loads) - 1;
  if (tracing) {
    await browser.startTracing(page, { path: tracefile, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline',
      'disabled-by-default-devtools.timeline.frame', 'v8.execute', 'blink.user_timing', 'loading', 'toplevel'] });
  }
  await page.goto(url + '/#/', { waitUntil: 'commit' });
  await done(page);
  if (tracing) await browser.stopTracing();
  runs.push(await page.evaluate(() => ({
    t: window.__t,
    res: performance.getEntriesByType('resource').map((e) => ({ name: e.name.replace(/^https?:\/\/[^/]+/, ''), start: e.startTime,
      sent: e.requestStart, first: e.responseStart, last: e.responseEnd, bytes: e.encodedBodySize })),
  })));
}
await browser.close();

const f = (v) => (v == null ? '–' : v.toFixed(1)).padStart(7);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const last = runs.at(-1);
console.log(`last load${tracefile ? ' (traced: slower)' : ''}: ms from navigation start`);
console.log('  ' + Object.entries(last.t).sort((a, b) => a[1] - b[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(' · '));
console.log(`  ${'request'.padEnd(66)} ${'start'.padStart(7)} ${'sent'.padStart(7)} ${'first'.padStart(7)} ${'last'.padStart(7)}   bytes`);
for (const e of last.res.filter((r) => !r.name.startsWith('/app/'))) {
  console.log(`  ${e.name.slice(0, 66).padEnd(66)} ${f(e.start)} ${f(e.sent)} ${f(e.first)} ${f(e.last)} ${String(e.bytes).padStart(7)}`);
}
const files = last.res.filter((r) => r.name.startsWith('/app/'));
console.log(`  and ${files.length} files of the app (/app/BUILD/, cached for good), the last one in at ${f(Math.max(...files.map((r) => r.last))).trim()}`);
const api = (r) => r.res.filter((e) => e.name.startsWith('/api/'));
console.log(`\nmedians of ${runs.length} loads: ` + ['boot', 'session', ...parts].map((k) => `${k} ${med(runs.map((r) => r.t[k])).toFixed(1)}`).join(' · '));
console.log(`  first API request ${med(runs.map((r) => Math.min(...api(r).map((e) => e.start)))).toFixed(1)} · last API byte ${med(runs.map((r) => Math.max(...api(r).map((e) => e.last)))).toFixed(1)}` +
  ` · all parts in ${med(runs.map((r) => Math.max(...parts.map((k) => r.t[k])))).toFixed(1)}`);
