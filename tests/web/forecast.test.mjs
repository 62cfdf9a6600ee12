// The forecast page, its dashboard tile and an account's contracts, in a real browser at 1280,
// 820 and 390 px, on the demo data (contracts, targets and two quarters of weekly snapshots).
// Screenshots go to tests/out/forecast-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, fits, screenshot, openAccount, signedIn } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

const WIDTHS = [1280, 820, 390];
let t, db, srv, browser;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna'], 'forecast-ui'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const as = (email, width = 1280, opts) => signedIn(browser, srv.url, email, width, opts);

test('a director reads the quarter by KAM with targets, opens a KAM\'s commit deals, sees the call move and downloads the CSV; it fits every width', async () => {
  const f = (await api(srv.url, tok.director, 'GET', '/api/v1/forecast')).json;
  for (const width of WIDTHS) {
    const p = await as('director@example.com', width);
    await p.getByRole('link', { name: 'Forecast' }).first().click();
    await p.getByRole('heading', { name: 'Forecast', exact: true }).waitFor();
    await p.locator('.forecast-table tbody tr').first().waitFor();
    assert.equal(await p.locator('.forecast-table tbody tr').count(), f.rows.length);
    // the first KAM's row says what the API says, target included
    const r0 = f.rows[0];
    const tr = p.locator(`.forecast-table tbody tr[data-owner="${r0.owner_id}"]`);
    assert.match(await tr.locator('th').innerText(), new RegExp(r0.name));
    const fmt = (v) => new Intl.NumberFormat('en', { style: 'currency', currency: f.currency, maximumFractionDigits: 0 }).format(v / 100);
    assert.equal(await tr.locator('[data-col=forecast]').innerText(), fmt(r0.forecast));
    assert.equal(await tr.locator('[data-col=target]').innerText(), r0.target == null ? '–' : fmt(r0.target));
    // the movement chart has this quarter's weeks
    await p.locator('section[aria-labelledby=mv-title] .chart canvas').waitFor();
    await fits(p, `forecast at ${width}`);
    await screenshot(p, `forecast-${width}`);
    if (width === 1280) {
      // drill down into the first KAM's commit deals
      await tr.getByRole('button', { name: `deals of ${r0.name}` }).click();
      await p.getByRole('heading', { name: new RegExp(`${r0.name}: deals closing in ${f.quarter}`) }).waitFor();
      const deals = (await api(srv.url, tok.director, 'GET', `/api/v1/forecast/opportunities?quarter=${f.quarter}&owner_id=${r0.owner_id}&category=commit`)).json.items;
      await p.locator('.forecast-deals, .drill p.muted').first().waitFor();
      assert.equal(await p.locator('.forecast-deals tbody tr').count(), deals.length);
      await p.getByRole('tab', { name: 'Pipeline' }).click();
      const pipe = (await api(srv.url, tok.director, 'GET', `/api/v1/forecast/opportunities?quarter=${f.quarter}&owner_id=${r0.owner_id}&category=pipeline`)).json.items;
      await p.waitForFunction((n) => document.querySelectorAll('.forecast-deals tbody tr').length === n || (n === 0 && document.querySelector('.drill p.muted')), pipe.length);
      await screenshot(p, 'forecast-drill-1280');
      // the CSV holds every row and the total, money in major units
      const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download CSV' }).click()]);
      const csv = readFileSync(await dl.path(), 'utf8');
      const lines = csv.trim().split('\r\n');
      assert.equal(lines.length, f.rows.length + 2);
      assert.match(lines[0], /^\ufeff?name,team,booked,contracted,commit,best_case,pipeline,forecast,target,attainment,gap,currency$/);
      assert.match(lines.at(-1), new RegExp(`^Total,.*,${f.currency}$`));
      // last quarter is over: the accuracy of each week's call
      await p.getByLabel('Quarter').selectOption(f.quarter === '2026-Q1' ? '2025-Q4' : `${f.quarter.slice(0, 4)}-Q${Number(f.quarter.slice(6)) - 1}`);
      await p.locator('.accuracy').waitFor();
      await screenshot(p, 'forecast-last-quarter-1280');
      // by team
      await p.getByLabel('By').selectOption('team');
      await p.waitForFunction(() => document.querySelector('.forecast-table thead th')?.textContent === 'Team');
    }
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});

test('a director sets a KAM\'s target from the page; the dashboard tile shows the call against target', async () => {
  const p = await as('director@example.com', 1280, { acceptDialogs: false });
  const f = (await api(srv.url, tok.director, 'GET', '/api/v1/forecast')).json;
  const r0 = f.rows[0];
  p.on('dialog', (d) => d.accept('12345.67'));
  await p.goto(`${srv.url}/#/forecast`);
  await p.getByRole('button', { name: `set the target of ${r0.name}` }).click();
  const tr = p.locator(`.forecast-table tbody tr[data-owner="${r0.owner_id}"]`);
  await p.waitForFunction((id) => document.querySelector(`.forecast-table tbody tr[data-owner="${id}"] [data-col=target]`)?.textContent === '€12,346', r0.owner_id);
  assert.equal(await tr.locator('[data-col=target]').innerText(), '€12,346');
  const after = (await api(srv.url, tok.director, 'GET', `/api/v1/forecast/targets?quarter=${f.quarter}`)).json.targets;
  assert.ok(after.some((x) => x.user_id === r0.owner_id && x.amount === 1234567));
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    await p.goto(`${srv.url}/#/dashboard`);
    const tile = p.locator('.forecast-tile');
    await tile.locator('.value').waitFor();
    const port = (await api(srv.url, tok.director, 'GET', '/api/v1/forecast?by=portfolio')).json.total;
    assert.match(await tile.innerText(), /booked/);
    assert.match(await tile.innerText(), port.target == null ? /no target set/ : /attained/);
    await fits(p, `dashboard at ${width}`);
    await screenshot(p, `forecast-tile-${width}`, { fullPage: false });
  }
  // the renewal lead and the forecast's rule are settings
  await p.goto(`${srv.url}/#/settings`);
  await p.getByLabel('days before a contract ends to make its renewal opportunity').fill('90');
  await p.getByLabel('probability from which a deal is commit').fill('80');
  await p.getByRole('button', { name: 'Save forecast settings' }).click();
  await p.getByText('Saved: renewals 90 days ahead; commit from 80%').waitFor();
  const s = (await api(srv.url, tok.director, 'GET', '/api/v1/settings')).json;
  assert.deepEqual([s.renewal_lead_days, s.forecast_commit_probability], [90, 80]);
  await p.getByLabel('probability from which a deal is best case').fill('95');
  await p.getByRole('button', { name: 'Save forecast settings' }).click();
  await p.getByText(/forecast_best_case_probability: must not be above forecast_commit_probability|must not be above/).first().waitFor();
  assert.deepEqual(p.problems.filter((x) => !x.includes('400')), []);
});

