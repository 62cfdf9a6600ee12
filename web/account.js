// Account 360: the header (tier, score, health and why), then tabs: overview, stakeholders
// (org chart), plan (edit in place), opportunities (pipeline, whitespace), activity (log a
// meeting in two clicks), cases, risks (heat map), surveys, team.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { num, date, ago, money, pct, esc } from './format.js';
import { Chart } from './chart.js';

const TABS = ['overview', 'stakeholders', 'plan', 'opportunities', 'activity', 'cases', 'risks', 'surveys', 'team'];

function Overview({ a, health, score, kpis }) {
  return html`<div>
    <section aria-labelledby="k-title"><h2 id="k-title">Last twelve months</h2>
      ${!kpis ? html`<p class="loading">Loading the figures…</p>` : html`<p>Revenue ${money(kpis.kpis.revenue.value, kpis.currency)} (previous ${money(kpis.kpis.revenue.previous, kpis.currency)}) ·
        share of wallet ${pct(kpis.kpis.share_of_wallet.value)} · NPS ${num(kpis.kpis.nps.value, 0)} ·
        potential ${money(a.potential_annual_spend, a.currency)}</p>
      <${Chart} label="Revenue by month" option=${{
        animation: false, grid: { left: 60, right: 10, top: 10, bottom: 30 },
        xAxis: { type: 'category', data: kpis.series.map((s) => s.period.from.slice(0, 7)) },
        yAxis: { type: 'value', axisLabel: { formatter: (v) => money(v, kpis.currency) } },
        series: [{ type: 'line', areaStyle: {}, data: kpis.series.map((s) => s.kpis.revenue.value) }] }} />`}
    </section>
    <section aria-labelledby="h-title"><h2 id="h-title">Why this health score</h2>
      <table><thead><tr><th>Part</th><th>Value</th><th>Weight</th><th>Points</th><th>Reason</th></tr></thead>
      <tbody>${health.components.map((c) => html`<tr><td>${c.name.replaceAll('_', ' ')}</td><td>${num(c.value, 0)}</td><td>${num(c.weight * 100, 0)}%</td><td>${num(c.points)}</td><td>${c.reason}</td></tr>`)}</tbody></table>
    </section>
    <section aria-labelledby="sc-title"><h2 id="sc-title">Why this score (${num(score.score)}, ${score.tier})</h2>
      <table><thead><tr><th>Criterion</th><th>Raw</th><th>Normalized</th><th>Weight</th><th>Contribution</th></tr></thead>
      <tbody>${score.criteria.map((c) => html`<tr><td>${c.name}</td><td>${c.name === 'financial' ? money(c.raw, score.currency) : c.raw ?? '–'}</td><td>${num(c.normalized)}</td><td>${pct(c.weight, 0)}</td><td>${num(c.contribution)}</td></tr>`)}</tbody></table>
    </section>
  </div>`;
}

function AddPerson({ account, contacts, reload, setError }) {
  const [open, setOpen] = useState(false);
  async function add(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { account_id: account.id, name: f.get('name'), title: f.get('title') || null,
      influence: f.get('influence') ? Number(f.get('influence')) : null, attitude: f.get('attitude') || null,
      reports_to_id: f.get('reports_to') ? Number(f.get('reports_to')) : null };
    try { await api('POST', '/api/v1/contacts', body); setOpen(false); reload(); } catch (err) { setError(err.message); }
  }
  if (!open) return html`<button onClick=${() => setOpen(true)}>Add a person</button>`;
  return html`<form class="quick" onSubmit=${add} aria-label="Add a person">
    <label>Name <input name="name" required maxlength="200" /></label>
    <label>Title <input name="title" maxlength="200" /></label>
    <label>Influence <select name="influence"><option value="">unknown</option>${[1, 2, 3, 4, 5].map((i) => html`<option value=${i}>${i}</option>`)}</select></label>
    <label>Attitude <select name="attitude"><option value="">unknown</option>${['champion', 'supporter', 'neutral', 'critic', 'blocker'].map((a) => html`<option value=${a}>${a}</option>`)}</select></label>
    <label>Reports to <select name="reports_to"><option value="">nobody</option>${contacts.map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select></label>
    <button type="submit">Add</button> <button type="button" onClick=${() => setOpen(false)}>Cancel</button></form>`;
}

