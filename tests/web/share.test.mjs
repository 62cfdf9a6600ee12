// Issue 13, section 4 in the browser: the KAM marks what the client can see, previews the
// client's page before any link exists, makes a link (expiry, KPIs or not), copies it, sees the
// live links and revokes one; a share URL opened in a signed-in tab shows the client's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {};
let acc, plan;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'admin'], 'webshare'));
  srv = await serve(db);
  browser = await launch();
  const call = (m, p, b) => api(srv.url, tok.anna, m, p, b);
  const me = (await call('GET', '/api/v1/me')).json;
  acc = (await call('POST', '/api/v1/accounts', { name: 'Client View AG', owner_id: me.id })).json.id;
  const y = new Date().getUTCFullYear();
  plan = (await call('POST', '/api/v1/plans', { account_id: acc, title: `Plan ${y}`, period_start: `${y - 1}-01-01`, period_end: `${y + 1}-12-31`, status: 'active' })).json.id;
  await call('POST', '/api/v1/objectives', { plan_id: plan, title: 'Cut downtime by half', metric: 'hours', baseline: 40, target: 20 });
  await call('POST', '/api/v1/actions', { plan_id: plan, title: 'Quarterly review with the client' });
  await call('POST', '/api/v1/actions', { plan_id: plan, title: 'INTERNAL push for a price rise' });
  await api(srv.url, tok.admin, 'PATCH', '/api/v1/settings', { company_name: 'Acme Services Ltd' });
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

// one element inside the viewport and not wider than itself (the overview tab below the
// panel has tables of its own, not part of this screen)
const fitsEl = (l) => l.evaluate((e) => e.getBoundingClientRect().right <= window.innerWidth + 1 && e.scrollWidth <= e.clientWidth + 1);

