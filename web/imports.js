// Settings → Import data: a CSV from Salesforce, HubSpot, an ERP or a spreadsheet, tried
// first as a dry run; the result names every rejected row by line, column and reason.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { api, get, upload } from './api.js';
import { date } from './format.js';

const KINDS = ['accounts', 'users', 'contacts', 'products', 'units', 'fx-rates', 'transactions', 'opportunities', 'interactions', 'cases', 'surveys', 'contracts', 'targets'];

// The file's records with the line each starts on (a quoted field may span lines), so the
// rejected ones can be handed back as a CSV of their own.
export function csvRecords(text) {
  const out = [];
  let rec = [], field = '', quoted = false, line = 1, start = 1, i = 0;
  const end = () => { rec.push(field); field = ''; };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else { if (ch === '\n') line++; field += ch; }
    } else if (ch === '"') quoted = true;
    else if (ch === ',') end();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      end(); out.push({ line: start, fields: rec }); rec = []; line++; start = line;
    } else field += ch;
  }
  if (field !== '' || rec.length) { end(); out.push({ line: start, fields: rec }); }
  return out;
}

const cell = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

// The header, then each rejected row as it was, with a last column naming its problems.
function rejectedCsv(text, errors) {
  const recs = csvRecords(text);
  const why = new Map();
  for (const e of errors) why.set(e.line, [...(why.get(e.line) || []), `${e.column ? `${e.column}: ` : ''}${e.message}`]);
  const rows = [[...recs[0].fields, 'problems'], ...recs.filter((x) => why.has(x.line)).map((x) => [...x.fields, why.get(x.line).join('; ')])];
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

function Result({ r, text }) {
  // one entry per rejected row: every problem it has, under the record's name
  const rows = [];
  for (const e of r.errors) {
    const last = rows[rows.length - 1];
    if (last && last.line === e.line) last.problems.push(e); else rows.push({ line: e.line, record: e.record, problems: [e] });
  }
  const href = text && r.errors.length ? URL.createObjectURL(new Blob([rejectedCsv(text, r.errors)], { type: 'text/csv' })) : null;
  const verb = r.status === 'dry_run' ? 'would be ' : r.status === 'failed' ? 'would have been ' : '';
  return html`<div class="import-result" role="status">
    <p><strong>${r.kind}</strong>: ${r.rows_total} rows — ${r.created} ${verb}created, ${r.updated} ${verb}updated, ${r.unchanged} unchanged, <span class=${r.rejected ? 'bad' : ''}>${r.rejected} rejected</span>.${r.status === 'dry_run' && ' Dry run: nothing was written.'}${r.status === 'failed' && ' All or nothing: nothing was written.'}</p>
    ${r.ignored_columns.length > 0 && html`<p class="muted">Columns not imported: ${r.ignored_columns.join(', ')}</p>`}
    ${r.errors.length > 0 && html`<div class="scroll"><table class="import-errors"><caption>Rejected rows</caption>
      <thead><tr><th scope="col">Line</th><th scope="col">Record</th><th scope="col">Problems</th></tr></thead>
      <tbody>${rows.map((x) => html`<tr data-line=${x.line}><td>${x.line}</td><td>${x.record ?? ''}</td>
        <td><ul class="problems">${x.problems.map((e) => html`<li>${e.column ? html`<strong>${e.column}</strong>: ` : ''}${e.message}</li>`)}</ul></td></tr>`)}</tbody></table></div>
      ${href && html`<p><a href=${href} download=${`${r.kind}-rejected.csv`}>Download the rejected rows (CSV)</a>, fix them and import that file.</p>`}`}
  </div>`;
}

export function Imports() {
  const [result, setResult] = useState(null);
  const [text, setText] = useState(null);
  const [error, setError] = useState(null);
  const [offer, setOffer] = useState(null); // {currency, form}: make the file's currency the base
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState(null);
  const [runs, setRuns] = useState([]);
  const load = () => get('/api/v1/imports?limit=10&sort=-id').then((r) => setRuns(r.items), () => {});
  useEffect(() => { load(); }, []);
  async function send(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const file = f.get('file');
    const q = new URLSearchParams({ kind: f.get('kind') });
    if (f.get('mapping')) q.set('mapping', f.get('mapping'));
    if (f.get('date_format')) q.set('date_format', f.get('date_format'));
    q.set('dry_run', e.submitter?.value === 'import' ? 'false' : 'true');
    if (f.get('atomic')) q.set('atomic', 'true');
    if (f.get('kind') === 'users' && f.get('email_domain')) q.set('email_domain', String(f.get('email_domain')).trim());
    setBusy(true);
    setError(null);
    setOffer(null);
    q.set('async', 'true');
    try {
      // the server answers at once and works in the background; ask how far it got
      const csv = await file.text();
      setText(csv);
      let run = await upload(`/api/v1/imports?${q}`, 'text/csv', csv);
      while (run.status === 'queued' || run.status === 'running') {
        setProgress(run.progress);
        await new Promise((res) => setTimeout(res, 400));
        run = await get(`/api/v1/imports/${run.id}`);
      }
      setProgress(null);
      if (run.status === 'failed' && run.rows_total === 0 && run.errors.length === 1 && run.errors[0].line === 0) {
        if (run.errors[0].base_currency) setOffer({ currency: run.errors[0].base_currency, form: e.target, submitter: e.submitter });
        throw new Error(run.errors[0].message);
      }
      setResult(run);
      load();
    } catch (err) {
      setResult(null);
      setProgress(null);
      setError(err.problem?.errors?.map((x) => `${x.field}: ${x.message}`).join('; ') || err.message);
    } finally {
      setBusy(false);
    }
  }
  // the company's first revenue file is in another currency than kam's default: adopt it
  async function adopt(o) {
    try {
      await api('PATCH', '/api/v1/settings', { base_currency: o.currency });
      setOffer(null);
      o.form.requestSubmit(o.submitter);
    } catch (err) {
      setError(err.problem?.errors?.map((x) => `${x.field}: ${x.message}`).join('; ') || err.message);
    }
  }
  return html`<section aria-labelledby="imp-title"><h2 id="imp-title">Import data</h2>
    <p class="muted">A CSV export of Salesforce, HubSpot, your ERP or a spreadsheet. Rows with an id already here update that record; the same file twice changes nothing. Try it first: a dry run writes nothing.</p>
    <form onSubmit=${send} class="import-form">
      <label>What <select name="kind">${KINDS.map((k) => html`<option value=${k}>${k}</option>`)}</select></label>
      <label>Columns from <select name="mapping"><option value="">kam</option><option value="salesforce">Salesforce</option><option value="hubspot">HubSpot</option></select></label>
      <label>Dates <select name="date_format"><option value="">from the values</option><option value="M/D/YYYY">M/D/YYYY</option><option value="D/M/YYYY">D/M/YYYY</option><option value="iso">YYYY-MM-DD</option></select></label>
      <label>File <input type="file" name="file" accept=".csv,text/csv" required /></label>
      <label title="users only: rows without an e-mail get first.last@this domain">E-mail domain for users <input name="email_domain" placeholder="example.com" size="14" /></label>
      <label><input type="checkbox" name="atomic" /> all rows or none</label>
      <button type="submit" value="dry" disabled=${busy}>Dry run</button>
      <button type="submit" value="import" disabled=${busy}>Import</button>
    </form>
    ${busy && html`<p class="loading" role="status">${progress?.rows_total ? `Importing… ${progress.rows_done.toLocaleString()} of ${progress.rows_total.toLocaleString()} rows` : 'Reading the file…'}</p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${offer && html`<p><button type="button" class="primary" disabled=${busy} onClick=${() => adopt(offer)}>Make ${offer.currency} the base currency and import again</button></p>`}
    ${result && html`<${Result} r=${result} text=${text} />`}
    ${runs.length > 0 && html`<details><summary>Recent imports</summary><ul>${runs.map((r) => html`<li>${date(r.created_at)} ${r.kind} (${r.mapping}) — ${r.status}: ${r.created} created, ${r.updated} updated, ${r.rejected} rejected</li>`)}</ul></details>`}
  </section>`;
}
