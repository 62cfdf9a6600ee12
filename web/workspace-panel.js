// The staff side of the client workspace (issue 19), the account page's "workspace" tab:
// invite the client's people (a contact of the account, or a name and e-mail) and pass on
// their link, see who came when and what they did, decide each action's side, accept or
// reject what the client proposed, propose a review with its agenda and publish its minutes,
// ask for an NPS or CSAT answer, and choose whether revenue is shared.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { api, get } from './api.js';
import { date, ago, today } from './format.js';
import { SaveSelect, SaveCheck } from './inline.js';

const SIDES = [['ours', 'ours'], ['theirs', 'theirs'], ['joint', 'joint']];

// The link of a new invitation or a fresh link: shown to copy and pass on, and whether kam mailed it.
function LinkBox({ made, onClose }) {
  const [msg, setMsg] = useState(null);
  const url = made.link?.startsWith('http') ? made.link : `${location.origin}${made.link?.startsWith('/') ? '' : '/'}${made.link || ''}`;
  async function copy() {
    try { await navigator.clipboard.writeText(url); setMsg('Link copied'); } catch { setMsg('Select the link and copy it'); }
  }
  return html`<div class="wsp-link" role="status">
    <p><strong>Link for ${made.name}</strong>${made.mailed ? html` · <span class="wsp-mailed">mailed to ${made.email}</span>` : html` · <span class="muted">not mailed: pass it on yourself</span>`}</p>
    <div class="wsp-copy"><input readonly aria-label=${`workspace link for ${made.name}`} value=${url} onFocus=${(e) => e.target.select()} />
      <button type="button" onClick=${copy}>Copy link</button> <button type="button" class="link" onClick=${onClose}>Done</button></div>
    ${msg && html`<p class="muted">${msg}</p>`}
    <p class="muted wsp-small">The link signs ${made.name} in to this account's workspace only. kam keeps only its fingerprint: it is shown here once.</p>
  </div>`;
}

function Members({ account, contacts, canEdit, setError, onChange }) {
  const [members, setMembers] = useState(null);
  const [made, setMade] = useState(null);
  const [who, setWho] = useState({ contact_id: '', name: '', email: '' });
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  const load = () => get(`/api/v1/accounts/${account.id}/client-members`).then((r) => setMembers(r.items ?? r), (e) => setError(e.message));
  useEffect(() => { load(); }, [account.id]);
  const reachable = contacts.filter((c) => c.email && !c.left_on);
  function pick(v) {
    const c = reachable.find((x) => String(x.id) === v);
    setWho(c ? { contact_id: v, name: c.name, email: c.email } : { contact_id: '', name: '', email: '' });
  }
  async function invite(e) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const b = { name: who.name.trim(), email: who.email.trim() };
      if (who.contact_id) b.contact_id = Number(who.contact_id);
      setMade(await api('POST', `/api/v1/accounts/${account.id}/client-members`, b));
      setWho({ contact_id: '', name: '', email: '' });
      setErr(null);
      load();
      onChange();
    } catch (x) {
      setErr(x.problem?.errors?.length ? x.problem.errors.map((f) => `${String(f.field).replace(/^\/+/, '')}: ${f.message}`).join('; ') : x.message);
    } finally { setBusy(false); }
  }
  async function fresh(m) {
    try { setMade({ ...m, ...(await api('POST', `/api/v1/client-members/${m.id}/link`)) }); load(); } catch (x) { setError(x.message); }
  }
  async function remove(m) {
    if (!confirm(`Remove ${m.name} from the workspace? Their sessions end at once.`)) return;
    try { await api('DELETE', `/api/v1/client-members/${m.id}`); load(); onChange(); } catch (x) { setError(x.message); }
  }
  return html`<section aria-labelledby="wsp-m-title"><h2 id="wsp-m-title">Client members</h2>
    <p class="muted">The client's people you invite sign in with a link, see only what is marked "client can see" in the plan and this tab, and can be removed at any time.</p>
    ${made && html`<${LinkBox} made=${made} onClose=${() => setMade(null)} />`}
    ${members === null ? html`<p class="loading">Loading…</p>` : members.length ? html`<ul class="wsp-members">${members.map((m) => html`<li key=${m.id} data-member=${m.id} class=${m.removed_at ? 'removed' : ''}>
        <div class="wsp-who"><strong>${m.name}</strong> <span class="muted">${m.email}</span></div>
        <div class="wsp-when muted">invited ${date(m.invited_at)} · last visit ${m.last_visit_at ? ago(m.last_visit_at) : 'not yet'}${m.removed_at ? ` · removed ${date(m.removed_at)}` : ''}</div>
        ${canEdit && !m.removed_at && html`<div class="wsp-tools"><button class="link" aria-label=${`new link for ${m.name}`} onClick=${() => fresh(m)}>new link</button>
          <button class="link" aria-label=${`remove ${m.name}`} onClick=${() => remove(m)}>remove</button></div>`}</li>`)}</ul>`
      : html`<p class="muted">Nobody from the client is invited yet.</p>`}
    ${canEdit && html`<form class="wsp-invite" aria-label="Invite a client member" onSubmit=${invite}>
      <label>From the contacts <select value=${who.contact_id} onChange=${(e) => pick(e.target.value)}>
        <option value="">someone else (type below)</option>
        ${reachable.map((c) => html`<option value=${c.id}>${c.name}${c.title ? `, ${c.title}` : ''}</option>`)}</select></label>
      <label>Name <input required maxlength="200" value=${who.name} onInput=${(e) => setWho({ ...who, name: e.target.value })} /></label>
      <label>E-mail <input type="email" required maxlength="254" value=${who.email} onInput=${(e) => setWho({ ...who, email: e.target.value })} /></label>
      <button type="submit" disabled=${busy}>${busy ? 'Inviting…' : 'Invite'}</button>
      ${err && html`<p class="error" role="alert">Not invited: ${err}</p>`}
    </form>`}
  </section>`;
}

