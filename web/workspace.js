// The client workspace (issue 19): what a client's people see after opening the magic link
// their account manager sent (#/workspace/ws_TOKEN). Its own screens, not the staff shell: the
// joint plan (objectives with progress, the mutual action plan by side), the next review,
// the service KPIs, their open cases, a survey when one is requested, the one-page plan PDF.
// The session is a cookie of its own (POST /api/v1/workspace/session), with its CSRF token
// kept here, apart from the staff app's.
import { html, useState, useEffect, useRef } from './vendor-preact-htm.js';
import { ApiError } from './api.js';
import { pct, num, money, setClock } from './format.js';
import { Chart } from './chart.js';

let csrf = null;
// what to do when the server says the session is over (removed, expired): the page says so
let ended = () => {};

// A workspace request: JSON in and out, the workspace session's CSRF token on unsafe ones;
// a problem document becomes an ApiError whose message names the field when there is one.
async function call(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let r;
  try {
    r = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { title: 'The server is not answering; please try again in a moment' });
  }
  const text = await r.text().catch(() => '');
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: the status speaks */ }
  if (r.status === 401 && !path.endsWith('/workspace/session')) ended();
  if (!r.ok) {
    const e = new ApiError(r.status, json);
    const f = json?.errors?.[0];
    if (f?.message) e.message = `${String(f.field || '').replace(/^\/+/, '').replaceAll('_', ' ')}: ${f.message}`.replace(/^: /, '');
    throw e;
  }
  return json;
}

