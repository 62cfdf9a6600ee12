// The group page (issue 18, docs/groups.md "The group page"): on the account page of any entity
// of a group, the tree of entities with revenue, health and owner, the group's figures, its
// whitespace (entities × products), the group plan the entity plans link to, and the group's
// stakeholders on one map, coloured by entity.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { num, money, pct, date, esc } from './format.js';
import { Chart } from './chart.js';
import { SaveSelect } from './inline.js';

// one colour per entity of a group, in tree order (the map and its legend)
const PALETTE = ['#1565c0', '#ef6c00', '#2e7d32', '#8e24aa', '#c62828', '#00838f', '#6d4c41', '#ad1457', '#558b2f', '#4527a0'];
export const entityColour = (i) => PALETTE[i % PALETTE.length];

// The group's tree: GET /accounts/:id/group, or (a server without it) the entities of the
// group stakeholder map, which has no figures.
async function loadTree(id) {
  try {
    return await get(`/api/v1/accounts/${id}/group`);
  } catch (e) {
    if (e.status !== 404 && e.status !== 405) throw e;
    const m = await get(`/api/v1/accounts/${id}/stakeholders?scope=group`);
    return { root_id: m.root_id, entities: m.entities.map((x) => ({ ...x, visible: true })), totals: null, partial: true };
  }
}

// Whether an account is part of a group: it has a parent, or an account it sees has it as one.
export async function inGroup(a) {
  if (a.parent_id) return true;
  const kids = await get(`/api/v1/accounts?parent_id=${a.id}&limit=1`).catch(() => ({ items: [] }));
  return kids.items.length > 0;
}

function Tree({ tree, here }) {
  const shown = tree.entities;
  const figures = !tree.partial;
  const t = tree.totals;
  return html`<div class="scroll"><table class="group-tree">
    <thead><tr><th scope="col">Entity</th>${figures && html`<th scope="col" class="owner">Owner</th><th scope="col" class="num">Revenue, 12 months</th><th scope="col" class="num">Health</th>`}</tr></thead>
    <tbody>${shown.map((e) => html`<tr key=${e.id} data-entity=${e.id} class=${e.id === here ? 'here' : ''}>
      <th scope="row" class=${`depth d${Math.min(e.depth, 6)}`}>${e.depth > 0 && html`<span class="branch" aria-hidden="true">└ </span>`}${e.visible === false
        ? html`<span class="muted" title="Its figures count in the group; the record is its owner's">${e.name}</span>`
        : e.id === here ? html`<strong>${e.name}</strong> <span class="muted">(this account)</span>` : html`<a href=${`#/accounts/${e.id}/group`}>${e.name}</a>`}
        ${figures && e.owner && html`<span class="owner-inline muted"><br />${e.owner.name}</span>`}</th>
      ${figures && html`<td class="owner">${e.owner?.name ?? '–'}</td><td class="num">${e.revenue_12m == null ? '–' : money(e.revenue_12m, tree.currency)}</td>
      <td class="num">${e.health == null ? html`<span class="muted">–</span>` : html`<span class="health" data-score=${e.health}>${num(e.health, 0)}</span>`}</td>`}</tr>`)}</tbody>
    ${t && html`<tfoot><tr><th scope="row">Group, ${t.entities} entities${t.intra_group_12m ? html`<span class="muted"><br />net of ${money(t.intra_group_12m, tree.currency)} sold between them</span>` : ''}</th>
      <td class="owner"></td><td class="num">${money(t.revenue_12m, tree.currency)}</td><td class="num">${t.health == null ? '–' : num(t.health, 0)}</td></tr></tfoot>`}
  </table></div>
  ${tree.partial && html`<p class="muted">Revenue, health and owner per entity come with the group figures.</p>`}
  ${!tree.partial && !t && html`<p class="muted">The group's totals are not shared with you: the group's KAM decides whether the team sees them.</p>`}`;
}

function Figures({ kpis }) {
  const k = kpis.kpis;
  return html`<div>
    <p class="group-figures">Revenue ${money(k.revenue.value, kpis.currency)} (previous ${money(k.revenue.previous, kpis.currency)})
      ${k.nrr && html` · NRR ${pct(k.nrr.value)}`}${k.share_of_wallet && html` · share of wallet ${pct(k.share_of_wallet.value)}`}${k.nps && html` · NPS ${num(k.nps.value, 0)}`}</p>
    ${kpis.series && html`<${Chart} label="Group revenue by month" option=${{
      animation: false, grid: { left: 60, right: 10, top: 10, bottom: 30 },
      xAxis: { type: 'category', data: kpis.series.map((s) => s.period.from.slice(0, 7)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v) => money(v, kpis.currency) } },
      series: [{ type: 'line', areaStyle: {}, data: kpis.series.map((s) => s.kpis.revenue.value) }] }} />`}
  </div>`;
}

