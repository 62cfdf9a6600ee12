// The web app in a real browser (Debian's chromium driven by playwright-core): login, the
// dashboard, accounts, account 360, the alerts inbox, access rules, and user text shown as
// text. Screenshots go to tests/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage, signIn, screenshot, openAccount } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna'], 'ui'));
  srv = await serve(db);
  await api(srv.url, tok.director, 'POST', '/api/v1/alerts/evaluate');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

// A page that fails the test on any script error or CSP violation (see tests/lib/browser.mjs).
function page(width = 1366, height = 900) {
  return newPage(browser, width, height);
}

test('login: a wrong password says so; the right one opens the dashboard', async () => {
  const p = await page();
  await p.goto(srv.url + '/');
  await p.getByLabel('E-mail').fill('director@example.com');
  await p.getByLabel('Password').fill('not the password');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('alert').waitFor();
  assert.match(await p.getByRole('alert').textContent(), /wrong e-mail or password/);
  await screenshot(p, 'login', { fullPage: false });
  await p.getByLabel('Password').fill('demo-password-1');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.locator('.tile').first().waitFor();
  assert.deepEqual(p.problems, []);
});

test('dashboard: KPI tiles with the previous period, the matrix, revenue, alerts and workload', async () => {
  const p = await page();
  await signIn(p, srv.url, 'director@example.com');
  await p.locator('[data-kpi=revenue] .value').waitFor();
  const revenue = await p.locator('[data-kpi=revenue] .value').textContent();
  assert.match(revenue, /€/);
  assert.match(await p.locator('[data-kpi=nrr] .value').textContent(), /%$/);
  assert.match(await p.locator('[data-kpi=nrr] .prev').textContent(), /previous/);
  // panels fill in as their answers arrive; each one ends up drawn
  await p.locator('[data-kpi=revenue] .spark svg polyline').first().waitFor();
  assert.equal(await p.locator('.tile .spark svg').count(), 7, 'each tile (share of wallet too) has a sparkline');
  await p.getByRole('img', { name: 'Portfolio matrix' }).locator('canvas').waitFor();
  await p.getByRole('img', { name: 'Revenue by month' }).locator('canvas').waitFor();
  await p.locator('ul.alerts li').first().waitFor();
  await p.locator('section:has(#w-title) tbody tr').first().waitFor();
  assert.equal(await p.locator('section:has(#w-title) tbody tr').count(), 4);
  assert.equal(await p.locator('.dashboard .loading').count(), 0, 'nothing is left loading');
  // the period picker drives the tiles
  await p.getByLabel('Period').selectOption('3');
  await p.waitForFunction((old) => document.querySelector('[data-kpi=revenue] .value')?.textContent !== old, revenue);
  await p.getByLabel('Period').selectOption('12');
  await p.waitForTimeout(300);
  await screenshot(p, 'dashboard');
  assert.deepEqual(p.problems, []);
});

