// States that never lose work, phones and tablets, and the smaller things a user notices
// (issue 13 §1 leftovers, §7, §8, §10): selects that save on Enter, not on every arrow key;
// "Saved" with undo; a refused inline save kept with a retry; a record's history one click
// away; tab, filters and period in the URL; every screen no wider than 390, 820 and 1280 px;
// titles per screen; empty states that ask for data; plans from a template; the one-page plan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage, signIn, screenshot } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {}, annaAcc;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna', 'ben'], 'states'));
  srv = await serve(db);
  browser = await launch();
  const me = (await api(srv.url, tok.anna, 'GET', '/api/v1/me')).json;
  annaAcc = (await api(srv.url, tok.anna, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1&sort=-score`)).json.items[0];
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const page = (width = 1280, height = 900) => newPage(browser, width, height, { acceptDialogs: true });

// the PATCH requests the page sends, by path
function patches(p) {
  const seen = [];
  p.on('request', (r) => { if (r.method() === 'PATCH') seen.push({ url: new URL(r.url()).pathname, body: r.postDataJSON() }); });
  return seen;
}

async function widths(p, name, ready) {
  const out = [];
  for (const w of [1280, 820, 390]) {
    await p.setViewportSize({ width: w, height: 900 });
    if (ready) await ready();
    // charts redraw at the new width when their resize observer fires: wait for that
    await p.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => !c.firstElementChild
      || c.firstElementChild.getBoundingClientRect().width <= c.getBoundingClientRect().width + 1));
    await p.waitForTimeout(50); // layout settles; not a timing assertion
    const [sw, iw, wide] = await p.evaluate(() => [document.documentElement.scrollWidth, innerWidth,
      [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.scroll'))
        .map((e) => e.outerHTML.slice(0, 90)).slice(0, 2)]);
    await screenshot(p, `states-${name}-${w}`);
    if (sw > iw) out.push(`${name} at ${w} px is ${sw} px wide: ${wide.join(' | ')}`);
  }
  await p.setViewportSize({ width: 1280, height: 900 });
  return out;
}

test('every screen fits 1280, 820 and 390 px; the stakeholder table fits an 820 px tablet without scrolling', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  const bad = [];
  const visit = async (hash, name, sel) => {
    await p.goto(`${srv.url}/${hash}`);
    await p.locator(sel).first().waitFor();
    bad.push(...await widths(p, name));
  };
  await visit('#/dashboard', 'dashboard', '.tiles .tile');
  await visit('#/accounts', 'accounts', 'table.accounts tbody tr');
  for (const tab of ['overview', 'stakeholders', 'plan', 'opportunities', 'activity', 'cases', 'risks', 'surveys', 'team'])
    await visit(`#/accounts/${annaAcc.id}/${tab}`, `account-${tab}`, `#tab-${tab}[aria-selected=true]`);
  await visit(`#/accounts/${annaAcc.id}/print`, 'print', 'article.print h1');
  await visit('#/alerts', 'alerts', 'h1');
  await visit('#/settings', 'settings', 'h1');
  // a link needs something shared: one objective of the plan made client-visible
  const plan = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${annaAcc.id}&status=active`)).json.items[0];
  const obj = (await api(srv.url, tok.anna, 'GET', `/api/v1/objectives?plan_id=${plan.id}&limit=1`)).json.items[0];
  assert.equal((await api(srv.url, tok.anna, 'PATCH', `/api/v1/objectives/${obj.id}`, { client_visible: true })).status, 200);
  const share = await api(srv.url, tok.anna, 'POST', `/api/v1/accounts/${annaAcc.id}/shares`, { expires_in_days: 7 });
  assert.equal(share.status, 201, share.text);
  await visit(`#/shared/${share.json.url.split('/').pop()}`, 'shared', 'h1');
  assert.deepEqual(bad, []);

  await p.setViewportSize({ width: 820, height: 1000 });
  await p.goto(`${srv.url}/#/accounts/${annaAcc.id}/stakeholders`);
  await p.locator('table.people tbody tr').first().waitFor();
  const [sw, cw] = await p.evaluate(() => { const s = document.querySelector('table.people').closest('.scroll'); return [s.scrollWidth, s.clientWidth]; });
  assert.ok(sw <= cw, `the stakeholder table needs ${sw} px in a ${cw} px card at 820`);
  assert.deepEqual(p.problems, []);
});