// The plan's actions with their side and client visibility; the client's proposals first.
function JointPlan({ plan, canEdit, canWork, reload, setError }) {
  const [err, setErr] = useState(null);
  if (!plan) return html`<section aria-labelledby="wsp-a-title"><h2 id="wsp-a-title">Mutual action plan</h2><p class="muted">No active plan: create one in the plan tab.</p></section>`;
  // an inline control's save: a refusal throws, and the control shows it beside itself
  const save = async (a, b) => { await api('PATCH', `/api/v1/actions/${a.id}`, b); reload(); };
  const patch = async (a, b) => {
    try { await save(a, b); setErr(null); } catch (x) { setErr(`${a.title}: ${x.message}`); }
  };
  const reject = async (a) => {
    if (!confirm(`Reject "${a.title}"? It is removed from the plan.`)) return;
    try { await api('DELETE', `/api/v1/actions/${a.id}`); setErr(null); reload(); } catch (x) { setError(x.message); }
  };
  const proposed = plan.actions.filter((a) => a.status === 'proposed');
  const rest = plan.actions.filter((a) => a.status !== 'proposed');
  return html`<section aria-labelledby="wsp-a-title"><h2 id="wsp-a-title">Mutual action plan</h2>
    <p class="muted">Each action's side: ours, theirs (the client's people) or joint. Client members tick off and re-date theirs and the joint ones; they see only those marked "client can see".</p>
    ${proposed.length > 0 && html`<div class="wsp-proposed"><h3>Proposed by the client</h3>
      <ul>${proposed.map((a) => html`<li key=${a.id} data-action=${a.id}><strong>${a.title}</strong>${a.due_on ? ` · due ${date(a.due_on)}` : ''}
        ${canWork && html`<span class="wsp-tools"><button onClick=${() => patch(a, { status: 'open' })} aria-label=${`accept ${a.title}`}>Accept</button>
          ${canEdit && html`<button class="link" onClick=${() => reject(a)} aria-label=${`reject ${a.title}`}>reject</button>`}</span>`}</li>`)}</ul></div>`}
    ${err && html`<p class="error" role="alert">Not saved: ${err}</p>`}
    ${rest.length ? html`<div class="scroll"><table class="wsp-actions"><thead><tr><th scope="col">Action</th><th scope="col">Side</th><th scope="col">Client can see</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead>
      <tbody>${rest.map((a) => html`<tr key=${a.id} data-action=${a.id}><td>${a.title}</td>
        <td>${canWork ? html`<${SaveSelect} label=${`side of ${a.title}`} value=${a.side || 'ours'} options=${SIDES}
          save=${(v) => save(a, { side: v })} />` : a.side || 'ours'}</td>
        <td>${canEdit ? html`<${SaveCheck} label=${`client can see ${a.title}`} value=${!!a.client_visible}
          save=${(v) => save(a, { client_visible: v })} />` : a.client_visible ? 'yes' : 'no'}</td>
        <td>${date(a.due_on)}</td><td>${a.status.replace('_', ' ')}</td></tr>`)}</tbody></table></div>`
      : html`<p class="muted">No actions in the plan yet.</p>`}
  </section>`;
}

