// Playbooks (issue 17): the library and its versions, runs started by hand, by an alert rule
// (through the alerts job's evaluation) and by the review schedule, once per trigger, owners
// from team roles, progress, "why did this fire?" on alerts and runs, and who may see what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {};
const who = {};
let today;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'director', 'anna', 'ben', 'chloe', 'dev', 'viewer', 'mia'], 'playbooks'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  for (const u of Object.keys(tok)) who[u] = (await call(u, 'GET', '/api/v1/me')).json;
  today = (await call('anna', 'GET', '/api/v1/work')).json.today;
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (u, method, path, body, h) => api(srv.url, tok[u], method, path, body, h);
const addDays = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400e3).toISOString().slice(0, 10);
const byName = async (name) => (await call('anna', 'GET', '/api/v1/playbooks')).json.items.find((p) => p.name === name);

// an account of u's (owned) with an active plan, and not yet used by another test
const used = new Set();
async function accountWithPlan(u, hiddenFrom) {
  const accts = (await call(u, 'GET', `/api/v1/accounts?owner_id=${who[u].id}&limit=100`)).json.items;
  for (const a of accts) {
    if (used.has(a.id)) continue;
    if (hiddenFrom && (await call(hiddenFrom, 'GET', `/api/v1/accounts/${a.id}`)).status !== 404) continue;
    const p = (await call(u, 'GET', `/api/v1/plans?account_id=${a.id}&status=active&limit=1`)).json.items[0];
    if (p) { used.add(a.id); return { account: a, plan: p }; }
  }
  throw new Error(`no account of ${u} with an active plan`);
}

test('six default playbooks ship with real steps, editable by directors and admins only', async () => {
  const r = await call('anna', 'GET', '/api/v1/playbooks');
  assert.equal(r.status, 200, r.text);
  const names = r.json.items.map((p) => p.name);
  for (const n of ['Renewal preparation', 'QBR preparation', 'Detractor recovery', 'Service recovery', 'Rebuild sponsorship', 'New key account onboarding'])
    assert.ok(names.includes(n), `${n} in ${names}`);
  for (const p of r.json.items) {
    assert.ok(p.steps.length >= 5, `${p.name} has real steps`);
    assert.equal(p.enabled, true);
    assert.equal(p.version, 1);
    for (const s of p.steps) assert.ok(s.title && s.owner_role && Number.isInteger(s.offset_days));
  }
  const renewal = r.json.items.find((p) => p.name === 'Renewal preparation');
  // the demo has a renewal playbook under way
  const demo = (await call('director', 'GET', `/api/v1/playbook-runs?state=open`)).json.items.filter((x) => x.playbook_id === renewal.id);
  assert.equal(demo.length, 1);
  assert.equal(demo[0].progress.total, renewal.steps.length);
  assert.equal(demo[0].why.started_by.kind, 'user');
  assert.deepEqual([renewal.trigger.kind, renewal.trigger.rule], ['alert', 'renewal_risk']);
  const qbr = r.json.items.find((p) => p.name === 'QBR preparation');
  assert.deepEqual([qbr.trigger.kind, qbr.trigger.days_before], ['review', 21]);
  assert.equal((await byName('Service recovery')).trigger.key_accounts_only, true);
  // not locked: a director edits a default, the version moves
  const ed = await call('director', 'PATCH', `/api/v1/playbooks/${renewal.id}`, { description: 'Our renewal motion.' });
  assert.equal(ed.status, 200, ed.text);
  assert.equal(ed.json.version, 2);
  assert.equal(ed.json.steps.length, renewal.steps.length);
  assert.equal((await call('anna', 'PATCH', `/api/v1/playbooks/${renewal.id}`, { description: 'x' })).status, 403);
  assert.equal((await call('anna', 'POST', '/api/v1/playbooks', { name: 'Mine', steps: [{ title: 'x' }] })).status, 403);
});

