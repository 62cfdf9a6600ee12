// The portfolio dashboard: KPI tiles beside the previous period, the portfolio matrix as a
// bubble chart (click a bubble to open the account), revenue by month, open alerts, workload.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { Chart } from './chart.js';
import { get } from './api.js';
import { money, pct, num, esc } from './format.js';

const TILES = [
  ['revenue', 'Revenue', (v, c) => money(v, c)],
  ['nrr', 'Net revenue retention', (v) => pct(v)],
  ['grr', 'Gross revenue retention', (v) => pct(v)],
  ['logo_retention', 'Logo retention', (v) => pct(v)],
  ['nps', 'NPS', (v) => num(v, 0)],
  ['sla_compliance', 'SLA compliance', (v) => pct(v)],
];

function Tile({ name, label, fmt, k, currency, series }) {
  const f = k[name];
  const up = f.value !== null && f.previous !== null && f.value >= f.previous;
  const spark = { animation: false, grid: { left: 2, right: 2, top: 4, bottom: 2 }, xAxis: { type: 'category', show: false },
    yAxis: { type: 'value', show: false, scale: true },
    series: [{ type: 'line', symbol: 'none', lineStyle: { width: 1.5 }, data: series.map((s) => s.kpis[name].value) }] };
  return html`<section class="tile" data-kpi=${name} aria-label=${label}>
    <h3>${label}</h3>
    <p class="value">${fmt(f.value, currency)}</p>
    <p class="prev ${f.previous === null ? '' : up ? 'up' : 'down'}">previous ${fmt(f.previous, currency)}</p>
    <${Chart} label=${`${label} by month`} option=${spark} small />
  </section>`;
}

export function Dashboard() {
  const [months, setMonths] = useState(12);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const to = new Date();
    const toS = `${to.getUTCFullYear()}-${String(to.getUTCMonth() + 1).padStart(2, '0')}-01`;
    const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - months, 1)).toISOString().slice(0, 10);
    Promise.all([
      get(`/api/v1/kpis?from=${from}&to=${toS}`),
      get(`/api/v1/kpis?from=${from}&to=${toS}&interval=month`),
      // bubbles: revenue of the same whole months as the tiles
      get(`/api/v1/portfolio/matrix?from=${from.slice(0, 7)}&to=${new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 1, 1)).toISOString().slice(0, 7)}`),
      get('/api/v1/alerts?state=open&limit=8&sort=-opened_at'),
      get('/api/v1/kams/workload'),
    ]).then(([k, series, matrix, alerts, work]) => setData({ k, series, matrix, alerts, work }), (e) => setError(e.message));
  }, [months]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p class="loading">Loading the portfolio…</p>`;
  const { k, series, matrix, alerts, work } = data;
  // colour = health, as on the accounts list; the quadrants say the segment
  const band = (h) => (h >= 70 ? '#1a7f37' : h >= 50 ? '#bf8700' : '#cf222e');
  const matrixOption = {
    animation: false,
    grid: { left: 50, right: 20, top: 20, bottom: 40 },
    xAxis: { name: 'attractiveness', nameLocation: 'middle', nameGap: 28, min: 0, max: 100 },
    yAxis: { name: 'relationship', nameLocation: 'middle', nameGap: 36, min: 0, max: 100 },
    tooltip: { formatter: (p) => `${esc(p.data.name)}<br>${esc(p.data.segment)}, health ${num(p.data.health, 0)}` },
    series: [{
      type: 'scatter',
      data: matrix.items.map((i) => ({ name: i.name, id: i.account_id, segment: i.segment, health: i.health,
        value: [i.attractiveness.value, i.strength.value ?? 0, i.revenue],
        itemStyle: { color: band(i.health), opacity: 0.8 } })),
      symbolSize: (v) => 10 + Math.sqrt(Math.max(v[2], 0)) / 400,
      markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#999' },
        data: [{ xAxis: matrix.splits.attractiveness }, { yAxis: matrix.splits.strength }] },
    }],
  };
  const revOption = {
    animation: false,
    grid: { left: 60, right: 20, top: 20, bottom: 30 },
    xAxis: { type: 'category', data: series.series.map((s) => s.period.from.slice(0, 7)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => money(v, k.currency) } },
    tooltip: { trigger: 'axis', valueFormatter: (v) => money(v, k.currency) },
    series: [{ type: 'bar', data: series.series.map((s) => s.kpis.revenue.value), itemStyle: { color: '#1565c0' } }],
  };
  return html`<div class="dashboard">
    <div class="toolbar">
      <h1>Portfolio</h1>
      <label>Period <select value=${months} onChange=${(e) => setMonths(Number(e.target.value))}>
        <option value="3">last 3 months</option><option value="6">last 6 months</option>
        <option value="12">last 12 months</option><option value="24">last 24 months</option>
      </select></label>
    </div>
    <div class="tiles">${TILES.map(([n, l, f]) => html`<${Tile} name=${n} label=${l} fmt=${f} k=${k.kpis} currency=${k.currency} series=${series.series} />`)}</div>
    <div class="grid2">
      <section aria-labelledby="m-title"><h2 id="m-title">Key accounts: portfolio matrix</h2>
        <${Chart} label="Portfolio matrix" option=${matrixOption} onClick=${(p) => { location.hash = `#/accounts/${p.data.id}`; }} />
        <p class="muted">${Object.entries(matrix.counts).map(([s, n]) => `${s} ${n}`).join(' · ')}</p>
        <p class="muted legend">Bubble: revenue · colour: health <span class="health-dot" data-band="good">70+</span> <span class="health-dot" data-band="fair">50–69</span> <span class="health-dot" data-band="poor">under 50</span></p>
      </section>
      <section aria-labelledby="r-title"><h2 id="r-title">Revenue by month</h2>
        <${Chart} label="Revenue by month" option=${revOption} />
      </section>
      <section aria-labelledby="a-title"><h2 id="a-title">Open alerts</h2>
        <ul class="alerts">${alerts.items.map((a) => html`<li class=${a.severity}>
          <a href=${a.account_id ? `#/accounts/${a.account_id}` : '#/alerts'}>${a.rule.replaceAll('_', ' ')}</a>
          <span class="muted"> ${a.account_name ?? 'KAM workload'}</span></li>`)}</ul>
        <a href="#/alerts">All alerts</a>
      </section>
      <section aria-labelledby="w-title"><h2 id="w-title">KAM workload</h2>
        <table><thead><tr><th>KAM</th><th>Key accounts</th><th>Capacity</th><th>Overdue actions</th></tr></thead>
        <tbody>${work.items.map((w) => html`<tr class=${w.over_capacity ? 'over' : ''}><td>${w.name}</td><td>${w.key_accounts}</td><td>${w.capacity}</td><td>${w.overdue_actions}</td></tr>`)}</tbody></table>
      </section>
    </div>
  </div>`;
}
