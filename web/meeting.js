// Logging a meeting like a meeting (issue 13): when it was (default now, in the browser's
// time), multi-line notes, who was there on our side and theirs (found by search, not from a
// short list), the mood, and a follow-up action made in the same request (one transaction). The timeline shows
// the attendees; an entry opens to be read, edited or deleted. After a save the page says when
// the entry moved the account's health or segment, from the API's figures before and after.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { get, api } from './api.js';
import { date } from './format.js';
import { Form, Field } from './forms.js';

const KINDS = ['meeting', 'call', 'email', 'visit', 'qbr', 'event', 'note'];
const MOODS = [[2, 'very positive'], [1, 'positive'], [0, 'neutral'], [-1, 'negative'], [-2, 'very negative']];
// the server's names of a follow-up's faults → this form's controls
const FOLLOW_FIELDS = { follow_up: 'follow_title', 'follow_up.title': 'follow_title', 'follow_up.due_on': 'follow_due', 'follow_up.owner_id': 'follow_owner' };
const mood = (s) => MOODS.find(([v]) => v === s)?.[1];

// "YYYY-MM-DD HH:MM" of a moment in the browser's own time zone: the app's date format with a
// 24-hour time, whatever the browser's locale would show in a datetime-local field.
function local(t) {
  const d = new Date(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
const WHEN = { pattern: '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}', placeholder: 'YYYY-MM-DD HH:MM', title: 'a date and a 24-hour time, as 2026-03-14 09:30', inputmode: 'numeric' };
const DAY = { pattern: '\\d{4}-\\d{2}-\\d{2}', placeholder: 'YYYY-MM-DD', title: 'a date as YYYY-MM-DD', inputmode: 'numeric' };

// A searchable multi-pick: chosen people show as chips; the ids travel in hidden inputs.
function Picker({ name, label, chosen, setChosen, search, nameOf }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState([]);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => search(q).then((r) => live && setHits(r), () => {}), 150);
    return () => { live = false; clearTimeout(t); };
  }, [q]);
  const add = (x) => { if (!chosen.some((c) => c.id === x.id)) setChosen([...chosen, x]); };
  return html`<fieldset class="picker"><legend>${label}</legend>
    ${chosen.map((c) => html`<input type="hidden" name=${name} value=${c.id} />`)}
    <ul class="chips" aria-label=${`${label}: chosen`}>${chosen.map((c) => html`<li key=${c.id}>${nameOf(c)}
      <button type="button" class="link" aria-label=${`remove ${nameOf(c)}`} onClick=${() => setChosen(chosen.filter((x) => x.id !== c.id))}>×</button></li>`)}
      ${!chosen.length && html`<li class="muted">nobody yet</li>`}</ul>
    <input type="search" aria-label=${`search ${label.toLowerCase()}`} placeholder="Search by name" value=${q} onInput=${(e) => setQ(e.target.value)} />
    <ul class="hits">${hits.filter((h) => !chosen.some((c) => c.id === h.id)).slice(0, 8).map((h) => html`<li key=${h.id}>
      <button type="button" class="link" aria-label=${`add ${nameOf(h)}`} onClick=${() => add(h)}>+ ${nameOf(h)}</button></li>`)}</ul>
  </fieldset>`;
}

