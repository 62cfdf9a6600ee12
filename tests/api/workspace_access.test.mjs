// Issue 19, "how it must hold": generated from the route table (the served OpenAPI document,
// which tests/api/openapi.test.mjs keeps equal to src/api/routes.c), this walks EVERY route
// with client members' sessions and proves:
//  - every staff route answers a client session exactly like a path nobody serves (404 "no
//    such resource"), whether the session is live or was ended by the member's removal, and
//    even for the member's own account's ids; public routes answer exactly as they do
//    without the cookie (the session adds nothing);
//  - every workspace route with an id answers another account's member, for this account's
//    ids, exactly as for an id that does not exist (and the other way round);
//  - planted markers: a unique string in every internal field of the account (notes, risks,
//    stakeholders, internal objectives and actions, review notes, unpublished minutes,
//    interactions, case descriptions, opportunities, competitors, coverage, transactions,
//    survey comments, the other account's shared records) and the revenue figure while it
//    is not shared are searched for in every workspace answer body (JSON, the plan's HTML
//    and the PDF's text); internal keys (health, score, attitude, …) must not appear at all.
// It prints its size: routes × actors and markers × answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { serve, api, demoDb, tokens, login } from '../lib/harness.mjs';
import { signIn, wsCall } from '../lib/workspace.mjs';

let t, db, srv;
const tok = {};
const markers = new Map(); // marker -> where it was planted
const mark = (where) => {
  const m = `zq${markers.size}x${randomBytes(4).toString('hex')}`;
  markers.set(m, where);
  return m;
};
const answers = []; // [what, body text] of every workspace answer
const size = { routes: 0, actors: 0, requests: 0 };

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'director'], 'wsaccess'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
const ok = async (w, m, p, b, want) => {
  const r = await call(w, m, p, b);
  assert.equal(r.status, want ?? (m === 'POST' ? 201 : 200), `${m} ${p}: ${r.text}`);
  return r.json;
};
const y = new Date().getUTCFullYear();