function Stakeholders({ account, contacts, team, reload, setError }) {
  const byId = new Map(contacts.map((c) => [c.id, { name: c.name, value: c.id, children: [], c }]));
  const roots = [];
  for (const n of byId.values()) {
    const boss = n.c.reports_to_id && byId.get(n.c.reports_to_id);
    (boss ? boss.children : roots).push(n);
  }
  const colour = { champion: '#2e7d32', supporter: '#66bb6a', neutral: '#9e9e9e', critic: '#ef6c00', blocker: '#c62828' };
  const label = (n) => ({ ...n, label: { formatter: `${n.c.name}\n${n.c.title || ''}` },
    itemStyle: { color: colour[n.c.attitude] || '#9e9e9e' }, symbolSize: 6 + 3 * (n.c.influence || 1),
    children: n.children.map(label) });
  // our side: the account's owner, its team, and whoever already owns a relationship here
  const [names, setNames] = useState({});
  useEffect(() => { get('/api/v1/users?limit=500&sort=name').then((r) => setNames(Object.fromEntries(r.items.map((u) => [u.id, u.name]))), () => {}); }, []);
  const ids = new Set([account.owner_id, ...team.map((m) => m.user_id), ...contacts.map((c) => c.relationship_owner_id).filter(Boolean)]);
  const owners = [...ids].map((id) => ({ user_id: id, name: names[id] ?? team.find((m) => m.user_id === id)?.name ?? `user ${id}` }))
    .sort((x, y) => x.name.localeCompare(y.name));
  const edit = async (c, patch) => {
    try { await api('PATCH', `/api/v1/contacts/${c.id}`, patch); reload(); } catch (e) { setError(e.message); }
  };
  const engaged = contacts.filter((c) => c.influence >= 4 && c.last_contacted_at && Date.now() - Date.parse(c.last_contacted_at) < 90 * 86400e3).length;
  return html`<div>
    ${engaged < 2 && html`<p class="warning" role="status">Single-threaded: ${engaged} influential contact${engaged === 1 ? '' : 's'} engaged in the last 90 days.</p>`}
    <section aria-labelledby="org-title"><h2 id="org-title">Organisation</h2>
      <${Chart} label="Organisation chart" tall option=${{ animation: false, tooltip: { formatter: (p) => `${esc(p.data.c.name)}: influence ${p.data.c.influence ?? '–'}, ${esc(p.data.c.attitude ?? 'unknown')}` },
        series: [{ type: 'tree', data: roots.length === 1 ? [label(roots[0])] : [{ name: '', children: roots.map(label), itemStyle: { opacity: 0 }, lineStyle: { opacity: 0 } }],
          orient: 'TB', top: 30, bottom: 70, left: 80, right: 80, expandAndCollapse: false,
          label: { position: 'bottom', fontSize: 11, lineHeight: 14, distance: 6 }, leaves: { label: { position: 'bottom' } } }] }} />
    </section>
    <${AddPerson} account=${account} contacts=${contacts} reload=${reload} setError=${setError} />
    <table class="people"><thead><tr><th scope="col">Name</th><th scope="col">Title</th><th scope="col">Reports to</th><th scope="col">Influence</th><th scope="col">Attitude</th><th scope="col">Role</th><th scope="col">Our owner</th><th scope="col">Last contacted</th></tr></thead>
    <tbody>${contacts.map((c) => html`<tr data-contact=${c.id}><td>${c.name}</td><td>${c.title || ''}</td>
      <td><select aria-label=${`${c.name} reports to`} value=${c.reports_to_id ?? ''} onChange=${(e) => edit(c, { reports_to_id: e.target.value ? Number(e.target.value) : null })}>
        <option value="">nobody here</option>${contacts.filter((o) => o.id !== c.id).map((o) => html`<option value=${o.id}>${o.name}</option>`)}</select></td>
      <td><select aria-label=${`influence of ${c.name}`} value=${c.influence ?? ''} onChange=${(e) => edit(c, { influence: e.target.value ? Number(e.target.value) : null })}>
        <option value="">–</option>${[1, 2, 3, 4, 5].map((i) => html`<option value=${i}>${i}</option>`)}</select></td>
      <td><select aria-label=${`attitude of ${c.name}`} value=${c.attitude ?? ''} onChange=${(e) => edit(c, { attitude: e.target.value || null })}>
        <option value="">unknown</option>${['champion', 'supporter', 'neutral', 'critic', 'blocker'].map((t) => html`<option value=${t}>${t}</option>`)}</select></td>
      <td>${(c.decision_role || '').replaceAll('_', ' ')}</td>
      <td><select aria-label=${`our owner of ${c.name}`} value=${c.relationship_owner_id ?? ''} onChange=${(e) => edit(c, { relationship_owner_id: e.target.value ? Number(e.target.value) : null })}>
        <option value="">nobody</option>${owners.map((u) => html`<option value=${u.user_id}>${u.name}</option>`)}
</select></td>
      <td>${ago(c.last_contacted_at)}</td></tr>`)}</tbody></table>
  </div>`;
}

