// Account 360: the header (tier, score, health and why), then tabs: overview, stakeholders
// (org chart), plan (edit in place), opportunities (pipeline, whitespace), activity (log a
// meeting in two clicks), cases, risks (heat map), surveys, team.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { num, date, ago, money, pct, esc, implausible, today, toMajor, toMinor, TEAM_ROLES, teamRole } from './format.js';
import { Chart } from './chart.js';
import { Form, fields, body } from './forms.js';
import { SharePanel } from './share.js';
import { Activity } from './meeting.js';
import { SaveSelect, SaveInput, SaveCheck, HistoryButton } from './inline.js';
import { Coverage } from './coverage.js';
import { Changes } from './changes.js';
import { Contracts } from './forecast.js';
import { AccountRuns } from './playbooks.js';
import { PlanContext } from './context.js';
import { GroupView, GroupPlanLinks, GroupMap } from './group.js';
import { WorkspacePanel } from './workspace-panel.js';

// A health score needs something to stand on: revenue to compare, an answer or a meeting.
// Without any of them the score is the neutral parts' arithmetic, not a reading of the account.
// Whether the health rests on evidence: the health API decides (enough_data), not the page.
export function healthKnown(h) {
  return h.enough_data !== false;
}

const TABS = ['overview', 'stakeholders', 'plan', 'opportunities', 'activity', 'cases', 'risks', 'surveys', 'workspace', 'team'];

function Overview({ a, health, score, kpis }) {
  return html`<div>
    <section aria-labelledby="k-title"><h2 id="k-title">Last twelve months</h2>
      ${!kpis ? html`<p class="loading">Loading the figures…</p>` : html`<p>Revenue ${money(kpis.kpis.revenue.value, kpis.currency)} (previous ${money(kpis.kpis.revenue.previous, kpis.currency)}) ·
        share of wallet ${pct(kpis.kpis.share_of_wallet.value)}${implausible('share_of_wallet', kpis.kpis.share_of_wallet.value) && html` <span class="flag" title=${implausible('share_of_wallet', kpis.kpis.share_of_wallet.value)}>⚠ above 100%: check the potential spend</span>`} · NPS ${num(kpis.kpis.nps.value, 0)} (${kpis.kpis.nps.denominator ?? 0} answers) ·
        potential ${money(a.potential_annual_spend, a.currency)}</p>
      ${a.lifecycle && (a.lifecycle.acquired_on || a.lifecycle.churned_on) && html`<p class="lifecycle">
        ${a.lifecycle.acquired_on && html`Customer since ${date(a.lifecycle.acquired_on)}${a.lifecycle.acquired_inferred ? html` <span class="muted" title="No acquisition date is recorded: kam counts the first month with revenue">(inferred from revenue)</span>` : ''}`}
        ${a.lifecycle.churned_on && html` · churned ${date(a.lifecycle.churned_on)}${a.lifecycle.churned_inferred ? html` <span class="muted" title="No churn date is recorded: kam counts an account as lost after the months without revenue set in Settings">(inferred: no revenue since)</span>` : ''}`}</p>`}
      <${Chart} label="Revenue by month" option=${{
        animation: false, grid: { left: 60, right: 10, top: 10, bottom: 30 },
        xAxis: { type: 'category', data: kpis.series.map((s) => s.period.from.slice(0, 7)) },
        yAxis: { type: 'value', axisLabel: { formatter: (v) => money(v, kpis.currency) } },
        series: [{ type: 'line', areaStyle: {}, data: kpis.series.map((s) => s.kpis.revenue.value) }] }} />`}
    </section>
    <section aria-labelledby="h-title"><h2 id="h-title">Why this health score</h2>
      <${HealthTrend} id=${a.id} />
      <table><thead><tr><th>Part</th><th>Value</th><th>Weight</th><th>Points</th><th>Reason</th></tr></thead>
      <tbody>${health.components.map((c) => html`<tr><td>${c.name.replaceAll('_', ' ')}</td><td>${num(c.value, 0)}</td><td>${num(c.weight * 100, 0)}%</td><td>${num(c.points)}</td><td>${c.reason}</td></tr>`)}</tbody></table>
    </section>
    <section aria-labelledby="sc-title"><h2 id="sc-title">Why this score (${num(score.score)}, ${score.tier})</h2>
      <table><thead><tr><th>Criterion</th><th>Raw</th><th>Normalized</th><th>Weight</th><th>Contribution</th></tr></thead>
      <tbody>${score.criteria.map((c) => html`<tr><td>${c.name}</td><td>${c.name === 'financial' ? money(c.raw, score.currency) : c.raw ?? '–'}</td><td>${num(c.normalized)}</td><td>${pct(c.weight, 0)}</td><td>${num(c.contribution)}</td></tr>`)}</tbody></table>
    </section>
  </div>`;
}

// The daily health snapshots of the last year as a small line (GET …/health/history).
function HealthTrend({ id }) {
  const [items, setItems] = useState(null);
  useEffect(() => { get(`/api/v1/accounts/${id}/health/history`).then((r) => setItems(r.items), () => setItems([])); }, [id]);
  if (!items) return null;
  if (items.length < 2)
    return html`<p class="muted health-trend">Health history: ${items.length ? `only ${date(items[0].day)} (${num(items[0].score, 0)}) so far` : 'none yet'}; a point is kept every day there is enough data to score.</p>`;
  return html`<div class="health-trend"><${Chart} label="Health score, day by day" small option=${{
    animation: false, grid: { left: 30, right: 8, top: 8, bottom: 20 },
    xAxis: { type: 'category', data: items.map((x) => x.day) },
    yAxis: { type: 'value', min: 0, max: 100, splitNumber: 2 },
    tooltip: { trigger: 'axis' },
    series: [{ type: 'line', symbol: 'none', data: items.map((x) => x.score) }] }} /></div>`;
}

const PERSON = [
  { name: 'name', label: 'Name', required: true, max: 200 },
  { name: 'title', label: 'Title', max: 200 },
  { name: 'email', label: 'E-mail', type: 'email', max: 254 },
  { name: 'phone', label: 'Phone', max: 50 },
];

// editing a person can also record that they left the company (they leave the coverage grid)
const PERSON_EDIT = [...PERSON, { name: 'left_on', label: 'Left the company on', type: 'date' }];
const ROLES = ['decision_maker', 'economic_buyer', 'influencer', 'user', 'gatekeeper'];

