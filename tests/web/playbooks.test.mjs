// Playbooks in a real browser (issue 17): the library and editor in Settings, starting one from
// the account page and following its progress, the run's name beside its steps in My work,
// "Why did this fire?" under an alert, and the director's runs overdue, at 1280, 820 and 390 px.
// Screenshots go to tests/out/playbooks-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, fits, screenshot, signedIn } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

const WIDTHS = [1280, 820, 390];
let t, db, srv, browser, tok = {};
const who = {};
let account, today;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna'], 'playbooks-ui'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  await api(srv.url, tok.director, 'POST', '/api/v1/alerts/evaluate');
  for (const u of Object.keys(tok)) who[u] = (await api(srv.url, tok[u], 'GET', '/api/v1/me')).json;
  today = (await api(srv.url, tok.anna, 'GET', '/api/v1/work')).json.today;
  // an account of Anna's with an active plan
  for (const a of (await api(srv.url, tok.anna, 'GET', `/api/v1/accounts?owner_id=${who.anna.id}&limit=100`)).json.items) {
    if ((await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${a.id}&status=active&limit=1`)).json.items.length) { account = a; break; }
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const as = (email, width = 1280, opts) => signedIn(browser, srv.url, email, width, opts);

// the whole page at each width, and the part this test is about on its own (easier to look at)
async function shots(p, name, what, part) {
  for (const width of WIDTHS) {
    await p.setViewportSize({ width, height: 900 });
    await p.waitForTimeout(150);
    await fits(p, what);
    await screenshot(p, `playbooks-${name}-${width}`);
    if (part) await part.screenshot({ path: new URL(`../out/playbooks-${name}-${width}-part.png`, import.meta.url).pathname });
  }
  await p.setViewportSize({ width: 1280, height: 900 });
}

test('Settings → Playbooks: the six defaults, and the editor adds, moves and removes steps; saving bumps the version', async () => {
  const p = await as('director@example.com');
  await p.goto(`${srv.url}/#/settings`);
  const lib = p.locator('[data-panel=playbooks]');
  await lib.getByRole('heading', { name: 'Playbooks' }).waitFor();
  await lib.locator('.pb-library > li').first().waitFor();
  assert.equal(await lib.locator('.pb-library > li').count(), 6);
  const row = lib.locator('li', { hasText: 'Rebuild sponsorship' });
  assert.match(await row.textContent(), /A key stakeholder left or turned against us/);
  await lib.scrollIntoViewIfNeeded();
  await shots(p, 'library', 'Settings with playbooks', lib);
  await row.getByRole('button', { name: 'Edit' }).click();
  const ed = p.getByRole('form', { name: 'Edit Rebuild sponsorship' });
  await ed.waitFor();
  const n = await ed.locator('tr[data-step]').count();
  await ed.getByRole('button', { name: 'Add step' }).click();
  await ed.getByLabel(`Step ${n + 1} title`).fill('Thank the old champion');
  await ed.getByLabel(`Step ${n + 1} owner`).selectOption('executive_sponsor');
  await ed.getByLabel(`Step ${n + 1} day`).fill('3');
  await ed.getByRole('button', { name: `Move step ${n + 1} up` }).click();
  assert.equal(await ed.getByLabel(`Step ${n} title`).inputValue(), 'Thank the old champion');
  await ed.getByRole('button', { name: 'Remove step 1' }).click();
  await ed.scrollIntoViewIfNeeded();
  await shots(p, 'editor', 'The playbook editor', ed);
  await ed.getByRole('button', { name: 'Save playbook' }).click();
  await lib.getByRole('status').waitFor();
  assert.match(await lib.getByRole('status').textContent(), /version 2/);
  const saved = (await api(srv.url, tok.director, 'GET', '/api/v1/playbooks')).json.items.find((x) => x.name === 'Rebuild sponsorship');
  assert.equal(saved.version, 2);
  assert.equal(saved.steps.length, n);
  assert.equal(saved.steps[n - 2].title, 'Thank the old champion');
  assert.equal(saved.steps[n - 2].owner_role, 'executive_sponsor');
  await p.close();
});

test('the account page starts a playbook and shows its progress, steps and why; My work names the run', async () => {
  assert.ok(account, 'an account of Anna\'s with an active plan');
  const p = await as('anna@example.com');
  await p.goto(`${srv.url}/#/accounts/${account.id}/plan`);
  const panel = p.locator('[data-panel=playbook-runs]');
  await panel.getByRole('heading', { name: 'Playbooks' }).waitFor();
  const form = panel.getByRole('form', { name: 'Start a playbook' });
  await form.getByLabel('Playbook').selectOption({ label: 'Detractor recovery' });
  await form.getByRole('button', { name: 'Start a playbook' }).click();
  await panel.getByRole('status').waitFor();
  assert.match(await panel.getByRole('status').textContent(), /Started “Detractor recovery”: 5 actions/);
  const run = panel.locator('.pb-run', { hasText: 'Detractor recovery' });
  assert.match(await run.textContent(), /0\/5/);
  assert.equal(await run.locator('.pb-steps-list li').count(), 5);
  assert.match(await run.locator('.why-box').textContent(), /Anna Berg \(by hand\)/);
  // the plan above lists the new actions
  await p.waitForFunction((t) => [...document.querySelectorAll('table.actions input')].some((i) => i.value === t), 'Call the detractor back within two days');
  // a second start while it runs is refused in words
  await form.getByLabel('Playbook').selectOption({ label: 'Detractor recovery' });
  await form.getByRole('button', { name: 'Start a playbook' }).click();
  await panel.getByRole('alert').waitFor();
  assert.match(await panel.getByRole('alert').textContent(), /already running/);
  await run.scrollIntoViewIfNeeded();
  await shots(p, 'account', 'The account plan with its playbook runs', panel);
  // My work: the first step is due today, with the run's name beside it
  await p.goto(`${srv.url}/#/work`);
  const tag = p.locator('[data-panel=w-week] .pb-tag', { hasText: 'Detractor recovery' }).first();
  await tag.waitFor();
  await tag.scrollIntoViewIfNeeded();
  await shots(p, 'mywork', 'My work with playbook steps', p.locator('[data-panel=w-week]'));
  await p.close();
});

test('an alert says why it fired, with its figures and rows', async () => {
  const p = await as('director@example.com');
  await p.goto(`${srv.url}/#/alerts`);
  const li = p.locator('.alert-list > li').first();
  await li.waitFor();
  const id = Number(await li.getAttribute('data-alert'));
  const a = (await api(srv.url, tok.director, 'GET', `/api/v1/alerts/${id}`)).json;
  await li.getByRole('button', { name: 'Why did this fire?' }).click();
  const box = li.locator('.why-box');
  await box.waitFor();
  const text = await box.textContent();
  assert.match(text, /Started by/);
  assert.ok(text.includes(a.why.condition), text);
  assert.ok(text.includes(`${a.why.threshold.value} ${a.why.threshold.unit}`), text);
  assert.equal(await box.locator('.why-rows li').count(), a.why.rows.length);
  await shots(p, 'alert-why', 'An alert with why it fired', li);
  await p.close();
});

test('the director\'s dashboard lists playbook runs overdue across the portfolio', async () => {
  const pb = (await api(srv.url, tok.director, 'POST', '/api/v1/playbooks', { name: 'Late check', steps: [{ title: 'Check in', offset_days: 0 }] })).json;
  const run = (await api(srv.url, tok.anna, 'POST', `/api/v1/accounts/${account.id}/playbook-runs`, { playbook_id: pb.id })).json;
  const back = new Date(Date.parse(`${today}T00:00:00Z`) - 5 * 86400e3).toISOString().slice(0, 10);
  assert.equal((await api(srv.url, tok.anna, 'PATCH', `/api/v1/actions/${run.steps[0].id}`, { due_on: back })).status, 200);
  const p = await as('director@example.com');
  await p.goto(`${srv.url}/#/dashboard`);
  const panel = p.locator('[data-panel=overdue-runs]');
  const row = panel.locator(`tr[data-run="${run.id}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(`${account.name}.*Late check.*0/1`));
  await panel.scrollIntoViewIfNeeded();
  await shots(p, 'dashboard', 'The dashboard with overdue runs', panel);
  await p.close();
});
