// Fiscal quarters on screen (issue 18): an admin sets the fiscal year to start in April on the
// settings page; the Forecast page, its quarter picker and the dashboard tile then name
// fiscal quarters with their months. Today is 2026-11-15 (KAM_NOW): FY2027 Q3 (Oct–Dec 2026).
// Screenshots go to tests/out/forecast-fiscal-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, fits, screenshot, signedIn } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

const WIDTHS = [1280, 820, 390];
let t, db, srv, browser;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin'], 'fiscal-ui'));
  srv = await serve(db, { KAM_NOW: '2026-11-15T12:00:00Z', KAM_JOB_INTERVAL: '3600' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('an admin makes the fiscal year start in April; the forecast and its tile show fiscal quarters', async () => {
  let p = await signedIn(browser, srv.url, 'admin@example.com', 1280);
  await p.goto(`${srv.url}/#/settings`);
  const month = p.getByLabel('The fiscal year starts in');
  assert.equal(await month.inputValue(), '1');
  await month.selectOption({ label: 'April' });
  await p.getByRole('button', { name: 'Save forecast settings' }).click();
  await p.getByText('the fiscal year starts in April').waitFor();
  await month.scrollIntoViewIfNeeded();
  await screenshot(p, 'forecast-fiscal-settings-1280', { fullPage: false });
  assert.equal((await api(srv.url, tok.admin, 'GET', '/api/v1/settings')).json.fiscal_year_start_month, 4);
  for (const width of WIDTHS) {
    p = await signedIn(browser, srv.url, 'admin@example.com', width);
    await p.goto(`${srv.url}/#/forecast`);
    await p.getByRole('heading', { name: /FY2027 Q3 \(Oct–Dec 2026\)/ }).waitFor();
    const picker = p.getByLabel('Quarter');
    assert.equal(await picker.inputValue(), 'FY2027-Q3');
    assert.ok((await picker.locator('option').allInnerTexts()).includes('FY2027 Q3 (Oct–Dec 2026) (this quarter)'));
    await picker.selectOption({ label: 'FY2027 Q1 (Apr–Jun 2026)' });
    await p.getByRole('heading', { name: /FY2027 Q1 \(Apr–Jun 2026\) · 2026-04-01 to 2026-06-30/ }).waitFor();
    await fits(p, `fiscal forecast at ${width}`);
    await screenshot(p, `forecast-fiscal-${width}`);
    await p.goto(`${srv.url}/#/`);
    const tile = p.locator('.forecast-tile');
    await tile.getByRole('link', { name: 'Forecast FY2027 Q3 (Oct–Dec 2026)' }).waitFor();
    await screenshot(p, `forecast-fiscal-tile-${width}`, { fullPage: false });
    assert.deepEqual(p.problems, []);
  }
});
