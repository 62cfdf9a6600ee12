// The plan's context in the browser (issue 17): on the plan tab the KAM writes the customer's
// strategic initiatives and a SWOT in place, and keeps the competitors at the account with
// their share; a viewer reads all of it with no controls. Fits 1280, 820 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {}, acc, plan;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'viewer'], 'webcontext'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  browser = await launch();
  const call = async (m, p, b) => { const r = await api(srv.url, tok.anna, m, p, b); assert.ok(r.status < 300, `${m} ${p}: ${r.text}`); return r.json; };
  const me = await call('GET', '/api/v1/me');
  acc = (await call('POST', '/api/v1/accounts', { name: 'Kontext Werke AG', owner_id: me.id })).id;
  const year = new Date().getUTCFullYear();
  plan = await call('POST', '/api/v1/plans', { account_id: acc, title: 'Grow with Kontext', status: 'active', period_start: `${year}-01-01`, period_end: `${year}-12-31` });
  await call('POST', '/api/v1/competitors', { account_id: acc, name: 'Rivalis AG', share_percent: 30, products: 'Drives' });
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const stored = async () => (await api(srv.url, tok.anna, 'GET', `/api/v1/plans/${plan.id}`)).json;

test('the KAM writes the initiatives and the SWOT in place and keeps the competitors', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc, 'plan');
  const ini = p.getByLabel("Customer's strategic initiatives");
  await ini.fill('Electric drives in every plant by 2028');
  await p.getByLabel('Strengths').click(); // leaving the field saves it
  await p.getByRole('status').filter({ hasText: 'Saved' }).first().waitFor();
  assert.equal((await stored()).initiatives, 'Electric drives in every plant by 2028');
  await p.getByLabel('Threats').fill('Rivalis undercuts on price');
  await p.getByLabel('Weaknesses').click();
  await p.waitForFunction(() => [...document.querySelectorAll('.swot_threats [role=status]')].some((e) => e.textContent.includes('Saved')));
  assert.equal((await stored()).swot_threats, 'Rivalis undercuts on price');
  // competitors: one there, one added; the total follows; too much share is refused
  const sec = p.getByRole('region', { name: 'Competitors at the account' });
  assert.match(await sec.innerText(), /Competitors hold 30 %/);
  const f = sec.getByRole('form', { name: 'Add a competitor' });
  await f.getByLabel('Competitor').fill('Nordic Motors');
  await f.getByLabel('Share %').fill('25');
  await f.getByRole('button', { name: 'Add competitor' }).click();
  await sec.getByText(/Competitors hold 55 %/).waitFor();
  await sec.getByLabel('share of Nordic Motors in percent').fill('80');
  await sec.getByLabel('share of Nordic Motors in percent').press('Enter');
  await sec.getByText(/Not saved: .*100/).waitFor();
  await screenshot(p, 'context-1280');
  const list = (await api(srv.url, tok.anna, 'GET', `/api/v1/competitors?account_id=${acc}`)).json.items;
  assert.deepEqual(list.map((c) => [c.name, c.share_percent]), [['Rivalis AG', 30], ['Nordic Motors', 25]]);
  p.on('dialog', (d) => d.accept());
  await sec.locator(`tr[data-competitor="${list[1].id}"]`).getByRole('button', { name: 'delete' }).click();
  await sec.getByText(/Competitors hold 30 %/).waitFor();
  assert.deepEqual(p.problems.filter((x) => !/400|Bad Request/.test(x)), []);
});

test('a viewer reads the context with no controls; the tab fits 1280, 820 and 390 px', async () => {
  for (const w of [1280, 820, 390]) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'viewer@example.com');
    await openAccount(p, srv.url, acc, 'plan');
    const ctx = p.locator('.plan-context');
    await ctx.waitFor();
    await p.getByRole('region', { name: 'Competitors at the account' }).getByText('Rivalis AG').waitFor();
    assert.equal(await ctx.locator('input, select, textarea, button, form').count(), 0, 'no edit controls for a viewer');
    const text = await ctx.innerText();
    for (const s of ['Electric drives in every plant by 2028', 'Rivalis undercuts on price', 'Rivalis AG', '30 %']) assert.ok(text.includes(s), s);
    await screenshot(p, `context-viewer-${w}`);
    await fits(p, `the plan tab at ${w} px`);
    assert.deepEqual(p.problems, []);
  }
});

test('the KAM\'s plan tab with its controls fits 820 and 390 px', async () => {
  for (const w of [820, 390]) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'anna@example.com');
    await openAccount(p, srv.url, acc, 'plan');
    await p.getByLabel('share of Rivalis AG in percent').waitFor();
    await screenshot(p, `context-${w}`);
    await fits(p, `the plan tab at ${w} px`);
    assert.deepEqual(p.problems, []);
  }
});
