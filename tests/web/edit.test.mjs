// Creating and editing in the browser (issue 13 §1, §7 first bullet, §8): a KAM creates an
// account, a plan, objectives and an action and edits it inline; forms save once however
// often they are clicked; viewers see no edit controls; an admin invites a user who signs
// in; a user changes their password. Every screen fits 390, 820 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna'], 'ui'));
  srv = await serve(db);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

function page(width = 1280, height = 900) {
  return newPage(browser, width, height, { acceptDialogs: true });
}

// no page wider than its viewport, at a phone, a tablet and a desktop width
async function everyWidth(p, name) {
  for (const w of [390, 820, 1280]) {
    await p.setViewportSize({ width: w, height: 900 });
    await p.waitForTimeout(50); // layout settles; not a timing assertion
    await screenshot(p, `edit-${name}-${w}`);
    await fits(p, name);
  }
  await p.setViewportSize({ width: 1280, height: 900 });
}

test('a KAM creates an account, a plan, objectives and an owned action, and edits its due date inline', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(srv.url + '/#/accounts');
  await p.getByRole('button', { name: 'New account' }).click();
  const f = p.getByRole('form', { name: 'New account' });
  await f.getByLabel('Name').fill('Nordwind Logistics');
  await f.getByLabel('Industry').fill('Logistics');
  await f.getByRole('button', { name: 'Create account' }).click();
  await p.getByRole('heading', { name: 'Nordwind Logistics' }).waitFor();
  const id = Number(p.url().match(/accounts\/(\d+)/)[1]);
  const a = await api(srv.url, tok.anna, 'GET', `/api/v1/accounts/${id}`);
  assert.equal(a.json.name, 'Nordwind Logistics');
  // no country given: the header names what is known, without an empty slot
  assert.match(await p.locator('.muted', { hasText: 'last contact' }).first().textContent(), /^Logistics · last contact never$/);

  await p.getByRole('tab', { name: 'plan' }).click();
  await p.getByText('No active plan for this account yet.').waitFor();
  await everyWidth(p, 'new-plan');
  await p.getByRole('form', { name: 'New plan' }).getByRole('button', { name: 'Create plan' }).click();
  await p.getByRole('heading', { name: 'Objectives' }).waitFor();

  const obj = p.getByRole('form', { name: 'Add an objective' });
  for (const [title, target, due, status] of [['Grow revenue', '500', '2020-01-31', 'on_track'], ['Win the tender', '1', '', 'achieved']]) {
    await obj.getByLabel('Objective').fill(title);
    await obj.getByLabel('Baseline').fill('0');
    await obj.getByLabel('Target').fill(target);
    if (due) await obj.getByLabel('Due').fill(due);
    await obj.getByLabel('Status').selectOption(status);
    await obj.getByRole('button', { name: 'Add objective' }).click();
    await p.locator('table.objectives td', { hasText: title }).waitFor();
  }
  // a past due date and "achieved" at 58% are both pointed out
  await p.getByLabel('current value of Win the tender').fill('0.58');
  await p.getByLabel('current value of Win the tender').dispatchEvent('change');
  await p.locator('table.objectives .flag.past-due', { hasText: 'past due since 2020-01-31' }).waitFor();
  await p.locator('table.objectives .flag.contradiction', { hasText: 'marked achieved at 58%' }).waitFor();

  const act = p.getByRole('form', { name: 'Add an action' });
  await act.getByLabel('New action').fill('Book the kick-off workshop');
  await act.getByLabel('For objective').selectOption({ label: 'Grow revenue' });
  await act.getByLabel('Owner').selectOption({ label: 'Anna Berg' });
  await act.getByRole('button', { name: 'Add action' }).dblclick();
  await p.locator('table.actions tr[data-action]').first().waitFor();
  await p.getByLabel('due date of Book the kick-off workshop').fill('2031-03-15');
  await p.getByLabel('due date of Book the kick-off workshop').dispatchEvent('change');

  const plans = await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${id}`);
  assert.equal(plans.json.items.length, 1);
  let plan;
  for (;;) { // the inline change is on its way; poll the API until it lands
    plan = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans/${plans.json.items[0].id}`)).json;
    if (plan.actions[0]?.due_on?.startsWith('2031-03-15')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(plan.objectives.map((o) => o.title).sort(), ['Grow revenue', 'Win the tender']);
  assert.equal(plan.actions.length, 1, 'a double click adds the action once');
  const anna = (await api(srv.url, tok.anna, 'GET', '/api/v1/me')).json;
  assert.equal(plan.actions[0].owner_id, anna.id);
  assert.equal(plan.actions[0].objective_id, plan.objectives.find((o) => o.title === 'Grow revenue').id);
  await everyWidth(p, 'plan');

  // next period: a copy of this plan's objectives and open actions; the old plan is archived
  await p.getByRole('button', { name: 'New plan period…' }).click();
  const np = p.getByRole('form', { name: 'New plan' });
  await np.getByLabel('Title').fill('Nordwind plan, next period');
  assert.equal(await np.getByLabel('Start from').inputValue(), 'copy');
  await np.getByRole('button', { name: 'Create plan' }).click();
  await p.locator('h2', { hasText: 'Nordwind plan, next period' }).or(np.locator('.error')).first().waitFor();
  assert.equal(await np.locator('.error').count(), 0, await np.locator('.error').first().textContent().catch(() => ''));
  const after = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${id}`)).json.items;
  assert.equal(after.length, 2);
  const fresh = after.find((x) => x.title === 'Nordwind plan, next period');
  assert.equal(after.find((x) => x.id !== fresh.id).status, 'archived');
  const copy = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans/${fresh.id}`)).json;
  assert.deepEqual(copy.objectives.map((o) => o.title).sort(), ['Grow revenue', 'Win the tender']);
  assert.equal(copy.actions.length, 1);
  assert.equal(copy.actions[0].owner_id, anna.id);
  assert.equal(copy.actions[0].objective_id, copy.objectives.find((o) => o.title === 'Grow revenue').id);
  assert.deepEqual(p.problems, []);
});