test('the KAM marks what the client sees, previews it, makes a link, copies and revokes it', async () => {
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/accounts/${acc}`);
  await p.getByRole('button', { name: 'Share with the client' }).click();
  // nothing is marked yet: the preview says so, and no link can be made
  await p.getByRole('button', { name: 'Preview' }).click();
  await p.getByRole('region', { name: "Preview of the client's page" }).getByText(/Nothing is shared yet/).waitFor();
  await p.getByRole('button', { name: 'Create link' }).click();
  assert.match(await p.getByRole('alert').textContent(), /nothing of this account is shared/);
  // mark one objective and one action "client can see" in the plan tab
  await p.getByRole('tab', { name: 'plan' }).click();
  await p.getByLabel('client can see Cut downtime by half').check();
  await p.locator('tr[data-objective] label.client-can', { hasText: 'shown' }).waitFor();
  await p.getByLabel('client can see Quarterly review with the client').check();
  await p.locator('tr[data-action] label.client-can', { hasText: 'shown' }).waitFor();
  assert.equal(await p.getByLabel('client can see INTERNAL push for a price rise').isChecked(), false);
  const objs = (await api(srv.url, tok.anna, 'GET', `/api/v1/objectives?plan_id=${plan}`)).json.items;
  assert.equal(objs[0].client_visible, true);
  // the preview now shows exactly those, with our name, the KAM and the date
  await p.getByRole('button', { name: 'Preview' }).click();
  const pre = p.getByRole('region', { name: "Preview of the client's page" });
  await pre.getByText('Quarterly review with the client').waitFor();
  const shown = await pre.innerText();
  assert.match(shown, /Acme Services Ltd/);
  assert.match(shown, /Cut downtime by half/);
  assert.match(shown, /Your contact: .+ · anna@example\.com · As of \d{4}-\d{2}-\d{2}/);
  assert.ok(!/INTERNAL|NPS|SLA/.test(shown), 'no internal action, no KPIs unless chosen');
  await p.getByLabel('Include service KPIs (NPS, SLA)').check();
  await p.getByRole('button', { name: 'Preview' }).click();
  await pre.getByText(/SLA compliance/).waitFor();
  await screenshot(p, 'share-panel-1280');
  await fits(p, 'the panel');
  // make a 7-day link with the KPIs; it is listed live and can be copied
  await p.getByLabel('valid for').selectOption('7');
  await p.getByRole('button', { name: 'Create link' }).click();
  const link = await p.getByLabel('share link').inputValue();
  assert.match(link, /\/#\/shared\/[A-Za-z0-9_-]{43}$/);
  const row = p.locator('table.share-links tbody tr');
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  const days = Math.round((Date.parse(await row.locator('td').nth(1).innerText()) - Date.parse(new Date().toISOString().slice(0, 10))) / 86400e3);
  assert.ok(days === 7 || days === 8, `expires in ${days} days`);
  assert.match(await row.innerText(), /yes/);
  // the token is kept hashed: the page says to copy it now, and who made the link
  await p.getByText('Copy it now: it will not be shown again.').waitFor();
  await screenshot(p, 'share-link-made-1280');
  assert.match(await row.locator('td').nth(2).innerText(), /Anna/);
  await p.getByRole('button', { name: 'Copy link' }).click();
  await p.getByText(/Link copied|Select the link and copy it/).waitFor();
  // the client opens the link: the same page as the preview
  const client = await newPage(browser, 390, 800);
  await client.goto(link);
  await client.getByRole('heading', { name: 'Client View AG' }).waitFor();
  const text = await client.locator('main').innerText();
  assert.match(text, /Cut downtime by half/);
  assert.match(text, /SLA compliance/);
  assert.ok(!/INTERNAL|Log out|Dashboard/.test(text));
  await screenshot(client, 'shared-390');
  await fits(client, 'the client page');
  // revoke it: gone from the list, and the client's page says so
  p.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: /^revoke link/ }).click();
  await p.getByText('No live links.').waitFor();
  await client.reload();
  await client.getByRole('alert').waitFor();
  assert.match(await client.getByRole('alert').textContent(), /expired or was revoked/);
  assert.deepEqual(p.problems, []);
});

test('the share panel and the plan tab fit 820 and 390 px', async () => {
  for (const w of [820, 390]) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'anna@example.com');
    await p.goto(`${srv.url}/#/accounts/${acc}`);
    await p.getByRole('button', { name: 'Share with the client' }).click();
    await p.getByRole('button', { name: 'Preview' }).click();
    await p.getByRole('region', { name: "Preview of the client's page" }).waitFor();
    await screenshot(p, `share-panel-${w}`);
    assert.ok(await fitsEl(p.locator('.share-panel')), `the share panel fits ${w} px`);
    await p.getByRole('tab', { name: 'plan' }).click();
    await p.getByLabel('client can see Cut downtime by half').waitFor();
    await screenshot(p, `share-plan-${w}`);
    await fits(p, 'the plan tab');
  }
});

test('a share URL opened in a signed-in tab shows the client page, not the dashboard', async () => {
  const s = await api(srv.url, tok.anna, 'POST', `/api/v1/accounts/${acc}/shares`, { expires_in_days: 30 });
  assert.equal(s.status, 201, s.text);
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await p.evaluate((u) => { location.hash = u; }, s.json.url.slice(1));
  await p.getByRole('heading', { name: 'Client View AG' }).waitFor();
  assert.equal(await p.getByRole('navigation', { name: 'Main' }).count(), 0, 'no staff shell');
  assert.match(await p.locator('main').innerText(), /Cut downtime by half/);
  // and going back shows the staff app again
  await p.goBack();
  await p.getByRole('navigation', { name: 'Main' }).waitFor();
  assert.deepEqual(p.problems, []);
});

