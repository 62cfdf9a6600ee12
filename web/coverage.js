// Relationship coverage on the stakeholders tab (issue 17): our people × the client's
// deciders, influencers and champions, each cell how strong the relationship is and when it
// was last verified; the gaps kam finds (a decision maker nobody covers, a relationship not
// verified for 180 days, one person covering every decision maker) are listed above it.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { today, teamRole } from './format.js';
import { SaveSelect } from './inline.js';

const STRENGTH = [[1, '1 weak'], [2, '2'], [3, '3'], [4, '4'], [5, '5 strong']];
const dots = (n) => '●'.repeat(n) + '○'.repeat(5 - n);

// One cell: a reader sees the strength and the date; an editor picks the strength (none takes
// the link away) and confirms a relationship as verified today.
function Cell({ account, s, p, link, canEdit, reload, setError }) {
  const save = async (v) => {
    if (v === '') await api('DELETE', `/api/v1/coverage/${link.id}`);
    else if (link) await api('PATCH', `/api/v1/coverage/${link.id}`, { strength: Number(v) });
    else await api('POST', '/api/v1/coverage', { account_id: account.id, contact_id: s.contact_id, user_id: p.id, strength: Number(v), verified_on: today() });
    reload();
  };
  const verify = () => api('PATCH', `/api/v1/coverage/${link.id}`, { verified_on: today() }).then(reload, (e) => setError(e.message));
  const when = link && html`<span class=${link.stale ? 'stale' : 'muted'}>${link.verified_on ? `verified ${link.verified_on}` : 'never verified'}</span>`;
  if (!canEdit) {
    return html`<td>${link ? html`<span class="dots" aria-label=${`strength ${link.strength} of 5`}>${dots(link.strength)}</span><br />${when}` : html`<span class="muted">–</span>`}</td>`;
  }
  return html`<td class=${link?.stale ? 'gap' : ''}><${SaveSelect} label=${`${p.name} with ${s.name}`} value=${link?.strength} options=${STRENGTH} none="–" save=${save} />
    ${link && html`<br />${when}${link.stale && html` <button type="button" class="link" onClick=${verify} aria-label=${`${p.name} verified ${s.name} today`}>verified today</button>`}`}</td>`;
}

export function Coverage({ account, canEdit, setError }) {
  const [g, setG] = useState(null);
  const [n, setN] = useState(0);
  useEffect(() => { get(`/api/v1/accounts/${account.id}/coverage`).then(setG, (e) => setError(e.message)); }, [account.id, n]);
  if (!g) return null;
  const reload = () => setN(n + 1);
  return html`<section class="coverage" aria-labelledby="coverage-title"><h2 id="coverage-title">Relationship coverage</h2>
    ${g.gaps.length ? html`<ul class="gaps warning" aria-label="Coverage gaps">${g.gaps.map((x) => html`<li data-kind=${x.kind}>${x.text}</li>`)}</ul>`
      : g.stakeholders.length > 0 && html`<p class="muted">Every decision maker is covered, by more than one of us, and verified in the last ${g.stale_days} days.</p>`}
    ${g.stakeholders.length === 0 ? html`<p class="muted">No decision makers, economic buyers, influencers or champions recorded yet: set their role on the people above.</p>`
      : html`<div class="scroll"><table class="coverage-grid"><thead><tr><th scope="col">Their side</th>${g.people.map((p) => html`<th scope="col">${p.name}${p.role && html`<br /><span class="muted">${teamRole(p.role)}</span>`}</th>`)}</tr></thead>
      <tbody>${g.stakeholders.map((s) => html`<tr key=${s.contact_id} class=${s.covered || !['decision_maker', 'economic_buyer'].includes(s.decision_role) ? '' : 'uncovered'}><th scope="row">${s.name}<br /><span class="muted">${[s.title, (s.decision_role || '').replaceAll('_', ' '), s.attitude].filter(Boolean).join(' · ')}</span></th>
        ${g.people.map((p) => html`<${Cell} key=${p.id} account=${account} s=${s} p=${p} link=${s.cells.find((c) => c.user_id === p.id)} canEdit=${canEdit} reload=${reload} setError=${setError} />`)}</tr>`)}</tbody></table></div>`}
  </section>`;
}
