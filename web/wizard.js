// Settings → Import wizard (issue 15): a newcomer's files, one or several at once, go in
// without a mapping file. kam orders them (accounts before users, products, contacts, deals,
// revenue), shows how it reads each column with sample values and lets a click change it,
// lists the picklist values it cannot place, shows the first rows as they would be stored
// and a dry run, imports, can save the mapping by name for next month, and ends on the
// portfolio.
import { html, useState } from './vendor-preact-htm.js';
import { api, get } from './api.js';

const ORDER = ['accounts', 'users', 'products', 'contacts', 'units', 'fx-rates', 'contracts', 'opportunities', 'transactions', 'interactions', 'cases', 'surveys'];
// what a file's name says it holds ("sales_teams.csv" → users)
const GUESS = [[/contract|agreement/i, 'contracts'], [/account|compan|customer|client/i, 'accounts'], [/user|team|agent|staff|rep/i, 'users'], [/product|catalog|sku/i, 'products'],
  [/contact|people|person/i, 'contacts'], [/fx|rate|exchange/i, 'fx-rates'], [/pipeline|deal|opportunit/i, 'opportunities'],
  [/invoice|transaction|revenue|sales|order/i, 'transactions'], [/interaction|activit|meeting/i, 'interactions'], [/case|ticket/i, 'cases'], [/survey|nps|feedback/i, 'surveys']];
export const guessKind = (name) => (GUESS.find(([re]) => re.test(name)) || [null, 'accounts'])[1];

// the request: the file with the choices made so far as a mapping
async function send(kind, csv, mapping, query) {
  return api('POST', `/api/v1/imports?${new URLSearchParams({ kind, ...query })}`, { csv, mapping });
}

function Review({ f, p, mapping, setMapping }) {
  const setColumn = (header, target) => setMapping({ ...mapping, columns: { ...mapping.columns, [header]: target === '' ? null : target } });
  const setValue = (field, from, to) => setMapping({ ...mapping, values: { ...mapping.values, [field]: { ...(mapping.values[field] || {}), [from]: to } } });
  const unknown = p.picklists.flatMap((pl) => pl.values.filter((v) => v.as == null).map((v) => ({ ...v, pl })));
  const cols = Object.keys(p.rows[0]?.record || {});
  return html`<div class="wizard-review">
    <h3>${f.name}: ${f.kind}, ${p.rows_total} rows</h3>
    <div class="scroll"><table class="wizard-columns"><caption>Columns</caption>
      <thead><tr><th>Column</th><th>Sample values</th><th>kam field</th></tr></thead>
      <tbody>${p.columns.map((c) => html`<tr>
        <td>${c.header}${c.date_format && html` <span class="muted">(${c.date_format})</span>`}</td>
        <td class="muted">${c.samples.join(' · ')}</td>
        <td><select aria-label=${`field of ${c.header}`} onChange=${(e) => setColumn(c.header, e.target.value)}>
          <option value="" selected=${!c.target}>— not imported</option>
          ${p.targets.map((t) => html`<option value=${t} selected=${c.target === t}>${t}</option>`)}
        </select>${!c.target && c.suggestion && html` <button type="button" class="link" onClick=${() => setColumn(c.header, c.suggestion)}>${c.suggestion}?</button>`}</td></tr>`)}</tbody></table></div>
    ${unknown.length > 0 && html`<div class="scroll"><table class="wizard-values"><caption>Values kam cannot place</caption>
      <thead><tr><th>Column</th><th>Value</th><th>Rows</th><th>Means</th></tr></thead>
      <tbody>${unknown.map((v) => html`<tr><td>${v.pl.column}</td><td>${v.value}</td><td>${v.rows}</td>
        <td><select aria-label=${`meaning of ${v.value}`} onChange=${(e) => setValue(v.pl.field, v.value, e.target.value)}>
          <option value="">choose…</option>${v.pl.allowed.map((a) => html`<option value=${a}>${a.replaceAll('_', ' ')}</option>`)}</select></td></tr>`)}</tbody></table></div>`}
    <div class="scroll"><table class="wizard-rows"><caption>The first rows as kam would store them</caption>
      <thead><tr><th>Line</th>${cols.map((k) => html`<th>${k}</th>`)}</tr></thead>
      <tbody>${p.rows.map((r) => html`<tr class=${r.rejected ? 'bad' : ''}><td>${r.line}${r.rejected ? ' ✗' : ''}</td>${cols.map((k) => html`<td>${r.record?.[k] == null ? '' : typeof r.record[k] === 'object' ? JSON.stringify(r.record[k]) : String(r.record[k])}</td>`)}</tr>`)}</tbody></table></div>
    <p class="wizard-dry" role="status">Dry run: ${p.created} would be created, ${p.updated} updated, ${p.unchanged} unchanged, <span class=${p.rejected ? 'bad' : ''}>${p.rejected} rejected</span>.
      ${p.errors.slice(0, 5).map((e) => html`<br /><span class="muted">line ${e.line}${e.column ? `, ${e.column}` : ''}: ${e.message}</span>`)}</p>
  </div>`;
}