// Issue 13, section 5: logging a meeting like a meeting.
async function meetingAccount(name) {
  // set-up that did not happen fails here, not as a missing tab later
  const call = async (m, p, b) => {
    const r = await api(srv.url, tok.anna, m, p, b);
    assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`);
    return r;
  };
  const me = (await call('GET', '/api/v1/me')).json;
  const id = (await call('POST', '/api/v1/accounts', { name, owner_id: me.id })).json.id;
  const y = new Date().getUTCFullYear();
  const pl = (await call('POST', '/api/v1/plans', { account_id: id, title: `Plan ${y}`, period_start: `${y - 1}-01-01`, period_end: `${y + 1}-12-31`, status: 'active' })).json.id;
  // more contacts than the old form's first twelve and than one page of hits (20); the one
  // we want sorts last, so only a search on the server finds it
  for (let i = 1; i <= 24; i++) await call('POST', '/api/v1/contacts', { account_id: id, name: `Contact ${String(i).padStart(2, '0')}` });
  const zora = (await call('POST', '/api/v1/contacts', { account_id: id, name: 'Zora Quint' })).json;
  return { id, plan: pl, me, zora };
}

test('log a meeting: time, notes, attendees found by search, sentiment and a follow-up action in one submit', async () => {
  const m = await meetingAccount('Meeting Log AG');
  const ben = (await api(srv.url, tok.admin, 'GET', '/api/v1/users?limit=500')).json.items.find((u) => u.email === 'ben@example.com');
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, m.id, 'activity');
  await p.getByRole('button', { name: 'Log a meeting' }).click();
  const f = p.getByRole('form', { name: 'Log an interaction' });
  // "when" starts at now in the browser's time; set it to yesterday 09:30
  const now = await f.getByLabel('When').inputValue();
  assert.match(now, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/); // the app's date format, a 24-hour time
  const when = await p.evaluate(() => { const d = new Date(Date.now() - 86400e3); d.setHours(9, 30, 0, 0); return { local: `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T09:30`, iso: d.toISOString().replace(/\.\d+Z$/, 'Z') }; });
  await f.getByLabel('When').fill(when.local);
  await f.getByLabel('Summary and notes').fill('Walked through the roadmap.\nThey want a pilot in Q1.');
  await f.getByLabel('Sentiment').selectOption({ label: 'positive' });
  await f.getByLabel('search our attendees').fill(ben.name.split(' ')[0]);
  await f.getByRole('button', { name: `add ${ben.name}` }).click();
  await f.getByRole('button', { name: 'add Contact 01' }).waitFor();
  assert.equal(await f.getByRole('button', { name: 'add Zora Quint' }).count(), 0, 'not among the first contacts');
  await f.getByLabel('search client attendees').fill('Zora');
  await f.getByRole('button', { name: 'add Zora Quint' }).click();
  await f.getByLabel('Follow-up', { exact: true }).fill('Send the pilot proposal');
  await f.getByLabel('Follow-up due').fill('2099-01-15');
  await f.getByLabel('Follow-up owner').selectOption({ label: ben.name });
  await f.getByRole('button', { name: 'Save' }).click();
  const entry = p.locator('.timeline li', { hasText: 'Walked through the roadmap.' });
  await entry.waitFor();
  assert.match(await entry.innerText(), new RegExp(`with Anna Berg, ${ben.name}, Zora Quint`));
  assert.match(await entry.innerText(), /positive/);
  // the first meeting of the account moves its health: the page says so
  assert.match(await p.getByRole('status').first().innerText(), /This entry changed the account's health: \d+ \(not enough data before\)/);
  const it = (await api(srv.url, tok.anna, 'GET', `/api/v1/interactions?account_id=${m.id}`)).json.items;
  assert.equal(it.length, 1);
  assert.equal(it[0].occurred_at, when.iso);
  assert.equal(it[0].summary, 'Walked through the roadmap.\nThey want a pilot in Q1.');
  assert.equal(it[0].sentiment, 1);
  assert.deepEqual(it[0].user_ids.sort(), [m.me.id, ben.id].sort());
  assert.deepEqual(it[0].contact_ids, [m.zora.id]);
  const acts = (await api(srv.url, tok.anna, 'GET', `/api/v1/actions?plan_id=${m.plan}`)).json.items;
  assert.equal(acts.length, 1);
  assert.equal(acts[0].title, 'Send the pilot proposal');
  assert.equal(acts[0].due_on.slice(0, 10), '2099-01-15');
  assert.equal(acts[0].owner_id, ben.id);
  // open the entry, edit it, then delete it
  await entry.locator('summary').click();
  await entry.getByRole('button', { name: 'Edit' }).click();
  const e = p.getByRole('form', { name: 'Edit the interaction' });
  assert.equal(await e.getByLabel('When').inputValue(), when.local.replace('T', ' '), 'shown as YYYY-MM-DD HH:MM');
  await e.getByLabel('Summary and notes').fill('Walked through the roadmap (edited).');
  await e.getByRole('button', { name: 'remove Zora Quint' }).click();
  await e.getByRole('button', { name: 'Save' }).click();
  const edited = p.locator('.timeline li', { hasText: 'roadmap (edited)' });
  await edited.waitFor();
  assert.ok(!(await edited.innerText()).includes('Zora Quint'));
  const after = (await api(srv.url, tok.anna, 'GET', `/api/v1/interactions?account_id=${m.id}`)).json.items[0];
  assert.deepEqual(after.contact_ids, []);
  assert.equal(after.occurred_at, when.iso, 'the time did not move on edit');
  await screenshot(p, 'meeting-1280');
  // the entry stays open after its edit
  assert.equal(await edited.locator('details').getAttribute('open'), '');
  p.once('dialog', (d) => d.accept());
  await edited.getByRole('button', { name: 'Delete' }).click();
  await p.getByText('Nothing logged yet.').waitFor();
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/interactions?account_id=${m.id}`)).json.items.length, 0);
  assert.deepEqual(p.problems, []);
});

