// Issue 19, closing a survey request in the browser: the KAM's workspace tab lists the requests
// with their state and a Close button; after Close the request reads "closed", the client's
// workspace (open on a phone meanwhile) refuses the answer with the reason and no longer offers
// the survey; the CSAT request still open stays. Screenshots: tests/out/survey-close-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount, shows } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {};
let acc, nps, csat, link;

const call = async (m, p, b) => {
  const r = await api(srv.url, tok.anna, m, p, b);
  assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`);
  return r.json;
};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna'], 'websrclose'));
  srv = await serve(db);
  browser = await launch();
  const me = await call('GET', '/api/v1/me');
  const y = new Date().getUTCFullYear();
  acc = await call('POST', '/api/v1/accounts', { name: 'Acme Survey Close', owner_id: me.id });
  const plan = await call('POST', '/api/v1/plans', { account_id: acc.id, title: `Plan ${y}`, period_start: `${y - 1}-01-01`, period_end: `${y + 1}-12-31`, status: 'active' });
  await call('POST', '/api/v1/objectives', { plan_id: plan.id, title: 'Cut downtime by half', client_visible: true });
  const m = await call('POST', `/api/v1/accounts/${acc.id}/client-members`, { name: 'Jane Doe', email: 'jane@acme-close.example' });
  link = m.link;
  nps = await call('POST', `/api/v1/accounts/${acc.id}/survey-requests`, { kind: 'nps' });
  csat = await call('POST', `/api/v1/accounts/${acc.id}/survey-requests`, { kind: 'csat' });
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('the KAM closes the NPS request; the client is no longer asked, and an answer sent from an open page is refused with the reason', async () => {
  // the client member on a phone: both surveys asked
  const c = await newPage(browser, 390, 844);
  await c.goto(srv.url + link);
  await shows(c, c.getByRole('heading', { name: acc.name, level: 1 }), 'the workspace');
  await shows(c, c.getByRole('form', { name: 'NPS survey' }), 'the NPS survey before closing');
  await shows(c, c.getByRole('form', { name: 'CSAT survey' }), 'the CSAT survey');
  await screenshot(c, 'survey-close-client-before-390');

  // the KAM: both requests open, each with a Close button
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc.id, 'workspace');
  const npsRow = p.locator('.wsp-asked li', { hasText: /^NPS asked/ });
  const csatRow = p.locator('.wsp-asked li', { hasText: /^CSAT asked/ });
  await shows(p, npsRow, 'the NPS request');
  assert.match(await npsRow.innerText(), /0 answers\s+open/);
  assert.equal(await csatRow.getByRole('button', { name: /^close the CSAT survey/ }).count(), 1);
  await screenshot(p, 'survey-close-staff-before-1280');
  await npsRow.getByRole('button', { name: /^close the NPS survey asked/ }).click();
  await shows(p, p.getByText(/NPS survey closed: the client's members are no longer asked/), 'the message');
  await shows(p, npsRow.locator('.wsp-state.closed'), 'the closed state');
  assert.match(await npsRow.innerText(), /closed/);
  assert.equal(await npsRow.getByRole('button').count(), 0, 'a closed request has no Close button');
  assert.match(await csatRow.innerText(), /open/, 'the other request stays open');
  await shows(p, p.locator('.wsp-activity li', { hasText: 'closed the NPS survey request' }), 'the close in the workspace activity');
  await screenshot(p, 'survey-close-staff-after-1280');
  await fits(p, 'the workspace tab after closing');
  assert.equal((await call('GET', `/api/v1/accounts/${acc.id}/survey-requests`)).items.find((x) => x.id === nps.id).closed_at !== null, true);

  // the client's page was still open: the answer is refused, the reason shown, the form gone
  const survey = c.getByRole('form', { name: 'NPS survey' });
  await survey.getByRole('radio', { name: 'score 8' }).click();
  await survey.getByRole('button', { name: 'Send my answer' }).click();
  await shows(c, c.getByText(/This survey request was closed: it takes no more answers/), 'the reason');
  assert.equal(await c.getByRole('form', { name: 'NPS survey' }).count(), 0, 'no longer offered');
  await shows(c, c.getByRole('form', { name: 'CSAT survey' }), 'the open CSAT survey still offered');
  await screenshot(c, 'survey-close-client-refused-390');
  // and after a reload too
  await c.reload();
  await shows(c, c.getByRole('heading', { name: acc.name, level: 1 }), 'the workspace after a reload');
  await shows(c, c.getByRole('form', { name: 'CSAT survey' }), 'the CSAT survey after a reload');
  assert.equal(await c.getByRole('form', { name: 'NPS survey' }).count(), 0, 'the closed survey is not offered');
  await fits(c, 'the workspace at 390 px');
  // nothing was recorded from the refused answer
  assert.deepEqual((await call('GET', `/api/v1/surveys?account_id=${acc.id}`)).items, []);

  // the staff tab at 820 and 390 px
  for (const w of [820, 390]) {
    const n = await newPage(browser, w, 1000);
    await signIn(n, srv.url, 'anna@example.com');
    await openAccount(n, srv.url, acc.id, 'workspace');
    await shows(n, n.locator('.wsp-asked li .wsp-state.closed'), `the closed state at ${w} px`);
    await screenshot(n, `survey-close-staff-${w}`);
    await fits(n, `the workspace tab at ${w} px`);
    assert.deepEqual(n.problems, []);
  }
  assert.deepEqual(p.problems, []);
  assert.equal(csat.kind, 'csat');
});
