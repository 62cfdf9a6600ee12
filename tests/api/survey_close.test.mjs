// Issue 19, closing a survey request: the account's KAM (or a director) closes it; the client's
// workspace stops asking for it, an answer sent to it gets a 409 naming why, the answers already
// given stay (and stay in the KPIs); closing again answers the same; the close is audited and
// shows in the account's workspace activity. Viewers get 403, a KAM of another account 404
// exactly as for a request that does not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';
import { signIn, wsCall } from '../lib/workspace.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'viewer', 'director'], 'srclose'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
const ws = (s, m, p, b) => wsCall(srv.url, s, m, p, b);
const ok = async (w, m, p, b, want) => {
  const r = await call(w, m, p, b);
  assert.equal(r.status, want ?? (m === 'POST' ? 201 : 200), `${m} ${p}: ${r.text}`);
  return r.json;
};

// an account of anna's with two client members signed in
async function fresh(name) {
  const me = await ok('anna', 'GET', '/api/v1/me');
  const acc = (await ok('anna', 'POST', '/api/v1/accounts', { name, owner_id: me.id })).id;
  const jane = await ok('anna', 'POST', `/api/v1/accounts/${acc}/client-members`, { name: 'Jane Doe', email: `jane@${acc}.example` });
  const joe = await ok('anna', 'POST', `/api/v1/accounts/${acc}/client-members`, { name: 'Joe Roe', email: `joe@${acc}.example` });
  const sJane = await signIn(srv.url, jane.link);
  const sJoe = await signIn(srv.url, joe.link);
  assert.equal(sJane.status, 201, sJane.text);
  assert.equal(sJoe.status, 201, sJoe.text);
  return { acc, sJane, sJoe };
}

