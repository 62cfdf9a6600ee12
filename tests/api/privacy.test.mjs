// Privacy requests about a contact: the export holds everything about the person; erasure
// anonymises them everywhere (record, survey comments, earlier audit rows) while NPS and
// interaction counts stay; both are audited without personal data; roles as for writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, serve, api, psql, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const today = new Date().toISOString().slice(0, 10);
const day = (n) => new Date(Date.now() + n * 86400e3).toISOString().slice(0, 10);
const PERIOD = `from=${day(-200)}&to=${day(1)}`;
const SECRETS = ['Greta Privacy', 'greta@client.example', '+49 30 1234567', 'Chief Golf Officer', 'likes golf', 'Greta thinks the rollout was late'];

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'mia', 'viewer', 'director'], 'privacy'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b, h) => api(srv.url, tok[w], m, p, b, h);
function sql(q) {
  return PG ? psql(q, new URL(db).pathname.slice(1)) : execFileSync('sqlite3', [db, q], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}
let acc, greta, report, meeting, survey, me;

test('the export holds the contact, the interactions they attended, their survey answers and the audit about them', async () => {
  me = (await call('anna', 'GET', '/api/v1/me')).json;
  acc = (await call('anna', 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0];
  const c = await call('anna', 'POST', '/api/v1/contacts', { account_id: acc.id, name: 'Greta Privacy', email: 'greta@client.example', phone: '+49 30 1234567', title: 'CFO', influence: 4, attitude: 'champion' });
  assert.equal(c.status, 201, c.text);
  greta = c.json;
  const p = await call('anna', 'PATCH', `/api/v1/contacts/${greta.id}`, { title: 'Chief Golf Officer', notes: 'likes golf' }, { 'If-Match': c.headers.get('etag') });
  assert.equal(p.status, 200, p.text);
  report = (await call('anna', 'POST', '/api/v1/contacts', { account_id: acc.id, name: 'Reports To Greta', reports_to_id: greta.id })).json;
  meeting = (await call('anna', 'POST', '/api/v1/interactions', { account_id: acc.id, kind: 'meeting', occurred_at: new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'), user_ids: [me.id], contact_ids: [greta.id, report.id], summary: 'Rollout review' })).json;
  assert.ok(meeting.id);
  const s = await call('anna', 'POST', '/api/v1/surveys', { account_id: acc.id, kind: 'nps', contact_id: greta.id, answered_on: today, score: 3, comment: 'Greta thinks the rollout was late' });
  assert.equal(s.status, 201, s.text);
  survey = s.json;

  const r = await call('anna', 'GET', `/api/v1/contacts/${greta.id}/export`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.contact.id, greta.id);
  assert.equal(r.json.contact.name, 'Greta Privacy');
  assert.equal(r.json.contact.email, 'greta@client.example');
  assert.ok(r.json.interactions.some((i) => i.id === meeting.id && i.contact_ids.includes(greta.id)), 'the meeting they attended');
  assert.ok(r.json.surveys.some((x) => x.id === survey.id && x.comment === 'Greta thinks the rollout was late'));
  const actions = r.json.audit.map((a) => a.action);
  assert.ok(actions.includes('create') && actions.includes('update'), actions.join());
  assert.ok(r.json.audit.every((a) => a.entity === 'contact' && a.entity_id === greta.id));
  // the export is audited, without what was exported
  const log = (await call('director', 'GET', `/api/v1/audit?entity=contact&id=${greta.id}&limit=50`)).json.items;
  const ex = log.find((a) => a.action === 'export');
  assert.ok(ex);
  assert.ok(!JSON.stringify(ex).includes('Greta'));
});

test('who may ask: staff and the account KAM; members and viewers 403, other KAMs 404', async () => {
  for (const w of ['mia', 'viewer']) {
    assert.equal((await call(w, 'POST', `/api/v1/contacts/${greta.id}/erase`)).status, 403, w);
    assert.equal((await call(w, 'GET', `/api/v1/contacts/${greta.id}/export`)).status, 403, w);
  }
  const bens = new Set((await call('ben', 'GET', '/api/v1/accounts?limit=500')).json.items.map((a) => a.id));
  if (!bens.has(acc.id)) {
    assert.equal((await call('ben', 'POST', `/api/v1/contacts/${greta.id}/erase`)).status, 404);
    assert.equal((await call('ben', 'GET', `/api/v1/contacts/${greta.id}/export`)).status, 404);
  }
  assert.equal((await call('anna', 'POST', '/api/v1/contacts/999999/erase')).status, 404);
  // a KAM who is only on the account's team sees the contact but is not its KAM (README: 403)
  const benId = (await call('ben', 'GET', '/api/v1/me')).json.id;
  assert.notEqual(acc.owner_id, benId);
  assert.equal((await call('anna', 'PUT', `/api/v1/accounts/${acc.id}/team/${benId}`, { role: 'deputy' })).status < 300, true);
  assert.equal((await call('ben', 'GET', `/api/v1/contacts/${greta.id}`)).status, 200, 'the team member sees the contact');
  const te = await call('ben', 'GET', `/api/v1/contacts/${greta.id}/export`);
  assert.equal(te.status, 403, te.text);
  assert.match(te.headers.get('content-type'), /problem\+json/);
  const tr = await call('ben', 'POST', `/api/v1/contacts/${greta.id}/erase`);
  assert.equal(tr.status, 403, tr.text);
  assert.equal((await call('anna', 'DELETE', `/api/v1/accounts/${acc.id}/team/${benId}`)).status, 204);
  assert.equal((await call('anna', 'POST', `/api/v1/contacts/${greta.id}/erase`, { really: true })).status, 400);
  assert.equal((await call('director', 'GET', `/api/v1/contacts/${greta.id}/export`)).status, 200);
  assert.equal((await call('anna', 'GET', `/api/v1/contacts/${greta.id}`)).json.name, 'Greta Privacy', 'nothing erased yet');
});

let importId;
test('an import whose rejected rows name the person keeps its report until the erasure', async () => {
  const csv = ['account,name,email,reports_to',
    `"${acc.name}",Reports Late,late@client.example,Greta Privasy`,
    `"${acc.name}",Reports Later,later@client.example,greta@client.exampl`,
    `"${acc.name}",Reports Bad,not-an-email,Greta Privacy`].join('\n') + '\n';
  const r = await fetch(`${srv.url}/api/v1/imports?kind=contacts&dry_run=true`, {
    method: 'POST', headers: { Authorization: `Bearer ${tok.anna}`, 'Content-Type': 'text/csv' }, body: csv,
  });
  const j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  assert.ok(j.rejected >= 2, JSON.stringify(j));
  importId = j.id;
  const text = (await call('anna', 'GET', `/api/v1/imports/${importId}`)).text;
  assert.ok(text.includes('Greta Privacy') && text.includes('greta@client.example'), text);
});

test('erasure anonymises the person everywhere and keeps NPS, interaction counts and the org chart', async () => {
  const kpiBefore = (await call('director', 'GET', `/api/v1/kpis?scope=account&id=${acc.id}&${PERIOD}`)).json.kpis;
  assert.ok(kpiBefore.nps.denominator >= 1);
  const countBefore = (await call('anna', 'GET', `/api/v1/interactions?account_id=${acc.id}&limit=500`)).json.items.length;

  // who of ours covered her, with notes about her, goes with the rest
  const me = (await call('anna', 'GET', '/api/v1/me')).json;
  const link = await call('anna', 'POST', '/api/v1/coverage', { account_id: acc.id, contact_id: greta.id, user_id: me.id, strength: 4, notes: 'Greta golfs on Fridays' });
  assert.equal(link.status, 201, link.text);
  const r = await call('anna', 'POST', `/api/v1/contacts/${greta.id}/erase`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.already_erased, false);
  assert.equal(r.json.coverage_removed, 1);
  assert.equal((await call('anna', 'GET', `/api/v1/coverage/${link.json.id}`)).status, 404);
  const linkLog = (await call('director', 'GET', `/api/v1/audit?entity=coverage&id=${link.json.id}`)).json;
  assert.ok(linkLog.items.length >= 1, 'the link keeps its history');
  assert.ok(!JSON.stringify(linkLog).includes('golfs'), JSON.stringify(linkLog));
  assert.equal(r.json.contact.name, `Erased contact #${greta.id}`);
  assert.ok(r.json.contact.erased_at);
  assert.equal(r.json.surveys_blanked, 1);
  assert.ok(r.json.audit_redacted >= 2);

  const c = (await call('anna', 'GET', `/api/v1/contacts/${greta.id}`)).json;
  assert.equal(c.name, `Erased contact #${greta.id}`);
  for (const f of ['email', 'phone', 'title', 'notes']) assert.equal(c[f], null, f);
  assert.equal(c.influence, 4, 'the stakeholder map keeps its shape');
  assert.equal((await call('anna', 'GET', `/api/v1/contacts/${report.id}`)).json.reports_to_id, greta.id, 'the reporting line stays, to an anonymous node');

  const s = (await call('anna', 'GET', `/api/v1/surveys/${survey.id}`)).json;
  assert.equal(s.comment, null);
  assert.equal(s.score, 3);
  assert.equal(s.contact_id, greta.id);

  const ex = await call('anna', 'GET', `/api/v1/contacts/${greta.id}/export`);
  assert.equal(ex.status, 200);
  const text = JSON.stringify(ex.json);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `the export still holds ${secret}`);
  assert.ok(ex.json.interactions.some((i) => i.id === meeting.id), 'attendance is kept');

  const audit = (await call('director', 'GET', `/api/v1/audit?entity=contact&id=${greta.id}&limit=50`)).json.items;
  const erase = audit.find((a) => a.action === 'erase');
  assert.ok(erase, 'the erasure is audited');
  assert.equal(erase.user_id, me.id);
  const all = JSON.stringify((await call('director', 'GET', '/api/v1/audit?limit=500')).json.items);
  for (const secret of SECRETS) assert.ok(!all.includes(secret), `the audit log still holds ${secret}`);
  assert.equal(r.json.imports_scrubbed, 1);
  const rep = await call('anna', 'GET', `/api/v1/imports/${importId}`);
  assert.equal(rep.status, 200);
  for (const secret of SECRETS) assert.ok(!rep.text.includes(secret), `the import report still holds ${secret}: ${rep.text}`);
  assert.ok(rep.text.includes(`Erased contact #${greta.id}`), rep.text);
  const runs = JSON.stringify((await call('director', 'GET', '/api/v1/imports?limit=500')).json);
  for (const secret of SECRETS) assert.ok(!runs.includes(secret), `the import runs still hold ${secret}`);

  const kpiAfter = (await call('director', 'GET', `/api/v1/kpis?scope=account&id=${acc.id}&${PERIOD}`)).json.kpis;
  assert.deepEqual(kpiAfter.nps, kpiBefore.nps);
  assert.deepEqual(kpiAfter.interactions_per_account_month, kpiBefore.interactions_per_account_month);
  assert.equal((await call('anna', 'GET', `/api/v1/interactions?account_id=${acc.id}&limit=500`)).json.items.length, countBefore);
  assert.deepEqual((await call('anna', 'GET', `/api/v1/interactions/${meeting.id}`)).json.contact_ids.sort(), [greta.id, report.id].sort());
});

test('erasure is idempotent', async () => {
  const before = (await call('director', 'GET', `/api/v1/audit?entity=contact&id=${greta.id}&limit=50`)).json.items.length;
  const r = await call('director', 'POST', `/api/v1/contacts/${greta.id}/erase`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.already_erased, true);
  assert.equal(r.json.contact.name, `Erased contact #${greta.id}`);
  assert.equal(r.json.surveys_blanked, 0);
  assert.equal(r.json.audit_redacted, 0);
  assert.equal((await call('director', 'GET', `/api/v1/audit?entity=contact&id=${greta.id}&limit=50`)).json.items.length, before, 'nothing new to audit');
});

test('the audit log stays append-only: only a first redaction of before/after is allowed', async () => {
  const id = sql(`SELECT min(id) FROM audit WHERE entity = 'contact' AND entity_id = ${greta.id} AND redacted_at IS NOT NULL`);
  assert.ok(Number(id) > 0, 'erasure redacted rows');
  assert.throws(() => sql(`UPDATE audit SET before = NULL, redacted_at = 1 WHERE id = ${id}`), /append-only/, 'a redacted row is final');
  const other = sql(`SELECT min(id) FROM audit WHERE redacted_at IS NULL`);
  assert.throws(() => sql(`UPDATE audit SET action = 'x' WHERE id = ${other}`), /append-only/);
  assert.throws(() => sql(`UPDATE audit SET action = 'x', redacted_at = 1 WHERE id = ${other}`), /append-only/, 'redaction changes only before/after');
  assert.throws(() => sql(`DELETE FROM audit WHERE id = ${other}`), /append-only/);
});
