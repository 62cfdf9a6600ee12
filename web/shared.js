// What a client sees through a share link: the objectives and actions the KAM marked "client
// can see", the service KPIs when the link carries them, read-only, no login. Nothing internal
// is in the answer to begin with. SharedView renders it; the KAM's preview uses the same.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get } from './api.js';
import { pct, num, date } from './format.js';

export function SharedView({ d }) {
  return html`<div class="shared-view">
    <p class="shared-from">${d.company ? html`<strong>${d.company}</strong> · ` : ''}Account plan for</p>
    <h1>${d.account.name}</h1>
    ${d.plan ? html`<p class="muted">${d.plan.title || 'Account plan'} · ${date(d.plan.period_start)} – ${date(d.plan.period_end)}</p>
      ${d.plan.vision && html`<p><strong>Our shared vision:</strong> ${d.plan.vision}</p>`}` : html`<p class="muted">No plan is shared yet.</p>`}
    <p class="shared-contact">${d.kam && html`Your contact: ${d.kam.name} · <a href=${`mailto:${d.kam.email}`}>${d.kam.email}</a> · `}As of ${date(d.as_of)}</p>
    ${d.objectives.length > 0 && html`<section aria-labelledby="so-title"><h2 id="so-title">Objectives</h2>
      <div class="scroll"><table><thead><tr><th>Objective</th><th>Target</th><th>Progress</th><th>Due</th><th>Status</th></tr></thead>
      <tbody>${d.objectives.map((o) => html`<tr><td data-label="Objective">${o.title}</td><td data-label="Target">${o.metric || ''} ${num(o.baseline)} → ${num(o.target)}</td>
        <td data-label="Progress"><progress max="1" value=${Math.min(o.progress ?? 0, 1)} aria-label=${`progress of ${o.title}`}></progress> ${pct(o.progress, 0)}</td><td data-label="Due">${date(o.due_on)}</td><td data-label="Status">${o.status.replaceAll('_', ' ')}</td></tr>`)}</tbody></table></div>
    </section>`}
    ${d.actions.length > 0 && html`<section aria-labelledby="sa-title"><h2 id="sa-title">Next steps</h2>
      <div class="scroll"><table><thead><tr><th>Action</th><th>Due</th><th>Status</th></tr></thead>
      <tbody>${d.actions.map((a) => html`<tr><td data-label="Action">${a.title}</td><td data-label="Due">${date(a.due_on)}</td><td data-label="Status">${a.status.replace('_', ' ')}</td></tr>`)}</tbody></table></div>
    </section>`}
    ${d.kpis && html`<section aria-labelledby="sk-title"><h2 id="sk-title">Service, ${date(d.kpi_period.from)} – ${date(d.kpi_period.to)}</h2>
      <p>SLA compliance ${pct(d.kpis.sla_compliance)} · median time to resolution ${num(d.kpis.ttr_median_hours, 0)} h · NPS ${num(d.kpis.nps, 0)} · CSAT ${num(d.kpis.csat)}</p>
    </section>`}
  </div>`;
}

export function Shared({ token }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { get(`/api/v1/shared/${encodeURIComponent(token)}`).then(setD, (e) => setError(e.message)); }, [token]);
  if (error) return html`<main class="shared"><p class="error" role="alert">${error}</p></main>`;
  if (!d) return html`<p class="loading">Loading…</p>`;
  return html`<main class="shared"><${SharedView} d=${d} /></main>`;
}
