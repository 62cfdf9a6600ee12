// The one-page account plan for the browser's print (A4): situation, objectives, actions,
// stakeholders, risks and the service KPIs; the same content as the plan PDF (column headers,
// baselines, owners, and the date the figures are as of), so there is one plan document.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get } from './api.js';
import { date, num, pct, money } from './format.js';

export function PrintPlan({ id }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    Promise.all([get(`/api/v1/accounts/${id}`), get(`/api/v1/plans?account_id=${id}&status=active`),
      get(`/api/v1/contacts?account_id=${id}&limit=200&sort=name`), get(`/api/v1/risks?account_id=${id}&status=open&limit=50`),
      get(`/api/v1/kpis?scope=account&id=${id}`), get('/api/v1/users?limit=500&sort=name')])
      .then(async ([a, plans, contacts, risks, k, users]) => {
        const plan = plans.items.length ? await get(`/api/v1/plans/${plans.items[0].id}`) : null;
        setD({ a, plan, contacts: contacts.items, risks: risks.items, k, users: new Map(users.items.map((u) => [u.id, u.name])) });
      }, (e) => setError(e.message));
  }, [id]);
  useEffect(() => { if (d) document.title = `${d.a.name} · one-page plan · kam`; }, [d]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!d) return html`<p class="loading">Loading…</p>`;
  const { a, plan, contacts, risks, k, users } = d;
  const who = (uid) => (uid ? users.get(uid) ?? `user ${uid}` : '–');
  const asOf = new Date().toISOString().slice(0, 10);
  const objTitle = (oid) => plan?.objectives.find((o) => o.id === oid)?.title ?? '';
  return html`<article class="print">
    <p class="noprint print-tools"><button onClick=${() => print()}>Print</button> <a href="#/accounts/${id}">Back to the account</a></p>
    <h1>${a.name} — account plan</h1>
    <p class="muted">As of ${asOf} · account owner ${who(a.owner_id)}</p>
    ${plan ? html`<p class="muted">${plan.title ? `${plan.title} · ` : ''}${date(plan.period_start)} – ${date(plan.period_end)} · ${a.tier} account · score ${num(a.score)}</p>
      ${plan.situation && html`<p><strong>Situation.</strong> ${plan.situation}</p>`}
      ${plan.vision && html`<p><strong>Vision.</strong> ${plan.vision}</p>`}
      <h2>Objectives</h2><div class="scroll"><table class="plan-table"><thead><tr><th class="text">Objective</th><th class="text">Metric</th><th class="num">Baseline</th><th class="num">Target</th><th class="num">Now</th><th class="num">Progress</th><th>Due</th><th>Status</th></tr></thead>
      <tbody>${plan.objectives.map((o) => html`<tr><td class="text" data-label="Objective">${o.title}</td><td class="text" data-label="Metric">${o.metric || ''}</td><td class="num" data-label="Baseline">${num(o.baseline)}</td><td class="num" data-label="Target">${num(o.target)}</td><td class="num" data-label="Now">${num(o.current)}</td><td class="num" data-label="Progress">${pct(o.progress, 0)}</td><td data-label="Due"><span class="date">${date(o.due_on)}</span></td><td data-label="Status">${o.status.replace('_', ' ')}</td></tr>`)}</tbody></table></div>
      <h2>Actions</h2><div class="scroll"><table class="plan-table"><thead><tr><th class="text">Action</th><th class="text">Objective</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead>
      <tbody>${plan.actions.map((x) => html`<tr class=${x.overdue ? 'overdue' : ''}><td class="text" data-label="Action">${x.title}</td><td class="text" data-label="Objective">${objTitle(x.objective_id)}</td><td data-label="Owner">${who(x.owner_id)}</td><td data-label="Due"><span class="date">${date(x.due_on)}</span>${x.overdue ? ' (overdue)' : ''}</td><td data-label="Status">${x.status.replace('_', ' ')}</td></tr>`)}</tbody></table></div>`
      : html`<p>No active plan.</p>`}
    <h2>Stakeholders</h2><p>${contacts.filter((c) => (c.influence || 0) >= 3).map((c) => `${c.name} (${c.title || '–'}, ${c.attitude || '–'})`).join(' · ')}</p>
    <h2>Open risks</h2><p>${risks.map((r) => `${r.title} (${r.level}, owner ${who(r.owner_id)})`).join(' · ') || 'none recorded'}</p>
    <h2>Last twelve months</h2><p>Revenue ${money(k.kpis.revenue.value, k.currency)} · NRR ${pct(k.kpis.nrr.value)} · NPS ${num(k.kpis.nps.value, 0)} · SLA compliance ${pct(k.kpis.sla_compliance.value)}</p>
  </article>`;
}
