// Inline edits that never lose work (issue 13 §7): a select saves when picked with the mouse,
// but by keyboard only on Enter or on leaving it (arrowing through "attitude" must not send
// neutral → critic → blocker to the server); every inline save shows "Saved" with an undo,
// and a refused one says so beside the control, keeps what was chosen and offers a retry.
// Also the change history of a record, one click away, and the screen's state in the URL.
import { html, useState, useRef, useEffect } from './vendor-preact-htm.js';
import { get } from './api.js';

const MOVES = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);

// The status beside an inline control: saving, saved (with undo), or the refusal with retry.
function Mark({ st, retry, undo }) {
  if (!st) return null;
  if (st.saving) return html`<span class="inline-mark muted" role="status">Saving…</span>`;
  if (st.error) {
    return html`<span class="inline-mark field-error" role="alert">Not saved: ${st.error}
      <button type="button" class="link" onClick=${retry}>Retry</button></span>`;
  }
  return html`<span class="inline-mark saved" role="status">${st.undone ? 'Undone' : 'Saved'}
    ${!st.undone && undo && html` <button type="button" class="link" onClick=${undo}>Undo</button>`}</span>`;
}

// One save at a time with its mark: commit(value) saves unless value is what is stored.
function useSaver(value, save) {
  const [st, setSt] = useState(null);
  const stored = useRef(value == null ? '' : String(value));
  const last = useRef(null);
  async function run(v, undone = false) {
    const before = stored.current;
    last.current = v;
    setSt({ saving: true });
    try {
      await save(v);
      stored.current = v;
      setSt({ before, undone });
    } catch (e) {
      setSt({ error: e.message || String(e) });
    }
  }
  const commit = (v) => (v === stored.current && !st?.error ? undefined : run(v));
  return { st, commit, retry: () => run(last.current), undo: (apply) => { apply(st.before); run(st.before, true); } };
}

// A select that saves on a mouse pick, or on Enter or blur after keyboard moves.
// options: [[value, text]]; none: the text of the empty choice (omit for none).
export function SaveSelect({ label, value, options, none, save }) {
  const ref = useRef(null);
  const keyed = useRef(false);
  const pending = useRef(false);
  const s = useSaver(value, save);
  const now = () => ref.current.value;
  const cur = value == null ? '' : String(value);
  return html`<span class="inline"><select ref=${ref} aria-label=${label}
      onPointerDown=${() => { keyed.current = false; }}
      onKeyDown=${(e) => {
        if (e.key === 'Enter') { e.preventDefault(); pending.current = false; s.commit(now()); }
        else if (MOVES.has(e.key) || e.key.length === 1) keyed.current = true;
      }}
      onChange=${() => { if (keyed.current) pending.current = true; else s.commit(now()); }}
      onBlur=${() => { keyed.current = false; if (pending.current) { pending.current = false; s.commit(now()); } }}>
      ${none !== undefined && html`<option value="" selected=${cur === ''}>${none}</option>`}
      ${options.map(([v, t]) => html`<option value=${v} selected=${cur === String(v)}>${t}</option>`)}</select>
    <${Mark} st=${s.st} retry=${s.retry} undo=${() => s.undo((b) => { ref.current.value = b; })} /></span>`;
}

// A box that saves when ticked, with the same mark; words: what to write beside it, [on, off].
// What was ticked stays ticked while its save is on its way, whatever renders the row in
// between: Preact puts a controlled box back to its prop on every render, and another answer
// of the page (an edit just before, read back) arriving with the value read before the save
// would untick it (seen in CI under load). A read of the record afterwards decides again.
export function SaveCheck({ label, value, save, words }) {
  const [want, setWant] = useState(null);
  useEffect(() => setWant(null), [value]);
  const s = useSaver(value ? 'true' : 'false', (v) => save(v === 'true'));
  const on = s.st?.error || want === null ? !!value : want;
  return html`<span class="inline"><label class="client-can"><input type="checkbox" checked=${on} aria-label=${label}
    onChange=${(e) => { setWant(e.target.checked); s.commit(String(e.target.checked)); }} />${words && html` <span aria-hidden="true">${on ? words[0] : words[1]}</span>`}</label>
    <${Mark} st=${s.st} retry=${s.retry} undo=${() => s.undo((b) => setWant(b === 'true'))} /></span>`;
}

// A text, number or date input that saves on change (Enter or leaving it), with the same mark.
// type "date" is typed as the app shows dates (YYYY-MM-DD), whatever the browser's locale.
export function SaveInput({ label, value, save, type = 'text', ...rest }) {
  const ref = useRef(null);
  const isDate = type === 'date';
  const check = (v) => (isDate && v && !/^\d{4}-\d{2}-\d{2}$/.test(v) ? Promise.reject(new Error('type the date as YYYY-MM-DD')) : save(v));
  const s = useSaver(value, check);
  const extra = isDate ? { placeholder: 'YYYY-MM-DD', inputmode: 'numeric', size: 10 } : {};
  return html`<span class="inline"><input ref=${ref} type=${isDate ? 'text' : type} aria-label=${label} defaultValue=${value ?? ''} ...${extra} ...${rest}
      onChange=${(e) => s.commit(e.target.value)} />
    <${Mark} st=${s.st} retry=${s.retry} undo=${() => s.undo((b) => { ref.current.value = b; })} /></span>`;
}

const fmt = (v) => (v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v));

// What changed between two versions of a record: [[field, before, after]].
function changes(before, after) {
  const skip = new Set(['updated_at', 'created_at', 'version', 'id']);
  const keys = new Set([...Object.keys(before || {}), ...Object.keys(after || {})]);
  return [...keys].filter((k) => !skip.has(k) && JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .map((k) => [k, before?.[k], after?.[k]]);
}

// "History" opens the record's change history (GET path/history) in a dialog.
export function HistoryButton({ path, name }) {
  const ref = useRef(null);
  const [rows, setRows] = useState(null);
  const [err, setErr] = useState(null);
  const [shown, setShown] = useState(false);
  async function open() {
    setShown(true);
    ref.current.showModal();
    try { setRows((await get(`${path}/history?limit=100`)).items); setErr(null); } catch (e) { setErr(e.message); }
  }
  return html`<button type="button" class="link" aria-label=${`history of ${name}`} onClick=${open}>history</button>
    <dialog ref=${ref} class="history" aria-label=${`History of ${name}`} onClose=${() => setShown(false)}>${shown && html`
      <h2>History of ${name}</h2>
      ${err && html`<p class="error" role="alert">${err}</p>`}
      ${!rows && !err ? html`<p class="loading">Loading…</p>` : rows && !rows.length ? html`<p class="muted">No recorded changes.</p>` : ''}
      ${rows && html`<ol class="history-list">${rows.map((r) => html`<li><strong>${String(r.at).slice(0, 16).replace('T', ' ')}</strong> ${r.user_name || 'the system'} ${r.action}d
        ${r.action === 'update' && html`<ul>${changes(r.before, r.after).map(([k, b, a]) => html`<li>${k.replaceAll('_', ' ')}: ${fmt(b)} → ${fmt(a)}</li>`)}</ul>`}</li>`)}</ol>`}
      <form method="dialog"><button>Close</button></form>`}
    </dialog>`;
}