test('a playbook body is checked field by field; names are unique; edits bump the version and may be deleted', async () => {
  for (const [body, field] of [
    [{ steps: [{ title: 'a' }] }, 'name'],
    [{ name: 'P', steps: [] }, 'steps'],
    [{ name: 'P', steps: [{ title: 'a', owner_role: 'janitor' }] }, 'steps[0].owner_role'],
    [{ name: 'P', steps: [{ title: 'a' }, { title: 'b', offset_days: -1 }] }, 'steps[1].offset_days'],
    [{ name: 'P', steps: [{ title: '' }] }, 'steps[0].title'],
    [{ name: 'P', steps: [{ title: 'a' }], trigger: { kind: 'alert', rule: 'nope' } }, 'trigger.rule'],
    [{ name: 'P', steps: [{ title: 'a' }], trigger: { kind: 'review' } }, 'trigger.days_before'],
    [{ name: 'P', steps: [{ title: 'a' }], colour: 'red' }, 'colour'],
  ]) {
    const r = await call('director', 'POST', '/api/v1/playbooks', body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.ok(r.json.errors.some((e) => e.field === field), `${field}: ${r.text}`);
  }
  const made = await call('admin', 'POST', '/api/v1/playbooks', { name: 'Price increase', description: 'Explain a list price change',
    steps: [{ title: 'Draft the letter', owner_role: 'kam', offset_days: 0 }, { title: 'Approve', owner_role: 'director', offset_days: 3 }] });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.version, 1);
  assert.equal(made.json.trigger.kind, 'manual');
  assert.deepEqual(made.json.steps.map((s) => [s.position, s.title]), [[1, 'Draft the letter'], [2, 'Approve']]);
  assert.equal((await call('admin', 'POST', '/api/v1/playbooks', { name: 'Price increase', steps: [{ title: 'x' }] })).status, 409);
  const stale = await call('director', 'PATCH', `/api/v1/playbooks/${made.json.id}`, { name: 'Price rise' }, { 'If-Match': '"7"' });
  assert.equal(stale.status, 412);
  // reorder and add: steps replace the steps
  const re = await call('director', 'PATCH', `/api/v1/playbooks/${made.json.id}`, { steps: [made.json.steps[1], made.json.steps[0], { title: 'Call the buyer', offset_days: 5 }].map(({ position, ...s }) => s) });
  assert.equal(re.status, 200, re.text);
  assert.equal(re.json.version, 2);
  assert.deepEqual(re.json.steps.map((s) => s.title), ['Approve', 'Draft the letter', 'Call the buyer']);
  assert.equal(re.json.steps[2].owner_role, 'kam', 'the KAM by default');
  assert.equal((await call('director', 'DELETE', `/api/v1/playbooks/${made.json.id}`)).status, 204);
  assert.equal((await call('director', 'GET', `/api/v1/playbooks/${made.json.id}`)).status, 404);
});

