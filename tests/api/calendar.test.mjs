// Calendar feeds: a per-user iCalendar (RFC 5545) feed behind a capability URL, parsed here
// with ical.js as a calendar client would: the events a user expects, scoped like lists,
// escaping that round-trips, revocation and rotation, and the token kept out of the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'mia', 'viewer', 'director'], 'cal'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
const future = (days) => new Date(Date.now() + days * 86400e3).toISOString().slice(0, 10);

async function feedUrl(w) {
  const r = await call(w, 'POST', '/api/v1/me/calendar');
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// The feed's events as {uid, summary, description, start, isDate, url}.
async function events(url) {
  const r = await fetch(url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const text = await r.text();
  // RFC 5545 §3.1: CRLF line ends, no physical line longer than 75 octets
  assert.ok(text.endsWith('END:VCALENDAR\r\n'));
  for (const line of text.split('\r\n')) {
    assert.ok(!line.includes('\n') && !line.includes('\r'), 'bare LF or CR');
    assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `line too long: ${line}`);
  }
  const cal = new ICAL.Component(ICAL.parse(text));
  assert.equal(cal.getFirstPropertyValue('version'), '2.0');
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid, summary: e.summary, description: e.description, start: e.startDate.toString(),
      isDate: e.startDate.isDate, url: v.getFirstPropertyValue('url'), stamp: v.getFirstPropertyValue('dtstamp'),
    };
  });
}

async function accountsOf(w) {
  return (await call(w, 'GET', '/api/v1/accounts?limit=500')).json.items;
}

async function planOf(w, accountId) {
  const plans = (await call(w, 'GET', `/api/v1/plans?account_id=${accountId}&limit=50`)).json.items;
  if (plans.length) return plans[0];
  const p = await call(w, 'POST', '/api/v1/plans', { account_id: accountId, period_start: future(-30), period_end: future(330) });
  assert.equal(p.status, 201, p.text);
  return p.json;
}

