// Mail, second part (issue 16): password resets by mail, immediate mails to the directors on
// accounts above a revenue threshold, the digest's "health fell" line and its 90-day dates,
// and the worker's burst on one connection — against a real SMTP server (tests/lib/smtpd.py).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PG, api, demoDb, kam, login, psql, serve, sleep, tokens } from '../lib/harness.mjs';
import { smtpd, received, waitMails, mailEnv, header } from '../lib/mail.mjs';

const cleanup = [];
after(async () => { for (const f of cleanup.reverse()) await f(); });
const sql = (d, q) => (PG ? psql(q, new URL(d).pathname.slice(1)) : execFileSync('sqlite3', [d, q], { encoding: 'utf8' }).trim());
const post = (url, path, body) => fetch(url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const resetMail = (m) => m.subject === 'Your new kam password';

test('forgot password: the same 202 for every address; an active user gets a one-time link that sets the password once and ends their sessions; it expires after an hour; deactivated users get nothing', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const s = await smtpd(dir, 0, (f) => cleanup.push(f));
  // a job interval of an hour: the mail must leave because it was queued, not at a run
  let srv = await serve(db, mailEnv(s.port, { KAM_JOB_INTERVAL: '3600' }));
  cleanup.push(() => srv.stop());
  const { admin } = tokens(db, ['admin']);
  assert.deepEqual(await (await fetch(`${srv.url}/api/v1/password-resets`)).json(), { mail: true });
  const ben = await login(srv.url, 'ben@example.com');
  const known = await post(srv.url, '/api/v1/password-resets', { email: 'Ben@Example.com' });
  const unknown = await post(srv.url, '/api/v1/password-resets', { email: 'nobody@example.com' });
  assert.equal(known.status, 202);
  assert.equal(unknown.status, 202);
  assert.equal(await known.text(), await unknown.text(), 'nothing tells a user from a stranger');
  const bad = await post(srv.url, '/api/v1/password-resets', { mail: 'ben@example.com' });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /"email"/);

  const [m] = await waitMails(dir, 1, 'reset mail', resetMail);
  assert.deepEqual(m.rcpt_tos, ['ben@example.com']);
  const link = m.text.match(/https:\/\/kam\.example\.com\/#\/reset\/(rst_[A-Za-z0-9_-]+)/);
  assert.ok(link, m.text);
  assert.ok(m.html.includes(`href="${link[0]}"`), m.html);
  assert.match(m.text, /valid for one hour, once/);
  const tok = link[1];
  if (!PG) assert.ok(!execFileSync('sqlite3', [db, '.dump'], { encoding: 'utf8' }).includes(tok), 'the database keeps only the hash');
  const who = await fetch(`${srv.url}/api/v1/password-resets/${tok}`);
  assert.equal(who.status, 200);
  assert.equal((await who.json()).user.email, 'ben@example.com');
  // a weak password is refused and the link still works
  const weak = await post(srv.url, `/api/v1/password-resets/${tok}`, { password: 'short' });
  assert.equal(weak.status, 400);
  assert.match(await weak.text(), /"password"/);
  const ok = await post(srv.url, `/api/v1/password-resets/${tok}`, { password: 'a new password for ben' });
  const okText = await ok.text();
  assert.equal(ok.status, 200, okText);
  assert.equal(JSON.parse(okText).user.email, 'ben@example.com');
  // once: the link is gone, his old session ended, the new password signs in, the old does not
  assert.equal((await post(srv.url, `/api/v1/password-resets/${tok}`, { password: 'another password for ben' })).status, 404);
  assert.equal((await fetch(`${srv.url}/api/v1/password-resets/${tok}`)).status, 404);
  assert.equal((await fetch(`${srv.url}/api/v1/session`, { headers: { Cookie: ben.cookie } })).status, 401);
  await login(srv.url, 'ben@example.com', 'a new password for ben');
  assert.match(srv.log(), /"path":"\/api\/v1\/password-resets\/\\u2026"/);
  assert.ok(!srv.log().includes(tok), 'the access log shows no reset token');
  assert.equal((await post(srv.url, '/api/v1/session', { email: 'ben@example.com', password: 'demo-password-1' })).status, 401);

  // deactivated: nothing is sent (anna's mail, asked for after, arrives; the viewer's never)
  const v = await api(srv.url, admin, 'GET', '/api/v1/users?limit=50');
  const viewer = v.json.items.find((u) => u.email === 'viewer@example.com');
  const cur = await api(srv.url, admin, 'GET', `/api/v1/users/${viewer.id}`);
  assert.equal((await api(srv.url, admin, 'PATCH', `/api/v1/users/${viewer.id}`, { active: false }, { 'If-Match': cur.headers.get('etag') })).status, 200);
  assert.equal((await post(srv.url, '/api/v1/password-resets', { email: 'viewer@example.com' })).status, 202);
  assert.equal((await post(srv.url, '/api/v1/password-resets', { email: 'anna@example.com' })).status, 202);
  const [, annaMail] = await waitMails(dir, 2, 'second reset mail', resetMail);
  assert.deepEqual(annaMail.rcpt_tos, ['anna@example.com']);
  assert.ok(!received(dir).some((x) => x.rcpt_tos.includes('viewer@example.com') || x.rcpt_tos.includes('nobody@example.com')));

  // an hour later the link is dead
  const annaTok = annaMail.text.match(/#\/reset\/(rst_[A-Za-z0-9_-]+)/)[1];
  assert.equal((await fetch(`${srv.url}/api/v1/password-resets/${annaTok}`)).status, 200);
  await srv.stop();
  srv = await serve(db, mailEnv(s.port, { KAM_JOB_INTERVAL: '3600', KAM_NOW: new Date(Date.now() + 3601e3).toISOString().slice(0, 19) + 'Z' }));
  assert.equal((await fetch(`${srv.url}/api/v1/password-resets/${annaTok}`)).status, 404);
  assert.equal((await post(srv.url, `/api/v1/password-resets/${annaTok}`, { password: 'a new password for anna' })).status, 404);

  // 5 requests an hour per address, a user's or not, then 429 with Retry-After
  for (const email of ['anna@example.com', 'stranger@example.com']) {
    let r;
    for (let i = 0; i < 6; i++) r = await post(srv.url, '/api/v1/password-resets', { email });
    assert.equal(r.status, 429, email);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  }
});

test('without mail set up the request answers 202 too, and says to ask an admin', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  cleanup.push(() => srv.stop());
  assert.deepEqual(await (await fetch(`${srv.url}/api/v1/password-resets`)).json(), { mail: false });
  const r = await post(srv.url, '/api/v1/password-resets', { email: 'ben@example.com' });
  assert.equal(r.status, 202);
  const j = await r.json();
  assert.equal(j.mail, false);
  assert.match(j.detail, /ask an admin/);
  assert.equal(sql(db, 'SELECT count(*) FROM outbox'), '0');
});