function AddPerson({ account, contacts, reload }) {
  const [open, setOpen] = useState(false);
  const spec = [...PERSON,
    { name: 'influence', label: 'Influence', type: 'int', options: [1, 2, 3, 4, 5], none: 'unknown' },
    { name: 'attitude', label: 'Attitude', type: 'select', options: ['champion', 'supporter', 'neutral', 'critic', 'blocker'], none: 'unknown' },
    { name: 'decision_role', label: 'Decision role', type: 'select', options: ROLES, none: 'unknown' },
    { name: 'reports_to_id', label: 'Reports to', type: 'select', numeric: true, options: contacts.map((c) => [c.id, c.name]), none: 'nobody' }];
  async function add(fd) {
    await api('POST', '/api/v1/contacts', { ...body(spec, fd), account_id: account.id });
    setOpen(false);
    reload();
  }
  if (!open) return html`<p><button onClick=${() => setOpen(true)}>Add a person</button></p>`;
  return html`<${Form} label="Add a person" submit="Add" onSave=${add} onCancel=${() => setOpen(false)}>${fields(spec)}<//>`;
}

function Stakeholders({ account, contacts, others = [], team, canEdit, reload, setError }) {
  const [editing, setEditing] = useState(null);
  const byId = new Map(contacts.map((c) => [c.id, { name: c.name, value: c.id, children: [], c }]));
  const roots = [];
  for (const n of byId.values()) {
    const boss = n.c.reports_to_id && byId.get(n.c.reports_to_id);
    (boss ? boss.children : roots).push(n);
  }
  const colour = { champion: '#2e7d32', supporter: '#66bb6a', neutral: '#9e9e9e', critic: '#ef6c00', blocker: '#c62828' };
  // a function, not a template string: ECharts would read {a}, {b}, {c} in a name as its own
  // long names are cut on the chart; the tooltip has them whole
  const cut = (x, n = 22) => (x.length > n ? `${x.slice(0, n - 1)}…` : x);
  const label = (n) => ({ ...n, label: { formatter: () => `${cut(n.c.name)}\n${cut(n.c.title || '')}` },
    itemStyle: { color: colour[n.c.attitude] || '#9e9e9e' }, symbolSize: 6 + 3 * (n.c.influence || 1),
    children: n.children.map(label) });
  // our side: the account's owner, its team, and whoever already owns a relationship here
  const [names, setNames] = useState({});
  useEffect(() => { get('/api/v1/users?limit=500&sort=name').then((r) => setNames(Object.fromEntries(r.items.map((u) => [u.id, u.name]))), () => {}); }, []);
  const ids = new Set([account.owner_id, ...team.map((m) => m.user_id), ...contacts.map((c) => c.relationship_owner_id).filter(Boolean)]);
  const owners = [...ids].map((id) => ({ user_id: id, name: names[id] ?? team.find((m) => m.user_id === id)?.name ?? `user ${id}` }))
    .sort((x, y) => x.name.localeCompare(y.name));
  // a refused inline save is told beside its control (SaveSelect), not only at the top
  const edit = async (c, patch) => { await api('PATCH', `/api/v1/contacts/${c.id}`, patch); setError(null); reload(); };
  // a manager in another entity of the group is named with it
  const elsewhere = others.map((o) => [o.id, `${o.name} (${o.account_name})`]);
  const nameOf = (cid) => contacts.find((o) => o.id === cid)?.name ?? elsewhere.find(([i]) => i === cid)?.[1] ?? (cid ? 'someone in another entity of the group' : '');
  // a manager in an entity the reader does not see is not named, only said to be there
  const hidden = (c) => (c.reports_to_id && !contacts.some((o) => o.id === c.reports_to_id) && !elsewhere.some(([i]) => i === c.reports_to_id)
    ? [[c.reports_to_id, 'someone in another entity of the group']] : []);
  // a select to edit with, or for a reader the value as text
  const pick = (c, label, value, opts, none, patch) => (canEdit
    ? html`<${SaveSelect} label=${label} value=${value} options=${opts} none=${none} save=${(v) => edit(c, patch(v))} />`
    : (value == null ? '' : opts.find(([v]) => String(v) === String(value))?.[1] ?? ''));
  const num1 = (v) => (v ? Number(v) : null);
  const engaged = contacts.filter((c) => c.influence >= 4 && c.last_contacted_at && Date.now() - Date.parse(c.last_contacted_at) < 90 * 86400e3).length;
  return html`<div>
    ${engaged < 2 && html`<p class="warning" role="status">Single-threaded: ${engaged} influential contact${engaged === 1 ? '' : 's'} engaged in the last 90 days.</p>`}
    <section aria-labelledby="org-title"><h2 id="org-title">Organisation</h2>
      <${Chart} label="Organisation chart" tall option=${{ animation: false, tooltip: { formatter: (p) => `${esc(p.data.c.name)}: influence ${p.data.c.influence ?? '–'}, ${esc(p.data.c.attitude ?? 'unknown')}` },
        series: [{ type: 'tree', data: roots.length === 1 ? [label(roots[0])] : [{ name: '', children: roots.map(label), itemStyle: { opacity: 0 }, lineStyle: { opacity: 0 } }],
          orient: 'TB', top: 30, bottom: 70, left: 80, right: 80, expandAndCollapse: false,
          label: { position: 'bottom', fontSize: 11, lineHeight: 14, distance: 6 }, leaves: { label: { position: 'bottom' } } }] }} />
    </section>
    ${canEdit && html`<${AddPerson} account=${account} contacts=${[...contacts, ...others.map((o) => ({ ...o, name: `${o.name} (${o.account_name})` }))]} reload=${reload} />`}
    <div class="scroll"><table class="people"><thead><tr><th scope="col">Name</th><th scope="col">Title</th><th scope="col">Contact</th><th scope="col">Reports to</th><th scope="col">Influence</th><th scope="col">Attitude</th><th scope="col" class="role">Role</th><th scope="col">Our owner</th><th scope="col" class="last">Last contacted</th>${canEdit && html`<th scope="col"><span class="sr">Tools</span></th>`}</tr></thead>
    <tbody>${contacts.map((c) => (editing === c.id
    ? html`<tr key=${c.id} data-contact=${c.id}><td colspan="10"><${Form} label=${`Edit ${c.name}`} reset=${false} onCancel=${() => setEditing(null)}
        onSave=${async (fd) => { await api('PATCH', `/api/v1/contacts/${c.id}`, body(PERSON_EDIT, fd)); setEditing(null); reload(); }}>${fields(PERSON_EDIT, c)}<//></td></tr>`
    : html`<tr key=${c.id} data-contact=${c.id} class=${c.left_on ? 'left' : ''}><td>${c.name}${c.left_on && html` <span class="muted">(left ${c.left_on})</span>`}<span class="role-inline muted"><br />contacted ${ago(c.last_contacted_at)}</span></td><td>${c.title || ''}${c.decision_role && html`<span class="role-inline muted"><br />${c.decision_role.replaceAll('_', ' ')}</span>`}</td>
      <td class="contact">${c.email && html`<a href=${`mailto:${c.email}`}>${c.email}</a>`}${c.email && c.phone && html`<br />`}${c.phone && html`<a href=${`tel:${c.phone}`}>${c.phone}</a>`}</td>
      <td>${canEdit ? pick(c, `${c.name} reports to`, c.reports_to_id, [...contacts.filter((o) => o.id !== c.id).map((o) => [o.id, o.name]), ...elsewhere, ...hidden(c)], 'nobody here', (v) => ({ reports_to_id: num1(v) })) : nameOf(c.reports_to_id)}</td>
      <td>${pick(c, `influence of ${c.name}`, c.influence, [1, 2, 3, 4, 5].map((i) => [i, String(i)]), '–', (v) => ({ influence: num1(v) }))}</td>
      <td>${pick(c, `attitude of ${c.name}`, c.attitude, ['champion', 'supporter', 'neutral', 'critic', 'blocker'].map((t) => [t, t]), 'unknown', (v) => ({ attitude: v || null }))}</td>
      <td class="role">${pick(c, `decision role of ${c.name}`, c.decision_role, ROLES.map((r) => [r, r.replaceAll('_', ' ')]), '–', (v) => ({ decision_role: v || null }))}</td>
      <td>${pick(c, `our owner of ${c.name}`, c.relationship_owner_id, owners.map((u) => [u.user_id, u.name]), 'nobody', (v) => ({ relationship_owner_id: num1(v) }))}</td>
      <td class="last">${ago(c.last_contacted_at)}</td>
      ${canEdit && html`<td class="row-tools"><button class="link" aria-label=${`edit ${c.name}`} onClick=${() => setEditing(c.id)}>edit</button>${' '}
        <${HistoryButton} path=${`/api/v1/contacts/${c.id}`} name=${c.name} /></td>`}</tr>`))}</tbody></table></div>
    <${Coverage} key=${contacts.map((c) => `${c.id}:${c.decision_role}:${c.attitude}:${c.left_on}`).join()} account=${account} canEdit=${canEdit} setError=${setError} />
  </div>`;
}

const STATUSES = ['on_track', 'at_risk', 'achieved', 'missed'];
// the figures an objective can be measured from (its baseline and current come from data):
// [KPI name, label, how its values are written]
const MEASURES = [
  ['revenue', 'Revenue', 'money'], ['nrr', 'Net revenue retention', 'ratio'], ['grr', 'Gross revenue retention', 'ratio'],
  ['nps', 'NPS', 'points'], ['csat', 'CSAT', 'points'], ['sla_compliance', 'SLA compliance', 'ratio'],
  ['ttr_median_hours', 'Median time to resolution (hours)', 'points'],
];
const measureKind = (name) => MEASURES.find((m) => m[0] === name)?.[2];
// a value of objective o as its figure is written: money in the base currency, ratios in %
function objValue(o, v) {
  if (v == null) return num(v);
  const kind = measureKind(o.measure);
  return kind === 'money' ? money(v, o.measured?.currency) : kind === 'ratio' ? pct(v) : num(v, kind ? 1 : undefined);
}
const OBJECTIVE = [
  { name: 'title', label: 'Objective', required: true, max: 300 },
  { name: 'measure', label: 'Measured from', type: 'select', options: MEASURES.map(([v, t]) => [v, t]), none: 'typed by hand' },
  { name: 'metric', label: 'Metric', max: 200 },
  { name: 'baseline', label: 'Baseline', type: 'number' },
  { name: 'target', label: 'Target', type: 'number' },
  { name: 'due_on', label: 'Due', type: 'date' },
  { name: 'status', label: 'Status', type: 'select', required: true, options: STATUSES, default: 'on_track' },
];

// What a reader should not miss about an objective: past its due date while still open, or
// a status its progress contradicts ("achieved" at 58%, "missed" at 100%).
export function objectiveFlags(o, now = today()) {
  const out = [];
  const open = o.status === 'on_track' || o.status === 'at_risk';
  if (o.due_on && o.due_on < now && open) out.push({ kind: 'past-due', text: `past due since ${date(o.due_on)}` });
  if (o.progress != null && o.status === 'achieved' && o.progress < 1) out.push({ kind: 'contradiction', text: `marked achieved at ${pct(o.progress, 0)}` });
  if (o.progress != null && o.status === 'missed' && o.progress >= 1) out.push({ kind: 'contradiction', text: `marked missed at ${pct(o.progress, 0)}` });
  return out;
}

// Plan templates: the objectives a plan of that kind usually starts with.
export const TEMPLATES = {
  grow: { label: 'template: grow the account', objectives: [
    { title: 'Grow revenue over the plan period', metric: 'revenue growth %', baseline: 0, target: 10 },
    { title: 'Win a cross-sell in a new business unit', metric: 'units buying', baseline: 1, target: 2 },
    { title: 'Engage the influential contacts', metric: 'engaged contacts', baseline: 0, target: 3 }] },
  retain: { label: 'template: retain and renew', objectives: [
    { title: 'Renew the contract on time', metric: 'renewal signed', baseline: 0, target: 1 },
    { title: 'Hold a quarterly business review each quarter', metric: 'reviews held', baseline: 0, target: 4 },
    { title: 'Raise NPS', metric: 'NPS', baseline: 0, target: 30 }] },
};

// A new plan: blank, from a template, or a new period that copies the last plan's objectives and open actions
// (done here through the plan, objective and action endpoints; the old plan is archived).
function NewPlan({ account, last, reload }) {
  const start = today();
  const end = `${Number(start.slice(0, 4)) + 1}${start.slice(4)}`;
  const spec = [
    { name: 'title', label: 'Title', max: 200, default: `${account.name} account plan ${start.slice(0, 4)}` },
    { name: 'period_start', label: 'From', type: 'date', required: true, default: start },
    { name: 'period_end', label: 'To', type: 'date', required: true, default: end },
    { name: 'vision', label: 'Vision', type: 'textarea', max: 20000 },
  ];
  spec.push({ name: 'from', label: 'Start from', type: 'select', required: true, default: last ? 'copy' : 'blank',
    options: [...(last ? [['copy', `a copy of "${last.title || 'the last plan'}" (objectives and open actions)`]] : []), ['blank', 'a blank plan'],
      ...Object.entries(TEMPLATES).map(([k, t]) => [k, t.label])] });
  async function save(fd) {
    const b = body(spec, fd);
    const from = b.from;
    delete b.from;
    // one active plan per period: the new one is a draft until the old one is archived
    const replacing = last && last.status === 'active';
    const p = await api('POST', '/api/v1/plans', { ...b, account_id: account.id, status: replacing ? 'draft' : 'active' });
    if (TEMPLATES[from]) {
      for (const o of TEMPLATES[from].objectives) {
        await api('POST', '/api/v1/objectives', { ...o, plan_id: p.id, due_on: b.period_end, status: 'on_track' });
      }
    }
    if (last && from === 'copy') {
      const ids = new Map();
      for (const o of last.objectives) {
        const n = await api('POST', '/api/v1/objectives', { plan_id: p.id, title: o.title, metric: o.metric, baseline: o.current ?? o.baseline,
          target: o.target, due_on: o.due_on && o.due_on > b.period_start ? o.due_on : null, status: 'on_track' });
        ids.set(o.id, n.id);
      }
      for (const a of last.actions.filter((x) => x.status === 'open' || x.status === 'in_progress')) {
        await api('POST', '/api/v1/actions', { plan_id: p.id, title: a.title, owner_id: a.owner_id ?? null,
          objective_id: ids.get(a.objective_id) ?? null, due_on: a.due_on, status: a.status });
      }
    }
    if (replacing) {
      await api('PATCH', `/api/v1/plans/${last.id}`, { status: 'archived' });
      await api('PATCH', `/api/v1/plans/${p.id}`, { status: 'active' });
    }
    reload();
  }
  return html`<${Form} label="New plan" submit="Create plan" onSave=${save} reset=${false}>${fields(spec)}<//>`;
}