test('accounts: search, tier filter, sort; open an account and see why its health is what it is', async () => {
  const p = await page();
  await signIn(p, srv.url, 'director@example.com');
  await p.getByRole('link', { name: 'Accounts', exact: true }).click();
  await p.locator('table.accounts tbody tr').first().waitFor();
  assert.equal(await p.locator('table.accounts tbody tr').count(), 30);
  await p.getByLabel('Tier').selectOption('key');
  await p.waitForFunction(() => [...document.querySelectorAll('table.accounts tbody .tier')].every((e) => e.textContent === 'key'));
  await p.getByLabel('Tier').selectOption('');
  // sort by revenue of the last twelve months, highest first: the order the API gives
  await p.getByRole('button', { name: 'Revenue 12 mo' }).click();
  const top = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?sort=-revenue_12m&limit=3')).json.items.map((a) => a.name);
  await p.waitForFunction((names) => [...document.querySelectorAll('table.accounts tbody td:first-child a')].slice(0, 3).map((a) => a.textContent).join('|') === names.join('|'), top);
  assert.equal(await p.locator('th[aria-sort="descending"]').textContent(), 'Revenue 12 mo');
  await p.getByRole('button', { name: 'Health' }).click();
  const sick = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?sort=-health&limit=1')).json.items[0];
  await p.waitForFunction((name) => document.querySelector('table.accounts tbody td:first-child a')?.textContent === name, sick.name);
  await screenshot(p, 'accounts-sorted', { fullPage: false });
  // owner, status and tag filters ask the API the same question the downloads do
  const anna = (await api(srv.url, tok.anna, 'GET', '/api/v1/me')).json;
  const annas = (await api(srv.url, tok.director, 'GET', `/api/v1/accounts?owner_id=${anna.id}&limit=500`)).json.items.length;
  await p.getByLabel('Owner').selectOption({ label: 'Anna Berg' });
  await p.waitForFunction((n) => document.querySelectorAll('table.accounts tbody tr').length === n
    && [...document.querySelectorAll('table.accounts tbody tr')].every((r) => r.children[6].textContent === 'Anna Berg'), annas);
  assert.match(await p.getByRole('link', { name: 'CSV' }).getAttribute('href'), new RegExp(`owner_id=${anna.id}`));
  await p.getByLabel('Owner').selectOption('');
  await p.getByLabel('Status').selectOption('churned');
  await p.waitForFunction(() => [...document.querySelectorAll('table.accounts tbody tr')].every((r) => r.children[7].textContent === 'churned'));
  await p.getByLabel('Status').selectOption('');
  await p.getByLabel('Tag').fill('strategic');
  const tagged = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?tag=strategic&limit=500')).json.items.length;
  await p.waitForFunction((n) => document.querySelectorAll('table.accounts tbody tr').length === n, tagged);
  await p.getByLabel('Tag').fill('');
  // the segment of a key account is the one the portfolio matrix gives it
  const matrix = (await api(srv.url, tok.director, 'GET', '/api/v1/portfolio/matrix')).json;
  const develop = matrix.items.filter((i) => i.segment === 'develop').map((i) => i.name).sort();
  await p.getByLabel('Segment').selectOption('develop');
  await p.waitForFunction((names) => [...document.querySelectorAll('table.accounts tbody td:first-child a')].map((a) => a.textContent).sort().join('|') === names.join('|'), develop);
  assert.ok(develop.length > 0, 'the demo has accounts to develop');
  await p.getByLabel('Segment').selectOption('');
  await p.getByLabel('Search').fill('north');
  await p.waitForFunction(() => document.querySelectorAll('table.accounts tbody tr').length === 1);
  await screenshot(p, 'accounts', { fullPage: false });
  // a business unit that has bought nothing yet: a whole row of white space on the opportunities tab
  const nw = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?q=Northwind')).json.items[0];
  const unit = await api(srv.url, tok.director, 'POST', '/api/v1/units', { account_id: nw.id, name: 'Unit Without Purchases' });
  assert.equal(unit.status, 201, unit.text);
  await p.getByRole('link', { name: 'Northwind Traders' }).click();
  await p.getByRole('heading', { name: 'Northwind Traders' }).waitFor();
  assert.equal(await p.locator('section:has(#h-title) tbody tr').count(), 7);
  assert.match(await p.locator('section:has(#h-title)').textContent(), /Last interaction/);
  assert.equal(await p.locator('section:has(#sc-title) tbody tr').count(), 4, 'the score explains its criteria');
  await p.locator('.chart canvas').first().waitFor();
  await screenshot(p, 'account');
  await p.getByRole('tab', { name: 'stakeholders' }).click();
  await p.getByRole('img', { name: 'Organisation chart' }).locator('canvas').waitFor();
  const people = await p.locator('table.people tbody tr').count();
  assert.ok(people >= 4);
  // add a person in place, reporting to someone already on the chart
  await p.getByRole('button', { name: 'Add a person' }).click();
  const form = p.getByRole('form', { name: 'Add a person' });
  await form.getByLabel('Name').fill('Grace Newhire');
  await form.getByLabel('Title').fill('VP Supply Chain');
  await form.getByRole('combobox', { name: /^Influence/ }).selectOption('4');
  await form.getByLabel('Attitude').selectOption('supporter');
  await form.getByLabel('Reports to').selectOption({ index: 1 });
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await p.locator('table.people tbody td:first-child', { hasText: 'Grace Newhire' }).waitFor();
  assert.equal(await p.locator('table.people tbody tr').count(), people + 1);
  const stored = (await api(srv.url, tok.director, 'GET', '/api/v1/contacts?q=Grace%20Newhire')).json.items[0];
  assert.equal(stored.influence, 4);
  assert.ok(stored.reports_to_id);
  // a person's influence, attitude and our owner, changed in place
  const row = p.locator('table.people tbody tr').first();
  const cid = await row.getAttribute('data-contact');
  const saved = p.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${cid}`) && r.request().method() === 'PATCH');
  await row.locator('select[aria-label^="attitude of"]').selectOption('blocker');
  assert.equal((await saved).status(), 200);
  assert.equal((await api(srv.url, tok.director, 'GET', `/api/v1/contacts/${cid}`)).json.attitude, 'blocker');
  await p.waitForFunction((id) => document.querySelector(`tr[data-contact="${id}"] select[aria-label^="attitude of"]`)?.value === 'blocker', cid);
  const saved2 = p.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${cid}`) && r.request().method() === 'PATCH');
  await row.locator('select[aria-label^="influence of"]').selectOption('5');
  assert.equal((await saved2).status(), 200);
  assert.equal((await api(srv.url, tok.director, 'GET', `/api/v1/contacts/${cid}`)).json.influence, 5);
  await screenshot(p, 'stakeholders');
  for (const t of ['opportunities', 'cases', 'risks', 'surveys', 'team']) {
    await p.getByRole('tab', { name: t }).click();
    await p.waitForTimeout(150);
    if (t === 'opportunities') {
      // the whitespace matrix: a row per unit, a column per product, each cell as the API says
      const ws = (await api(srv.url, tok.director, 'GET', `/api/v1/accounts/${nw.id}/whitespace`)).json;
      const table = p.locator('table.whitespace');
      await table.waitFor();
      assert.equal(await table.locator('thead th').count(), ws.products.length + 1);
      assert.equal(await table.locator('tbody tr').count(), ws.units.length);
      const row = table.locator('tbody tr', { has: p.locator('th', { hasText: 'Unit Without Purchases' }) });
      const cells = await row.locator('td').allTextContents();
      assert.equal(cells.length, ws.products.length);
      assert.ok(cells.length > 0 && cells.every((c) => c === 'white space'), cells.join('|'));
      const states = ws.cells.map((c) => c.state);
      assert.equal(await table.locator('td.ws.sold').count(), states.filter((x) => x === 'sold').length);
      assert.equal(await table.locator('td.ws.pipeline').count(), states.filter((x) => x === 'pipeline').length);
    }
    await screenshot(p, `account-${t}`);
  }
  assert.deepEqual(p.problems, []);
});

