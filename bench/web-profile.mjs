// Where a dashboard load's main-thread time goes, by function: a CPU profile of each of LOADS
// loads (Chrome DevTools Protocol, Profiler.start/stop around the navigation, 250 µs samples),
// summed and printed per load: the functions with most time of their own, and those with most
// time under them. "(program)" is the browser's own work outside JavaScript (document commit,
// style, layout, paint); "(idle)" is waiting. The profiler slows a page: read what runs and its
// share, and take durations from bench/web.sh or bench/web-waterfall.mjs.
//   node bench/web-profile.mjs URL [LOADS]
// URL is a running `kam serve` whose database has the director of the demo data (kam demo).
import { warmDashboard } from './dashboard-page.mjs';

const [url, loads = '6'] = process.argv.slice(2);
if (!url) { console.error('usage: web-profile.mjs URL [LOADS]'); process.exit(2); }
// a load is done when the workload's rows, the alerts and the matrix's canvas are in
const done = (page) => page.waitForFunction(() => document.querySelector('section:has(#w-title) tbody tr') && document.querySelector('ul.alerts')
  && document.querySelector('section[aria-labelledby=m-title] canvas'), null, { timeout: 120000, polling: 'raf' });
const { browser, ctx, page } = await warmDashboard(url, { done });

const cdp = await ctx.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
const self = new Map(), total = new Map();
let all = 0;
const add = (m, k, us) => m.set(k, (m.get(k) || 0) + us);
for (let i = 0; i < Number(loads); i++) {
  await page.goto('about:blank');
  await cdp.send('Profiler.start');
  await page.goto(url + '/#/', { waitUntil: 'commit' });
  await done(page);
  const { profile } = await cdp.send('Profiler.stop');
  const node = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber + 1}`;
  profile.samples.forEach((id, k) => {
    const us = profile.timeDeltas[k] || 0;
    all += us;
    add(self, name(node.get(id)), us);
    const seen = new Set(); // a function counted once per sample, however deep it recurses
    for (let p = id; p !== undefined; p = parent.get(p)) {
      const n = name(node.get(p));
      if (!seen.has(n)) { seen.add(n); add(total, n, us); }
    }
  });
}
await browser.close();

const n = Number(loads);
const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([f, us]) => `  ${(us / n / 1000).toFixed(1).padStart(7)}  ${f}`).join('\n');
console.log(`${n} dashboard loads on ${url}: ${(all / n / 1000).toFixed(1)} ms of samples a load`);
console.log(`most time of their own (ms a load):\n${top(self, 25)}`);
console.log(`most time under them (ms a load):\n${top(total, 40)}`);
