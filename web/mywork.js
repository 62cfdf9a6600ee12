// My work: the home page of a KAM or member. What needs me this week across my accounts —
// overdue and due actions, open alerts by account, reviews, plan ends and renewals coming,
// accounts not contacted for a while — from GET /api/v1/work ("today" is the server's, in
// the installation's time zone). A director opens it for one KAM with #/work?owner=ID.
// Also here: the global search box of the app shell (GET /api/v1/search).
import { html, useState, useEffect, useRef } from './vendor-preact-htm.js';
import { get } from './api.js';
import { date, money } from './format.js';

// The query of the hash (#/work?owner=3&days=30) as URLSearchParams.
export function hashParams() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

// Replaces the hash's query by p (no new history entry for a filter change), only while
// My work is still the page asked for: a link followed before this ran (My work is where a
// KAM lands after signing in) must not be turned back into #/work.
function setHashParams(base, p) {
  const s = p.toString();
  const h = location.hash;
  if (h && h !== '#/' && h !== base && !h.startsWith(`${base}?`)) return;
  history.replaceState(null, '', `${base}${s ? `?${s}` : ''}`);
}

const KIND = { review: 'Review', plan_end: 'Plan period ends', renewal: 'Renewal' };
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// owner: whose work this is; the dashboard's workload counts only the actions they own, so
// the panel says how many of its actions those are when others' are listed too
function Actions({ id, title, items, empty, late, owner, mine }) {
  const own = items.filter((a) => a.owner_id === owner.id).length;
  return html`<section aria-labelledby=${id} class="card" data-panel=${id}>
    <h2 id=${id}>${title} <span class="count">${items.length}</span>${own !== items.length && html` <span class="muted own">· ${own} owned by ${mine ? 'you' : owner.name}</span>`}</h2>
    ${items.length === 0 ? html`<p class="muted">${empty}</p>` : html`<ul class="worklist">${items.map((a) => html`<li data-action=${a.id}>
      <a href=${`#/accounts/${a.account_id}/plan`} class="trunc" title=${a.title}>${a.title}</a>
      ${a.playbook_name && html` <span class="pb-tag" title=${`A step of the playbook “${a.playbook_name}”`}>${a.playbook_name}</span>`}
      <span class="muted"> · <span class="trunc" title=${a.account_name}>${a.account_name}</span> · ${a.owner_name ?? 'no owner'} · </span>
      <span class=${late ? 'late' : ''}>${late ? `${plural(a.days_overdue, 'day')} late (${date(a.due_on)})` : `due ${date(a.due_on)}`}</span></li>`)}</ul>`}
  </section>`;
}

export function MyWork({ user }) {
  const p = hashParams();
  const [owner, setOwner] = useState(p.get('owner') || '');
  const [days, setDays] = useState(p.get('days') || '');
  const [horizon, setHorizon] = useState(p.get('horizon') || '90');
  const [w, setW] = useState(null);
  const [kams, setKams] = useState([]);
  const [error, setError] = useState(null);
  const staff = ['admin', 'director'].includes(user.role);
  useEffect(() => {
    if (staff) get('/api/v1/users?limit=500&sort=name').then((r) => setKams(r.items.filter((u) => u.role === 'kam' || u.role === 'member')), () => {});
  }, []);
  useEffect(() => {
    const q = new URLSearchParams();
    if (owner) q.set('owner', owner);
    if (days) q.set('days', days);
    if (horizon !== '90') q.set('horizon', horizon);
    setHashParams('#/work', q);
    let live = true;
    get(`/api/v1/work?${q}`).then((r) => { if (live) { setW(r); setError(null); } }, (e) => live && setError(e.message));
    return () => { live = false; };
  }, [owner, days, horizon]);
  useEffect(() => { document.title = 'My work · kam'; }, []);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!w) return html`<p class="loading">Loading…</p>`;
  const mine = w.owner.id === user.id;
  const nAlerts = w.alerts.reduce((n, g) => n + g.alerts.length, 0);
  return html`<div class="mywork">
    <div class="toolbar">
      <h1>${mine ? 'My work' : `Work of ${w.owner.name}`}</h1>
      <span class="muted">today ${w.today}</span>
      ${staff && html`<label>KAM <select value=${owner} onChange=${(e) => setOwner(e.target.value)}>
        <option value="">me</option>${kams.map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select></label>`}
    </div>
    <p class="muted summary">${plural(w.overdue.length, 'overdue action')} · ${plural(w.this_week.length, 'action')} due this week · ${plural(nAlerts, 'open alert')} · ${plural(w.quiet.length, 'quiet account')}</p>
    <div class="grid2">
      <${Actions} id="w-overdue" title="Overdue actions" items=${w.overdue} late=${true} empty="Nothing overdue." owner=${w.owner} mine=${mine} />
      <${Actions} id="w-week" title=${`Due this week (to ${w.week_end})`} items=${w.this_week} empty="Nothing due in the next 7 days." owner=${w.owner} mine=${mine} />
      <section aria-labelledby="w-alerts" class="card" data-panel="w-alerts">
        <h2 id="w-alerts">Open alerts <span class="count">${nAlerts}</span></h2>
        ${w.alerts.length === 0 ? html`<p class="muted">No open alerts on these accounts.</p>` : html`<ul class="worklist">${w.alerts.map((g) => html`<li>
          <a href=${g.account_id ? `#/accounts/${g.account_id}` : '#/alerts'} class="trunc" title=${g.account_name}>${g.account_name}</a>
          <span class="muted"> · ${g.alerts.map((a) => a.rule_label).join(' · ')}</span></li>`)}</ul>`}
        <a href=${`#/alerts${owner ? `?owner=${owner}` : ''}`}>Alerts inbox</a>
      </section>
      <section aria-labelledby="w-dates" class="card" data-panel="w-dates">
        <h2 id="w-dates">Reviews and renewals <span class="count">${w.dates.length}</span></h2>
        <label>in the next <select value=${horizon} onChange=${(e) => setHorizon(e.target.value)}><option value="30">30 days</option><option value="90">90 days</option></select></label>
        ${w.dates.length === 0 ? html`<p class="muted">No review, plan end or renewal in the next ${w.horizon} days.</p>` : html`<ul class="worklist">${w.dates.map((d) => html`<li>
          <strong>${date(d.day)}</strong> <span class="muted">(in ${plural(d.days_away, 'day')})</span> ${KIND[d.kind]}:${' '}
          <a href=${`#/accounts/${d.account_id}${d.kind === 'renewal' ? '/opportunities' : '/plan'}`} class="trunc" title=${d.account_name}>${d.account_name}</a>
          ${d.title && html`<span class="muted"> · <span class="trunc" title=${d.title}>${d.title}</span></span>`}</li>`)}</ul>`}
      </section>
      <section aria-labelledby="w-quiet" class="card" data-panel="w-quiet">
        <h2 id="w-quiet">Not contacted in ${w.days} days <span class="count">${w.quiet.length}</span></h2>
        <label>Days <input type="number" min="1" max="3650" value=${days || w.days} style="width:5rem"
          onChange=${(e) => { const v = Number(e.target.value); if (v >= 1 && v <= 3650) setDays(String(v)); }} /></label>
        ${w.quiet.length === 0 ? html`<p class="muted">Every account was contacted in the last ${w.days} days.</p>` : html`<ul class="worklist">${w.quiet.map((q) => html`<li>
          <a href=${`#/accounts/${q.account_id}/activity`} class="trunc" title=${q.account_name}>${q.account_name}</a>
          <span class="muted"> · ${q.owner_name} · ${q.days_since === null ? 'never contacted' : `last contact ${plural(q.days_since, 'day')} ago`}</span></li>`)}</ul>`}
        <p class="muted">The default is the "no contact" alert's threshold (Settings).</p>
      </section>
    </div>
  </div>`;
}

const GROUPS = [
  ['accounts', 'Accounts', (x) => `#/accounts/${x.id}`, (x) => x.name, (x) => x.status],
  ['contacts', 'Contacts', (x) => `#/accounts/${x.account_id}/stakeholders`, (x) => x.name, (x) => [x.title, x.account_name].filter(Boolean).join(' · ')],
  ['actions', 'Actions', (x) => `#/accounts/${x.account_id}/plan`, (x) => x.title, (x) => `${x.account_name}${x.due_on ? ` · due ${x.due_on}` : ''}`],
  ['opportunities', 'Opportunities', (x) => `#/accounts/${x.account_id}/opportunities`, (x) => x.name, (x) => `${x.account_name} · ${x.stage} · ${money(x.amount, x.currency)}`],
];

// The search box of the app shell: asks as the user types (from 2 characters), shows the
// answers grouped by kind; Escape or a click on a result closes it.
export function Search() {
  const [q, setQ] = useState('');
  const [r, setR] = useState(null);
  const [open, setOpen] = useState(false);
  const box = useRef(null);
  useEffect(() => {
    if (q.trim().length < 2) { setR(null); return undefined; }
    let live = true;
    const t = setTimeout(() => get(`/api/v1/search?q=${encodeURIComponent(q.trim().slice(0, 100))}`)
      .then((v) => live && setR(v), () => live && setR(null)), 200);
    return () => { live = false; clearTimeout(t); };
  }, [q]);
  useEffect(() => {
    const f = (e) => { if (box.current && !box.current.contains(e.target)) setOpen(false); };
    addEventListener('click', f);
    return () => removeEventListener('click', f);
  }, []);
  const total = r ? GROUPS.reduce((n, [k]) => n + r[k].length, 0) : 0;
  const close = () => { setOpen(false); setQ(''); };
  return html`<div class="search" ref=${box} onKeyDown=${(e) => { if (e.key === 'Escape') setOpen(false); }}>
    <input type="search" aria-label="Find accounts, contacts, actions, opportunities" placeholder="Find…" maxlength="100"
      value=${q} onInput=${(e) => { setQ(e.target.value); setOpen(true); }} onFocus=${() => setOpen(true)} />
    ${open && r && html`<div class="search-results" role="region" aria-label="Search results">
      ${total === 0 ? html`<p class="muted">Nothing found for “${r.q}”.</p>` : GROUPS.filter(([k]) => r[k].length).map(([k, label, href, name, sub]) => html`<div data-kind=${k}>
        <h3>${label}</h3><ul>${r[k].map((x) => html`<li><a href=${href(x)} onClick=${close} class="trunc" title=${name(x)}>${name(x)}</a>
          <span class="muted trunc">${sub(x)}</span></li>`)}</ul></div>`)}
    </div>`}
  </div>`;
}
