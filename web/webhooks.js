// Webhooks in Settings (issue 16, admins): the endpoints kam sends its events to, a new one
// with its signing secret shown once, events, on/off, secret rotation, a test event and each
// endpoint's delivery log with a replay button.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';

const FORMATS = { standard: 'Standard Webhooks (JSON, signed)', slack: 'Slack incoming webhook', teams: 'Microsoft Teams connector' };
const when = (t) => (t ? t.slice(0, 16).replace('T', ' ') : '–');

// The secret, shown once, with a copy button.
function Secret({ s, onClose }) {
  const [msg, setMsg] = useState(null);
  async function copy() {
    try { await navigator.clipboard.writeText(s.secret); setMsg('Copied.'); } catch { setMsg('Select the secret and copy it.'); }
  }
  return html`<div class="wh-secret" role="status">
    <p><b>Signing secret of ${s.url || `webhook ${s.id}`}</b>: copy it now, it is shown once.</p>
    <p class="inline"><input readonly aria-label="signing secret" value=${s.secret} size="52" onFocus=${(e) => e.target.select()} />
      <button type="button" onClick=${copy}>Copy</button> <button type="button" class="link" onClick=${onClose}>done</button></p>
    ${s.previous_secret_valid_until && html`<p class="muted">The previous secret also signs until ${when(s.previous_secret_valid_until)} UTC.</p>`}
    ${msg && html`<p class="muted">${msg}</p>`}
  </div>`;
}

// The event checkboxes; value is the list chosen.
function Events({ all, value, set }) {
  return html`<fieldset class="wh-events"><legend>Events</legend>
    ${all.map((e) => html`<label class="inline"><input type="checkbox" checked=${value.includes(e)}
      onChange=${(ev) => set(ev.target.checked ? [...value, e] : value.filter((x) => x !== e))} /> <code>${e}</code></label>`)}
  </fieldset>`;
}

function AddWebhook({ all, onDone }) {
  const [url, setUrl] = useState('');
  const [desc, setDesc] = useState('');
  const [format, setFormat] = useState('standard');
  const [events, setEvents] = useState(['alert.opened', 'alert.resolved']);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  async function save(e) {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      const r = await api('POST', '/api/v1/webhooks', { url: url.trim(), description: desc, format, events });
      setUrl('');
      setDesc('');
      onDone(r);
    } catch (x) { setErr(x.message); }
    setBusy(false);
  }
  return html`<form class="wh-add" onSubmit=${save} aria-label="Add a webhook">
    <h3>Add a webhook</h3>
    <p><label>URL <input type="url" required placeholder="https://example.com/kam-events" value=${url} onInput=${(e) => setUrl(e.target.value)} size="48" /></label></p>
    <p><label>Description <input value=${desc} maxlength="500" onInput=${(e) => setDesc(e.target.value)} size="40" /></label></p>
    <p><label>Format <select value=${format} onChange=${(e) => setFormat(e.target.value)}>
      ${Object.entries(FORMATS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select></label></p>
    <${Events} all=${all} value=${events} set=${setEvents} />
    ${err && html`<p class="error" role="alert">${err}</p>`}
    <p><button type="submit" disabled=${busy || !events.length}>Add webhook</button></p>
  </form>`;
}

function Deliveries({ hook, onChanged }) {
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [msg, setMsg] = useState(null);
  const load = (cursor) => get(`/api/v1/webhooks/${hook.id}/deliveries?limit=20${cursor ? `&cursor=${cursor}` : ''}`)
    .then((r) => { setItems(cursor ? [...items, ...r.items] : r.items); setNext(r.next); }, (e) => setMsg(e.message));
  useEffect(() => { load(null); }, [hook.id, hook.pending]);
  // while something waits, the log follows it
  const waiting = items && items.some((d) => d.state === 'pending');
  useEffect(() => {
    if (!waiting) return undefined;
    const t = setTimeout(() => { load(null); onChanged(); }, 2000);
    return () => clearTimeout(t);
  }, [waiting, items]);
  async function replay(d) {
    try { await api('POST', `/api/v1/webhooks/deliveries/${d.id}/replay`); setMsg(`${d.webhook_id} queued again.`); load(null); onChanged(); } catch (e) { setMsg(e.message); }
  }
  if (!items) return msg ? html`<p class="error">${msg}</p>` : null;
  return html`<div class="wh-log"><h3>Deliveries to ${hook.url}</h3>
    ${msg && html`<p class="muted" role="status">${msg}</p>`}
    ${items.length === 0 ? html`<p class="muted">Nothing sent yet.</p>` : html`<div class="scroll"><table class="wh-deliveries">
      <thead><tr><th>Event</th><th>Created (UTC)</th><th>State</th><th>Tries</th><th>Last answer</th><th>Time</th><th></th></tr></thead>
      <tbody>${items.map((d) => {
        const a = d.attempt_log[0];
        return html`<tr><td><code>${d.type}</code><br /><span class="muted">${d.webhook_id}</span></td><td>${when(d.created_at)}</td>
          <td class=${d.state === 'failed' ? 'error' : d.state === 'pending' ? 'muted' : ''}>${d.state}${d.state === 'pending' && d.next_attempt_at ? html`<br /><span class="muted">next ${when(d.next_attempt_at)}</span>` : ''}</td>
          <td>${d.attempts}</td><td>${a ? (a.status_code ?? 'no answer') : '–'}${a?.error ? html`<br /><span class="muted why">${a.error}</span>` : ''}</td>
          <td>${a ? `${a.duration_ms} ms` : '–'}</td>
          <td><button type="button" class="link" onClick=${() => replay(d)}>replay</button></td></tr>`;
      })}</tbody></table></div>`}
    ${next && html`<p><button type="button" class="link" onClick=${() => load(next)}>older deliveries</button></p>`}
  </div>`;
}

