// Issue 19: the joint account plan. A KAM invites a client member, the member signs in through
// the one-time link, marks their action done, proposes one, comments, confirms the review,
// adds to its agenda and answers the NPS survey; the KAM sees all of it (members, activity,
// the answer in the KPIs) and removal ends the member's session at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, psql, serve, api, demoDb, tokens } from '../lib/harness.mjs';
import { signIn, wsCall } from '../lib/workspace.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'viewer', 'director'], 'ws'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
const sql = (q) => (PG ? psql(q, new URL(db).pathname.slice(1)) : execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim());
const ws = (s, m, p, b) => wsCall(srv.url, s, m, p, b);
const ok = async (w, m, p, b, want) => {
  const r = await call(w, m, p, b);
  assert.equal(r.status, want ?? (m === 'POST' ? 201 : 200), `${m} ${p}: ${r.text}`);
  return r.json;
};

// an account of anna's with a current plan, a shared objective, shared actions on each side,
// an internal action and a contact
async function fresh(name) {
  const me = await ok('anna', 'GET', '/api/v1/me');
  const acc = (await ok('anna', 'POST', '/api/v1/accounts', { name, owner_id: me.id })).id;
  const y = new Date().getUTCFullYear();
  const plan = (await ok('anna', 'POST', '/api/v1/plans', { account_id: acc, title: `Plan ${y}`, period_start: `${y - 1}-01-01`, period_end: `${y + 1}-12-31`, status: 'active' })).id;
  const obj = await ok('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: 'Cut downtime by half', client_visible: true });
  const ours = await ok('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: 'Send the uptime report', client_visible: true, owner_id: me.id });
  const theirs = await ok('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: 'Name a plant sponsor', client_visible: true, side: 'theirs', objective_id: obj.id });
  const internal = await ok('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: 'Push for a price rise', side: 'joint' });
  const contact = await ok('anna', 'POST', '/api/v1/contacts', { account_id: acc, name: 'Jane Doe', email: 'jane@acme.example' });
  return { me, acc, plan, obj, ours, theirs, internal, contact };
}

test('the walk-through: invite, sign in, act, comment, confirm the review, answer the NPS survey; the KAM sees it all', async () => {
  const f = await fresh('Acme Walkthrough');
  assert.equal(f.ours.side, 'ours', 'actions are ours unless said otherwise');
  // the KAM invites Jane and gets the link to pass on
  const m = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, { name: 'Jane Doe', email: 'jane@acme.example', contact_id: f.contact.id });
  assert.match(m.link, /^\/#\/workspace\/ws_[A-Za-z0-9_-]{43}$/);
  assert.equal(m.mailed, false);
  assert.equal(m.last_visit_at, null);
  // she signs in; the link works once
  const s = await signIn(srv.url, m.link);
  assert.equal(s.status, 201, s.text);
  assert.deepEqual(s.json.account, { id: f.acc, name: 'Acme Walkthrough' });
  assert.equal((await signIn(srv.url, m.link)).status, 404, 'a used link is dead');
  const me = await ws(s, 'GET', '/api/v1/workspace/session');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.member.name, 'Jane Doe');
  // what she sees: the shared objective and actions, not the internal one
  let v = (await ws(s, 'GET', '/api/v1/workspace')).json;
  assert.deepEqual(v.objectives.map((o) => o.title), ['Cut downtime by half']);
  assert.deepEqual(v.actions.map((a) => [a.title, a.side, a.editable]), [['Send the uptime report', 'ours', false], ['Name a plant sponsor', 'theirs', true]]);
  assert.equal(v.actions[0].owner, f.me.name);
  assert.equal(v.revenue, null, 'revenue is not shared unless the KAM ticks it');
  assert.ok('sla_compliance' in v.kpis && 'value' in v.kpis.nps && 'previous' in v.kpis.csat, JSON.stringify(v.kpis));
  // she marks her action done; ours she may not touch; the internal one does not exist for her
  const done = await ws(s, 'PATCH', `/api/v1/workspace/actions/${f.theirs.id}`, { status: 'done' });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.status, 'done');
  assert.equal((await ws(s, 'PATCH', `/api/v1/workspace/actions/${f.ours.id}`, { status: 'done' })).status, 403);
  assert.equal((await ws(s, 'PATCH', `/api/v1/workspace/actions/${f.internal.id}`, { status: 'done' })).status, 404);
  assert.equal((await ws(s, 'PATCH', `/api/v1/workspace/actions/${f.theirs.id}`, { title: 'x' })).status, 400);
  assert.equal((await ws(s, 'PATCH', `/api/v1/workspace/actions/${f.theirs.id}`, { status: 'cancelled' })).status, 400);
  const staffView = await ok('anna', 'GET', `/api/v1/actions/${f.theirs.id}`);
  assert.equal(staffView.status, 'done');
  // the record's history says who: the client member, by name and account
  const hist = (await ok('anna', 'GET', `/api/v1/actions/${f.theirs.id}/history`)).items;
  assert.equal(hist[0].user_name, 'client: Jane Doe (Acme Walkthrough)', JSON.stringify(hist[0]));
  assert.equal(hist[0].user_id, null);
  assert.equal(hist[0].after.status, 'done');
  // she proposes an action; the KAM accepts it
  const prop = await ws(s, 'POST', '/api/v1/workspace/actions', { title: 'Share the shift plan', objective_id: f.obj.id });
  assert.equal(prop.status, 201, prop.text);
  assert.equal(prop.json.status, 'proposed');
  const acc = await ok('anna', 'PATCH', `/api/v1/actions/${prop.json.id}`, { status: 'open' });
  assert.equal(acc.status, 'open');
  assert.equal(acc.side, 'theirs');
  // she comments on the objective; the KAM replies
  const c = await ws(s, 'POST', '/api/v1/workspace/comments', { objective_id: f.obj.id, body: 'Downtime is mostly line 3.' });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.author, 'Jane Doe');
  assert.equal((await ws(s, 'POST', '/api/v1/workspace/comments', { action_id: f.internal.id, body: 'x' })).status, 400, 'an internal action is no target');
  await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/workspace-comments`, { objective_id: f.obj.id, body: 'We will look at line 3 first.' });
  // the KAM proposes a review; she confirms it and adds to the agenda
  const y = new Date().getUTCFullYear();
  const rev = await ok('anna', 'POST', `/api/v1/plans/${f.plan}/reviews`, { proposed_on: `${y + 1}-02-10`, agenda: ['Downtime figures'] });
  assert.equal(rev.status, 'proposed');
  assert.deepEqual(rev.agenda.map((a) => a.item), ['Downtime figures']);
  v = (await ws(s, 'GET', '/api/v1/workspace')).json;
  assert.equal(v.next_review.id, rev.id);
  assert.equal(v.next_review.minutes, undefined);
  assert.deepEqual(v.objectives[0].comments.map((x) => x.body), ['Downtime is mostly line 3.', 'We will look at line 3 first.']);
  const conf = await ws(s, 'POST', `/api/v1/workspace/reviews/${rev.id}/confirm`);
  assert.equal(conf.status, 200, conf.text);
  assert.equal(conf.json.status, 'confirmed');
  const ag = await ws(s, 'POST', `/api/v1/workspace/reviews/${rev.id}/agenda`, { item: 'Spare parts stock' });
  assert.deepEqual(ag.json.agenda.map((a) => [a.item, a.side]), [['Downtime figures', 'ours'], ['Spare parts stock', 'theirs']]);
  const other = await ws(s, 'POST', `/api/v1/workspace/reviews/${rev.id}/propose`, { proposed_on: `${y + 1}-02-12` });
  assert.equal(other.json.status, 'rescheduled');
  assert.equal(other.json.client_proposed_on, `${y + 1}-02-12`);
  // the KAM moves the date: the client is asked again; minutes show once published
  const moved = await ok('anna', 'PATCH', `/api/v1/reviews/${rev.id}`, { proposed_on: `${y + 1}-02-12` });
  assert.equal(moved.status, 'proposed');
  assert.equal(moved.held_on, `${y + 1}-02-12`);
  await ok('anna', 'PATCH', `/api/v1/reviews/${rev.id}`, { minutes: 'Agreed: line 3 first.' });
  assert.equal((await ws(s, 'GET', '/api/v1/workspace')).json.next_review.minutes, undefined, 'unpublished minutes stay ours');
  await ok('anna', 'PATCH', `/api/v1/reviews/${rev.id}`, { published: true });
  assert.equal((await ws(s, 'GET', '/api/v1/workspace')).json.next_review.minutes, 'Agreed: line 3 first.');
  // the NPS survey: one answer per member per request, in the KPIs like any survey
  const sr = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/survey-requests`, { kind: 'nps', question: 'How likely are you to recommend us?' });
  v = (await ws(s, 'GET', '/api/v1/workspace')).json;
  assert.deepEqual(v.surveys.map((x) => x.id), [sr.id]);
  assert.equal((await ws(s, 'POST', `/api/v1/workspace/surveys/${sr.id}/answer`, { score: 11 })).status, 400);
  const a = await ws(s, 'POST', `/api/v1/workspace/surveys/${sr.id}/answer`, { score: 9, comment: 'Good year' });
  assert.equal(a.status, 201, a.text);
  assert.equal((await ws(s, 'POST', `/api/v1/workspace/surveys/${sr.id}/answer`, { score: 3 })).status, 409);
  assert.deepEqual((await ws(s, 'GET', '/api/v1/workspace')).json.surveys, []);
  const surveys = (await ok('anna', 'GET', `/api/v1/surveys?account_id=${f.acc}`)).items;
  assert.deepEqual(surveys.map((x) => [x.kind, x.score, x.contact_id]), [['nps', 9, f.contact.id]]);
  const from = `${y - 1}-01-01`, to = `${y + 1}-01-01`;
  const k = await ok('anna', 'GET', `/api/v1/kpis?scope=account&id=${f.acc}&from=${from}&to=${to}`);
  assert.equal(k.kpis.nps.value, 100, JSON.stringify(k.kpis.nps));
  assert.equal((await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/survey-requests`)).items[0].answers, 1);
  // the KAM sees who did what, as "client: Jane Doe (Acme Walkthrough)"
  const act = (await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/workspace-activity`)).items;
  assert.ok(act.every((x) => x.actor === 'client: Jane Doe (Acme Walkthrough)'), JSON.stringify(act));
  assert.deepEqual(act.map((x) => x.action).reverse(), ['sign_in', 'client_update', 'client_propose', 'client_comment', 'client_update', 'client_agenda', 'client_update', 'client_answer']);
  assert.match(act[act.length - 2].summary, /set to done the action "Name a plant sponsor"/);
  const members = (await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/client-members`)).items;
  assert.equal(members.length, 1);
  assert.match(members[0].last_visit_at, /^\d{4}-\d\d-\d\dT/);
  // the plan document: the shared content only
  const html = await ws(s, 'GET', '/api/v1/workspace/plan.html');
  assert.equal(html.status, 200);
  assert.match(html.text, /Cut downtime by half/);
  assert.doesNotMatch(html.text, /Push for a price rise/);
  const pdf = await fetch(srv.url + '/api/v1/workspace/plan.pdf', { headers: { Cookie: s.cookie } });
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  // removal ends her session at once
  assert.equal((await call('anna', 'DELETE', `/api/v1/client-members/${m.id}`)).status, 204);
  assert.equal((await ws(s, 'GET', '/api/v1/workspace')).status, 401);
});

test('who may manage a workspace: the KAM, directors and admins; others 403, and an account you cannot see is 404', async () => {
  const f = await fresh('Acme Rights');
  const body = { name: 'Joe Client', email: 'joe@acme.example' };
  assert.equal((await call('ben', 'POST', `/api/v1/accounts/${f.acc}/client-members`, body)).status, 404, 'another KAM does not see the account');
  assert.equal((await call('viewer', 'POST', `/api/v1/accounts/${f.acc}/client-members`, body)).status, 403);
  const m = await ok('director', 'POST', `/api/v1/accounts/${f.acc}/client-members`, body);
  assert.equal((await call('ben', 'POST', `/api/v1/client-members/${m.id}/link`)).status, 404);
  assert.equal((await call('ben', 'DELETE', `/api/v1/client-members/${m.id}`)).status, 404);
  assert.equal((await call('ben', 'GET', `/api/v1/accounts/${f.acc}/workspace-activity`)).status, 404);
  assert.equal((await call('viewer', 'GET', `/api/v1/accounts/${f.acc}/client-members`)).status, 200);
  // bad input names the field
  const bad = await call('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, { name: 'X', email: 'not-an-email' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].field, 'email');
  for (const b of [{ name: 'X' }, { email: 'x@acme.example' }, { name: '', email: 'x@acme.example' }, { name: 'X', email: null }]) {
    const r = await call('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, b);
    assert.equal(r.status, 400, JSON.stringify(b));
    assert.ok(['name', 'email'].includes(r.json.errors[0].field), r.text);
  }
  const extra = await call('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, { name: 'X', email: 'x@acme.example', role: 'admin' });
  assert.equal(extra.json.errors[0].field, 'role');
  const other = await fresh('Other Co');
  const wrong = await call('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, { name: 'X', email: 'x@acme.example', contact_id: other.contact.id });
  assert.equal(wrong.json.errors[0].field, 'contact_id');
});

test('on the demo data: the client side of the plan is there, and the cases a member\'s contact raised show', async () => {
  // anna's first demo account with an active plan, an open action of the client's and cases
  let acc, plan, acts, theirs, cases, contact;
  const me = await ok('anna', 'GET', '/api/v1/me');
  for (acc of (await ok('anna', 'GET', `/api/v1/accounts?limit=50&sort=id&owner_id=${me.id}`)).items) {
    plan = (await ok('anna', 'GET', `/api/v1/plans?account_id=${acc.id}&status=active`)).items[0];
    if (!plan) continue;
    acts = (await ok('anna', 'GET', `/api/v1/actions?plan_id=${plan.id}&limit=100`)).items;
    theirs = acts.find((a) => a.side === 'theirs' && ['open', 'in_progress'].includes(a.status));
    cases = (await ok('anna', 'GET', `/api/v1/cases?account_id=${acc.id}&limit=100`)).items;
    contact = (cases.find((c) => c.contact_id && ['open', 'in_progress'].includes(c.status)) ?? cases.find((c) => c.contact_id))?.contact_id;
    if (theirs && contact) break;
  }
  assert.ok(theirs && contact, 'the demo has such an account');
  assert.ok(acts.some((a) => a.side === 'joint') && acts.some((a) => a.side === 'ours'), JSON.stringify(acts.map((a) => a.side)));
  // the KAM shares the client's action and invites the contact who raised the cases
  await ok('anna', 'PATCH', `/api/v1/actions/${theirs.id}`, { client_visible: true });
  const c = await ok('anna', 'GET', `/api/v1/contacts/${contact}`);
  const m = await ok('anna', 'POST', `/api/v1/accounts/${acc.id}/client-members`, { name: c.name, email: c.email ?? 'client@example.com', contact_id: contact });
  const s = await signIn(srv.url, m.link);
  const v = (await ws(s, 'GET', '/api/v1/workspace')).json;
  assert.deepEqual(v.actions.map((a) => a.id), [theirs.id]);
  const open = cases.filter((x) => x.contact_id === contact && ['open', 'in_progress'].includes(x.status)).map((x) => x.id).sort();
  assert.deepEqual(v.cases.map((x) => x.id).sort(), open);
  assert.equal((await ws(s, 'PATCH', `/api/v1/workspace/actions/${theirs.id}`, { status: 'done' })).json.status, 'done');
});

test('workspace sign-ins, invitations and comments keep the KPI caches; a survey answer moves them', async () => {
  const f = await fresh('Acme Cache');
  const kpi = async () => (await call('director', 'GET', `/api/v1/kpis?scope=account&id=${f.acc}`)).headers.get('x-cache');
  const m = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, { name: 'Cam', email: 'cam@acme.example' });
  const sr = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/survey-requests`, { kind: 'csat' });
  await kpi();
  assert.equal(await kpi(), 'hit');
  const s = await signIn(srv.url, m.link);
  assert.equal((await ws(s, 'POST', '/api/v1/workspace/comments', { objective_id: f.obj.id, body: 'Hello' })).status, 201);
  await ok('anna', 'POST', `/api/v1/client-members/${m.id}/link`);
  assert.equal(await kpi(), 'hit', 'no figure counts sign-ins, links or comments');
  assert.equal((await ws(s, 'POST', `/api/v1/workspace/surveys/${sr.id}/answer`, { score: 4 })).status, 201);
  assert.equal(await kpi(), 'miss', 'an answer is a survey: the figures move');
});

