// The portfolio dashboard: KPI tiles beside the previous period, the portfolio matrix as a
// bubble chart (click a bubble to open the account), revenue by month, open alerts, workload.
import { html, useState, useEffect, useLayoutEffect, useRef, useMemo } from './vendor-preact-htm.js';
import { Matrix } from './matrix.js';
import { Bars } from './plot.js';
import { onConnection } from './api.js';
import { money, pct, num, change, implausible, NPS_MIN_ANSWERS } from './format.js';
import { setHashQuery } from './hash.js';
import { dashboardMonths, dashboardPaths, getEarly, WORK_TOP } from './early.js';
import { ForecastTile } from './forecast.js';
import { OverdueRuns } from './playbooks.js';

// [name, label, format, kind of change: money, ratio (percentage points) or points]
const TILES = [
  ['revenue', 'Revenue', (v, c) => money(v, c), 'money'],
  ['nrr', 'Net revenue retention', (v) => pct(v), 'ratio'],
  ['grr', 'Gross revenue retention', (v) => pct(v), 'ratio'],
  ['logo_retention', 'Logo retention', (v) => pct(v), 'ratio'],
  ['share_of_wallet', 'Share of wallet', (v) => pct(v), 'ratio'],
  ['nps', 'NPS', (v) => num(v, 0), 'points'],
  ['sla_compliance', 'SLA compliance', (v) => pct(v), 'ratio'],
];

// A KPI's months as a line, drawn as SVG with the tile: seven ECharts instances took ~30 ms
// of every load at 10,000 accounts. Nulls (a month without data) break the line, as in
// ECharts; the y range is the values' own, as ECharts' scale axis; points sit in the middle
// of their month as on a category axis.
const SPARK_H = 36;
function Spark({ values, label }) {
  const ok = values.filter((v) => v !== null && v !== undefined && Number.isFinite(v));
  const lo = Math.min(...ok), hi = Math.max(...ok);
  const x = (i) => 1 + (98 * (i + 0.5)) / values.length;
  const y = (v) => (hi === lo ? SPARK_H / 2 : 4 + ((hi - v) * (SPARK_H - 6)) / (hi - lo));
  const runs = [[]];
  values.forEach((v, i) => {
    if (v === null || v === undefined || !Number.isFinite(v)) { if (runs.at(-1).length) runs.push([]); } else runs.at(-1).push(`${x(i).toFixed(2)},${y(v).toFixed(2)}`);
  });
  return html`<div class="chart spark" role="img" aria-label=${label}><svg viewBox=${`0 0 100 ${SPARK_H}`} preserveAspectRatio="none" aria-hidden="true">
    ${runs.filter((r) => r.length).map((r) => html`<polyline points=${r.join(' ')} fill="none" stroke="#5470c6" stroke-width="1.5" stroke-linejoin="round" vector-effect="non-scaling-stroke" />`)}
  </svg></div>`;
}

function Tile({ name, label, fmt, kind, k, currency, series }) {
  const f = k[name];
  const up = f.value !== null && f.previous !== null && f.value >= f.previous;
  // an NPS of a handful of answers is shown, greyed, with its count
  const thin = name === 'nps' && (f.denominator ?? 0) < NPS_MIN_ANSWERS;
  const odd = implausible(name, f.value);
  const delta = change(f.value, f.previous, kind, currency);
  const spark = useMemo(() => (series || []).map((s) => s.kpis[name].value), [series, name]);
  return html`<section class=${`tile${thin ? ' thin' : ''}${odd ? ' odd' : ''}`} data-kpi=${name} aria-label=${label}>
    <h3>${label}</h3>
    <p class="value">${fmt(f.value, currency)}${odd && html` <span class="flag" title=${odd} aria-label=${odd}>⚠</span>`}</p>
    <p class="prev ${f.previous === null ? '' : up ? 'up' : 'down'}">${delta && html`<span class="delta">${delta}</span> · `}previous ${fmt(f.previous, currency)}</p>
    ${name === 'nps' && html`<p class="answers">${f.denominator ?? 0} answers${thin ? `, fewer than ${NPS_MIN_ANSWERS}: not reliable yet` : ''}</p>`}
    ${odd && html`<p class="why">${odd}</p>`}
    ${series ? html`<${Spark} label=${`${label}, month by month`} values=${spark} />` : html`<div class="spark-wait" aria-hidden="true"></div>`}
  </section>`;
}

