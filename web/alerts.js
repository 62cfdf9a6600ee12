// The alerts inbox (GET /api/v1/alerts/inbox): alerts grouped by account, the accounts in
// order of severity × 12-month revenue; filters by owner, severity, rule and state live in
// the URL (#/alerts?severity=critical&rule=no_interaction). Each alert: acknowledge (with an
// undo), snooze for 1, 7 or 30 days, or turn it into an action of the account's active plan.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { date, money, evidenceText } from './format.js';
import { hashParams } from './mywork.js';
import { AlertWhy } from './playbooks.js';

const RULES = {
  no_interaction: 'No contact for a while',
  detractor: 'Unhappy client (NPS detractor)',
  health_drop: 'Health dropped sharply',
  overdue_action: 'Actions past their due date',
  sla_breach: 'Support case past its SLA',
  renewal_risk: 'Renewal at risk',
  revenue_decline: 'Revenue falling year on year',
  single_threaded: 'Too few engaged contacts',
  kam_over_capacity: 'KAM has too many key accounts',
  plan_review_overdue: 'Plan review overdue',
  stakeholder_change: 'A key stakeholder left or turned against us',
};
const SNOOZE = [1, 7, 30];

// Evidence in words (format.js): money with its currency, durations in days.
function evidence(ev, currency) {
  return Object.entries(ev || {}).filter(([k, v]) => k !== 'currency' && v !== null && typeof v !== 'object')
    .map(([k, v]) => evidenceText(k, v, ev.currency || currency)).join(' · ');
}

