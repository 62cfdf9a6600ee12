// The alerts inbox: filter by state, acknowledge, snooze a week, jump to the account.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { date, evidenceText } from './format.js';

export function Alerts() {
  const [state, setState] = useState('open');
  const [items, setItems] = useState([]);
  const [error, setError] = useState(null);
  const load = () => get(`/api/v1/alerts?limit=100&sort=-opened_at${state ? `&state=${state}` : ''}`).then((r) => setItems(r.items), (e) => setError(e.message));
  useEffect(() => { load(); }, [state]);
  async function change(a, body) {
    try { await api('PATCH', `/api/v1/alerts/${a.id}`, body); load(); } catch (e) { setError(e.message); }
  }
  const week = () => new Date(Date.now() + 7 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  return html`<div>
    <div class="toolbar"><h1>Alerts</h1>
      <label>State <select value=${state} onChange=${(e) => setState(e.target.value)}>
        <option value="open">open</option><option value="acknowledged">acknowledged</option><option value="snoozed">snoozed</option><option value="resolved">resolved</option><option value="">all</option>
      </select></label></div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <table class="inbox"><thead><tr><th>Rule</th><th>Severity</th><th>Account</th><th>Opened</th><th>Evidence</th><th>Actions</th></tr></thead>
    <tbody>${items.map((a) => html`<tr data-alert=${a.id}>
      <td>${a.rule.replaceAll('_', ' ')}</td><td class=${a.severity}>${a.severity}</td>
      <td>${a.account_id ? html`<a href="#/accounts/${a.account_id}">${a.account_name}</a>` : 'KAM workload'}</td>
      <td>${date(a.opened_at)}</td><td class="evidence">${Object.entries(a.evidence).filter(([k]) => k !== 'currency').map(([k, v]) => evidenceText(k, v, a.evidence.currency)).join(' · ')}</td>
      <td>${a.state === 'open' && html`<button onClick=${() => change(a, { state: 'acknowledged' })}>Acknowledge</button>
        <button onClick=${() => change(a, { state: 'snoozed', snoozed_until: week() })}>Snooze a week</button>`}</td></tr>`)}</tbody></table>
  </div>`;
}
