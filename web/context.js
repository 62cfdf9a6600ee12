// The plan's context (issue 17), on the plan tab: the customer's strategic initiatives, a
// SWOT in a 2×2 grid (each saved when the field is left) and the competitors present at the
// account with their share of its spend. Readers see the text only, with no controls.
import { html, useState, useEffect, useRef } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { Form, fields, body } from './forms.js';
import { SaveInput } from './inline.js';

const SWOT = [['swot_strengths', 'Strengths'], ['swot_weaknesses', 'Weaknesses'], ['swot_opportunities', 'Opportunities'], ['swot_threats', 'Threats']];

// A text area saved on leaving it when it changed; the refusal stays beside it with the text.
function SaveText({ label, value, max, rows = 4, save }) {
  const [st, setSt] = useState(null);
  const stored = useRef(value ?? '');
  async function commit(v) {
    if (v === stored.current) return;
    setSt('Saving…');
    try { await save(v); stored.current = v; setSt('Saved'); } catch (e) { setSt(`Not saved: ${e.message || e}`); }
  }
  return html`<div class="save-text"><textarea aria-label=${label} maxlength=${max} rows=${rows} defaultValue=${value ?? ''}
      onBlur=${(e) => commit(e.target.value)}></textarea>
    ${st && html`<span class=${st.startsWith('Not') ? 'inline-mark field-error' : 'inline-mark saved'} role="status">${st}</span>`}</div>`;
}

const COMPETITOR = [
  { name: 'name', label: 'Competitor', required: true, max: 200 },
  { name: 'share_percent', label: 'Share %', type: 'number' },
  { name: 'products', label: 'Their products here', max: 500 },
];

function Competitors({ account, canEdit, setError }) {
  const [items, setItems] = useState(null);
  const [n, setN] = useState(0);
  useEffect(() => { get(`/api/v1/competitors?account_id=${account.id}&limit=100`).then((r) => setItems(r.items), (e) => setError(e.message)); }, [account.id, n]);
  if (!items) return null;
  const reload = () => setN(n + 1);
  const patch = async (c, b) => { await api('PATCH', `/api/v1/competitors/${c.id}`, b); reload(); };
  const remove = async (c) => {
    if (!confirm(`Delete "${c.name}"?`)) return;
    try { await api('DELETE', `/api/v1/competitors/${c.id}`); reload(); } catch (e) { setError(e.message); }
  };
  const known = items.filter((c) => c.share_percent != null);
  const total = known.reduce((s, c) => s + c.share_percent, 0);
  const share = (v) => (v === '' ? null : /^\d+$/.test(v) ? Number(v) : NaN);
  return html`<section aria-labelledby="cmp-title" class="competitors"><h2 id="cmp-title">Competitors at the account</h2>
    ${items.length ? html`<div class="scroll"><table class="competitors"><thead><tr><th scope="col">Competitor</th><th scope="col">Share</th><th scope="col">Products</th>${canEdit && html`<th scope="col"><span class="sr">Tools</span></th>`}</tr></thead>
      <tbody>${items.map((c) => html`<tr key=${c.id} data-competitor=${c.id}>
        <td>${canEdit ? html`<${SaveInput} label=${`name of ${c.name}`} value=${c.name} maxlength="200" required save=${(v) => (v.trim() ? patch(c, { name: v.trim() }) : Promise.reject(new Error('a name is required')))} />` : c.name}</td>
        <td class="num">${canEdit ? html`<${SaveInput} type="number" min="0" max="100" label=${`share of ${c.name} in percent`} value=${c.share_percent ?? ''} size="4"
          save=${(v) => (Number.isNaN(share(v)) ? Promise.reject(new Error('a whole number 0 to 100')) : patch(c, { share_percent: share(v) }))} />` : c.share_percent == null ? '–' : `${c.share_percent} %`}</td>
        <td>${canEdit ? html`<${SaveInput} label=${`products of ${c.name}`} value=${c.products ?? ''} maxlength="500" save=${(v) => patch(c, { products: v.trim() || null })} />` : c.products || ''}</td>
        ${canEdit && html`<td class="row-tools"><button class="link" onClick=${() => remove(c)}>delete</button></td>`}</tr>`)}</tbody></table></div>
      <p class="muted competitors-total">${known.length ? `Competitors hold ${total} % of the account's spend; ${100 - total} % is ours or not placed.` : 'No shares recorded.'}</p>`
    : html`<p class="muted">No competitors recorded.</p>`}
    ${canEdit && html`<${Form} label="Add a competitor" cls="quick add-competitor" submit="Add competitor"
      onSave=${async (fd) => { await api('POST', '/api/v1/competitors', { ...body(COMPETITOR, fd), account_id: account.id }); reload(); }}>${fields(COMPETITOR)}<//>`}
  </section>`;
}

// plan: the full plan record; reload: fetches the plans again after a save.
export function PlanContext({ account, plan, canEdit, reload, setError }) {
  const save = (k) => async (v) => { await api('PATCH', `/api/v1/plans/${plan.id}`, { [k]: v.trim() || null }); reload(); };
  const text = (v) => (v ? html`<p class="pre">${v}</p>` : html`<p class="muted">–</p>`);
  return html`<div class="plan-context" key=${plan.id}>
    <section aria-labelledby="ini-title"><h2 id="ini-title">Strategic initiatives</h2>
      ${canEdit && html`<p class="muted">What the customer is trying to achieve, in their words.</p>`}
      ${canEdit ? html`<${SaveText} label="Customer's strategic initiatives" value=${plan.initiatives} max="5000" save=${save('initiatives')} />` : text(plan.initiatives)}</section>
    <section aria-labelledby="swot-title"><h2 id="swot-title">SWOT</h2>
      <div class="swot">${SWOT.map(([k, l]) => html`<div class=${`swot-cell ${k}`}><h3>${l}</h3>
        ${canEdit ? html`<${SaveText} label=${l} value=${plan[k]} max="2000" rows="3" save=${save(k)} />` : text(plan[k])}</div>`)}</div></section>
    <${Competitors} account=${account} canEdit=${canEdit} setError=${setError} />
  </div>`;
}
