// Mail in Settings (issue 16): my mail preferences (the daily digest and its hour, immediate
// alert mails by severity), and for admins the mails the server could not deliver.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { toMajor, toMinor, money } from './format.js';

const SEVERITIES = ['critical', 'warning', 'info'];

export function MailPrefs() {
  const [p, setP] = useState(null);
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { get('/api/v1/me/notifications').then(setP, (e) => setMsg(e.message)); }, []);
  if (!p) return msg ? html`<p class="error" role="alert">${msg}</p>` : null;
  async function save(next) {
    setBusy(true);
    setMsg(null);
    try {
      const r = await api('PATCH', '/api/v1/me/notifications', next);
      setP(r);
      setMsg(`Saved: ${r.digest ? `a digest each morning at ${String(r.digest_hour).padStart(2, '0')}:00` : 'no digest'}; ${r.immediate.length ? `immediate mails for ${r.immediate.join(', ')} alerts` : 'no immediate mails'}.`);
    } catch (e) { setMsg(e.message); }
    setBusy(false);
  }
  const toggle = (sev, on) => save({ immediate: on ? [...p.immediate, sev] : p.immediate.filter((x) => x !== sev) });
  return html`<section aria-labelledby="ml-title"><h2 id="ml-title">My mail</h2>
    <p class="muted">What kam mails you, if the server has mail set up. Every mail has a link to turn them all off.</p>
    <p><label><input type="checkbox" checked=${p.digest} disabled=${busy} onChange=${(e) => save({ digest: e.target.checked })} />
      A daily digest (my open alerts, overdue and this week's actions, reviews and renewals in 30 and 90 days, my accounts whose health fell) at
      </label> <select aria-label="hour of the daily digest (installation time)" value=${p.digest_hour} disabled=${busy || !p.digest}
        onChange=${(e) => save({ digest_hour: Number(e.target.value) })}>
        ${Array.from({ length: 24 }, (_, h) => html`<option value=${h}>${String(h).padStart(2, '0')}:00</option>`)}
      </select></p>
    <fieldset><legend>Mail me at once when an alert opens on my accounts with severity</legend>
      ${SEVERITIES.map((sev) => html`<label class="inline"><input type="checkbox" checked=${p.immediate.includes(sev)} disabled=${busy}
        onChange=${(e) => toggle(sev, e.target.checked)} /> ${sev}</label> `)}
    </fieldset>
    ${msg && html`<p class="muted" role="status">${msg}</p>`}
  </section>`;
}

// Admins: mails that failed for good (a refused address, too many retries), with the reason.
export function Outbox() {
  const [o, setO] = useState(null);
  useEffect(() => { get('/api/v1/outbox?state=failed').then(setO, () => {}); }, []);
  if (!o) return null;
  return html`<section aria-labelledby="ob-title"><h2 id="ob-title">Undelivered mail</h2>
    <p class=${o.failed ? 'error' : 'muted'}>${o.failed ? `${o.failed} mail${o.failed === 1 ? '' : 's'} could not be delivered.` : 'Every mail went out.'}</p>
    ${o.items.length > 0 && html`<div class="scroll"><table><thead><tr><th>To</th><th>Subject</th><th>Failed</th><th>Tries</th><th>Server's answer</th></tr></thead><tbody>
      ${o.items.map((m) => html`<tr><td>${m.recipient}</td><td>${m.subject}</td><td>${new Date(m.failed_at * 1000).toISOString().slice(0, 16).replace('T', ' ')}</td><td>${m.attempts}</td><td>${m.last_error}</td></tr>`)}
    </tbody></table></div>`}
  </section>`;
}

// Directors and admins: alerts on accounts whose revenue over the last 12 months is at least
// this much (base currency) are mailed to the directors too. Empty or 0: off.
export function DirectorMail({ s, canEdit, onSaved }) {
  const cur = s.base_currency;
  const stored = s.director_alert_min_revenue || 0;
  const [v, setV] = useState(stored ? toMajor(stored, cur) : '');
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const minor = v.trim() === '' ? 0 : toMinor(v, cur);
  async function save() {
    setBusy(true);
    setMsg(null);
    try {
      const r = await api('PATCH', '/api/v1/settings', { director_alert_min_revenue: minor });
      setMsg({ text: r.director_alert_min_revenue ? `Saved: directors get the alerts of accounts with ${money(r.director_alert_min_revenue, cur)} or more over 12 months.` : 'Saved: directors get no alert mails for accounts they do not own.' });
      onSaved(r);
    } catch (e) { setMsg({ error: true, text: e.message }); }
    setBusy(false);
  }
  return html`<section aria-labelledby="dm-title"><h2 id="dm-title">Alert mails to directors</h2>
    <p class="muted">An alert on an account whose revenue over the last 12 months reaches this amount is also mailed to every director who chose its severity in <em>My mail</em>. Empty: off.</p>
    <label>Revenue over 12 months from (${cur}) <input inputmode="decimal" value=${v} disabled=${!canEdit} size="14"
      aria-invalid=${minor === null || minor < 0 ? 'true' : null} onInput=${(e) => setV(e.target.value)} /></label>
    ${minor === null && html`<p class="error" role="alert">Type an amount in ${cur}, such as 1000000.</p>`}
    ${canEdit && html`<p class="savebar"><button type="button" disabled=${busy || minor === null || minor < 0 || minor === stored} onClick=${save}>${busy ? 'Saving…' : 'Save director threshold'}</button>
      ${msg && html` <span class=${msg.error ? 'error' : 'ok'} role=${msg.error ? 'alert' : 'status'}>${msg.text}</span>`}</p>`}
  </section>`;
}