// Whether the client sees an objective or action on a share link: the KAM decides, row by row.
function ClientCan({ x, canEdit, set }) {
  if (!canEdit) return x.client_visible ? 'yes' : html`<span class="muted">no</span>`;
  return html`<${SaveCheck} label=${`client can see ${x.title}`} value=${!!x.client_visible} save=${set} words=${['shown', 'internal']} />`;
}

// The objective as the form sends it: a money figure's target and baseline are typed in major
// units of the base currency, like every amount in the app.
function objectiveBody(fd, base) {
  const b = body(OBJECTIVE, fd);
  if (measureKind(b.measure) === 'money') {
    for (const k of ['target', 'baseline']) {
      const raw = String(fd.get(k) ?? '').trim();
      if (raw === '') continue;
      b[k] = toMinor(raw, base);
      if (b[k] === null) throw Object.assign(new Error(`${k}: an amount in ${base}`), { problem: { errors: [{ field: k, message: `must be an amount in ${base}` }] } });
    }
  }
  return b;
}

function ObjectiveRow({ o, edit, canEdit, setObjective, remove, onEdit, reload, base }) {
  const flags = objectiveFlags(o);
  if (edit) {
    const money = measureKind(o.measure) === 'money';
    const shown = money ? { ...o, target: o.target == null ? null : toMajor(o.target, base), baseline: o.baseline == null ? null : toMajor(o.baseline, base) } : o;
    return html`<tr data-objective=${o.id}><td colspan="8"><${Form} label=${`Edit objective ${o.title}`} reset=${false}
      onSave=${async (fd) => { await api('PATCH', `/api/v1/objectives/${o.id}`, objectiveBody(fd, base)); onEdit(null); reload(); }}
      onCancel=${() => onEdit(null)}>${fields(OBJECTIVE, shown)}<//></td></tr>`;
  }
  const m = o.measured;
  return html`<tr data-objective=${o.id} class=${flags.length ? 'flagged' : ''}><td>${o.title}
      ${flags.map((f) => html` <span class=${`flag ${f.kind}`}>${f.text}</span>`)}</td>
    <td>${o.metric || (m ? MEASURES.find((x) => x[0] === o.measure)?.[1] : '')} ${objValue(o, o.baseline)} → ${objValue(o, o.target)}</td>
    <td>${m ? html`${objValue(o, o.current)}<br /><span class="muted measured" title=${`baseline ${m.baseline_period.from} – ${m.baseline_period.to}`}>from data, ${date(m.period.from)} on</span>`
      : canEdit ? html`<${SaveInput} type="number" step="any" size="8" label=${`current value of ${o.title}`} value=${o.current == null ? '' : Math.round(o.current * 100) / 100}
      save=${(v) => setObjective(o, { current: v === '' ? null : Number(v) })} />` : num(o.current)}</td>
    <td><progress max="1" value=${Math.min(o.progress ?? 0, 1)} aria-label=${`progress of ${o.title}`}></progress> ${pct(o.progress, 0)}</td><td><span class="date">${date(o.due_on)}</span></td>
    <td>${canEdit ? html`<${SaveSelect} label=${`status of objective ${o.title}`} value=${o.status} options=${STATUSES.map((st) => [st, st.replace('_', ' ')])}
      save=${(v) => setObjective(o, { status: v })} />` : o.status.replace('_', ' ')}</td>
    <td><${ClientCan} x=${o} canEdit=${canEdit} set=${(v) => setObjective(o, { client_visible: v })} /></td>
    ${canEdit && html`<td class="row-tools"><button class="link" onClick=${() => onEdit(o.id)}>edit</button> <button class="link" onClick=${() => remove(`/api/v1/objectives/${o.id}`, o.title)}>delete</button>${' '}
      <${HistoryButton} path=${`/api/v1/objectives/${o.id}`} name=${o.title} /></td>`}</tr>`;
}

