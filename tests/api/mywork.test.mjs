// My work (GET /api/v1/work), the alerts inbox (GET /api/v1/alerts/inbox), the global search
// (GET /api/v1/search) and the no-contact grace period of a brand-new account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {};
const who = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna', 'ben', 'viewer'], 'mywork'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  for (const u of Object.keys(tok)) who[u] = (await call(u, 'GET', '/api/v1/me')).json;
  assert.equal((await call('director', 'POST', '/api/v1/alerts/evaluate')).status, 200);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (u, method, path, body, h) => api(srv.url, tok[u], method, path, body, h);
const visible = async (u, id) => (await call(u, 'GET', `/api/v1/accounts/${id}`)).status === 200;

test('my work lists my overdue and this week\'s actions, alerts by account, dates and quiet accounts', async () => {
  const r = await call('anna', 'GET', '/api/v1/work');
  assert.equal(r.status, 200, r.text);
  const w = r.json;
  assert.equal(w.owner.id, who.anna.id);
  assert.match(w.today, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(w.days, 45, 'days default: the no_interaction threshold');
  assert.equal(w.horizon, 90);
  for (const a of w.overdue) { assert.ok(a.due_on < w.today, a.due_on); assert.ok(a.account_name && 'owner_name' in a); }
  for (const a of w.this_week) assert.ok(a.due_on >= w.today && a.due_on <= w.week_end, a.due_on);
  assert.ok(w.overdue.length + w.this_week.length > 0, 'the demo has actions due');
  for (const g of w.alerts) {
    assert.ok(g.alerts.length > 0);
    for (const a of g.alerts) { assert.equal(a.state, 'open'); assert.ok(a.rule_label && a.rule_label !== a.rule); }
  }
  for (const d of w.dates) { assert.ok(['review', 'plan_end', 'renewal'].includes(d.kind)); assert.ok(d.days_away >= 0 && d.days_away <= 90); }
  for (const q of w.quiet) assert.ok(q.days_since === null || q.days_since >= 45);
  const ids = new Set([...w.overdue, ...w.this_week, ...w.dates, ...w.quiet].map((x) => x.account_id));
  for (const id of ids) assert.ok(await visible('anna', id), `account ${id} is anna's to see`);
  // an action due today (the server's today) is due this week, not overdue
  const plan = (await call('anna', 'GET', `/api/v1/plans?status=active&limit=1&account_id=${w.overdue[0]?.account_id ?? w.this_week[0].account_id}`)).json.items[0];
  const made = await call('anna', 'POST', '/api/v1/actions', { plan_id: plan.id, title: 'Call today', due_on: w.today, owner_id: who.anna.id });
  assert.equal(made.status, 201, made.text);
  const w2 = (await call('anna', 'GET', '/api/v1/work?horizon=30&days=10')).json;
  assert.ok(w2.this_week.some((a) => a.id === made.json.id));
  assert.ok(!w2.overdue.some((a) => a.id === made.json.id));
  assert.equal(w2.horizon, 30);
  for (const d of w2.dates) assert.ok(d.days_away <= 30);
});

test('a director sees a KAM\'s list; a KAM asking for another owner sees only what they may', async () => {
  const mine = (await call('anna', 'GET', '/api/v1/work')).json;
  const seen = (await call('director', 'GET', `/api/v1/work?owner=${who.anna.id}`)).json;
  assert.equal(seen.owner.id, who.anna.id);
  const ids = (w) => w.overdue.map((a) => a.id).sort();
  for (const id of ids(mine)) assert.ok(ids(seen).includes(id));
  const own = (await call('director', 'GET', '/api/v1/work')).json;
  assert.equal(own.owner.id, who.director.id);
  const other = await call('anna', 'GET', `/api/v1/work?owner=${who.ben.id}`);
  assert.equal(other.status, 200);
  const all = [...other.json.overdue, ...other.json.this_week, ...other.json.dates, ...other.json.quiet,
    ...other.json.alerts.filter((g) => g.account_id)];
  for (const x of all) assert.ok(await visible('anna', x.account_id), `anna sees account ${x.account_id}`);
  const benOwn = (await call('director', 'GET', `/api/v1/work?owner=${who.ben.id}`)).json;
  assert.ok(benOwn.overdue.length + benOwn.quiet.length + benOwn.dates.length >= all.length);
});

test('my work refuses bad parameters naming them', async () => {
  for (const [q, field] of [['days=0', 'days'], ['days=abc', 'days'], ['horizon=45', 'horizon'], ['owner=x', 'owner'],
    ['owner=999999', 'owner'], ['bogus=1', 'bogus']]) {
    const r = await call('anna', 'GET', `/api/v1/work?${q}`);
    assert.equal(r.status, 400, q);
    assert.ok(JSON.stringify(r.json).includes(field), `${q}: ${r.text}`);
  }
});

test('search finds what the caller may see, grouped by kind, bounded and literal', async () => {
  const accs = (await call('director', 'GET', '/api/v1/accounts?limit=100')).json.items;
  const hidden = [];
  for (const a of accs) if (!(await visible('anna', a.id))) hidden.push(a);
  assert.ok(hidden.length > 0);
  const name = hidden[0].name;
  const d = await call('director', 'GET', `/api/v1/search?q=${encodeURIComponent(name.slice(0, 6).toLowerCase())}`);
  assert.equal(d.status, 200, d.text);
  assert.ok(d.json.accounts.some((a) => a.id === hidden[0].id), 'the director finds it, any case');
  for (const k of ['accounts', 'contacts', 'actions', 'opportunities']) assert.ok(Array.isArray(d.json[k]), k);
  const a = await call('anna', 'GET', `/api/v1/search?q=${encodeURIComponent(name)}&limit=20`);
  assert.equal(a.status, 200);
  assert.ok(!a.json.accounts.some((x) => x.id === hidden[0].id), 'anna does not');
  for (const k of ['contacts', 'actions', 'opportunities'])
    for (const x of a.json[k]) assert.ok(await visible('anna', x.account_id), `${k} ${x.id}`);
  const broad = await call('director', 'GET', '/api/v1/search?q=an&limit=3');
  assert.ok(broad.json.accounts.length <= 3);
  const short = await call('anna', 'GET', '/api/v1/search?q=a');
  assert.equal(short.status, 200);
  assert.equal(short.json.accounts.length, 0);
  const long = await call('anna', 'GET', `/api/v1/search?q=${'x'.repeat(101)}`);
  assert.equal(long.status, 400);
  assert.ok(long.text.includes('"q"'), long.text);
  assert.equal((await call('anna', 'GET', '/api/v1/search?q=ab&limit=99')).status, 400);
  // % and _ are letters, not wildcards
  for (const q of ['%%', '__', "'%"]) {
    const r = await call('director', 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accounts.length + r.json.contacts.length + r.json.actions.length + r.json.opportunities.length, 0, q);
  }
});

test('the alerts inbox groups by account, sorts by severity × revenue and filters', async () => {
  const r = await call('director', 'GET', '/api/v1/alerts/inbox');
  assert.equal(r.status, 200, r.text);
  const g = r.json.groups;
  assert.ok(g.length > 1);
  for (let i = 1; i < g.length; i++) assert.ok(g[i - 1].priority >= g[i].priority, 'sorted by priority');
  const rank = { info: 1, warning: 2, critical: 3 };
  for (const x of g) {
    const worst = Math.max(...x.alerts.map((a) => rank[a.severity]));
    assert.equal(rank[x.severity], worst);
    assert.equal(x.priority, worst * Math.max(x.revenue_12m, 1));
    for (const a of x.alerts) { assert.equal(a.account_id, x.account_id); assert.equal(a.state, 'open'); }
  }
  const crit = (await call('director', 'GET', '/api/v1/alerts/inbox?severity=critical')).json;
  for (const x of crit.groups) for (const a of x.alerts) assert.equal(a.severity, 'critical');
  const rule = (await call('director', 'GET', '/api/v1/alerts/inbox?rule=no_interaction&state=all')).json;
  for (const x of rule.groups) for (const a of x.alerts) { assert.equal(a.rule, 'no_interaction'); assert.equal(a.rule_label, 'No contact for a while'); }
  const byAnna = (await call('director', 'GET', `/api/v1/alerts/inbox?owner=${who.anna.id}`)).json;
  assert.ok(byAnna.groups.length > 0);
  for (const x of byAnna.groups) if (x.account_id) assert.ok(await visible('anna', x.account_id));
  const anna = (await call('anna', 'GET', '/api/v1/alerts/inbox')).json;
  for (const x of anna.groups) if (x.account_id) assert.ok(await visible('anna', x.account_id));
  for (const [q, field] of [['rule=bogus', 'rule'], ['severity=high', 'severity'], ['state=x', 'state'], ['owner=0', 'owner']]) {
    const b = await call('director', 'GET', `/api/v1/alerts/inbox?${q}`);
    assert.equal(b.status, 400, q);
    assert.ok(b.text.includes(field), b.text);
  }
});

test('a brand-new account raises no "no interaction" alert within its grace period', async () => {
  const s = (await call('director', 'GET', '/api/v1/settings')).json;
  assert.equal(s.alerts.no_interaction.grace_days, 30);
  const a = await call('anna', 'POST', '/api/v1/accounts', { name: 'Fresh Start GmbH', owner_id: who.anna.id, status: 'active', currency: 'EUR' });
  assert.equal(a.status, 201, a.text);
  await call('director', 'POST', '/api/v1/alerts/evaluate');
  const of = async () => (await call('director', 'GET', `/api/v1/alerts?account_id=${a.json.id}&rule=no_interaction&limit=10`)).json.items;
  assert.equal((await of()).length, 0, 'no alert on the day it was created');
  const p = await call('director', 'PATCH', '/api/v1/settings', { alerts: { no_interaction: { grace_days: 0 } } });
  assert.equal(p.status, 200, p.text);
  await call('director', 'POST', '/api/v1/alerts/evaluate');
  assert.equal((await of()).length, 1, 'without a grace period it is raised at once');
  const bad = await call('director', 'PATCH', '/api/v1/settings', { alerts: { no_interaction: { grace_days: 400 } } });
  assert.equal(bad.status, 400);
  assert.ok(bad.text.includes('alerts.no_interaction.grace_days'), bad.text);
});

test('"today" and "this week" of My work are the installation\'s, not UTC\'s', async () => {
  // at 2026-03-01T23:30:00Z it is already 2 March in Tokyo
  const { t: t2, db: db2 } = demoDb();
  const k = tokens(db2, ['director', 'anna'], 'mywork-tz');
  const s2 = await serve(db2, { KAM_NOW: '2026-03-01T23:30:00Z', KAM_JOB_INTERVAL: '3600' });
  try {
    const c = (u, m, p, b) => api(s2.url, k[u], m, p, b);
    assert.equal((await c('director', 'PATCH', '/api/v1/settings', { time_zone: 'Asia/Tokyo' })).status, 200);
    const anna = (await c('anna', 'GET', '/api/v1/me')).json;
    const plan = (await c('anna', 'GET', '/api/v1/plans?status=active&limit=1')).json.items[0];
    const mk = async (title, due) => (await c('anna', 'POST', '/api/v1/actions', { plan_id: plan.id, title, due_on: due, owner_id: anna.id })).json.id;
    const yesterday = await mk('Due on the 1st', '2026-03-01');
    const today = await mk('Due on the 2nd', '2026-03-02');
    const last = await mk('Due on the 8th', '2026-03-08');
    const next = await mk('Due on the 9th', '2026-03-09');
    const w = (await c('anna', 'GET', '/api/v1/work')).json;
    assert.equal(w.today, '2026-03-02');
    assert.equal(w.week_end, '2026-03-08');
    assert.ok(w.overdue.some((a) => a.id === yesterday && a.days_overdue === 1), 'the 1st is overdue in Tokyo');
    for (const id of [today, last]) assert.ok(w.this_week.some((a) => a.id === id), `${id} is due this week`);
    assert.ok(![...w.overdue, ...w.this_week].some((a) => a.id === next), 'the 9th is next week');
  } finally {
    assert.equal(await s2.stop(), 0);
    t2.rm();
  }
});