test('alerts on accounts at or above settings.director_alert_min_revenue also mail the directors who chose the severity (once, not below, not twice when the director is the KAM); the burst leaves on one connection', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const s = await smtpd(dir, 0, (f) => cleanup.push(f));
  // 1,000,000.00 in the base currency (minor units), through the command line
  kam(['settings', 'set', 'director_alert_min_revenue', '100000000', '--db', db]);
  // a second director who owns an account (the KAM's mail only), and one who wants no mail
  sql(db, "INSERT INTO users (email, name, role, active, created_at, updated_at) VALUES ('dora@example.com', 'Dora Director', 'director', 1, 0, 0), ('quiet@example.com', 'Quiet Director', 'director', 1, 0, 0)");
  const dora = sql(db, "SELECT id FROM users WHERE email = 'dora@example.com'");
  sql(db, `INSERT INTO notification_prefs (user_id, immediate) SELECT id, '' FROM users WHERE email = 'quiet@example.com'`);
  // alert mails only: a digest due at this hour of the day (07:00 by default) is not one
  sql(db, "INSERT INTO notification_prefs (user_id, digest) SELECT id, 0 FROM users WHERE email <> 'quiet@example.com'");
  const top = sql(db, 'SELECT id FROM accounts ORDER BY id LIMIT 1');
  sql(db, `UPDATE accounts SET owner_id = ${dora} WHERE id = ${top}`);
  const srv = await serve(db, mailEnv(s.port));
  cleanup.push(() => srv.stop());
  let rows;
  for (let i = 0; i < 300 && !rows; i++) {
    rows = sql(db, "SELECT al.id || '|' || al.severity || '|' || a.id || '|' || a.revenue_12m || '|' || coalesce(u.email, '') FROM alerts al JOIN accounts a ON a.id = al.account_id LEFT JOIN users u ON u.id = a.owner_id WHERE al.state = 'open'");
    if (!rows) await sleep(100);
  }
  const open = rows.split('\n').map((l) => l.split('|')).map(([id, sev, acc, rev, owner]) => ({ id, sev, acc, rev: Number(rev), owner }));
  const critical = open.filter((a) => a.sev === 'critical');
  const above = critical.filter((a) => a.rev >= 100000000);
  assert.ok(above.length > 0 && above.length < critical.length, JSON.stringify(critical));
  // the KAMs' mails, then director@ for every critical alert above; dora for those above that she does not own
  const want = [...critical.map((a) => `${a.owner} ${a.acc}`),
    ...above.map((a) => `director@example.com ${a.acc}`),
    ...above.filter((a) => a.owner !== 'dora@example.com').map((a) => `dora@example.com ${a.acc}`)];
  await waitMails(dir, want.length, 'alert mails');
  await sleep(2000); // more runs: nothing more comes
  const got = received(dir);
  assert.deepEqual(got.map((m) => `${m.rcpt_tos[0]} ${m.text.match(/#\/accounts\/(\d+)/)[1]}`).sort(), want.sort());
  const dm = got.find((m) => m.rcpt_tos[0] === 'director@example.com');
  assert.match(dm.subject, /^\[kam\] critical alert: /);
  assert.match(dm.text, /as a director: the account's revenue over the last 12 months is above/);
  assert.ok(header(dm, 'List-Unsubscribe'));
  assert.equal(new Set(got.map((m) => m.peer)).size, 1, 'one SMTP connection for the whole burst');
  // the setting as the API shows and checks it
  const { admin } = tokens(db, ['admin']);
  assert.equal((await api(srv.url, admin, 'GET', '/api/v1/settings')).json.director_alert_min_revenue, 100000000);
  const neg = await api(srv.url, admin, 'PATCH', '/api/v1/settings', { director_alert_min_revenue: -1 });
  assert.equal(neg.status, 400);
  assert.match(neg.text, /director_alert_min_revenue/);
  assert.equal((await api(srv.url, admin, 'PATCH', '/api/v1/settings', { director_alert_min_revenue: null })).json.director_alert_min_revenue, 0);
});