// Entities × products. The rows are the group's entities (entities, or accounts); a cell names
// its entity by account_id.
function Whitespace({ ws, currency, order = [] }) {
  const given = ws.entities || ws.accounts;
  if (!given) return html`<p class="muted" role="note">This server does not give the group whitespace yet.</p>`;
  // in the tree's order, each entity under its parent
  const pos = new Map(order.map((e, i) => [e.id, i]));
  const rows = [...given].sort((x, y) => (pos.get(x.id) ?? 1e9) - (pos.get(y.id) ?? 1e9));
  const cur = ws.currency || currency;
  const cell = (r, p) => ws.cells.find((x) => (x.account_id ?? x.entity_id) === r.id && x.product_id === p.id);
  return html`<div>
    ${ws.white_space_value > 0 && html`<p class="muted ws-value">${money(ws.white_space_value, cur)} not sold yet across the group, at list price</p>`}
    <div class="scroll"><table class="whitespace group-ws"><thead><tr><th scope="col">Entity</th>${ws.products.map((p) => html`<th scope="col">${p.name}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr><th scope="row" class=${`depth d${Math.min(r.depth ?? 0, 6)}`}>${r.name}</th>${ws.products.map((p) => {
      const c = cell(r, p);
      if (!c) return html`<td class="ws"></td>`;
      return html`<td class=${`ws ${c.state}`} title=${c.state.replace('_', ' ')}>${c.state === 'sold' ? money(c.revenue, cur) : c.state.replace('_', ' ')}${c.value != null ? html`<br /><small>${money(c.value, cur)}</small>` : ''}</td>`;
    })}</tr>`)}</tbody></table></div>
  </div>`;
}

// What a part of the page says when its answer did not come: a group the caller may not see
// the figures of is told so, anything else in its own words.
const why = (e, what) => (e.status === 403 || e.status === 404
  ? `The ${what} are not shared with you: the group's KAM decides whether the team sees them.`
  : e.status === 400 ? `This server does not give the ${what} yet.` : e.message);

// The "group" tab of an account.
export function GroupView({ account }) {
  const [tree, setTree] = useState(null);
  const [kpis, setKpis] = useState(null);
  const [ws, setWs] = useState(null);
  const [err, setErr] = useState({});
  useEffect(() => {
    let live = true;
    const fail = (k) => (e) => live && setErr((o) => ({ ...o, [k]: e }));
    setTree(null); setKpis(null); setWs(null); setErr({});
    loadTree(account.id).then((t) => {
      if (!live) return;
      setTree(t);
      const root = t.root_id ?? account.id;
      get(`/api/v1/kpis?scope=group&id=${root}&interval=month`).then((k) => live && setKpis(k), fail('kpis'));
      get(`/api/v1/accounts/${root}/whitespace?scope=group`).then((w) => live && setWs(w), fail('ws'));
    }, fail('tree'));
    return () => { live = false; };
  }, [account.id]);
  if (err.tree) return html`<p class="error" role="alert">${err.tree.message}</p>`;
  if (!tree) return html`<p class="loading">Loading the group…</p>`;
  const root = tree.entities.find((e) => e.id === tree.root_id);
  return html`<div class="group">
    <section aria-labelledby="gt-title"><h2 id="gt-title">The group${root && root.visible !== false ? html` <span class="muted">${root.name}, ${tree.entities.length} entities</span>` : ''}</h2>
      <${Tree} tree=${tree} here=${account.id} /></section>
    <section aria-labelledby="gk-title"><h2 id="gk-title">Group figures, last twelve months</h2>
      ${tree.complete === false && html`<p class="muted partial-note" role="note">Of the ${tree.entities.length} ${tree.entities.length === 1 ? 'entity' : 'entities'} shown above, not the whole group.</p>`}
      ${err.kpis ? html`<p class="muted" role="note">${why(err.kpis, 'group figures')}</p>` : !kpis ? html`<p class="loading">Loading the figures…</p>` : html`<${Figures} kpis=${kpis} />`}</section>
    <section aria-labelledby="gw-title"><h2 id="gw-title">Group whitespace</h2>
      ${err.ws ? html`<p class="muted" role="note">${why(err.ws, 'group whitespace')}</p>` : !ws ? html`<p class="loading">Loading the whitespace…</p>` : html`<${Whitespace} ws=${ws} currency=${tree.currency} order=${tree.entities} />`}</section>
  </div>`;
}

