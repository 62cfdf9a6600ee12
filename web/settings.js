// Settings (directors and admins change them): scoring weights with a live preview of who
// becomes key, thresholds, health weights, alert thresholds; users and roles (admins);
// everyone's own API tokens and calendar feed.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { Imports } from './imports.js';
import { date } from './format.js';
import { Form, fields, body } from './forms.js';

function Scoring({ s, accounts, canEdit, onSaved, msg, setMsg }) {
  const [draft, setDraft] = useState({ weights: { ...s.weights }, key_threshold: s.key_threshold, potential_threshold: s.potential_threshold });
  const [preview, setPreview] = useState(null);
  useEffect(() => {
    if (!canEdit) return undefined;
    const t = setTimeout(() => api('POST', '/api/v1/settings/preview', draft).then(setPreview, (e) => setMsg(e.message)), 200);
    return () => clearTimeout(t);
  }, [JSON.stringify(draft)]);
  const w = (k) => html`<label>${k} <input type="number" min="0" max="100" step="0.05" value=${draft.weights[k]} disabled=${!canEdit}
    onInput=${(e) => setDraft({ ...draft, weights: { ...draft.weights, [k]: Number(e.target.value) } })} /></label>`;
  async function save() {
    try { await api('PATCH', '/api/v1/settings', draft); setMsg('Saved: every account was re-ranked.'); onSaved(); } catch (e) { setMsg(e.message); }
  }
  const name = (id) => accounts.find((a) => a.id === id)?.name ?? `account ${id}`;
  return html`<section aria-labelledby="sw-title"><h2 id="sw-title">Identification</h2>
    <div class="fields">${['financial', 'growth', 'strategic', 'influence'].map(w)}
      <label>key from <input type="number" min="0" max="100" value=${draft.key_threshold} disabled=${!canEdit} onInput=${(e) => setDraft({ ...draft, key_threshold: Number(e.target.value) })} /></label>
      <label>potential from <input type="number" min="0" max="100" value=${draft.potential_threshold} disabled=${!canEdit} onInput=${(e) => setDraft({ ...draft, potential_threshold: Number(e.target.value) })} /></label></div>
    ${preview && html`<p class="preview" role="status">Key accounts: <strong>${preview.proposed.key}</strong> (now ${preview.now.key}) ·
      potential ${preview.proposed.potential} (now ${preview.now.potential})</p>
      <ul class="changes">${preview.changes.map((c) => html`<li>${name(c.account_id)}: ${c.tier_now} → <strong>${c.tier}</strong></li>`)}</ul>`}
    ${canEdit && html`<button onClick=${save}>Save and re-rank</button>`} ${msg && html`<span role="status">${msg}</span>`}
  </section>`;
}

