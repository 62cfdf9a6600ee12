// Mail (issue 16): the outbox and its worker against a real SMTP server (aiosmtpd, started
// here by tests/lib/smtpd.py), `kam mail test`, invitation mails, retries, permanent
// failures shown to admins, and one mail per message with two servers on one database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { BIN, PG, api, demoDb, kam, psql, serve, sleep, tokens } from '../lib/harness.mjs';

const SMTPD = new URL('../lib/smtpd.py', import.meta.url).pathname;
const cleanup = [];
after(async () => { for (const f of cleanup.reverse()) await f(); });

// A port nobody listens on (yet).
function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// An SMTP server writing what it receives into dir; resolves with {port, stop}.
function smtpd(dir, port = 0) {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/python3', [SMTPD, dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) {
        const stop = () => new Promise((r) => { if (p.exitCode !== null) return r(); p.on('exit', r); p.kill('SIGTERM'); });
        cleanup.push(stop);
        resolve({ port: Number(m[1]), stop });
      }
    });
    p.on('exit', (code) => reject(new Error(`smtpd exited ${code}: ${err}`)));
  });
}

const received = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ ...JSON.parse(readFileSync(join(dir, f), 'utf8')), raw: readFileSync(join(dir, f.replace('.json', '.eml')), 'latin1') })) : []);

// mails to the people a test brought in (not the demo KAMs' alert mails)
const newcomer = (m) => m.rcpt_tos[0].endsWith('@gridline.example');

async function waitMails(dir, n, what = 'mail', only = () => true) {
  for (let i = 0; i < 600; i++) {
    const m = received(dir).filter(only);
    if (m.length >= n) return m;
    await sleep(100);
  }
  assert.fail(`no ${what} arrived in 60 s (${received(dir).length} of ${n})`);
}

const mailEnv = (port, extra = {}) => ({
  KAM_SMTP_URL: `smtp://127.0.0.1:${port}`, KAM_SMTP_TLS: 'none', KAM_MAIL_FROM: 'kam Ö <kam@example.com>',
  KAM_PUBLIC_URL: 'https://kam.example.com/', KAM_JOB_INTERVAL: '1', KAM_MAIL_RETRY_SECONDS: '1', ...extra,
});

// People without a password, brought in by a users import; their ids by e-mail.
async function newcomers(url, admin, rows) {
  const csv = 'name,email\n' + rows.map(([n, e]) => `"${n}",${e}`).join('\n') + '\n';
  const r = await fetch(`${url}/api/v1/imports?kind=users`, { method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'text/csv' }, body: csv });
  const j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  const users = (await api(url, admin, 'GET', '/api/v1/users?limit=500')).json.items;
  return Object.fromEntries(users.map((u) => [u.email, u.id]));
}

