// Issue 19, the joint account plan in the browser, on the demo data: a KAM invites a client
// member from the account's workspace tab, the member signs in through the link in a browser
// of their own (a phone), marks their action done, comments, confirms the review, adds an
// agenda item and answers the NPS survey; the KAM sees all of it on the account page and in
// the KPIs. Both sides at 390 and 1280 px, with screenshots in tests/out/workspace-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount, shows } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {};
let acc, plan, contact, objective, theirs, ours, joint, raised;

const call = async (m, p, b) => {
  const r = await api(srv.url, tok.anna, m, p, b);
  assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`);
  return r.json;
};
const open = (x) => ['open', 'in_progress'].includes(x.status);

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna'], 'webws'));
  srv = await serve(db);
  browser = await launch();
  // a demo account Anna owns whose active plan has an open action on the client's side (the
  // demo's mutual action plan), and a contact with an e-mail: the one who raised its cases
  // if they have one
  const me = await call('GET', '/api/v1/me');
  for (const a of (await call('GET', '/api/v1/accounts?limit=100&sort=name')).items.filter((x) => x.owner_id === me.id)) {
    const p = (await call('GET', `/api/v1/plans?account_id=${a.id}&status=active`)).items[0];
    if (!p) continue;
    const full = await call('GET', `/api/v1/plans/${p.id}`);
    // (a title of its own: the page's controls are named by it)
    const mine = full.actions.find((x) => x.side === 'theirs' && open(x) && full.actions.filter((y) => y.title === x.title).length === 1);
    const cases = (await call('GET', `/api/v1/cases?account_id=${a.id}&limit=100`)).items.filter((c) => c.contact_id);
    const people = (await call('GET', `/api/v1/contacts?account_id=${a.id}&limit=100`)).items.filter((c) => c.email && !c.left_on);
    const who = people.find((c) => cases.some((x) => x.contact_id === c.id)) ?? people[0];
    if (mine && full.objectives.length && who) {
      acc = a; plan = p.id; theirs = mine; objective = full.objectives[0]; contact = who;
      break;
    }
  }
  assert.ok(acc, 'a demo account of Anna with the client\'s action open and a contact with an e-mail');
  // a case their contact raised that is still open (the demo's are mostly resolved)
  raised = await call('POST', '/api/v1/cases', { account_id: acc.id, title: 'Sensor gateway drops data at plant 3', severity: 'high', status: 'open', contact_id: contact.id });
  // two more actions the KAM shares: ours, and one the KAM makes joint on the page
  ours = await call('POST', '/api/v1/actions', { plan_id: plan, title: 'Run the pilot at two sites', due_on: '2099-04-01', client_visible: true });
  joint = await call('POST', '/api/v1/actions', { plan_id: plan, title: 'Agree the site list together', due_on: '2099-03-01', client_visible: true });
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

let link;

// the visible controls without a name a screen reader could read (as in ui.test.mjs)
const unnamed = (p) => p.evaluate(() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
  .filter((e) => e.offsetParent !== null && e.type !== 'hidden')
  .filter((e) => {
    const byLabel = e.labels && [...e.labels].some((l) => l.textContent.trim());
    const aria = (e.getAttribute('aria-label') || '').trim();
    const text = ['BUTTON', 'A'].includes(e.tagName) && e.textContent.trim();
    return !(byLabel || aria || text || e.title);
  })
  .map((e) => e.outerHTML.slice(0, 120)));

test('the KAM invites a client member, marks a side, proposes a review and asks for an NPS answer', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  // the plan tab: the client may see the first objective
  await openAccount(p, srv.url, acc.id, 'plan');
  await p.getByLabel(`client can see ${objective.title}`).check();
  await shows(p, p.locator(`tr[data-objective="${objective.id}"] label.client-can`, { hasText: 'shown' }), 'the shared objective');
  await p.getByRole('tab', { name: 'workspace' }).click();
  await shows(p, p.getByText('Nobody from the client is invited yet.'), 'the empty member list');
  // the mutual action plan: share the client's demo action, make one of ours joint
  await shows(p, p.locator(`tr[data-action="${theirs.id}"]`, { hasText: 'theirs' }), "the demo's client action");
  // two edits at once: the box's save held on its way while the side's save reads the plan
  // again; the box stays as ticked through that render (it was unticked by it before)
  let release;
  const held = new Promise((r) => { release = r; });
  const theirsUrl = `**/api/v1/actions/${theirs.id}`;
  await p.route(theirsUrl, async (route) => { if (route.request().method() === 'PATCH') await held; await route.continue(); });
  await p.getByLabel(`client can see ${theirs.title}`).check();
  // the page's reload after the side's save: the header and the plan read again
  const reread = Promise.all([/\/api\/v1\/plans\/\d+$/, /\/api\/v1\/accounts\/\d+\/health$/]
    .map((re) => p.waitForResponse((r) => r.request().method() === 'GET' && re.test(r.url()))));
  await p.getByLabel(`side of ${joint.title}`).selectOption('joint');
  await shows(p, p.locator(`tr[data-action="${joint.id}"]`).getByRole('status').filter({ hasText: 'Saved' }), 'the side saved');
  await reread;
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await p.getByLabel(`client can see ${theirs.title}`).isChecked(), true, 'ticked while its save is on its way');
  const saved = p.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/actions/${theirs.id}`));
  release();
  await saved;
  await p.unroute(theirsUrl);
  await shows(p, p.locator(`tr[data-action="${theirs.id}"]`).getByRole('status').filter({ hasText: 'Saved' }), 'the box saved');
  assert.equal(await p.getByLabel(`client can see ${theirs.title}`).isChecked(), true);
  assert.equal((await call('GET', `/api/v1/actions/${joint.id}`)).side, 'joint');
  assert.equal((await call('GET', `/api/v1/actions/${theirs.id}`)).client_visible, true);
  // a review with an agenda
  const rv = p.getByRole('form', { name: 'Propose a review' });
  await rv.getByLabel('Date').fill('2099-02-15');
  await rv.getByLabel('Agenda, one item a line').fill('Roll-out plan\nSupport figures');
  await rv.getByRole('button', { name: 'Propose review' }).click();
  await shows(p, p.locator('.wsp-reviews li', { hasText: '2099-02-15' }), 'the proposed review');
  // the NPS request
  await p.getByRole('button', { name: 'Request an NPS answer' }).click();
  await shows(p, p.getByText(/NPS survey requested/), 'the survey request');
  // invite the contact: picked from the account's people, name and e-mail filled in
  const inv = p.getByRole('form', { name: 'Invite a client member' });
  await inv.getByLabel('From the contacts').selectOption(String(contact.id));
  assert.equal(await inv.getByLabel('E-mail').inputValue(), contact.email);
  await inv.getByRole('button', { name: 'Invite' }).click();
  const box = p.getByLabel(`workspace link for ${contact.name}`);
  await shows(p, box, 'the link to pass on');
  link = await box.inputValue();
  assert.match(link, /\/#\/workspace\/ws_[A-Za-z0-9_-]+$/);
  await p.getByRole('button', { name: 'Copy link' }).click();
  await shows(p, p.getByText(/Link copied|Select the link and copy it/), 'the copy');
  const row = p.locator('ul.wsp-members > li', { hasText: contact.email });
  await shows(p, row, 'the member row');
  assert.match(await row.innerText(), /not yet/);
  assert.deepEqual(await unnamed(p), [], 'every control of the tab has a name');
  await screenshot(p, 'workspace-staff-invite-1280');
  await fits(p, 'the workspace tab');
  assert.deepEqual(p.problems, []);
});