test('erasing a contact (privacy) erases them as a client member too: name, e-mail, comments\' author, activity; their session ends', async () => {
  const f = await fresh('Acme Erase');
  const m = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, { name: 'Jane Doe', email: 'jane@acme.example', contact_id: f.contact.id });
  const s = await signIn(srv.url, m.link);
  assert.equal((await ws(s, 'POST', '/api/v1/workspace/comments', { objective_id: f.obj.id, body: 'Noted' })).status, 201);
  const e = await ok('anna', 'POST', `/api/v1/contacts/${f.contact.id}/erase`, undefined, 200);
  assert.equal(e.client_members_erased, 1);
  assert.equal((await ws(s, 'GET', '/api/v1/workspace')).status, 401);
  const members = (await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/client-members`)).items;
  assert.deepEqual(members.map((x) => [x.name, x.email, x.removed_at !== null]), [['(erased)', '', true]]);
  const all = JSON.stringify([await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/workspace-comments`), await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/workspace-activity`)]);
  assert.ok(!all.includes('Jane'), all);
  const audit = (await ok('director', 'GET', `/api/v1/audit?entity=workspace_comment`)).items.filter((x) => x.after?.objective_id === f.obj.id);
  assert.deepEqual(audit.map((x) => x.user_name), ['client: (erased) (Acme Erase)']);
});

test('links: one-time, a fresh one kills the old, expired or removed ones are dead, and sign-in is throttled per address', async () => {
  const f = await fresh('Acme Links');
  const m = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, { name: 'Lee', email: 'lee@acme.example' });
  const fresh2 = await ok('anna', 'POST', `/api/v1/client-members/${m.id}/link`);
  assert.notEqual(fresh2.link, m.link);
  assert.equal((await signIn(srv.url, m.link)).status, 404, 'the old link died');
  const s = await signIn(srv.url, fresh2.link);
  assert.equal(s.status, 201);
  // a staff session or token is no workspace session
  assert.equal((await call('anna', 'GET', '/api/v1/workspace')).status, 401);
  // the CSRF token is needed for changes
  const noCsrf = await fetch(srv.url + '/api/v1/workspace/comments', { method: 'POST', headers: { Cookie: s.cookie, 'Content-Type': 'application/json' }, body: JSON.stringify({ objective_id: f.obj.id, body: 'hi' }) });
  assert.equal(noCsrf.status, 403);
  // sign out ends the session
  assert.equal((await ws(s, 'DELETE', '/api/v1/workspace/session')).status, 204);
  assert.equal((await ws(s, 'GET', '/api/v1/workspace')).status, 401);
  // removed: a link made before is dead, and no new one is made
  const again = await ok('anna', 'POST', `/api/v1/client-members/${m.id}/link`);
  assert.equal((await call('anna', 'DELETE', `/api/v1/client-members/${m.id}`)).status, 204);
  assert.equal((await signIn(srv.url, again.link)).status, 404);
  assert.equal((await call('anna', 'POST', `/api/v1/client-members/${m.id}/link`)).status, 409);
  // a link expires after 7 days; a session after a day idle
  const late = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/client-members`, { name: 'Late', email: 'late@acme.example' });
  const exp = Date.parse(late.expires_at) / 1000 - Date.now() / 1000;
  assert.ok(exp > 7 * 86400 - 60 && exp <= 7 * 86400, late.expires_at);
  const late2 = await ok('anna', 'POST', `/api/v1/client-members/${late.id}/link`);
  sql(`UPDATE workspace_links SET expires_at = ${Math.floor(Date.now() / 1000) - 1} WHERE member_id = ${late.id}`);
  assert.equal((await signIn(srv.url, late2.link)).status, 404);
  const late3 = await ok('anna', 'POST', `/api/v1/client-members/${late.id}/link`);
  const ls = await signIn(srv.url, late3.link);
  assert.equal((await ws(ls, 'GET', '/api/v1/workspace')).status, 200);
  sql(`UPDATE workspace_sessions SET last_seen_at = last_seen_at - 86400 WHERE member_id = ${late.id}`);
  assert.equal((await ws(ls, 'GET', '/api/v1/workspace')).status, 401);
  assert.equal(sql(`SELECT count(*) FROM workspace_sessions WHERE member_id = ${late.id}`), '0', 'the dead session is deleted');
  // guesses from one address are throttled (20 a minute): the last test of the file
  let last;
  for (let i = 0; i < 25; i++) last = await signIn(srv.url, `/#/workspace/ws_guess${i}`);
  assert.equal(last.status, 429);
});
