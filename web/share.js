// The KAM's side of client share links, opened from the account page: preview exactly what
// the client will see, make a link (expiry, service KPIs or not), copy it, see the live links
// and revoke them. A link's token is shown once, when it is made: the server keeps only a
// hash, so the page says "copy it now" then, and the list of live links (made when, by whom,
// until when) offers copy only for the links made on this page.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { api, get } from './api.js';
import { date } from './format.js';
import { SharedView } from './shared.js';

const live = (l) => !l.revoked_at && Date.parse(l.expires_at) > Date.now();

export function SharePanel({ id, canEdit, onClose }) {
  const [days, setDays] = useState(30);
  const [kpis, setKpis] = useState(false);
  const [preview, setPreview] = useState(null);
  const [links, setLinks] = useState([]);
  const [made, setMade] = useState({}); // id → url, for links made on this page
  const [people, setPeople] = useState({}); // user id → name, for "made by"
  const who = (l) => people[l.created_by] ?? (l.created_by ? `user ${l.created_by}` : '–');
  const [msg, setMsg] = useState(null);
  const [error, setError] = useState(null);
  const load = () => get(`/api/v1/accounts/${id}/shares`).then((r) => setLinks(r.items.filter(live)), (e) => setError(e.message));
  useEffect(() => { load(); }, [id]);
  useEffect(() => { get('/api/v1/users?limit=500').then((r) => setPeople(Object.fromEntries(r.items.map((u) => [u.id, u.name]))), () => {}); }, []);
  async function show() {
    try { setPreview(await get(`/api/v1/accounts/${id}/share-preview?include_kpis=${kpis}`)); setError(null); } catch (e) { setError(e.message); }
  }
  async function create() {
    try {
      const s = await api('POST', `/api/v1/accounts/${id}/shares`, { expires_in_days: days, include_kpis: kpis });
      setMade({ ...made, [s.id]: location.origin + s.url });
      setError(null);
      load();
    } catch (e) { setError(e.message); }
  }
  async function copy(url) {
    try { await navigator.clipboard.writeText(url); setMsg('Link copied'); } catch { setMsg('Select the link and copy it'); }
  }
  async function revoke(l) {
    if (!confirm('Revoke this link? The client can no longer open it.')) return;
    try { await api('DELETE', `/api/v1/accounts/${id}/shares/${l.id}`); setMsg('Link revoked'); load(); } catch (e) { setError(e.message); }
  }
  const newest = links.find((l) => made[l.id]);
  return html`<section class="share-panel" aria-labelledby="sp-title">
    <h2 id="sp-title">Share with the client</h2>
    <p class="muted">The client sees the objectives and actions marked "Client can see" in the plan tab, nothing else of ours.</p>
    <div class="share-options">
      ${canEdit && html`<label>Valid for <select aria-label="valid for" value=${days} onChange=${(e) => setDays(Number(e.target.value))}>
        ${[7, 30, 90].map((n) => html`<option value=${n} selected=${n === days}>${n} days</option>`)}</select></label>`}
      <label><input type="checkbox" checked=${kpis} onChange=${(e) => { setKpis(e.target.checked); setPreview(null); }} /> Include service KPIs (NPS, SLA)</label>
      <button onClick=${show}>Preview</button>
      ${canEdit && html`<button onClick=${create}>Create link</button>`}
      <button class="link" onClick=${onClose}>Close</button>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${newest && html`<div class="share" role="status"><p>Link for the client, valid until ${date(newest.expires_at)}:
      <input readonly aria-label="share link" value=${made[newest.id]} /> <button onClick=${() => copy(made[newest.id])}>Copy link</button></p>
      <p class="warn"><strong>Copy it now: it will not be shown again.</strong> kam keeps only a fingerprint of the link; if it is lost, revoke it and create a new one.</p></div>`}
    ${msg && html`<p role="status">${msg}</p>`}
    <h3>Live links</h3>
    ${links.length ? html`<div class="scroll"><table class="share-links"><thead><tr><th scope="col">Made</th><th scope="col">Expires</th><th scope="col">Made by</th><th scope="col">Service KPIs</th><th scope="col"><span class="sr">Tools</span></th></tr></thead>
      <tbody>${links.map((l) => html`<tr key=${l.id} data-share=${l.id}><td>${date(l.created_at)}<span class="narrow-only"> by ${who(l)}</span></td><td>${date(l.expires_at)}</td><td>${who(l)}</td><td>${l.include_kpis ? 'yes' : 'no'}</td>
        <td class="row-tools">${made[l.id] ? html`<button class="link" onClick=${() => copy(made[l.id])}>copy</button> ` : html`<span class="muted" title="The link was shown once, when it was made; kam keeps only its fingerprint">shown once, not copyable </span>`}
          ${canEdit && html`<button class="link" aria-label=${`revoke link made ${date(l.created_at)}`} onClick=${() => revoke(l)}>revoke</button>`}</td></tr>`)}</tbody></table></div>`
      : html`<p class="muted">No live links.</p>`}
    ${preview && html`<div class="share-preview" role="region" aria-label="Preview of the client's page">
      ${!preview.shared && html`<p class="error">Nothing is shared yet: mark an objective or action "Client can see" in the plan tab, or include the service KPIs.</p>`}
      <${SharedView} d=${preview} /></div>`}
  </section>`;
}