test('kam mail test sends a multipart message with an encoded subject and prints the answer; exit 1 when the server is down or offers no STARTTLS', async () => {
  const { t } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const s = await smtpd(dir);
  const env = { ...process.env, ...mailEnv(s.port) };
  const ok = spawnSync(BIN, ['mail', 'test', 'anna@example.com'], { env, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^250 Message accepted for delivery/);
  const [m] = await waitMails(dir, 1);
  assert.deepEqual(m.rcpt_tos, ['anna@example.com']);
  assert.equal(m.mail_from, 'kam@example.com');
  assert.equal(m.subject, 'kam: test message ✓');
  assert.match(m.raw, /^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=\r$/m, 'the UTF-8 subject is an RFC 2047 encoded word');
  assert.equal(m.from, 'kam Ö <kam@example.com>');
  assert.match(m.raw, /^Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r$/m);
  assert.match(m.raw, /^Message-ID: <kam\.[^>]+@example\.com>\r$/m);
  assert.match(m.raw, /^MIME-Version: 1\.0\r$/m);
  assert.equal(m.content_type, 'multipart/alternative');
  assert.match(m.text, /mail works/);
  assert.match(m.html, /<b>kam<\/b>/);
  // refused: STARTTLS is required unless KAM_SMTP_TLS=none, which only localhost may use
  const tls = spawnSync(BIN, ['mail', 'test', 'anna@example.com'], { env: { ...env, KAM_SMTP_TLS: '' }, encoding: 'utf8' });
  assert.equal(tls.status, 1);
  assert.match(tls.stderr, /did not take the message: .*SSL/);
  const far = spawnSync(BIN, ['mail', 'test', 'anna@example.com'], { env: { ...env, KAM_SMTP_URL: 'smtp://mail.example.com:25' }, encoding: 'utf8' });
  assert.equal(far.status, 1);
  assert.match(far.stderr, /KAM_SMTP_TLS=none is only for a server on localhost/);
  const nofile = spawnSync(BIN, ['mail', 'test', 'anna@example.com'], { env: { ...env, KAM_SMTP_USER: 'kam', KAM_SMTP_PASSWORD_FILE: join(t.dir, 'missing') }, encoding: 'utf8' });
  assert.equal(nofile.status, 1);
  assert.match(nofile.stderr, /cannot read KAM_SMTP_PASSWORD_FILE/);
  const plain = spawnSync(BIN, ['serve', '--db', join(t.dir, 'x.db'), '--listen', '127.0.0.1:0'], { env: { ...env, KAM_SMTP_URL: 'http://127.0.0.1:25' }, encoding: 'utf8' });
  assert.equal(plain.status, 1, 'kam serve refuses a setting it cannot use');
  assert.match(plain.stderr, /KAM_SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
  await s.stop();
  const down = spawnSync(BIN, ['mail', 'test', 'anna@example.com'], { env, encoding: 'utf8' });
  assert.equal(down.status, 1);
  assert.match(down.stderr, /did not take the message: Couldn't connect to server/);
  assert.equal(received(dir).length, 1);
});

test('an invitation is mailed with its link (the token only in the mail, which opens it); a name with line breaks injects no header', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const s = await smtpd(dir);
  const srv = await serve(db, mailEnv(s.port));
  cleanup.push(() => srv.stop());
  const { admin, anna } = tokens(db, ['admin', 'anna']);
  const ids = await newcomers(srv.url, admin, [['Zoë Ölund', 'zoe@gridline.example']]);
  const zoe = ids['zoe@gridline.example'];
  // a stored name trying to add a recipient
  const u = await api(srv.url, admin, 'GET', `/api/v1/users/${zoe}`);
  const p = await api(srv.url, admin, 'PATCH', `/api/v1/users/${zoe}`, { name: 'Zoë\r\nBcc: eve@evil.example' }, { 'If-Match': u.headers.get('etag') });
  assert.equal(p.status, 200, p.text);
  const inv = await api(srv.url, admin, 'POST', `/api/v1/users/${zoe}/invitation`);
  assert.equal(inv.status, 201, inv.text);
  assert.equal(inv.json.mailed, true);
  assert.equal(inv.json.token, undefined, 'the token is only in the mail');
  const [m] = await waitMails(dir, 1, 'mail', newcomer);
  assert.deepEqual(m.rcpt_tos, ['zoe@gridline.example']);
  assert.equal(m.subject, 'Your kam account');
  assert.doesNotMatch(m.raw, /^Bcc:/mi);
  assert.equal(m.headers.filter(([k]) => /^(to|bcc|cc)$/i.test(k)).length, 1);
  assert.match(m.to, /zoe@gridline\.example/);
  const link = m.text.match(/https:\/\/kam\.example\.com\/#\/invite\/(inv_[A-Za-z0-9_-]+)/);
  assert.ok(link, m.text);
  assert.ok(m.html.includes(`href="${link[0]}"`));
  assert.ok(m.html.includes('Zoë Bcc: eve@evil.example') || m.html.includes('Zoë'), m.html);
  const who = await fetch(`${srv.url}/api/v1/invitations/${link[1]}`);
  assert.equal(who.status, 200);
  assert.match(JSON.stringify(await who.json()), /zoe@gridline\.example/);
  // only admins see the outbox; the mail is listed as sent, without its body
  assert.equal((await api(srv.url, anna, 'GET', '/api/v1/outbox')).status, 403);
  const sent = await api(srv.url, admin, 'GET', '/api/v1/outbox?state=sent');
  assert.equal(sent.status, 200);
  const invs = sent.json.items.filter((i) => i.kind === 'invitation');
  assert.equal(invs.length, 1);
  assert.equal(invs[0].recipient, 'zoe@gridline.example');
  assert.ok(!JSON.stringify(sent.json).includes(link[1]));
  if (!PG) {
    const dump = spawnSync('sqlite3', [db, '.dump'], { encoding: 'utf8' }).stdout;
    assert.ok(dump.includes('{{link}}') && !dump.includes(link[1]), 'the database never holds the token in clear');
  }
  assert.equal((await api(srv.url, admin, 'GET', '/api/v1/outbox?state=nonsense')).status, 400);
});

test('a mail server down for a while gets the mail after a retry; a refused mailbox fails for good and admins see it', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const port = await freePort();
  const srv = await serve(db, mailEnv(port));
  cleanup.push(() => srv.stop());
  const { admin } = tokens(db, ['admin']);
  const ids = await newcomers(srv.url, admin, [['Late Larry', 'larry@gridline.example'], ['Ref Rita', 'refuse.rita@gridline.example']]);
  assert.equal((await api(srv.url, admin, 'POST', `/api/v1/users/${ids['larry@gridline.example']}/invitation`)).status, 201);
  // the server is down: the mail waits, with the reason, for its next try
  let pending;
  for (let i = 0; i < 300; i++) {
    pending = (await api(srv.url, admin, 'GET', '/api/v1/outbox?state=pending')).json.items;
    if (pending.length && pending[0].attempts >= 1) break;
    await sleep(100);
  }
  assert.ok(pending[0].attempts >= 1, JSON.stringify(pending));
  assert.match(pending[0].last_error, /connect/i);
  const s = await smtpd(dir, port);
  const [m] = await waitMails(dir, 1, 'mail', newcomer);
  assert.deepEqual(m.rcpt_tos, ['larry@gridline.example']);
  // 550 is final: no retry, shown to admins with the server's answer and counted
  assert.equal((await api(srv.url, admin, 'POST', `/api/v1/users/${ids['refuse.rita@gridline.example']}/invitation`)).status, 201);
  let failed;
  for (let i = 0; i < 300; i++) {
    failed = (await api(srv.url, admin, 'GET', '/api/v1/outbox?state=failed')).json;
    if (failed.failed) break;
    await sleep(100);
  }
  assert.equal(failed.failed, 1);
  assert.equal(failed.items[0].recipient, 'refuse.rita@gridline.example');
  assert.match(failed.items[0].last_error, /550/);
  assert.equal((await api(srv.url, admin, 'GET', '/api/v1/outbox')).json.items.length, 1, 'failed is the default');
  await sleep(1500);
  assert.equal(received(dir).filter(newcomer).length, 1);
  await s.stop();
});

test('a mail server that stays down: the mail fails for good after its last try, with the reason, for admins', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const srv = await serve(db, mailEnv(await freePort(), { KAM_MAIL_ATTEMPTS: '3' }));
  cleanup.push(() => srv.stop());
  const { admin } = tokens(db, ['admin']);
  const ids = await newcomers(srv.url, admin, [['Gone Gina', 'gina@gridline.example']]);
  assert.equal((await api(srv.url, admin, 'POST', `/api/v1/users/${ids['gina@gridline.example']}/invitation`)).status, 201);
  let failed;
  for (let i = 0; i < 300; i++) {
    failed = (await api(srv.url, admin, 'GET', '/api/v1/outbox?state=failed')).json.items.filter((m) => m.kind === 'invitation');
    if (failed.length) break;
    await sleep(100);
  }
  assert.equal(failed.length, 1, 'failed after 1 + 2 s of backoff');
  assert.equal(failed[0].attempts, 3);
  assert.match(failed[0].last_error, /Couldn't connect to server/);
  assert.equal((await api(srv.url, admin, 'GET', '/api/v1/outbox?state=pending')).json.items.filter((m) => m.kind === 'invitation').length, 0);
});

test('two kam servers on one database send each mail once', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const s = await smtpd(dir);
  const [a, b] = await Promise.all([serve(db, mailEnv(s.port)), serve(db, mailEnv(s.port))]);
  cleanup.push(() => a.stop(), () => b.stop());
  const { admin } = tokens(db, ['admin']);
  const rows = Array.from({ length: 12 }, (_, i) => [`New Person ${i}`, `new${i}@gridline.example`]);
  const ids = await newcomers(a.url, admin, rows);
  for (const [, e] of rows) {
    const srv = Number(e.match(/\d+/)[0]) % 2 ? a : b;
    assert.equal((await api(srv.url, admin, 'POST', `/api/v1/users/${ids[e]}/invitation`)).status, 201);
  }
  await waitMails(dir, rows.length, 'mail', newcomer);
  await sleep(2500); // several more runs of both workers
  const got = received(dir).filter(newcomer).map((m) => m.rcpt_tos[0]).sort();
  assert.deepEqual(got, rows.map(([, e]) => e).sort());
});

const sql = (d, q) => (PG ? psql(q, new URL(d).pathname.slice(1)) : execFileSync('sqlite3', [d, q], { encoding: 'utf8' }).trim());
const header = (m, name) => m.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

test('alerts of the severities a KAM chose are mailed at once; the daily digest comes at their hour in the installation zone, with links, once a day, and one click unsubscribes', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const s = await smtpd(dir);
  kam(['settings', 'set', 'time_zone', 'Asia/Tokyo', '--db', db]);
  // anna wants warnings too (stored before the server opens its first alerts)
  sql(db, "INSERT INTO notification_prefs (user_id, immediate) SELECT id, 'warning,critical' FROM users WHERE email = 'anna@example.com'");
  const day = new Date().toISOString().slice(0, 10);
  const at = (hh) => `${day}T${hh}:00Z`; // Tokyo is 9 hours ahead
  let srv = await serve(db, mailEnv(s.port, { KAM_NOW: at('19:00') })); // 04:00 in Tokyo: no digest yet
  const tok = tokens(db, ['admin', 'anna', 'ben', 'viewer']);
  // every open alert of an active KAM's account with a severity they chose, once
  let alerts;
  for (let i = 0; i < 300; i++) {
    alerts = sql(db, "SELECT al.id || '|' || al.severity || '|' || al.account_id || '|' || u.email FROM alerts al JOIN accounts a ON a.id = al.account_id JOIN users u ON u.id = a.owner_id WHERE al.state = 'open'");
    if (alerts) break;
    await sleep(100);
  }
  const want = alerts.split('\n').map((l) => l.split('|')).filter(([, sev, , email]) => sev === 'critical' || (sev === 'warning' && email === 'anna@example.com'));
  assert.ok(want.length > 0 && want.some(([, sev]) => sev === 'warning'), alerts);
  const mails = await waitMails(dir, want.length, 'alert mail');
  await sleep(2000);
  const got = received(dir);
  assert.equal(got.length, want.length, 'one mail per alert, none for the severities not chosen');
  assert.deepEqual(got.map((m) => `${m.rcpt_tos[0]} ${m.text.match(/#\/accounts\/(\d+)/)[1]}`).sort(),
    want.map(([, , acc, email]) => `${email} ${acc}`).sort());
  const m = mails[0];
  assert.match(m.subject, /^\[kam\] (critical|warning) alert: .+, .+/);
  assert.match(header(m, 'List-Unsubscribe'), /^<https:\/\/kam\.example\.com\/api\/v1\/unsubscribe\/\d+\.[0-9a-f]{32}>$/);
  assert.equal(header(m, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  assert.match(m.html, /href="https:\/\/kam\.example\.com\/#\/accounts\/\d+"/);
  // preferences through the API: anna's digest at 08:00
  const me = await api(srv.url, tok.anna, 'GET', '/api/v1/me/notifications');
  assert.deepEqual(me.json, { digest: true, digest_hour: 7, immediate: ['warning', 'critical'] });
  const bad = await api(srv.url, tok.anna, 'PATCH', '/api/v1/me/notifications', { digest_hour: 24 });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /digest_hour/);
  assert.equal((await api(srv.url, tok.anna, 'PATCH', '/api/v1/me/notifications', { immediate: ['urgent'] })).status, 400);
  const ok = await api(srv.url, tok.anna, 'PATCH', '/api/v1/me/notifications', { digest_hour: 8 });
  assert.deepEqual(ok.json, { digest: true, digest_hour: 8, immediate: ['warning', 'critical'] });
  await srv.stop();

  // 07:30 in Tokyo: the digests of hour 7, not anna's
  const before = received(dir).length;
  srv = await serve(db, mailEnv(s.port, { KAM_NOW: at('22:30') }));
  const work = (await api(srv.url, tok.ben, 'GET', '/api/v1/work')).json;
  let ben;
  for (let i = 0; i < 300 && !ben; i++) {
    ben = received(dir).slice(before).find((x) => x.rcpt_tos[0] === 'ben@example.com');
    if (!ben) await sleep(100);
  }
  assert.ok(ben, 'ben got his digest');
  await sleep(2000);
  await srv.stop();
  const digests = received(dir).slice(before);
  assert.ok(!digests.some((x) => x.rcpt_tos[0] === 'anna@example.com'), 'anna chose 08:00');
  assert.ok(!digests.some((x) => x.rcpt_tos[0] === 'viewer@example.com'), 'nothing to say, no mail');
  assert.equal(digests.filter((x) => x.rcpt_tos[0] === 'ben@example.com').length, 1);
  assert.match(ben.subject, /^\[kam\] Your day: \d+ alerts, \d+ overdue, \d+ due this week$/);
  assert.equal(ben.subject.match(/(\d+) overdue/)[1], String(work.overdue.length));
  for (const a of [...work.overdue, ...work.this_week]) {
    assert.ok(ben.text.includes(a.title), a.title);
    assert.ok(ben.html.includes(`href="https://kam.example.com/#/accounts/${a.account_id}"`));
  }
  assert.match(ben.text, /https:\/\/kam\.example\.com\/#\/work/);
  assert.ok(header(ben, 'List-Unsubscribe'));

  // 08:30: anna's digest; nobody gets a second one that day
  const before2 = received(dir).length;
  srv = await serve(db, mailEnv(s.port, { KAM_NOW: at('23:30') }));
  cleanup.push(() => srv.stop());
  const [anna] = await waitMails(dir, before2 + 1, 'digest').then((all) => all.slice(before2));
  await sleep(2000);
  assert.deepEqual(received(dir).slice(before2).map((x) => x.rcpt_tos[0]), ['anna@example.com']);
  // one click, no login: no more mails for anna
  const url = header(anna, 'List-Unsubscribe').slice(1, -1).replace('https://kam.example.com', srv.url);
  const forged = url.replace(/(unsubscribe\/\d+)\.([0-9a-f])/, (_, p, c) => `${p}.${c === '0' ? '1' : '0'}`);
  const post = (u) => fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal((await post(forged)).status, 404);
  assert.equal((await post(url.replace(/unsubscribe\/\d+\./, 'unsubscribe/' + sql(db, "SELECT id FROM users WHERE email = 'ben@example.com'") + '.'))).status, 404, "anna's link is not ben's");
  assert.equal((await post(url)).status, 200);
  assert.deepEqual((await api(srv.url, tok.anna, 'GET', '/api/v1/me/notifications')).json, { digest: false, digest_hour: 8, immediate: [] });
  assert.deepEqual((await api(srv.url, tok.ben, 'GET', '/api/v1/me/notifications')).json, { digest: true, digest_hour: 7, immediate: ['critical'] });
});