test('the KAM closes a survey request: the client is no longer asked, an answer gets 409, the given answers stay', async () => {
  const f = await fresh('Acme Close');
  const sr = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/survey-requests`, { kind: 'nps', question: 'How likely are you to recommend us?' });
  const other = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/survey-requests`, { kind: 'csat' });
  // before: both members are asked; Jane answers
  assert.deepEqual((await ws(f.sJane, 'GET', '/api/v1/workspace')).json.surveys.map((x) => x.id), [sr.id, other.id]);
  assert.deepEqual((await ws(f.sJoe, 'GET', '/api/v1/workspace')).json.surveys.map((x) => x.id), [sr.id, other.id]);
  assert.equal((await ws(f.sJane, 'POST', `/api/v1/workspace/surveys/${sr.id}/answer`, { score: 9 })).status, 201);
  let list = (await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/survey-requests`)).items;
  assert.deepEqual(list.map((x) => [x.id, x.answers, x.closed_at]), [[other.id, 0, null], [sr.id, 1, null]]);

  // the KAM closes it
  const closed = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/survey-requests/${sr.id}/close`, undefined, 200);
  assert.equal(closed.id, sr.id);
  assert.equal(closed.kind, 'nps');
  assert.equal(closed.question, 'How likely are you to recommend us?');
  assert.equal(closed.answers, 1, 'the answer given stays');
  assert.match(closed.closed_at, /^\d{4}-\d\d-\d\dT/);

  // the KAM's list shows it closed with its answer; the other request is still open
  list = (await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/survey-requests`)).items;
  assert.deepEqual(list.map((x) => [x.id, x.answers, x.closed_at !== null]), [[other.id, 0, false], [sr.id, 1, true]]);

  // Joe, who had not answered, is no longer asked; answering anyway gets a 409 naming why
  assert.deepEqual((await ws(f.sJoe, 'GET', '/api/v1/workspace')).json.surveys.map((x) => x.id), [other.id]);
  const late = await ws(f.sJoe, 'POST', `/api/v1/workspace/surveys/${sr.id}/answer`, { score: 3 });
  assert.equal(late.status, 409, late.text);
  assert.match(late.headers.get('content-type'), /problem\+json/);
  assert.match(late.json.detail, /closed/);
  // even a body that would otherwise be refused is told the request is closed
  assert.equal((await ws(f.sJoe, 'POST', `/api/v1/workspace/surveys/${sr.id}/answer`, { score: 99 })).status, 409);
  // Jane's answer stays; Joe's did not get in
  const surveys = (await ok('anna', 'GET', `/api/v1/surveys?account_id=${f.acc}`)).items;
  assert.deepEqual(surveys.map((x) => [x.kind, x.score]), [['nps', 9]]);
  // the open request still takes answers
  assert.equal((await ws(f.sJoe, 'POST', `/api/v1/workspace/surveys/${other.id}/answer`, { score: 4 })).status, 201);

  // closing again answers the same, and records nothing more
  const again = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/survey-requests/${sr.id}/close`, undefined, 200);
  assert.deepEqual(again, closed);

  // audited once, and in the workspace activity once, by the KAM
  const audit = (await ok('director', 'GET', '/api/v1/audit?entity=survey_request')).items.filter((x) => x.entity_id === sr.id && x.action === 'close');
  assert.equal(audit.length, 1, JSON.stringify(audit));
  assert.ok(audit[0].user_name && !audit[0].user_name.startsWith('client:'));
  const act = (await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/workspace-activity`)).items.filter((x) => x.action === 'close');
  assert.equal(act.length, 1);
  assert.equal(act[0].entity, 'survey_request');
  assert.equal(act[0].entity_id, sr.id);
  assert.equal(act[0].actor, audit[0].user_name);
  assert.match(act[0].summary, /closed the NPS survey request/);
});

test('a director closes too; viewers get 403, a KAM of another account and a wrong account 404 as for a missing request', async () => {
  const f = await fresh('Acme Refusals');
  const g = await fresh('Borealis Refusals');
  const sr = await ok('anna', 'POST', `/api/v1/accounts/${f.acc}/survey-requests`, { kind: 'csat' });
  const path = `/api/v1/accounts/${f.acc}/survey-requests/${sr.id}/close`;

  const viewer = await call('viewer', 'POST', path);
  assert.equal(viewer.status, 403, viewer.text);
  // ben is a KAM who does not own the account: it does not exist for him
  const ben = await call('ben', 'POST', path);
  const benMissing = await call('ben', 'POST', `/api/v1/accounts/${f.acc}/survey-requests/987654321/close`);
  const benNoAccount = await call('ben', 'POST', '/api/v1/accounts/987654321/survey-requests/1/close');
  assert.equal(ben.status, 404, ben.text);
  assert.equal(ben.text, benMissing.text);
  assert.equal(ben.text, benNoAccount.text);
  // the request under another account of anna's: as a missing one
  const wrong = await call('anna', 'POST', `/api/v1/accounts/${g.acc}/survey-requests/${sr.id}/close`);
  const missing = await call('anna', 'POST', `/api/v1/accounts/${g.acc}/survey-requests/987654321/close`);
  assert.equal(wrong.status, 404);
  assert.equal(wrong.text, missing.text);
  // a client member's session reaches no staff route
  assert.equal((await ws(f.sJane, 'POST', path)).status, 404);
  // nothing closed so far
  assert.deepEqual((await ws(f.sJane, 'GET', '/api/v1/workspace')).json.surveys.map((x) => x.id), [sr.id]);
  assert.equal((await ok('anna', 'GET', `/api/v1/accounts/${f.acc}/survey-requests`)).items[0].closed_at, null);

  // a director closes it
  const d = await ok('director', 'POST', path, undefined, 200);
  assert.notEqual(d.closed_at, null);
  assert.deepEqual((await ws(f.sJane, 'GET', '/api/v1/workspace')).json.surveys, []);
  // the other account's member: the closed request is as missing as any other of this account
  const gm = await ws(g.sJane, 'POST', `/api/v1/workspace/surveys/${sr.id}/answer`, { score: 4 });
  const gn = await ws(g.sJane, 'POST', '/api/v1/workspace/surveys/987654321/answer', { score: 4 });
  assert.equal(gm.status, 404);
  assert.equal(gm.text, gn.text);
});
