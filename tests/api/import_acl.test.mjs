// An invisible record is indistinguishable from a missing one, through every door (issue 11
// item 2, DESIGN §2). The matrix is generated: the routes from GET /api/v1/openapi.json, the
// import kinds from the server's own refusal of an unknown kind, the exports from the list
// routes. For each demo role, each object of an account the role cannot see is compared with
// a value that names nothing (a ghost): same status, same message once the value is replaced
// by a placeholder, same counts. Any difference is a leak and fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { kam, serve, api, demoDb } from '../lib/harness.mjs';

const ROLES = { admin: 'admin', director: 'director', kam: 'anna', member: 'mia', viewer: 'viewer' };
const GHOST_ID = 987654321;
const R = Math.random().toString(36).slice(2, 8);
let t, db, srv, spec;
const tok = {};
const me = {};

before(async () => {
  ({ t, db } = demoDb());
  for (const who of Object.values(ROLES))
    tok[who] = kam(['token', 'create', '--email', `${who}@example.com`, '--name', 'acl', '--db', db]).trim();
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  spec = (await call('admin', 'GET', '/api/v1/openapi.json')).json;
  for (const who of Object.values(ROLES)) me[who] = (await call(who, 'GET', '/api/v1/me')).json;
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (who, method, path, body) => api(srv.url, tok[who], method, path, body);

async function all(who, path) {
  const out = [];
  let cursor = '';
  for (;;) {
    const r = await call(who, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, `${who} GET ${path}: ${r.text}`);
    out.push(...r.json.items);
    if (!r.json.next_cursor) return out;
    cursor = r.json.next_cursor;
  }
}

async function upload(who, csv, query) {
  const r = await fetch(`${srv.url}/api/v1/imports?${new URLSearchParams(query)}`, {
    method: 'POST', headers: { Authorization: `Bearer ${tok[who]}`, 'Content-Type': 'text/csv' }, body: csv,
  });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { json = null; }
  return { status: r.status, json, text };
}

// --- what the answer looks like once the probed value is taken out ----------------------

const esc = (s) => String(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Replaces each value (longest first, so a value's typo does not eat part of it) by its tag.
function blind(text, values) {
  let s = String(text);
  for (const [v, tag] of Object.entries(values).sort((a, b) => b[0].length - a[0].length))
    // an id stands alone: not the "2" inside the random probe name "hk0k2s"
    s = s.replace(new RegExp(/^\d+$/.test(v) ? `(?<![0-9A-Za-z])${esc(v)}(?![0-9A-Za-z])` : esc(v), 'g'), tag);
  return s;
}
// The parts of an answer a caller sees, without what differs between any two requests.
function answer(r, values) {
  let body = r.json ?? r.text;
  if (body && typeof body === 'object' && 'rows_total' in body) // an import record
    body = { status: body.status, rows_total: body.rows_total, created: body.created, updated: body.updated,
      unchanged: body.unchanged, rejected: body.rejected, errors: body.errors };
  if (typeof body === 'string') // CSV: a row's own id and time stamps differ between any two rows
    body = body.replace(/^"?\d+"?,/gm, '<ID>,').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<T>');
  if (typeof body === 'string') return JSON.stringify({ status: r.status, body: blind(body, values) });
  // in JSON only the texts are blinded: a line number is not an id
  return JSON.stringify({ status: r.status, body }, (k, v) =>
    (['instance', 'id', 'created_at', 'updated_at', 'version'].includes(k) ? undefined : typeof v === 'string' ? blind(v, values) : v));
}

const leaks = [];
let cells = 0; // questions asked in pairs by the current test
// Asks the same question about the invisible value and the ghost value; records a leak.
const tags = (v) => (typeof v === 'number' ? { [v]: '<V>' } : { [v]: '<V>', [String(v).slice(0, -1)]: '<V->' });
async function probe(where, role, seen, ghost, ask) {
  cells++;
  const a = answer(await ask(seen), tags(seen));
  const b = answer(await ask(ghost), tags(ghost));
  if (a !== b) leaks.push(`${role} ${where}\n    invisible: ${a.slice(0, 400)}\n    missing:   ${b.slice(0, 400)}`);
  return a;
}

// --- the world: per role, an account it cannot see, with one record of every kind ------

const schemaOf = (path, method) => {
  const ref = spec.paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema?.$ref;
  return ref ? spec.components.schemas[ref.split('/').pop()] : null;
};
// A valid body for POST path from its schema: required fields only, references from ctx.
function bodyFor(path, ctx) {
  const s = schemaOf(path, 'post');
  const b = {};
  for (const name of s.required || []) {
    const p = s.properties[name];
    const refs = { account_id: ctx.account, plan_id: ctx.plan, contact_id: ctx.contact, reports_to_id: ctx.contact,
      unit_id: ctx.unit, user_id: ctx.user, owner_id: ctx.user, parent_id: ctx.account };
    if (name in refs) b[name] = refs[name];
    else if (p.enum) b[name] = p.enum[0];
    else if (name === 'currency') b[name] = 'EUR';
    else if (p.format === 'date') b[name] = /end|due/.test(name) ? '2026-12-31' : '2026-01-05';
    else if (p.format === 'date-time') b[name] = '2026-01-05T10:00:00Z';
    else if ([].concat(p.type).includes('integer')) b[name] = Math.max(p.minimum ?? 1, Math.min(1, p.maximum ?? 1));
    else b[name] = `Probe ${name} ${R}`;
  }
  return b;
}
// The collections whose records belong to an account, in an order that lets each refer to
// the previous ones (a plan before its objectives).
function accountCollections() {
  const out = [];
  for (const path of Object.keys(spec.paths)) {
    const s = schemaOf(path, 'post');
    if (!s || !/^\/api\/v1\/[a-z-]+$/.test(path)) continue;
    if ('account_id' in s.properties || 'plan_id' in s.properties) out.push(path);
  }
  const rank = (p) => (p.endsWith('/contacts') ? 0 : p.endsWith('/plans') ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b));
}

const worlds = {}; // account id → {account, records: {collection path → record}}
// Fills account a (as admin) with one record of every kind, each with unique probe names.
async function world(accountId) {
  if (worlds[accountId]) return worlds[accountId];
  // names far apart from every other name, so no suggestion can come from elsewhere
  const w = () => Array.from(randomBytes(10), (b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('');
  const ext = `FX-${w()}`;
  const acc = (await call('admin', 'PATCH', `/api/v1/accounts/${accountId}`, { name: `Forgnacct ${w()}`, external_id: ext })).json;
  assert.equal(acc.external_id, ext, JSON.stringify(acc));
  const ctx = { account: accountId, user: me.admin.id };
  const records = {};
  for (const coll of accountCollections()) {
    const body = bodyFor(coll, ctx);
    const props = schemaOf(coll, 'post').properties;
    if ('external_id' in props) body.external_id = `FR-${w()}`;
    if (coll.endsWith('/contacts')) Object.assign(body, { name: `Forgnperson ${w()}`, email: `forgn.${w()}@client.example` });
    if (coll.endsWith('/units')) body.name = `Forgnunit ${w()}`;
    const r = await call('admin', 'POST', coll, body);
    assert.equal(r.status, 201, `admin POST ${coll} ${JSON.stringify(body)}: ${r.text}`);
    records[coll] = r.json;
    if (coll.endsWith('/contacts')) ctx.contact = r.json.id;
    if (coll.endsWith('/plans')) ctx.plan = r.json.id;
    if (coll.endsWith('/units')) ctx.unit = r.json.id;
  }
  worlds[accountId] = { account: acc, records };
  return worlds[accountId];
}

// Per role: the accounts it sees, one it cannot see (filled), and one it may write.
async function roleView(role) {
  const who = ROLES[role];
  const every = await all('admin', '/api/v1/accounts');
  const mine = new Set((await all(who, '/api/v1/accounts')).map((a) => a.id));
  const hidden = every.filter((a) => !mine.has(a.id));
  const own = every.find((a) => a.owner_id === me[who].id) || every.find((a) => mine.has(a.id));
  return { who, mine, hidden, own, foreign: hidden.length ? await world(hidden[0].id) : null };
}

const ghostOf = (v) => (typeof v === 'number' ? GHOST_ID : String(v).replace(/Forgn/g, 'Ghost').replace(/forgn/g, 'ghost').replace(/^F([XR])-/, 'G$1-'));

// --- the matrix -------------------------------------------------------------------------

test('roles that see every account have no invisible account; kam and member do', async () => {
  for (const role of ['admin', 'director', 'viewer']) assert.equal((await roleView(role)).hidden.length, 0, role);
  for (const role of ['kam', 'member']) assert.ok((await roleView(role)).hidden.length > 0, role);
});

test('REST: every route with an object id answers for an invisible object as for a missing one', async (tt) => {
  cells = 0;
  leaks.length = 0;
  for (const role of Object.keys(ROLES)) {
    const v = await roleView(role);
    if (!v.foreign) continue;
    const objects = { accounts: v.foreign.account.id };
    for (const [coll, rec] of Object.entries(v.foreign.records)) objects[coll.split('/').pop()] = rec.id;
    for (const [path, ops] of Object.entries(spec.paths)) {
      const m = path.match(/^\/api\/v1\/([a-z-]+)\/\{id\}/);
      if (!m || !(m[1] in objects)) continue;
      for (const method of Object.keys(ops)) {
        const url = (id) => path.replace('{id}', id).replace(/\{[a-z_]+\}/g, String(me[v.who].id));
        const body = ['post', 'patch', 'put'].includes(method) ? {} : undefined;
        await probe(`${method.toUpperCase()} ${path}`, role, objects[m[1]], GHOST_ID,
          (id) => call(v.who, method.toUpperCase(), url(id), body));
      }
    }
  }
  // query parameters that name an account (not in the OpenAPI parameters of these routes)
  for (const role of Object.keys(ROLES)) {
    const v = await roleView(role);
    if (!v.foreign) continue;
    for (const path of ['/api/v1/kpis', '/api/v1/kpis/rows'])
      await probe(`GET ${path}?scope=account&id=`, role, v.foreign.account.id, GHOST_ID,
        (id) => call(v.who, 'GET', `${path}?scope=account&id=${id}&from=2026-01-01&to=2026-02-01`));
  }
  tt.diagnostic(`${cells} questions`);
  assert.ok(cells > 50, `only ${cells} cells`);
  assert.deepEqual(leaks.splice(0), []);
});

test('REST: a reference in a body (parent_id, account_id, contact ids…) to an invisible record answers like a missing one', async (tt) => {
  cells = 0;
  leaks.length = 0;
  const refColl = { account_id: 'accounts', parent_id: 'accounts', contact_id: 'contacts', reports_to_id: 'contacts',
    contact_ids: 'contacts', plan_id: 'plans', unit_id: 'units' };
  for (const role of Object.keys(ROLES)) {
    const v = await roleView(role);
    if (!v.foreign) continue;
    const foreign = { accounts: v.foreign.account.id };
    for (const [coll, rec] of Object.entries(v.foreign.records)) foreign[coll.split('/').pop()] = rec.id;
    // the caller's own records to fill the other references with
    const ctx = { account: v.own.id, user: me[v.who].id };
    const mineOf = async (coll) => (await all(v.who, `/api/v1/${coll}?account_id=${v.own.id}`))[0]?.id;
    ctx.contact = await mineOf('contacts');
    ctx.plan = await mineOf('plans');
    ctx.unit = await mineOf('units');
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (!ops.post || !schemaOf(path, 'post') || !/^\/api\/v1\/[a-z-]+$/.test(path)) continue;
      const props = schemaOf(path, 'post').properties;
      for (const field of Object.keys(props).filter((f) => f in refColl)) {
        const base = bodyFor(path, ctx);
        const put = (id) => ({ ...base, [field]: field.endsWith('_ids') ? [id] : id });
        await probe(`POST ${path} ${field}`, role, foreign[refColl[field]], GHOST_ID, (id) => call(v.who, 'POST', path, put(id)));
        const patch = schemaOf(path.replace(/$/, '/{id}'), 'patch') ? path + '/{id}' : null;
        const target = path.endsWith('/accounts') ? v.own.id : await mineOf(path.split('/').pop());
        if (patch && target && field !== 'account_id' && field !== 'plan_id') {
          await probe(`PATCH ${patch} ${field}`, role, foreign[refColl[field]], GHOST_ID,
            (id) => call(v.who, 'PATCH', `${path}/${target}`, { [field]: field.endsWith('_ids') ? [id] : id }));
        }
      }
    }
  }
  tt.diagnostic(`${cells} questions`);
  assert.ok(cells > 20, `only ${cells} cells`);
  assert.deepEqual(leaks.splice(0), []);
});

// The import kinds, as the server names them when asked for one it does not know.
async function importKinds() {
  const r = await upload('admin', 'name\nx\n', { kind: 'no-such-kind', dry_run: 'true' });
  assert.equal(r.status, 400);
  const msg = r.json.errors.find((e) => e.field === 'kind').message;
  return msg.replace(/^is one of /, '').split(/,\s*/).map((k) => k.trim());
}

const csvCell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const csvOf = (row) => `${Object.keys(row).join(',')}\n${Object.values(row).map(csvCell).join(',')}\n`;

test('imports: every kind looks up, matches, suggests and counts only what the caller sees', async (tt) => {
  const kinds = await importKinds();
  assert.ok(kinds.includes('accounts') && kinds.includes('transactions'), kinds.join());
  cells = 0;
  leaks.length = 0;
  for (const role of Object.keys(ROLES)) {
    const v = await roleView(role);
    if (!v.foreign) continue;
    const F = v.foreign;
    const contact = F.records['/api/v1/contacts'];
    const ask = (csv) => upload(v.who, csv, { kind, dry_run: 'true' });
    let kind;
    for (kind of kinds) {
      // targets belong to no account (directors and admins set them; users are no secret):
      // tests/api/forecast.test.mjs covers their import
      if (kind === 'targets') continue;
      const coll = `/api/v1/${kind}`;
      const s = schemaOf(coll, 'post');
      assert.ok(s, `no POST ${coll} for import kind ${kind}`);
      const base = bodyFor(coll, { account: v.own.id, user: me[v.who].id });
      delete base.plan_id;
      const row = (over) => {
        const r = { ...base, ...over };
        for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
        return csvOf(r);
      };
      const cases = [];
      if ('account_id' in s.properties) {
        const acc = { account_id: undefined };
        cases.push(['account by name', F.account.name, (x) => row({ ...acc, account: x })]);
        cases.push(['account by a typo of its name (did you mean)', F.account.name.slice(0, -1) + 'x', (x) => row({ ...acc, account: x })]);
        cases.push(['account by external id', F.account.external_id, (x) => row({ ...acc, account_ext: x })]);
        cases.push(['account by id', F.account.id, (x) => row({ account_id: x })]);
      }
      if (kind === 'accounts') {
        cases.push(['parent by name', F.account.name, (x) => row({ parent: x })]);
        cases.push(['parent by a typo of its name (did you mean)', F.account.name.slice(0, -1) + 'x', (x) => row({ parent: x })]);
        cases.push(['parent by external id', F.account.external_id, (x) => row({ parent_ext: x })]);
        cases.push(['parent_id', F.account.id, (x) => row({ parent_id: x })]);
        cases.push(['match by name (unchanged/updated)', F.account.name, (x) => row({ name: x, currency: F.account.currency })]);
        cases.push(['match by external id', F.account.external_id, (x) => row({ external_id: x })]);
      }
      const rec = F.records[coll];
      if (rec?.external_id) cases.push(['match by external id', rec.external_id, (x) => row({ external_id: x })]);
      if (kind === 'contacts') {
        cases.push(['match by e-mail', contact.email, (x) => row({ email: x })]);
        cases.push(['match by e-mail in the contact\'s own account', contact.email, (x) => row({ account_id: F.account.id, email: x })]);
      }
      for (const [field, col] of [['contact_id', 'contact'], ['contact_ids', 'contacts'], ['reports_to_id', 'reports_to']])
        if (field in s.properties) {
          cases.push([`${col} by e-mail`, contact.email, (x) => row({ [col]: x })]);
          cases.push([`${col} by name`, contact.name, (x) => row({ [col]: x })]);
          cases.push([`${col} by a typo of its name (did you mean)`, contact.name.slice(0, -1) + 'x', (x) => row({ [col]: x })]);
        }
      for (const [what, seen, csv] of cases) {
        await probe(`import ${kind}: ${what}`, role, seen, ghostOf(seen), (x) => ask(csv(x)));
      }
    }
    // the other bulk door: POST /api/v1/transactions/bulk, idempotent by external id
    const txn = F.records['/api/v1/transactions'];
    await probe('POST /api/v1/transactions/bulk: external id', role, txn.external_id, ghostOf(txn.external_id), (x) =>
      fetch(`${srv.url}/api/v1/transactions/bulk`, {
        method: 'POST', headers: { Authorization: `Bearer ${tok[v.who]}`, 'Content-Type': 'application/x-ndjson' },
        body: JSON.stringify({ account_id: v.own.id, booked_on: txn.booked_on, amount: txn.amount, currency: txn.currency, external_id: x }) + '\n',
      }).then(async (r) => ({ status: r.status, text: await r.text() })));
  }
  tt.diagnostic(`${cells} questions`);
  assert.ok(cells > 30, `only ${cells} cells`);
  assert.deepEqual(leaks.splice(0), []);
});

test('exports: every list as CSV, filtered by an invisible id, external id or name, answers like a missing one', async (tt) => {
  cells = 0;
  leaks.length = 0;
  for (const role of Object.keys(ROLES)) {
    const v = await roleView(role);
    if (!v.foreign) continue;
    const F = v.foreign;
    for (const [path, ops] of Object.entries(spec.paths)) {
      const params = (ops.get?.parameters || []).map((p) => p.name);
      if (!params.includes('limit') || !params.includes('format') && !params.includes('cursor')) continue;
      const rec = F.records[path];
      const filters = [];
      if (params.includes('account_id')) filters.push(['account_id', F.account.id]);
      if (params.includes('external_id')) filters.push(['external_id', rec?.external_id || F.account.external_id]);
      if (params.includes('q')) filters.push(['q', rec?.name || rec?.title || F.account.name]);
      for (const [key, seen] of filters) {
        await probe(`export ${path}?${key}`, role, seen, ghostOf(seen),
          (x) => call(v.who, 'GET', `${path}?format=csv&${key}=${encodeURIComponent(x)}`));
      }
    }
    // the command line: the same lists through kam export --as
    for (const [kind, key, seen] of [['contacts', 'account_id', F.account.id], ['accounts', 'q', F.account.name]]) {
      await probe(`kam export ${kind} --where ${key}`, role, seen, ghostOf(seen), async (x) => {
        const out = join(t.dir, `export-${role}.csv`);
        kam(['export', kind, '--as', `${v.who}@example.com`, '--where', `${key}=${x}`, '--out', out, '--db', db]);
        return { status: 0, text: (await import('node:fs')).readFileSync(out, 'utf8') };
      });
    }
  }
  tt.diagnostic(`${cells} questions`);
  assert.ok(cells > 10, `only ${cells} cells`);
  assert.deepEqual(leaks.splice(0), []);
});

test('kam import on the command line: --as a kam, an invisible account is a missing one', async () => {
  const v = await roleView('kam');
  const F = v.foreign;
  const file = join(t.dir, 'cli.csv');
  await probe('kam import contacts --as (did you mean)', 'kam', F.account.name.slice(0, -1) + 'x', ghostOf(F.account.name.slice(0, -1) + 'x'), async (x) => {
    writeFileSync(file, csvOf({ account: x, name: 'Probe Person' }));
    try {
      return { status: 0, json: JSON.parse(kam(['import', 'contacts', file, '--dry-run', '--json', '--as', 'anna@example.com', '--db', db])) };
    } catch (e) {
      return { status: e.status, json: JSON.parse(String(e.stdout)), text: String(e.stderr) };
    }
  });
  assert.deepEqual(leaks.splice(0), []);
});

// --- nobody takes a key that later lands someone else's import on their record ----------

test('a kam cannot assign an account external id: refused alike whether the key is used or free', async () => {
  const v = await roleView('kam');
  const F = v.foreign;
  await probe('POST /api/v1/accounts external_id', 'kam', F.account.external_id, ghostOf(F.account.external_id),
    (x) => call('anna', 'POST', '/api/v1/accounts', { name: `Take ${R}`, external_id: x }));
  await probe('PATCH /api/v1/accounts/{own} external_id', 'kam', F.account.external_id, ghostOf(F.account.external_id),
    (x) => call('anna', 'PATCH', `/api/v1/accounts/${v.own.id}`, { external_id: x }));
  await probe('import accounts: new account with an external id', 'kam', F.account.external_id, ghostOf(F.account.external_id),
    (x) => upload('anna', csvOf({ name: `Take ${R}`, external_id: x }), { kind: 'accounts' }));
  assert.deepEqual(leaks.splice(0), []);
  const r = await call('anna', 'POST', '/api/v1/accounts', { name: `Take ${R}`, external_id: `FREE-${R}` });
  assert.equal(r.status, 403);
  assert.equal(r.json.errors[0].field, 'external_id');
  assert.equal((await call('director', 'GET', `/api/v1/accounts?external_id=FREE-${R}`)).json.items.length, 0);
});

test('a kam\'s contact external id or e-mail never catches a later import of another account\'s contact', async () => {
  const v = await roleView('kam');
  const F = v.foreign;
  const ext = `TAKE-${R}`, email = `take.${R}@client.example`;
  let r = await upload('anna', csvOf({ account_id: v.own.id, name: 'Taken Name', email, external_id: ext }), { kind: 'contacts' });
  assert.equal(r.json.created, 1, r.text);
  // the director imports the real people of account F, by external id and by e-mail
  r = await upload('director', csvOf({ account_id: F.account.id, name: 'Real Person', email: `real.${R}@client.example`, external_id: ext }), { kind: 'contacts' });
  assert.deepEqual([r.json.created, r.json.updated, r.json.rejected], [1, 0, 0], r.text);
  r = await upload('director', csvOf({ account_id: F.account.id, name: 'Real Mail', email }), { kind: 'contacts' });
  assert.deepEqual([r.json.created, r.json.updated, r.json.rejected], [1, 0, 0], r.text);
  const annas = (await call('anna', 'GET', `/api/v1/contacts?account_id=${v.own.id}&external_id=${ext}`)).json.items;
  assert.equal(annas.length, 1);
  assert.equal(annas[0].name, 'Taken Name');
  const fs = (await call('director', 'GET', `/api/v1/contacts?account_id=${F.account.id}`)).json.items.map((c) => c.name);
  assert.ok(fs.includes('Real Person') && fs.includes('Real Mail'), fs.join());
});

test('an account a kam names like another never catches a later import by name: two visible matches refuse the row', async () => {
  const v = await roleView('kam');
  const F = v.foreign;
  let r = await upload('anna', csvOf({ name: F.account.name }), { kind: 'accounts' });
  assert.deepEqual([r.json.created, r.json.updated, r.json.unchanged], [1, 0, 0], r.text);
  r = await upload('director', csvOf({ name: F.account.name, notes: 'from the CRM' }), { kind: 'accounts' });
  assert.deepEqual([r.json.created, r.json.updated, r.json.rejected], [0, 0, 1], r.text);
  assert.match(r.json.errors[0].message, /more than one account/);
  const named = (await call('director', 'GET', `/api/v1/accounts?q=${encodeURIComponent(F.account.name)}`)).json.items;
  assert.ok(named.every((a) => a.notes !== 'from the CRM'));
});

test('the importer writes products and FX rates only for the roles the API lets write them', async () => {
  const name = `Probe product ${R}`;
  for (const [kind, csv] of [['products', csvOf({ name })], ['fx-rates', csvOf({ currency: 'CHF', valid_from: '2026-01-02', rate: '1.05' })]]) {
    const r = await upload('anna', csv, { kind });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual([r.json.created, r.json.rejected], [0, 1], `${kind}: ${r.text}`);
    assert.match(r.json.errors[0].message, /may read .* but not add them/);
  }
  assert.equal((await call('admin', 'GET', `/api/v1/products?q=${encodeURIComponent(name)}`)).json.items.length, 0);
});

test('a kam may repeat the parent her account has, even one she cannot see; not set one she cannot see', async () => {
  const v = await roleView('kam');
  const F = v.foreign.account;
  const other = v.hidden.find((a) => a.id !== F.id);
  let r = await call('director', 'PATCH', `/api/v1/accounts/${v.own.id}`, { parent_id: F.id });
  assert.equal(r.status, 200, r.text);
  r = await call('anna', 'PATCH', `/api/v1/accounts/${v.own.id}`, { parent_id: F.id, notes: 'same parent' });
  assert.equal(r.status, 200, r.text);
  if (other) {
    r = await call('anna', 'PATCH', `/api/v1/accounts/${v.own.id}`, { parent_id: other.id });
    assert.equal(r.status, 400);
    assert.equal(r.json.errors[0].message, `no such account ${other.id}`);
  }
  r = await call('anna', 'PATCH', `/api/v1/accounts/${v.own.id}`, { parent_id: null });
  assert.equal(r.status, 200, r.text);
});
