// An objective measured from data, in the browser (issue 17): the KAM picks the figure in
// the objective form and types the target in euros; the plan shows the baseline and current
// value from the account's transactions and the progress, without anyone typing them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {}, acc;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'director'], 'webmeasure'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600', KAM_NOW: '2026-07-15T12:00:00Z' });
  browser = await launch();
  const ok = async (u, m, p, b) => { const r = await api(srv.url, tok[u], m, p, b); assert.ok(r.status < 300, `${m} ${p}: ${r.text}`); return r.json; };
  const me = await ok('anna', 'GET', '/api/v1/me');
  acc = (await ok('anna', 'POST', '/api/v1/accounts', { name: 'Measured Mills GmbH', owner_id: me.id, status: 'active' })).id;
  await ok('anna', 'POST', '/api/v1/plans', { account_id: acc, title: 'Plan 2026', period_start: '2026-01-01', period_end: '2026-12-31', status: 'active' });
  for (const [day, amount] of [['2025-06-19', 40000], ['2025-12-31', 60000], ['2026-02-01', 70000], ['2026-07-15', 80000]])
    await ok('director', 'POST', '/api/v1/transactions', { account_id: acc, booked_on: day, amount, currency: 'EUR' });
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('the KAM binds an objective to revenue; the plan shows it from the data', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc, 'plan');
  const f = p.getByRole('form', { name: 'Add an objective' });
  await f.getByLabel('Objective').fill('Revenue to 2,500 € this year');
  await f.getByLabel('Measured from').selectOption('revenue');
  await f.getByLabel('Target').fill('2500');
  await f.getByRole('button', { name: 'Add objective' }).click();
  const row = p.locator('table.objectives tr', { hasText: 'Revenue to 2,500' });
  await row.getByText('from data').waitFor();
  const text = await row.innerText();
  // baseline 400 + 600 before the plan; 700 + 800 since its start; target 2,500
  assert.match(text, /€1,000 → €2,500/);
  assert.match(text, /€1,500/);

  assert.match(text, /33\s?%/);
  const stored = (await api(srv.url, tok.anna, 'GET', `/api/v1/objectives?plan_id=${(await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${acc}`)).json.items[0].id}`)).json.items;
  assert.deepEqual(stored.map((o) => [o.measure, o.target, o.current]), [['revenue', 250000, 150000]]);
  // the current value is the data's, not a field to type over
  assert.equal(await row.getByLabel(/current value of/).count(), 0);
  await screenshot(p, 'objective-measured-1280', { fullPage: false });
  // editing shows the target in euros again
  await row.getByRole('button', { name: 'edit' }).click();
  const e = p.getByRole('form', { name: /Edit objective Revenue/ });
  assert.equal(Number(await e.getByLabel('Target').inputValue()), 2500);
  await e.getByRole('button', { name: 'Cancel' }).click();
  await fits(p, 'the plan tab');
  assert.deepEqual(p.problems, []);
});
