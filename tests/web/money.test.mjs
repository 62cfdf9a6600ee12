// Money in the browser at its currency's own size (ISO 4217 digits from GET
// /api/v1/currencies): in an installation whose base currency is the yen, a yen account's
// revenue, potential and opportunities read as yen, not a hundredth of them; a euro
// opportunity beside them keeps its cents; and an amount typed in the form is stored in the
// right minor units.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newPage, openAccount } from '../lib/browser.mjs';
import { PG, createDb, kam, serve, api, tmp } from '../lib/harness.mjs';

const OUT = new URL('../out/', import.meta.url).pathname;
let t, db, srv, browser, tok, acc, yen, euro;

const monthsAgo = (n) => { const d = new Date(); d.setUTCDate(5); d.setUTCMonth(d.getUTCMonth() - n); return d.toISOString().slice(0, 10); };

before(async () => {
  mkdirSync(OUT, { recursive: true });
  t = tmp();
  db = PG ? createDb() : join(t.dir, 'kam.db');
  kam(['init', '--db', db]);
  for (const [e, n, r] of [['boss', 'Boss', 'admin'], ['kumi', 'Kumi Sato', 'kam']])
    kam(['user', 'add', '--email', `${e}@example.com`, '--name', n, '--role', r, '--password-stdin', '--db', db], { input: 'demo-password-1\n' });
  tok = kam(['token', 'create', '--email', 'boss@example.com', '--name', 'web', '--db', db]).trim();
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  const ok = async (m, p, b, want = 201) => { const r = await api(srv.url, tok, m, p, b); assert.equal(r.status, want, r.text); return r.json; };
  await ok('PATCH', '/api/v1/settings', { base_currency: 'JPY' }, 200);
  const kumi = (await ok('GET', '/api/v1/users?limit=10', undefined, 200)).items.find((u) => u.name === 'Kumi Sato');
  acc = await ok('POST', '/api/v1/accounts', { name: 'Yamato Seiki', currency: 'JPY', owner_id: kumi.id, potential_annual_spend: 5000000 });
  await ok('POST', '/api/v1/fx-rates', { currency: 'EUR', valid_from: '2020-01-01', rate: 160 });
  await ok('POST', '/api/v1/transactions', { account_id: acc.id, booked_on: monthsAgo(2), amount: 120000, currency: 'JPY' });
  yen = await ok('POST', '/api/v1/opportunities', { account_id: acc.id, name: 'Spindle upgrade', kind: 'upsell', amount: 1500000, currency: 'JPY', stage: 'proposal' });
  euro = await ok('POST', '/api/v1/opportunities', { account_id: acc.id, name: 'EU service plan', kind: 'cross_sell', amount: 1234567, currency: 'EUR', stage: 'qualified' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

async function signIn(p) {
  await p.goto(srv.url + '/');
  await p.getByLabel('E-mail').fill('kumi@example.com');
  await p.getByLabel('Password').fill('demo-password-1');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('navigation', { name: 'Main' }).waitFor();
}

test('a yen account shows its revenue, potential and opportunities in whole yen, a euro deal in euros', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p);
  await p.goto(`${srv.url}/#/accounts/${acc.id}`);
  const figures = p.getByRole('region', { name: 'Last twelve months' }).locator('p').first();
  await figures.getByText(/Revenue/).waitFor();
  const text = await figures.textContent();
  assert.match(text, /Revenue ¥120,000 /, text);
  assert.match(text, /potential ¥5,000,000/, text);
  await p.screenshot({ path: join(OUT, 'money-yen-overview.png'), fullPage: true });

  await p.getByRole('tab', { name: 'opportunities' }).click();
  const row = (name) => p.getByRole('row').filter({ hasText: name });
  await row('Spindle upgrade').waitFor();
  assert.match(await row('Spindle upgrade').textContent(), /¥1,500,000/);
  assert.match(await row('EU service plan').textContent(), /€12,346/);
  // the pipeline in the base currency: ¥1,500,000 + €12,345.67 × 160
  const pipeline = (await api(srv.url, tok, 'GET', `/api/v1/accounts/${acc.id}/pipeline`)).json;
  assert.equal(pipeline.total, 1500000 + Math.round(1234567 * 160 / 100));
  assert.match(await p.getByText(/Open pipeline/).textContent(), /Open pipeline ¥3,475,307,/);
  await p.screenshot({ path: join(OUT, 'money-yen-opportunities.png'), fullPage: true });
  assert.deepEqual(p.problems, []);
});

test('editing a yen opportunity stores whole yen; a fraction of a yen is refused at the field', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p);
  await openAccount(p, srv.url, acc.id, 'opportunities');
  await p.getByRole('button', { name: 'edit Spindle upgrade' }).click();
  const f = p.getByRole('form', { name: 'Edit opportunity' });
  const amount = f.getByLabel('Amount');
  assert.equal(await amount.inputValue(), '1500000', 'the form shows yen as they are');
  await amount.fill('1.5');
  await f.getByRole('button', { name: 'Save' }).click();
  await f.getByText('must be an amount in JPY with at most 0 decimals').waitFor();
  await p.screenshot({ path: join(OUT, 'money-yen-refused.png'), fullPage: true });
  assert.equal((await api(srv.url, tok, 'GET', `/api/v1/opportunities/${yen.id}`)).json.amount, 1500000, 'nothing was saved');
  await amount.fill('2500000');
  await f.getByRole('button', { name: 'Save' }).click();
  await f.waitFor({ state: 'detached' });
  assert.equal((await api(srv.url, tok, 'GET', `/api/v1/opportunities/${yen.id}`)).json.amount, 2500000);
  await p.getByRole('row').filter({ hasText: 'Spindle upgrade' }).getByText('¥2,500,000').waitFor();

  // the euro deal keeps its cents through the form
  await p.getByRole('button', { name: 'edit EU service plan' }).click();
  const g = p.getByRole('form', { name: 'Edit opportunity' });
  assert.equal(await g.getByLabel('Amount').inputValue(), '12345.67');
  await g.getByLabel('Amount').fill('12345.68');
  await g.getByRole('button', { name: 'Save' }).click();
  await g.waitFor({ state: 'detached' });
  assert.equal((await api(srv.url, tok, 'GET', `/api/v1/opportunities/${euro.id}`)).json.amount, 1234568);
  await p.screenshot({ path: join(OUT, 'money-yen-edited.png'), fullPage: true });
  assert.deepEqual(p.problems, []);
});