function Plan({ account, plans, all, users, canEdit, canWork, reload, setError }) {
  const [editing, setEditing] = useState(null);
  // measured money objectives are in the base currency (the KPIs' currency)
  const [base, setBase] = useState('EUR');
  useEffect(() => { get('/api/v1/settings').then((st) => setBase(st.base_currency), () => {}); }, []);
  const [newPeriod, setNewPeriod] = useState(false);
  const last = [...all].sort((x, y) => (y.period_end || '').localeCompare(x.period_end || ''))[0];
  if (!plans.length) {
    if (!canEdit) return html`<p class="muted">No active plan for this account.</p>`;
    return html`<div><p class="muted">No active plan for this account yet.</p>
      <${NewPlan} account=${account} last=${last && last.full} reload=${reload} /></div>`;
  }
  const p = plans[0];
  const act = async (method, path, b) => {
    try { await api(method, path, b); setError(null); reload(); return true; } catch (e) { setError(e.message); return false; }
  };
  // inline edits throw: the control shows the refusal beside itself and offers a retry
  const patchIt = async (path, b) => { await api('PATCH', path, b); setError(null); reload(); };
  const setAction = (a, patch) => patchIt(`/api/v1/actions/${a.id}`, patch);
  const setObjective = (o, patch) => patchIt(`/api/v1/objectives/${o.id}`, patch);
  const remove = (path, what) => confirm(`Delete "${what}"?`) && act('DELETE', path);
  const people = users.filter((u) => u.active !== false).map((u) => [u.id, u.name]);
  const name = (id) => users.find((u) => u.id === id)?.name ?? (id ? `user ${id}` : '');
  const objTitle = (id) => p.objectives.find((o) => o.id === id)?.title ?? '';
  const ACTION = [
    { name: 'title', label: 'New action', required: true, max: 300 },
    { name: 'objective_id', label: 'For objective', type: 'select', numeric: true, options: p.objectives.map((o) => [o.id, o.title]), none: 'none' },
    { name: 'owner_id', label: 'Owner', type: 'select', numeric: true, options: people, none: 'nobody yet' },
    { name: 'due_on', label: 'Due', type: 'date' },
  ];
  const REVIEW = [
    { name: 'held_on', label: 'Held on', type: 'date', required: true, default: today() },
    { name: 'kind', label: 'Kind', type: 'select', required: true, options: [['qbr', 'QBR'], ['internal', 'internal']] },
    { name: 'attendees', label: 'Attendees', max: 1000 },
    { name: 'notes', label: 'Notes', type: 'textarea', max: 18000 },
    { name: 'next_review_on', label: 'Next review', type: 'date' },
  ];
  async function addReview(fd) {
    const b = body(REVIEW, fd);
    // reviews have no attendee list of their own: the names open the notes
    const notes = [b.attendees && `Attendees: ${b.attendees}.`, b.notes].filter(Boolean).join('\n');
    delete b.attendees;
    await api('POST', '/api/v1/reviews', { ...b, plan_id: p.id, notes: notes || null });
    reload();
  }
  return html`<div>
    <h2>${p.title || 'Account plan'} <span class="muted">${date(p.period_start)} – ${date(p.period_end)}</span></h2>
    <${Changes} plan=${p} stamp=${p} />
    <${GroupPlanLinks} account=${account} plan=${p} canEdit=${canEdit} reload=${reload} />
    ${p.vision && html`<p><strong>Vision:</strong> ${p.vision}</p>`}
    ${canEdit && (newPeriod ? html`<${NewPlan} account=${account} last=${p} reload=${() => { setNewPeriod(false); reload(); }} />`
      : html`<p><button onClick=${() => setNewPeriod(true)}>New plan period…</button></p>`)}
    <${PlanContext} account=${account} plan=${p} canEdit=${canEdit} reload=${reload} setError=${setError} />
    <section aria-labelledby="o-title"><h2 id="o-title">Objectives</h2>
      <div class="scroll"><table class="objectives"><thead><tr><th scope="col">Objective</th><th scope="col">Metric</th><th scope="col">Now</th><th scope="col">Progress</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Client can see</th>${canEdit && html`<th scope="col"><span class="sr">Tools</span></th>`}</tr></thead>
      <tbody>${p.objectives.map((o) => html`<${ObjectiveRow} key=${o.id} o=${o} edit=${editing === `o${o.id}`} canEdit=${canEdit} setObjective=${setObjective}
        remove=${remove} onEdit=${(x) => setEditing(x && `o${x}`)} reload=${reload} base=${base} />`)}</tbody></table></div>
      ${!p.objectives.length && html`<p class="muted">No objectives yet.</p>`}
      ${canEdit && html`<${Form} label="Add an objective" cls="quick add-objective" submit="Add objective"
        onSave=${async (fd) => { await api('POST', '/api/v1/objectives', { ...objectiveBody(fd, base), plan_id: p.id }); reload(); }}>${fields(OBJECTIVE)}<//>`}
    </section>
    <section aria-labelledby="ac-title"><h2 id="ac-title">Actions</h2>
      <div class="scroll"><table class="actions"><thead><tr><th scope="col">Action</th><th scope="col">Objective</th><th scope="col">Owner</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">Client can see</th>${canEdit && html`<th scope="col"><span class="sr">Tools</span></th>`}</tr></thead>
      <tbody>${p.actions.map((a) => html`<tr key=${a.id} class=${a.overdue ? 'overdue' : ''} data-action=${a.id}>
        <td>${canWork ? html`<${SaveInput} class="title" label=${`title of ${a.title}`} value=${a.title} maxlength="300" required save=${(v) => (v.trim() ? setAction(a, { title: v.trim() }) : Promise.reject(new Error('a title is required')))} />` : a.title}</td>
        <td>${canWork ? html`<${SaveSelect} label=${`objective of ${a.title}`} value=${a.objective_id} none="none" options=${p.objectives.map((o) => [o.id, o.title])}
          save=${(v) => setAction(a, { objective_id: v ? Number(v) : null })} />` : objTitle(a.objective_id)}</td>
        <td>${canWork ? html`<${SaveSelect} label=${`owner of ${a.title}`} value=${a.owner_id} none="nobody yet" options=${people}
          save=${(v) => setAction(a, { owner_id: v ? Number(v) : null })} />` : name(a.owner_id)}</td>
        <td>${canWork ? html`<${SaveInput} type="date" label=${`due date of ${a.title}`} value=${a.due_on ? a.due_on.slice(0, 10) : ''} save=${(v) => setAction(a, { due_on: v || null })} />` : date(a.due_on)}${a.overdue ? html` <span class="flag past-due">overdue</span>` : ''}</td>
        <td>${canWork ? html`<${SaveSelect} label=${`status of ${a.title}`} value=${a.status} options=${['open', 'in_progress', 'done', 'cancelled'].map((st) => [st, st.replace('_', ' ')])}
          save=${(v) => setAction(a, { status: v })} />` : a.status.replace('_', ' ')}</td>
        <td><${ClientCan} x=${a} canEdit=${canEdit} set=${(v) => setAction(a, { client_visible: v })} /></td>
        ${canEdit && html`<td class="row-tools"><button class="link" onClick=${() => remove(`/api/v1/actions/${a.id}`, a.title)}>delete</button>${' '}
          <${HistoryButton} path=${`/api/v1/actions/${a.id}`} name=${a.title} /></td>`}</tr>`)}</tbody></table></div>
      ${canWork && html`<${Form} label="Add an action" cls="quick add-action" submit="Add action"
        onSave=${async (fd) => { await api('POST', '/api/v1/actions', { ...body(ACTION, fd), plan_id: p.id }); reload(); }}>${fields(ACTION)}<//>`}
    </section>
    <section aria-labelledby="rv-title"><h2 id="rv-title">Reviews</h2>
      <ul class="reviews">${p.reviews.map((r) => html`<li>${date(r.held_on)} ${r.kind.toUpperCase()}: <span class="pre">${r.notes || ''}</span> ${r.next_review_on ? `(next ${date(r.next_review_on)})` : ''}</li>`)}</ul>
      ${canEdit && html`<${Form} label="Record a review" cls="quick add-review" submit="Record review" onSave=${addReview}>${fields(REVIEW)}<//>`}
    </section>
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

// A list with an "add" form below it and an "edit" form in place of a row: the same field
// specs build both, so add and edit ask the same questions.
function Editable({ what, items, spec, cols, row, add, patch, remove, canEdit }) {
  const [editing, setEditing] = useState(null);
  const [adding, setAdding] = useState(false);
  return html`<div>
    <div class="scroll"><table class=${what.replaceAll(' ', '-')}><thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}${canEdit && html`<th scope="col"><span class="sr">Tools</span></th>`}</tr></thead>
    <tbody>${items.map((it) => (editing === it.id
    ? html`<tr key=${it.id}><td colspan=${cols.length + 1}><${Form} label=${`Edit ${what}`} reset=${false}
        onSave=${async (fd) => { await patch(it, body(spec, fd, it)); setEditing(null); }} onCancel=${() => setEditing(null)}>${fields(spec, it)}<//></td></tr>`
    : html`<tr key=${it.id}>${row(it)}${canEdit && html`<td class="row-tools"><button class="link" aria-label=${`edit ${it.name || it.title}`} onClick=${() => setEditing(it.id)}>edit</button>
        ${remove && html` <button class="link" aria-label=${`delete ${it.name || it.title}`} onClick=${() => confirm(`Delete "${it.name || it.title}"?`) && remove(it)}>delete</button>`}</td>`}</tr>`))}</tbody></table></div>
    ${!items.length && html`<p class="muted">No ${what}s yet.</p>`}
    ${canEdit && (adding ? html`<${Form} label=${`Add ${what}`} submit=${`Add ${what}`} onCancel=${() => setAdding(false)}
        onSave=${async (fd) => { await add(body(spec, fd)); setAdding(false); }}>${fields(spec)}<//>`
      : html`<p><button onClick=${() => setAdding(true)}>Add ${what}</button></p>`)}
  </div>`;
}

function Opportunities({ account, opps, pipeline, ws, currency, users, canEdit, reload, setError }) {
  const colour = { sold: '#2e7d32', pipeline: '#ffb300', white_space: '#eceff1' };
  void colour;
  const spec = [
    { name: 'name', label: 'Opportunity', required: true, max: 200 },
    { name: 'kind', label: 'Kind', type: 'select', required: true, options: ['new_business', 'upsell', 'cross_sell', 'renewal'] },
    { name: 'stage', label: 'Stage', type: 'select', required: true, options: ['identified', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] },
    { name: 'product_id', label: 'Product', type: 'select', numeric: true, options: (ws?.products || []).map((p) => [p.id, p.name]), none: 'none' },
    { name: 'amount', label: `Amount (empty: the product's list price)`, type: 'money', omitEmpty: true },
    { name: 'currency', label: 'Currency', required: true, max: 3, default: account.currency || 'EUR' },
    { name: 'probability', label: 'Probability %', type: 'number' },
    { name: 'expected_close_on', label: 'Expected close', type: 'date' },
    { name: 'owner_id', label: 'Owner', type: 'select', numeric: true, options: users.map((u) => [u.id, u.name]), none: 'nobody' },
    { name: 'forecast_category', label: 'Forecast call', type: 'select', options: ['commit', 'best_case', 'pipeline', 'omitted'], none: 'by probability' },
  ];
  const done = (x) => { setError(null); reload(); return x; };
  return html`<div>
    <p>Open pipeline ${money(pipeline.total, currency)}, weighted ${money(pipeline.weighted, currency)} across ${pipeline.open_count} opportunities.</p>
    <${Editable} what="opportunity" items=${opps} spec=${spec} canEdit=${canEdit}
      cols=${['Opportunity', 'Kind', 'Stage', 'Amount', 'Probability', 'Close']}
      row=${(o) => html`<td>${o.name}</td><td>${o.kind.replace('_', ' ')}</td><td>${o.stage}</td><td>${money(o.amount, o.currency)}</td><td>${o.probability ?? '–'}%</td><td>${date(o.closed_on || o.expected_close_on)}</td>`}
      add=${(b) => api('POST', '/api/v1/opportunities', { ...b, account_id: account.id }).then(done)}
      patch=${(o, b) => api('PATCH', `/api/v1/opportunities/${o.id}`, b).then(done)}
      remove=${(o) => api('DELETE', `/api/v1/opportunities/${o.id}`).then(done, (e) => setError(e.message))} />
    <${Contracts} account=${account} canEdit=${canEdit} Editable=${Editable} setError=${setError} />
    <section aria-labelledby="ws-title"><h2 id="ws-title">Whitespace</h2>
      ${ws.white_space_value > 0 && html`<p class="muted ws-value">${money(ws.white_space_value, currency)} not sold yet, at list price</p>`}
      <div class="scroll"><table class="whitespace"><thead><tr><th>Unit</th>${ws.products.map((p) => html`<th>${p.name}</th>`)}</tr></thead>
      <tbody>${ws.units.map((u) => html`<tr><th scope="row">${u.name}</th>${ws.products.map((p) => {
        const c = ws.cells.find((x) => x.unit_id === u.id && x.product_id === p.id);
        return html`<td class=${`ws ${c.state}`} title=${c.state.replace('_', ' ')}>${c.state === 'sold' ? money(c.revenue, currency) : c.state.replace('_', ' ')}${c.value != null ? html`<br /><small>${money(c.value, currency)}</small>` : ''}</td>`;
      })}</tr>`)}</tbody></table></div>
    </section>
  </div>`;
}