test("an open action's due date is in its owner's feed with the account name; a done one is not", async () => {
  const acc = (await accountsOf('anna')).find((a) => a.owner_id === 3) || (await accountsOf('anna'))[0];
  const plan = await planOf('anna', acc.id);
  const open = await call('anna', 'POST', '/api/v1/actions', { plan_id: plan.id, title: 'Calendar test: send the offer', due_on: future(20) });
  assert.equal(open.status, 201, open.text);
  const done = await call('anna', 'POST', '/api/v1/actions', { plan_id: plan.id, title: 'Calendar test: already done', due_on: future(21), status: 'done', done_on: future(0) });
  assert.equal(done.status, 201, done.text);
  const feed = await feedUrl('anna');
  assert.match(feed.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  const evs = await events(feed.url);
  const e = evs.find((x) => x.uid === `action-${open.json.id}@kam`);
  assert.ok(e, 'the open action is in the feed');
  assert.ok(e.isDate);
  assert.equal(e.start, future(20));
  assert.ok(e.summary.includes(acc.name), e.summary);
  assert.ok(e.summary.includes('Calendar test: send the offer'), e.summary);
  assert.ok(e.description.includes(plan.title || 'Plan'), e.description);
  assert.ok(e.url.endsWith(`/#/accounts/${acc.id}`), e.url);
  assert.ok(!evs.some((x) => x.uid === `action-${done.json.id}@kam`), 'a done action is not in the feed');
  // UIDs are stable and unique
  assert.equal(new Set(evs.map((x) => x.uid)).size, evs.length);
  assert.ok(evs.every((x) => /^[a-z]+-\d+(-[a-z]+)?@kam$/.test(x.uid) && x.stamp));
  // completing the action takes it out
  const cur = await call('anna', 'GET', `/api/v1/actions/${open.json.id}`);
  const ch = await api(srv.url, tok.anna, 'PATCH', `/api/v1/actions/${open.json.id}`, { status: 'done', done_on: future(0) }, { 'If-Match': cur.headers.get('etag') });
  assert.equal(ch.status, 200, ch.text);
  assert.ok(!(await events(feed.url)).some((x) => x.uid === `action-${open.json.id}@kam`));
});

test("another KAM's accounts are not in a KAM's feed; staff and viewers see every account", async () => {
  const annas = new Set((await accountsOf('anna')).map((a) => a.id));
  const bensOnly = (await accountsOf('ben')).filter((a) => !annas.has(a.id));
  assert.ok(bensOnly.length > 0, 'the demo has accounts anna cannot see');
  const theirs = bensOnly[0];
  const plan = await planOf('ben', theirs.id);
  const a = await call('ben', 'POST', '/api/v1/actions', { plan_id: plan.id, title: 'Ben only: board meeting', due_on: future(15) });
  assert.equal(a.status, 201, a.text);
  const uid = `action-${a.json.id}@kam`;
  const anna = await events((await feedUrl('anna')).url);
  assert.ok(!anna.some((x) => x.uid === uid));
  for (const e of anna) {
    const id = Number(e.url.match(/#\/accounts\/(\d+)$/)[1]);
    assert.ok(annas.has(id), `anna's feed shows account ${id} she cannot see`);
  }
  assert.ok((await events((await feedUrl('ben')).url)).some((x) => x.uid === uid));
  assert.ok((await events((await feedUrl('director')).url)).some((x) => x.uid === uid));
  assert.ok((await events((await feedUrl('viewer')).url)).some((x) => x.uid === uid));
});

test('renewals, plan reviews and case SLA deadlines are events; open cases get a UTC time', async () => {
  const acc = (await accountsOf('anna'))[0];
  const plan = await planOf('anna', acc.id);
  const opp = await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'Renewal 2027', kind: 'renewal', amount: 120000, currency: acc.currency, expected_close_on: future(60) });
  assert.equal(opp.status, 201, opp.text);
  const lost = await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'Lost renewal', kind: 'renewal', amount: 1, currency: acc.currency, stage: 'lost', expected_close_on: future(61) });
  assert.equal(lost.status, 201, lost.text);
  const rev = await call('anna', 'POST', '/api/v1/reviews', { plan_id: plan.id, held_on: future(1), kind: 'qbr', next_review_on: future(91) });
  assert.equal(rev.status, 201, rev.text);
  const cs = await call('anna', 'POST', '/api/v1/cases', { account_id: acc.id, title: 'Line 3 down', severity: 'critical' });
  assert.equal(cs.status, 201, cs.text);
  const evs = await events((await feedUrl('anna')).url);
  const by = (uid) => evs.find((x) => x.uid === uid);
  assert.equal(by(`opportunity-${opp.json.id}@kam`)?.start, future(60));
  assert.ok(by(`opportunity-${opp.json.id}@kam`).summary.includes('Renewal 2027'));
  assert.ok(!by(`opportunity-${lost.json.id}@kam`), 'a lost renewal is not in the feed');
  assert.equal(by(`review-${rev.json.id}@kam`)?.start, future(1));
  assert.equal(by(`review-${rev.json.id}-next@kam`)?.start, future(91));
  const sla = by(`case-${cs.json.id}-sla@kam`);
  assert.ok(sla, 'the open case has an SLA deadline');
  assert.equal(sla.isDate, false);
  assert.equal(new Date(sla.start).toISOString().replace('.000', ''), cs.json.sla_due_at);
  assert.ok(sla.summary.includes(acc.name) && sla.summary.includes('Line 3 down'));
});

test('TEXT escaping (comma, semicolon, backslash, newline) and long UTF-8 lines round-trip through the parser', async () => {
  const acc = (await accountsOf('anna'))[0];
  const plan = await planOf('anna', acc.id);
  const title = 'Price, terms; and \\ backslash\nsecond line — Grüße 日本語 ' + 'é'.repeat(80);
  const a = await call('anna', 'POST', '/api/v1/actions', { plan_id: plan.id, title, due_on: future(5) });
  assert.equal(a.status, 201, a.text);
  const e = (await events((await feedUrl('anna')).url)).find((x) => x.uid === `action-${a.json.id}@kam`);
  assert.ok(e);
  assert.equal(e.summary, `${acc.name}: Action due - ${title}`);
});