test('started by hand: steps become actions of the active plan with owners from roles and due dates; once while open; progress to done', async () => {
  const { account, plan } = await accountWithPlan('anna');
  // the account's team: Mia leads support, Ben is the executive sponsor
  assert.ok([200, 201].includes((await call('anna', 'PUT', `/api/v1/accounts/${account.id}/team/${who.mia.id}`, { role: 'support_lead' })).status));
  const team = (await call('anna', 'GET', `/api/v1/accounts/${account.id}/team`)).json.items;
  // a role's step goes to the team member in that role (the first by id), else the KAM
  const holder = (role) => team.filter((m) => m.role === role).map((m) => m.user_id).sort((x, y) => x - y)[0];
  const pb = await byName('New key account onboarding');
  const r = await call('anna', 'POST', `/api/v1/accounts/${account.id}/playbook-runs`, { playbook_id: pb.id });
  assert.equal(r.status, 201, r.text);
  const run = r.json;
  assert.equal(run.name, pb.name);
  assert.equal(run.playbook_version, pb.version);
  assert.equal(run.account_id, account.id);
  assert.equal(run.plan_id, plan.id);
  assert.equal(run.started_on, today);
  assert.equal(run.trigger.kind, 'manual');
  assert.equal(run.state, 'open');
  assert.deepEqual([run.progress.done, run.progress.total], [0, pb.steps.length]);
  assert.equal(run.why.started_by.kind, 'user');
  assert.equal(run.why.started_by.user_id, who.anna.id);
  assert.equal(run.why.started_by.name, who.anna.name);
  assert.equal(run.steps.length, pb.steps.length);
  for (const [i, s] of pb.steps.entries()) {
    const a = run.steps[i];
    assert.equal(a.title, s.title);
    assert.equal(a.due_on, addDays(today, s.offset_days), s.title);
    const want = s.owner_role === 'kam' ? who.anna.id : s.owner_role === 'director' ? who.director.id : holder(s.owner_role) ?? who.anna.id;
    assert.equal(a.owner_id, want, `${s.title} (${s.owner_role})`);
    if (s.objective_title) assert.equal(a.objective_title, s.objective_title);
  }
  // the actions are in the plan, the objective made once
  const actions = (await call('anna', 'GET', `/api/v1/actions?plan_id=${plan.id}&limit=200`)).json.items;
  for (const s of run.steps) assert.ok(actions.some((a) => a.id === s.id));
  const objs = (await call('anna', 'GET', `/api/v1/objectives?plan_id=${plan.id}&limit=200`)).json.items.filter((o) => o.title === 'Successful onboarding');
  assert.equal(objs.length, 1);
  // a second start while the first is open: refused, nothing written
  const again = await call('anna', 'POST', `/api/v1/accounts/${account.id}/playbook-runs`, { playbook_id: pb.id });
  assert.equal(again.status, 409, again.text);
  assert.equal((await call('anna', 'GET', `/api/v1/actions?plan_id=${plan.id}&limit=200`)).json.items.length, actions.length);
  // My work shows the run beside its steps
  const work = (await call('anna', 'GET', '/api/v1/work?horizon=90')).json;
  const mine = [...work.overdue, ...work.this_week].filter((a) => a.playbook_run_id === run.id);
  assert.ok(mine.length > 0, 'the first steps are due this week');
  for (const a of mine) assert.equal(a.playbook_name, pb.name);
  // progress, then done when every step is
  assert.ok(run.steps.some((s) => s.owner_id !== who.anna.id && s.owner_id !== who.director.id), 'a team role owns a step');
  assert.equal((await call('anna', 'PATCH', `/api/v1/actions/${run.steps[0].id}`, { status: 'done' })).status, 200);
  let now = (await call('anna', 'GET', `/api/v1/playbook-runs/${run.id}`)).json;
  assert.deepEqual([now.state, now.progress.done, now.steps[0].status], ['open', 1, 'done']);
  for (const s of run.steps) assert.equal((await call('anna', 'PATCH', `/api/v1/actions/${s.id}`, { status: 'done' })).status, 200);
  now = (await call('anna', 'GET', `/api/v1/playbook-runs/${run.id}`)).json;
  assert.deepEqual([now.state, now.progress.done, now.progress.total, now.progress.percent], ['done', pb.steps.length, pb.steps.length, 100]);
  assert.ok((await call('anna', 'GET', `/api/v1/accounts/${account.id}/playbook-runs?state=done`)).json.items.some((x) => x.id === run.id));
  assert.ok(!(await call('anna', 'GET', `/api/v1/accounts/${account.id}/playbook-runs?state=open`)).json.items.some((x) => x.id === run.id));
  // done: it may be started again
  assert.equal((await call('anna', 'POST', `/api/v1/accounts/${account.id}/playbook-runs`, { playbook_id: pb.id })).status, 201);
});

test('a run keeps the version it started with when the playbook is edited', async () => {
  const { account } = await accountWithPlan('anna');
  const made = (await call('director', 'POST', '/api/v1/playbooks', { name: 'Versioned', steps: [{ title: 'Step one', offset_days: 1 }] })).json;
  const run = (await call('anna', 'POST', `/api/v1/accounts/${account.id}/playbook-runs`, { playbook_id: made.id })).json;
  assert.equal(run.playbook_version, 1);
  const ed = (await call('director', 'PATCH', `/api/v1/playbooks/${made.id}`, { name: 'Versioned two', steps: [{ title: 'Other step' }, { title: 'Another' }] })).json;
  assert.equal(ed.version, 2);
  const again = (await call('anna', 'GET', `/api/v1/playbook-runs/${run.id}`)).json;
  assert.deepEqual([again.playbook_version, again.name, again.steps.map((s) => s.title)], [1, 'Versioned', ['Step one']]);
});

