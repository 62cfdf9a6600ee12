// Settings (directors and admins change them): scoring weights with a live preview of who
// becomes key, thresholds, health weights, alert thresholds; users and roles (admins);
// everyone's own API tokens and calendar feed.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { Imports } from './imports.js';
import { ImportWizard } from './wizard.js';
import { date, num, money } from './format.js';
import { Form, fields, body } from './forms.js';
import { MailPrefs, Outbox, DirectorMail } from './mail.js';
import { Webhooks } from './webhooks.js';
import { ForecastSettings } from './forecast.js';
import { PlaybookLibrary } from './playbooks.js';

// Weights are kept as shares of their total (the server divides by the sum): the form shows
// and takes them in percent, and saves only when they total 100%.
const pcts = (w) => {
  const sum = Object.values(w).reduce((a, b) => a + b, 0) || 1;
  return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, Math.round((v / sum) * 1000) / 10]));
};
const fracs = (p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v / 100]));
const total = (p) => Math.round(Object.values(p).reduce((a, b) => a + (Number(b) || 0), 0) * 10) / 10;
// one decimal per weight: three thirds show as 33.3% and still total 100%
const whole = (t) => Math.abs(t - 100) < 0.2;
const p1 = (v) => (Number.isInteger(v) ? String(v) : num(v, 1));

function Weights({ label, names, p, set, canEdit }) {
  const t = total(p);
  return html`<div class="fields">${names.map((k) => html`<label>${k.replaceAll('_', ' ')} (%)
      <input type="number" min="0" max="100" step="0.1" value=${p[k]} disabled=${!canEdit} aria-label=${`${label}: ${k.replaceAll('_', ' ')}, percent`}
        onInput=${(e) => set({ ...p, [k]: Number(e.target.value) })} /></label>`)}</div>
    <p class=${whole(t) ? 'muted total' : 'error total'} role="status">Total ${whole(t) ? '100' : p1(t)}%${whole(t) ? '' : ': the weights must total 100%'}</p>`;
}

// One way to save every section: edit, then an explicit Save button; the confirmation says
// what was saved, the form then shows the saved values.
function SaveBar({ canEdit, label = 'Save', disabled, busy, msg, onSave }) {
  if (!canEdit) return null;
  return html`<p class="savebar"><button type="button" disabled=${disabled || busy} onClick=${onSave}>${busy ? 'Saving…' : label}</button>
    ${msg && html` <span class=${msg.error ? 'error' : 'ok'} role=${msg.error ? 'alert' : 'status'}>${msg.text}</span>`}</p>`;
}

function useSave(onSaved, setMsg) {
  const [busy, setBusy] = useState(false);
  return [busy, async (patch, done) => {
    setBusy(true);
    try {
      const saved = await api('PATCH', '/api/v1/settings', patch);
      setMsg({ text: done(saved) });
      onSaved(saved);
    } catch (e) { setMsg({ error: true, text: e.message }); }
    setBusy(false);
  }];
}

const CRITERIA = ['financial', 'growth', 'strategic', 'influence'];