test('a double click logs a meeting once; the button reads "Saving…" meanwhile', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  const mine = (await api(srv.url, tok.anna, 'GET', '/api/v1/accounts?limit=1&sort=name')).json.items[0];
  const before = (await api(srv.url, tok.anna, 'GET', `/api/v1/interactions?account_id=${mine.id}&limit=200`)).json.items.length;
  await openAccount(p, srv.url, mine.id, 'activity');
  await p.getByRole('button', { name: 'Log a meeting' }).click();
  const f = p.getByRole('form', { name: 'Log an interaction' });
  await f.getByLabel('Summary').fill('Double-click check');
  // hold the answer so the busy state can be seen
  let release;
  const held = new Promise((r) => { release = r; });
  await p.route('**/api/v1/interactions', async (route) => { await held; await route.continue(); });
  await f.getByRole('button', { name: 'Save' }).dblclick();
  await f.getByRole('button', { name: 'Saving…' }).waitFor();
  assert.equal(await f.getByRole('button', { name: 'Saving…' }).isDisabled(), true);
  release();
  await p.locator('.timeline li', { hasText: 'Double-click check' }).waitFor();
  const after = (await api(srv.url, tok.anna, 'GET', `/api/v1/interactions?account_id=${mine.id}&limit=200`)).json.items;
  assert.equal(after.length, before + 1);
  assert.equal(after.filter((i) => i.summary === 'Double-click check').length, 1);
  await everyWidth(p, 'activity');
});

test('a viewer sees no edit controls on any account tab', async () => {
  const p = await page();
  await signIn(p, srv.url, 'viewer@example.com');
  const acc = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?limit=1&sort=-score')).json.items[0];
  await p.goto(`${srv.url}/#/accounts/${acc.id}`);
  await p.getByRole('tab', { name: 'overview' }).waitFor();
  for (const tab of ['overview', 'stakeholders', 'plan', 'opportunities', 'activity', 'cases', 'risks', 'surveys', 'team']) {
    await p.getByRole('tab', { name: tab }).click();
    await p.waitForSelector(`#tab-${tab}[aria-selected=true]`);
    const controls = await p.locator('#tabpanel input, #tabpanel select, #tabpanel textarea, #tabpanel form, #tabpanel button').count();
    assert.equal(controls, 0, `${tab} has edit controls for a viewer`);
    if (tab === 'stakeholders' || tab === 'plan') await everyWidth(p, `viewer-${tab}`);
  }
  assert.equal(await p.getByRole('button', { name: 'Share with the client' }).count(), 0);
  await p.goto(`${srv.url}/#/accounts`);
  await p.locator('table.accounts tbody tr').first().waitFor();
  assert.equal(await p.getByRole('button', { name: 'New account' }).count(), 0);
  await everyWidth(p, 'accounts');
  assert.deepEqual(p.problems, []);
});

test('an admin invites a user, who then signs in', async () => {
  const p = await page();
  await signIn(p, srv.url, 'admin@example.com');
  await p.goto(`${srv.url}/#/settings`);
  const f = p.getByRole('form', { name: 'Invite a user' });
  await f.getByLabel('Name').fill('Rita Ng');
  await f.getByLabel('E-mail').fill('rita@example.com');
  await f.getByLabel('Role').selectOption('kam');
  // too short a password: the server's message shows beside the field and the typing stays
  await f.getByLabel('First password (12+ characters)').fill('short');
  await f.getByRole('button', { name: 'Invite' }).click();
  await f.locator('.field-error').first().waitFor();
  assert.match(await f.locator('.field-error').first().textContent(), /\S/);
  assert.equal(await f.getByLabel('Name').inputValue(), 'Rita Ng');
  await screenshot(p, 'edit-invite-error');
  await f.getByLabel('First password (12+ characters)').fill('rita-first-password');
  await f.getByRole('button', { name: 'Invite' }).click();
  await p.getByText('Invited Rita Ng (rita@example.com) as kam').waitFor();
  await everyWidth(p, 'settings-admin');

  const q = await page();
  await signIn(q, srv.url, 'rita@example.com', 'rita-first-password');
  assert.match(await q.locator('.who').textContent(), /Rita Ng · kam/);
  assert.deepEqual(p.problems, []);
});