// An account of anna's with something shared and a marker in every internal field; its
// client member's contact raised a case.
async function account(name, internal) {
  const me = await ok('anna', 'GET', '/api/v1/me');
  const M = internal ? mark : () => `shared-${randomBytes(3).toString('hex')}`;
  const acc = (await ok('anna', 'POST', '/api/v1/accounts', { name, owner_id: me.id, notes: M('account.notes'), tags: [M('account.tags')] })).id;
  await ok('director', 'PATCH', `/api/v1/accounts/${acc}`, { external_id: M('account.external_id') });
  const plan = (await ok('anna', 'POST', '/api/v1/plans', {
    account_id: acc, title: `Plan ${y}`, period_start: `${y - 1}-01-01`, period_end: `${y + 1}-12-31`, status: 'active',
    situation: M('plan.situation'), initiatives: M('plan.initiatives'), swot_strengths: M('plan.swot_strengths'),
    swot_weaknesses: M('plan.swot_weaknesses'), swot_opportunities: M('plan.swot_opportunities'), swot_threats: M('plan.swot_threats'),
  })).id;
  const shared = `${name} shared objective`;
  const obj = (await ok('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: shared, client_visible: true })).id;
  await ok('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: M('objective.title (internal)'), metric: M('objective.metric (internal)') });
  const theirs = (await ok('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: `${name} their action`, side: 'theirs', client_visible: true, objective_id: obj })).id;
  await ok('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: M('action.title (internal)'), side: 'joint' });
  await ok('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: M('action.title (shared but cancelled)'), client_visible: true, status: 'cancelled' });
  const contact = (await ok('anna', 'POST', '/api/v1/contacts', { account_id: acc, name: `${name} Member`, email: `member@${acc}.example`, notes: M('contact.notes'), attitude: 'critic', influence: 5, decision_role: 'economic_buyer' })).id;
  const other = (await ok('anna', 'POST', '/api/v1/contacts', { account_id: acc, name: M('contact.name (not a member)'), title: M('contact.title'), phone: M('contact.phone') })).id;
  await ok('anna', 'POST', '/api/v1/risks', { account_id: acc, title: M('risk.title'), category: 'competitive', probability: 4, impact: 5, mitigation: M('risk.mitigation') });
  await ok('anna', 'POST', '/api/v1/interactions', { account_id: acc, kind: 'call', occurred_at: `${y}-01-05T10:00:00Z`, summary: M('interaction.summary'), next_step: M('interaction.next_step'), contact_ids: [contact] });
  await ok('anna', 'POST', '/api/v1/cases', { account_id: acc, title: `${name} printer jam`, severity: 'high', description: M('case.description'), contact_id: contact });
  await ok('anna', 'POST', '/api/v1/cases', { account_id: acc, title: M('case.title (raised by a non-member)'), severity: 'low', contact_id: other });
  await ok('anna', 'POST', '/api/v1/opportunities', { account_id: acc, name: M('opportunity.name'), kind: 'upsell', amount: 1000, currency: 'EUR' });
  await ok('anna', 'POST', '/api/v1/competitors', { account_id: acc, name: M('competitor.name'), notes: M('competitor.notes'), products: M('competitor.products') });
  await ok('anna', 'POST', '/api/v1/coverage', { account_id: acc, contact_id: contact, user_id: me.id, strength: 2, notes: M('coverage.notes') });
  await ok('anna', 'POST', '/api/v1/units', { account_id: acc, name: M('unit.name') });
  await ok('anna', 'POST', '/api/v1/surveys', { account_id: acc, kind: 'nps', contact_id: other, answered_on: `${y}-01-10`, score: 2, comment: M('survey.comment') });
  await ok('anna', 'POST', '/api/v1/reviews', { plan_id: plan, held_on: `${y}-01-15`, kind: 'internal', notes: M('review.notes (internal review)') });
  const rev = await ok('anna', 'POST', `/api/v1/plans/${plan}/reviews`, { proposed_on: `${y + 1}-06-01`, agenda: ['Uptime'] });
  await ok('anna', 'PATCH', `/api/v1/reviews/${rev.id}`, { notes: M('review.notes (joint review)'), minutes: M('review.minutes (unpublished)') });
  const sr = await ok('anna', 'POST', `/api/v1/accounts/${acc}/survey-requests`, { kind: 'nps' });
  const m = await ok('anna', 'POST', `/api/v1/accounts/${acc}/client-members`, { name: `${name} Member`, email: `member@${acc}.example`, contact_id: contact });
  return { acc, plan, obj, theirs, contact, rev: rev.id, sr: sr.id, m, shared };
}

let A, B, sA, sB, gone, staffIds;

test('setup: two accounts, markers planted in A, client members of each signed in', async () => {
  A = await account('Acme', true);
  B = await account('Borealis', false);
  // A's revenue: a figure that must not show while A does not share revenue
  const amount = 7777000 + Math.floor(Math.random() * 999);
  markers.set(String(amount), 'revenue (not shared)');
  await ok('anna', 'POST', '/api/v1/transactions', { account_id: A.acc, booked_on: `${y}-0${new Date().getUTCMonth() < 2 ? 1 : 2}-01`.slice(0, 10), amount, currency: 'EUR', external_id: mark('transaction.external_id') });
  // markers of the other account: its shared records are internal to A's member
  const bObj = mark("the other account's shared objective");
  await ok('anna', 'PATCH', `/api/v1/objectives/${B.obj}`, { title: bObj });
  sA = await signIn(srv.url, A.m.link);
  sB = await signIn(srv.url, B.m.link);
  assert.equal(sA.status, 201);
  assert.equal(sB.status, 201);
  // a member removed after signing in: their cookie is still sent, the session is gone
  const g = await ok('anna', 'POST', `/api/v1/accounts/${A.acc}/client-members`, { name: mark('removed member name'), email: 'gone@acme.example' });
  gone = await signIn(srv.url, g.link);
  assert.equal((await call('anna', 'DELETE', `/api/v1/client-members/${g.id}`)).status, 204);
  // ids of A's own records for the staff routes: the member asks for their own account
  staffIds = { accounts: A.acc, contacts: A.contact, plans: A.plan, objectives: A.obj, actions: A.theirs, reviews: A.rev, 'client-members': A.m.id };
});

// the path with its parameters filled: A's ids where the resource is known, else 1
function fill(path) {
  const res = path.split('/')[3];
  return path.replace('{id}', String(staffIds[res] ?? 1)).replace('{user_id}', '1').replace('{share_id}', '1').replace('{token}', 'ws_not-a-token');
}

const send = (s, method, path, body) => wsCall(srv.url, s, method, path, body);
const bare = async (method, path, body) => {
  const h = body === undefined ? {} : { 'Content-Type': 'application/json' };
  const r = await fetch(srv.url + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
};

test('every staff route answers a client session as a path nobody serves (404), and public routes as without the cookie', async () => {
  const doc = (await fetch(srv.url + '/api/v1/openapi.json')).json ? await (await fetch(srv.url + '/api/v1/openapi.json')).json() : null;
  const nobody = await send(sA, 'GET', '/api/v1/no-such-route');
  assert.equal(nobody.status, 404);
  const actors = { 'live client session': sA, 'session ended by removal': gone, 'client of the other account': sB };
  size.actors = Object.keys(actors).length;
  const problems = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      size.routes++;
      if (path.startsWith('/api/v1/workspace')) continue; // the client's own routes: below
      const p = fill(path), m = method.toUpperCase();
      const body = ['POST', 'PUT', 'PATCH'].includes(m) ? {} : undefined;
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      for (const [who, s] of Object.entries(actors)) {
        size.requests++;
        const r = await send(s, m, p, body);
        if (isPublic) {
          const plain = await bare(m, p, body);
          if (r.status !== plain.status) problems.push(`${m} ${path} (public) as ${who}: ${r.status}, without the cookie ${plain.status}`);
        } else if (r.status !== 404 || r.json?.detail !== nobody.json.detail) {
          problems.push(`${m} ${path} as ${who}: ${r.status} ${r.text.slice(0, 120)}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(size.routes > 200, `the walk covered ${size.routes} routes`);
});

// Every workspace request with an id: the other account's id must answer exactly as a
// missing id does (status and body), for both members.
test("every workspace route answers another account's ids exactly as missing ones", async () => {
  const routes = (s, o) => [
    ['PATCH', `/api/v1/workspace/actions/${o.theirs}`, { status: 'done' }, '/api/v1/workspace/actions/987654321'],
    ['POST', `/api/v1/workspace/reviews/${o.rev}/confirm`, undefined, '/api/v1/workspace/reviews/987654321/confirm'],
    ['POST', `/api/v1/workspace/reviews/${o.rev}/propose`, { proposed_on: `${y + 1}-06-02` }, '/api/v1/workspace/reviews/987654321/propose'],
    ['POST', `/api/v1/workspace/reviews/${o.rev}/agenda`, { item: 'x' }, '/api/v1/workspace/reviews/987654321/agenda'],
    ['POST', `/api/v1/workspace/surveys/${o.sr}/answer`, { score: 5 }, '/api/v1/workspace/surveys/987654321/answer'],
    ['POST', '/api/v1/workspace/comments', { objective_id: o.obj, body: 'x' }, '/api/v1/workspace/comments', { objective_id: 987654321, body: 'x' }],
    ['POST', '/api/v1/workspace/comments', { action_id: o.theirs, body: 'x' }, '/api/v1/workspace/comments', { action_id: 987654321, body: 'x' }],
    ['POST', '/api/v1/workspace/actions', { title: 'x', objective_id: o.obj }, '/api/v1/workspace/actions', { title: 'x', objective_id: 987654321 }],
  ];
  const problems = [];
  for (const [s, other] of [[sA, B], [sB, A]]) {
    for (const [m, p, b, missing, mb] of routes(s, other)) {
      const r = await send(s, m, p, b);
      const n = await send(s, m, missing, mb ?? b);
      answers.push([`${m} ${p} (other account)`, r.text]);
      if (r.status !== n.status || r.text !== n.text || ![400, 404].includes(r.status))
        problems.push(`${m} ${p}: ${r.status} ${r.text} — missing: ${n.status} ${n.text}`);
    }
  }
  assert.deepEqual(problems, []);
  // and the other account's records did not move
  assert.equal((await ok('anna', 'GET', `/api/v1/actions/${A.theirs}`)).status, 'open');
  assert.deepEqual((await ok('anna', 'GET', `/api/v1/accounts/${A.acc}/workspace-comments`)).items, []);
});

test('the workspace routes answer nobody but a live client session: staff tokens, staff sessions and ended sessions get 401', async () => {
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  const staff = await login(srv.url, 'anna@example.com');
  const problems = [];
  let n = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/workspace')) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (Array.isArray(op.security) && op.security.length === 0) continue; // sign-in itself
      const p = path.replace('{id}', String(A.theirs)), m = method.toUpperCase();
      const body = ['POST', 'PUT', 'PATCH'].includes(m) ? {} : undefined;
      for (const [who, r] of [
        ['staff token', await api(srv.url, tok.anna, m, p, body)],
        ['staff session', await wsCall(srv.url, { cookie: staff.cookie, csrf: staff.csrf }, m, p, body)],
        ['ended session', await send(gone, m, p, body)],
      ]) {
        n++;
        if (r.status !== 401) problems.push(`${m} ${path} with a ${who}: ${r.status}`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(n >= 36, `${n} requests`);
  size.workspaceRequests = n;
});

test('hostile ids and bodies on every workspace route get a 4xx, never a 5xx, from a client session', async () => {
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  const ids = ['0', '-1', '9223372036854775807', '9223372036854775808', '1e3', 'abc', '%00', '..%2F..', "1'%20OR%201=1"];
  const values = [null, true, -1, 0, 2 ** 63, 1e308, '', 'x'.repeat(100000), [], {}, [[[]]], '2999-13-45', '\u202e', "'; DROP TABLE actions; --"];
  const keys = ['status', 'due_on', 'title', 'objective_id', 'action_id', 'body', 'proposed_on', 'item', 'score', 'comment', 'token', 'zzz'];
  const problems = [];
  let n = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/workspace')) continue;
    for (const method of Object.keys(ops)) {
      const m = method.toUpperCase();
      if (m === 'DELETE' && path === '/api/v1/workspace/session') continue; // signs out
      const paths = path.includes('{id}') ? ids.map((i) => path.replace('{id}', i)) : [path];
      for (const p of paths) {
        const bodies = ['POST', 'PATCH'].includes(m) ? [...values.map((v, i) => ({ [keys[i % keys.length]]: v })), ...keys.map((k, i) => ({ [k]: values[(i * 5) % values.length] })), values[3], 'null'] : [undefined];
        for (const b of bodies) {
          const r = await send(sA, m, p, b);
          n++;
          if (r.status >= 500 || r.status < 200) problems.push(`${m} ${p} ${JSON.stringify(b)?.slice(0, 60)}: ${r.status}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.equal((await send(sA, 'GET', '/api/v1/workspace')).status, 200, 'the session still works');
  size.hostile = n;
});

const FORBIDDEN_KEYS = ['notes', 'attitude', 'influence', 'decision_role', 'health', 'score', 'tier', 'segment',
  'mitigation', 'situation', 'probability', 'impact', 'description', 'external_id', 'revenue_12m', 'phone',
  'initiatives', 'swot_strengths', 'relationship_strength', 'strategic_importance', 'summary'];

function keysOf(v, path, out) {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, path, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(`${path}.${k}`); keysOf(x, `${path}.${k}`, out); }
  return out;
}

test('planted markers: no internal field reaches any workspace answer', async () => {
  // the client's writes, each answer kept
  const w = async (m, p, b) => { const r = await send(sA, m, p, b); assert.ok(r.status < 300, `${m} ${p}: ${r.text}`); answers.push([`${m} ${p}`, r.text]); return r; };
  await w('PATCH', `/api/v1/workspace/actions/${A.theirs}`, { status: 'in_progress' });
  await w('POST', '/api/v1/workspace/actions', { title: 'Client proposal', objective_id: A.obj });
  await w('POST', '/api/v1/workspace/comments', { objective_id: A.obj, body: 'A comment' });
  await w('POST', `/api/v1/workspace/reviews/${A.rev}/agenda`, { item: 'Spares' });
  await w('POST', `/api/v1/workspace/reviews/${A.rev}/propose`, { proposed_on: `${y + 1}-06-03` });
  await w('POST', `/api/v1/workspace/reviews/${A.rev}/confirm`);
  await w('POST', `/api/v1/workspace/surveys/${A.sr}/answer`, { score: 8 });
  const views = async () => {
    const v = await w('GET', '/api/v1/workspace');
    await w('GET', '/api/v1/workspace/session');
    await w('GET', '/api/v1/workspace/plan.html');
    const pdf = await fetch(srv.url + '/api/v1/workspace/plan.pdf', { headers: { Cookie: sA.cookie } });
    assert.equal(pdf.status, 200);
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(await pdf.arrayBuffer()), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    answers.push(['GET /api/v1/workspace/plan.pdf (text)', text]);
    return v.json;
  };
  const v = await views();
  // positive controls: what is shared is there, so the search is not vacuous
  const all = answers.map(([, b]) => b).join('\n');
  for (const s of ['Acme shared objective', 'Acme their action', 'Acme printer jam', 'Uptime', 'Client proposal', 'A comment'])
    assert.ok(all.includes(s), `the shared "${s}" is in the answers`);
  assert.equal(v.revenue, null);
  const leaks = [];
  for (const [what, body] of answers)
    for (const [m, where] of markers) if (body.includes(m)) leaks.push(`${where} in ${what}`);
  for (const [what, body] of answers) {
    let j;
    try { j = JSON.parse(body); } catch { continue; }
    for (const k of keysOf(j, '', [])) if (FORBIDDEN_KEYS.includes(k.slice(k.lastIndexOf('.') + 1))) leaks.push(`key ${k} in ${what}`);
  }
  assert.deepEqual(leaks, []);
  console.log(`# workspace access: ${size.routes} routes × ${size.actors} client actors (${size.requests} staff-route requests, ` +
    `${size.workspaceRequests} workspace-route requests by non-clients, ${size.hostile} hostile ones by a client); ` +
    `${markers.size} planted markers × ${answers.length} workspace answers`);
  // once the KAM shares revenue, the figure shows: the revenue marker was a live one
  await ok('anna', 'PATCH', `/api/v1/accounts/${A.acc}`, { workspace_shares_revenue: true });
  const shared = (await send(sA, 'GET', '/api/v1/workspace')).json;
  assert.equal(String(shared.revenue.revenue_12m), [...markers].find(([, w]) => w === 'revenue (not shared)')[0]);
});