function Scoring({ s, accounts, owners, canEdit, onSaved, msg, setMsg }) {
  const [p, setP] = useState(pcts(s.weights));
  const [th, setTh] = useState({ key_threshold: s.key_threshold, potential_threshold: s.potential_threshold });
  const [preview, setPreview] = useState(null);
  const [busy, save] = useSave(onSaved, setMsg);
  const draft = { weights: fracs(p), ...th };
  const ok = whole(total(p));
  useEffect(() => {
    if (!canEdit || !ok) return undefined;
    const t = setTimeout(() => api('POST', '/api/v1/settings/preview', draft).then(setPreview, (e) => setMsg({ error: true, text: e.message })), 200);
    return () => clearTimeout(t);
  }, [JSON.stringify(draft)]);
  const acc = (id) => accounts.find((a) => a.id === id);
  const changes = preview?.changes ?? [];
  return html`<section aria-labelledby="sw-title"><h2 id="sw-title">Identification</h2>
    <p class="muted">The weight of each criterion in an account's score, in percent of the total.</p>
    <${Weights} label="score weight" names=${CRITERIA} p=${p} set=${setP} canEdit=${canEdit} />
    <div class="fields"><label>key from <input type="number" min="0" max="100" value=${th.key_threshold} disabled=${!canEdit} onInput=${(e) => setTh({ ...th, key_threshold: Number(e.target.value) })} /></label>
      <label>potential from <input type="number" min="0" max="100" value=${th.potential_threshold} disabled=${!canEdit} onInput=${(e) => setTh({ ...th, potential_threshold: Number(e.target.value) })} /></label></div>
    ${preview && ok && html`<div class="preview"><p role="status">Key accounts: <strong>${preview.proposed.key}</strong> (now ${preview.now.key}) ·
      potential ${preview.proposed.potential} (now ${preview.now.potential}) · <strong>${changes.length}</strong> ${changes.length === 1 ? 'account changes' : 'accounts change'} tier</p>
      ${changes.length > 0 && html`<div class="scroll"><table class="changes"><thead><tr><th scope="col">Account</th><th scope="col">Owner</th><th scope="col" class="num">Revenue 12 mo</th><th scope="col">Tier</th></tr></thead>
      <tbody>${changes.map((c) => html`<tr><td>${acc(c.account_id)?.name ?? `account ${c.account_id}`}</td><td>${owners[acc(c.account_id)?.owner_id] ?? ''}</td>
        <td class="num">${money(c.revenue, c.currency)}</td><td>${c.tier_now} → <strong>${c.tier}</strong></td></tr>`)}</tbody></table></div>`}</div>`}
    <${SaveBar} canEdit=${canEdit} label="Save and re-rank" busy=${busy} disabled=${!ok} msg=${msg}
      onSave=${() => save(draft, (saved) => `Saved: ${CRITERIA.map((k) => `${k} ${p1(pcts(saved.weights)[k])}%`).join(', ')}; key from ${saved.key_threshold}. Every account was re-ranked.`)} />
  </section>`;
}

