// My work (the landing page of a KAM), the global search, the director's links into them
// (workload, at-risk key accounts, matrix segments) and the alerts inbox, in a real browser
// at 1280, 820 and 390 px. Screenshots go to tests/out/mywork-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, fits, screenshot, signedIn } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

const WIDTHS = [1280, 820, 390];
let t, db, srv, browser, tok = {};
const who = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna'], 'mywork-ui'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  await api(srv.url, tok.director, 'POST', '/api/v1/alerts/evaluate');
  for (const u of Object.keys(tok)) who[u] = (await api(srv.url, tok[u], 'GET', '/api/v1/me')).json;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const as = (email, width = 1280, opts) => signedIn(browser, srv.url, email, width, opts);

test('a KAM lands on My work: overdue and due actions, alerts, dates, quiet accounts; it fits every width', async () => {
  const p = await as('anna@example.com');
  await p.getByRole('heading', { name: 'My work' }).waitFor();
  const w = (await api(srv.url, tok.anna, 'GET', '/api/v1/work')).json;
  for (const id of ['w-overdue', 'w-week', 'w-alerts', 'w-dates', 'w-quiet']) await p.locator(`[data-panel=${id}]`).waitFor();
  assert.equal(await p.locator('[data-panel=w-overdue] li').count(), w.overdue.length);
  assert.equal(await p.locator('[data-panel=w-week] li').count(), w.this_week.length);
  if (w.overdue.length) {
    const li = p.locator('[data-panel=w-overdue] li').first();
    assert.match(await li.textContent(), new RegExp(w.overdue[0].account_name));
    assert.match(await li.textContent(), /days? late/);
    assert.equal(await li.locator('a').getAttribute('href'), `#/accounts/${w.overdue[0].account_id}/plan`);
  }
  assert.match(await p.locator('[data-panel=w-quiet] h2').textContent(), /Not contacted in 45 days/);
  // N is selectable and kept in the URL
  await p.locator('[data-panel=w-quiet] input').fill('10');
  await p.locator('[data-panel=w-quiet] input').press('Enter');
  await p.waitForFunction(() => /Not contacted in 10 days/.test(document.querySelector('#w-quiet').textContent));
  assert.match(p.url(), /days=10/);
  await p.locator('[data-panel=w-dates] select').selectOption('30');
  await p.waitForFunction(() => location.hash.includes('horizon=30'));
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    await p.waitForTimeout(150);
    await fits(p, 'My work');
    await screenshot(p, `mywork-work-${width}`);
  }
  assert.deepEqual(p.problems, []);
});

test('the search box finds accounts, contacts, actions and opportunities from any page', async () => {
  const p = await as('anna@example.com');
  const acc = (await api(srv.url, tok.anna, 'GET', '/api/v1/accounts?limit=1&sort=name')).json.items[0];
  await p.goto(`${srv.url}/#/alerts`);
  const box = p.getByRole('searchbox', { name: /Find accounts/ });
  await box.fill(acc.name.slice(0, 5));
  const res = p.getByRole('region', { name: 'Search results' });
  await res.locator('[data-kind=accounts] a').first().waitFor();
  assert.ok((await res.locator('[data-kind=accounts] a').allTextContents()).includes(acc.name));
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    await p.waitForTimeout(150);
    await fits(p, 'search');
    await screenshot(p, `mywork-search-${width}`, { fullPage: false });
  }
  await res.getByRole('link', { name: acc.name, exact: true }).click();
  await p.waitForFunction((id) => location.hash === `#/accounts/${id}`, acc.id);
  await box.fill('%_');
  await p.getByText('Nothing found for “%_”.').waitFor();
  assert.deepEqual(p.problems, []);
});

test('the director: workload figures open the KAM\'s My work, at-risk key accounts, segment counts open the list', async () => {
  const p = await as('director@example.com');
  await p.getByRole('heading', { name: 'Portfolio', exact: true }).waitFor();
  const row = p.locator(`tr[data-kam="${who.anna.id}"]`);
  await row.waitFor();
  assert.equal(await row.locator('a').count(), 3, 'name, key accounts and overdue actions link');
  const risk = p.locator('[data-panel=at-risk]');
  await risk.locator('table.at-risk tbody tr, p.muted').first().waitFor();
  const n = await risk.locator('tbody tr').count();
  for (let i = 0; i < n; i++) {
    const cells = await risk.locator('tbody tr').nth(i).locator('td').allTextContents();
    assert.ok(Number(cells[1]) < 70, 'health below 70');
    assert.match(cells[2], /[€$£]|EUR/);
    assert.ok(cells[3].length > 10, 'a reason in words');
    assert.ok(cells[4].length > 1 && cells[4] !== '–', 'an owner');
  }
  // the panel's data is one answer, not one health request per account
  const asked = [];
  const seen = (r) => asked.push(new URL(r.url()).pathname);
  p.on('request', seen);
  await p.reload();
  await risk.locator('table.at-risk tbody tr, p.muted').first().waitFor();
  p.off('request', seen);
  assert.equal(asked.filter((x) => x === '/api/v1/portfolio/at-risk').length, 1);
  assert.deepEqual(asked.filter((x) => /^\/api\/v1\/accounts\/\d+\/health$/.test(x)), []);
  const quad = p.locator('a.quad').first();
  await quad.waitFor();
  const seg = await quad.getAttribute('data-segment');
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    await p.waitForTimeout(300);
    await fits(p, 'dashboard');
    await screenshot(p, `mywork-dashboard-${width}`);
  }
  await p.setViewportSize({ width: 1280, height: 900 });
  await quad.click();
  await p.waitForFunction(() => location.hash.startsWith('#/accounts?segment='));
  const want = (await api(srv.url, tok.director, 'GET', `/api/v1/accounts?segment=${seg}&limit=50`)).json.items.length;
  await p.waitForFunction((k) => document.querySelectorAll('table.accounts tbody tr').length === k, want);
  await p.goto(`${srv.url}/#/dashboard`);
  await row.locator('a').nth(2).click();
  await p.getByRole('heading', { name: `Work of ${who.anna.name}` }).waitFor();
  assert.match(p.url(), new RegExp(`#/work\\?owner=${who.anna.id}`));
  assert.deepEqual(p.problems, []);
});