const inDays = (n) => new Date(Date.now() + n * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');

// An action in the account's active plan, prefilled from the alert.
function NewAction({ alert, group, users, onDone, onCancel }) {
  const [plan, setPlan] = useState(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    get(`/api/v1/plans?account_id=${alert.account_id}&status=active&limit=1`).then((r) => setPlan(r.items[0] || null), (e) => setError(e.message));
  }, []);
  async function save(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    setBusy(true);
    setError(null);
    try {
      const a = await api('POST', '/api/v1/actions', { plan_id: plan.id, title: f.get('title'), due_on: f.get('due_on') || null, owner_id: Number(f.get('owner_id')) || null });
      onDone(a);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }
  if (plan === undefined && !error) return html`<p class="loading">Loading the plan…</p>`;
  if (plan === null) return html`<p class="muted">${group.account_name} has no active plan: <a href=${`#/accounts/${alert.account_id}/plan`}>create one on its plan tab</a>. <button class="link" onClick=${onCancel}>Close</button></p>`;
  return html`<form class="inline-form" onSubmit=${save} aria-label="New action from alert">
    <label>Action <input name="title" required maxlength="300" value=${`${alert.rule_label || RULES[alert.rule] || alert.rule}: follow up with ${group.account_name}`} /></label>
    <label>Due <input name="due_on" type="date" value=${inDays(7).slice(0, 10)} /></label>
    <label>Owner <select name="owner_id" value=${group.owner_id ?? ''}>${users.map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select></label>
    <span class="muted">in plan “${plan?.title || 'active plan'}”</span>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Create action'}</button> <button type="button" class="link" onClick=${onCancel}>Cancel</button>
  </form>`;
}

export function Alerts({ user }) {
  const p0 = hashParams();
  const [f, setF] = useState({ state: p0.get('state') || 'open', owner: p0.get('owner') || '', severity: p0.get('severity') || '', rule: p0.get('rule') || '' });
  const [d, setD] = useState(null);
  const [users, setUsers] = useState([]);
  const [error, setError] = useState(null);
  const [note, setNote] = useState(null); // {text, undo}
  const [making, setMaking] = useState(null);
  const [busy, setBusy] = useState(null);
  const canAct = user.role !== 'viewer';
  const query = () => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v && !(k === 'state' && v === 'open')) q.set(k, v);
    return q;
  };
  const load = () => {
    const q = query();
    history.replaceState(null, '', `#/alerts${q.toString() ? `?${q}` : ''}`);
    if (f.state === 'open') q.set('state', 'open');
    return get(`/api/v1/alerts/inbox?${q}`).then((r) => { setD(r); setError(null); }, (e) => setError(e.message));
  };
  useEffect(() => { load(); }, [f.state, f.owner, f.severity, f.rule]);
  useEffect(() => { get('/api/v1/users?limit=500&sort=name').then((r) => setUsers(r.items), () => {}); }, []);
  useEffect(() => { document.title = 'Alerts · kam'; }, []);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  async function change(a, body, text, undo) {
    setBusy(a.id);
    try {
      await api('PATCH', `/api/v1/alerts/${a.id}`, body);
      setNote({ text, undo: undo && (async () => { setNote(null); await api('PATCH', `/api/v1/alerts/${a.id}`, undo).catch((e) => setError(e.message)); load(); }) });
      await load();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(null);
    }
  }
  const owners = users.filter((u) => u.role === 'kam' || u.role === 'director' || u.role === 'admin');
  const total = d ? d.total : 0;
  return html`<div class="inbox-page">
    <div class="toolbar"><h1>Alerts</h1>
      <label>State <select value=${f.state} onChange=${set('state')}>
        <option value="open">open</option><option value="acknowledged">acknowledged</option><option value="snoozed">snoozed</option><option value="resolved">resolved</option><option value="all">all</option>
      </select></label>
      <label>Owner <select value=${f.owner} onChange=${set('owner')}><option value="">anyone</option>${owners.map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select></label>
      <label>Severity <select value=${f.severity} onChange=${set('severity')}><option value="">any</option><option value="critical">critical</option><option value="warning">warning</option><option value="info">info</option></select></label>
      <label>Rule <select value=${f.rule} onChange=${set('rule')}><option value="">any</option>${Object.entries(RULES).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select></label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${note && html`<p class="saved" role="status">${note.text} ${note.undo && html`<button class="link" onClick=${note.undo}>Undo</button>`}</p>`}
    ${!d ? html`<p class="loading">Loading…</p>` : html`<p class="muted">${total} alert${total === 1 ? '' : 's'} on ${d.groups.length} account${d.groups.length === 1 ? '' : 's'}, the most severe on the largest accounts first.
      A new account raises “No contact for a while” only after its grace period (<a href="#/settings">Settings</a>, Alert rules: the grace period for a new account).</p>
    ${d.groups.length === 0 && html`<p class="empty">No alerts match these filters.</p>`}
    ${d.groups.map((g) => html`<section class="card alert-group" data-account=${g.account_id ?? ''} aria-label=${g.account_name}>
      <h2><span class=${`sev ${g.severity}`}>${g.severity}</span> ${g.account_id ? html`<a href=${`#/accounts/${g.account_id}`} class="trunc" title=${g.account_name}>${g.account_name}</a>` : html`<span>${g.account_name}</span>`}
        <span class="muted small"> · ${g.owner_name ?? '–'} · ${money(g.revenue_12m, d.currency)} in 12 months</span></h2>
      <ul class="alert-list">${g.alerts.map((a) => html`<li data-alert=${a.id} data-severity=${a.severity}>
        <div><strong>${a.rule_label}</strong> <span class=${`sev ${a.severity}`}>${a.severity}</span> <span class="muted">since ${date(a.opened_at)}${a.state !== 'open' ? ` · ${a.state}${a.snoozed_until ? ` until ${date(a.snoozed_until)}` : ''}` : ''}</span></div>
        <div class="evidence muted">${evidence(a.evidence, d.currency)}</div>
        <${AlertWhy} id=${a.id} />
        ${canAct && a.state !== 'resolved' && html`<div class="alert-tools">
          ${a.state !== 'acknowledged' && html`<button disabled=${busy === a.id} onClick=${() => change(a, { state: 'acknowledged' }, `Acknowledged “${a.rule_label}” on ${g.account_name}.`, { state: a.state, snoozed_until: a.state === 'snoozed' ? a.snoozed_until : null })}>Acknowledge</button>`}
          <label>Snooze <select disabled=${busy === a.id} value="" onChange=${(e) => e.target.value && change(a, { state: 'snoozed', snoozed_until: inDays(Number(e.target.value)) }, `Snoozed “${a.rule_label}” for ${e.target.value} day${e.target.value === '1' ? '' : 's'}.`, { state: 'open' })}>
            <option value="">for…</option>${SNOOZE.map((n) => html`<option value=${n}>${n} day${n === 1 ? '' : 's'}</option>`)}</select></label>
          ${a.account_id && html`<button class="link" onClick=${() => setMaking(making === a.id ? null : a.id)}>Create action</button>`}
        </div>`}
        ${making === a.id && html`<${NewAction} alert=${a} group=${g} users=${users.filter((u) => u.role !== 'viewer')} onCancel=${() => setMaking(null)}
          onDone=${(x) => { setMaking(null); setNote({ text: html`Action “${x.title}” added to the plan of ${g.account_name}. <a href=${`#/accounts/${g.account_id}/plan`}>Open the plan</a>` }); }} />`}
      </li>`)}</ul>
    </section>`)}`}
  </div>`;
}
