// The group page in the browser (issue 18): the account page of an entity of a group has a
// "group" tab with the tree of entities (each visible one a link), the group figures and the
// group whitespace; the plan tab links an entity plan to the group plan and the group plan
// lists its entity plans; the stakeholders tab puts the group's contacts on one map. As the
// group's KAM (Anna, Tyrell Robotics), a subsidiary's KAM (Dev, Tyrell Robotics Japan) and the
// director, at 1280, 820 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount, shows } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser;
const tok = {};
const id = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'dev', 'director'], 'webgroups'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  browser = await launch();
  const all = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?limit=100')).json.items;
  for (const a of all) id[a.name] = a.id;
  assert.ok(id['Tyrell Robotics'] && id['Tyrell Robotics Japan'] && id['Tyrell Osaka Works'], 'the demo has the Tyrell group');
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const WIDTHS = [1280, 820, 390];

test('the group KAM sees the group tab: the tree with links, the figures and the whitespace', async () => {
  for (const w of WIDTHS) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'anna@example.com');
    await openAccount(p, srv.url, id['Tyrell Robotics'], 'group');
    const tree = p.locator('table.group-tree');
    await shows(p, tree, 'the group tree');
    const rows = await tree.locator('tbody tr').allInnerTexts();
    assert.match(rows[0], /Tyrell Robotics.*this account/);
    assert.ok(rows.some((r) => /Tyrell Robotics Japan/.test(r)), rows.join(' | '));
    // Japan is Anna's (she is on its team): a link to its page; the tree indents Osaka under it
    await shows(p, tree.getByRole('link', { name: 'Tyrell Robotics Japan' }), 'a link to Japan');
    const section = p.getByRole('region', { name: /Group figures/ });
    await shows(p, section.locator('.group-figures'), 'the group figures');
    assert.equal(await section.getByText('not the whole group').count(), 0, 'the group KAM sees the whole group');
    const ws = p.getByRole('region', { name: 'Group whitespace' }).locator('table.group-ws');
    await shows(p, ws, 'the group whitespace');
    assert.equal(await ws.locator('tbody tr').count(), 4, 'one row per entity');
    await fits(p, `group tab at ${w}`);
    await screenshot(p, `groups-tab-anna-${w}`);
    assert.deepEqual(p.problems, []);
    // a link goes to the entity's own group tab
    await tree.getByRole('link', { name: 'Tyrell Robotics Japan' }).click();
    await shows(p, p.locator('table.group-tree tr.here', { hasText: 'Tyrell Robotics Japan' }), 'Japan as this account');
    await p.context().close();
  }
});