function Reviews({ plan, canEdit, setError }) {
  const [items, setItems] = useState(null);
  const [err, setErr] = useState(null);
  const load = () => (plan ? get(`/api/v1/plans/${plan.id}/reviews`).then((r) => setItems(r.items ?? r), (e) => setError(e.message)) : setItems([]));
  useEffect(() => { load(); }, [plan?.id]);
  if (!plan) return null;
  async function propose(e) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const form = e.currentTarget;
    const agenda = String(f.get('agenda') || '').split('\n').map((x) => x.trim()).filter(Boolean);
    try {
      await api('POST', `/api/v1/plans/${plan.id}/reviews`, { proposed_on: f.get('proposed_on'), agenda });
      setErr(null);
      form.reset();
      load();
    } catch (x) { setErr(x.message); }
  }
  async function move(r, proposed_on) {
    try { await api('PATCH', `/api/v1/reviews/${r.id}`, { proposed_on }); setErr(null); load(); } catch (x) { setErr(x.message); }
  }
  async function publish(r, minutes) {
    try { await api('PATCH', `/api/v1/reviews/${r.id}`, { minutes, published: true }); setErr(null); load(); } catch (x) { setErr(x.message); }
  }
  const text = (x) => (typeof x === 'string' ? x : x?.item ?? x?.text ?? '');
  const upcoming = (items || []).filter((r) => r.proposed_on);
  return html`<section aria-labelledby="wsp-r-title"><h2 id="wsp-r-title">Reviews with the client</h2>
    ${items === null ? html`<p class="loading">Loading…</p>` : upcoming.length ? html`<ul class="wsp-reviews">${upcoming.map((r) => html`<li key=${r.id} data-review=${r.id}>
      <p><strong>${date(r.proposed_on)}</strong> <span class=${`wsp-state ${r.status}`}>${(r.status || '').replaceAll('_', ' ')}</span>
        ${r.confirmed_by && html` <span class="muted">confirmed by ${r.confirmed_by}</span>`}</p>
      ${r.client_proposed_on && r.client_proposed_on !== r.proposed_on && html`<p class="wsp-counter">The client proposes ${date(r.client_proposed_on)} instead.
        ${canEdit && html` <button onClick=${() => move(r, r.client_proposed_on)}>Take ${date(r.client_proposed_on)}</button>`}</p>`}
      ${(r.agenda || []).length > 0 && html`<ol class="wsp-agenda">${r.agenda.map((x) => html`<li>${text(x)}${(x?.author ?? x?.by) ? html` <span class="muted">(${x.author ?? x.by})</span>` : ''}</li>`)}</ol>`}
      ${r.published ? html`<p class="pre wsp-minutes">${r.minutes}</p><p class="muted wsp-small">Minutes published to the client.</p>`
        : canEdit && html`<form class="wsp-minutes-form" aria-label=${`minutes of the review on ${date(r.proposed_on)}`} onSubmit=${(e) => { e.preventDefault(); publish(r, new FormData(e.currentTarget).get('minutes')); }}>
          <label>Minutes and agreed changes <textarea name="minutes" rows="3" maxlength="20000" required defaultValue=${r.minutes || ''}></textarea></label>
          <button type="submit">Publish minutes</button></form>`}
    </li>`)}</ul>` : html`<p class="muted">No review proposed yet.</p>`}
    ${err && html`<p class="error" role="alert">Not saved: ${err}</p>`}
    ${canEdit && html`<h3 class="wsp-sub">Propose a review</h3><form class="wsp-propose" aria-label="Propose a review" onSubmit=${propose}>
      <label>Date <input name="proposed_on" required pattern="\\d{4}-\\d{2}-\\d{2}" placeholder="YYYY-MM-DD" defaultValue=${today()} /></label>
      <label class="wide">Agenda, one item a line <textarea name="agenda" rows="3" maxlength="5000"></textarea></label>
      <button type="submit">Propose review</button></form>`}
  </section>`;
}