test('each screen has its own page title', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  for (const [hash, want] of [['#/dashboard', /^Dashboard · kam$/], ['#/accounts', /^Accounts · kam$/], ['#/alerts', /^Alerts · kam$/],
    ['#/settings', /^Settings · kam$/], [`#/accounts/${annaAcc.id}/plan`, new RegExp(`^${annaAcc.name} · plan · kam$`)]]) {
    await p.goto(`${srv.url}/${hash}`);
    await p.waitForFunction((re) => new RegExp(re).test(document.title), want.source);
  }
});

test('an account tab can be linked and Back returns to the tab before', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/accounts/${annaAcc.id}/risks`);
  await p.locator('#tab-risks[aria-selected=true]').waitFor();
  await p.getByRole('tab', { name: 'plan' }).click();
  await p.locator('#tab-plan[aria-selected=true]').waitFor();
  assert.match(p.url(), new RegExp(`#/accounts/${annaAcc.id}/plan$`));
  await p.goBack();
  await p.locator('#tab-risks[aria-selected=true]').waitFor();
});

test('filters and sort live in the URL: Back from an account returns to the filtered list; the dashboard keeps its period', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/accounts`);
  await p.locator('table.accounts tbody tr').first().waitFor();
  await p.getByLabel('Tier').selectOption('key');
  await p.getByRole('button', { name: 'Account', exact: true }).click();
  await p.waitForFunction(() => /tier=key/.test(location.hash) && /sort=-name/.test(location.hash));
  await p.getByRole('columnheader', { name: /Account ▼/ }).waitFor();
  const first = await p.locator('table.accounts tbody tr td.name a').first().textContent();
  await p.locator('table.accounts tbody tr td.name a').first().click();
  await p.locator('.account-head h1').waitFor();
  await p.goBack();
  await p.locator('table.accounts tbody tr').first().waitFor();
  assert.equal(await p.getByLabel('Tier').inputValue(), 'key');
  assert.equal(await p.locator('table.accounts tbody tr td.name a').first().textContent(), first);
  await p.getByRole('status').filter({ hasText: /accounts? match(es)? the filters/ }).waitFor();

  await p.goto(`${srv.url}/#/dashboard`);
  await p.getByLabel('Period').selectOption('6');
  await p.waitForFunction(() => /months=6/.test(location.hash));
  await p.getByRole('link', { name: 'Accounts' }).click();
  await p.locator('table.accounts tbody tr').first().waitFor();
  await p.goBack();
  await p.locator('.tiles .tile').first().waitFor();
  assert.equal(await p.getByLabel('Period').inputValue(), '6');
});

test('arrowing through a select by keyboard saves once, on Enter; a mouse pick saves at once with "Saved" and an undo', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  const sent = patches(p);
  await p.goto(`${srv.url}/#/accounts/${annaAcc.id}/stakeholders`);
  const c = (await api(srv.url, tok.anna, 'GET', `/api/v1/contacts?account_id=${annaAcc.id}&limit=1&sort=name`)).json.items[0];
  await api(srv.url, tok.anna, 'PATCH', `/api/v1/contacts/${c.id}`, { attitude: 'champion' });
  await p.reload();
  const sel = p.getByLabel(`attitude of ${c.name}`);
  await sel.waitFor();
  await sel.focus();
  for (let i = 0; i < 3; i++) await p.keyboard.press('ArrowDown');
  assert.deepEqual(sent, [], 'arrow keys sent nothing');
  await p.keyboard.press('Enter');
  const row = p.locator(`tr[data-contact="${c.id}"]`);
  await row.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body, { attitude: 'critic' });
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/contacts/${c.id}`)).json.attitude, 'critic');

  await row.getByRole('button', { name: 'Undo' }).click();
  await row.getByRole('status').filter({ hasText: 'Undone' }).waitFor();
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/contacts/${c.id}`)).json.attitude, 'champion');
  assert.equal(await p.getByLabel(`attitude of ${c.name}`).inputValue(), 'champion');

  const inf = c.influence === 5 ? 4 : 5;
  await p.getByLabel(`influence of ${c.name}`).selectOption(String(inf)); // a mouse pick
  await row.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/contacts/${c.id}`)).json.influence, inf);
  assert.deepEqual(p.problems, []);
});

test('a refused inline save says so beside the control, keeps the choice, and Retry saves it', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  const plan = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${annaAcc.id}&status=active`)).json.items[0];
  const full = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans/${plan.id}`)).json;
  const a = full.actions[0];
  let fail = true;
  await p.route(`**/api/v1/actions/${a.id}`, (r) => (r.request().method() === 'PATCH' && fail
    ? r.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ title: 'The database is busy', status: 503 }) })
    : r.continue()));
  await p.goto(`${srv.url}/#/accounts/${annaAcc.id}/plan`);
  const want = a.status === 'done' ? 'cancelled' : 'done';
  const row = p.locator(`tr[data-action="${a.id}"]`);
  await row.getByLabel(`status of ${a.title}`).selectOption(want);
  await row.getByRole('alert').filter({ hasText: 'Not saved: The database is busy' }).waitFor();
  assert.equal(await row.getByLabel(`status of ${a.title}`).inputValue(), want, 'the choice stays');
  fail = false;
  await row.getByRole('button', { name: 'Retry' }).click();
  await row.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  assert.equal(await row.getByRole('alert').count(), 0, 'the old error is gone');
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/actions/${a.id}`)).json.status, want);
});

test('the change history of a record is one click away', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  const c = (await api(srv.url, tok.anna, 'GET', `/api/v1/contacts?account_id=${annaAcc.id}&limit=2&sort=name`)).json.items[1];
  await api(srv.url, tok.anna, 'PATCH', `/api/v1/contacts/${c.id}`, { title: 'Chief Buyer' });
  await p.goto(`${srv.url}/#/accounts/${annaAcc.id}/stakeholders`);
  await p.getByRole('button', { name: `history of ${c.name}` }).click();
  const d = p.getByRole('dialog', { name: `History of ${c.name}` });
  await d.getByText(/title: .* → Chief Buyer/).waitFor();
  await d.getByText(/Anna Berg updated/).first().waitFor();
  await d.getByRole('button', { name: 'Close' }).click();
  assert.equal((await api(srv.url, tok.anna, 'PATCH', `/api/v1/accounts/${annaAcc.id}`, { notes: 'Board meets in March' })).status, 200);
  await p.getByRole('button', { name: `history of ${annaAcc.name}` }).click();
  await p.getByRole('dialog', { name: `History of ${annaAcc.name}` }).getByText(/notes: .* → Board meets in March/).waitFor();
});

