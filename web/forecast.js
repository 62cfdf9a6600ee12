// The forecast (issue 18): a quarter's call per KAM, team or portfolio — booked, contracted,
// commit, best case, pipeline against target — with the deals behind each figure, how the call
// moved week by week, and a CSV of the table. Also the dashboard tile and an account's contracts.
import { html, useState, useEffect, useLayoutEffect } from './vendor-preact-htm.js';
import { Chart } from './chart.js';
import { api, get, onConnection } from './api.js';
import { money, pct, date, toMajor, toMinor } from './format.js';
import { hashQuery, setHashQuery } from './hash.js';
import { getEarly, FORECAST_TILE } from './early.js';

const COLS = [
  ['booked', 'Booked'], ['contracted', 'Contracted'], ['commit', 'Commit'], ['best_case', 'Best case'],
  ['pipeline', 'Pipeline'], ['forecast', 'Forecast'], ['target', 'Target'],
];
const CATS = [['commit', 'Commit'], ['best_case', 'Best case'], ['pipeline', 'Pipeline'], ['won', 'Won'], ['omitted', 'Omitted']];

// The table as CSV (money in major units), downloaded by the browser.
function downloadCsv(f) {
  const cell = (v) => {
    const s = String(v ?? '');
    const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const major = (v) => (v == null ? '' : toMajor(v, f.currency));
  const head = ['name', 'team', ...COLS.map(([k]) => k), 'attainment', 'gap', 'currency'];
  const line = (r) => [r.name, r.team ?? '', ...COLS.map(([k]) => major(r[k])), r.attainment ?? '', major(r.gap), f.currency];
  const text = [head, ...f.rows.map(line), line({ ...f.total, name: 'Total' })].map((r) => r.map(cell).join(',')).join('\r\n');
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([`\ufeff${text}\r\n`], { type: 'text/csv' }));
  a.download = `forecast-${f.quarter}-${f.by}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function Drill({ quarter, row, currency, onClose }) {
  const [cat, setCat] = useState('commit');
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setItems(null);
    const q = new URLSearchParams({ quarter, category: cat });
    if (row.owner_id) q.set('owner_id', row.owner_id);
    get(`/api/v1/forecast/opportunities?${q}`).then((r) => setItems(r.items), (e) => setError(e.message));
  }, [quarter, row.owner_id, cat]);
  return html`<section class="drill" aria-labelledby="drill-title">
    <div class="toolbar"><h2 id="drill-title">${row.name}: deals closing in ${quarter}</h2>
      <button class="link" onClick=${onClose}>Close</button></div>
    <div role="tablist" aria-label="Forecast category" class="tabs">${CATS.map(([k, l]) => html`<button role="tab" aria-selected=${cat === k} onClick=${() => setCat(k)}>${l}</button>`)}</div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : !items ? html`<p class="loading">Loading…</p>`
    : !items.length ? html`<p class="muted">No deals in this category.</p>`
    : html`<div class="scroll"><table class="forecast-deals"><thead><tr><th>Opportunity</th><th>Account</th><th>Stage</th><th>Probability</th><th>Close</th><th>Amount</th><th>In ${currency}</th><th>Call</th></tr></thead>
      <tbody>${items.map((o) => html`<tr data-opp=${o.id}><td>${o.name}</td><td><a href=${`#/accounts/${o.account_id}/opportunities`}>${o.account_name}</a></td><td>${o.stage}</td>
        <td>${o.probability ?? '–'}%</td><td>${date(o.close_on)}</td><td>${money(o.amount, o.currency)}</td><td>${money(o.amount_base, currency)}</td>
        <td>${o.forecast_category ? o.forecast_category.replace('_', ' ') : html`<span class="muted">by rule</span>`}</td></tr>`)}</tbody></table></div>`}
  </section>`;
}

// The call week by week: the forecast, the best case and what was booked, against target.
function Movement({ quarter, ownerId, currency }) {
  const [h, setH] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { setH(null); get(`/api/v1/forecast/history?quarter=${quarter}`).then(setH, (e) => setError(e.message)); }, [quarter]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!h) return html`<p class="loading">Loading…</p>`;
  const s = h.series.find((x) => x.user_id === ownerId) || h.series.find((x) => x.user_id === 0) || h.series[0];
  if (!s) return html`<p class="muted">No weekly snapshot of ${quarter} yet: kam takes one each week.</p>`;
  const weeks = s.points.map((p) => p.week);
  const line = (name, key, color, dash) => ({ name, type: 'line', data: s.points.map((p) => p[key]), itemStyle: { color }, lineStyle: { type: dash ? 'dashed' : 'solid' } });
  const option = {
    animation: false,
    grid: { left: 70, right: 20, top: 30, bottom: 40 },
    legend: { top: 0 },
    xAxis: { type: 'category', data: weeks },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => money(v, currency) } },
    tooltip: { trigger: 'axis', valueFormatter: (v) => money(v, currency) },
    series: [line('Forecast', 'forecast', '#1565c0'), line('Best case', 'best_case_total', '#7e57c2', true),
      line('Booked', 'booked', '#2e7d32'), line('Target', 'target', '#cf222e', true)],
  };
  return html`<div>
    <${Chart} label=${`How the call of ${s.name} moved over ${quarter}`} option=${option} />
    ${h.over && s.actual != null && html`<p class="muted accuracy">Booked in ${quarter}: ${money(s.actual, currency)}. Accuracy of the call by week:
      ${s.points.map((p) => html` <span class="acc">${p.week.slice(5)} ${p.accuracy == null ? '–' : pct(p.accuracy, 0)}</span>`)}</p>`}
  </div>`;
}

export function Forecast({ user }) {
  const q0 = hashQuery();
  // no quarter: the server's this quarter, fiscal by the settings (fiscal_year_start_month)
  const [quarter, setQuarter] = useState(q0.get('quarter') || '');
  const [by, setBy] = useState(['kam', 'team', 'portfolio'].includes(q0.get('by')) ? q0.get('by') : 'kam');
  const [f, setF] = useState(null);
  const [error, setError] = useState(null);
  const [drill, setDrill] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => setHashQuery({ quarter, by: by === 'kam' ? '' : by }), [quarter, by]);
  useEffect(() => onConnection((up) => up && setTick((t) => t + 1)), []);
  useEffect(() => {
    setF(null);
    setError(null);
    get(`/api/v1/forecast?quarter=${encodeURIComponent(quarter)}&by=${by}`).then(setF, (e) => setError(e.message));
  }, [quarter, by, tick]);
  const staff = ['admin', 'director'].includes(user?.role);
  // the picker's quarters and their labels come with the answer ("FY2027 Q1 (Apr–Jun 2026)")
  const quarters = f?.quarters || (quarter ? [{ quarter, label: quarter }] : []);
  const setTarget = async (row) => {
    const v = prompt(`Target of ${row.name} for ${f.label || f.quarter} in ${f.currency} (empty removes it)`, row.target == null ? '' : toMajor(row.target, f.currency));
    if (v === null) return;
    const amount = v.trim() === '' ? null : toMinor(v.trim(), f.currency);
    if (v.trim() !== '' && !(amount >= 0)) { setError(`A target is an amount of 0 or more in ${f.currency}.`); return; }
    try {
      await api('PUT', '/api/v1/forecast/targets', { quarter: f.quarter, targets: [{ user_id: row.owner_id ?? null, amount }] });
      setTick((t) => t + 1);
    } catch (e) { setError(e.message); }
  };
  const cells = (r) => COLS.map(([k]) => html`<td class="num" data-col=${k}>${money(r[k], f.currency)}</td>`);
  const gap = (r) => html`<td class=${`num ${r.gap > 0 ? 'short' : r.gap != null ? 'met' : ''}`} data-col="gap">${money(r.gap, f.currency)}</td>`;
  return html`<div class="forecast">
    <div class="toolbar">
      <h1>Forecast</h1>
      <label>Quarter <select value=${f?.quarter || quarter} onChange=${(e) => { setQuarter(e.target.value); setDrill(null); }}>
        ${quarters.map((q) => html`<option value=${q.quarter}>${q.label}${q.current ? ' (this quarter)' : ''}</option>`)}</select></label>
      <label>By <select value=${by} onChange=${(e) => { setBy(e.target.value); setDrill(null); }}>
        <option value="kam">KAM</option><option value="team">team</option><option value="portfolio">portfolio</option></select></label>
      <span class="downloads">${f && html`<button onClick=${() => downloadCsv(f)}>Download CSV</button> <a href=${`/api/v1/forecast?quarter=${f.quarter}&by=${f.by}&format=xlsx`} download>XLSX</a>`}</span>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!f ? !error && html`<p class="loading">Loading…</p>` : html`
      <section aria-labelledby="fc-title"><h2 id="fc-title">${f.label || f.quarter} · ${f.from} to ${f.to}</h2>
        <p class="muted rules">Forecast = booked + contracted still to come + commit. Commit: deals at ${f.rules.commit_probability}% or more, or called commit; best case from ${f.rules.best_case_probability}%. ${f.rules.book_won_opportunities ? 'Won deals are booked as revenue.' : 'Won deals count when their revenue is booked.'}${f.missing_rates ? ` ${f.missing_rates} rows left out: no FX rate.` : ''}</p>
        <div class="scroll"><table class="forecast-table"><thead><tr><th scope="col">${by === 'team' ? 'Team' : by === 'portfolio' ? '' : 'KAM'}</th>${COLS.map(([, l]) => html`<th scope="col" class="num">${l}</th>`)}<th scope="col" class="num">Attainment</th><th scope="col" class="num">Gap</th></tr></thead>
        <tbody>${f.rows.map((r) => html`<tr data-owner=${r.owner_id ?? ''}>
          <th scope="row">${by === 'kam' ? html`<button class="link" onClick=${() => setDrill(r)} aria-label=${`deals of ${r.name}`}>${r.name}</button>` : r.name}
            ${staff && by === 'kam' && html` <button class="link small" onClick=${() => setTarget(r)} aria-label=${`set the target of ${r.name}`}>target</button>`}</th>
          ${cells(r)}<td class="num" data-col="attainment">${pct(r.attainment, 0)}</td>${gap(r)}</tr>`)}</tbody>
        ${by !== 'portfolio' && html`<tfoot><tr><th scope="row">Total ${staff && html` <button class="link small" onClick=${() => setTarget({ name: 'the portfolio', owner_id: null, target: f.total.target })}>target</button>`}</th>${cells(f.total)}<td class="num">${pct(f.total.attainment, 0)}</td>${gap(f.total)}</tr></tfoot>`}
        </table></div>
        ${by !== 'kam' && html`<p><button class="link" onClick=${() => setDrill({ name: 'All', owner_id: null })}>All deals closing in ${f.quarter}</button></p>`}
      </section>
      ${drill && html`<${Drill} quarter=${f.quarter} row=${drill} currency=${f.currency} onClose=${() => setDrill(null)} />`}
      <section aria-labelledby="mv-title"><h2 id="mv-title">How the call moved</h2>
        <${Movement} quarter=${f.quarter} ownerId=${staff || user?.role === 'viewer' ? 0 : user?.id} currency=${f.currency} /></section>`}
  </div>`;
}

// The dashboard tile: this quarter's call against target.
export function ForecastTile() {
  const [f, setF] = useState(null);
  const [error, setError] = useState(null);
  // asked as the tile is put on the page, not a frame later (the dashboard waits for it)
  useLayoutEffect(() => { getEarly(FORECAST_TILE).then(setF, (e) => setError(e.message)); }, []);
  if (error) return html`<section class="tile forecast-tile"><h3>Forecast</h3><p class="error">${error}</p></section>`;
  if (!f) return html`<section class="tile forecast-tile"><h3>Forecast</h3><p class="loading">Loading…</p></section>`;
  const t = f.total;
  return html`<section class="tile forecast-tile" aria-label="Forecast this quarter">
    <h3><a href="#/forecast">Forecast ${f.label || f.quarter}</a></h3>
    <p class="value">${money(t.forecast, f.currency)}</p>
    <p class="prev">booked ${money(t.booked, f.currency)}${t.target != null ? html` · target ${money(t.target, f.currency)} · ${pct(t.attainment, 0)} attained` : ' · no target set'}</p>
    ${t.gap != null && html`<p class=${`answers ${t.gap > 0 ? 'short' : 'met'}`}>${t.gap > 0 ? `${money(t.gap, f.currency)} short of target` : 'on target'}</p>`}
  </section>`;
}

// An account's contracts, with add and edit for those who may write the account.
export function Contracts({ account, canEdit, Editable, setError }) {
  const [items, setItems] = useState(null);
  const load = () => get(`/api/v1/contracts?account_id=${account.id}&sort=-end_date&limit=100`)
    .then((r) => setItems(r.items.map((c) => ({ ...c, name: c.number }))), (e) => setError(e.message));
  useEffect(() => { load(); }, [account.id]);
  const spec = [
    { name: 'number', label: 'Contract number', required: true, max: 100 },
    { name: 'status', label: 'Status', type: 'select', required: true, options: ['draft', 'active', 'expired', 'terminated'], default: 'active' },
    { name: 'start_date', label: 'Start', type: 'date', required: true },
    { name: 'end_date', label: 'End', type: 'date', required: true },
    { name: 'annual_value', label: 'Annual value', type: 'money' },
    { name: 'currency', label: 'Currency', required: true, max: 3, default: account.currency || 'EUR' },
    { name: 'auto_renew', label: 'Renews automatically', type: 'select', required: true, options: [['false', 'no'], ['true', 'yes']] },
    { name: 'notice_days', label: 'Notice (days)', type: 'number' },
  ];
  const fix = (b) => ({ ...b, ...(b.auto_renew != null ? { auto_renew: b.auto_renew === 'true' } : {}) });
  const done = (x) => { setError(null); load(); return x; };
  if (!items) return html`<p class="loading">Loading…</p>`;
  return html`<section aria-labelledby="ct-title" class="contracts"><h2 id="ct-title">Contracts</h2>
    <${Editable} what="contract" items=${items} spec=${spec} canEdit=${canEdit}
      cols=${['Contract', 'Status', 'Start', 'End', 'Annual value', 'Renewal']}
      row=${(c) => html`<td>${c.number}</td><td>${c.status}</td><td>${date(c.start_date)}</td><td>${date(c.end_date)}</td><td>${money(c.annual_value, c.currency)}</td>
        <td>${c.auto_renew ? 'automatic' : 'by hand'}${c.notice_days != null ? `, ${c.notice_days} days' notice` : ''}</td>`}
      add=${(b) => api('POST', '/api/v1/contracts', { ...fix(b), account_id: account.id }).then(done)}
      patch=${(c, b) => api('PATCH', `/api/v1/contracts/${c.id}`, fix(b)).then(done)}
      remove=${(c) => api('DELETE', `/api/v1/contracts/${c.id}`).then(done, (e) => setError(e.message))} />
  </section>`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// The settings of renewals and the forecast's rule (on the settings page).
export function ForecastSettings({ s, canEdit, onSaved }) {
  const fy0 = String(s.fiscal_year_start_month || 1);
  const [v, setV] = useState({ lead: String(s.renewal_lead_days), commit: String(s.forecast_commit_probability), best: String(s.forecast_best_case_probability), fy: fy0 });
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const same = Number(v.lead) === s.renewal_lead_days && Number(v.commit) === s.forecast_commit_probability && Number(v.best) === s.forecast_best_case_probability && v.fy === fy0;
  const input = (k, label, max) => html`<input type="number" min="0" max=${max} class="narrow" value=${v[k]} disabled=${!canEdit} aria-label=${label} onInput=${(e) => setV({ ...v, [k]: e.target.value })} />`;
  async function save() {
    setBusy(true);
    try {
      const saved = await api('PATCH', '/api/v1/settings', { renewal_lead_days: Number(v.lead), forecast_commit_probability: Number(v.commit), forecast_best_case_probability: Number(v.best), fiscal_year_start_month: Number(v.fy) });
      setMsg({ text: `Saved: renewals ${saved.renewal_lead_days} days ahead; commit from ${saved.forecast_commit_probability}%, best case from ${saved.forecast_best_case_probability}%; the fiscal year starts in ${MONTHS[saved.fiscal_year_start_month - 1]}.` });
      onSaved(saved);
    } catch (e) { setMsg({ error: true, text: e.message }); }
    setBusy(false);
  }
  return html`<section aria-labelledby="fs-title"><h2 id="fs-title">Renewals and forecast</h2>
    <p><label>Make a renewal opportunity ${input('lead', 'days before a contract ends to make its renewal opportunity', 730)} days before an active contract ends</label></p>
    <p><label>The fiscal year starts in <select value=${v.fy} disabled=${!canEdit} onChange=${(e) => setV({ ...v, fy: e.target.value })}>
      ${MONTHS.map((m, i) => html`<option value=${String(i + 1)}>${m}</option>`)}</select></label>
      <span class="muted"> (the forecast's quarters; a fiscal year is named by the year it ends in: starting in April 2026, it is FY2027)</span></p>
    <p><label>An open deal is commit from ${input('commit', 'probability from which a deal is commit', 100)}% and best case from ${input('best', 'probability from which a deal is best case', 100)}% (a KAM's own call on a deal overrides this)</label></p>
    ${canEdit && html`<p class="savebar"><button type="button" disabled=${same || busy} onClick=${save}>${busy ? 'Saving…' : 'Save forecast settings'}</button>
      ${msg && html` <span class=${msg.error ? 'error' : 'ok'} role=${msg.error ? 'alert' : 'status'}>${msg.text}</span>`}</p>`}
  </section>`;
}