function Cases({ account, cases, users, canEdit, reload, setError }) {
  const spec = [
    { name: 'title', label: 'Case', required: true, max: 300 },
    { name: 'severity', label: 'Severity', type: 'select', required: true, options: ['low', 'medium', 'high', 'critical'], default: 'medium' },
    { name: 'status', label: 'Status', type: 'select', required: true, options: ['open', 'in_progress', 'resolved', 'closed'] },
    { name: 'owner_id', label: 'Owner', type: 'select', numeric: true, options: users.map((u) => [u.id, u.name]), none: 'nobody' },
    { name: 'description', label: 'Description', type: 'textarea', max: 20000 },
  ];
  const done = (x) => { setError(null); reload(); return x; };
  return html`<${Editable} what="case" items=${cases} spec=${spec} canEdit=${canEdit}
    cols=${['Case', 'Severity', 'Status', 'Opened', 'SLA']}
    row=${(c) => html`<td>${c.title}</td><td class=${c.severity}>${c.severity}</td><td>${c.status.replace('_', ' ')}</td><td>${date(c.opened_at)}</td>
      <td class=${c.sla_breached ? 'overdue' : ''}>${c.sla_breached ? 'breached' : 'within'} (${c.sla_target_hours} h, due ${date(c.sla_due_at)})</td>`}
    add=${(b) => api('POST', '/api/v1/cases', { ...b, account_id: account.id }).then(done)}
    patch=${(c, b) => api('PATCH', `/api/v1/cases/${c.id}`, b).then(done)} />`;
}