test('by hand: bad bodies, no active plan, a disabled playbook, and who may start one', async () => {
  // another KAM, and an account of Anna's they are not on the team of
  let account, other;
  for (const o of ['ben', 'chloe', 'dev']) {
    try { ({ account } = await accountWithPlan('anna', o)); other = o; break; } catch { /* next */ }
  }
  assert.ok(account, 'an account of anna\'s another KAM does not see');
  const pb = await byName('Detractor recovery');
  const path = `/api/v1/accounts/${account.id}/playbook-runs`;
  for (const [body, field] of [[{}, 'playbook_id'], [{ playbook_id: 'x' }, 'playbook_id'], [{ playbook_id: 99999 }, 'playbook_id'], [{ playbook_id: pb.id, extra: 1 }, 'extra']]) {
    const r = await call('anna', 'POST', path, body);
    assert.equal(r.status, 400, r.text);
    assert.ok(r.json.errors.some((e) => e.field === field), r.text);
  }
  // a new account without a plan: a clear 409
  const acc = await call('anna', 'POST', '/api/v1/accounts', { name: 'Planless Ltd', owner_id: who.anna.id, status: 'active' });
  assert.equal(acc.status, 201, acc.text);
  const np = await call('anna', 'POST', `/api/v1/accounts/${acc.json.id}/playbook-runs`, { playbook_id: pb.id });
  assert.equal(np.status, 409, np.text);
  assert.match(np.json.detail, /no active plan/);
  // disabled
  const off = (await call('director', 'POST', '/api/v1/playbooks', { name: 'Off', enabled: false, steps: [{ title: 'x' }] })).json;
  const r = await call('anna', 'POST', path, { playbook_id: off.id });
  assert.equal(r.status, 409, r.text);
  // viewers and members read but do not start; another KAM's account does not exist for them
  assert.equal((await call('viewer', 'POST', path, { playbook_id: pb.id })).status, 403);
  assert.equal((await call('mia', 'POST', path, { playbook_id: pb.id })).status, 403);
  const hidden = await call(other, 'POST', path, { playbook_id: pb.id });
  const none = await call(other, 'POST', '/api/v1/accounts/999999/playbook-runs', { playbook_id: pb.id });
  assert.equal(hidden.status, 404);
  assert.equal(none.status, 404);
  assert.equal(hidden.json.detail, none.json.detail, 'an invisible account answers like a missing one');
  // a director starts it on anyone's account
  const d = await call('director', 'POST', path, { playbook_id: pb.id });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.json.why.started_by.user_id, who.director.id);
  // reading: the other KAM gets 404s and an empty filtered list; the viewer reads
  assert.equal((await call(other, 'GET', `/api/v1/accounts/${account.id}/playbook-runs`)).status, 404);
  const gone = await call(other, 'GET', `/api/v1/playbook-runs/${d.json.id}`);
  const missing = await call(other, 'GET', '/api/v1/playbook-runs/999999');
  assert.equal(gone.status, 404);
  assert.equal(gone.json.detail, missing.json.detail);
  assert.deepEqual((await call(other, 'GET', `/api/v1/playbook-runs?account_id=${account.id}`)).json.items, []);
  assert.ok(!(await call(other, 'GET', '/api/v1/playbook-runs')).json.items.some((x) => x.account_id === account.id));
  assert.equal((await call('viewer', 'GET', `/api/v1/playbook-runs/${d.json.id}`)).status, 200);
  assert.equal((await call('anna', 'GET', '/api/v1/playbook-runs?state=late')).status, 400);
  assert.equal((await call('anna', 'GET', '/api/v1/playbook-runs?owner_id=x')).status, 400);
});

test('an alert rule starts its playbook once per alert, with why; closing the alert leaves the actions', async () => {
  assert.equal((await call('director', 'POST', '/api/v1/alerts/evaluate')).status, 200);
  const alerts = (await call('director', 'GET', '/api/v1/alerts?state=open&limit=500')).json.items.filter((a) => a.account_id);
  const rule = ['overdue_action', 'no_interaction', 'single_threaded', 'renewal_risk'].find((r) => alerts.some((a) => a.rule === r));
  assert.ok(rule, 'the demo has account alerts');
  const mine = alerts.filter((a) => a.rule === rule);
  const pb = (await call('director', 'POST', '/api/v1/playbooks', { name: `Answer ${rule}`, trigger: { kind: 'alert', rule, auto_start: true },
    steps: [{ title: 'Look into it', owner_role: 'kam', offset_days: 2 }, { title: 'Sponsor call', owner_role: 'executive_sponsor', offset_days: 7 }] })).json;
  assert.equal(pb.trigger.auto_start, true);
  const ev = await call('director', 'POST', '/api/v1/alerts/evaluate');
  assert.equal(ev.status, 200, ev.text);
  assert.equal(ev.json.playbooks_started, mine.length, ev.text);
  const runs = (await call('director', 'GET', '/api/v1/playbook-runs?limit=500')).json.items.filter((r) => r.playbook_id === pb.id);
  assert.equal(runs.length, mine.length);
  const run = runs[0];
  assert.equal(run.trigger.kind, 'alert');
  const alert = mine.find((a) => a.id === run.trigger.alert_id);
  assert.ok(alert);
  assert.equal(run.why.started_by.kind, 'rule');
  assert.equal(run.why.rule, rule);
  assert.equal(run.why.alert_id, alert.id);
  assert.ok(run.why.threshold && typeof run.why.threshold.value === 'number', JSON.stringify(run.why));
  assert.ok('value' in run.why.value && run.why.value.field, JSON.stringify(run.why));
  assert.ok(Array.isArray(run.why.rows));
  assert.equal(run.started_on, today);
  assert.equal(run.steps[0].due_on, addDays(today, 2));
  // once per trigger: evaluating again starts nothing
  assert.equal((await call('director', 'POST', '/api/v1/alerts/evaluate')).json.playbooks_started, 0);
  assert.equal((await call('director', 'GET', '/api/v1/playbook-runs?limit=500')).json.items.filter((r) => r.playbook_id === pb.id).length, mine.length);
  // the alert names its run and says why it fired
  const a = (await call('director', 'GET', `/api/v1/alerts/${alert.id}`)).json;
  assert.ok(a.runs.some((x) => x.id === run.id && x.name === pb.name), JSON.stringify(a.runs));
  assert.equal(a.why.rule, rule);
  assert.equal(a.why.started_by.kind, 'rule');
  // closing the alert does not close the actions
  assert.equal((await call('director', 'PATCH', `/api/v1/alerts/${alert.id}`, { state: 'resolved' })).status, 200);
  const after2 = (await call('director', 'GET', `/api/v1/playbook-runs/${run.id}`)).json;
  assert.ok(after2.steps.every((s) => s.status === 'open'));
  assert.equal(after2.state === 'done', false);
  // off again, so later evaluations leave the portfolio alone
  await call('director', 'PATCH', `/api/v1/playbooks/${pb.id}`, { trigger: { auto_start: false } });
});