test('a new account: health says "not enough data", the empty risk map asks for risks, a plan starts from a template', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  const me = (await api(srv.url, tok.anna, 'GET', '/api/v1/me')).json;
  const a = (await api(srv.url, tok.anna, 'POST', '/api/v1/accounts', { name: 'Brand New GmbH', owner_id: me.id, status: 'active', currency: 'EUR' })).json;
  await p.goto(`${srv.url}/#/accounts/${a.id}`);
  await p.locator('.account-head').getByText('health: not enough data').waitFor();
  await p.getByRole('tab', { name: 'risks' }).click();
  await p.getByText(/No risks recorded yet. An empty heat map does not mean/).waitFor();
  assert.equal(await p.getByRole('img', { name: 'Risk heat map' }).count(), 0);
  await p.getByRole('tab', { name: 'plan' }).click();
  const f = p.getByRole('form', { name: 'New plan' });
  // dates are typed as the app shows them, not in the browser's locale (mm/dd/yyyy)
  const from = f.getByLabel('From', { exact: true });
  assert.equal(await from.evaluate((e) => e.type), 'text');
  assert.equal(await from.getAttribute('placeholder'), 'YYYY-MM-DD');
  assert.match(await from.inputValue(), /^\d{4}-\d\d-\d\d$/);
  await f.getByLabel('Start from').selectOption('retain');
  await f.getByRole('button', { name: 'Create plan' }).click();
  await p.getByRole('cell', { name: 'Renew the contract on time', exact: true }).waitFor();
  await p.getByRole('cell', { name: 'Hold a quarterly business review each quarter', exact: true }).waitFor();
  await p.goto(`${srv.url}/#/accounts?q=Brand%20New`);
  await p.locator('table.accounts tbody tr').first().getByText('not enough data').waitFor();
  await p.getByRole('status').filter({ hasText: '1 account matches the filters' }).waitFor();
  bad(await widths(p, 'new-account'));
  // a survey answer is evidence, though the account has no revenue and no interaction: the
  // health API decides, and the list and the header follow it
  const answered = new Date(Date.now() - 86400e3).toISOString().slice(0, 10);
  assert.equal((await api(srv.url, tok.anna, 'POST', '/api/v1/surveys', { account_id: a.id, kind: 'nps', score: 9, answered_on: answered })).status, 201);
  await p.reload();
  await p.locator('table.accounts tbody tr').first().locator('.health-dot').waitFor();
  assert.equal(await p.locator('table.accounts tbody tr').first().getByText('not enough data').count(), 0);
  await p.goto(`${srv.url}/#/accounts/${a.id}`);
  await p.locator('.account-head .health[data-score]').waitFor();
  assert.deepEqual(p.problems, []);
});

function bad(list) { assert.deepEqual(list, []); }