test('a KAM sees their own row, and the contracts of an account on its opportunities tab: add one, edit it', async () => {
  const me = (await api(srv.url, tok.anna, 'GET', '/api/v1/me')).json;
  const acct = (await api(srv.url, tok.anna, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0];
  for (const width of WIDTHS) {
    const p = await as('anna@example.com', width);
    await p.goto(`${srv.url}/#/forecast`);
    await p.locator('.forecast-table tbody tr').first().waitFor();
    assert.equal(await p.locator('.forecast-table tbody tr').count(), 1);
    assert.match(await p.locator('.forecast-table tbody th').innerText(), new RegExp(me.name));
    assert.equal(await p.getByRole('button', { name: /set the target/ }).count(), 0);
    await fits(p, `forecast of a KAM at ${width}`);
    await openAccount(p, srv.url, acct.id, 'opportunities');
    await p.getByRole('heading', { name: 'Contracts' }).waitFor();
    if (width === 1280) {
      await p.getByRole('button', { name: 'Add contract' }).click();
      const form = p.getByRole('form', { name: 'Add contract' });
      await form.getByLabel('Contract number').fill('WEB-1');
      await form.getByLabel('Start').fill('2026-01-01');
      await form.getByLabel('End').fill('2025-12-31');
      await form.getByLabel('Annual value').fill('24000');
      await form.getByRole('button', { name: 'Add contract' }).click();
      // the server's refusal shows at the field, what was typed stays
      await form.locator('.field-error').first().waitFor();
      assert.match(await form.locator('.field-error').first().innerText(), /on or after start_date/);
      await form.getByLabel('End').fill('2027-12-31');
      await form.getByLabel('Renews automatically').selectOption('true');
      await form.getByRole('button', { name: 'Add contract' }).click();
      await p.locator('table.contract tbody tr', { hasText: 'WEB-1' }).waitFor();
      const row = p.locator('table.contract tbody tr', { hasText: 'WEB-1' });
      assert.match(await row.innerText(), /€24,000/);
      assert.match(await row.innerText(), /automatic/);
      const [c] = (await api(srv.url, tok.anna, 'GET', `/api/v1/contracts?account_id=${acct.id}&number=WEB-1`)).json.items;
      assert.equal(c.annual_value, 2400000);
      assert.equal(c.auto_renew, true);
      await row.getByRole('button', { name: 'edit WEB-1' }).click();
      await p.getByRole('form', { name: 'Edit contract' }).getByLabel('Status').selectOption('terminated');
      await p.getByRole('form', { name: 'Edit contract' }).getByRole('button', { name: 'Save' }).click();
      await p.locator('table.contract tbody tr', { hasText: 'terminated' }).waitFor();
    }
    await p.getByRole('heading', { name: 'Contracts' }).scrollIntoViewIfNeeded();
    await fits(p, `contracts at ${width}`);
    await screenshot(p, `forecast-contracts-${width}`);
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});
