// The accounts table: search; tier, owner, status and tag filters; sortable columns; keyset
// paging; the same list as CSV or Excel.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { money, num, ago } from './format.js';
import { Form, fields, body } from './forms.js';
import { hashQuery, setHashQuery } from './hash.js';

// A new account: what the model requires (a name) and what the score needs; it opens at once.
function NewAccount({ me, owners, onCancel }) {
  const mayOwn = Object.entries(owners).filter(([, u]) => u.owns).map(([id, u]) => [id, u.name]);
  const spec = [
    { name: 'name', label: 'Name', required: true, max: 200 },
    { name: 'owner_id', label: 'Owner (KAM)', type: 'select', numeric: true, required: true, options: mayOwn, default: me.id },
    { name: 'status', label: 'Status', type: 'select', required: true, options: ['prospect', 'active', 'churned'], default: 'active' },
    { name: 'industry', label: 'Industry', max: 100 },
    { name: 'country', label: 'Country', max: 100 },
    { name: 'currency', label: 'Currency', required: true, max: 3, default: 'EUR' },
    { name: 'potential_annual_spend', label: 'Potential annual spend', type: 'money' },
    { name: 'strategic_importance', label: 'Strategic importance', type: 'int', options: [1, 2, 3, 4, 5] },
    { name: 'growth_potential', label: 'Growth potential', type: 'int', options: [1, 2, 3, 4, 5] },
  ];
  async function save(fd) {
    const a = await api('POST', '/api/v1/accounts', body(spec, fd));
    location.hash = `#/accounts/${a.id}`;
  }
  return html`<${Form} label="New account" submit="Create account" onSave=${save} onCancel=${onCancel} reset=${false}>${fields(spec)}<//>`;
}