test('account 360: change an action\'s status in the plan, and log a meeting in two clicks', async () => {
  const plans = (await api(srv.url, tok.anna, 'GET', '/api/v1/plans?status=active&limit=50')).json.items;
  const acc = plans[0].account_id;
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc, 'plan');
  const row = p.locator('table.actions tbody tr').first();
  await row.waitFor();
  const actionId = await row.getAttribute('data-action');
  const patched = p.waitForResponse((r) => r.url().endsWith(`/api/v1/actions/${actionId}`) && r.request().method() === 'PATCH');
  await row.locator('select[aria-label^="status of"]').selectOption('done');
  assert.equal((await patched).status(), 200);
  await p.waitForFunction((id) => document.querySelector(`tr[data-action="${id}"] select[aria-label^="status of"]`)?.value === 'done', actionId);
  const stored = (await api(srv.url, tok.anna, 'GET', `/api/v1/actions/${actionId}`)).json;
  assert.equal(stored.status, 'done');
  assert.equal(stored.done_on, new Date().toISOString().slice(0, 10));
  await screenshot(p, 'plan');
  // the plan as a PDF document, from the account's header
  const [pdf] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name: 'Plan PDF' }).click()]);
  assert.match(pdf.suggestedFilename(), /^plan-.*\.pdf$/);
  assert.equal(readFileSync(await pdf.path()).subarray(0, 5).toString(), '%PDF-');

  // an objective's current value and status, a new action, a review: all in place
  const obj = p.locator('table.objectives tbody tr').first();
  const objId = await obj.getAttribute('data-objective');
  const o0 = (await api(srv.url, tok.anna, 'GET', `/api/v1/objectives/${objId}`)).json;
  const target = o0.target ?? 100;
  const put = p.waitForResponse((r) => r.url().endsWith(`/api/v1/objectives/${objId}`) && r.request().method() === 'PATCH');
  await obj.locator('input[type=number]').fill(String(target));
  await obj.locator('input[type=number]').press('Tab');
  assert.equal((await put).status(), 200);
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/objectives/${objId}`)).json.current, target);
  await p.waitForFunction((id) => document.querySelector(`tr[data-objective="${id}"] progress`)?.value === 1, objId);
  await p.getByLabel('New action').fill('Send the renewal proposal');
  await p.getByRole('form', { name: 'Add an action' }).getByLabel('Due').fill('2027-01-15');
  await p.getByRole('button', { name: 'Add action' }).click();
  await p.locator('table.actions tbody tr input[value="Send the renewal proposal"]').waitFor(); // titles edit inline
  await p.getByLabel('Held on').fill('2026-11-20');
  await p.getByLabel('Notes').fill('QBR with the CFO: renewal on track');
  await p.getByRole('button', { name: 'Record review' }).click();
  await p.locator('ul.reviews li', { hasText: 'QBR with the CFO: renewal on track' }).waitFor();
  const planId = (await api(srv.url, tok.anna, 'GET', `/api/v1/actions/${actionId}`)).json.plan_id;
  const plan = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans/${planId}`)).json;
  assert.ok(plan.actions.some((a) => a.title === 'Send the renewal proposal' && a.due_on === '2027-01-15'));
  assert.ok(plan.reviews.some((r) => r.held_on === '2026-11-20' && r.kind === 'qbr'));
  await screenshot(p, 'plan-edited');

  await p.getByRole('tab', { name: 'activity' }).click();
  await p.getByRole('button', { name: 'Log a meeting' }).click();
  await p.getByLabel('Summary').fill('Roadmap walk-through with the CIO');
  await p.getByRole('button', { name: 'Save' }).click();
  await p.locator('.timeline li', { hasText: 'Roadmap walk-through with the CIO' }).waitFor();
  const a = (await api(srv.url, tok.anna, 'GET', `/api/v1/accounts/${acc}`)).json;
  assert.ok(Date.now() - Date.parse(a.last_interaction_at) < 5 * 60e3, 'the account\'s last contact moved');
  assert.deepEqual(p.problems, []);
});