// The interaction form, to log a new one (it) or change one (it given).
function MeetingForm({ account, users, user, plan, it, contactsById, onSaved, onCancel }) {
  const [ours, setOurs] = useState(it ? (it.user_ids || []).map((id) => users.find((u) => u.id === id) || { id, name: `user ${id}` }) : [user]);
  const [theirs, setTheirs] = useState(it ? (it.contact_ids || []).map((id) => contactsById(id)) : []);
  const findUsers = async (q) => users.filter((u) => u.active !== false && u.name.toLowerCase().includes(q.trim().toLowerCase())).slice(0, 20);
  const findContacts = async (q) => (await get(`/api/v1/contacts?account_id=${account.id}&limit=20&sort=name${q.trim() ? `&q=${encodeURIComponent(q.trim())}` : ''}`)).items;
  async function save(fd) {
    const mo = fd.get('sentiment');
    const at = new Date(String(fd.get('occurred_at')).trim().replace(' ', 'T'));
    if (Number.isNaN(at.getTime())) {
      const message = 'must be a real date and time, as 2026-03-14 09:30';
      throw Object.assign(new Error(message), { problem: { errors: [{ field: 'occurred_at', message }] } });
    }
    const b = {
      kind: fd.get('kind'), occurred_at: at.toISOString().replace(/\.\d+Z$/, 'Z'),
      user_ids: fd.getAll('user_ids').map(Number), contact_ids: fd.getAll('contact_ids').map(Number),
      summary: String(fd.get('summary') || '').trim() || null, sentiment: mo === '' ? null : Number(mo),
    };
    const follow = String(fd.get('follow_title') || '').trim();
    if (follow) b.next_step = follow;
    await onSaved(b, follow && { title: follow, due_on: fd.get('follow_due') || null, owner_id: fd.get('follow_owner') ? Number(fd.get('follow_owner')) : null });
  }
  return html`<${Form} label=${it ? 'Edit the interaction' : 'Log an interaction'} cls="quick meeting" reset=${false} onSave=${save} onCancel=${onCancel}>
    <${Field} name="kind" label="Kind"><select name="kind">${KINDS.map((k) => html`<option value=${k} selected=${(it?.kind || 'meeting') === k}>${k}</option>`)}</select><//>
    <${Field} name="occurred_at" label="When"><input type="text" name="occurred_at" required defaultValue=${local(it ? it.occurred_at : Date.now())} ...${WHEN} /><//>
    <${Field} name="sentiment" label="Sentiment"><select name="sentiment"><option value="">not said</option>
      ${MOODS.map(([v, n]) => html`<option value=${v} selected=${it?.sentiment === v}>${n}</option>`)}</select><//>
    <${Field} name="summary" label="Summary and notes" wide><textarea name="summary" rows="5" maxlength="20000" defaultValue=${it?.summary || ''}></textarea><//>
    <${Picker} name="user_ids" label="Our attendees" chosen=${ours} setChosen=${setOurs} search=${findUsers} nameOf=${(u) => u.name} />
    <${Picker} name="contact_ids" label="Client attendees" chosen=${theirs} setChosen=${setTheirs} search=${findContacts} nameOf=${(c) => c.name} />
    ${!it && html`<fieldset class="follow-up"><legend>Follow-up action (optional)</legend>
      ${plan ? html`<${Field} name="follow_title" label="Follow-up"><input name="follow_title" maxlength="300" /><//>
        <${Field} name="follow_due" label="Follow-up due"><input type="text" name="follow_due" ...${DAY} /><//>
        <${Field} name="follow_owner" label="Follow-up owner"><select name="follow_owner"><option value="">nobody yet</option>
          ${users.filter((u) => u.active !== false).map((u) => html`<option value=${u.id} selected=${u.id === user.id}>${u.name}</option>`)}</select><//>`
      : html`<p class="muted">A follow-up action goes in the account's active plan, and it has none.</p>`}</fieldset>`}
  <//>`;
}

async function standing(id) {
  const [a, h] = await Promise.all([get(`/api/v1/accounts/${id}`), get(`/api/v1/accounts/${id}/health`)]);
  return { health: h.score, segment: a.segment };
}

// What a save changed of the account's standing, in words; null when nothing did.
function moved(before, after) {
  const out = [];
  const n = (x) => (x === null || x === undefined ? '–' : Math.round(x));
  // null: the health API says there is not enough data to score
  if (n(before.health) !== n(after.health)) {
    out.push(before.health == null ? `health: ${n(after.health)} (not enough data before)`
      : after.health == null ? `health: not enough data now (${n(before.health)} before)`
        : `health ${n(before.health)} → ${n(after.health)}`);
  }
  if ((before.segment || null) !== (after.segment || null)) out.push(`segment ${before.segment || '–'} → ${after.segment || '–'}`);
  return out.length ? `This entry changed the account's ${out.join(' and ')}.` : null;
}