function Plan({ plans, reload, setError }) {
  if (!plans.length) return html`<p class="muted">No active plan for this account.</p>`;
  const p = plans[0];
  const act = async (method, path, body) => {
    try { await api(method, path, body); reload(); return true; } catch (e) { setError(e.message); return false; }
  };
  const setStatus = (action, status) => act('PATCH', `/api/v1/actions/${action.id}`, { status });
  const setObjective = (o, patch) => act('PATCH', `/api/v1/objectives/${o.id}`, patch);
  async function addAction(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    if (await act('POST', '/api/v1/actions', { plan_id: p.id, title: f.get('title'), due_on: f.get('due_on') || null })) e.target.reset();
  }
  async function addReview(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    if (await act('POST', '/api/v1/reviews', { plan_id: p.id, held_on: f.get('held_on'), kind: f.get('kind'),
      notes: f.get('notes') || null, next_review_on: f.get('next_review_on') || null })) e.target.reset();
  }
  return html`<div>
    <h2>${p.title || 'Account plan'} <span class="muted">${date(p.period_start)} – ${date(p.period_end)}</span></h2>
    ${p.vision && html`<p><strong>Vision:</strong> ${p.vision}</p>`}
    <section aria-labelledby="o-title"><h2 id="o-title">Objectives</h2>
      <table class="objectives"><thead><tr><th scope="col">Objective</th><th scope="col">Metric</th><th scope="col">Now</th><th scope="col">Progress</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead>
      <tbody>${p.objectives.map((o) => html`<tr data-objective=${o.id}><td>${o.title}</td><td>${o.metric || ''} ${num(o.baseline)} → ${num(o.target)}</td>
        <td><input type="number" step="any" size="8" aria-label=${`current value of ${o.title}`} value=${o.current == null ? '' : Math.round(o.current * 100) / 100}
          onChange=${(e) => setObjective(o, { current: e.target.value === '' ? null : Number(e.target.value) })} /></td>
        <td><progress max="1" value=${o.progress ?? 0} aria-label=${`progress of ${o.title}`}></progress> ${pct(o.progress, 0)}</td><td>${date(o.due_on)}</td>
        <td><select aria-label=${`status of objective ${o.title}`} value=${o.status} onChange=${(e) => setObjective(o, { status: e.target.value })}>
          ${['on_track', 'at_risk', 'achieved', 'missed'].map((st) => html`<option value=${st}>${st.replace('_', ' ')}</option>`)}</select></td></tr>`)}</tbody></table>
    </section>
    <section aria-labelledby="ac-title"><h2 id="ac-title">Actions</h2>
      <table class="actions"><thead><tr><th scope="col">Action</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead>
      <tbody>${p.actions.map((a) => html`<tr class=${a.overdue ? 'overdue' : ''} data-action=${a.id}><td>${a.title}</td><td>${date(a.due_on)}${a.overdue ? ' (overdue)' : ''}</td>
        <td><select aria-label=${`status of ${a.title}`} value=${a.status} onChange=${(e) => setStatus(a, e.target.value)}>
          ${['open', 'in_progress', 'done', 'cancelled'].map((st) => html`<option value=${st}>${st.replace('_', ' ')}</option>`)}</select></td></tr>`)}</tbody></table>
      <form class="inline add-action" onSubmit=${addAction}><label>New action <input name="title" required maxlength="300" /></label>
        <label>due <input type="date" name="due_on" /></label> <button type="submit">Add action</button></form>
    </section>
    <section aria-labelledby="rv-title"><h2 id="rv-title">Reviews</h2>
      <ul class="reviews">${p.reviews.map((r) => html`<li>${date(r.held_on)} ${r.kind.toUpperCase()}: ${r.notes || ''} ${r.next_review_on ? `(next ${date(r.next_review_on)})` : ''}</li>`)}</ul>
      <form class="inline add-review" onSubmit=${addReview}><label>Held on <input type="date" name="held_on" required /></label>
        <label>Kind <select name="kind"><option value="qbr">QBR</option><option value="internal">internal</option></select></label>
        <label>Notes <input name="notes" maxlength="2000" /></label>
        <label>Next review <input type="date" name="next_review_on" /></label> <button type="submit">Record review</button></form>
    </section>
  </div>`;
}

