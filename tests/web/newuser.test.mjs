// A new user's tour of the demo as the director on a laptop (1366 and 1280 px): every column of
// the stakeholder table in its card, a plan's titles and dates read whole, roles and opportunity
// names in words, a setting the alerts page points to that is there, an even dashboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, screenshot } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {}, acc;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director'], 'newuser'));
  srv = await serve(db);
  browser = await launch();
  const all = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?tier=key&limit=500')).json.items;
  acc = all.find((a) => a.name === 'Northwind Traders') ?? all[0];
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

async function page(width, path) {
  const p = await newPage(browser, width, 900);
  await signIn(p, srv.url, 'director@example.com');
  await p.goto(`${srv.url}/#${path}`);
  return p;
}

for (const width of [1280, 1366]) {
  test(`stakeholders at ${width} px: the table fits its card and every edit link is on the screen`, async () => {
    const p = await page(width, `/accounts/${acc.id}/stakeholders`);
    const table = p.locator('table.people');
    await table.locator('tbody tr').first().waitFor();
    const [sw, cw] = await table.evaluate((e) => [e.scrollWidth, e.parentElement.clientWidth]);
    assert.ok(sw <= cw, `the table is ${sw} px wide in a card of ${cw} px`);
    const edits = p.getByRole('button', { name: /^edit / });
    assert.ok(await edits.count() >= 3);
    for (const b of await edits.all()) {
      const r = await b.boundingBox();
      assert.ok(r.x >= 0 && r.x + r.width <= width, `${await b.getAttribute('aria-label')} at ${r.x}..${r.x + r.width} of ${width}`);
    }
    // nothing a KAM reads was dropped: role and last contact keep their columns
    for (const h of ['Reports to', 'Influence', 'Attitude', 'Role', 'Our owner', 'Last contacted'])
      assert.ok(await p.getByRole('columnheader', { name: h, exact: true }).isVisible(), h);
    if (width === 1366) await screenshot(p, 'newuser/stakeholders-1366');
    assert.deepEqual(p.problems, []);
  });
}

// the one line a text takes: an inline element's boxes, one per line
const lines = (l) => l.evaluate((e) => new Set([...e.getClientRects()].map((r) => Math.round(r.top))).size);

for (const width of [1280, 1366]) test(`plan at ${width} px: action titles are not cut inside their fields, due dates do not break`, async () => {
  const p = await page(width, `/accounts/${acc.id}/plan`);
  const titles = p.locator('table.actions input.title');
  await titles.first().waitFor();
  assert.ok(await titles.count() >= 3);
  for (const i of await titles.all()) {
    const [sw, cw, v] = await i.evaluate((e) => [e.scrollWidth, e.clientWidth, e.value]);
    assert.ok(sw <= cw, `"${v}" needs ${sw} px in a field of ${cw} px`);
  }
  const [sw, cw] = await p.locator('table.actions').evaluate((e) => [e.scrollWidth, e.parentElement.clientWidth]);
  assert.ok(sw <= cw, `the actions are ${sw} px wide in a card of ${cw} px`);
  // the objective an action serves: its select shows the whole title
  for (const sel of await p.locator('table.actions select[aria-label^="objective of "]').all()) {
    const [need, room, v] = await sel.evaluate((e) => {
      const c = document.createElement('canvas').getContext('2d');
      const s = getComputedStyle(e);
      c.font = `${s.fontSize} ${s.fontFamily}`;
      const pad = parseFloat(s.paddingLeft) + parseFloat(s.paddingRight) + 20; // 20: the arrow
      return [c.measureText(e.selectedOptions[0].text).width + pad, e.clientWidth, e.selectedOptions[0].text];
    });
    assert.ok(need <= room, `objective "${v}" needs ${need} px in a select of ${room} px`);
  }
  const due = p.locator('table.objectives .date');
  assert.ok(await due.count() >= 1);
  for (const d of await due.all()) assert.equal(await lines(d), 1, `due ${await d.innerText()} on one line`);
  for (const i of await p.locator('table.actions input[placeholder="YYYY-MM-DD"]').all()) {
    const [sw, cw] = await i.evaluate((e) => [e.scrollWidth, e.clientWidth]);
    assert.ok(sw <= cw, 'a due date whole in its field');
  }
  await screenshot(p, `newuser/plan-${width}`);

  // the one-page plan
  await p.goto(`${srv.url}/#/accounts/${acc.id}/print`);
  const pd = p.locator('.print .date');
  await pd.first().waitFor();
  for (const d of await pd.all()) assert.equal(await lines(d), 1, `printed date ${await d.innerText()} on one line`);
  await screenshot(p, `newuser/print-${width}`);
  assert.deepEqual(p.problems, []);
});