test('the member signs in through the link on a phone and works in the plan', async () => {
  assert.ok(link, 'the invitation of the test above');
  const c = await newPage(browser, 390, 844);
  await c.goto(link);
  await shows(c, c.getByRole('heading', { name: acc.name, level: 1 }), 'the workspace');
  // the token leaves the address bar; no staff navigation
  assert.match(c.url(), /#\/workspace$/);
  assert.equal(await c.getByRole('navigation', { name: 'Main' }).count(), 0, 'no staff shell');
  const text = await c.locator('body').innerText();
  assert.match(text, new RegExp(objective.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(text, /Run the pilot at two sites/);
  await c.getByRole('button', { name: 'Propose another date' }).click();
  await c.getByRole('button', { name: 'Propose an action' }).click();
  await c.getByRole('button', { name: `comment on ${objective.title}` }).click();
  assert.deepEqual(await unnamed(c), [], 'every control of the workspace has a name');
  await c.reload();
  await shows(c, c.getByRole('heading', { name: acc.name, level: 1 }), 'the workspace after a reload');
  await screenshot(c, 'workspace-client-390');
  await fits(c, 'the workspace at 390 px');
  // the survey the KAM asked for
  const survey = c.getByRole('form', { name: 'NPS survey' });
  await survey.getByRole('radio', { name: 'score 9' }).click();
  await survey.getByLabel(/Anything you would like to add/).fill('Quick answers from the support desk.');
  await survey.getByRole('button', { name: 'Send my answer' }).click();
  await shows(c, c.getByText(/Thank you/), 'the thanks');
  assert.equal(await c.getByRole('form', { name: 'NPS survey' }).count(), 0, 'answered once, gone');
  // their side's action: done; ours has no checkbox
  await c.getByLabel(`done: ${theirs.title}`).check();
  await shows(c, c.locator(`li[data-action="${theirs.id}"].done`), 'the action done');
  assert.equal(await c.getByLabel(`done: ${ours.title}`).count(), 0, 'our side is ours to tick');
  assert.equal(await c.locator('[data-side=joint]').getByLabel(`done: ${joint.title}`).count(), 1, 'a joint action is theirs to tick too');
  await shows(c, c.locator('#cw-cases').getByText(raised.title), 'the case their contact raised');
  // a comment on the objective
  await c.getByRole('button', { name: `comment on ${objective.title}` }).click();
  await c.getByLabel(`your comment on ${objective.title}`).fill('Can we see the downtime per site?');
  await c.getByRole('button', { name: 'Send comment' }).click();
  await shows(c, c.getByText('Can we see the downtime per site?'), 'the comment');
  // the review: confirm, and one more agenda item
  await c.getByRole('button', { name: 'Confirm this date' }).click();
  await shows(c, c.locator('#cw-review .cw-pill', { hasText: 'confirmed' }), 'the confirmed review');
  await c.getByLabel('Add an item').fill('Training for new staff');
  await c.getByRole('button', { name: 'Add', exact: true }).click();
  await shows(c, c.locator('.cw-agenda li', { hasText: 'Training for new staff' }), 'the agenda item');
  // a proposal of their own
  await c.getByRole('button', { name: 'Propose an action' }).click();
  await c.getByLabel('What should be done').fill('Name a contact per site');
  await c.getByRole('button', { name: 'Propose', exact: true }).click();
  await shows(c, c.getByText(/Proposed “Name a contact per site”/), 'the proposal');
  // the one-page plan, with the workspace's own session
  const pdf = await c.evaluate(async () => { const r = await fetch('/api/v1/workspace/plan.pdf'); return [r.status, r.headers.get('content-type'), (await r.text()).slice(0, 5)]; });
  assert.deepEqual(pdf, [200, 'application/pdf', '%PDF-']);
  await screenshot(c, 'workspace-client-done-390');
  await fits(c, 'the workspace after the walk at 390 px');
  // the same workspace on a tablet and a desktop
  await c.setViewportSize({ width: 820, height: 1000 });
  await screenshot(c, 'workspace-client-820');
  await fits(c, 'the workspace at 820 px');
  await c.setViewportSize({ width: 1280, height: 900 });
  await screenshot(c, 'workspace-client-1280');
  await fits(c, 'the workspace at 1280 px');
  assert.deepEqual(c.problems, []);
});

test('the KAM sees what the member did on the account page and in the KPIs', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc.id, 'workspace');
  const row = p.locator('ul.wsp-members > li', { hasText: contact.email });
  await shows(p, row, 'the member row');
  assert.match(await row.innerText(), /today/);
  const log = p.locator('.wsp-activity');
  await shows(p, log.locator('li').first(), 'the activity');
  const did = await log.innerText();
  for (const what of [/done|completed/i, /comment/i, /confirm/i, /agenda/i, /NPS|survey/i, /propos/i])
    assert.match(did, what, `the activity says ${what}`);
  assert.match(did, new RegExp(contact.name));
  assert.ok(did.includes(`commented on the objective "${objective.title}"`), did);
  // the KAM answers the comment in the workspace
  await p.getByLabel(`your reply on ${objective.title}`).fill('Yes: per site from next month.');
  await p.getByRole('button', { name: 'Reply' }).click();
  await shows(p, p.locator('.wsp-thread li', { hasText: 'Yes: per site from next month.' }), 'the reply');
  // their proposal waits for the KAM: accept it
  await shows(p, p.locator('.wsp-proposed', { hasText: 'Name a contact per site' }), 'the proposal');
  await p.getByRole('button', { name: 'accept Name a contact per site' }).click();
  await shows(p, p.locator('table.wsp-actions tr', { hasText: 'Name a contact per site' }), 'the accepted action');
  // the review says confirmed, with the client's agenda item; the KAM publishes the minutes
  const review = p.locator('.wsp-reviews > li', { hasText: '2099-02-15' });
  assert.match(await review.innerText(), /confirmed/);
  assert.match(await review.innerText(), /Training for new staff/);
  await review.getByLabel('Minutes and agreed changes').fill('Roll-out agreed for three sites.');
  await review.getByRole('button', { name: 'Publish minutes' }).click();
  await shows(p, p.getByText('Minutes published to the client.'), 'the published minutes');
  await screenshot(p, 'workspace-staff-after-1280');
  await fits(p, 'the workspace tab after the walk');
  // the plan tab: their action is done
  await p.getByRole('tab', { name: 'plan' }).click();
  assert.equal(await p.getByLabel(`status of ${theirs.title}`).inputValue(), 'done');
  // the survey answer counts in the account's surveys and KPIs
  await p.getByRole('tab', { name: 'surveys' }).click();
  await shows(p, p.getByText(/NPS 9/), 'the NPS answer');
  await p.getByRole('tab', { name: 'workspace' }).click();
  await shows(p, p.locator('.wsp-asked li', { hasText: /NPS asked .*: 1 answer\b/ }), 'the answer counted on the request');
  // the account's NPS over this month counts it (the overview's window is the twelve whole
  // months before this one, so it shows there from next month on)
  const d = new Date(), first = (m) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + m, 1)).toISOString().slice(0, 10);
  const k = (await call('GET', `/api/v1/kpis?scope=account&id=${acc.id}&from=${first(0)}&to=${first(1)}`)).kpis.nps;
  assert.ok(k.denominator >= 1 && k.value != null, `the answer feeds the NPS: ${JSON.stringify(k)}`);
  // the staff tab fits a phone too
  const n = await newPage(browser, 390, 844);
  await signIn(n, srv.url, 'anna@example.com');
  await openAccount(n, srv.url, acc.id, 'workspace');
  await shows(n, n.locator('ul.wsp-members > li').first(), 'the members at 390 px');
  await screenshot(n, 'workspace-staff-390');
  await fits(n, 'the workspace tab at 390 px');
  await n.setViewportSize({ width: 820, height: 1000 });
  await screenshot(n, 'workspace-staff-820');
  await fits(n, 'the workspace tab at 820 px');
  assert.deepEqual(p.problems, []);
  assert.deepEqual(n.problems, []);
});