function Opportunities({ opps, pipeline, ws, currency }) {
  const colour = { sold: '#2e7d32', pipeline: '#ffb300', white_space: '#eceff1' };
  return html`<div>
    <p>Open pipeline ${money(pipeline.total, currency)}, weighted ${money(pipeline.weighted, currency)} across ${pipeline.open_count} opportunities.</p>
    <table><thead><tr><th>Opportunity</th><th>Kind</th><th>Stage</th><th>Amount</th><th>Probability</th><th>Close</th></tr></thead>
    <tbody>${opps.map((o) => html`<tr><td>${o.name}</td><td>${o.kind.replace('_', ' ')}</td><td>${o.stage}</td><td>${money(o.amount, o.currency)}</td><td>${o.probability ?? '–'}%</td><td>${date(o.closed_on || o.expected_close_on)}</td></tr>`)}</tbody></table>
    <section aria-labelledby="ws-title"><h2 id="ws-title">Whitespace</h2>
      <table class="whitespace"><thead><tr><th>Unit</th>${ws.products.map((p) => html`<th>${p.name}</th>`)}</tr></thead>
      <tbody>${ws.units.map((u) => html`<tr><th scope="row">${u.name}</th>${ws.products.map((p) => {
        const c = ws.cells.find((x) => x.unit_id === u.id && x.product_id === p.id);
        return html`<td class=${`ws ${c.state}`} title=${c.state.replace('_', ' ')}>${c.state === 'sold' ? money(c.revenue, currency) : c.state.replace('_', ' ')}</td>`;
      })}</tr>`)}</tbody></table>
    </section>
  </div>`;
}

function Activity({ account, interactions, contacts, user, reload, setError }) {
  const [open, setOpen] = useState(false);
  async function log(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const when = new Date(Date.now() - 60e3).toISOString().replace(/\.\d+Z$/, 'Z');
    const who = f.getAll('contact').map(Number);
    try {
      await api('POST', '/api/v1/interactions', { account_id: account.id, kind: f.get('kind'), occurred_at: when,
        user_ids: [user.id], contact_ids: who, summary: f.get('summary') || null });
      setOpen(false);
      reload();
    } catch (err) { setError(err.message); }
  }
  return html`<div>
    ${open ? html`<form class="quick" onSubmit=${log} aria-label="Log an interaction">
        <label>Kind <select name="kind">${['meeting', 'call', 'email', 'visit', 'qbr'].map((k) => html`<option value=${k}>${k}</option>`)}</select></label>
        <label>Summary <input name="summary" maxlength="2000" /></label>
        <fieldset><legend>With</legend>${contacts.slice(0, 12).map((c) => html`<label><input type="checkbox" name="contact" value=${c.id} /> ${c.name}</label>`)}</fieldset>
        <button type="submit">Save</button> <button type="button" onClick=${() => setOpen(false)}>Cancel</button></form>`
      : html`<button onClick=${() => setOpen(true)}>Log a meeting</button>`}
    <ol class="timeline">${interactions.map((i) => html`<li><strong>${i.kind}</strong> ${date(i.occurred_at)} — ${i.summary || ''}
      ${i.sentiment !== null && i.sentiment !== undefined ? html`<span class="muted"> sentiment ${i.sentiment}</span>` : ''}</li>`)}</ol>
  </div>`;
}