test('a user changes their own password and signs in with the new one', async () => {
  const p = await page();
  await signIn(p, srv.url, 'ben@example.com');
  await p.goto(`${srv.url}/#/settings`);
  const f = p.getByRole('form', { name: 'Change my password' });
  await f.getByLabel('Current password').fill('demo-password-1');
  await f.getByLabel('New password (12+ characters)').fill('ben-new-password-2');
  await f.getByRole('button', { name: 'Change password' }).click();
  await p.getByText('Password changed.').waitFor();
  await everyWidth(p, 'settings-kam');
  await p.getByRole('button', { name: 'Sign in again' }).click();
  await p.getByLabel('E-mail').fill('ben@example.com');
  await p.getByLabel('Password').fill('demo-password-1');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('alert').waitFor();
  await signIn(p, srv.url, 'ben@example.com', 'ben-new-password-2');
  assert.match(await p.locator('.who').textContent(), /Ben Osei/);
});

test('an error page that is not JSON (a proxy in front of kam) shows a sentence, not a parse error', async () => {
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  // what a reverse proxy sends when kam is restarting: an HTML page with a 502
  await p.route('**/api/v1/accounts?*', (r) => r.fulfill({ status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }));
  await p.goto(srv.url + '/#/accounts');
  await p.getByText('The server answered 502 with a page kam cannot read').waitFor();
  assert.ok(!p.problems.some((x) => /JSON/.test(x)), p.problems.join('\n'));
  await screenshot(p, 'edit-proxy-error', { fullPage: false });
});

test('a contact whose name holds chart template marks is drawn as written on the organisation chart', async () => {
  const acc = (await api(srv.url, tok.anna, 'POST', '/api/v1/accounts', { name: 'Template Marks Ltd' })).json;
  for (const name of ['Ana {b} Ruiz', 'Ben {a|b} Ode'])
    assert.equal((await api(srv.url, tok.anna, 'POST', '/api/v1/contacts', { account_id: acc.id, name, title: 'Buyer {c}', influence: 3 })).status, 201);
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc.id, 'stakeholders');
  await p.getByRole('img', { name: 'Organisation chart' }).locator('canvas').waitFor();
  // the texts ECharts drew, read from its scene graph
  const texts = await p.evaluate(async () => {
    const app = document.querySelector('script[type=module]').src;
    const echarts = await import(new URL('vendor-echarts.js', app).href);
    const chart = echarts.getInstanceByDom(document.querySelector('[aria-label="Organisation chart"]'));
    const out = [];
    chart.getZr().storage.getDisplayList(true).forEach((el) => { if (typeof el.style?.text === 'string') out.push(el.style.text); });
    return out;
  });
  for (const want of ['Ana {b} Ruiz', 'Ben {a|b} Ode', 'Buyer {c}'])
    assert.ok(texts.some((x) => x.includes(want)), `${want} in ${JSON.stringify(texts)}`);
  await screenshot(p, 'edit-chart-marks', { fullPage: false });
});

test('an edit on the plan reads the plan and the header again, not the whole account', async () => {
  const plans = (await api(srv.url, tok.anna, 'GET', '/api/v1/plans?status=active&limit=50')).json.items;
  const acc = plans[0].account_id;
  const p = await page();
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc, 'plan');
  const row = p.locator('table.actions tbody tr').first();
  await row.waitFor();
  await p.waitForLoadState('networkidle');
  const seen = [];
  p.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/api/v1/')) seen.push(`${r.method()} ${u.pathname}`); });
  // the row by its id: "first row" is another one if the table is drawn again meanwhile
  const actionId = await row.getAttribute('data-action');
  await p.locator(`tr[data-action="${actionId}"] select[aria-label^="status of"]`).selectOption('done');
  await p.waitForFunction((id) => document.querySelector(`tr[data-action="${id}"] select[aria-label^="status of"]`)?.value === 'done', actionId);
  await p.waitForLoadState('networkidle');
  assert.ok(seen.includes(`PATCH /api/v1/actions/${actionId}`), seen.join('\n'));
  assert.ok(seen.some((x) => x.startsWith('GET /api/v1/plans')), seen.join('\n'));
  assert.ok(seen.includes(`GET /api/v1/accounts/${acc}/health`), 'the header follows: health counts overdue actions');
  for (const other of ['/api/v1/kpis', '/api/v1/contacts', '/api/v1/opportunities', '/api/v1/cases', '/api/v1/risks', '/api/v1/surveys', '/whitespace'])
    assert.ok(!seen.some((x) => x.includes(other)), `${other} was read again:\n${seen.join('\n')}`);
  assert.ok(seen.length <= 8, `${seen.length} requests:\n${seen.join('\n')}`);
});