test('alerts inbox: grouped by account, filters in the URL, acknowledge with undo, snooze, action from an alert', async () => {
  const p = await as('anna@example.com');
  await p.goto(`${srv.url}/#/alerts`);
  await p.locator('section.alert-group').first().waitFor();
  const inbox = (await api(srv.url, tok.anna, 'GET', '/api/v1/alerts/inbox')).json;
  const names = await p.locator('section.alert-group h2 a, section.alert-group h2 > span:not(.sev):not(.muted)').allTextContents();
  assert.deepEqual(names, inbox.groups.map((g) => g.account_name), 'groups in severity × revenue order');
  assert.ok(!(await p.locator('section.alert-group').first().textContent()).includes('_'), 'plain-language rule names');
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    await p.waitForTimeout(150);
    await fits(p, 'inbox');
    await screenshot(p, `mywork-alerts-${width}`);
  }
  await p.setViewportSize({ width: 1280, height: 900 });
  // acknowledge, then undo
  const first = p.locator('li[data-alert]').first();
  const id = await first.getAttribute('data-alert');
  await first.getByRole('button', { name: 'Acknowledge' }).click();
  await p.getByRole('status').getByText(/Acknowledged/).waitFor();
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/alerts/${id}`)).json.state, 'acknowledged');
  await p.waitForFunction((x) => !document.querySelector(`li[data-alert="${x}"]`), id);
  await p.getByRole('status').getByRole('button', { name: 'Undo' }).click();
  await p.locator(`li[data-alert="${id}"]`).waitFor();
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/alerts/${id}`)).json.state, 'open');
  // snooze for 7 days
  await p.locator(`li[data-alert="${id}"] select`).selectOption('7');
  await p.getByRole('status').getByText(/Snoozed .* for 7 days/).waitFor();
  const sn = (await api(srv.url, tok.anna, 'GET', `/api/v1/alerts/${id}`)).json;
  assert.equal(sn.state, 'snoozed');
  const days = (Date.parse(sn.snoozed_until) - Date.now()) / 86400e3;
  assert.ok(days > 6.9 && days < 7.1, String(days));
  // an action from an alert, in the account's active plan
  const withPlan = [];
  for (const g of inbox.groups)
    if (g.account_id && (await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${g.account_id}&status=active`)).json.items.length) withPlan.push(g);
  const g = withPlan.find((x) => x.alerts.some((a) => String(a.id) !== id));
  const a = g.alerts.find((x) => String(x.id) !== id);
  const li = p.locator(`li[data-alert="${a.id}"]`);
  await li.getByRole('button', { name: 'Create action' }).click();
  const form = li.getByRole('form', { name: 'New action from alert' });
  await form.waitFor();
  assert.match(await form.getByLabel('Action').inputValue(), new RegExp(g.account_name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await form.getByLabel('Action').fill('Book a call after the alert');
  await form.getByRole('button', { name: 'Create action' }).click();
  await p.getByRole('status').getByText(/Action “Book a call after the alert” added/).waitFor();
  const acts = (await api(srv.url, tok.anna, 'GET', `/api/v1/actions?account_id=${g.account_id}&limit=500`)).json.items;
  const made = acts.find((x) => x.title === 'Book a call after the alert');
  assert.ok(made, 'the action exists');
  assert.equal(made.owner_id, g.owner_id);
  // filters live in the URL and survive a reload
  await p.getByLabel('Severity').selectOption('critical');
  await p.waitForFunction(() => location.hash.includes('severity=critical'));
  await p.reload();
  await p.getByRole('navigation', { name: 'Main' }).waitFor();
  assert.equal(await p.getByLabel('Severity').inputValue(), 'critical');
  await p.waitForTimeout(300);
  for (const s of await p.locator('li[data-alert] strong + .sev').allTextContents()) assert.equal(s, 'critical');
  assert.deepEqual(p.problems, []);
});