function Health({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  const [p, setP] = useState(pcts(s.health_weights));
  const [busy, save] = useSave(onSaved, setMsg);
  const ok = whole(total(p));
  return html`<section aria-labelledby="sh-title"><h2 id="sh-title">Health score weights</h2>
    <p class="muted">In percent of the total; a part with no data for an account is left out and the others share its weight.</p>
    <${Weights} label="health weight" names=${Object.keys(s.health_weights)} p=${p} set=${setP} canEdit=${canEdit} />
    <${SaveBar} canEdit=${canEdit} label="Save health weights" busy=${busy} disabled=${!ok} msg=${msg}
      onSave=${() => save({ health_weights: fracs(p) }, () => 'Saved the health weights; scores follow on the next health run.')} />
  </section>`;
}

// The installation time zone: what "today", "overdue" and a month's edges mean.
function TimeZone({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  const [tz, setTz] = useState(s.time_zone);
  const [busy, save] = useSave(onSaved, setMsg);
  return html`<section aria-labelledby="tz-title"><h2 id="tz-title">Time zone</h2>
    <label>IANA name (e.g. Europe/Berlin, Asia/Tokyo) <input value=${tz} disabled=${!canEdit} onInput=${(e) => setTz(e.target.value)} /></label>
    <${SaveBar} canEdit=${canEdit} label="Save time zone" busy=${busy} disabled=${tz.trim() === s.time_zone} msg=${msg}
      onSave=${() => save({ time_zone: tz.trim() }, (saved) => `Saved: the time zone is ${saved.time_zone}.`)} />
  </section>`;
}

// Our company name as a client reads it on a share link.
function Company({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  const [name, setName] = useState(s.company_name || '');
  const [busy, save] = useSave(onSaved, setMsg);
  return html`<section aria-labelledby="co-title"><h2 id="co-title">Company name</h2>
    <label>Shown to clients on share links <input value=${name} maxlength="200" disabled=${!canEdit} onInput=${(e) => setName(e.target.value)} /></label>
    <${SaveBar} canEdit=${canEdit} label="Save company name" busy=${busy} disabled=${name.trim() === (s.company_name || '')} msg=${msg}
      onSave=${() => save({ company_name: name.trim() }, (saved) => `Saved: clients see ${saved.company_name || 'no company name'}.`)} />
  </section>`;
}

function Alerts({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  const [d, setD] = useState(JSON.parse(JSON.stringify(s.alerts)));
  const [busy, save] = useSave(onSaved, setMsg);
  const changed = Object.keys(d).filter((r) => d[r].enabled !== s.alerts[r].enabled || d[r].threshold !== s.alerts[r].threshold
    || d[r].grace_days !== s.alerts[r].grace_days);
  const grace = d.no_interaction?.grace_days;
  const set = (rule, v) => setD({ ...d, [rule]: { ...d[rule], ...v } });
  return html`<section aria-labelledby="sa-title"><h2 id="sa-title">Alert rules</h2>
    <div class="scroll"><table><thead><tr><th>Rule</th><th>On</th><th>Threshold</th><th>Unit</th></tr></thead><tbody>
    ${Object.entries(d).map(([rule, a]) => html`<tr><td>${rule.replaceAll('_', ' ')}</td>
      <td><input type="checkbox" checked=${a.enabled} disabled=${!canEdit} aria-label=${`${rule} on`} onChange=${(e) => set(rule, { enabled: e.target.checked })} /></td>
      <td><input type="number" value=${a.threshold} disabled=${!canEdit} aria-label=${`${rule} threshold`} onInput=${(e) => set(rule, { threshold: Number(e.target.value) })} /></td><td class="muted">${a.unit}</td></tr>`)}
    </tbody></table></div>
    ${grace !== undefined && html`<p class="fields"><label>A new account raises “no interaction” only after a grace period of${' '}<input type="number" min="0" max="365" value=${grace} disabled=${!canEdit} aria-label="no interaction grace period for a new account, in days"
        onInput=${(e) => set('no_interaction', { grace_days: Number(e.target.value) })} /> days</label></p>`}
    <${SaveBar} canEdit=${canEdit} label="Save alert rules" busy=${busy} disabled=${!changed.length} msg=${msg}
      onSave=${() => save({ alerts: Object.fromEntries(changed.map((r) => [r, { enabled: d[r].enabled, threshold: d[r].threshold,
        ...(d[r].grace_days !== undefined ? { grace_days: d[r].grace_days } : {}) }])) },
        () => `Saved ${changed.map((r) => r.replaceAll('_', ' ')).join(', ')}.`)} />
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

// Where revenue comes from and how silence reads (issue 15): a company with only its CRM books
// won deals as revenue; an account with no churn date is lost after months without revenue.
function Revenue({ s, canEdit, onSaved }) {
  const [msg, setMsg] = useState(null);
  const [months, setMonths] = useState(String(s.churn_after_months));
  const [book, setBook] = useState(s.book_won_opportunities);
  const [busy, save] = useSave(onSaved, setMsg);
  const same = Number(months) === s.churn_after_months && book === s.book_won_opportunities;
  return html`<section aria-labelledby="rv-title"><h2 id="rv-title">Revenue and customer lifecycle</h2>
    <p><label><input type="checkbox" checked=${book} disabled=${!canEdit} onChange=${(e) => setBook(e.target.checked)} />
      Book each won opportunity as revenue on its close date (no ERP feed: the CRM is the only source)</label></p>
    <p><label>An account with no churn date counts as lost after <input type="number" min="1" max="120" value=${months} disabled=${!canEdit}
      onInput=${(e) => setMonths(e.target.value)} class="narrow" aria-label="months without revenue before an account counts as lost" /> months without revenue</label></p>
    <${SaveBar} canEdit=${canEdit} label="Save revenue settings" busy=${busy} disabled=${same} msg=${msg}
      onSave=${() => save({ churn_after_months: Number(months), book_won_opportunities: book },
        (v) => `Saved: ${v.book_won_opportunities ? 'won deals are booked as revenue' : 'revenue comes from transactions only'}; lost after ${v.churn_after_months} quiet months.`)} />
  </section>`;
}

// People who cannot sign in yet (imported from a CRM, or invited without a password): each gets
// a one-time link to pass on; it is shown once, kam keeps only its hash.
function Pending() {
  const [items, setItems] = useState(null);
  const [links, setLinks] = useState({});
  const [err, setErr] = useState(null);
  useEffect(() => { get('/api/v1/invitations').then((r) => setItems(r.items), (e) => setErr(e.message)); }, []);
  async function invite(u) {
    try {
      const r = await api('POST', `/api/v1/users/${u.id}/invitation`);
      setLinks({ ...links, [u.id]: r.mailed ? { mailed: true } : location.origin + r.link });
    } catch (e) { setErr(e.message); }
  }
  if (!items || items.length === 0) return err ? html`<p class="error" role="alert">${err}</p>` : null;
  return html`<section aria-labelledby="pi-title"><h2 id="pi-title">Waiting for their password</h2>
    <p class="muted">These users cannot sign in until they choose a password through an invitation link. A new link replaces the old one; each works once, for 14 days, and is shown only here, now.</p>
    <div class="scroll"><table><thead><tr><th>Name</th><th>E-mail</th><th>Invitation</th></tr></thead><tbody>
      ${items.map((u) => html`<tr><td>${u.name}</td><td>${u.email}</td><td>${links[u.id]?.mailed
        ? html`<span role="status">Mailed to ${u.email}</span>`
        : links[u.id]
        ? html`<input class="invite-link" readonly value=${links[u.id]} aria-label=${`Invitation link for ${u.name}`} onFocus=${(e) => e.target.select()} /> <button type="button" onClick=${() => navigator.clipboard?.writeText(links[u.id])}>Copy</button>`
        : html`<button type="button" onClick=${() => invite(u)}>Create invitation link</button>`}</td></tr>`)}
    </tbody></table></div>
    ${err && html`<p class="error" role="alert">${err}</p>`}
  </section>`;
}

export function Settings({ user }) {
  const [s, setS] = useState(null);
  const [accounts, setAccounts] = useState([]);
  const [owners, setOwners] = useState({});
  const [n, setN] = useState(0);
  const [msg, setMsg] = useState(null); // kept here: the scoring form is remade after a save
  const [failed, setFailed] = useState(null);
  useEffect(() => {
    setFailed(null);
    get('/api/v1/settings').then(setS, (e) => setFailed(e.message));
    get('/api/v1/accounts?limit=500').then((r) => setAccounts(r.items), () => {});
  }, [n]);
  useEffect(() => { get('/api/v1/users?limit=500&sort=name').then((r) => setOwners(Object.fromEntries(r.items.map((u) => [u.id, u.name]))), () => {}); }, []);
  if (!s && failed) return html`<p class="error" role="alert">Settings could not load: ${failed} <button class="link" onClick=${() => setN(n + 1)}>Retry</button></p>`;
  if (!s) return html`<p class="loading">Loading…</p>`;
  const canEdit = user.role === 'admin' || user.role === 'director';
  // the forms are remade from what the server saved (its answer), never from the old copy
  const saved = (next) => { setS(next); setN(n + 1); };
  return html`<div class="settings"><h1>Settings</h1>
    ${!canEdit && html`<p class="muted">Directors and admins change these; you can read them.</p>`}
    <${Scoring} key=${`s${n}`} s=${s} accounts=${accounts} owners=${owners} canEdit=${canEdit} onSaved=${saved} msg=${msg} setMsg=${setMsg} />
    <${Health} s=${s} canEdit=${canEdit} onSaved=${saved} />
    <${Alerts} s=${s} canEdit=${canEdit} onSaved=${saved} />
    <${PlaybookLibrary} canEdit=${canEdit} />
    <${TimeZone} s=${s} canEdit=${canEdit} onSaved=${saved} />
    <${Company} s=${s} canEdit=${canEdit} onSaved=${saved} />
    <${Revenue} s=${s} canEdit=${canEdit} onSaved=${saved} />
    <${DirectorMail} s=${s} canEdit=${canEdit} onSaved=${saved} />
    <${ForecastSettings} s=${s} canEdit=${canEdit} onSaved=${saved} />
    ${canEdit && html`<${Users} me=${user} />`}
    ${user.role === 'admin' && html`<${Pending} /><${Outbox} /><${Webhooks} />`}
    ${user.role !== 'viewer' && user.role !== 'member' && html`<${ImportWizard} /><${Imports} />`}
    <${ChangePassword} />
    <${Tokens} />
    <${CalendarFeed} />
    <${MailPrefs} />
  </div>`;
}