function Risks({ account, risks, matrix, users, canEdit, reload, setError }) {
  const spec = [
    { name: 'title', label: 'Risk', required: true, max: 300 },
    { name: 'category', label: 'Category', type: 'select', required: true, options: ['relationship', 'financial', 'competitive', 'delivery', 'regulatory'] },
    { name: 'probability', label: 'Probability (1–5)', type: 'int', required: true, options: [1, 2, 3, 4, 5], default: 3 },
    { name: 'impact', label: 'Impact (1–5)', type: 'int', required: true, options: [1, 2, 3, 4, 5], default: 3 },
    { name: 'status', label: 'Status', type: 'select', required: true, options: ['open', 'mitigating', 'closed'] },
    { name: 'owner_id', label: 'Owner', type: 'select', numeric: true, options: users.map((u) => [u.id, u.name]), none: 'nobody' },
    { name: 'review_on', label: 'Review on', type: 'date' },
    { name: 'mitigation', label: 'Mitigation', type: 'textarea', max: 20000 },
  ];
  const done = (x) => { setError(null); reload(); return x; };
  // an empty map would read as "no risk": without risks it asks for them instead
  return html`<div>
    ${!risks.length ? html`<p class="empty" role="note">No risks recorded yet. An empty heat map does not mean this account carries no risk: ${canEdit ? 'add the risks you know of below.' : 'ask the account team to record them.'}</p>`
    : html`<${Chart} label="Risk heat map" option=${{ animation: false, grid: { left: 70, right: 10, top: 10, bottom: 50 },
      xAxis: { type: 'category', name: 'impact', nameLocation: 'middle', nameGap: 30, data: [1, 2, 3, 4, 5] },
      yAxis: { type: 'category', name: 'probability', nameLocation: 'middle', nameGap: 40, data: [1, 2, 3, 4, 5] },
      visualMap: { show: false, min: 1, max: 25, inRange: { color: ['#c8e6c9', '#fff59d', '#ffcc80', '#ef9a9a'] } },
      series: [{ type: 'heatmap', label: { show: true, formatter: (p) => p.data[3] || '' },
        data: matrix.cells.map((c) => [c.impact - 1, c.probability - 1, c.score, c.count]) }] }} />`}
    <${Editable} what="risk" items=${risks} spec=${spec} canEdit=${canEdit}
      cols=${['Risk', 'Category', 'Score', 'Status', 'Mitigation']}
      row=${(r) => html`<td>${r.title}</td><td>${r.category}</td><td class=${r.level}>${r.score} ${r.level}</td><td>${r.status}</td><td>${r.mitigation || ''}</td>`}
      add=${(b) => api('POST', '/api/v1/risks', { ...b, account_id: account.id }).then(done)}
      patch=${(r, b) => api('PATCH', `/api/v1/risks/${r.id}`, b).then(done)}
      remove=${(r) => api('DELETE', `/api/v1/risks/${r.id}`).then(done, (e) => setError(e.message))} />
  </div>`;
}