function Cases({ cases }) {
  return html`<table><thead><tr><th>Case</th><th>Severity</th><th>Status</th><th>Opened</th><th>SLA</th></tr></thead>
    <tbody>${cases.map((c) => html`<tr><td>${c.title}</td><td class=${c.severity}>${c.severity}</td><td>${c.status.replace('_', ' ')}</td><td>${date(c.opened_at)}</td>
      <td class=${c.sla_breached ? 'overdue' : ''}>${c.sla_breached ? 'breached' : 'within'} (${c.sla_target_hours} h, due ${date(c.sla_due_at)})</td></tr>`)}</tbody></table>`;
}

function Risks({ risks, matrix }) {
  return html`<div>
    <${Chart} label="Risk heat map" option=${{ animation: false, grid: { left: 70, right: 10, top: 10, bottom: 50 },
      xAxis: { type: 'category', name: 'impact', nameLocation: 'middle', nameGap: 30, data: [1, 2, 3, 4, 5] },
      yAxis: { type: 'category', name: 'probability', nameLocation: 'middle', nameGap: 40, data: [1, 2, 3, 4, 5] },
      visualMap: { show: false, min: 1, max: 25, inRange: { color: ['#c8e6c9', '#fff59d', '#ffcc80', '#ef9a9a'] } },
      series: [{ type: 'heatmap', label: { show: true, formatter: (p) => p.data[3] || '' },
        data: matrix.cells.map((c) => [c.impact - 1, c.probability - 1, c.score, c.count]) }] }} />
    <table><thead><tr><th>Risk</th><th>Category</th><th>Score</th><th>Status</th><th>Mitigation</th></tr></thead>
    <tbody>${risks.map((r) => html`<tr><td>${r.title}</td><td>${r.category}</td><td class=${r.level}>${r.score} ${r.level}</td><td>${r.status}</td><td>${r.mitigation || ''}</td></tr>`)}</tbody></table>
  </div>`;
}

function Surveys({ surveys }) {
  const nps = surveys.filter((s) => s.kind === 'nps').sort((a, b) => a.answered_on.localeCompare(b.answered_on));
  return html`<div>
    <${Chart} label="NPS answers over time" option=${{ animation: false, grid: { left: 40, right: 10, top: 10, bottom: 30 },
      xAxis: { type: 'category', data: nps.map((s) => s.answered_on) }, yAxis: { type: 'value', min: 0, max: 10 },
      series: [{ type: 'line', data: nps.map((s) => s.score) }] }} />
    <ul>${surveys.map((s) => html`<li>${date(s.answered_on)} ${s.kind.toUpperCase()} ${s.score} ${s.category ? `(${s.category})` : ''} — ${s.comment || ''}</li>`)}</ul>
  </div>`;
}

function Team({ team }) {
  return html`<table><thead><tr><th>Name</th><th>Role on the account</th></tr></thead>
    <tbody>${team.map((m) => html`<tr><td>${m.name}</td><td>${m.role.replaceAll('_', ' ')}</td></tr>`)}</tbody></table>`;
}

