// Playbooks (issue 17): the library and its editor (Settings), the runs of an account with a
// "Start a playbook" button (the account's plan tab), "Why did this fire?" under an alert,
// and the runs overdue across the portfolio (the dashboard).
import { html, useState, useEffect, useLayoutEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { date } from './format.js';
import { getEarly, OVERDUE_RUNS } from './early.js';

// who owns a step: the account's KAM, the director, or the team member in a role
export const ROLES = [
  ['kam', 'the account\'s KAM'], ['executive_sponsor', 'executive sponsor'], ['support_lead', 'support lead'],
  ['solution_engineer', 'solution engineer'], ['delivery_manager', 'delivery manager'], ['sales', 'sales'],
  ['finance', 'finance'], ['other', 'other team member'], ['director', 'a director'],
];
const RULES = [
  ['renewal_risk', 'Renewal at risk'], ['single_threaded', 'Too few engaged contacts (champion quiet)'],
  ['detractor', 'Unhappy client (NPS detractor)'], ['sla_breach', 'Support case past its SLA'],
  ['no_interaction', 'No contact for a while'], ['health_drop', 'Health dropped sharply'],
  ['overdue_action', 'Actions past their due date'], ['revenue_decline', 'Revenue falling year on year'],
  ['plan_review_overdue', 'Plan review overdue'],
  ['stakeholder_change', 'A key stakeholder left or turned against us'],
];
const ruleName = (r) => (RULES.find(([k]) => k === r) || [r, r])[1];

export function triggerText(t) {
  if (!t || t.kind === 'manual') return 'started by hand';
  const who = t.kind === 'alert' ? `alert “${ruleName(t.rule)}”${t.key_accounts_only ? ' on a key account' : ''}` : `${t.days_before} days before each planned review`;
  return `${who} · ${t.auto_start ? 'starts automatically' : 'suggested (automatic start off)'}`;
}

// ---- Settings → Playbooks ----

function Editor({ pb, onDone, onCancel }) {
  const [d, setD] = useState(() => JSON.parse(JSON.stringify({
    name: pb?.name ?? '', description: pb?.description ?? '', enabled: pb?.enabled ?? true,
    trigger: pb?.trigger ?? { kind: 'manual', rule: null, days_before: null, key_accounts_only: false, auto_start: false },
    steps: (pb?.steps ?? [{ title: '', owner_role: 'kam', offset_days: 0, objective_title: null }]).map(({ position, ...s }) => s),
  })));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (k, v) => setD({ ...d, [k]: v });
  const setT = (k, v) => setD({ ...d, trigger: { ...d.trigger, [k]: v } });
  const setS = (i, k, v) => setD({ ...d, steps: d.steps.map((s, j) => (j === i ? { ...s, [k]: v } : s)) });
  const move = (i, by) => {
    const s = [...d.steps];
    [s[i], s[i + by]] = [s[i + by], s[i]];
    setD({ ...d, steps: s });
  };
  async function save(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const t = d.trigger;
    const body = { ...d, description: d.description || null,
      trigger: { kind: t.kind, ...(t.kind === 'alert' ? { rule: t.rule || 'renewal_risk' } : {}), ...(t.kind === 'review' ? { days_before: Number(t.days_before ?? 21) } : {}),
        key_accounts_only: !!t.key_accounts_only, auto_start: t.kind !== 'manual' && !!t.auto_start },
      steps: d.steps.map((s) => ({ ...s, offset_days: Number(s.offset_days) || 0, objective_title: s.objective_title || null })) };
    try {
      onDone(pb ? await api('PATCH', `/api/v1/playbooks/${pb.id}`, body) : await api('POST', '/api/v1/playbooks', body));
    } catch (err) {
      setError(err.problem?.errors?.length ? err.problem.errors.map((x) => `${x.field}: ${x.message}`).join('; ') : err.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="playbook-editor card" onSubmit=${save} aria-label=${pb ? `Edit ${pb.name}` : 'New playbook'}>
    <div class="pb-head">
      <label>Name <input name="name" required maxlength="200" value=${d.name} onInput=${(e) => set('name', e.target.value)} /></label>
      <label class="check"><input type="checkbox" checked=${d.enabled} onChange=${(e) => set('enabled', e.target.checked)} /> enabled</label>
    </div>
    <label class="wide">Description <textarea name="description" maxlength="4000" rows="2" onInput=${(e) => set('description', e.target.value)}>${d.description}</textarea></label>
    <fieldset class="pb-trigger"><legend>Started</legend>
      <label>by <select name="trigger_kind" value=${d.trigger.kind} onChange=${(e) => setT('kind', e.target.value)}>
        <option value="manual">hand only</option><option value="alert">an alert rule</option><option value="review">the review schedule</option></select></label>
      ${d.trigger.kind === 'alert' && html`<label>Rule <select name="trigger_rule" value=${d.trigger.rule || 'renewal_risk'} onChange=${(e) => setT('rule', e.target.value)}>
        ${RULES.map(([k, l]) => html`<option value=${k}>${l}</option>`)}</select></label>
        <label class="check"><input type="checkbox" checked=${d.trigger.key_accounts_only} onChange=${(e) => setT('key_accounts_only', e.target.checked)} /> key accounts only</label>`}
      ${d.trigger.kind === 'review' && html`<label>Days before the review <input name="days_before" type="number" min="0" max="365" value=${d.trigger.days_before ?? 21} onInput=${(e) => setT('days_before', e.target.value)} style="width:5rem" /></label>`}
      ${d.trigger.kind !== 'manual' && html`<label class="check"><input type="checkbox" name="auto_start" checked=${d.trigger.auto_start} onChange=${(e) => setT('auto_start', e.target.checked)} /> start automatically</label>`}
    </fieldset>
    <div class="scroll"><table class="pb-steps"><thead><tr><th scope="col">#</th><th scope="col">Step</th><th scope="col">Owner</th><th scope="col">Day</th><th scope="col">Objective</th><th scope="col"><span class="sr">Order</span></th></tr></thead>
    <tbody>${d.steps.map((s, i) => html`<tr data-step=${i + 1}>
      <td>${i + 1}</td>
      <td><input aria-label=${`Step ${i + 1} title`} required maxlength="300" value=${s.title} onInput=${(e) => setS(i, 'title', e.target.value)} /></td>
      <td><select aria-label=${`Step ${i + 1} owner`} value=${s.owner_role} onChange=${(e) => setS(i, 'owner_role', e.target.value)}>${ROLES.map(([k, l]) => html`<option value=${k}>${l}</option>`)}</select></td>
      <td><input aria-label=${`Step ${i + 1} day`} type="number" min="0" max="730" value=${s.offset_days} onInput=${(e) => setS(i, 'offset_days', e.target.value)} style="width:4.5rem" /></td>
      <td><input aria-label=${`Step ${i + 1} objective`} maxlength="300" placeholder="none" value=${s.objective_title ?? ''} onInput=${(e) => setS(i, 'objective_title', e.target.value)} /></td>
      <td class="nowrap"><button type="button" class="icon" title="Move up" aria-label=${`Move step ${i + 1} up`} disabled=${i === 0} onClick=${() => move(i, -1)}>↑</button>
        <button type="button" class="icon" title="Move down" aria-label=${`Move step ${i + 1} down`} disabled=${i === d.steps.length - 1} onClick=${() => move(i, 1)}>↓</button>
        <button type="button" class="icon" title="Remove" aria-label=${`Remove step ${i + 1}`} disabled=${d.steps.length === 1} onClick=${() => setD({ ...d, steps: d.steps.filter((_, j) => j !== i) })}>✕</button></td>
    </tr>`)}</tbody></table></div>
    <p><button type="button" onClick=${() => setD({ ...d, steps: [...d.steps, { title: '', owner_role: 'kam', offset_days: d.steps.at(-1)?.offset_days ?? 0, objective_title: null }] })}>Add step</button>
      <span class="muted"> Day: days after the start. Steps become actions of the account's active plan; an objective named here is linked, or created.</span></p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit" disabled=${busy}>${busy ? 'Saving…' : pb ? 'Save playbook' : 'Create playbook'}</button> <button type="button" class="link" onClick=${onCancel}>Cancel</button>
  </form>`;
}

export function PlaybookLibrary({ canEdit }) {
  const [items, setItems] = useState(null);
  const [editing, setEditing] = useState(null); // id, 'new' or null
  const [note, setNote] = useState(null);
  const [error, setError] = useState(null);
  const load = () => get('/api/v1/playbooks').then((r) => setItems(r.items), (e) => setError(e.message));
  useEffect(() => { load(); }, []);
  async function remove(p) {
    if (!confirm(`Delete the playbook “${p.name}”? Runs already started keep their actions.`)) return;
    try { await api('DELETE', `/api/v1/playbooks/${p.id}`); setNote(`Deleted “${p.name}”.`); load(); } catch (e) { setError(e.message); }
  }
  const done = (p) => { setEditing(null); setNote(`Saved “${p.name}” (version ${p.version}).`); load(); };
  return html`<section aria-labelledby="pb-title" class="playbooks" data-panel="playbooks"><h2 id="pb-title">Playbooks</h2>
    <p class="muted">A playbook is a standard response: its steps become actions of the account's plan, owned by the role named and due so many days after the start. Runs keep the version they started with.</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${note && html`<p class="saved" role="status">${note}</p>`}
    ${!items ? html`<p class="loading">Loading…</p>` : html`<ul class="pb-library">${items.map((p) => html`<li data-playbook=${p.id}>
      ${editing === p.id ? html`<${Editor} pb=${p} onDone=${done} onCancel=${() => setEditing(null)} />` : html`<div class="pb-row">
        <div><strong>${p.name}</strong> <span class="muted small">v${p.version}${p.enabled ? '' : ' · disabled'}</span>
          <div class="muted small">${triggerText(p.trigger)} · ${p.steps.length} steps over ${Math.max(...p.steps.map((s) => s.offset_days))} days</div>
          ${p.description && html`<div class="small">${p.description}</div>`}</div>
        ${canEdit && html`<div class="nowrap"><button onClick=${() => { setNote(null); setEditing(p.id); }}>Edit</button> <button class="link" onClick=${() => remove(p)}>Delete</button></div>`}
      </div>`}
    </li>`)}</ul>`}
    ${canEdit && (editing === 'new' ? html`<${Editor} onDone=${done} onCancel=${() => setEditing(null)} />` : html`<button onClick=${() => { setNote(null); setEditing('new'); }}>New playbook</button>`)}
  </section>`;
}

// ---- a run ----

export function Progress({ p }) {
  const pct = p.total ? Math.round((p.done * 100) / Math.max(1, p.total - p.cancelled)) : 0;
  return html`<span class="pb-progress" title=${`${p.done} of ${p.total} steps done${p.overdue ? `, ${p.overdue} late` : ''}`}>
    <span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax=${p.total} aria-valuenow=${p.done} aria-label="Steps done"><span style=${`width:${pct}%`}></span></span>
    ${p.done}/${p.total}</span>`;
}

// What started it, in words: a person, an alert rule (with the figures), or the schedule.
export function WhyText({ why }) {
  if (!why) return null;
  const s = why.started_by || {};
  const rows = why.rows || [];
  return html`<div class="why">
    <p><strong>Started by</strong> ${s.kind === 'user' ? html`${s.name ?? 'someone'} (by hand)` : s.kind === 'schedule' ? html`the review schedule: ${s.days_before} days before the review of ${date(s.review_on)}` : html`${s.label ?? 'the alerts job'}${s.at ? ` on ${date(s.at)}` : ''}`}</p>
    ${why.rule && html`<p><strong>Rule</strong> ${why.rule_label ?? ruleName(why.rule)}: ${why.condition}</p>
      <p><strong>Threshold</strong> ${why.threshold ? `${why.threshold.value} ${why.threshold.unit}` : '–'}${why.threshold?.window_days ? ` within ${why.threshold.window_days} days` : ''}
        ${' · '}<strong>Value</strong> ${why.value?.value ?? '–'} ${why.value?.unit ?? ''}</p>`}
    ${why.plan_created && html`<p class="muted">The account had no active plan: kam made one for these actions.</p>`}
    ${rows.length > 0 && html`<p><strong>Rows</strong></p><ul class="why-rows">${rows.map((r) => html`<li data-row=${`${r.kind}-${r.id}`}><a href=${r.href}>${r.kind} ${r.label ?? `#${r.id}`}</a>
      ${' '}<span class="muted small">${[r.on_day && date(r.on_day), r.at && date(r.at), r.hours_past_target !== undefined && `${r.hours_past_target} h past target`, r.stage].filter(Boolean).join(' · ')}</span></li>`)}</ul>`}
  </div>`;
}

function Run({ r, open, toggle }) {
  return html`<li class=${`pb-run ${r.state}`} data-run=${r.id}>
    <div class="pb-row"><div><strong>${r.name}</strong> <span class=${`state ${r.state}`}>${r.state}</span> <${Progress} p=${r.progress} />
      <div class="muted small">started ${date(r.started_on)} · v${r.playbook_version} · ${r.trigger.kind === 'manual' ? `by ${r.started_by_name ?? 'hand'}` : r.trigger.kind === 'alert' ? `by the alert “${r.why?.rule_label ?? r.why?.rule}”` : 'by the review schedule'}${r.due_on ? ` · last step due ${date(r.due_on)}` : ''}</div></div>
      <button class="link" aria-expanded=${open} onClick=${toggle}>${open ? 'Hide steps' : 'Steps and why'}</button></div>
    ${open && html`<ol class="pb-steps-list">${r.steps.map((s) => html`<li class=${s.status} data-action=${s.id}>
      <span class="step-title">${s.title}</span> <span class="muted small">· ${s.owner_name ?? 'no owner'} · due ${date(s.due_on)} · ${s.status.replace('_', ' ')}${s.objective_title ? ` · for “${s.objective_title}”` : ''}</span></li>`)}</ol>
      <details class="why-box" open><summary>Why did this start?</summary><${WhyText} why=${r.why} /></details>`}
  </li>`;
}

// The account's runs, with a "Start a playbook" button for those who may.
export function AccountRuns({ account, canEdit, onStarted }) {
  const [runs, setRuns] = useState(null);
  const [books, setBooks] = useState([]);
  const [pick, setPick] = useState('');
  const [open, setOpen] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [note, setNote] = useState(null);
  const load = () => get(`/api/v1/accounts/${account.id}/playbook-runs`).then((r) => setRuns(r.items), (e) => setError(e.message));
  useEffect(() => { load(); if (canEdit) get('/api/v1/playbooks').then((r) => setBooks(r.items.filter((p) => p.enabled)), () => {}); }, [account.id]);
  async function start(e) {
    e.preventDefault();
    if (!pick) return;
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const r = await api('POST', `/api/v1/accounts/${account.id}/playbook-runs`, { playbook_id: Number(pick) });
      setNote(`Started “${r.name}”: ${r.progress.total} actions added to the plan.`);
      setOpen(r.id);
      setPick('');
      await load();
      onStarted?.();
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<section aria-labelledby="runs-title" class="account-runs" data-panel="playbook-runs"><h2 id="runs-title">Playbooks</h2>
    ${canEdit && html`<form class="inline-form" onSubmit=${start} aria-label="Start a playbook">
      <label>Playbook <select value=${pick} onChange=${(e) => setPick(e.target.value)}><option value="">choose…</option>${books.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select></label>
      <button type="submit" disabled=${busy || !pick}>${busy ? 'Starting…' : 'Start a playbook'}</button></form>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${note && html`<p class="saved" role="status">${note}</p>`}
    ${!runs ? html`<p class="loading">Loading…</p>` : runs.length === 0 ? html`<p class="muted">No playbook has run on this account yet.</p>`
      : html`<ul class="pb-runs">${runs.map((r) => html`<${Run} key=${r.id} r=${r} open=${open === r.id} toggle=${() => setOpen(open === r.id ? null : r.id)} />`)}</ul>`}
  </section>`;
}

// ---- alerts: why did this fire? ----

export function AlertWhy({ id }) {
  const [open, setOpen] = useState(false);
  const [a, setA] = useState(null);
  const [error, setError] = useState(null);
  const toggle = () => {
    setOpen(!open);
    if (!a) get(`/api/v1/alerts/${id}`).then(setA, (e) => setError(e.message));
  };
  return html`<div class="alert-why">
    <button class="link" aria-expanded=${open} onClick=${toggle}>Why did this fire?</button>
    ${open && (error ? html`<p class="error">${error}</p>` : !a ? html`<p class="loading">Loading…</p>` : html`<div class="why-box">
      <${WhyText} why=${a.why} />
      ${a.runs?.length > 0 && html`<p><strong>Playbook</strong> ${a.runs.map((r) => html`<a href=${`#/accounts/${r.account_id}/plan`}>${r.name}</a> `)}</p>`}
    </div>`)}
  </div>`;
}

// ---- the dashboard: runs overdue across the portfolio ----

export function OverdueRuns() {
  const [runs, setRuns] = useState(null);
  // asked with the dashboard's other panels, as it is put on the page
  useLayoutEffect(() => { getEarly(OVERDUE_RUNS).then((r) => setRuns(r.items), () => setRuns([])); }, []);
  return html`<section aria-labelledby="or-title" data-panel="overdue-runs"><h2 id="or-title">Playbook runs overdue</h2>
    ${!runs ? html`<p class="loading">Loading…</p>` : runs.length === 0 ? html`<p class="muted">No playbook run has a step past its due date.</p>`
      : html`<div class="scroll"><table class="overdue-runs"><thead><tr><th>Account</th><th>Playbook</th><th>Progress</th><th>Late steps</th></tr></thead>
      <tbody>${runs.map((r) => html`<tr data-run=${r.id}><td><a href=${`#/accounts/${r.account_id}/plan`} class="trunc" title=${r.account_name}>${r.account_name}</a></td>
        <td class="trunc" title=${r.name}>${r.name}</td><td><${Progress} p=${r.progress} /></td><td class="late">${r.progress.overdue}</td></tr>`)}</tbody></table></div>`}
  </section>`;
}