function Row({ w, all, onChanged, showSecret, open, setOpen }) {
  const [edit, setEdit] = useState(null);
  const [msg, setMsg] = useState(null);
  async function patch(body) {
    try { await api('PATCH', `/api/v1/webhooks/${w.id}`, body); setEdit(null); setMsg(null); onChanged(); } catch (e) { setMsg(e.message); }
  }
  async function act(what) {
    try {
      if (what === 'test') { const r = await api('POST', `/api/v1/webhooks/${w.id}/test`); setMsg(`Test event ${r.webhook_id} queued${r.queued ? '' : ' (sent once the webhook is on)'}.`); setOpen(w.id); onChanged(); }
      if (what === 'rotate' && confirm('Make a new signing secret? The current one keeps signing for 24 hours.')) showSecret({ ...(await api('POST', `/api/v1/webhooks/${w.id}/rotate`)), url: w.url });
      if (what === 'delete' && confirm(`Remove the webhook to ${w.url} and its undelivered events?`)) { await api('DELETE', `/api/v1/webhooks/${w.id}`); onChanged(); }
    } catch (e) { setMsg(e.message); }
  }
  return html`<li class="wh-item">
    <p><b class="wh-url">${w.url}</b> ${w.description && html`<span class="muted">${w.description}</span>`}</p>
    <p class="muted">${FORMATS[w.format]} · ${w.events.length} event${w.events.length === 1 ? '' : 's'}: ${w.events.join(', ')}</p>
    <p>${w.enabled ? html`<span class="wh-on">On</span>` : html`<span class="error">Off${w.disabled_reason ? `: ${w.disabled_reason}` : ''}</span>`}
      ${' '}<span class="muted">${w.pending} waiting, ${w.failed} failed</span></p>
    <p class="inline wh-actions">
      <button type="button" onClick=${() => patch({ enabled: !w.enabled })}>${w.enabled ? 'Turn off' : 'Turn on'}</button>
      <button type="button" onClick=${() => setEdit(edit ? null : w.events)}>Edit events</button>
      <button type="button" onClick=${() => act('test')}>Send test event</button>
      <button type="button" onClick=${() => act('rotate')}>Rotate secret</button>
      <button type="button" onClick=${() => setOpen(open ? null : w.id)}>${open ? 'Hide deliveries' : 'Deliveries'}</button>
      <button type="button" class="link" onClick=${() => act('delete')}>remove</button></p>
    ${edit && html`<div><${Events} all=${all} value=${edit} set=${setEdit} />
      <button type="button" disabled=${!edit.length} onClick=${() => patch({ events: edit })}>Save events</button></div>`}
    ${msg && html`<p class="muted" role="status">${msg}</p>`}
    ${open && html`<${Deliveries} hook=${w} onChanged=${onChanged} />`}
  </li>`;
}

export function Webhooks() {
  const [d, setD] = useState(null);
  const [secret, setSecret] = useState(null);
  const [open, setOpen] = useState(null);
  const [err, setErr] = useState(null);
  const load = () => get('/api/v1/webhooks').then(setD, (e) => setErr(e.message));
  useEffect(() => { load(); }, []);
  if (!d) return err ? html`<p class="error">${err}</p>` : null;
  const off = d.items.filter((w) => !w.enabled && w.disabled_reason);
  return html`<section aria-labelledby="wh-title" id="webhooks"><h2 id="wh-title">Webhooks</h2>
    <p class="muted">kam posts its events to these URLs, signed per the Standard Webhooks spec, in order per URL, retried for up to 3 days. See docs/webhooks.md for how to verify a signature.</p>
    ${off.length > 0 && html`<p class="error" role="alert">${off.length} webhook${off.length === 1 ? ' was' : 's were'} turned off after failing: look at the deliveries, fix the receiver, then turn it on again.</p>`}
    ${secret && html`<${Secret} s=${secret} onClose=${() => setSecret(null)} />`}
    ${d.items.length === 0 ? html`<p class="muted">No webhooks yet.</p>`
      : html`<ul class="wh-list">${d.items.map((w) => html`<${Row} key=${w.id} w=${w} all=${d.events} onChanged=${load} showSecret=${setSecret}
        open=${open === w.id} setOpen=${setOpen} />`)}</ul>`}
    <${AddWebhook} all=${d.events} onDone=${(r) => { setSecret(r); load(); }} />
  </section>`;
}