export function Activity({ account, interactions, contacts, users, user, plan, canWork, reload }) {
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState(null); // the entry opened
  const [editing, setEditing] = useState(null);
  const [note, setNote] = useState(null);
  const [warn, setWarn] = useState(null);
  const known = new Map(contacts.map((c) => [c.id, c]));
  const contactsById = (id) => known.get(id) || { id, name: `contact ${id}` };
  const userName = (id) => users.find((u) => u.id === id)?.name || `user ${id}`;
  // the meeting and its follow-up go in one request, one transaction: either both are
  // saved or neither, so a failure leaves the form as typed for a retry
  async function logNew(b, follow) {
    const before = await standing(account.id);
    try {
      await api('POST', '/api/v1/interactions', { account_id: account.id, ...b, ...(follow ? { follow_up: follow } : {}) });
    } catch (e) {
      // the follow-up's faults (follow_up.due_on, …) go next to its own controls
      for (const x of e.problem?.errors || []) x.field = FOLLOW_FIELDS[x.field] ?? x.field;
      throw e;
    }
    setOpen(false);
    setWarn(null);
    setNote(moved(before, await standing(account.id)) || (follow ? 'Saved, with its follow-up action.' : 'Saved.'));
    reload();
  }
  async function change(it, b) {
    const before = await standing(account.id);
    await api('PATCH', `/api/v1/interactions/${it.id}`, b);
    setEditing(null);
    setNote(moved(before, await standing(account.id)) || 'Saved.');
    reload();
  }
  async function drop(it) {
    if (!confirm(`Delete this ${it.kind} of ${date(it.occurred_at)}?`)) return;
    const before = await standing(account.id);
    try { await api('DELETE', `/api/v1/interactions/${it.id}`); } catch (e) { setWarn(e.message); return; }
    setShown(null);
    setNote(moved(before, await standing(account.id)) || 'Deleted.');
    reload();
  }
  const who = (i) => [...(i.user_ids || []).map(userName), ...(i.contact_ids || []).map((id) => contactsById(id).name)];
  const common = { account, users, user, plan, contactsById };
  return html`<div class="activity">
    ${note && html`<p class="note" role="status">${note}</p>`}
    ${warn && html`<p class="error" role="alert">${warn}</p>`}
    ${canWork && (open ? html`<${MeetingForm} ...${common} onSaved=${logNew} onCancel=${() => setOpen(false)} />`
      : html`<button onClick=${() => { setOpen(true); setNote(null); }}>Log a meeting</button>`)}
    <ol class="timeline">${interactions.map((i) => html`<li key=${i.id} data-interaction=${i.id}>
      ${editing === i.id ? html`<${MeetingForm} ...${common} it=${i} onSaved=${(b) => change(i, b)} onCancel=${() => setEditing(null)} />` : html`
      <details open=${shown === i.id} onToggle=${(e) => setShown((s) => (e.currentTarget.open ? i.id : s === i.id ? null : s))}>
        <summary><strong>${i.kind}</strong> ${date(i.occurred_at)}${shown === i.id ? '' : ` — ${(i.summary || '').split('\n')[0]}`}
          ${mood(i.sentiment) ? html`<span class="muted"> · ${mood(i.sentiment)}</span>` : ''}
          ${who(i).length ? html`<span class="attendees muted"> · with ${who(i).join(', ')}</span>` : ''}</summary>
        <div class="entry-body">
          <p class="muted when">${local(i.occurred_at).replace('T', ' ')}</p>
          <p class="notes">${i.summary || html`<span class="muted">No notes.</span>`}</p>
          ${i.next_step && html`<p>Next step: ${i.next_step}</p>`}
          ${canWork && html`<p><button onClick=${() => { setEditing(i.id); setNote(null); }}>Edit</button> <button onClick=${() => drop(i)}>Delete</button></p>`}</div>
      </details>`}
    </li>`)}</ol>
    ${!interactions.length && html`<p class="muted">Nothing logged yet.</p>`}
  </div>`;
}
