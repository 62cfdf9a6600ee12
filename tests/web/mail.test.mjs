// Mail in Settings (issue 16): a KAM chooses their digest hour and immediate severities; an
// admin sees the mails that could not be delivered. Fits 390, 820 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'anna'], 'ui'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('a KAM sets the hour of their digest and the severities mailed at once; an admin sees undelivered mail', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(srv.url + '/#/settings');
  const sec = p.getByRole('region', { name: 'My mail' });
  await sec.getByLabel('hour of the daily digest (installation time)').selectOption('8');
  await sec.getByRole('status').filter({ hasText: 'at 08:00' }).waitFor();
  await sec.getByLabel('warning').click(); // saved at once; checked once the server said so
  await sec.getByRole('status').filter({ hasText: 'warning, critical alerts' }).waitFor();
  const me = await api(srv.url, tok.anna, 'GET', '/api/v1/me/notifications');
  assert.deepEqual(me.json, { digest: true, digest_hour: 8, immediate: ['warning', 'critical'] });
  for (const w of [390, 820, 1280]) {
    await p.setViewportSize({ width: w, height: 900 });
    await p.waitForTimeout(50); // layout settles; not a timing assertion
    await sec.scrollIntoViewIfNeeded();
    await screenshot(p, `mail-prefs-${w}`, { fullPage: false });
    await fits(p, 'settings');
  }
  const a = await newPage(browser, 1280, 900);
  await signIn(a, srv.url, 'admin@example.com');
  await a.goto(srv.url + '/#/settings');
  await a.getByRole('region', { name: 'Undelivered mail' }).getByText('Every mail went out.').waitFor();
});