test('the one-page plan shows owners, column headers, baselines and an "as of" date; Print and Back stand apart', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/accounts/${annaAcc.id}/print`);
  const doc = p.locator('article.print');
  await doc.locator('h1').waitFor();
  await doc.getByText(/^As of \d{4}-\d\d-\d\d/).waitFor();
  for (const h of ['Objective', 'Baseline', 'Target', 'Now', 'Progress', 'Due', 'Status', 'Action', 'Owner'])
    assert.ok(await doc.getByRole('columnheader', { name: h, exact: true }).count() > 0, `a ${h} column`);
  const plan = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${annaAcc.id}&status=active`)).json.items[0];
  const full = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans/${plan.id}`)).json;
  const owned = full.actions.find((x) => x.owner_id);
  if (owned) {
    const u = (await api(srv.url, tok.anna, 'GET', `/api/v1/users/${owned.owner_id}`)).json;
    await doc.locator('tr', { hasText: owned.title }).getByText(u.name).waitFor();
  }
  // the Print button and the Back link do not run together (before: one space, 4 px, apart)
  for (const w of [1280, 390]) {
    await p.setViewportSize({ width: w, height: 900 });
    const b = await doc.getByRole('button', { name: 'Print' }).boundingBox();
    const a = await doc.getByRole('link', { name: 'Back to the account' }).boundingBox();
    const apart = Math.max(a.x - (b.x + b.width), b.x - (a.x + a.width), a.y - (b.y + b.height), b.y - (a.y + a.height));
    assert.ok(apart >= 8, `at ${w} px the Print button and the Back link are ${apart.toFixed(1)} px apart`);
    await screenshot(p, `states-print-tools-${w}`, { fullPage: false });
  }
  await p.setViewportSize({ width: 1280, height: 900 });
  // on paper neither is there
  await p.emulateMedia({ media: 'print' });
  assert.equal(await doc.getByRole('button', { name: 'Print' }).isVisible(), false);
  assert.equal(await doc.getByRole('link', { name: 'Back to the account' }).isVisible(), false);
  await p.emulateMedia({ media: 'screen' });
  assert.deepEqual(p.problems, []);
});

// Every cell of the one-page plan's tables: its column, its text, how many lines the text
// takes (its line boxes, from the text's client rects), and whether it is inside the viewport.
function planCells(p) {
  return p.evaluate(() => [...document.querySelectorAll('article.print table')].flatMap((tb) => {
    const heads = [...tb.querySelectorAll('thead th')].map((h) => h.textContent);
    return [...tb.querySelectorAll('tbody tr')].flatMap((tr) => [...tr.cells].map((td, i) => {
      const r = document.createRange();
      r.selectNodeContents(td);
      const tops = [...r.getClientRects()].filter((x) => x.width > 0).map((x) => x.top).sort((a, b) => a - b);
      const lines = tops.filter((y, k) => k === 0 || y > tops[k - 1] + 4).length;
      const box = td.getBoundingClientRect();
      return { column: heads[i], text: td.textContent, lines, inView: box.left >= 0 && box.right <= innerWidth + 0.5 };
    }));
  }));
}

test('the one-page plan: status, owner, dates and figures on one line at 1280 px and on A4, titles wrap; cards on a 390 px phone', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/accounts/${annaAcc.id}/print`);
  const doc = p.locator('article.print');
  await doc.locator('table').nth(1).locator('tbody tr').first().waitFor();
  const short = ['Baseline', 'Target', 'Now', 'Progress', 'Due', 'Status', 'Owner'];
  const oneLine = async (where) => {
    const cells = await planCells(p);
    for (const c of ['Status', 'Owner'])
      assert.ok(cells.some((x) => x.column === c && /\S \S/.test(x.text)), `${where}: the demo plan has a ${c} of two words`);
    // before: "on track", "in progress" and "Anna Berg" took two lines each
    bad(cells.filter((x) => short.includes(x.column) && x.lines !== 1).map((x) => `${where}: ${x.column} "${x.text}" takes ${x.lines} lines`));
    // the titles take the width that is left and wrap in it: no table scrolls inside its box
    bad(await p.evaluate(() => [...document.querySelectorAll('article.print .scroll')]
      .filter((s) => s.scrollWidth > s.clientWidth + 1).map((s) => `${s.scrollWidth} px in a ${s.clientWidth} px box`)));
  };
  await p.setViewportSize({ width: 1280, height: 900 });
  await oneLine('at 1280 px');
  await screenshot(p, 'states-plan-tables-1280');
  // on paper: A4 less the 12 mm margins of @page is 186 mm, 703 px at 96 px an inch
  await p.emulateMedia({ media: 'print' });
  await p.setViewportSize({ width: 703, height: 1000 });
  await oneLine('on A4');
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the plan fits the width of an A4 page');
  await screenshot(p, 'states-plan-tables-a4');
  await p.emulateMedia({ media: 'screen' });
  // a phone: the page does not scroll sideways, and no cell hides in a table scrolled sideways
  // (each objective and action is a card)
  await p.setViewportSize({ width: 390, height: 900 });
  const [sw, iw] = await p.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
  assert.ok(sw <= iw, `at 390 px the page is ${sw} px wide`);
  bad((await planCells(p)).filter((x) => !x.inView).map((x) => `at 390 px ${x.column} "${x.text}" is out of view`));
  await screenshot(p, 'states-plan-tables-390');
  assert.deepEqual(p.problems, []);
});