export function ImportWizard() {
  const [files, setFiles] = useState([]); // [{name, kind, text, done}]
  const [at, setAt] = useState(-1);       // the file under review
  const [mapping, setMapping] = useState({ columns: {}, values: {} });
  const [preview, setPreview] = useState(null);
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const problem = (e) => setError(e.problem?.errors?.map((x) => `${x.field}: ${x.message}`).join('; ') || e.message);

  async function pick(e) {
    const list = await Promise.all([...e.target.files].map(async (f) => ({ name: f.name, kind: guessKind(f.name), text: await f.text(), done: null })));
    setFiles(list);
    setAt(-1);
    setPreview(null);
  }
  const ordered = () => [...files].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  async function review(i, m = { columns: {}, values: {} }, list = files) {
    setError(null);
    setBusy('Reading the file…');
    setMapping(m);
    setAt(i);
    try {
      setPreview(await send(list[i].kind, list[i].text, m, { preview: 'true' }));
    } catch (e) {
      setPreview(null);
      problem(e);
    } finally {
      setBusy(null);
    }
  }
  async function start() {
    const list = ordered();
    setFiles(list);
    await review(0, undefined, list);
  }
  async function remap(m) { await review(at, m); }
  async function run() {
    const f = files[at];
    setBusy('Importing…');
    setError(null);
    try {
      let r = await send(f.kind, f.text, mapping, { dry_run: 'false', async: 'true' });
      while (r.status === 'queued' || r.status === 'running') {
        setBusy(r.progress?.rows_total ? `Importing… ${r.progress.rows_done} of ${r.progress.rows_total} rows` : 'Importing…');
        await new Promise((res) => setTimeout(res, 400));
        r = await get(`/api/v1/imports/${r.id}`);
      }
      const next = files.map((x, i) => (i === at ? { ...x, done: r } : x));
      setFiles(next);
      if (at + 1 < next.length) await review(at + 1, undefined, next);
      else { setAt(next.length); setPreview(null); }
    } catch (e) { problem(e); } finally { setBusy(null); }
  }
  async function save(e) {
    e.preventDefault();
    const name = String(new FormData(e.target).get('name')).trim();
    try {
      await api('POST', '/api/v1/import-mappings', { name, kind: files[at].kind, mapping: JSON.stringify(mapping) });
      setSaved(name);
    } catch (x) { problem(x); }
  }
  const f = files[at];
  return html`<section aria-labelledby="wz-title"><h2 id="wz-title">Import wizard</h2>
    <p class="muted">Your CRM's export as it is: one or several CSV files at once. kam reads each, shows how, and imports them in the right order (accounts first).</p>
    <label>Your CSV exports <input type="file" multiple accept=".csv,text/csv" onChange=${pick} aria-label="CSV exports to import" /></label>
    ${files.length > 0 && at < 0 && html`<ol class="wizard-files">${ordered().map((x) => html`<li>${x.name} <select aria-label=${`kind of ${x.name}`} onChange=${(e) => setFiles(files.map((y) => (y === x ? { ...y, kind: e.target.value } : y)))}>
        ${ORDER.map((k) => html`<option value=${k} selected=${x.kind === k}>${k}</option>`)}</select></li>`)}</ol>
      <button type="button" onClick=${start} disabled=${busy}>Review the files</button>`}
    ${files.length > 0 && at >= 0 && html`<ol class="wizard-files">${files.map((x, i) => html`<li aria-current=${i === at ? 'step' : null}>${x.name} (${x.kind})${x.done ? ` — ${x.done.created} created, ${x.done.updated} updated, ${x.done.rejected} rejected` : ''}</li>`)}</ol>`}
    ${busy && html`<p class="loading" role="status">${busy}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${f && preview && html`<${Review} f=${f} p=${preview} mapping=${mapping} setMapping=${remap} />
      <p class="buttons"><button type="button" class="primary" onClick=${run} disabled=${busy}>Import ${f.name}</button>
        <button type="button" onClick=${() => (at + 1 < files.length ? review(at + 1) : (setAt(files.length), setPreview(null)))} disabled=${busy}>Skip this file</button></p>
      <form class="quick" aria-label="Save this mapping" onSubmit=${save}><label>Save these choices as <input name="name" required maxlength="100" placeholder="monthly deals" /></label>
        <button type="submit">Save mapping</button>${saved && html` <span class="ok" role="status">Saved as “${saved}”: use it next time with kam import --map "${saved}".</span>`}</form>`}
    ${files.length > 0 && at >= files.length && html`<p role="status">All files are in. <a href="#/dashboard">Open the portfolio</a></p>`}
  </section>`;
}