test('rotation and revocation: the old URL gives 404, and the token never reaches the log', async () => {
  const first = await feedUrl('mia');
  assert.equal(first.rotated, false);
  assert.equal((await fetch(first.url)).status, 200);
  assert.equal((await call('mia', 'GET', '/api/v1/me/calendar')).json.active, true);
  const second = await feedUrl('mia');
  assert.equal(second.rotated, true);
  assert.notEqual(second.url, first.url);
  assert.equal((await fetch(first.url)).status, 404, 'the rotated-away URL is dead');
  assert.equal((await fetch(second.url)).status, 200);
  assert.equal((await call('mia', 'DELETE', '/api/v1/me/calendar')).status, 204);
  const gone = await fetch(second.url);
  assert.equal(gone.status, 404);
  assert.match((await gone.json()).detail, /revoked/);
  assert.equal((await call('mia', 'DELETE', '/api/v1/me/calendar')).status, 404);
  assert.deepEqual((await call('mia', 'GET', '/api/v1/me/calendar')).json, { active: false, created_at: null });
  assert.equal((await fetch(`${srv.url}/api/v1/calendar/${'x'.repeat(43)}.ics`)).status, 404);
  assert.equal((await fetch(`${srv.url}/api/v1/calendar/${second.path.split('/').pop().replace('.ics', '')}`)).status, 404, 'without .ics');
  assert.equal((await fetch(`${srv.url}/api/v1/calendar/short.ics`)).status, 404);
  // access lines are written once each reply has gone: a later request's line shows the
  // feed requests' lines are in before the log is read
  await fetch(`${srv.url}/after-the-feeds`);
  for (let i = 0; i < 50 && !srv.log().includes('/after-the-feeds'); i++) await new Promise((res) => setTimeout(res, 20));
  assert.ok(srv.log().includes('/after-the-feeds'));
  const log = srv.log();
  for (const u of [first.url, second.url]) assert.ok(!log.includes(u.split('/').pop().replace('.ics', '')), 'token in the log');
  assert.ok(log.includes('/api/v1/calendar/'));
  // feed changes are audited, without the token
  const audit = (await call('director', 'GET', '/api/v1/audit?entity=calendar_feed&limit=20')).json.items.map((x) => x.action);
  assert.ok(audit.includes('create') && audit.includes('rotate') && audit.includes('revoke'));
  assert.ok(!JSON.stringify(audit).includes(first.url));
});

test('a password change ends the feed, like sessions and tokens', async () => {
  const feed = await feedUrl('viewer');
  assert.equal((await fetch(feed.url)).status, 200);
  const r = await call('viewer', 'POST', '/api/v1/me/password', { current_password: 'demo-password-1', new_password: 'another-password-2' });
  assert.equal(r.status, 204, r.text);
  assert.equal((await fetch(feed.url)).status, 404);
});

// Found while writing tests/fuzz/fuzz_writers: a user's name of 200 characters may take 800
// bytes; the store cut it to 255 bytes for the feed's X-WR-CALNAME inside a character, so
// the text/calendar; charset=utf-8 reply was not UTF-8.
test('a long name of four-byte characters reaches the feed name whole to a character', async () => {
  const admin = tokens(db, ['admin'], 'cal-admin').admin;
  const me = (await call('ben', 'GET', '/api/v1/me')).json;
  const got = await api(srv.url, admin, 'GET', `/api/v1/users/${me.id}`);
  const name = '\u{1F600}'.repeat(200);
  const r = await api(srv.url, admin, 'PATCH', `/api/v1/users/${me.id}`, { name }, { 'If-Match': got.headers.get('etag') });
  assert.equal(r.status, 200, r.text);
  const feed = await feedUrl('ben');
  const bytes = Buffer.from(await (await fetch(feed.url)).arrayBuffer());
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // throws on a cut sequence
  const cal = new ICAL.Component(ICAL.parse(text));
  const shown = cal.getFirstPropertyValue('x-wr-calname');
  assert.ok(shown.startsWith('kam: \u{1F600}'));
  assert.ok(name.startsWith(shown.slice(5)), 'a prefix of the name, whole characters');
});