export function Dashboard() {
  // the period lives in the URL (#/dashboard?months=6): coming back keeps it
  const [months, setMonths] = useState(dashboardMonths);
  useEffect(() => { if (location.hash.startsWith('#/dashboard') || !location.hash || location.hash === '#/') setHashQuery({ months: months === 12 ? '' : months }); }, [months]);
  // each panel shows as soon as its own answer is in: a slow one (the monthly series on a
  // cold server) does not hold the others back
  const [d, setD] = useState({});
  // each panel fails alone, with a retry; all failed ones ask again when the server is back
  const [failed, setFailed] = useState({});
  // a period's answers carry its generation: an answer for a period no longer shown is dropped,
  // while a retry of one panel does not cancel the others still under way
  const gen = useRef(0);
  const paths = useRef({});
  // the questions of the first period shown were asked as the session came in (early.js)
  const ask = (key, g) => getEarly(paths.current[key]).then(
    (v) => { if (g === gen.current) { setD((o) => ({ ...o, [key]: v })); setFailed((f) => ({ ...f, [key]: null })); } },
    (e) => g === gen.current && setFailed((f) => ({ ...f, [key]: e.message })));
  // a thousand KAMs are no table to read at a glance: the WORK_TOP busiest (over capacity,
  // then the most overdue actions, then the most key accounts) until the user asks for all
  const [allWork, setAllWork] = useState(false);
  const allWorkRef = useRef(allWork);
  allWorkRef.current = allWork;
  const failedRef = useRef(failed);
  failedRef.current = failed;
  const retry = () => Object.entries(failedRef.current).forEach(([key, msg]) => msg && ask(key, gen.current));
  useEffect(() => onConnection((up) => up && retry()), []);
  // a layout effect: the questions go out as the dashboard is put on the page, not a frame
  // later
  useLayoutEffect(() => {
    const g = ++gen.current;
    const none = (o) => (Object.keys(o).length ? {} : o); // unchanged: no render for nothing
    setD(none);
    setFailed(none);
    paths.current = dashboardPaths(months, allWorkRef.current);
    for (const key of Object.keys(paths.current)) ask(key, g);
    return () => { gen.current++; };
  }, [months]);
  const { k, series, matrix, alerts, work } = d;
  const risk = d.risk?.items;
  const workTotal = work ? work.total ?? work.items.length : 0;
  const showAllWork = (all) => {
    setAllWork(all);
    // the full list, once: the busiest are its first rows
    if (all && work.items.length < workTotal) { paths.current.work = dashboardPaths(months, true).work; ask('work', gen.current); }
  };
  const workLink = (w, v, title = `My work of ${w.name}`) => html`<a href=${`#/work?owner=${w.user_id}`} title=${title}>${v}</a>`;
  const loading = html`<p class="loading">Loading…</p>`;
  // a panel without its answer: loading, or the failure with a retry
  const waitFor = (...keys) => {
    const msg = keys.map((x) => failed[x]).find(Boolean);
    return msg ? html`<p class="error" role="alert">This panel could not load: ${msg} <button class="link" onClick=${retry}>Retry</button></p>` : loading;
  };
  // the bars' months and values, made once per answer: every other panel's arrival renders the
  // dashboard again, and new arrays would draw the chart again
  const rev = useMemo(() => series && { labels: series.series.map((s) => s.period.from.slice(0, 7)), values: series.series.map((s) => s.kpis.revenue.value) }, [series]);
  return html`<div class="dashboard">
    <div class="toolbar">
      <h1>Portfolio</h1>
      <label>Period <select value=${months} onChange=${(e) => { setMonths(Number(e.target.value)); sessionStorage.setItem('kam.months', e.target.value); }}>
        <option value="3">last 3 months</option><option value="6">last 6 months</option>
        <option value="12">last 12 months</option><option value="24">last 24 months</option>
      </select></label>
    </div>
    <div class="tiles">${k ? TILES.map(([n, l, f, kind]) => html`<${Tile} name=${n} label=${l} fmt=${f} kind=${kind} k=${k.kpis} currency=${k.currency} series=${series?.series} />`) : waitFor('k')}<${ForecastTile} /></div>
    <div class="grid2">
      <section aria-labelledby="m-title"><h2 id="m-title">Key accounts: portfolio matrix</h2>
        ${matrix ? html`<${Matrix} matrix=${matrix} onOpen=${(h) => { location.hash = h; }} />
        <p class="quadrants" aria-label="Key accounts by segment">${Object.keys(matrix.counts).map((s) => html`<a class="quad" data-segment=${s}
          href=${`#/accounts?segment=${s}`}>${s} <strong>${matrix.counts[s]}</strong></a> `)}</p>` : waitFor('matrix')}
        <p class="muted legend">Bubble: revenue · colour: health <span class="health-dot" data-band="good">70+</span> <span class="health-dot" data-band="fair">50–69</span> <span class="health-dot" data-band="poor">under 50</span></p>
      </section>
      <section aria-labelledby="r-title"><h2 id="r-title">Revenue by month</h2>
        ${rev && k ? html`<${Bars} label="Revenue by month" labels=${rev.labels} values=${rev.values} fmt=${(v) => money(v, k.currency)} />` : waitFor('series', 'k')}
      </section>
      <section aria-labelledby="a-title"><h2 id="a-title">Open alerts</h2>
        ${alerts ? html`<ul class="alerts">${alerts.items.map((a) => html`<li class=${a.severity}>
          <a href=${a.account_id ? `#/accounts/${a.account_id}` : '#/alerts'}>${a.rule_label ?? a.rule.replaceAll('_', ' ')}</a>
          <span class="muted clip" title=${a.account_name ?? 'KAM workload'}> ${a.account_name ?? 'KAM workload'}</span></li>`)}</ul>` : waitFor('alerts')}
        <a href="#/alerts">All alerts</a>
      </section>
      <section aria-labelledby="w-title"><h2 id="w-title">KAM workload</h2>
        ${work ? html`<table><thead><tr><th>KAM</th><th>Key accounts</th><th>Capacity</th><th>Overdue actions</th></tr></thead>
        <tbody>${(allWork ? work.items : work.items.slice(0, WORK_TOP)).map((w) => html`<tr class=${w.over_capacity ? 'over' : ''} data-kam=${w.user_id}><td>${workLink(w, w.name)}</td><td>${workLink(w, w.key_accounts)}</td><td>${w.capacity}</td><td>${workLink(w, w.overdue_actions, `Overdue actions owned by ${w.name}; their My work also lists those of others on their accounts`)}</td></tr>`)}</tbody></table>
        ${workTotal > WORK_TOP && html`<p class="muted work-more">${!allWork ? `The ${WORK_TOP} busiest of ${workTotal.toLocaleString('en')} KAMs`
          : work.items.length < workTotal ? (failed.work ? html`<span class="error" role="alert">All KAMs could not load: ${failed.work} <button class="link" onClick=${retry}>Retry</button></span>` : `Loading all ${workTotal.toLocaleString('en')} KAMs…`) : `All ${workTotal.toLocaleString('en')} KAMs`} · <button class="link" aria-expanded=${allWork} onClick=${() => showAllWork(!allWork)}>${allWork ? `Show the ${WORK_TOP} busiest` : 'Show all'}</button></p>`}` : waitFor('work')}
      </section>
      <section aria-labelledby="k-title" data-panel="at-risk"><h2 id="k-title">At-risk key accounts</h2>
        ${!risk ? waitFor('risk') : risk.length === 0 ? html`<p class="muted">No key account's health is below 70.</p>` : html`<div class="scroll"><table class="at-risk"><thead><tr><th>Account</th><th>Health</th><th>Revenue at risk (12 months)</th><th>Top reason</th><th>Owner</th></tr></thead>
        <tbody>${risk.map((a) => html`<tr data-account=${a.id}><td><a href=${`#/accounts/${a.id}`} class="trunc" title=${a.name}>${a.name}</a></td><td>${num(a.health, 0)}</td>
          <td>${money(a.revenue_12m, k?.currency || 'EUR')}</td><td class="reason">${a.reason ?? '–'}</td><td>${a.owner_name ?? '–'}</td></tr>`)}</tbody></table></div>`}
      </section>
      <${OverdueRuns} />
    </div>
  </div>`;
}
