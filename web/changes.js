// "Changed since the last review" on the plan tab (issue 17): the QBR's first slide, made by
// kam from what was recorded (read again whenever the plan is: stamp is the plan as loaded) — objectives' progress and status, actions done, slipped or
// added, stakeholders added, gone or turned, new and closed risks, and the health then and now.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get } from './api.js';
import { date, num } from './format.js';

const GROUPS = [
  ['Objectives', ['objective_added', 'progress', 'objective_status']],
  ['Actions', ['action_added', 'action_done', 'action_slipped', 'action_cancelled']],
  ['Stakeholders', ['stakeholder_added', 'stakeholder_left', 'attitude', 'decision_role']],
  ['Risks', ['risk_added', 'risk_closed']],
];

export function Changes({ plan, stamp }) {
  const [c, setC] = useState(null);
  useEffect(() => { get(`/api/v1/plans/${plan.id}/changes`).then(setC, () => setC(null)); }, [plan.id, stamp]);
  if (!c) return null;
  const since = c.review ? `the last review (${date(c.review.held_on)})` : `the plan's start (${date(c.since)})`;
  const health = c.health.then != null && c.health.now != null && Math.round(c.health.then) !== Math.round(c.health.now)
    ? `Health ${num(c.health.then, 0)} → ${num(c.health.now, 0)}` : null;
  const n = c.items.length + (health ? 1 : 0);
  // a disclosure, not a button: readers open it too, and it edits nothing
  return html`<section class="changes" aria-labelledby="changes-title"><details>
    <summary><h2 id="changes-title">Changed since ${since}</h2>
      <span class="muted"> ${n ? `${n} change${n === 1 ? '' : 's'}` : 'nothing yet'}</span></summary>
    <div class="changes-body">
      ${health && html`<p><strong>${health}</strong></p>`}
      ${GROUPS.map(([title, kinds]) => {
        const items = c.items.filter((x) => kinds.includes(x.kind));
        return items.length > 0 && html`<div><h3>${title}</h3><ul>${items.map((x) => html`<li data-kind=${x.kind}>${x.text}</li>`)}</ul></div>`;
      })}
      ${c.truncated && html`<p class="muted">Only the first changes are shown.</p>`}
    </div>
  </details></section>`;
}
