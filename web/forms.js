// Forms that never lose work. While a request runs the submit button is disabled and reads
// "Saving…", and a second click is ignored (a double click saves once). A refused save shows
// the problem document's field messages next to their controls and the rest above the
// buttons; what was typed stays, because the inputs are uncontrolled (defaultValue and
// option.selected, never value) and the form is not remade.
import { html, useState, useRef, useContext, createContext } from './vendor-preact-htm.js';
import { toMajor, toMinor, digitsOf } from './format.js';

const Problems = createContext({});

// The messages of a problem document by field name ("/title" and "title" alike).
function byField(err) {
  const out = {};
  for (const e of err?.problem?.errors || []) {
    const f = String(e.field || '').replace(/^\/+/, '').split(/[./]/)[0];
    out[f] = out[f] ? `${out[f]}; ${e.message}` : e.message;
  }
  return out;
}

// A labelled control with room for its field's message from the server.
export function Field({ name, label, children, wide }) {
  const errs = useContext(Problems);
  const msg = errs[name];
  return html`<label class=${wide ? 'field wide' : 'field'}><span>${label}</span>${children}
    ${msg && html`<span class="field-error" role="alert">${msg}</span>`}</label>`;
}

// onSave(formData, form) returns a promise; on success the form resets (reset=false keeps it).
export function Form({ label, cls = 'quick', submit = 'Save', onSave, onCancel, reset = true, children }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const lock = useRef(false);
  const ref = useRef(null);
  async function go(e) {
    e.preventDefault();
    if (lock.current) return;
    lock.current = true;
    setBusy(true);
    const form = e.currentTarget;
    try {
      await onSave(new FormData(form), form);
      setErr(null);
      if (reset) form.reset();
    } catch (x) {
      setErr(x);
    } finally {
      lock.current = false;
      setBusy(false);
    }
  }
  const fields = byField(err);
  const named = new Set(Array.from(ref.current?.elements || [], (el) => el.name));
  const loose = Object.entries(fields).filter(([f]) => !named.has(f)).map(([f, m]) => (f ? `${f.replaceAll('_', ' ')}: ${m}` : m));
  return html`<form ref=${ref} class=${cls} aria-label=${label} onSubmit=${go}>
    <${Problems.Provider} value=${fields}>${children}<//>
    ${err && html`<p class="error" role="alert">${Object.keys(fields).length ? 'Not saved: please check the marked fields.' : `Not saved: ${err.message}`}
      ${loose.length ? ` ${loose.join('; ')}` : ''}</p>`}
    <div class="buttons"><button type="submit" disabled=${busy}>${busy ? 'Saving…' : submit}</button>
      ${onCancel && html` <button type="button" onClick=${onCancel}>Cancel</button>`}</div>
  </form>`;
}

// Field specs: { name, label, type: text|number|money|date|select|int|textarea|email, options, required, max }.
// money is typed in major units and sent in minor units of its currency: the form's
// `currency` field when it has one, else the spec's `currency`, else the record's (ISO 4217
// digits: ¥120000 is 120000, 1.250 KWD is 1250); int is a select of whole numbers.
const currencyOf = (f, value, fd) => (fd && String(fd.get('currency') ?? '').trim().toUpperCase()) || f.currency || value?.currency || 'EUR';

export function fields(spec, value = {}) {
  return spec.map((f) => {
    const v = value[f.name];
    let ctl;
    if (f.type === 'select' || f.type === 'int') {
      ctl = html`<select name=${f.name} required=${f.required}>
        ${!f.required && html`<option value="" selected=${v == null}>${f.none ?? '–'}</option>`}
        ${f.options.map((o) => {
          const [val, text] = Array.isArray(o) ? o : [o, String(o).replaceAll('_', ' ')];
          return html`<option value=${val} selected=${v != null ? String(v) === String(val) : String(f.default) === String(val)}>${text}</option>`;
        })}</select>`;
    } else if (f.type === 'textarea') {
      ctl = html`<textarea name=${f.name} maxlength=${f.max} rows="3" defaultValue=${v ?? ''}></textarea>`;
    } else {
      // dates are typed as the app shows them (YYYY-MM-DD), not in the browser's locale format
      const t = { money: 'number', number: 'number', email: 'email', password: 'password' }[f.type] || 'text';
      const iso = f.type === 'date' ? { pattern: '\\d{4}-\\d{2}-\\d{2}', placeholder: 'YYYY-MM-DD', title: 'a date as YYYY-MM-DD', inputmode: 'numeric' } : {};
      const shown = v == null ? (f.default ?? '') : f.type === 'money' ? toMajor(v, currencyOf(f, value)) : f.type === 'date' ? String(v).slice(0, 10) : v;
      ctl = html`<input name=${f.name} type=${t} step=${t === 'number' ? 'any' : undefined} min=${f.type === 'money' ? 0 : undefined}
        required=${f.required} maxlength=${f.max} autocomplete=${f.autocomplete} defaultValue=${shown} ...${iso} />`;
    }
    return html`<${Field} name=${f.name} label=${f.label} wide=${f.type === 'textarea'}>${ctl}<//>`;
  });
}

// The request body the specs describe, read from the form: empty optional fields are null
// (left out when the spec says omitEmpty: the server then fills its default).
// An amount with more decimals than its currency has is refused at its field, as the
// server would refuse a bad value, so nothing is rounded away unseen.
export function body(spec, fd, value) {
  const out = {};
  for (const f of spec) {
    const raw = fd.get(f.name);
    if (raw === null) continue;
    const s = String(raw).trim();
    if (s === '') { if (!f.omitEmpty) out[f.name] = f.required ? s : null; continue; }
    if (f.type === 'number') out[f.name] = Number(s);
    else if (f.type === 'money') {
      const cur = currencyOf(f, value, fd);
      out[f.name] = toMinor(s, cur);
      if (out[f.name] === null) {
        const d = digitsOf(cur);
        const message = `must be an amount in ${cur} with at most ${d} decimal${d === 1 ? '' : 's'}`;
        throw Object.assign(new Error(message), { problem: { errors: [{ field: f.name, message }] } });
      }
    }
    else if (f.type === 'int' || f.numeric) out[f.name] = Number(s);
    else out[f.name] = s;
  }
  return out;
}
