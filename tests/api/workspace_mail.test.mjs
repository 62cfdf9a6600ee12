// Issue 19 with mail set up: the invitation also goes by mail with a link of its own (made
// when the mail leaves, so neither the outbox nor any table holds a token), and what a client
// member does is mailed to the account's KAM through the outbox.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PG, api, demoDb, serve, tokens } from '../lib/harness.mjs';
import { smtpd, waitMails, mailEnv } from '../lib/mail.mjs';
import { signIn, wsCall } from '../lib/workspace.mjs';

const cleanup = [];
after(async () => { for (const f of cleanup.reverse()) await f(); });

test('the sign-in link goes by mail as well, works once, is never stored in clear; the KAM hears of client changes', async () => {
  const { t, db } = demoDb();
  cleanup.push(() => t.rm());
  const dir = join(t.dir, 'in');
  const s = await smtpd(dir, 0, (f) => cleanup.push(f));
  const srv = await serve(db, mailEnv(s.port, { KAM_JOB_INTERVAL: '3600' }));
  cleanup.push(() => srv.stop());
  const { anna } = tokens(db, ['anna']);
  const call = (m, p, b) => api(srv.url, anna, m, p, b);
  const me = (await call('GET', '/api/v1/me')).json;
  const acc = (await call('POST', '/api/v1/accounts', { name: 'Mailed Co', owner_id: me.id })).json.id;
  const y = new Date().getUTCFullYear();
  const plan = (await call('POST', '/api/v1/plans', { account_id: acc, period_start: `${y - 1}-01-01`, period_end: `${y + 1}-12-31`, status: 'active' })).json.id;
  const act = (await call('POST', '/api/v1/actions', { plan_id: plan, title: 'Sign the data sheet', side: 'joint', client_visible: true })).json;
  const m = await call('POST', `/api/v1/accounts/${acc}/client-members`, { name: 'Mia Mailed', email: 'mia@mailed.example' });
  assert.equal(m.status, 201, m.text);
  assert.equal(m.json.mailed, true);
  const [mail] = await waitMails(dir, 1, 'workspace link', (x) => x.rcpt_tos[0] === 'mia@mailed.example');
  assert.equal(mail.subject, 'Your joint account plan');
  const link = mail.text.match(/https:\/\/kam\.example\.com\/#\/workspace\/(ws_[A-Za-z0-9_-]+)/);
  assert.ok(link, mail.text);
  assert.match(mail.text, /Mailed Co/);
  if (!PG) {
    const dump = execFileSync('sqlite3', [db, '.dump'], { encoding: 'utf8' });
    assert.ok(!dump.includes(link[1]) && !dump.includes(m.json.link.split('/').pop()), 'only hashes of the tokens are kept');
  }
  // both links work, each once
  const viaMail = await signIn(srv.url, link[0]);
  assert.equal(viaMail.status, 201, viaMail.text);
  assert.equal((await signIn(srv.url, link[0])).status, 404);
  const shown = await signIn(srv.url, m.json.link);
  assert.equal(shown.status, 201, shown.text);
  // a client change is mailed to the KAM
  const r = await wsCall(srv.url, viaMail, 'PATCH', `/api/v1/workspace/actions/${act.id}`, { status: 'done' });
  assert.equal(r.status, 200, r.text);
  const [note] = await waitMails(dir, 1, 'KAM notification', (x) => x.rcpt_tos[0] === 'anna@example.com' && /Mailed Co/.test(x.subject));
  assert.match(note.text, /client: Mia Mailed \(Mailed Co\) set to done the action "Sign the data sheet"/);
});