export function Accounts({ user }) {
  const [adding, setAdding] = useState(false);
  // filters and sort live in the URL (#/accounts?tier=key&sort=name): Back from an account
  // returns to the same filtered list, and a filtered list can be linked
  const init = hashQuery();
  const [q, setQ] = useState(init.get('q') ?? '');
  const [tier, setTier] = useState(init.get('tier') ?? '');
  const [owner, setOwner] = useState(init.get('owner_id') ?? '');
  const [status, setStatus] = useState(init.get('status') ?? '');
  const [tag, setTag] = useState(init.get('tag') ?? '');
  const [segment, setSegment] = useState(init.get('segment') ?? '');
  const [sort, setSort] = useState(init.get('sort') ?? '-score');
  useEffect(() => setHashQuery({ q, tier, segment, owner_id: owner, status, tag, sort: sort === '-score' ? '' : sort }),
    [q, tier, owner, status, segment, tag, sort]);
  const [rows, setRows] = useState([]);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [owners, setOwners] = useState({});
  const [base, setBase] = useState('EUR');
  useEffect(() => { get('/api/v1/settings').then((st) => setBase(st.base_currency), () => {}); }, []);
  useEffect(() => {
    // every user, page by page: a large team has more than one page of them
    (async () => {
      const all = {};
      let cursor = null;
      do {
        const r = await get(`/api/v1/users?limit=500&sort=name${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        for (const u of r.items) all[u.id] = { name: u.name, owns: u.role !== 'member' && u.role !== 'viewer' };
        cursor = r.next_cursor;
      } while (cursor);
      setOwners(all);
    })();
  }, []);
  const [typed, setTyped] = useState('');
  // the filters as query parameters: the page and the downloads ask the same question
  const params = (extra) => {
    const p = new URLSearchParams({ sort, ...extra });
    for (const [k, v] of [['q', q], ['tier', tier], ['owner_id', owner], ['status', status], ['segment', segment], ['tag', tag.trim()]]) if (v) p.set(k, v);
    return `/api/v1/accounts?${p}`;
  };
  const url = (cursor) => params(cursor ? { limit: '50', cursor } : { limit: '50' });
  useEffect(() => {
    // wait for typing to pause; a sort or a filter asks at once
    // an answer to a question no longer asked (filters changed meanwhile) is dropped
    let live = true;
    const t = setTimeout(() => get(url()).then((r) => { if (live) { setRows(r.items); setNext(r.next_cursor); setError(null); } },
      (e) => live && setError(e.message)), q + tag !== typed ? 150 : 0);
    setTyped(q + tag);
    return () => { live = false; clearTimeout(t); };
  }, [q, tier, owner, status, segment, tag, sort]);
  const file = (format) => params({ format });
  const more = () => get(url(next)).then((r) => { setRows(rows.concat(r.items)); setNext(r.next_cursor); });
  const th = (key, label) => html`<th scope="col" aria-sort=${sort === key ? 'ascending' : sort === `-${key}` ? 'descending' : 'none'}>
    <button class="link" onClick=${() => setSort(sort === `-${key}` ? key : `-${key}`)}>${label}</button></th>`;
  return html`<div>
    <div class="toolbar"><h1>Accounts</h1>
      <label>Search <input type="search" value=${q} onInput=${(e) => setQ(e.target.value)} placeholder="name" /></label>
      <label>Tier <select value=${tier} onChange=${(e) => setTier(e.target.value)}>
        <option value="">all</option><option value="key">key</option><option value="potential">potential</option><option value="standard">standard</option>
      </select></label>
      <label>Segment <select value=${segment} onChange=${(e) => setSegment(e.target.value)}>
        <option value="">any</option>${['strategic', 'develop', 'maintain', 'streamline'].map((g) => html`<option value=${g}>${g}</option>`)}
      </select></label>
      <label>Owner <select value=${owner} onChange=${(e) => setOwner(e.target.value)}>
        <option value="">anyone</option>
        ${Object.entries(owners).filter(([, u]) => u.owns).map(([id, u]) => html`<option value=${id}>${u.name}</option>`)}
      </select></label>
      <label>Status <select value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">any</option><option value="active">active</option><option value="prospect">prospect</option><option value="churned">churned</option>
      </select></label>
      <label>Tag <input type="search" size="10" value=${tag} onInput=${(e) => setTag(e.target.value)} /></label>
      ${user && ['admin', 'director', 'kam'].includes(user.role) && !adding && html`<button onClick=${() => setAdding(true)}>New account</button>`}
      <span class="downloads">Download <a href=${file('csv')} download>CSV</a> · <a href=${file('xlsx')} download>Excel</a></span>
    </div>
    ${adding && html`<${NewAccount} me=${user} owners=${owners} onCancel=${() => setAdding(false)} />`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <p class="muted count" role="status">${rows.length}${next ? '+' : ''} account${rows.length === 1 ? '' : 's'}${q || tier || owner || status || segment || tag ? (rows.length === 1 && !next ? ' matches the filters' : ' match the filters') : ''}</p>
    ${!rows.length && !error && html`<p class="empty">No accounts here. ${q || tier || owner || status || segment || tag ? 'Clear a filter to see more.' : 'Create the first one with "New account".'}</p>`}
    <div class="scroll"><table class="accounts"><thead><tr>${th('name', 'Account')}<th scope="col">Tier</th><th scope="col">Segment</th>${th('score', 'Score')}${th('health', 'Health')}${th('revenue_12m', 'Revenue 12 mo')}<th scope="col">Owner</th><th scope="col">Status</th><th scope="col">Last contact</th><th scope="col">Tags</th></tr></thead>
    <tbody>${rows.map((a) => html`<tr>
      <td class="name"><a href="#/accounts/${a.id}" title=${a.name}>${a.name}</a></td><td><span class="tier ${a.tier}">${a.tier}</span></td><td>${a.segment ?? ''}</td>
      <td>${num(a.score)}</td><td>${a.health_enough_data === false ? html`<span class="muted" title="No revenue trend, survey answer or logged interaction yet">not enough data</span>`
        : html`<span class="health-dot" data-band=${a.health >= 70 ? 'good' : a.health >= 50 ? 'fair' : 'poor'}>${num(a.health, 0)}</span>`}</td>
      <td class="num">${money(a.revenue_12m, base)}</td><td>${owners[a.owner_id]?.name ?? ''}</td><td>${a.status}</td>
      <td>${ago(a.last_interaction_at)}</td><td>${a.tags.join(', ')}</td></tr>`)}</tbody></table></div>
    ${next && html`<button onClick=${more}>Show more</button>`}
  </div>`;
}