test('every alert says why it fired: the rule, the threshold, the value that crossed it, the rows, and what started it', async () => {
  const list = (await call('director', 'GET', '/api/v1/alerts?limit=200')).json.items;
  assert.ok(list.length > 0);
  for (const a of list) {
    assert.ok(a.why, `alert ${a.id} has why`);
    assert.equal(a.why.rule, a.rule);
    assert.ok(a.why.condition, a.rule);
    assert.ok(a.why.threshold && typeof a.why.threshold.value === 'number' && a.why.threshold.unit, a.rule);
    assert.ok(a.why.value && a.why.value.field, a.rule);
    assert.equal(a.why.started_by.kind, 'rule');
    for (const r of a.why.rows) { assert.ok(r.kind && r.id && r.href && r.api, JSON.stringify(r)); }
  }
  // the value is the evidence's, the threshold the settings'
  const settings = (await call('admin', 'GET', '/api/v1/settings')).json;
  const od = list.find((a) => a.rule === 'overdue_action');
  if (od) {
    assert.equal(od.why.value.value, od.evidence.oldest_overdue_days);
    assert.equal(od.why.threshold.value, settings.alerts.overdue_action.threshold);
    assert.ok(od.why.rows.length > 0 && od.why.rows.every((r) => r.kind === 'action' && r.on_day < today && r.href === `#/accounts/${od.account_id}/plan`));
    // each row is readable through its link
    assert.equal((await call('director', 'GET', od.why.rows[0].api)).status, 200);
  }
  const sla = list.find((a) => a.rule === 'sla_breach');
  if (sla) assert.ok(sla.why.rows.every((r) => r.kind === 'case' && r.hours_past_target >= 0));
});

test('the review schedule starts QBR preparation days_before the next review, once', async () => {
  const { account, plan } = await accountWithPlan('anna');
  const qbr = await byName('QBR preparation');
  assert.equal((await call('director', 'PATCH', `/api/v1/playbooks/${qbr.id}`, { trigger: { auto_start: true } })).status, 200);
  // a review held today planning the next one in 10 days: inside the 21 days
  const rv = await call('anna', 'POST', '/api/v1/reviews', { plan_id: plan.id, held_on: today, kind: 'qbr', next_review_on: addDays(today, 10) });
  assert.equal(rv.status, 201, rv.text);
  assert.equal((await call('director', 'POST', '/api/v1/alerts/evaluate')).status, 200);
  const runs = (await call('anna', 'GET', `/api/v1/accounts/${account.id}/playbook-runs`)).json.items.filter((r) => r.playbook_id === qbr.id);
  assert.equal(runs.length, 1, JSON.stringify(runs.map((r) => r.why)));
  const run = runs[0];
  assert.equal(run.trigger.kind, 'review');
  assert.equal(run.trigger.review_id, rv.json.id);
  assert.equal(run.started_on, addDays(today, 10 - 21), 'offsets count from 21 days before the review');
  assert.equal(run.why.started_by.kind, 'schedule');
  assert.equal(run.why.started_by.review_on, addDays(today, 10));
  assert.equal(run.why.rows[0].kind, 'review');
  const last = qbr.steps.at(-1);
  assert.equal(run.steps.at(-1).due_on, addDays(today, 10 - 21 + last.offset_days));
  // once per review
  await call('director', 'POST', '/api/v1/alerts/evaluate');
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${account.id}/playbook-runs`)).json.items.filter((r) => r.playbook_id === qbr.id).length, 1);
  // a review further out than days_before waits
  const far = await accountWithPlan('anna');
  await call('anna', 'POST', '/api/v1/reviews', { plan_id: far.plan.id, held_on: today, kind: 'qbr', next_review_on: addDays(today, 40) });
  await call('director', 'POST', '/api/v1/alerts/evaluate');
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${far.account.id}/playbook-runs`)).json.items.filter((r) => r.playbook_id === qbr.id).length, 0);
  await call('director', 'PATCH', `/api/v1/playbooks/${qbr.id}`, { trigger: { auto_start: false } });
});