function Health({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  async function change(part, v) {
    try { await api('PATCH', '/api/v1/settings', { health_weights: { [part]: v } }); setMsg('Saved'); onSaved(); } catch (e) { setMsg(e.message); }
  }
  return html`<section aria-labelledby="sh-title"><h2 id="sh-title">Health score weights</h2>
    <div class="fields">${Object.entries(s.health_weights).map(([part, w]) => html`<label>${part.replaceAll('_', ' ')}
      <input type="number" min="0" max="100" step="0.05" value=${w} disabled=${!canEdit} onChange=${(e) => change(part, Number(e.target.value))} /></label>`)}</div>
    ${msg && html`<p role="status">${msg}</p>`}
  </section>`;
}

// The installation time zone: what "today", "overdue" and a month's edges mean.
function TimeZone({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  async function change(v) {
    try { await api('PATCH', '/api/v1/settings', { time_zone: v }); setMsg('Saved'); onSaved(); } catch (e) { setMsg(e.message); }
  }
  return html`<section aria-labelledby="tz-title"><h2 id="tz-title">Time zone</h2>
    <label>IANA name (e.g. Europe/Berlin, Asia/Tokyo) <input value=${s.time_zone} disabled=${!canEdit} onChange=${(e) => change(e.target.value.trim())} /></label>
    ${msg && html`<p role="status">${msg}</p>`}
  </section>`;
}

// Our company name as a client reads it on a share link.
function Company({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  async function change(v) {
    try { await api('PATCH', '/api/v1/settings', { company_name: v }); setMsg('Saved'); onSaved(); } catch (e) { setMsg(e.message); }
  }
  return html`<section aria-labelledby="co-title"><h2 id="co-title">Company name</h2>
    <label>Shown to clients on share links <input value=${s.company_name || ''} maxlength="200" disabled=${!canEdit} onChange=${(e) => change(e.target.value.trim())} /></label>
    ${msg && html`<p role="status">${msg}</p>`}
  </section>`;
}

function Alerts({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  async function change(rule, body) {
    try { await api('PATCH', '/api/v1/settings', { alerts: { [rule]: body } }); setMsg(`Saved ${rule.replaceAll('_', ' ')}`); onSaved(); } catch (e) { setMsg(e.message); }
  }
  return html`<section aria-labelledby="sa-title"><h2 id="sa-title">Alert rules</h2>
    <div class="scroll"><table><thead><tr><th>Rule</th><th>On</th><th>Threshold</th><th>Unit</th></tr></thead><tbody>
    ${Object.entries(s.alerts).map(([rule, a]) => html`<tr><td>${rule.replaceAll('_', ' ')}</td>
      <td><input type="checkbox" checked=${a.enabled} disabled=${!canEdit} aria-label=${`${rule} on`} onChange=${(e) => change(rule, { enabled: e.target.checked })} /></td>
      <td><input type="number" value=${a.threshold} disabled=${!canEdit} aria-label=${`${rule} threshold`} onChange=${(e) => change(rule, { threshold: Number(e.target.value) })} /></td><td class="muted">${a.unit}</td></tr>`)}
    </tbody></table></div>${msg && html`<p role="status">${msg}</p>`}
  </section>`;
}

function Users({ me }) {
  const [users, setUsers] = useState([]);
  const [msg, setMsg] = useState(null);
  const load = () => get('/api/v1/users?limit=500&sort=name').then((r) => setUsers(r.items));
  useEffect(() => { load(); }, []);
  async function patch(u, body) {
    try { await api('PATCH', `/api/v1/users/${u.id}`, body); load(); } catch (e) { setMsg(e.message); }
  }
  const admin = me.role === 'admin';
  return html`<section aria-labelledby="su-title"><h2 id="su-title">Users and roles</h2>
    <div class="scroll"><table><thead><tr><th>Name</th><th>E-mail</th><th>Role</th><th>Active</th></tr></thead><tbody>
    ${users.map((u) => html`<tr><td>${u.name}</td><td>${u.email}</td>
      <td>${admin ? html`<select aria-label=${`role of ${u.name}`} value=${u.role} onChange=${(e) => patch(u, { role: e.target.value })}>
        ${['admin', 'director', 'kam', 'member', 'viewer'].map((r) => html`<option value=${r}>${r}</option>`)}</select>` : u.role}</td>
      <td>${admin ? html`<input type="checkbox" aria-label=${`${u.name} active`} checked=${u.active} onChange=${(e) => patch(u, { active: e.target.checked })} />` : (u.active ? 'yes' : 'no')}</td></tr>`)}
    </tbody></table></div>${msg && html`<p class="error" role="alert">${msg}</p>`}
    ${admin && html`<${InviteUser} onDone=${load} />`}
  </section>`;
}

// Admins invite a user: name, e-mail, role and a first password to hand over.
function InviteUser({ onDone }) {
  const [done, setDone] = useState(null);
  const spec = [
    { name: 'name', label: 'Name', required: true, max: 200 },
    { name: 'email', label: 'E-mail', type: 'email', required: true, max: 254, autocomplete: 'off' },
    { name: 'role', label: 'Role', type: 'select', required: true, options: ['kam', 'member', 'viewer', 'director', 'admin'] },
    { name: 'password', label: 'First password (12+ characters)', type: 'password', required: true, max: 128, autocomplete: 'new-password' },
  ];
  async function save(fd) {
    const u = await api('POST', '/api/v1/users', { ...body(spec, fd), active: true });
    setDone(`Invited ${u.name} (${u.email}) as ${u.role}: hand them the first password.`);
    onDone();
  }
  return html`<h3>Invite a user</h3>
    <${Form} label="Invite a user" cls="quick invite" submit="Invite" onSave=${save}>${fields(spec)}<//>
    ${done && html`<p role="status">${done}</p>`}`;
}

// Everyone changes their own password; the server then ends every session, so the next
// step is signing in again.
function ChangePassword() {
  const [done, setDone] = useState(false);
  const spec = [
    { name: 'current_password', label: 'Current password', type: 'password', required: true, max: 128, autocomplete: 'current-password' },
    { name: 'new_password', label: 'New password (12+ characters)', type: 'password', required: true, max: 128, autocomplete: 'new-password' },
  ];
  async function save(fd) {
    await api('POST', '/api/v1/me/password', body(spec, fd));
    setDone(true);
  }
  return html`<section aria-labelledby="pw-title"><h2 id="pw-title">My password</h2>
    ${done ? html`<p role="status">Password changed. Every session ended, this one too: <button onClick=${() => location.reload()}>Sign in again</button></p>`
    : html`<${Form} label="Change my password" cls="quick password" submit="Change password" onSave=${save}>${fields(spec)}<//>`}
  </section>`;
}

function Tokens() {
  const [items, setItems] = useState([]);
  const [fresh, setFresh] = useState(null);
  const load = () => get('/api/v1/tokens').then((r) => setItems(r.items));
  useEffect(() => { load(); }, []);
  async function create(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const days = Number(f.get('days'));
    const body = { name: f.get('name') };
    if (days) body.expires_at = new Date(Date.now() + days * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    setFresh(await api('POST', '/api/v1/tokens', body));
    e.target.reset();
    load();
  }
  const expiry = (t) => !t.expires_at ? 'never expires'
    : new Date(t.expires_at) <= new Date() ? `expired ${date(t.expires_at)}` : `expires ${date(t.expires_at)}`;
  return html`<section aria-labelledby="st-title"><h2 id="st-title">My API tokens</h2>
    <form onSubmit=${create} class="inline"><label>Label <input name="name" required maxlength="100" /></label>
      <label>Expires <select name="days"><option value="30">in 30 days</option><option value="90" selected>in 90 days</option>
        <option value="365">in a year</option><option value="0">never</option></select></label>
      <button type="submit">Create token</button></form>
    ${fresh && html`<p role="status">Copy it now, it is shown once: <input readonly aria-label="new token" value=${fresh.token} size="50" /></p>`}
    <ul>${items.map((t) => html`<li>${t.name} <span class="muted">created ${date(t.created_at)}, last used ${t.last_used_at ? date(t.last_used_at) : 'never'}, ${expiry(t)}</span>${' '}
      <button class="link" onClick=${async () => { await api('DELETE', `/api/v1/tokens/${t.id}`); load(); }}>revoke</button></li>`)}</ul>
  </section>`;
}

// The caller's iCalendar feed: the URL holds a secret token, so it is shown once, right
// after it is created or rotated (rotating kills the old URL), with a copy button.
function CalendarFeed() {
  const [st, setSt] = useState(null);
  const [fresh, setFresh] = useState(null);
  const [msg, setMsg] = useState(null);
  const load = () => get('/api/v1/me/calendar').then(setSt, (e) => setMsg(e.message));
  useEffect(() => { load(); }, []);
  async function create() {
    try { setFresh(await api('POST', '/api/v1/me/calendar')); setMsg(null); load(); } catch (e) { setMsg(e.message); }
  }
  async function revoke() {
    try { await api('DELETE', '/api/v1/me/calendar'); setFresh(null); setMsg('Revoked: the old link no longer works.'); load(); } catch (e) { setMsg(e.message); }
  }
  async function copy() {
    try { await navigator.clipboard.writeText(fresh.url); setMsg('Copied.'); } catch { setMsg('Select the link and copy it.'); }
  }
  return html`<section aria-labelledby="cal-title"><h2 id="cal-title">Calendar feed</h2>
    <p class="muted">Action due dates, plan reviews, renewals and case SLA deadlines of your accounts, for any calendar app that subscribes to a URL.</p>
    <p>${st?.active ? `Active since ${date(st.created_at)}. ` : 'No feed yet. '}
      <button type="button" onClick=${create}>${st?.active ? 'Rotate link' : 'Create link'}</button>
      ${st?.active && html` <button type="button" class="link" onClick=${revoke}>revoke feed</button>`}</p>
    ${fresh && html`<p role="status">Copy it now, it is shown once: <input readonly aria-label="calendar feed URL" value=${fresh.url} size="60" onFocus=${(e) => e.target.select()} />
      <button type="button" onClick=${copy}>Copy</button></p>`}
    ${msg && html`<p class="muted">${msg}</p>`}
  </section>`;
}

export function Settings({ user }) {
  const [s, setS] = useState(null);
  const [accounts, setAccounts] = useState([]);
  const [n, setN] = useState(0);
  const [msg, setMsg] = useState(null); // kept here: the scoring form is remade after a save
  useEffect(() => {
    get('/api/v1/settings').then(setS);
    get('/api/v1/accounts?limit=500').then((r) => setAccounts(r.items));
  }, [n]);
  if (!s) return html`<p class="loading">Loading…</p>`;
  const canEdit = user.role === 'admin' || user.role === 'director';
  return html`<div class="settings"><h1>Settings</h1>
    ${!canEdit && html`<p class="muted">Directors and admins change these; you can read them.</p>`}
    <${Scoring} key=${n} s=${s} accounts=${accounts} canEdit=${canEdit} onSaved=${() => setN(n + 1)} msg=${msg} setMsg=${setMsg} />
    <${Health} s=${s} canEdit=${canEdit} onSaved=${() => setN(n + 1)} />
    <${Alerts} s=${s} canEdit=${canEdit} onSaved=${() => setN(n + 1)} />
    <${TimeZone} s=${s} canEdit=${canEdit} onSaved=${() => setN(n + 1)} />
    <${Company} s=${s} canEdit=${canEdit} onSaved=${() => setN(n + 1)} />
    ${canEdit && html`<${Users} me=${user} />`}
    ${user.role !== 'viewer' && user.role !== 'member' && html`<${Imports} />`}
    <${ChangePassword} />
    <${Tokens} />
    <${CalendarFeed} />
  </div>`;
}
