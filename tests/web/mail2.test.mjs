// Mail in the browser, second part (issue 16): "Forgot your password?" on the sign-in page →
// the mail (a real SMTP server) → the link's page → a new password → signed in; the page without
// mail on the server; the directors' alert threshold in Settings. Screenshots at 1280 and 390.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, newPage, signIn, fits, screenshot } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';
import { smtpd, waitMails, mailEnv } from '../lib/mail.mjs';

let t, db, srv, browser, mailer;
const cleanup = [];

before(async () => {
  ({ t, db } = demoDb());
  mailer = await smtpd(join(t.dir, 'in'), 0, (f) => cleanup.push(f));
  srv = await serve(db, mailEnv(mailer.port, { KAM_JOB_INTERVAL: '3600' }));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  for (const f of cleanup.reverse()) await f();
  t.rm();
});

async function shots(p, name, loc) {
  for (const w of [1280, 390]) {
    await p.setViewportSize({ width: w, height: 800 });
    await p.waitForTimeout(50); // layout settles; not a timing assertion
    if (loc) await loc.scrollIntoViewIfNeeded();
    await screenshot(p, `${name}-${w}`, { fullPage: false });
    await fits(p, name);
  }
}

test('forgot password: the sign-in page mails a link, the link sets a new password, and the user signs in with it', async () => {
  const p = await newPage(browser, 1280, 800);
  await p.goto(srv.url + '/');
  await p.getByRole('link', { name: 'Forgot your password?' }).waitFor();
  await shots(p, 'reset-login');
  await p.getByRole('link', { name: 'Forgot your password?' }).click();
  await p.getByLabel('E-mail').fill('ben@example.com');
  await shots(p, 'reset-ask');
  await p.getByRole('button', { name: 'Mail me a link' }).click();
  await p.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' }).waitFor();
  await shots(p, 'reset-asked');
  const [m] = await waitMails(join(t.dir, 'in'), 1, 'reset mail', (x) => x.subject === 'Your new kam password');
  assert.deepEqual(m.rcpt_tos, ['ben@example.com']);
  const link = m.text.match(/https:\/\/kam\.example\.com(\/#\/reset\/rst_[A-Za-z0-9_-]+)/);
  assert.ok(link, m.text);
  await p.goto(srv.url + link[1]);
  await p.getByText('Choose a new password for ben@example.com').waitFor();
  await p.getByLabel('New password (12 characters or more)').fill('ben chose this one');
  await p.getByLabel('The same again').fill('ben chose this one');
  await shots(p, 'reset-choose');
  await p.getByRole('button', { name: 'Set my new password' }).click();
  await p.getByRole('status').filter({ hasText: 'Your new password is set, Ben' }).waitFor();
  await shots(p, 'reset-done');
  await p.getByRole('link', { name: 'Sign in' }).click();
  await signIn(p, srv.url, 'ben@example.com', 'ben chose this one');
  // the link worked once
  await p.goto(srv.url + link[1]);
  await p.getByRole('alert').filter({ hasText: 'not valid, was used already or has expired' }).waitFor();
  assert.deepEqual(p.problems, []);
});

test('without mail on the server the page says to ask an admin', async () => {
  const plain = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  try {
    const p = await newPage(browser, 1280, 800);
    await p.goto(plain.url + '/#/reset');
    await p.getByRole('status').filter({ hasText: 'This server sends no mail. Ask an admin' }).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Mail me a link' }).count(), 0);
    await shots(p, 'reset-nomail');
  } finally {
    await plain.stop();
  }
});

test('an admin sets the revenue from which alerts are mailed to the directors', async () => {
  const { admin } = tokens(db, ['admin'], 'ui2');
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'admin@example.com');
  await p.goto(srv.url + '/#/settings');
  const sec = p.getByRole('region', { name: 'Alert mails to directors' });
  await sec.getByLabel(/Revenue over 12 months from/).fill('1,000,000');
  await sec.getByRole('button', { name: 'Save director threshold' }).click();
  await sec.getByRole('status').filter({ hasText: 'or more over 12 months' }).waitFor();
  assert.equal((await api(srv.url, admin, 'GET', '/api/v1/settings')).json.director_alert_min_revenue, 100000000);
  await shots(p, 'director-threshold', sec);
  assert.deepEqual(p.problems, []);
});