test('the director sees runs overdue across the portfolio; owner_id finds a person\'s runs', async () => {
  const { account, plan } = await accountWithPlan('anna');
  const made = (await call('director', 'POST', '/api/v1/playbooks', { name: 'Late one', steps: [{ title: 'Already late', offset_days: 0 }] })).json;
  const run = (await call('anna', 'POST', `/api/v1/accounts/${account.id}/playbook-runs`, { playbook_id: made.id })).json;
  // make the step late by moving its due date back
  assert.equal((await call('anna', 'PATCH', `/api/v1/actions/${run.steps[0].id}`, { due_on: addDays(today, -3) })).status, 200);
  const late = (await call('director', 'GET', '/api/v1/playbook-runs?state=overdue')).json.items;
  const mine = late.find((r) => r.id === run.id);
  assert.ok(mine, 'the late run is listed');
  assert.equal(mine.state, 'overdue');
  assert.equal(mine.progress.overdue, 1);
  assert.equal(mine.plan_id, plan.id);
  assert.ok((await call('director', 'GET', '/api/v1/playbook-runs?state=open')).json.items.some((r) => r.id === run.id), 'open includes overdue');
  assert.ok((await call('director', 'GET', `/api/v1/playbook-runs?owner_id=${who.anna.id}`)).json.items.some((r) => r.id === run.id));
  assert.ok(!(await call('director', 'GET', `/api/v1/playbook-runs?owner_id=${who.ben.id}`)).json.items.some((r) => r.id === run.id));
});

test('an automatic start on an account without an active plan makes one and says so; key_accounts_only holds', async () => {
  // a new active account with no contacts: "too few engaged contacts" fires at once
  const acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Planless Auto GmbH', owner_id: who.anna.id, status: 'active' })).json;
  const pb = (await call('director', 'POST', '/api/v1/playbooks', { name: 'Find a sponsor', trigger: { kind: 'alert', rule: 'single_threaded', auto_start: true },
    steps: [{ title: 'Map the buying centre', offset_days: 3, objective_title: 'A sponsor at Planless' }] })).json;
  const keyOnly = (await call('director', 'POST', '/api/v1/playbooks', { name: 'Key sponsor', trigger: { kind: 'alert', rule: 'single_threaded', auto_start: true, key_accounts_only: true },
    steps: [{ title: 'Key step' }] })).json;
  assert.equal((await call('director', 'POST', '/api/v1/alerts/evaluate')).status, 200);
  const runs = (await call('anna', 'GET', `/api/v1/accounts/${acc.id}/playbook-runs`)).json.items;
  const run = runs.find((r) => r.playbook_id === pb.id);
  assert.ok(run, JSON.stringify(runs));
  assert.ok(!runs.some((r) => r.playbook_id === keyOnly.id), 'not a key account');
  assert.equal(run.why.plan_created, true);
  const plan = (await call('anna', 'GET', `/api/v1/plans/${run.plan_id}`)).json;
  assert.equal(plan.status, 'active');
  assert.equal(plan.account_id, acc.id);
  assert.equal(plan.period_start, today);
  assert.equal(run.steps[0].objective_title, 'A sponsor at Planless');
  assert.equal(run.steps[0].owner_id, who.anna.id);
  for (const p of [pb, keyOnly]) await call('director', 'PATCH', `/api/v1/playbooks/${p.id}`, { enabled: false });
});