test('the member reads the minutes, signs out, and a used or removed link lets nobody in', async () => {
  const c = await newPage(browser, 390, 844);
  await c.goto(link);
  // the link was used once: it opens nothing now
  await shows(c, c.getByRole('heading', { name: 'This link cannot be used' }), 'the used link');
  await fits(c, 'the used link page');
  // a fresh link from the KAM works, and shows the published minutes
  const m = (await call('GET', `/api/v1/accounts/${acc.id}/client-members`)).items.find((x) => x.email === contact.email);
  const fresh = await call('POST', `/api/v1/client-members/${m.id}/link`);
  await c.goto(fresh.link.startsWith('http') ? fresh.link : srv.url + fresh.link);
  await shows(c, c.getByText('Roll-out agreed for three sites.'), 'the minutes');
  const reply = c.locator('.cw-thread li', { hasText: 'Yes: per site from next month.' });
  await shows(c, reply, "the account team's reply");
  assert.match(await reply.innerText(), /account team/);
  await screenshot(c, 'workspace-client-minutes-390');
  await c.getByRole('button', { name: 'Sign out' }).click();
  await shows(c, c.getByRole('heading', { name: 'You have signed out' }), 'the sign-out');
  await c.reload();
  await shows(c, c.getByRole('heading', { name: 'Please sign in with your link' }), 'no session after sign-out');
  // removed: the session ends at once
  const again = await call('POST', `/api/v1/client-members/${m.id}/link`);
  await c.goto(again.link.startsWith('http') ? again.link : srv.url + again.link);
  await shows(c, c.getByRole('heading', { name: acc.name, level: 1 }), 'the workspace again');
  await call('DELETE', `/api/v1/client-members/${m.id}`);
  // the page still open: the next change finds the session gone and says so
  await c.getByRole('button', { name: 'Propose an action' }).click();
  await c.getByLabel('What should be done').fill('Too late');
  await c.getByRole('button', { name: 'Propose', exact: true }).click();
  await shows(c, c.getByRole('heading', { name: 'Please sign in with your link' }), 'the ended session');
  await c.reload();
  await shows(c, c.getByRole('heading', { name: 'Please sign in with your link' }), 'no session after removal');
  assert.deepEqual(c.problems, []);
});