test('a stored <script> payload is shown as text and never runs', async () => {
  const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>Evil Corp';
  const r = await api(srv.url, tok.director, 'POST', '/api/v1/accounts', { name: evil, owner_id: 3, tags: ['<b>bold</b>'] });
  assert.equal(r.status, 201);
  const p = await page();
  await signIn(p, srv.url, 'director@example.com');
  await p.goto(`${srv.url}/#/accounts`);
  await p.getByLabel('Search').fill('Evil');
  await p.waitForFunction(() => document.querySelectorAll('table.accounts tbody tr').length === 1);
  assert.equal(await p.locator('table.accounts tbody td a').textContent(), evil);
  await p.goto(`${srv.url}/#/accounts/${r.json.id}`);
  await p.locator('.account-head h1').waitFor();
  assert.equal(await p.locator('.account-head h1').textContent(), evil);
  assert.equal(await p.evaluate(() => window.pwned), undefined);
  assert.equal(await p.locator('.account-head img').count(), 0);
  // chart tooltips are HTML (ECharts): names go through esc() before they reach one
  const { esc } = await import('../../web/format.js');
  assert.equal(esc(evil), '&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;&lt;script&gt;window.pwned=2&lt;/script&gt;Evil Corp');
});

test('a kam cannot open another kam\'s account by URL', async () => {
  const mine = new Set((await api(srv.url, tok.anna, 'GET', '/api/v1/accounts?limit=100')).json.items.map((a) => a.id));
  const all = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?limit=100')).json.items;
  const foreign = all.find((a) => !mine.has(a.id));
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/accounts/${foreign.id}`);
  await p.getByRole('alert').waitFor();
  assert.match(await p.getByRole('alert').textContent(), /No such account/);
  assert.doesNotMatch(await p.content(), new RegExp(foreign.name));
});

test('share link: made from the account, opened without a login, nothing internal on it', async () => {
  const plans = (await api(srv.url, tok.anna, 'GET', '/api/v1/plans?status=active&limit=50')).json.items;
  const acc = plans[0].account_id;
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/accounts/${acc}`);
  // the KAM first marks what the client may see (issue 13): an objective of the plan
  await p.getByRole('tab', { name: 'plan' }).click();
  await p.getByLabel(/^client can see /).first().check();
  await p.locator('label.client-can', { hasText: 'shown' }).first().waitFor();
  await p.getByRole('button', { name: 'Share with the client' }).click();
  await p.getByRole('button', { name: 'Create link' }).click();
  const link = await p.getByLabel('share link').inputValue();
  assert.match(link, /\/#\/shared\/[A-Za-z0-9_-]{43}$/);
  const client = await page(); // a fresh browser context: no cookies, no session
  await client.goto(link);
  await client.getByRole('heading', { name: 'Objectives' }).waitFor();
  const text = await client.locator('main').innerText();
  assert.ok(!/Log out|Dashboard|attitude|situation|Stakeholders|heat map/i.test(text), 'no staff screens or internal fields');
  assert.equal(await client.getByLabel('E-mail').count(), 0, 'no login asked');
  await screenshot(client, 'shared');
  assert.deepEqual(client.problems, []);
});

