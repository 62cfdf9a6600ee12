// Relationship coverage in the browser (issue 17): on the stakeholders tab the KAM sees who of
// ours covers which decider, the gaps kam finds, and closes them by picking a strength in the
// grid, confirming a stale relationship, setting a decision role and marking someone as gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {}, acc, people = {}, me;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'viewer'], 'webcoverage'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  browser = await launch();
  const call = async (m, p, b) => { const r = await api(srv.url, tok.anna, m, p, b); assert.ok(r.status < 300, `${m} ${p}: ${r.text}`); return r.json; };
  me = await call('GET', '/api/v1/me');
  acc = (await call('POST', '/api/v1/accounts', { name: 'Coverage Gaps SE', owner_id: me.id })).id;
  for (const [k, b] of Object.entries({
    cfo: { name: 'Greta Vogel', title: 'CFO', decision_role: 'economic_buyer' },
    cto: { name: 'Hans Brandt', title: 'CTO', decision_role: 'decision_maker' },
    ops: { name: 'Ida Kraus', title: 'Head of operations' },
  })) people[k] = await call('POST', '/api/v1/contacts', { account_id: acc, ...b });
  // a relationship last confirmed long ago
  await call('POST', '/api/v1/coverage', { account_id: acc, contact_id: people.cto.id, user_id: me.id, strength: 4, verified_on: '2020-03-01' });
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const gapTexts = (p) => p.getByRole('list', { name: 'Coverage gaps' }).getByRole('listitem').allInnerTexts();

test('the KAM sees the gaps and closes them in the grid', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc, 'stakeholders');
  const section = p.getByRole('region', { name: 'Relationship coverage' });
  await section.waitFor();
  // what exposes the account most comes first
  assert.deepEqual(await gapTexts(p), [
    'nobody covers Greta Vogel (economic buyer)',
    'Anna Berg alone covers every decision maker we reach',
    'Anna Berg\'s relationship with Hans Brandt was last verified on 2020-03-01',
  ]);
  // Ida is not a stakeholder until she has a role: set it in the people table
  assert.equal(await section.getByRole('rowheader', { name: /Ida Kraus/ }).count(), 0);
  await p.getByLabel('decision role of Ida Kraus').selectOption('influencer');
  await section.getByRole('rowheader', { name: /Ida Kraus/ }).waitFor();
  await screenshot(p, 'coverage-1280');
  // Anna covers the CFO: a strength picked in the grid, verified today
  await section.getByLabel('Anna Berg with Greta Vogel').selectOption('3');
  await p.getByText('nobody covers Greta Vogel').waitFor({ state: 'detached' });
  const stored = (await api(srv.url, tok.anna, 'GET', `/api/v1/coverage?account_id=${acc}&contact_id=${people.cfo.id}`)).json.items;
  assert.deepEqual(stored.map((x) => [x.user_id, x.strength]), [[me.id, 3]]);
  assert.match(stored[0].verified_on, /^\d{4}-\d{2}-\d{2}$/);
  // the stale one is confirmed with one click
  await section.getByRole('button', { name: 'Anna Berg verified Hans Brandt today' }).click();
  await p.getByText(/relationship with Hans Brandt was last verified/).waitFor({ state: 'detached' });
  assert.deepEqual(await gapTexts(p), ['Anna Berg alone covers every decision maker we reach']);
  // the CFO leaves: out of the grid, marked in the people table
  await p.getByRole('button', { name: 'edit Greta Vogel' }).click();
  const f = p.getByRole('form', { name: 'Edit Greta Vogel' });
  await f.getByLabel('Left the company on').fill('2026-01-31');
  await f.getByRole('button', { name: 'Save' }).click();
  await p.getByText('(left 2026-01-31)').waitFor();
  await section.getByRole('rowheader', { name: /Greta Vogel/ }).waitFor({ state: 'detached' });
  assert.deepEqual(p.problems, []);
});

test('a viewer reads the grid without controls; it fits 820 and 390 px', async () => {
  for (const w of [820, 390]) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'viewer@example.com');
    await openAccount(p, srv.url, acc, 'stakeholders');
    const section = p.getByRole('region', { name: 'Relationship coverage' });
    await section.waitFor();
    assert.equal(await section.locator('select, button').count(), 0, 'no edit controls for a viewer');
    assert.match(await section.innerText(), /strength|●/);
    await screenshot(p, `coverage-${w}`);
    await fits(p, `the stakeholders tab at ${w} px`);
    assert.deepEqual(p.problems, []);
  }
});