test('a viewer reads the workspace tab without a control to change it', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'viewer@example.com');
  await openAccount(p, srv.url, acc.id, 'workspace');
  await shows(p, p.locator('.wsp-activity li').first(), 'the activity');
  await shows(p, p.locator('table.wsp-actions tbody tr').first(), 'the mutual action plan');
  // the member removed in the test above is shown as such
  assert.match(await p.locator('ul.wsp-members > li', { hasText: contact.email }).innerText(), /removed \d{4}-\d{2}-\d{2}/);
  const controls = await p.locator('#tabpanel input, #tabpanel select, #tabpanel textarea, #tabpanel form, #tabpanel button').count();
  assert.equal(controls, 0, 'no edit controls for a viewer');
  assert.deepEqual(p.problems, []);
});

test('the KAM shares revenue; the client asks for another review date and the KAM takes it', async () => {
  const inv = await call('POST', `/api/v1/accounts/${acc.id}/client-members`, { name: 'Omar Field', email: 'omar.field@client.example' });
  await call('POST', `/api/v1/plans/${plan}/reviews`, { proposed_on: '2099-01-10', agenda: ['Budget for next year'] });
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, acc.id, 'workspace');
  await p.getByLabel(/Share revenue with the client/).check();
  await p.waitForFunction(async (id) => (await (await fetch(`/api/v1/accounts/${id}`)).json()).workspace_shares_revenue === true, acc.id);
  const c = await newPage(browser, 390, 844);
  await c.goto(srv.url + inv.link);
  await shows(c, c.getByRole('heading', { name: 'Business together' }), 'the shared revenue');
  await shows(c, c.locator('#cw-review').getByText('Sat, 10 January 2099'), 'the earlier review');
  await c.getByRole('button', { name: 'Propose another date' }).click();
  await c.getByLabel('New date').fill('2099-01-17');
  await c.getByRole('button', { name: 'Propose this date' }).click();
  await shows(c, c.getByText(/You proposed Sat, 17 January 2099 instead/), 'the counter-proposal');
  await screenshot(c, 'workspace-client-other-date-390');
  await fits(c, 'the workspace with revenue at 390 px');
  await openAccount(p, srv.url, acc.id, 'workspace');
  const rv = p.locator('.wsp-reviews > li', { hasText: '2099-01-10' });
  await shows(p, rv.getByText('The client proposes 2099-01-17 instead.'), "the client's date");
  await rv.getByRole('button', { name: 'Take 2099-01-17' }).click();
  await shows(p, p.locator('.wsp-reviews > li strong', { hasText: '2099-01-17' }), 'the new date');
  await c.reload();
  await shows(c, c.locator('#cw-review').getByText('Sat, 17 January 2099'), 'the new date for the client');
  assert.deepEqual(p.problems, []);
  assert.deepEqual(c.problems, []);
});