test('settings: change a weight, see the preview, save, and the tier changes', async () => {
  const before = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?tier=key&limit=100')).json.items.length;
  const p = await page();
  await signIn(p, srv.url, 'director@example.com');
  await p.getByRole('link', { name: 'Settings', exact: true }).click();
  await p.getByLabel('score weight: financial, percent').waitFor();
  await p.getByLabel('key from').fill('99');
  await p.getByLabel('score weight: financial, percent').fill('100');
  for (const k of ['growth', 'strategic', 'influence']) await p.getByLabel(`score weight: ${k}, percent`).fill('0');
  await p.locator('.preview').waitFor();
  await p.waitForFunction(() => /Key accounts: 1 /.test(document.querySelector('.preview')?.textContent || ''));
  assert.ok(await p.locator('table.changes tbody tr').count() > 0, 'the preview names who changes tier');
  await screenshot(p, 'settings');
  const unsaved = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?tier=key&limit=100')).json.items.length;
  assert.equal(unsaved, before, 'a preview saves nothing');
  await p.getByRole('button', { name: 'Save and re-rank' }).click();
  await p.getByText(/Every account was re-ranked\./).waitFor();
  const after = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?tier=key&limit=100')).json.items;
  assert.equal(after.length, 1);
  await p.getByRole('link', { name: 'Accounts', exact: true }).click();
  await p.getByLabel('Tier').selectOption('key');
  await p.waitForFunction(() => document.querySelectorAll('table.accounts tbody tr').length === 1);
  assert.equal(await p.locator('table.accounts tbody td a').textContent(), after[0].name);
  // put the defaults back for the other tests
  await api(srv.url, tok.director, 'PATCH', '/api/v1/settings', { weights: { financial: 0.4, growth: 0.2, strategic: 0.25, influence: 0.15 }, key_threshold: 60 });
  assert.deepEqual(p.problems, []);
});

