// A new installation in the browser (issue 15): the admin's first sign-in asks for the
// company, its currency and time zone; a first revenue file in another currency offers to
// make it the base currency, and one click imports it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newPage, signIn as signInAs, fits, screenshot } from '../lib/browser.mjs';
import { PG, kam, serve, api, tmp, createDb } from '../lib/harness.mjs';

let t, browser;

before(async () => {
  t = tmp();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  t.rm();
});

function freshDb(name) {
  const d = PG ? createDb() : join(t.dir, `${name}.db`);
  kam(['init', '--db', d]);
  kam(['user', 'add', '--email', 'boss@example.com', '--name', 'Boss', '--role', 'admin', '--password-stdin', '--db', d], { input: 'demo-password-1\n' });
  return d;
}

const signIn = (p, url) => signInAs(p, url, 'boss@example.com');

test('the first sign-in asks for the company, its currency and time zone; saved, it does not ask again', async () => {
  const d = freshDb('setup');
  const s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  try {
    for (const w of [390, 1280]) {
      const p = await newPage(browser, w, 900);
      await signIn(p, s.url);
      const card = p.getByRole('region', { name: 'Welcome to kam' });
      await card.waitFor();
      await screenshot(p, `onboard/setup-${w}`, { fullPage: false });
      await fits(p, `the setup card at ${w} px`);
      if (w === 390) { await p.context().close(); continue; }
      await card.getByLabel('Your company').fill('Gridline Inc.');
      await card.getByLabel('Currency of your figures').selectOption('USD');
      await card.getByLabel(/Time zone/).selectOption('America/Chicago');
      await card.getByRole('button', { name: 'Save and start' }).click();
      await card.waitFor({ state: 'detached' });
      assert.deepEqual(p.problems, []);
      await p.reload();
      await p.getByRole('navigation', { name: 'Main' }).waitFor();
      assert.equal(await p.getByRole('region', { name: 'Welcome to kam' }).count(), 0);
      await p.context().close();
    }
    const tok = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', d]).trim();
    const st = (await api(s.url, tok, 'GET', '/api/v1/settings')).json;
    assert.deepEqual([st.company_name, st.base_currency, st.time_zone], ['Gridline Inc.', 'USD', 'America/Chicago']);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('a first revenue file in dollars offers to make USD the base currency, and one click imports it', async () => {
  const d = freshDb('offer');
  writeFileSync(join(t.dir, 'a.csv'), 'name\nAcme Corp\n');
  kam(['import', 'accounts', join(t.dir, 'a.csv'), '--db', d]);
  const file = join(t.dir, 'revenue.csv');
  writeFileSync(file, 'account,booked_on,amount,currency\nAcme Corp,2026-01-05,100.00,USD\nAcme Corp,2026-02-05,250.00,USD\n');
  const s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  try {
    const p = await newPage(browser, 1280, 900);
    await signIn(p, s.url);
    await p.getByRole('button', { name: 'Later' }).click();
    await p.goto(s.url + '/#/settings');
    const form = p.locator('form.import-form');
    await form.getByLabel('What').selectOption('transactions');
    await form.getByLabel('File').setInputFiles(file);
    await form.getByRole('button', { name: 'Import' }).click();
    const offer = p.getByRole('button', { name: 'Make USD the base currency and import again' });
    await offer.waitFor();
    assert.match(await p.getByRole('alert').first().textContent(), /every row is in USD/);
    await screenshot(p, 'onboard/offer-1280', { fullPage: false });
    await offer.click();
    await p.getByText(/2 created/).first().waitFor();
    assert.equal(await offer.count(), 0);
    assert.deepEqual(p.problems, []);
    const tok = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', d]).trim();
    assert.equal((await api(s.url, tok, 'GET', '/api/v1/settings')).json.base_currency, 'USD');
    const tx = (await api(s.url, tok, 'GET', '/api/v1/transactions?limit=10')).json.items;
    assert.deepEqual(tx.map((x) => [x.amount, x.currency, x.amount_base]).sort(), [[10000, 'USD', 10000], [25000, 'USD', 25000]]);
    await p.context().close();
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('an imported user opens their invitation link, chooses a password and signs in; the admin makes links in Settings', async () => {
  const d = freshDb('invite');
  writeFileSync(join(t.dir, 'team.csv'), 'sales_agent,regional_office\nZoë Ölund,East\nKai Rep,West\n');
  const out = kam(['import', 'users', join(t.dir, 'team.csv'), '--email-domain', 'gridline.example', '--db', d]);
  const link = /Zoë Ölund <zoe\.olund@gridline\.example>: (\/#\/invite\/inv_[A-Za-z0-9_-]+)/.exec(out)[1];
  const s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  try {
    const p = await newPage(browser, 390, 800);
    await p.goto(s.url + link);
    await p.getByText('Welcome, Zoë Ölund').waitFor();
    await screenshot(p, 'onboard/invite-390', { fullPage: false });
    await fits(p, 'the invitation page at 390 px');
    await p.getByLabel(/New password/).fill('zoe-secret-password');
    await p.getByLabel('The same again').fill('zoe-secret-password');
    await p.getByRole('button', { name: 'Set my password' }).click();
    await p.getByText(/Your password is set/).waitFor();
    await p.getByRole('link', { name: 'Sign in' }).click();
    await p.getByLabel('E-mail').fill('zoe.olund@gridline.example');
    await p.getByLabel('Password').fill('zoe-secret-password');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('navigation', { name: 'Main' }).waitFor();
    assert.match(await p.locator('.who').textContent(), /Zoë Ölund · kam/);
    // the link is spent
    await p.goto(s.url + link);
    await p.getByRole('alert').waitFor();
    assert.match(await p.getByRole('alert').textContent(), /not valid, was used already or has expired/);
    assert.deepEqual(p.problems, []);
    await p.context().close();

    // the admin sees who still waits, and makes Kai a link
    const a = await newPage(browser, 1280, 900);
    await signIn(a, s.url);
    await a.getByRole('button', { name: 'Later' }).click();
    await a.goto(s.url + '/#/settings');
    const pending = a.getByRole('region', { name: 'Waiting for their password' });
    await pending.waitFor();
    assert.equal(await pending.getByRole('row').count(), 2, 'Kai alone (and the header)');
    await pending.getByRole('button', { name: 'Create invitation link' }).click();
    const box = pending.getByLabel('Invitation link for Kai Rep');
    await box.waitFor();
    assert.match(await box.inputValue(), new RegExp(`^${s.url.replace(/[.]/g, '\\.')}/#/invite/inv_`));
    await pending.screenshot({ path: await screenshot(a, 'onboard/pending-1280', { fullPage: false }) });
    assert.deepEqual(a.problems, []);
    await a.context().close();
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('the import wizard takes several messy files at once: orders them, a click maps a column and a value, a dry run, the import, a saved mapping, the portfolio', async () => {
  const d = freshDb('wizard');
  const s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  try {
    const p = await newPage(browser, 1280, 900);
    await signIn(p, s.url);
    await p.getByRole('button', { name: 'Later' }).click();
    await p.goto(s.url + '/#/settings');
    const wz = p.getByRole('region', { name: 'Import wizard' });
    await wz.waitFor();
    // the deals come first in the selection; accounts must go in before them
    await wz.getByLabel('CSV exports to import').setInputFiles([
      { name: 'deals.csv', mimeType: 'text/csv', buffer: Buffer.from('Deal,Acount Name,deal_stage,close_value,Close Date\nWZ-1,Acme Corp,In Talks,"1,200.00",3/14/2026\nWZ-2,Beta Ltd,Won,300,3/20/2026\nWZ-3,Acme Corp,In Talks,50,4/2/2026\n') },
      { name: 'companies.csv', mimeType: 'text/csv', buffer: Buffer.from('company,sector\nAcme Corp,retail\nBeta Ltd,energy\n') },
    ]);
    const files = wz.locator('ol.wizard-files li');
    await files.first().waitFor();
    assert.match(await files.nth(0).textContent(), /companies\.csv/);
    assert.equal(await wz.getByLabel('kind of companies.csv').inputValue(), 'accounts');
    assert.equal(await wz.getByLabel('kind of deals.csv').inputValue(), 'opportunities');
    await wz.getByRole('button', { name: 'Review the files' }).click();
    await wz.getByText('companies.csv: accounts, 2 rows').waitFor();
    assert.match(await wz.locator('.wizard-dry').textContent(), /2 would be created/);
    await wz.getByRole('button', { name: 'Import companies.csv' }).click();

    // the deals: an account column kam does not know and a stage it cannot place
    await wz.getByText('deals.csv: opportunities, 3 rows').waitFor();
    assert.match(await wz.locator('.wizard-dry').textContent(), /3 rejected/);
    assert.equal(await wz.getByLabel('field of Acount Name').inputValue(), '');
    await wz.getByLabel('field of Acount Name').selectOption('account');
    await wz.getByLabel('meaning of In Talks').waitFor();
    await wz.getByLabel('meaning of In Talks').selectOption('negotiation');
    await p.waitForFunction(() => /0 rejected/.test(document.querySelector('.wizard-dry')?.textContent || ''));
    const rows = wz.locator('table.wizard-rows tbody tr');
    assert.equal(await rows.count(), 3);
    assert.match(await rows.first().textContent(), /negotiation/);
    await screenshot(p, 'onboard/wizard-1280');
    await p.setViewportSize({ width: 390, height: 900 });
    await fits(p, 'the import wizard at 390 px');
    await p.setViewportSize({ width: 1280, height: 900 });
    await wz.getByLabel('Save these choices as').fill('monthly deals');
    await wz.getByRole('button', { name: 'Save mapping' }).click();
    await wz.getByText(/Saved as “monthly deals”/).waitFor();
    await wz.getByRole('button', { name: 'Import deals.csv' }).click();
    await wz.getByText('All files are in.').waitFor();
    await wz.getByRole('link', { name: 'Open the portfolio' }).click();
    await p.waitForFunction(() => location.hash === '#/dashboard');
    assert.deepEqual(p.problems, []);

    const tok = kam(['token', 'create', '--email', 'boss@example.com', '--name', 't', '--db', d]).trim();
    const deals = (await api(s.url, tok, 'GET', '/api/v1/opportunities?limit=10&sort=name')).json.items;
    assert.deepEqual(deals.map((x) => [x.name, x.stage, x.amount]), [['WZ-1', 'negotiation', 120000], ['WZ-2', 'won', 30000], ['WZ-3', 'negotiation', 5000]]);
    const maps = (await api(s.url, tok, 'GET', '/api/v1/import-mappings')).json.items;
    assert.deepEqual(maps.map((m) => [m.name, m.kind]), [['monthly deals', 'opportunities']]);
    assert.deepEqual(JSON.parse(maps[0].mapping).values, { stage: { 'In Talks': 'negotiation' } });
    await p.context().close();
  } finally {
    assert.equal(await s.stop(), 0);
  }
});