test('a meeting and its follow-up are saved together: a failed save keeps the form, a retry saves both once', async () => {
  const m = await meetingAccount('Follow Up Fails GmbH');
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await openAccount(p, srv.url, m.id, 'activity');
  await p.getByRole('button', { name: 'Log a meeting' }).click();
  const f = p.getByRole('form', { name: 'Log an interaction' });
  await f.getByLabel('Summary and notes').fill('Call about the renewal');
  await f.getByLabel('Follow-up', { exact: true }).fill('Draft the renewal offer');
  // one request carries both; the server is busy once
  let posts = 0;
  await p.route('**/api/v1/interactions', (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    posts++;
    assert.equal(route.request().postDataJSON().follow_up.title, 'Draft the renewal offer');
    return posts === 1 ? route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'database busy, retry' }) }) : route.continue();
  });
  await f.getByRole('button', { name: 'Save' }).click();
  await f.getByText(/Not saved: database busy, retry/).waitFor();
  assert.equal(await f.getByLabel('Summary and notes').inputValue(), 'Call about the renewal');
  assert.equal(await f.getByLabel('Follow-up', { exact: true }).inputValue(), 'Draft the renewal offer');
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/interactions?account_id=${m.id}`)).json.items.length, 0);
  await f.getByRole('button', { name: 'Save' }).click();
  await p.locator('.timeline li', { hasText: 'Call about the renewal' }).waitFor();
  await p.getByRole('status').filter({ hasText: /follow-up action|changed the account/ }).waitFor();
  assert.equal(posts, 2);
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/interactions?account_id=${m.id}`)).json.items.length, 1);
  const acts = (await api(srv.url, tok.anna, 'GET', `/api/v1/actions?plan_id=${m.plan}`)).json.items;
  assert.deepEqual(acts.map((a) => a.title), ['Draft the renewal offer']);
  assert.deepEqual(p.problems.filter((x) => !/503/.test(x)), []);
});

test('the meeting form fits 820 and 390 px', async () => {
  const m = await meetingAccount('Narrow Meeting SA');
  for (const w of [820, 390]) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'anna@example.com');
    await openAccount(p, srv.url, m.id, 'activity');
    await p.getByRole('button', { name: 'Log a meeting' }).click();
    await p.getByLabel('search client attendees').fill('Zora');
    await p.getByRole('button', { name: 'add Zora Quint' }).click();
    await screenshot(p, `meeting-form-${w}`);
    assert.ok(await fitsEl(p.locator('.activity')), `the meeting form fits ${w} px`);
    await fits(p, 'the activity tab');
  }
});