function Feedback({ account, a, canEdit, reload, setError, onChange }) {
  const [msg, setMsg] = useState(null);
  const [asked, setAsked] = useState([]);
  const load = () => get(`/api/v1/accounts/${account.id}/survey-requests`).then((r) => setAsked(r.items ?? []), () => {});
  useEffect(() => { load(); }, [account.id]);
  async function ask(kind) {
    try {
      await api('POST', `/api/v1/accounts/${account.id}/survey-requests`, { kind });
      setMsg(`${kind.toUpperCase()} survey requested: the client's members see it in their workspace.`);
      load();
    } catch (x) { setError(x.message); }
  }
  // a closed request is no longer offered to the client; its answers stay counted
  async function close(q) {
    try {
      await api('POST', `/api/v1/accounts/${account.id}/survey-requests/${q.id}/close`);
      setMsg(`${q.kind.toUpperCase()} survey closed: the client's members are no longer asked to answer it.`);
      load();
      onChange?.();
    } catch (x) { setError(x.message); }
  }
  async function share(on) {
    try { await api('PATCH', `/api/v1/accounts/${account.id}`, { workspace_shares_revenue: on }); reload(); } catch (x) { setError(x.message); }
  }
  if (!canEdit) return null;
  return html`<section aria-labelledby="wsp-f-title"><h2 id="wsp-f-title">Feedback and sharing</h2>
    <p class="wsp-row"><button onClick=${() => ask('nps')}>Request an NPS answer</button> <button onClick=${() => ask('csat')}>Request a CSAT answer</button></p>
    ${msg && html`<p role="status" class="saved">${msg}</p>`}
    ${asked.length > 0 && html`<ul class="wsp-asked">${asked.map((q) => html`<li key=${q.id}>${q.kind.toUpperCase()} asked ${date(q.created_at)}: <strong>${q.answers ?? 0}</strong> answer${q.answers === 1 ? '' : 's'}
      ${q.closed_at ? html` <span class="wsp-state closed">closed ${date(q.closed_at)}</span>`
        : html` <span class="wsp-state open">open</span> <button class="link" aria-label=${`close the ${q.kind.toUpperCase()} survey asked ${date(q.created_at)}`} onClick=${() => close(q)}>Close</button>`}</li>`)}</ul>`}
    <p><label><input type="checkbox" checked=${!!a.workspace_shares_revenue} onChange=${(e) => share(e.target.checked)} /> Share revenue with the client (the last twelve months' total)</label></p>
  </section>`;
}