// The plans of the accounts above this one that the caller sees: what an entity plan may link to.
async function ancestorPlans(account) {
  const out = [];
  let at = account.parent_id;
  for (let hops = 0; at && hops < 64; hops++) {
    let a;
    try { a = await get(`/api/v1/accounts/${at}`); } catch { break; } // not visible: the chain ends for this caller
    const plans = await get(`/api/v1/plans?account_id=${a.id}&limit=100`).catch(() => ({ items: [] }));
    for (const p of plans.items.filter((x) => x.status !== 'archived')) out.push({ ...p, account_name: a.name });
    at = a.parent_id;
  }
  return out;
}

// On a plan: "part of <group plan>" with a link, the choice of the group plan (an entity's KAM),
// and on a group plan the entity plans linked to it with their objectives' progress.
export function GroupPlanLinks({ account, plan, canEdit, reload }) {
  const [choices, setChoices] = useState(null);
  useEffect(() => {
    if (!canEdit || !account.parent_id) return;
    ancestorPlans(account).then(setChoices, () => setChoices([]));
  }, [account.id, account.parent_id, canEdit]);
  const gp = plan.group_plan;
  const ents = plan.entity_plans || [];
  const save = async (v) => { await api('PATCH', `/api/v1/plans/${plan.id}`, { group_plan_id: v ? Number(v) : null }); reload(); };
  return html`<div class="group-plan">
    ${gp ? html`<p class="part-of">Part of <a href=${`#/accounts/${gp.account_id}/plan`}>${gp.title || 'the group plan'}</a> <span class="muted">(${gp.account_name}, ${date(gp.period_start)} – ${date(gp.period_end)})</span></p>`
      : plan.group_plan_id ? html`<p class="part-of muted">Part of a group plan of an account you do not see.</p>` : ''}
    ${canEdit && choices && choices.length > 0 && html`<p class="link-group-plan"><span class="muted">Group plan:</span> <${SaveSelect} label="Group plan this plan is part of" value=${plan.group_plan_id}
      options=${choices.map((p) => [p.id, `${p.title || 'Plan'} · ${p.account_name}`])} none="not part of a group plan" save=${save} /></p>`}
    ${ents.length > 0 && html`<section aria-labelledby="ep-title"><h2 id="ep-title">Entity plans in this group plan</h2>
      <div class="scroll"><table class="entity-plans"><thead><tr><th scope="col">Entity</th><th scope="col">Plan</th><th scope="col">Objectives</th><th scope="col">Progress</th></tr></thead>
      <tbody>${ents.map((p) => html`<tr key=${p.id} data-plan=${p.id}><th scope="row"><a href=${`#/accounts/${p.account_id}/plan`}>${p.account_name}</a></th>
        <td>${p.title || 'Account plan'}<br /><span class="muted">${p.status}, ${date(p.period_start)} – ${date(p.period_end)}</span></td>
        <td>${p.objectives.length ? html`<ul class="ep-objectives">${p.objectives.map((o) => html`<li>${o.title} <span class="muted">${o.status.replace('_', ' ')}${o.progress != null ? `, ${pct(o.progress, 0)}` : ''}</span></li>`)}</ul>` : html`<span class="muted">none yet</span>`}</td>
        <td><progress max="1" value=${Math.min(p.progress ?? 0, 1)} aria-label=${`progress of ${p.account_name}`}></progress> ${pct(p.progress, 0)}<br /><span class="muted">${p.achieved} of ${p.objectives.length} achieved</span></td></tr>`)}</tbody></table></div>
    </section>`}
  </div>`;
}

// The group's stakeholders on one map (GET …/stakeholders?scope=group, read with the contacts),
// each node in its entity's colour; shown on the stakeholders tab when the caller sees several
// entities of the group.
export function GroupMap({ account, map: m }) {
  if (!m || m.entities.length < 2) return null;
  const colourOf = new Map(m.entities.map((e, i) => [e.id, entityColour(i)]));
  const byId = new Map(m.contacts.map((c) => [c.id, { name: c.name, value: c.id, children: [], c }]));
  const roots = [];
  for (const n of byId.values()) {
    const boss = n.c.reports_to_id && byId.get(n.c.reports_to_id);
    (boss ? boss.children : roots).push(n);
  }
  const cut = (x, k = 26) => (x.length > k ? `${x.slice(0, k - 1)}…` : x);
  const node = (n) => ({ ...n, label: { formatter: () => `${cut(n.c.name)} · ${cut(n.c.title || '', 22)}` }, symbol: 'circle',
    itemStyle: { color: colourOf.get(n.c.account_id) }, symbolSize: 6 + 3 * (n.c.influence || 1), children: n.children.map(node) });
  const across = m.contacts.filter((c) => { const b = byId.get(c.reports_to_id); return b && b.c.account_id !== c.account_id; });
  // on a narrow screen the chart's labels would overlap: the same tree as an outline
  const narrow = typeof matchMedia === 'function' && matchMedia('(max-width: 700px)').matches;
  const item = (n) => html`<li><span class="swatch" style=${`background:${colourOf.get(n.c.account_id)}`}></span>${n.c.name}${n.c.title ? html` <span class="muted">· ${n.c.title}</span>` : ''}${' '}<span class="muted entity-inline">(${n.c.account_name})</span>${n.children.length > 0 && html`<ul>${n.children.map(item)}</ul>`}</li>`;
  // left to right, a line per person: as tall as the people at the widest level need
  const leaves = (n) => (n.children.length ? n.children.reduce((s, k) => s + leaves(k), 0) : 1);
  const rows = roots.reduce((s, r) => s + leaves(r), 0);
  return html`<section aria-labelledby="gm-title" class="group-map"><h2 id="gm-title">Across the group</h2>
    <ul class="legend" aria-label="Entities">${m.entities.map((e) => html`<li><span class="swatch" style=${`background:${colourOf.get(e.id)}`}></span>${e.id === account.id ? html`<strong>${e.name}</strong>` : html`<a href=${`#/accounts/${e.id}/stakeholders`}>${e.name}</a>`} <span class="muted">(${m.contacts.filter((c) => c.account_id === e.id).length})</span></li>`)}</ul>
    ${narrow ? html`<ul class="group-outline" aria-label="Organisation of the group, by reporting line">${roots.map(item)}</ul>`
    : html`<div class="group-chart" style=${`height:${Math.max(240, 26 * rows + 40)}px`}><${Chart} label="Organisation chart of the group, coloured by entity" option=${{ animation: false, tooltip: { formatter: (p) => (p.data.c ? `${esc(p.data.c.name)}, ${esc(p.data.c.title ?? '')} (${esc(p.data.c.account_name)})` : '') },
      series: [{ type: 'tree', data: roots.length === 1 ? [node(roots[0])] : [{ name: '', children: roots.map(node), itemStyle: { opacity: 0 }, lineStyle: { opacity: 0 } }],
        orient: 'LR', top: 20, bottom: 20, left: 20, right: 170, expandAndCollapse: false,
        label: { position: 'right', fontSize: 11, distance: 4 }, leaves: { label: { position: 'right' } } }] }} /></div>`}
    ${across.length > 0 && html`<p class="muted">Reporting across entities: ${across.map((c, i) => html`${i ? '; ' : ''}${c.name} (${c.account_name}) → ${byId.get(c.reports_to_id).c.name} (${byId.get(c.reports_to_id).c.account_name})`)}</p>`}
  </section>`;
}