export function Account({ id, user }) {
  const [tab, setTab] = useState('overview');
  const [d, setD] = useState(null);
  const [kpis, setKpis] = useState(null);
  const [error, setError] = useState(null);
  const [n, setN] = useState(0);
  const [share, setShare] = useState(null);
  const reload = () => setN(n + 1);
  async function makeShare() {
    try { setShare(await api('POST', `/api/v1/accounts/${id}/shares`, { expires_in_days: 30 })); } catch (e) { setError(e.message); }
  }
  useEffect(() => {
    const to = new Date();
    const toS = `${to.getUTCFullYear()}-${String(to.getUTCMonth() + 1).padStart(2, '0')}-01`;
    const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 12, 1)).toISOString().slice(0, 10);
    const q = `account_id=${id}`;
    Promise.all([
      get(`/api/v1/accounts/${id}`), get(`/api/v1/accounts/${id}/score`), get(`/api/v1/accounts/${id}/health`),
      get(`/api/v1/contacts?${q}&limit=200&sort=name`), get(`/api/v1/plans?${q}&status=active`),
      get(`/api/v1/interactions?${q}&limit=50&sort=-occurred_at`), get(`/api/v1/cases?${q}&limit=100&sort=-opened_at`),
      get(`/api/v1/risks?${q}&limit=100`), get(`/api/v1/accounts/${id}/risk-matrix`), get(`/api/v1/surveys?${q}&limit=100`),
      get(`/api/v1/accounts/${id}/team`), get(`/api/v1/opportunities?${q}&limit=100`), get(`/api/v1/accounts/${id}/pipeline`),
      get(`/api/v1/accounts/${id}/whitespace`),
    ]).then(async ([a, score, health, contacts, plans, inter, cases, risks, matrix, surveys, team, opps, pipeline, ws]) => {
      const full = await Promise.all(plans.items.map((p) => get(`/api/v1/plans/${p.id}`)));
      setD({ a, score, health, contacts: contacts.items, plans: full, inter: inter.items, cases: cases.items,
        risks: risks.items, matrix, surveys: surveys.items, team: team.items, opps: opps.items, pipeline, ws });
    }, (e) => setError(e.status === 404 ? 'No such account, or not one of yours.' : e.message));
    // the month-by-month figures take longest on a cold server: they fill in on their own
    let live = true;
    get(`/api/v1/kpis?scope=account&id=${id}&from=${from}&to=${toS}&interval=month`).then((k) => live && setKpis(k), () => {});
    return () => { live = false; };
  }, [id, n]);
  if (error && !d) return html`<p class="error" role="alert">${error}</p>`;
  if (!d) return html`<p class="loading">Loading…</p>`;
  const { a, score, health } = d;
  let body;
  switch (tab) {
  case 'stakeholders': body = html`<${Stakeholders} account=${a} contacts=${d.contacts} team=${d.team} reload=${reload} setError=${setError} />`; break;
  case 'plan': body = html`<${Plan} plans=${d.plans} reload=${reload} setError=${setError} />`; break;
  case 'opportunities': body = html`<${Opportunities} opps=${d.opps} pipeline=${d.pipeline} ws=${d.ws} currency=${d.pipeline.currency} />`; break;
  case 'activity': body = html`<${Activity} account=${a} interactions=${d.inter} contacts=${d.contacts} user=${user} reload=${reload} setError=${setError} />`; break;
  case 'cases': body = html`<${Cases} cases=${d.cases} />`; break;
  case 'risks': body = html`<${Risks} risks=${d.risks} matrix=${d.matrix} />`; break;
  case 'surveys': body = html`<${Surveys} surveys=${d.surveys} />`; break;
  case 'team': body = html`<${Team} team=${d.team} />`; break;
  default: body = html`<${Overview} a=${a} health=${health} score=${score} kpis=${kpis} />`;
  }
  // the tabs pattern: one tab stop, arrows move between tabs, Home and End to the ends
  const tabKeys = (e) => {
    const i = TABS.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const t = TABS[(next + TABS.length) % TABS.length];
    setTab(t);
    requestAnimationFrame(() => document.getElementById(`tab-${t}`)?.focus());
  };
  return html`<article class="account">
    <header class="account-head">
      <h1>${a.name}</h1>
      <span class="tier ${a.tier}">${a.tier}</span>
      <span>score ${num(score.score)}</span>
      <span class="health" data-score=${health.score}>health ${num(health.score, 0)}</span>
      <span class="muted">${a.industry || ''} · ${a.country || ''} · last contact ${ago(a.last_interaction_at)}</span>
      <button onClick=${makeShare}>Share with the client</button>
      <a href="#/accounts/${id}/print">One-page plan</a>
      ${d.plans[0] && html`<a href="/api/v1/plans/${d.plans[0].id}/document" download>Plan PDF</a>`}
    </header>
    ${share && html`<p class="share" role="status">Link for the client, valid until ${date(share.expires_at)}:
      <input readonly aria-label="share link" value=${location.origin + share.url} size="60" /></p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div role="tablist" aria-label="Account views" class="tabs" onKeyDown=${tabKeys}>${TABS.map((t) => html`<button role="tab" id=${`tab-${t}`} aria-selected=${tab === t} aria-controls="tabpanel" tabindex=${tab === t ? 0 : -1} onClick=${() => setTab(t)}>${t}</button>`)}</div>
    <div role="tabpanel" id="tabpanel" aria-labelledby=${`tab-${tab}`} tabindex="0">${body}</div>
  </article>`;
}