// The client's comments on shared objectives and actions, and the account team's replies.
function Conversation({ account, plan, canWork, stamp }) {
  const [items, setItems] = useState(null);
  const [err, setErr] = useState(null);
  const load = () => get(`/api/v1/accounts/${account.id}/workspace-comments`).then((r) => setItems(r.items ?? []), () => setItems([]));
  useEffect(() => { load(); }, [account.id, stamp]);
  if (!items?.length) return null;
  const title = (c) => (c.objective_id ? plan?.objectives.find((o) => o.id === c.objective_id)?.title : plan?.actions.find((x) => x.id === c.action_id)?.title) ?? (c.objective_id ? 'an objective' : 'an action');
  // one thread per objective or action, in the order of its first comment
  const threads = new Map();
  for (const c of items) {
    const k = c.objective_id ? `o${c.objective_id}` : `a${c.action_id}`;
    if (!threads.has(k)) threads.set(k, []);
    threads.get(k).push(c);
  }
  async function reply(e, first) {
    e.preventDefault();
    const form = e.currentTarget;
    const body = String(new FormData(form).get('body')).trim();
    if (!body) return;
    try {
      await api('POST', `/api/v1/accounts/${account.id}/workspace-comments`, first.objective_id ? { objective_id: first.objective_id, body } : { action_id: first.action_id, body });
      form.reset();
      setErr(null);
      load();
    } catch (x) { setErr(x.message); }
  }
  return html`<section aria-labelledby="wsp-c-title"><h2 id="wsp-c-title">Comments in the workspace</h2>
    ${[...threads.values()].map((list) => html`<div class="wsp-thread" key=${list[0].id}><h3>${list[0].objective_id ? 'Objective' : 'Action'}: ${title(list[0])}</h3>
      <ul>${list.map((c) => html`<li key=${c.id}><span class="pre">${c.body}</span> <span class="muted wsp-small">— ${c.author}${c.side === 'theirs' ? ' (client)' : ''}, ${date(c.created_at)}</span></li>`)}</ul>
      ${canWork && html`<form class="wsp-reply" aria-label=${`reply on ${title(list[0])}`} onSubmit=${(e) => reply(e, list[0])}>
        <input name="body" maxlength="4000" required aria-label=${`your reply on ${title(list[0])}`} placeholder="Reply…" /> <button type="submit">Reply</button></form>`}
    </div>`)}
    ${err && html`<p class="error" role="alert">Not sent: ${err}</p>`}
  </section>`;
}

function ActivityLog({ account, plan, stamp }) {
  const [items, setItems] = useState(null);
  useEffect(() => { get(`/api/v1/accounts/${account.id}/workspace-activity`).then((r) => setItems(r.items ?? r), () => setItems([])); }, [account.id, stamp]);
  // the server names a commented record by its id: the plan's title reads better
  const titled = (t) => t.replace(/^commented on (objective|action) (\d+)$/, (all, kind, id) => {
    const rec = plan?.[kind === 'objective' ? 'objectives' : 'actions'].find((r) => r.id === Number(id));
    return rec ? `commented on the ${kind} "${rec.title}"` : all;
  });
  const line = (x) => titled(x.summary || [x.action, x.entity].filter(Boolean).join(' '));
  return html`<section aria-labelledby="wsp-l-title"><h2 id="wsp-l-title">Workspace activity</h2>
    ${items === null ? html`<p class="loading">Loading…</p>` : items.length ? html`<ul class="timeline wsp-activity">${items.map((x, i) => html`<li key=${x.id ?? i}>
      <span class="muted">${(x.at || x.created_at || '').replace('T', ' ').slice(0, 16)}</span> <strong>${x.actor || ''}</strong> ${line(x)}</li>`)}</ul>`
      : html`<p class="muted">Nothing yet.</p>`}
  </section>`;
}

export function WorkspacePanel({ account, contacts, plan, canEdit, canWork, reload, setError }) {
  const [stamp, setStamp] = useState(0);
  return html`<div class="wsp">
    <p class="muted wsp-intro">The client's people work in the plan with you here: their workspace shows the objectives and actions marked "client can see", the next review, the service KPIs and their open cases.</p>
    <${Members} account=${account} contacts=${contacts} canEdit=${canEdit} setError=${setError} onChange=${() => setStamp(stamp + 1)} />
    <${JointPlan} plan=${plan} canEdit=${canEdit} canWork=${canWork} reload=${() => { reload(); setStamp(stamp + 1); }} setError=${setError} />
    <${Conversation} account=${account} plan=${plan} canWork=${canWork} stamp=${stamp} />
    <${Reviews} plan=${plan} canEdit=${canEdit} setError=${setError} />
    <${Feedback} account=${account} a=${account} canEdit=${canEdit} reload=${reload} setError=${setError} onChange=${() => setStamp(stamp + 1)} />
    <${ActivityLog} account=${account} plan=${plan} stamp=${stamp} />
  </div>`;
}
