// Account 360: the header (tier, score, health and why), then stakeholders and the plan.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get } from './api.js';
import { num, date, ago } from './format.js';

export function Account({ id }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setD(null);
    Promise.all([
      get(`/api/v1/accounts/${id}`), get(`/api/v1/accounts/${id}/score`), get(`/api/v1/accounts/${id}/health`),
      get(`/api/v1/contacts?account_id=${id}&limit=200&sort=name`), get(`/api/v1/plans?account_id=${id}&status=active`),
    ]).then(([a, score, health, contacts, plans]) => setD({ a, score, health, contacts, plans }),
      (e) => setError(e.status === 404 ? 'No such account, or not one of yours.' : e.message));
  }, [id]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!d) return html`<p class="loading">Loading…</p>`;
  const { a, score, health, contacts, plans } = d;
  return html`<article class="account">
    <header class="account-head">
      <h1>${a.name}</h1>
      <span class="tier ${a.tier}">${a.tier}</span>
      <span>score ${num(score.score)}</span>
      <span class="health" data-score=${health.score}>health ${num(health.score, 0)}</span>
      <span class="muted">${a.industry || ''} · ${a.country || ''} · last contact ${ago(a.last_interaction_at)}</span>
    </header>
    <section aria-labelledby="h-title"><h2 id="h-title">Why this health score</h2>
      <table><thead><tr><th>Part</th><th>Value</th><th>Weight</th><th>Points</th><th>Reason</th></tr></thead>
      <tbody>${health.components.map((c) => html`<tr><td>${c.name.replaceAll('_', ' ')}</td><td>${num(c.value, 0)}</td><td>${num(c.weight * 100, 0)}%</td><td>${num(c.points)}</td><td>${c.reason}</td></tr>`)}</tbody></table>
    </section>
    <section aria-labelledby="s-title"><h2 id="s-title">Stakeholders</h2>
      <table><thead><tr><th>Name</th><th>Title</th><th>Influence</th><th>Attitude</th><th>Last contacted</th></tr></thead>
      <tbody>${contacts.items.map((c) => html`<tr><td>${c.name}</td><td>${c.title || ''}</td><td>${c.influence ?? ''}</td><td>${c.attitude || ''}</td><td>${ago(c.last_contacted_at)}</td></tr>`)}</tbody></table>
    </section>
    <section aria-labelledby="p-title"><h2 id="p-title">Account plan</h2>
      ${plans.items.length ? plans.items.map((p) => html`<p>${`${p.title || 'Plan'} ${date(p.period_start)} – ${date(p.period_end)}: ${p.counts.objectives} objectives, ${p.counts.actions} actions, `}<span class=${p.counts.overdue_actions ? 'overdue' : ''}>${p.counts.overdue_actions} overdue</span></p>`)
        : html`<p class="muted">No active plan.</p>`}
    </section>
  </article>`;
}