test('a dashboard panel fails alone, and the app notices when the server is back', async () => {
  const p = await page();
  await signIn(p, srv.url, 'director@example.com');
  let down = true;
  await p.route('**/api/v1/kams/workload**', (r) => (down ? r.abort('connectionrefused') : r.continue()));
  await p.route('**/healthz', (r) => (down ? r.abort('connectionrefused') : r.continue()));
  await p.goto(`${srv.url}/#/dashboard`);
  await p.reload();
  await p.locator('.tiles .tile').first().waitFor();
  const work = p.locator('section', { has: p.getByRole('heading', { name: 'KAM workload' }) });
  await work.getByRole('alert').waitFor();
  await p.getByRole('heading', { name: 'Revenue by month' }).waitFor();
  await p.getByRole('status').filter({ hasText: /server is not answering/ }).waitFor();
  assert.equal(await work.getByRole('button', { name: 'Retry' }).count(), 1);
  down = false; // no click: the app polls, sees the server back and asks again
  await work.getByRole('table').waitFor();
  await p.getByRole('status').filter({ hasText: /server is not answering/ }).waitFor({ state: 'detached' });
});

test('Settings that could not load say so with a Retry; a busy server (503) is asked again without the user noticing', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  let busy = 2, broken = false, asked = 0;
  await p.route('**/api/v1/settings', (r) => {
    asked++;
    if (broken) return r.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Internal error', status: 500 }) });
    if (busy-- > 0) return r.fulfill({ status: 503, headers: { 'Retry-After': '1' }, contentType: 'application/problem+json', body: JSON.stringify({ title: 'The database is busy', status: 503 }) });
    return r.continue();
  });
  await p.goto(`${srv.url}/#/settings`);
  await p.getByRole('heading', { name: 'My mail' }).waitFor();
  assert.equal(asked, 3, 'two busy answers, then the settings');
  broken = true;
  await p.goto(`${srv.url}/#/dashboard`);
  await p.goto(`${srv.url}/#/settings`);
  const err = p.locator('main').getByRole('alert').filter({ hasText: 'Settings could not load: Internal error' });
  await err.waitFor();
  broken = false;
  await err.getByRole('button', { name: 'Retry' }).click();
  await p.getByRole('heading', { name: 'My mail' }).waitFor();
  assert.deepEqual(p.problems, []);
});

test('import errors list every problem of a row under its name, and the rejected rows download as a CSV', async () => {
  const p = await page();
  await signIn(p, srv.url, 'director@example.com');
  await p.goto(`${srv.url}/#/settings`);
  await p.getByRole('heading', { name: 'Import data' }).waitFor();
  await p.getByLabel('What').selectOption('accounts');
  const csv = 'name,currency,strategic_importance,growth_potential\r\nGood Co,EUR,3,3\r\n"Bad, Co",EUR,nine,high\r\n';
  await p.getByLabel('File').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await p.getByRole('button', { name: 'Dry run' }).click();
  const row = p.locator('table.import-errors tbody tr');
  await row.first().waitFor();
  assert.equal(await row.count(), 1, 'one entry for the row');
  assert.equal(await row.locator('td').nth(1).textContent(), 'Bad, Co');
  assert.equal(await row.locator('ul.problems li').count(), 2);
  const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name: /Download the rejected rows/ }).click()]);
  assert.equal(dl.suggestedFilename(), 'accounts-rejected.csv');
  const got = readFileSync(await dl.path(), 'utf8').split('\r\n');
  assert.equal(got[0], 'name,currency,strategic_importance,growth_potential,problems');
  assert.match(got[1], /^"Bad, Co",EUR,nine,high,"?strategic_importance: .*; growth_potential: /);
  assert.equal(got.filter(Boolean).length, 2);
  bad(await widths(p, 'import'));
});