function Team({ account, team, users, canEdit, reload, setError }) {
  const spec = [
    { name: 'user_id', label: 'Person', type: 'select', required: true, options: users.filter((u) => !team.some((m) => m.user_id === u.id)).map((u) => [u.id, u.name]) },
    { name: 'role', label: 'Role on the account', type: 'select', required: true, options: TEAM_ROLES, default: 'member' },
  ];
  const put = async (userId, role) => { await api('PUT', `/api/v1/accounts/${account.id}/team/${userId}`, { role }); setError(null); reload(); };
  const drop = async (m) => {
    if (!confirm(`Take ${m.name} off the team?`)) return;
    try { await api('DELETE', `/api/v1/accounts/${account.id}/team/${m.user_id}`); reload(); } catch (e) { setError(e.message); }
  };
  return html`<div>
    <div class="scroll"><table class="team"><thead><tr><th scope="col">Name</th><th scope="col">Role on the account</th>${canEdit && html`<th scope="col"><span class="sr">Tools</span></th>`}</tr></thead>
    <tbody>${team.map((m) => html`<tr key=${m.user_id}><td>${m.name}</td>
      <td>${canEdit ? html`<${SaveSelect} label=${`role of ${m.name} on the account`} value=${m.role}
        options=${TEAM_ROLES.some(([k]) => k === m.role) ? TEAM_ROLES : [...TEAM_ROLES, [m.role, teamRole(m.role)]]} save=${(v) => put(m.user_id, v)} />` : teamRole(m.role)}</td>
      ${canEdit && html`<td class="row-tools"><button class="link" onClick=${() => drop(m)}>remove</button></td>`}</tr>`)}</tbody></table></div>
    ${canEdit && html`<${Form} label="Add a team member" submit="Add to the team" onSave=${(fd) => put(fd.get('user_id'), String(fd.get('role')).trim())}>${fields(spec)}<//>`}
  </div>`;
}

export function Account({ id, tab: wanted, user }) {
  // the tab lives in the URL (#/accounts/7/plan): it can be linked, and Back returns to it
  // (state too, so arrow keys pressed faster than the hash changes still move one tab each)
  const fromUrl = TABS.includes(wanted) || wanted === 'group' ? wanted : 'overview';
  const [tab, setShown] = useState(fromUrl);
  useEffect(() => setShown(fromUrl), [fromUrl]);
  const setTab = (t) => {
    setShown(t);
    if (location.hash.split('?')[0] !== `#/accounts/${id}/${t}`) location.hash = `#/accounts/${id}/${t}`;
  };
  const [d, setD] = useState(null);
  const [kpis, setKpis] = useState(null);
  const [error, setError] = useState(null);
  const [sharing, setSharing] = useState(false);
  const [users, setUsers] = useState([]);
  // viewers get no edit controls at all; members work on actions, meetings and cases
  const canEdit = ['admin', 'director', 'kam'].includes(user.role);
  const canWork = canEdit || user.role === 'member';
  useEffect(() => { get('/api/v1/users?limit=500&sort=name').then((r) => setUsers(r.items), () => {}); }, []);
  // What each part of the page reads. An edit reloads only the parts it can change (and the
  // header, whose health and score follow most edits), not all fifteen endpoints.
  const q = `account_id=${id}`;
  const loaders = {
    header: async () => {
      const [a, score, health] = await Promise.all([get(`/api/v1/accounts/${id}`), get(`/api/v1/accounts/${id}/score`), get(`/api/v1/accounts/${id}/health`)]);
      return { a, score, health };
    },
    contacts: async () => {
      // the group's stakeholders too: a manager may be a contact of another entity of the group
      const [list, map] = await Promise.all([get(`/api/v1/contacts?${q}&limit=200&sort=name`), get(`/api/v1/accounts/${id}/stakeholders?scope=group`).catch(() => null)]);
      return { contacts: list.items, groupMap: map, grouped: !!map && (map.root_id !== Number(id) || map.entities.length > 1) };
    },
    plans: async () => {
      const [plans, allPlans] = await Promise.all([get(`/api/v1/plans?${q}&status=active`), get(`/api/v1/plans?${q}&limit=100`)]);
      const full = await Promise.all(plans.items.map((p) => get(`/api/v1/plans/${p.id}`)));
      // the latest plan in full, for "copy last period's plan" when none is active
      const latest = [...allPlans.items].sort((x, y) => (y.period_end || '').localeCompare(x.period_end || ''))[0];
      const all = latest ? [{ ...latest, full: full.find((f) => f.id === latest.id) || await get(`/api/v1/plans/${latest.id}`) }] : [];
      return { plans: full, all };
    },
    inter: async () => ({ inter: (await get(`/api/v1/interactions?${q}&limit=50&sort=-occurred_at`)).items }),
    cases: async () => ({ cases: (await get(`/api/v1/cases?${q}&limit=100&sort=-opened_at`)).items }),
    risks: async () => {
      const [risks, matrix] = await Promise.all([get(`/api/v1/risks?${q}&limit=100`), get(`/api/v1/accounts/${id}/risk-matrix`)]);
      return { risks: risks.items, matrix };
    },
    // newest first, as the list shows them (the chart puts its NPS answers in date order)
    surveys: async () => ({ surveys: (await get(`/api/v1/surveys?${q}&limit=100&sort=-answered_on`)).items }),
    team: async () => ({ team: (await get(`/api/v1/accounts/${id}/team`)).items }),
    opps: async () => {
      const [opps, pipeline, ws] = await Promise.all([get(`/api/v1/opportunities?${q}&limit=100`), get(`/api/v1/accounts/${id}/pipeline`), get(`/api/v1/accounts/${id}/whitespace`)]);
      return { opps: opps.items, pipeline, ws };
    },
  };
  const loadKpis = (live) => {
    // the server picks the period: the 12-month revenue window of every other figure
    get(`/api/v1/kpis?scope=account&id=${id}&interval=month`).then((k) => live() && setKpis(k), () => {});
  };
  // reload('plans') after an edit of the plan; reload() reads everything again
  const reload = (...parts) => {
    const names = parts.length ? ['header', ...parts.filter((x) => x !== 'kpis')] : Object.keys(loaders);
    Promise.all(names.map((k) => loaders[k]())).then((got) => setD((old) => Object.assign({}, old, ...got)), (e) => setError(e.message));
    if (!parts.length || parts.includes('kpis')) loadKpis(() => true);
  };
  useEffect(() => {
    let live = true;
    setD(null);
    Promise.all(Object.values(loaders).map((f) => f())).then((got) => live && setD(Object.assign({}, ...got)),
      (e) => setError(e.status === 404 ? 'No such account, or not one of yours.' : e.message));
    // the month-by-month figures take longest on a cold server: they fill in on their own
    loadKpis(() => live);
    return () => { live = false; };
  }, [id]);
  const named = d?.a?.name;
  useEffect(() => { if (named) document.title = `${named} · ${tab} · kam`; }, [named, tab]);
  if (error && !d) return html`<p class="error" role="alert">${error}</p>`;
  if (!d) return html`<p class="loading">Loading…</p>`;
  const { a, score, health } = d;
  let view;
  const common = { account: a, users, canEdit, canWork, reload, setError };
  switch (tab) {
  case 'stakeholders': view = html`<${Stakeholders} ...${common} reload=${() => reload('contacts')} contacts=${d.contacts} team=${d.team}
    others=${(d.groupMap?.contacts || []).filter((c) => c.account_id !== a.id)} /><${GroupMap} account=${a} map=${d.groupMap} />`; break;
  case 'group': view = d.grouped ? html`<${GroupView} account=${a} />` : html`<p class="muted">${a.name} is not part of a group: it has no parent account and no subsidiaries.</p>`; break;
  case 'plan': view = html`<${Plan} ...${common} reload=${() => reload('plans')} plans=${d.plans} all=${d.all} /><${AccountRuns} account=${a} canEdit=${canEdit} onStarted=${() => reload('plans')} />`; break;
  case 'opportunities': view = html`<${Opportunities} ...${common} reload=${() => reload('opps')} opps=${d.opps} pipeline=${d.pipeline} ws=${d.ws} currency=${d.pipeline.currency} />`; break;
  case 'activity': view = html`<${Activity} ...${common} reload=${() => reload('inter', 'contacts', 'plans', 'kpis')} interactions=${d.inter} contacts=${d.contacts} user=${user} plan=${d.plans[0]} />`; break;
  case 'cases': view = html`<${Cases} ...${common} reload=${() => reload('cases', 'kpis')} canEdit=${canWork} cases=${d.cases} />`; break;
  case 'risks': view = html`<${Risks} ...${common} reload=${() => reload('risks')} risks=${d.risks} matrix=${d.matrix} />`; break;
  case 'surveys': view = html`<${Surveys} surveys=${d.surveys} />`; break;
  case 'workspace': view = html`<${WorkspacePanel} ...${common} reload=${() => reload('plans')} contacts=${d.contacts} plan=${d.plans[0]} />`; break;
  case 'team': view = html`<${Team} ...${common} reload=${() => reload('team')} team=${d.team} />`; break;
  default: view = html`<${Overview} a=${a} health=${health} score=${score} kpis=${kpis} />`;
  }
  // an entity of a group has the group's tab, after the overview
  const tabs = d.grouped ? [TABS[0], 'group', ...TABS.slice(1)] : TABS;
  // the tabs pattern: one tab stop, arrows move between tabs, Home and End to the ends
  const tabKeys = (e) => {
    const i = tabs.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const t = tabs[(next + tabs.length) % tabs.length];
    setTab(t);
    requestAnimationFrame(() => document.getElementById(`tab-${t}`)?.focus());
  };
  return html`<article class="account">
    <header class="account-head">
      <h1>${a.name}</h1>
      <span class="tier ${a.tier}">${a.tier}</span>
      <span>score ${num(score.score)}</span>
      ${healthKnown(health) ? html`<span class="health" data-score=${health.score}>health ${num(health.score, 0)}</span>`
        : html`<span class="health unknown" title=${health.reason || 'No revenue trend, survey answer or logged interaction yet'}>health: not enough data</span>`}
      <${HistoryButton} path=${`/api/v1/accounts/${id}`} name=${a.name} />
      <span class="muted">${[a.industry, a.country, `last contact ${ago(a.last_interaction_at)}`].filter(Boolean).join(' · ')}</span>
      ${canEdit && html`<button onClick=${() => setSharing(!sharing)} aria-expanded=${sharing}>Share with the client</button>`}
      <a href="#/accounts/${id}/print">One-page plan</a>
      ${d.plans[0] && html`<a href="/api/v1/plans/${d.plans[0].id}/document" download>Plan PDF</a>`}
    </header>
    ${sharing && html`<${SharePanel} id=${id} canEdit=${canEdit} onClose=${() => setSharing(false)} />`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div role="tablist" aria-label="Account views" class="tabs" onKeyDown=${tabKeys}>${tabs.map((t) => html`<button role="tab" id=${`tab-${t}`} aria-selected=${tab === t} aria-controls="tabpanel" tabindex=${tab === t ? 0 : -1} onClick=${() => setTab(t)}>${t}</button>`)}</div>
    <div role="tabpanel" id="tabpanel" aria-labelledby=${`tab-${tab}`} tabindex="0">${view}</div>
  </article>`;
}