test('the one-page plan prints on A4 without the app around it', async () => {
  const plans = (await api(srv.url, tok.anna, 'GET', '/api/v1/plans?status=active&limit=50')).json.items;
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/accounts/${plans[0].account_id}`);
  await p.getByRole('link', { name: 'One-page plan' }).click();
  await p.getByRole('heading', { name: /account plan/ }).waitFor();
  await p.emulateMedia({ media: 'print' });
  assert.equal(await p.locator('.shell header').isVisible(), false, 'no navigation on paper');
  assert.ok(await p.locator('.print table tr').count() > 2);
  const pdf = await p.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  await screenshot(p, 'print');
});

test('alerts inbox: acknowledge one and it leaves the open list', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.getByRole('link', { name: 'Alerts', exact: true }).click();
  await p.locator('li[data-alert]').first().waitFor();
  const before = await p.locator('li[data-alert]').count();
  const id = await p.locator('li[data-alert]').first().getAttribute('data-alert');
  await p.locator('li[data-alert]').first().getByRole('button', { name: 'Acknowledge' }).click();
  await p.waitForFunction((n) => document.querySelectorAll('li[data-alert]').length === n - 1, before);
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/alerts/${id}`)).json.state, 'acknowledged');
  await screenshot(p, 'alerts', { fullPage: false });
  assert.deepEqual(p.problems, []);
});

test('log out, and an ended session goes back to the login', async () => {
  const p = await page(820, 1180); // a tablet
  await signIn(p, srv.url, 'director@example.com');
  await screenshot(p, 'dashboard-tablet', { fullPage: false });
  await p.getByRole('button', { name: 'Log out' }).click();
  await p.getByRole('button', { name: 'Sign in' }).waitFor();
  await signIn(p, srv.url, 'director@example.com');
  // the last panel to fill (at-risk key accounts) is in: no request in flight to fail
  await p.locator('[data-panel=at-risk] table, [data-panel=at-risk] p.muted').first().waitFor();
  await p.context().clearCookies(); // as if the session expired
  // by the address, not a click: a dashboard request still in flight may already have met
  // the ended session and shown the login, taking the link away under the click
  await p.evaluate(() => { location.hash = '#/alerts'; });
  await p.getByRole('button', { name: 'Sign in' }).waitFor();
});

test('settings: a calendar feed link is shown once, works, and can be revoked', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.getByRole('link', { name: 'Settings', exact: true }).click();
  await p.getByRole('heading', { name: 'Calendar feed' }).waitFor();
  await p.getByRole('button', { name: 'Create link' }).click();
  const url = await p.getByLabel('calendar feed URL').inputValue();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  const r = await fetch(url);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /^BEGIN:VCALENDAR\r\n/);
  await p.getByRole('button', { name: 'Rotate link' }).waitFor();
  await p.getByRole('button', { name: 'revoke feed' }).click();
  await p.getByText('Revoked: the old link no longer works.').waitFor();
  assert.equal(await p.getByLabel('calendar feed URL').count(), 0, 'the URL is not shown again');
  assert.equal((await fetch(url)).status, 404);
  assert.deepEqual(p.problems, []);
});

test('import data: a dry run names the bad rows, the import writes the good ones; the accounts list downloads as CSV', async () => {
  const p = await page();
  await signIn(p, srv.url, 'director@example.com');
  await p.getByRole('link', { name: 'Settings', exact: true }).click();
  await p.getByRole('heading', { name: 'Import data' }).waitFor();
  const fixture = new URL('../fixtures/import/salesforce-accounts.csv', import.meta.url).pathname;
  await p.getByLabel('What').selectOption('accounts');
  await p.getByLabel('Columns from').selectOption('salesforce');
  await p.getByLabel('File').setInputFiles(fixture);
  await p.getByRole('button', { name: 'Dry run' }).click();
  await p.locator('.import-result').waitFor();
  assert.match(await p.locator('.import-result').textContent(), /8 rows — 2 would be created.*6 rejected.*Dry run: nothing was written/s);
  const errs = p.locator('table.import-errors tbody tr');
  assert.equal(await errs.count(), 6);
  assert.match(await errs.nth(1).textContent(), /^6Pied PiperAccount Owner: no user "richard@example.com"/);
  assert.equal((await api(srv.url, tok.director, 'GET', '/api/v1/accounts?external_id=001KAM0001')).json.items.length, 0);
  await screenshot(p, 'import');
  await p.getByRole('button', { name: 'Import', exact: true }).click();
  await p.waitForFunction(() => /2 created/.test(document.querySelector('.import-result')?.textContent || ''));
  assert.equal((await api(srv.url, tok.director, 'GET', '/api/v1/accounts?external_id=001KAM0001')).json.items[0].name, 'Initech GmbH');

  await p.getByRole('link', { name: 'Accounts', exact: true }).click();
  await p.getByLabel('Tier').selectOption('key');
  const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name: 'CSV' }).click()]);
  assert.equal(dl.suggestedFilename(), 'accounts.csv');
  const csv = readFileSync(await dl.path(), 'utf8');
  const keyCount = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?tier=key&limit=500')).json.items.length;
  assert.equal(csv.match(/^\uFEFF?"\d+",/gm)?.length, keyCount); // one record per account, however many lines a note takes
  assert.deepEqual(p.problems, []);
});