test('the group plan lists its entity plans; an entity plan says what it is part of and may change it', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, id['Tyrell Robotics'], 'plan');
  const ep = p.getByRole('region', { name: 'Entity plans in this group plan' });
  await shows(p, ep, 'the entity plans');
  const text = await ep.innerText();
  assert.match(text, /Tyrell Robotics Japan/);
  assert.ok(!/Tyrell Robotics UK/.test(text), 'the UK plan is not Anna\'s to see');
  await screenshot(p, 'groups-plan-group-1280');
  await ep.getByRole('link', { name: 'Tyrell Robotics Japan' }).click();
  await shows(p, p.locator('.part-of'), 'the part-of line');
  assert.match(await p.locator('.part-of').innerText(), /Part of Group plan \(Tyrell Robotics/);
  // Anna (on Japan's team) unlinks it and links it again with the select
  const pick = p.getByLabel('Group plan this plan is part of');
  await pick.selectOption({ label: 'not part of a group plan' });
  await p.locator('.part-of').waitFor({ state: 'detached' });
  const japanPlan = (await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${id['Tyrell Robotics Japan']}&status=active`)).json.items[0];
  assert.equal(japanPlan.group_plan_id, null);
  await p.getByLabel('Group plan this plan is part of').selectOption({ label: 'Group plan · Tyrell Robotics' });
  await shows(p, p.locator('.part-of'), 'the part-of line again');
  await fits(p, 'entity plan');
  await screenshot(p, 'groups-plan-entity-1280');
  assert.deepEqual(p.problems, []);
  await p.context().close();
  for (const w of [820, 390]) {
    const q = await newPage(browser, w, 900);
    await signIn(q, srv.url, 'anna@example.com');
    await openAccount(q, srv.url, id['Tyrell Robotics'], 'plan');
    await shows(q, q.getByRole('region', { name: 'Entity plans in this group plan' }), `the entity plans at ${w}`);
    await fits(q, `group plan at ${w}`);
    await screenshot(q, `groups-plan-group-${w}`);
    await q.goto('about:blank'); // a fresh load: the old account's tabs must not answer for the new one
    await openAccount(q, srv.url, id['Tyrell Robotics Japan'], 'plan');
    await shows(q, q.locator('.part-of'), `the part-of line at ${w}`);
    await fits(q, `entity plan at ${w}`);
    await screenshot(q, `groups-plan-entity-${w}`);
    assert.deepEqual(q.problems, []);
    await q.context().close();
  }
});

test('a subsidiary KAM sees only their part; their stakeholder map shows the entities they see', async () => {
  for (const w of WIDTHS) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'dev@example.com');
    await openAccount(p, srv.url, id['Tyrell Robotics Japan'], 'group');
    const tree = p.locator('table.group-tree');
    await shows(p, tree, 'the group tree');
    // Dev does not see the holding: it is no link for him
    assert.equal(await tree.getByRole('link', { name: 'Tyrell Robotics', exact: true }).count(), 0);
    // his figures are those of the entities he sees, and the page says so
    await shows(p, p.getByRole('region', { name: /Group figures/ }).getByText('not the whole group'), 'the partial-figures note');
    await fits(p, `group tab of a subsidiary KAM at ${w}`);
    await screenshot(p, `groups-tab-dev-${w}`);
    await p.getByRole('tab', { name: 'stakeholders' }).click();
    const map = p.getByRole('region', { name: 'Across the group' });
    await shows(p, map, 'the group map');
    const legend = await map.getByRole('list', { name: 'Entities' }).innerText();
    assert.match(legend, /Tyrell Osaka Works/);
    assert.ok(!/Tyrell Robotics \(/.test(legend), legend);
    // Osaka's chief executive reports to Japan's: a line across entities
    assert.match(await map.innerText(), /Reporting across entities: .*\(Tyrell Osaka Works\) → .*\(Tyrell Robotics Japan\)/);
    await fits(p, `stakeholders with the group map at ${w}`);
    await screenshot(p, `groups-map-dev-${w}`);
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});

test('the director sees every entity of the group and its whole stakeholder map', async () => {
  for (const w of WIDTHS) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'director@example.com');
    await openAccount(p, srv.url, id['Tyrell Osaka Works'], 'group');
    const tree = p.locator('table.group-tree');
    await shows(p, tree, 'the group tree');
    const names = (await tree.locator('tbody th').allInnerTexts()).map((x) => x.split('\n')[0].replace(/^[└\s]+/, '').replace(/ \(this account\)/, '').trim());
    assert.deepEqual(names, ['Tyrell Robotics', 'Tyrell Robotics Japan', 'Tyrell Osaka Works', 'Tyrell Robotics UK']);
    await fits(p, `director's group tab at ${w}`);
    await screenshot(p, `groups-tab-director-${w}`);
    await p.getByRole('tab', { name: 'stakeholders' }).click();
    const map = p.getByRole('region', { name: 'Across the group' });
    await shows(p, map, 'the group map');
    assert.equal(await map.getByRole('list', { name: 'Entities' }).getByRole('listitem').count(), 4);
    // the reports-to select offers the contacts of the other entities, named with their entity
    const opts = await p.locator('table.people select').first().locator('option').allInnerTexts();
    assert.ok(opts.some((o) => /\(Tyrell Robotics Japan\)/.test(o)), opts.join(' | '));
    await fits(p, `director's group map at ${w}`);
    await screenshot(p, `groups-map-director-${w}`);
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});

test('an account outside any group has no group tab', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, id['Northwind Traders']);
  assert.equal(await p.getByRole('tab', { name: 'group' }).count(), 0);
  assert.equal(await p.getByRole('tab', { name: 'overview' }).count(), 1);
  await p.context().close();
});