test("the digest lists the user's accounts whose health fell since the last digest, from → to, and reviews and renewals up to 90 days", async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const s = await smtpd(dir, 0, (f) => cleanup.push(f));
  const ben = sql(db, "SELECT id FROM users WHERE email = 'ben@example.com'");
  // only ben's digest matters here: no alert mails
  sql(db, "INSERT INTO notification_prefs (user_id, immediate) SELECT id, '' FROM users");
  const day = new Date().toISOString().slice(0, 10);
  const next = new Date(Date.parse(day) + 86400e3).toISOString().slice(0, 10);
  const digestOf = (d) => (m) => m.rcpt_tos[0] === 'ben@example.com' && m.subject.startsWith('[kam] Your day') && m.text.includes(`today (${d})`);
  let srv = await serve(db, mailEnv(s.port, { KAM_NOW: `${day}T07:30:00Z` }));
  const { ben: benTok } = tokens(db, ['ben']);
  const [first] = await waitMails(dir, 1, "ben's first digest", digestOf(day));
  await srv.stop();
  assert.doesNotMatch(first.text, /Health fell/, 'the first digest has nothing to compare with');
  const seen = Object.fromEntries(sql(db, `SELECT account_id || '|' || health FROM digest_health WHERE user_id = ${ben}`).split('\n').map((l) => l.split('|').map(Number)));
  assert.ok(Object.keys(seen).length > 0, 'the digest kept what it saw');
  // as if the previous digest had seen one account 100 healthy
  const [acc] = Object.entries(seen).find(([, h]) => h < 90);
  sql(db, `UPDATE digest_health SET health = 100 WHERE user_id = ${ben} AND account_id = ${acc}`);
  seen[acc] = 100;

  srv = await serve(db, mailEnv(s.port, { KAM_NOW: `${next}T07:30:00Z` }));
  cleanup.push(() => srv.stop());
  const [second] = await waitMails(dir, 1, "ben's second digest", digestOf(next));
  const now = Object.fromEntries(sql(db, `SELECT account_id || '|' || health FROM digest_health WHERE user_id = ${ben}`).split('\n').map((l) => l.split('|').map(Number)));
  const fell = Object.keys(now).filter((a) => seen[a] !== undefined && Math.round(seen[a]) - Math.round(now[a]) >= 1);
  assert.ok(fell.includes(acc));
  assert.match(second.text, new RegExp(`Health fell since your last digest \\(${fell.length}\\)`));
  const name = sql(db, `SELECT name FROM accounts WHERE id = ${acc}`);
  const to = Math.round(now[acc]);
  assert.ok(second.text.includes(`- ${name}: health 100 → ${to} (−${100 - to} points)\n  https://kam.example.com/#/accounts/${acc}\n`), second.text);
  assert.ok(second.html.includes(`<a href="https://kam.example.com/#/accounts/${acc}">`));
  // reviews and renewals: the next 30 days, then 31 to 90
  const work = (await api(srv.url, benTok, 'GET', '/api/v1/work?horizon=90')).json;
  const near = work.dates.filter((d) => d.days_away <= 30), later = work.dates.filter((d) => d.days_away > 30);
  if (near.length) assert.match(second.text, new RegExp(`Reviews and renewals in the next 30 days \\(${near.length}\\)`));
  if (later.length) assert.match(second.text, new RegExp(`Reviews and renewals in 31 to 90 days \\(${later.length}\\)`));
  for (const d of work.dates) assert.ok(second.text.includes(`${d.title} on ${d.day}`), d.title);
  assert.ok(later.length > 0, 'the demo has a renewal or review 31 to 90 days ahead');
});