// Controls a screen reader could not name: no label, aria-label or aria-labelledby text.
const unnamed = (p) => p.evaluate(() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
  .filter((e) => e.offsetParent !== null && e.type !== 'hidden')
  .filter((e) => {
    const byLabel = e.labels && [...e.labels].some((l) => l.textContent.trim());
    const aria = (e.getAttribute('aria-label') || '').trim() || (e.getAttribute('aria-labelledby') && document.getElementById(e.getAttribute('aria-labelledby'))?.textContent.trim());
    const text = ['BUTTON', 'A'].includes(e.tagName) && e.textContent.trim();
    return !(byLabel || aria || text || e.title);
  })
  .map((e) => e.outerHTML.slice(0, 120)));

test('keyboard and screen readers: the main path by keys alone, and every control on every screen has a name', async () => {
  const p = await page();
  await p.goto(srv.url + '/');
  await p.getByLabel('E-mail').focus();
  await p.keyboard.type('anna@example.com');
  await p.keyboard.press('Tab');
  await p.keyboard.type('demo-password-1');
  await p.keyboard.press('Enter');
  await p.getByRole('navigation', { name: 'Main' }).waitFor();
  const tabTo = async (pred, max = 60) => {
    for (let i = 0; i < max; i++) {
      await p.keyboard.press('Tab');
      if (await p.evaluate(pred)) return;
    }
    throw new Error(`no focusable element matched ${pred}`);
  };
  await tabTo(() => document.activeElement?.textContent === 'Accounts');
  await p.keyboard.press('Enter');
  await p.locator('table.accounts tbody tr').first().waitFor();
  await tabTo(() => document.activeElement?.closest('table.accounts tbody') !== null);
  const name = await p.evaluate(() => document.activeElement.textContent);
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name }).waitFor();
  // one tab stop for the tabs (the selected one); arrows move between them
  await tabTo(() => document.activeElement?.getAttribute('role') === 'tab');
  assert.equal(await p.evaluate(() => document.activeElement.textContent), 'overview');
  await p.keyboard.press('ArrowRight');
  await p.keyboard.press('ArrowRight');
  await p.locator('table.actions').waitFor();
  assert.equal(await p.evaluate(() => document.activeElement.textContent), 'plan');
  await p.keyboard.press('End');
  await p.waitForFunction(() => document.activeElement?.textContent === 'team');
  await p.keyboard.press('ArrowRight');
  await p.waitForFunction(() => document.activeElement?.textContent === 'overview');
  const problems = {};
  const screens = [['dashboard', '#/'], ['accounts', '#/accounts'], ['alerts', '#/alerts'], ['settings', '#/settings']];
  for (const [n, hash] of screens) {
    await p.goto(`${srv.url}/${hash}`);
    await p.waitForTimeout(600);
    problems[n] = await unnamed(p);
  }
  await p.goto(`${srv.url}/#/accounts`);
  await p.locator('table.accounts tbody a').first().click();
  for (const tab of ['overview', 'stakeholders', 'plan', 'opportunities', 'activity', 'cases', 'risks', 'surveys', 'team']) {
    await p.getByRole('tab', { name: tab }).click();
    await p.waitForTimeout(200);
    problems[`account ${tab}`] = await unnamed(p);
  }
  for (const k of Object.keys(problems)) if (!problems[k].length) delete problems[k];
  assert.deepEqual(problems, {});
  assert.deepEqual(p.problems, []);
});
