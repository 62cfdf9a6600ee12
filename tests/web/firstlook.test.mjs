// What a new user reads on a first tour of the demo (make run, then each screen as the
// director): sentences that read as written, and lists in the order a reader expects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director'], 'firstlook'));
  srv = await serve(db);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('an account without risks: the note reads "no risk: add the risks you know of below."', async () => {
  const p = await newPage(browser, 1366, 900);
  await signIn(p, srv.url, 'director@example.com');
  const me = (await api(srv.url, tok.director, 'GET', '/api/v1/me')).json;
  const a = (await api(srv.url, tok.director, 'POST', '/api/v1/accounts',
    { name: 'First Look GmbH', owner_id: me.id, status: 'active', currency: 'EUR' })).json;
  await p.goto(`${srv.url}/#/accounts/${a.id}/risks`);
  const note = p.getByRole('note').filter({ hasText: 'No risks recorded yet' });
  await note.waitFor();
  // the two halves of the sentence were glued together ("no risk:add the risks")
  assert.equal((await note.innerText()).replace(/\s+/g, ' ').trim(),
    'No risks recorded yet. An empty heat map does not mean this account carries no risk: add the risks you know of below.');
  assert.deepEqual(p.problems, []);
});

test("an account's survey answers are listed newest first", async () => {
  const p = await newPage(browser, 1366, 900);
  await signIn(p, srv.url, 'director@example.com');
  // the demo's key account with the most answers (the demo writes them in no date order)
  const all = (await api(srv.url, tok.director, 'GET', '/api/v1/surveys?limit=500')).json.items;
  const by = {};
  for (const s of all) (by[s.account_id] ??= []).push(s);
  const [id, answers] = Object.entries(by).sort((x, y) => y[1].length - x[1].length)[0];
  assert.ok(answers.length >= 3, 'an account with three answers or more');
  await p.goto(`${srv.url}/#/accounts/${id}/surveys`);
  const items = p.getByRole('tabpanel').getByRole('listitem');
  await items.first().waitFor();
  const dates = (await items.allInnerTexts()).map((s) => s.slice(0, 10));
  assert.equal(dates.length, answers.length);
  assert.deepEqual(dates, [...dates].sort().reverse(), `newest first: ${dates.join(', ')}`);
  assert.deepEqual(p.problems, []);
});

test("the accounts list's count is a line of text; My work's counts stay badges beside their headings", async () => {
  const p = await newPage(browser, 1366, 900);
  await signIn(p, srv.url, 'director@example.com');
  await p.goto(`${srv.url}/#/accounts`);
  const count = p.getByRole('status').filter({ hasText: /^\d+ accounts$/ });
  await count.waitFor();
  // the badge style of My work's headings (.count) also drew a full-width rounded box round it
  const box = (l) => l.evaluate((e) => { const s = getComputedStyle(e); return `${s.borderTopWidth} ${s.borderRadius}`; });
  assert.equal(await box(count), '0px 0px');
  await p.goto(`${srv.url}/#/work`);
  const badge = p.getByRole('heading', { name: /^Overdue actions/ }).locator('.count');
  await badge.waitFor();
  assert.notEqual(await box(badge), '0px 0px');
  assert.deepEqual(p.problems, []);
});

// htm drops a line break between a tag and what follows it on the next line of the template,
// so words on either side ran together where nothing else (a flex gap) set them apart
test('words that ran together: a change in the history, an alert group heading, the forecast downloads', async () => {
  const p = await newPage(browser, 1366, 900);
  await signIn(p, srv.url, 'director@example.com');
  const acc = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?tier=key&sort=-score&limit=1')).json.items[0];
  const got = await api(srv.url, tok.director, 'GET', `/api/v1/accounts/${acc.id}`);
  assert.equal((await api(srv.url, tok.director, 'PATCH', `/api/v1/accounts/${acc.id}`, { notes: 'first look' },
    { 'If-Match': got.headers.get('etag') })).status, 200);
  await p.goto(`${srv.url}/#/accounts/${acc.id}`);
  await p.getByRole('button', { name: `history of ${acc.name}` }).click();
  const entry = p.getByRole('dialog', { name: `History of ${acc.name}` }).locator('ol > li').first();
  await entry.waitFor();
  assert.match(await entry.innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d Dana Director updated/);

  await p.goto(`${srv.url}/#/alerts`);
  const head = p.locator('section.alert-group h2').first();
  await head.waitFor();
  assert.match(await head.innerText(), /^(critical|warning|info) \S/);

  await p.goto(`${srv.url}/#/forecast`);
  await p.getByRole('button', { name: 'Download CSV' }).waitFor();
  assert.equal((await p.locator('.downloads').innerText()).replace(/\s+/g, ' ').trim(), 'Download CSV XLSX');
  assert.deepEqual(p.problems, []);
});