test('team roles read as words ("support lead"); the API keeps support_lead', async () => {
  const team = (await api(srv.url, tok.director, 'GET', `/api/v1/accounts/${acc.id}/team`)).json;
  const items = team.items ?? team;
  const m = items.find((x) => x.role.includes('_'));
  assert.ok(m, 'a demo team member whose role has an underscore');
  const p = await page(1366, `/accounts/${acc.id}/team`);
  const role = p.getByLabel(`role of ${m.name} on the account`);
  await role.waitFor();
  const shown = await role.evaluate((e) => (e.tagName === 'SELECT' ? e.selectedOptions[0].text : e.value));
  assert.equal(shown, m.role.replaceAll('_', ' '));
  assert.doesNotMatch(await p.getByRole('tabpanel').innerText(), /_/);
  // the stakeholder tab's coverage grid names our side's roles the same way
  await p.goto(`${srv.url}/#/accounts/${acc.id}/stakeholders`);
  await p.locator('table.coverage-grid').waitFor();
  assert.doesNotMatch(await p.locator('table.coverage-grid thead').innerText(), /_/);
  // a change of role is saved as the API's value
  await role.isVisible();
  await p.goto(`${srv.url}/#/accounts/${acc.id}/team`);
  await p.getByLabel(`role of ${m.name} on the account`).selectOption({ label: 'executive sponsor' });
  await p.locator('.inline-mark.saved').first().waitFor();
  await screenshot(p, 'newuser/team-1366');
  const after = (await api(srv.url, tok.director, 'GET', `/api/v1/accounts/${acc.id}/team`)).json;
  assert.equal((after.items ?? after).find((x) => x.user_id === m.user_id).role, 'executive_sponsor');
  assert.deepEqual(p.problems, []);
});

test('the demo names its opportunities in words ("Analytics Suite cross-sell")', async () => {
  const opps = (await api(srv.url, tok.director, 'GET', '/api/v1/opportunities?limit=500')).json.items;
  assert.ok(opps.length > 10);
  assert.deepEqual(opps.filter((o) => o.name.includes('_')).map((o) => o.name), []);
  assert.ok(opps.some((o) => / cross-sell$/.test(o.name)));
});

test('the alerts page points to a grace period the Settings page has, and it saves', async () => {
  const p = await page(1366, '/alerts');
  const intro = p.locator('p.muted', { hasText: 'grace period' });
  await intro.waitFor();
  assert.doesNotMatch(await intro.innerText(), /_/);
  await intro.getByRole('link', { name: 'Settings' }).click();
  const grace = p.getByLabel('no interaction grace period for a new account, in days');
  await grace.waitFor();
  assert.equal(await grace.inputValue(), '30');
  await screenshot(p, 'newuser/settings-1366');
  await grace.fill('45');
  await p.getByRole('button', { name: 'Save alert rules' }).click();
  await p.getByText('Saved no interaction.').waitFor();
  const s = (await api(srv.url, tok.director, 'GET', '/api/v1/settings')).json;
  assert.equal(s.alerts.no_interaction.grace_days, 45);
  assert.deepEqual(p.problems, []);
});

test("activity: the list's numbers sit inside the content, not past its left edge", async () => {
  const p = await page(1366, `/accounts/${acc.id}/activity`);
  const ol = p.locator('ol.timeline');
  await ol.locator('li').nth(9).waitFor();
  const [left, pad, marker, edge] = await ol.evaluate((e) => {
    const s = document.createElement('span');
    s.textContent = `${e.children.length}. `;
    e.firstElementChild.append(s);
    const w = s.getBoundingClientRect().width;
    s.remove();
    return [e.getBoundingClientRect().left, parseFloat(getComputedStyle(e).paddingLeft), w, e.closest('[role=tabpanel]').getBoundingClientRect().left];
  });
  await screenshot(p, 'newuser/activity-1366', { fullPage: false });
  assert.ok(left + pad - marker >= edge, `the marker starts at ${left + pad - marker}, the content at ${edge}`);
  assert.deepEqual(p.problems, []);
});

test('dashboard at 1366 px: tiles fill their rows evenly, KAM names on one line', async () => {
  const p = await page(1366, '/dashboard');
  await p.locator('section[aria-label="Forecast this quarter"]').waitFor();
  await p.locator('[data-kam]').first().waitFor();
  const rows = await p.locator('.dashboard .tiles > *').evaluateAll((ts) => {
    const by = {};
    for (const e of ts) by[Math.round(e.getBoundingClientRect().top)] = (by[Math.round(e.getBoundingClientRect().top)] ?? 0) + 1;
    return Object.values(by);
  });
  assert.equal(new Set(rows).size, 1, `tiles per row: ${rows.join(', ')}`);
  for (const n of await p.locator('[data-kam] td:first-child a').all()) assert.equal(await lines(n), 1, `${await n.innerText()} on one line`);
  const w = (sel) => p.locator(sel).evaluate((e) => e.closest('section').getBoundingClientRect().width);
  assert.ok(await w('#w-title') >= await w('#m-title'), 'the workload card as wide as the matrix');
  await screenshot(p, 'newuser/dashboard-1366');
  assert.deepEqual(p.problems, []);
});