// The member's own words for our side and theirs: "theirs" (in kam's terms) is the client.
const SIDES = [
  ['theirs', 'Your team'],
  ['joint', 'Together'],
  ['ours', 'Our team'],
];
const STATUS_TEXT = { open: 'to do', in_progress: 'in progress', done: 'done', cancelled: 'cancelled', proposed: 'proposed' };
const OBJ_TEXT = { on_track: 'on track', at_risk: 'at risk', achieved: 'achieved', missed: 'missed' };
// a figure as people write it: whole numbers without decimals, others with one
const fig = (x) => (x == null ? '–' : Number.isInteger(Number(x)) ? String(Number(x)) : Number(x).toFixed(1));
const agendaText = (x) => (typeof x === 'string' ? x : x?.item ?? x?.text ?? '');
const agendaBy = (x) => (typeof x === 'string' ? null : x?.author ?? x?.by ?? null);
const longDate = (s) => {
  if (!s) return '–';
  const d = new Date(`${s.slice(0, 10)}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? s : new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
};
const shortDate = (s) => {
  if (!s) return '';
  const d = new Date(`${s.slice(0, 10)}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? s : new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
};

// "Nov 2025" of a date (YYYY-MM-DD), or of the day before it with back -1 (an exclusive end)
const monthOf = (s, back = 0) => {
  const d = new Date(Date.parse(`${String(s).slice(0, 10)}T12:00:00Z`) + back * 86400e3);
  return Number.isNaN(d.getTime()) ? '' : new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
};

// A small button that runs a request once at a time and says so while it runs.
function Busy({ run, children, cls, label, disabled }) {
  const [busy, setBusy] = useState(false);
  return html`<button type="button" class=${cls} aria-label=${label} disabled=${busy || disabled}
    onClick=${async () => { if (busy) return; setBusy(true); try { await run(); } finally { setBusy(false); } }}>${busy ? 'Saving…' : children}</button>`;
}

// The comments on one objective or action, and a box to add one.
function Comments({ list, target, onSend }) {
  const [open, setOpen] = useState(false);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const box = useRef(null);
  async function send(e) {
    e.preventDefault();
    const text = box.current.value.trim();
    if (!text || busy) return;
    setBusy(true);
    try {
      await onSend(text);
      setErr(null);
      setOpen(false);
    } catch (x) {
      setErr(x.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="cw-comments">
    ${list.length > 0 && html`<ul class="cw-thread">${list.map((c) => html`<li key=${c.id}><p class="pre">${c.body}</p>
      <p class="cw-by">${c.author || ''}${c.side === 'ours' ? html` <span class="cw-us">account team</span>` : ''} · ${shortDate(c.created_at)}</p></li>`)}</ul>`}
    ${open ? html`<form class="cw-comment-form" onSubmit=${send} aria-label=${`comment on ${target}`}>
        <textarea ref=${box} rows="2" maxlength="4000" aria-label=${`your comment on ${target}`} required></textarea>
        ${err && html`<p class="error" role="alert">Not sent: ${err}</p>`}
        <div class="cw-row"><button type="submit" class="cw-primary" disabled=${busy}>${busy ? 'Sending…' : 'Send comment'}</button>
        <button type="button" class="link" onClick=${() => setOpen(false)}>Cancel</button></div></form>`
    : html`<button type="button" class="link cw-small" aria-label=${`comment on ${target}`} onClick=${() => setOpen(true)}>
        ${list.length ? `Comment (${list.length})` : 'Comment'}</button>`}
  </div>`;
}

function Objectives({ d, comments, refresh }) {
  if (!d.objectives?.length) return html`<p class="muted">No shared objectives yet.</p>`;
  return html`<ul class="cw-objectives">${d.objectives.map((o) => html`<li key=${o.id} data-objective=${o.id}>
    <div class="cw-obj-head"><h3>${o.title}</h3><span class=${`cw-pill ${o.status}`}>${OBJ_TEXT[o.status] || o.status}</span></div>
    ${(o.metric || o.target != null) && html`<p class="cw-metric muted">${o.metric || 'Target'}: ${fig(o.baseline)} → ${fig(o.target)}${o.current != null ? html` · now <strong>${fig(o.current)}</strong>` : ''}</p>`}
    <div class="cw-progress"><progress max="1" value=${Math.min(Math.max(o.progress ?? 0, 0), 1)} aria-label=${`progress of ${o.title}`}></progress>
      <span>${o.progress == null ? 'not measured yet' : pct(o.progress, 0)}</span></div>
    ${o.due_on && html`<p class="cw-due muted">Due ${shortDate(o.due_on)}</p>`}
    <${Comments} list=${o.comments || comments.filter((c) => c.objective_id === o.id)} target=${o.title}
      onSend=${async (body) => { await call('POST', '/api/v1/workspace/comments', { objective_id: o.id, body }); await refresh(); }} />
  </li>`)}</ul>`;
}

// One action of the mutual plan; the client's own side's can be ticked done and re-dated.
function ActionItem({ a, mine, objective, comments, refresh, kam }) {
  const [err, setErr] = useState(null);
  const patch = async (b) => {
    try { await call('PATCH', `/api/v1/workspace/actions/${a.id}`, b); setErr(null); await refresh(); } catch (x) { setErr(x.message); }
  };
  const done = a.status === 'done';
  const proposed = a.status === 'proposed';
  return html`<li key=${a.id} data-action=${a.id} class=${`cw-action ${a.status}${a.overdue ? ' late' : ''}`}>
    <div class="cw-action-main">
      ${mine && !proposed ? html`<input type="checkbox" class="cw-check" checked=${done} aria-label=${`done: ${a.title}`}
          onChange=${(e) => patch({ status: e.target.checked ? 'done' : 'open' })} />`
        : html`<span class=${`cw-dot ${a.status}`} aria-hidden="true"></span>`}
      <div class="cw-action-text">
        <p class="cw-action-title">${a.title}</p>
        <p class="cw-action-meta">
          ${proposed ? html`<span class="cw-pill proposed">proposed · waiting for ${kam || 'your account manager'}</span>`
            : html`<span class=${`cw-pill ${a.status}`}>${STATUS_TEXT[a.status] || a.status}</span>`}
          ${mine && !done && !proposed ? html`<label class="cw-due-edit">due <input type="date" value=${a.due_on ? a.due_on.slice(0, 10) : ''}
              aria-label=${`due date of ${a.title}`} onChange=${(e) => patch({ due_on: e.target.value || null })} /></label>`
            : a.due_on && html`<span class=${a.overdue && !done ? 'cw-late' : 'muted'}>due ${shortDate(a.due_on)}${a.overdue && !done ? ' · overdue' : ''}</span>`}
          ${a.owner && a.side !== 'theirs' && html`<span class="muted">with ${a.owner}</span>`}
          ${objective && html`<span class="muted cw-for">for “${objective}”</span>`}
        </p>
        ${err && html`<p class="error" role="alert">Not saved: ${err}</p>`}
        <${Comments} list=${a.comments || comments.filter((c) => c.action_id === a.id)} target=${a.title}
          onSend=${async (body) => { await call('POST', '/api/v1/workspace/comments', { action_id: a.id, body }); await refresh(); }} />
      </div>
    </div>
  </li>`;
}

function ProposeAction({ d, refresh }) {
  const [open, setOpen] = useState(false);
  const [err, setErr] = useState(null);
  const [sent, setSent] = useState(null);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const b = { title: String(f.get('title')).trim() };
    if (f.get('due_on')) b.due_on = f.get('due_on');
    if (f.get('objective_id')) b.objective_id = Number(f.get('objective_id'));
    try {
      await call('POST', '/api/v1/workspace/actions', b);
      setErr(null);
      setSent(b.title);
      setOpen(false);
      await refresh();
    } catch (x) { setErr(x.message); }
  }
  if (!open) {
    return html`<div class="cw-propose">${sent && html`<p class="cw-ok" role="status">Proposed “${sent}”. Your account manager will confirm it.</p>`}
      <button type="button" class="cw-secondary" onClick=${() => { setOpen(true); setSent(null); }}>Propose an action</button></div>`;
  }
  return html`<form class="cw-form" aria-label="Propose an action" onSubmit=${submit}>
    <label>What should be done <input name="title" maxlength="300" required /></label>
    <div class="cw-row">
      <label>By when <input name="due_on" type="date" /></label>
      ${d.objectives?.length > 0 && html`<label>For objective <select name="objective_id"><option value="">none</option>
        ${d.objectives.map((o) => html`<option value=${o.id}>${o.title}</option>`)}</select></label>`}
    </div>
    ${err && html`<p class="error" role="alert">Not sent: ${err}</p>`}
    <div class="cw-row"><button type="submit" class="cw-primary">Propose</button> <button type="button" class="link" onClick=${() => setOpen(false)}>Cancel</button></div>
  </form>`;
}

function Actions({ d, comments, refresh }) {
  const objTitle = (id) => d.objectives?.find((o) => o.id === id)?.title;
  const kam = d.kam?.name;
  const groups = SIDES.map(([side, label]) => [side, label === 'Our team' && d.company ? d.company : label,
    (d.actions || []).filter((a) => (a.side || 'ours') === side)]);
  return html`<div>
    ${groups.map(([side, label, items]) => html`<div class="cw-side" data-side=${side}>
      <h3>${label} <span class="cw-count">${items.filter((a) => a.status === 'open' || a.status === 'in_progress').length} open</span></h3>
      ${items.length ? html`<ul class="cw-actions">${items.map((a) => html`<${ActionItem} key=${a.id} a=${a} mine=${a.editable ?? (side === 'theirs' || side === 'joint')}
          objective=${objTitle(a.objective_id)} comments=${comments} refresh=${refresh} kam=${kam} />`)}</ul>`
        : html`<p class="muted cw-none">Nothing here yet.</p>`}
    </div>`)}
    <${ProposeAction} d=${d} refresh=${refresh} />
  </div>`;
}

function Review({ r, refresh }) {
  const [err, setErr] = useState(null);
  const [other, setOther] = useState(false);
  const item = useRef(null);
  const when = useRef(null);
  const run = async (path, b) => {
    try { await call('POST', path, b); setErr(null); await refresh(); return true; } catch (x) { setErr(x.message); return false; }
  };
  if (!r) return html`<p class="muted">No review is planned yet. Your account manager will propose a date.</p>`;
  const confirmed = r.status === 'confirmed';
  const held = !!(r.published || r.minutes);
  return html`<div class="cw-review">
    <p class="cw-when"><strong>${longDate(r.proposed_on)}</strong>
      <span class=${`cw-pill ${r.status}`}>${held ? 'minutes published' : confirmed ? 'confirmed' : r.status === 'rescheduled' ? 'new date asked' : 'date proposed'}</span></p>
    ${r.client_proposed_on && !held && r.client_proposed_on !== r.proposed_on && html`<p class="cw-small" role="note">You proposed ${longDate(r.client_proposed_on)} instead; your account manager will confirm the date.</p>`}
    ${!held && html`<div class="cw-row">
      ${!confirmed && html`<${Busy} cls="cw-primary" run=${() => run(`/api/v1/workspace/reviews/${r.id}/confirm`)}>Confirm this date<//>`}
      <button type="button" class="cw-secondary" aria-expanded=${other} onClick=${() => setOther(!other)}>Propose another date</button>
    </div>`}
    ${other && html`<form class="cw-row cw-inline" aria-label="Propose another date"
        onSubmit=${async (e) => { e.preventDefault(); if (await run(`/api/v1/workspace/reviews/${r.id}/propose`, { proposed_on: when.current.value })) setOther(false); }}>
      <label>New date <input ref=${when} type="date" required /></label><button type="submit" class="cw-primary">Propose this date</button></form>`}
    <h3>Agenda</h3>
    ${(r.agenda || []).length ? html`<ol class="cw-agenda">${r.agenda.map((x, i) => html`<li key=${i}>${agendaText(x)}${agendaBy(x) ? html` <span class="muted cw-small">(${agendaBy(x)})</span>` : ''}</li>`)}</ol>`
      : html`<p class="muted">No agenda items yet.</p>`}
    ${!held && html`<form class="cw-row cw-inline" aria-label="Add an agenda item"
        onSubmit=${async (e) => { e.preventDefault(); const v = item.current.value.trim(); if (v && await run(`/api/v1/workspace/reviews/${r.id}/agenda`, { item: v })) item.current.value = ''; }}>
      <label class="cw-grow">Add an item <input ref=${item} maxlength="500" required /></label><button type="submit" class="cw-secondary">Add</button></form>`}
    ${err && html`<p class="error" role="alert">Not saved: ${err}</p>`}
    ${r.minutes && html`<h3>Minutes</h3><div class="cw-minutes pre">${r.minutes}</div>`}
  </div>`;
}

// The trend of NPS or CSAT as the server gives it: [{period|month|from, nps, csat}] or
// {nps: [...], csat: [...]}; an empty trend draws nothing.
function trendOf(k) {
  const t = k?.trend || k?.nps_csat_trend || [];
  if (Array.isArray(t)) return t.map((x) => ({ at: x.period?.from || x.month || x.from || x.period || '', nps: x.nps ?? null, csat: x.csat ?? null }));
  const at = new Map();
  for (const kind of ['nps', 'csat']) for (const x of t[kind] || []) at.set(x.month || x.from || x.period, { ...(at.get(x.month || x.from || x.period) || {}), [kind]: x.value ?? x.score ?? null });
  return [...at].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([k2, v]) => ({ at: k2, nps: v.nps ?? null, csat: v.csat ?? null }));
}

function Service({ k, period }) {
  if (!k) return html`<p class="muted">No service figures are shared.</p>`;
  const trend = trendOf(k).filter((x) => x.nps != null || x.csat != null);
  const tile = (label, value, note) => html`<div class="cw-tile"><p class="cw-tile-label">${label}</p><p class="cw-tile-value">${value}</p>${note && html`<p class="cw-tile-note">${note}</p>`}</div>`;
  const val = (x) => (x && typeof x === 'object' && 'value' in x ? x.value : x);
  const prev = (x) => (x && typeof x === 'object' ? x.previous : null);
  // "the trend": this year against the year before, as an arrow and the earlier figure
  const trendNote = (x, digits, unit) => {
    const v = val(x), p = prev(x);
    if (v == null || p == null) return unit;
    const arrow = v > p ? '▲' : v < p ? '▼' : '＝';
    return html`<span class=${v > p ? 'cw-up' : v < p ? 'cw-down' : ''}>${arrow}</span> from ${num(p, digits)} the year before`;
  };
  return html`<div>
    ${period && html`<p class="muted cw-small">The last twelve whole months: ${monthOf(period.from)} – ${monthOf(period.to, -1)}</p>`}
    <div class="cw-tiles">
      ${tile('SLA compliance', pct(val(k.sla_compliance), 0), 'cases resolved within target')}
      ${tile('Time to resolution', val(k.ttr_median_hours) == null ? '–' : `${num(val(k.ttr_median_hours), 0)} h`, 'median')}
      ${tile('NPS', num(val(k.nps), 0), val(k.nps) == null ? 'no answers in these months' : trendNote(k.nps, 0, 'from −100 to 100'))}
      ${tile('CSAT', val(k.csat) == null ? '–' : html`${num(val(k.csat), 1)}<small> / 5</small>`, val(k.csat) == null ? 'no answers in these months' : trendNote(k.csat, 1, 'average score'))}
    </div>
    ${trend.length > 1 && html`<${Chart} label="NPS and CSAT over time" small=${false} option=${{
      animation: false, grid: { left: 36, right: 36, top: 28, bottom: 24 }, legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 11 } },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: trend.map((x) => String(x.at).slice(0, 7)) },
      yAxis: [{ type: 'value', min: -100, max: 100, name: '', splitNumber: 4 }, { type: 'value', min: 0, max: 5, splitLine: { show: false } }],
      series: [{ name: 'NPS', type: 'line', connectNulls: true, data: trend.map((x) => x.nps), color: '#1f4e79' },
        { name: 'CSAT', type: 'line', yAxisIndex: 1, connectNulls: true, data: trend.map((x) => x.csat), color: '#2e7d32' }] }} />`}
  </div>`;
}

function Cases({ cases }) {
  if (!cases?.length) return html`<p class="muted">No open cases.</p>`;
  return html`<ul class="cw-cases">${cases.map((c) => html`<li key=${c.id}>
    <p class="cw-action-title">${c.title}</p>
    <p class="cw-action-meta"><span class=${`cw-pill sev-${c.severity}`}>${c.severity}</span> <span class="cw-pill">${(c.status || '').replace('_', ' ')}</span>
      <span class="muted">opened ${shortDate(c.opened_at)}</span>${c.sla_breached ? html` <span class="cw-late">past its target</span>` : ''}</p></li>`)}</ul>`;
}

// A requested survey: NPS 0–10 ("how likely to recommend") or CSAT 1–5, with a comment.
function Survey({ s, company, refresh }) {
  const [score, setScore] = useState(null);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const note = useRef(null);
  const nps = s.kind === 'nps';
  const scale = nps ? [...Array(11).keys()] : [1, 2, 3, 4, 5];
  async function send(e) {
    e.preventDefault();
    if (score == null || busy) { setErr('choose a score first'); return; }
    setBusy(true);
    try {
      const b = { score };
      if (note.current.value.trim()) b.comment = note.current.value.trim();
      await call('POST', `/api/v1/workspace/surveys/${s.id}/answer`, b);
      setErr(null);
      await refresh(`Thank you: your ${nps ? 'answer' : 'rating'} reached ${company || 'us'}.`);
    } catch (x) {
      // closed by the account team (or answered already) while the page was open: the
      // survey leaves the page and the reason stays in its place
      if (x.status === 409) await refresh(`${x.message.charAt(0).toUpperCase()}${x.message.slice(1)}.`);
      else setErr(x.message);
    } finally { setBusy(false); }
  }
  const q = s.question || (nps ? `How likely are you to recommend ${company || 'us'} to a colleague?` : `How satisfied are you with the service of ${company || 'your account team'}?`);
  return html`<form class="cw-survey" aria-label=${nps ? 'NPS survey' : 'CSAT survey'} onSubmit=${send}>
    <fieldset><legend>${q}</legend>
      <div class=${nps ? 'cw-scale nps' : 'cw-scale csat'} role="radiogroup" aria-label="score">
        ${scale.map((n) => html`<button type="button" role="radio" aria-checked=${score === n} aria-label=${`score ${n}`} class=${score === n ? 'on' : ''} onClick=${() => setScore(n)}>${n}</button>`)}
      </div>
      <p class="cw-scale-ends muted"><span>${nps ? 'Not at all likely' : 'Very dissatisfied'}</span><span>${nps ? 'Extremely likely' : 'Very satisfied'}</span></p>
    </fieldset>
    <label>Anything you would like to add? <span class="muted">(optional)</span><textarea ref=${note} rows="2" maxlength="4000"></textarea></label>
    ${err && html`<p class="error" role="alert">${err}</p>`}
    <button type="submit" class="cw-primary" disabled=${busy}>${busy ? 'Sending…' : 'Send my answer'}</button>
  </form>`;
}

function Section({ id, title, children, note }) {
  return html`<section class="cw-card" id=${`cw-${id}`} aria-labelledby=${`cw-${id}-title`}>
    <h2 id=${`cw-${id}-title`}>${title}</h2>${note && html`<p class="muted cw-note">${note}</p>`}${children}</section>`;
}

function Board({ me, onSignOut }) {
  const [d, setD] = useState(null);
  const [error, setError] = useState(null);
  const [thanks, setThanks] = useState(null);
  const load = async (msg) => {
    try {
      setD(await call('GET', '/api/v1/workspace'));
      setError(null);
      if (typeof msg === 'string') setThanks(msg);
    } catch (e) {
      if (e.status === 401) onSignOut('ended');
      else setError(e.message);
    }
  };
  useEffect(() => { load(); }, []);
  useEffect(() => { if (d) document.title = `${d.account.name} · joint account plan`; }, [d?.account?.name]);
  const go = (id) => document.getElementById(`cw-${id}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  if (error && !d) return html`<main class="cw"><p class="error" role="alert">${error}</p><p><button onClick=${() => load()}>Try again</button></p></main>`;
  if (!d) return html`<p class="loading">Loading your workspace…</p>`;
  const comments = d.comments || [];
  const surveys = (d.surveys || []).filter((s) => !s.answered && !s.answered_at);
  const company = d.company || d.account?.company;
  const acts = d.actions || [];
  const mineOpen = acts.filter((a) => (a.side === 'theirs' || a.side === 'joint') && (a.status === 'open' || a.status === 'in_progress')).length;
  return html`<div class="cw-page">
    <header class="cw-top">
      <div class="cw-top-in">
        <div class="cw-brand"><p class="cw-eyebrow">${company ? `${company} · ` : ''}Joint account plan</p><h1>${d.account.name}</h1></div>
        <div class="cw-me"><span>${me.name}</span><button type="button" class="cw-signout" onClick=${() => onSignOut('out')}>Sign out</button></div>
      </div>
      <nav class="cw-nav" aria-label="Workspace">
        ${[['plan', 'Plan'], ['actions', 'Actions'], ['review', 'Review'], ['service', 'Service'], ['cases', 'Cases']].map(([id, t]) => html`<button type="button" onClick=${() => go(id)}>${t}</button>`)}
        <a href=${'/api/v1/workspace/plan.pdf'} download>Plan PDF</a>
      </nav>
    </header>
    <main class="cw" id="content">
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="cw-summary">
        ${d.plan && html`<p class="cw-plan-title">${d.plan.title || 'Account plan'} · ${shortDate(d.plan.period_start)} – ${shortDate(d.plan.period_end)}</p>`}
        ${d.plan?.vision && html`<p class="cw-vision">“${d.plan.vision}”</p>`}
        <dl class="cw-facts">
          <div><dt>On your side</dt><dd>${mineOpen ? `${mineOpen} open action${mineOpen === 1 ? '' : 's'}` : 'nothing waiting'}</dd></div>
          <div><dt>Next review</dt><dd>${d.next_review ? shortDate(d.next_review.proposed_on) : 'not planned yet'}</dd></div>
          ${d.kam && html`<div><dt>Your account manager</dt><dd>${d.kam.name}${d.kam.email ? html`<br /><a href=${`mailto:${d.kam.email}`}>${d.kam.email}</a>` : ''}</dd></div>`}
        </dl>
      </div>
      ${thanks && html`<p class="cw-ok" role="status">${thanks}</p>`}
      ${surveys.map((s) => html`<${Section} id=${`survey-${s.id}`} title="A quick question"><${Survey} s=${s} company=${company} refresh=${load} /><//>`)}
      <${Section} id="plan" title="Objectives" note="What we agreed to achieve together, and how far we are."><${Objectives} d=${d} comments=${comments} refresh=${load} /><//>
      <${Section} id="actions" title="Action plan" note="Who does what, by when. Tick your team's and the joint actions when they are done."><${Actions} d=${d} comments=${comments} refresh=${load} /><//>
      <div class="cw-pair">
      <${Section} id="review" title="Next review"><${Review} r=${d.next_review} refresh=${load} /><//>
      <${Section} id="service" title="Service"><${Service} k=${d.kpis} period=${d.kpi_period || d.kpis?.period} /><//>
      </div>
      ${(d.reviews || []).filter((r) => r.minutes && r.id !== d.next_review?.id).length > 0 && html`<${Section} id="minutes" title="Minutes of past reviews">
        ${d.reviews.filter((r) => r.minutes && r.id !== d.next_review?.id).map((r) => html`<div class="cw-past" key=${r.id}><h3>${longDate(r.held_on || r.proposed_on)}</h3><div class="cw-minutes pre">${r.minutes}</div></div>`)}<//>`}
      ${d.revenue && html`<${Section} id="revenue" title="Business together"><p class="cw-revenue">${money(d.revenue.revenue_12m ?? d.revenue.value, d.revenue.currency)}
        <span class="muted cw-rev-note">our business with ${d.account.name} over the last twelve months${d.revenue.previous != null ? ` (before: ${money(d.revenue.previous, d.revenue.currency)})` : ''}</span></p><//>`}
      <div class="cw-pair">
      <${Section} id="cases" title="Your open cases"><${Cases} cases=${d.cases} /><//>
      <${Section} id="documents" title="Documents"><p><a class="cw-doc" href="/api/v1/workspace/plan.pdf" download>One-page plan (PDF)</a>
        <span class="muted cw-small"> always current, as of today</span></p><//>
      </div>
      <footer class="cw-foot muted">Signed in as ${me.name}${me.email ? ` (${me.email})` : ''}. This workspace shows only what ${company || 'your account team'} shares with ${d.account.name}.</footer>
    </main>
  </div>`;
}

// A message page: signed out, link used or expired, session ended.
function Notice({ title, children }) {
  return html`<main class="cw-notice"><div class="cw-card"><h1>${title}</h1>${children}</div></main>`;
}

// #/workspace/ws_TOKEN exchanges the link for a session and moves to #/workspace (so the
// token leaves the address bar and history); #/workspace resumes the session.
export function Workspace({ token }) {
  const [me, setMe] = useState(undefined);
  const [gone, setGone] = useState(null);
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        let s;
        if (token) {
          s = await call('POST', '/api/v1/workspace/session', { token });
          history.replaceState(null, '', `${location.pathname}${location.search}#/workspace`);
        } else {
          s = await call('GET', '/api/v1/workspace/session');
        }
        csrf = s.csrf_token;
        if (s.clock) setClock(s.clock);
        if (live) setMe({ ...s.member, account: s.account });
      } catch (e) {
        if (!live) return;
        if (token) history.replaceState(null, '', `${location.pathname}${location.search}#/workspace`);
        setGone(token ? 'link' : e.status === 401 || e.status === 404 ? 'none' : e.message);
        setMe(null);
      }
    })();
    return () => { live = false; };
  }, [token]);
  useEffect(() => { ended = () => signOut('ended'); return () => { ended = () => {}; }; }, []);
  async function signOut(why) {
    if (why === 'out') {
      try { await call('DELETE', '/api/v1/workspace/session'); } catch { /* the session is gone either way */ }
    }
    csrf = null;
    setGone(why === 'out' ? 'out' : 'none');
    setMe(null);
  }
  if (me === undefined) return html`<p class="loading">Opening your workspace…</p>`;
  if (me === null) {
    if (gone === 'out') return html`<${Notice} title="You have signed out"><p>To come back, open the latest link your account manager sent you, or ask them for a new one.</p><//>`;
    if (gone === 'link') return html`<${Notice} title="This link cannot be used"><p role="alert">It has expired, was already used, or access was removed.</p><p>Ask your account manager for a new link.</p><//>`;
    if (gone === 'none') return html`<${Notice} title="Please sign in with your link"><p>Your session has ended. Open the link your account manager sent you, or ask them for a new one.</p><//>`;
    return html`<${Notice} title="The workspace is not available"><p role="alert">${gone}</p><p><button onClick=${() => location.reload()}>Try again</button></p><//>`;
  }
  return html`<${Board} me=${me} onSignOut=${signOut} />`;
}
