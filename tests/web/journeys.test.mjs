// The five journeys of issue 13, walked end to end in chromium as a user would, clicking
// through the app on the demo data at 1280, 820 and 390 px: a KAM's Monday morning,
// preparing a QBR and sharing it with the client, logging a meeting with a follow-up, the
// director's portfolio review, and an admin changing weights and inviting a user. At every
// step the test asserts what the user sees and that the page is no wider than its viewport.
// It counts what each walk takes (clicks, choices in selects, fields typed) and prints a
// table at the end (docs/journeys.md quotes it). Screenshots: tests/out/journeys/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { launch, newPage, signIn, fits, screenshot, tally, OUT, DEMO_PASSWORD } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

const WIDTHS = [1280, 820, 390];
const JOURNEYS = {
  monday: "a. A KAM's Monday morning",
  qbr: 'b. Preparing a QBR and sharing it with the client',
  meeting: 'c. Logging a meeting with a follow-up',
  director: "d. The director's portfolio review",
  admin: 'e. An admin changing weights and inviting a user',
};
const counts = {}; // journey → width → { clicks, choices, fields }
let t, db, srv, browser, tok = {};
const who = {};
const acc = {}; // demo accounts of Anna's by name

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna'], 'journeys'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  // setup the journeys are not about: the alerts a morning's job would have raised
  await api(srv.url, tok.director, 'POST', '/api/v1/alerts/evaluate');
  for (const u of Object.keys(tok)) who[u] = (await api(srv.url, tok[u], 'GET', '/api/v1/me')).json;
  for (const a of (await api(srv.url, tok.anna, 'GET', `/api/v1/accounts?owner_id=${who.anna.id}&limit=50`)).json.items) acc[a.name] = a;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
  const rows = Object.entries(JOURNEYS).filter(([k]) => counts[k]).map(([k, name]) => [name,
    ...WIDTHS.map((w) => (counts[k][w] ? `${counts[k][w].clicks} / ${counts[k][w].choices} / ${counts[k][w].fields}` : '–'))]);
  if (!rows.length) return;
  const head = ['Journey', ...WIDTHS.map((w) => `${w} px`)];
  const table = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  console.log(`\nWhat each journey takes: clicks / choices in a select / fields typed\n\n${table}\n`);
  mkdirSync(`${OUT}journeys`, { recursive: true });
  writeFileSync(`${OUT}journeys/counts.json`, JSON.stringify(counts, null, 1));
});

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const iso = (d) => d.toISOString().slice(0, 10);
const inDays = (n) => iso(new Date(Date.now() + n * 86400e3));

// One walk of a journey at one width, on its own page(s), with what the user did counted.
function walk(key, fn) {
  for (const w of WIDTHS) {
    test(`${JOURNEYS[key]}, at ${w} px`, async () => {
      const c = { clicks: 0, choices: 0, fields: 0 };
      const pages = [];
      // a page of this walk (the client's tab, the invited user's browser are pages too)
      const open = async () => {
        const p = await newPage(browser, w, 900, { acceptDialogs: true });
        await tally(p, c);
        pages.push(p);
        return p;
      };
      // what the user sees at a step fits the screen, and the app's header reads on one line
      // per item (no "Log / out", no name broken over three lines on a tablet)
      const step = async (p, what) => {
        await p.waitForTimeout(60); // layout and charts settle; not a timing assertion
        await fits(p, `${key}: ${what}`);
        const broken = await p.evaluate(() => [...document.querySelectorAll('.shell header nav a, .shell header .who, .shell header > button')].filter((e) => {
          const r = document.createRange();
          r.selectNodeContents(e);
          return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1;
        }).map((e) => e.textContent));
        assert.deepEqual(broken, [], `${key}: ${what} at ${w} px: header items broken over lines`);
      };
      // the key step's screenshot; at 1280 px also the first screen of it, for docs/journeys.md
      const shot = async (p, name, doc = false) => {
        await screenshot(p, `journeys/${key}-${name}-${w}`);
        if (doc && w === 1280) await screenshot(p, `journeys/doc-${key}`, { fullPage: false });
      };
      await fn({ open, step, w, shot });
      for (const p of pages) assert.deepEqual(p.problems, [], `${key} at ${w} px`);
      (counts[key] ||= {})[w] = c;
      for (const p of pages) await p.context().close();
    });
  }
}

// a. Anna lands on My work, opens her most overdue action and marks it done, opens an alert,
// makes an action of it and snoozes it, and logs a quick call.
walk('monday', async ({ open, step, shot, w }) => {
  const p = await open();
  await signIn(p, srv.url, 'anna@example.com');
  await p.getByRole('heading', { name: 'My work' }).waitFor();
  const overdue = p.locator('[data-panel=w-overdue] li');
  await overdue.first().waitFor();
  const before = await overdue.count();
  assert.match(await p.locator('.mywork .summary').textContent(), new RegExp(`^${before} overdue actions? · `));
  const first = overdue.first();
  const id = await first.getAttribute('data-action');
  const title = await first.locator('a').first().textContent();
  assert.match(await first.textContent(), /days? late/);
  // the coming dates read as sentences: "Plan period ends: Initech Systems", not "ends:Initech"
  for (const d of await p.locator('[data-panel=w-dates] li').allTextContents())
    assert.match(d, /\) (Review|Plan period ends|Renewal): \S/, d);
  await step(p, 'My work');
  await shot(p, 'mywork', true);

  // the action opens in its account's plan, where its status is one pick away
  await first.locator('a').first().click();
  const row = p.locator(`tr[data-action="${id}"]`);
  await row.waitFor();
  assert.match(await row.locator('.flag.past-due').textContent(), /overdue/);
  await step(p, 'the overdue action in its plan');
  await row.getByLabel(`status of ${title}`, { exact: true }).selectOption('done');
  await row.locator('.inline-mark.saved').waitFor();
  await p.waitForFunction((x) => !document.querySelector(`tr[data-action="${x}"]`)?.classList.contains('overdue'), id);

  // back on My work it is off the list
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My work' }).click();
  await p.getByRole('heading', { name: 'My work' }).waitFor();
  await p.waitForFunction((n) => document.querySelectorAll('[data-panel=w-overdue] li').length === n, before - 1);
  assert.equal(await p.locator(`[data-panel=w-overdue] li[data-action="${id}"]`).count(), 0);

  // the alerts: the first one on an account with a plan becomes an action, then is snoozed
  await p.locator('[data-panel=w-alerts]').getByRole('link', { name: 'Alerts inbox' }).click();
  await p.getByRole('heading', { name: 'Alerts', exact: true }).waitFor();
  await p.locator('li[data-alert]').first().waitFor();
  await step(p, 'the alerts inbox');
  const inbox = (await api(srv.url, tok.anna, 'GET', '/api/v1/alerts/inbox?state=open')).json;
  let g, a;
  for (const x of inbox.groups) {
    if (!x.account_id) continue;
    if ((await api(srv.url, tok.anna, 'GET', `/api/v1/plans?account_id=${x.account_id}&status=active`)).json.items.length) { g = x; a = x.alerts[0]; break; }
  }
  assert.ok(a, 'an open alert on an account with an active plan');
  const li = p.locator(`li[data-alert="${a.id}"]`);
  assert.match(await li.textContent(), new RegExp(esc(a.rule_label)));
  await li.getByRole('button', { name: 'Create action' }).click();
  const form = li.getByRole('form', { name: 'New action from alert' });
  await form.waitFor();
  assert.match(await form.getByLabel('Action').inputValue(), new RegExp(esc(g.account_name)));
  const made = `Call ${g.account_name} about ${a.rule_label.toLowerCase()} (${w})`;
  await form.getByLabel('Action').fill(made);
  await step(p, 'the action form of an alert');
  await form.getByRole('button', { name: 'Create action' }).click();
  const note = p.getByRole('status').filter({ hasText: `Action “${made}” added to the plan of ${g.account_name}.` });
  await note.waitFor();

  // the plan with that action, then a quick call on the account: kind "call", a line of notes
  await note.getByRole('link', { name: 'Open the plan' }).click();
  await p.getByRole('heading', { name: g.account_name }).waitFor();
  await p.getByLabel(`title of ${made}`, { exact: true }).waitFor();
  await step(p, 'the plan with the action from the alert');
  await p.getByRole('tab', { name: 'activity' }).click();
  await p.getByRole('button', { name: 'Log a meeting' }).click();
  const log = p.getByRole('form', { name: 'Log an interaction' });
  await log.getByLabel('Kind').selectOption('call');
  const said = `Quick call: agreed next steps (${w})`;
  await log.getByLabel('Summary and notes').fill(said);
  await step(p, 'logging a call');
  await log.getByRole('button', { name: 'Save' }).click();
  const entry = p.locator('ol.timeline li', { hasText: said });
  await entry.waitFor();
  assert.match(await entry.locator('summary').textContent(), new RegExp(`call .* — ${esc(said)}`));
  assert.match(await entry.locator('summary').textContent(), new RegExp(`with ${esc(who.anna.name)}`));
  await step(p, 'the call logged');

  // the alert is handled for now: snoozed for a week, off the inbox
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
  const again = p.locator(`li[data-alert="${a.id}"]`);
  await again.getByLabel('Snooze').selectOption('7');
  await p.getByRole('status').getByText(`Snoozed “${a.rule_label}” for 7 days.`).waitFor();
  await p.waitForFunction((x) => !document.querySelector(`li[data-alert="${x}"]`), a.id);
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/alerts/${a.id}`)).json.state, 'snoozed');
  await step(p, 'the alert snoozed');
});

// b. Anna prepares a QBR: an objective added, corrected and marked for the client, a review
// with attendees and the next date, the client's page previewed, a link made, opened signed
// out (exactly that objective), then revoked.
const QBR = { 1280: 'Initech Systems', 820: 'Vandelay Imports', 390: 'Oscorp Chemicals' };
walk('qbr', async ({ open, step, shot, w }) => {
  const name = QBR[w];
  const p = await open();
  await signIn(p, srv.url, 'anna@example.com');
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await p.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  await p.getByLabel('Search').fill(name.split(' ')[0]);
  await p.waitForFunction(() => /matches the filters/.test(document.querySelector('.count')?.textContent));
  await step(p, 'the accounts list');
  await p.getByRole('link', { name, exact: true }).click();
  await p.getByRole('heading', { name }).waitFor();
  await p.getByRole('tab', { name: 'plan' }).click();
  await p.getByRole('heading', { name: 'Objectives' }).waitFor();
  const others = await p.locator('tr[data-objective] td:first-child').allTextContents();
  assert.ok(others.length > 0, 'the plan has objectives of its own');

  const title = `Cut unplanned downtime (${w})`;
  const add = p.getByRole('form', { name: 'Add an objective' });
  await add.getByLabel('Objective').fill(title);
  await add.getByLabel('Metric').fill('hours a quarter');
  await add.getByLabel('Baseline').fill('40');
  await add.getByLabel('Target').fill('25');
  await add.getByLabel('Due').fill(inDays(120));
  await add.getByRole('button', { name: 'Add objective' }).click();
  const row = p.locator('tr[data-objective]', { hasText: title });
  await row.waitFor();
  assert.match(await row.textContent(), /hours a quarter 40(\.0)? → 25(\.0)?/);
  assert.equal(await row.locator('.row-tools').textContent(), 'edit delete history');
  await step(p, 'the objective added');
  // the target was too timid: edit it
  await row.getByRole('button', { name: 'edit', exact: true }).click();
  const ed = p.getByRole('form', { name: `Edit objective ${title}` });
  await ed.getByLabel('Target').fill('20');
  await ed.getByRole('button', { name: 'Save' }).click();
  await row.filter({ hasText: /40(\.0)? → 20(\.0)?/ }).waitFor();
  // the client may see it; the label says so
  await p.getByLabel(`client can see ${title}`).check();
  await row.locator('label.client-can', { hasText: 'shown' }).waitFor();

  // the QBR itself: held today, with attendees, the next one in three months
  const rv = p.getByRole('form', { name: 'Record a review' });
  await rv.getByLabel('Kind').selectOption('qbr');
  const people = `${who.anna.name}, the client's COO`;
  await rv.getByLabel('Attendees').fill(people);
  await rv.getByLabel('Notes').fill('Agreed the downtime objective.');
  await rv.getByLabel('Next review').fill(inDays(91));
  await rv.getByRole('button', { name: 'Record review' }).click();
  const review = p.locator('ul.reviews li', { hasText: `Attendees: ${people}.` });
  await review.waitFor();
  assert.match(await review.textContent(), /QBR: .*\(next /s);
  await step(p, 'the review recorded');
  // on a desktop the plan's tables show every column, their tools too, without scrolling
  if (w === 1280) {
    for (const tb of ['objectives', 'actions']) {
      const [sw, cw] = await p.locator(`table.${tb}`).evaluate((e) => [e.parentElement.scrollWidth, e.parentElement.clientWidth]);
      assert.ok(sw <= cw, `the ${tb} table is ${sw} px wide in a card of ${cw} px at 1280 px`);
    }
  }

  // what the client will see, before any link exists: that objective and nothing else
  await p.getByRole('button', { name: 'Share with the client' }).click();
  const panel = p.locator('.share-panel');
  await panel.getByRole('button', { name: 'Preview' }).click();
  const pre = p.getByRole('region', { name: "Preview of the client's page" });
  await pre.getByText(title).waitFor();
  assert.deepEqual(await pre.locator('#so-title + .scroll tbody td:first-child').allTextContents(), [title]);
  for (const o of others) assert.ok(!(await pre.innerText()).includes(o), `${o} is internal`);
  await step(p, 'the share preview');
  await panel.getByLabel('valid for').selectOption('7');
  await panel.getByRole('button', { name: 'Create link' }).click();
  const link = panel.getByLabel('share link');
  await link.waitFor();
  const url = await link.inputValue();
  assert.match(url, /#\/shared\/[A-Za-z0-9_-]+$/);
  assert.match(await panel.getByRole('status').first().textContent(), new RegExp(`valid until`));
  await step(p, 'the link made');
  await shot(p, 'share', true);

  // the client, signed out in a browser of their own
  const client = await open();
  await client.goto(url);
  await client.getByRole('heading', { name }).waitFor();
  assert.deepEqual(await client.locator('#so-title + .scroll tbody td:first-child').allTextContents(), [title]);
  const seen = await client.locator('main').innerText();
  assert.match(seen, /Your contact: .+ · anna@example\.com · As of /);
  for (const o of others) assert.ok(!seen.includes(o), `${o} is not on the client's page`);
  assert.ok(!/NPS|SLA/.test(seen), 'no service KPIs unless chosen');
  // every column of it in view, on a phone too: its due date and status are not off the screen
  for (const [label, text] of [['Due', /\d{4}-\d\d-\d\d/], ['Status', /on track/]]) {
    const cell = client.locator('#so-title + .scroll tbody td').filter({ hasText: text }).first();
    assert.ok(await cell.evaluate((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right <= innerWidth && r.right <= e.closest('.scroll').getBoundingClientRect().right + 1; }),
      `the objective's ${label} is in view at ${w} px`);
  }
  await step(client, "the client's page");
  await shot(client, 'client');

  // revoked, the link stops working
  const live = panel.locator('tr[data-share]');
  assert.equal(await live.count(), 1);
  // on a phone too the link's revoke is on the screen, not past the edge of a scrolling table
  assert.ok(await live.getByRole('button', { name: /^revoke link made/ }).evaluate((e) => {
    const r = e.getBoundingClientRect();
    return r.right <= innerWidth && r.right <= e.closest('.scroll').getBoundingClientRect().right + 1;
  }), `revoke is in view at ${w} px`);
  await live.getByRole('button', { name: /^revoke link made/ }).click();
  await panel.getByRole('status').getByText('Link revoked').waitFor();
  await panel.getByText('No live links.').waitFor();
  await client.reload();
  await client.getByRole('alert').waitFor();
  assert.equal(await client.locator('#so-title').count(), 0);
  assert.ok(!(await client.locator('main').innerText()).includes(title));
  await step(client, 'the revoked link');
});

// c. Anna logs yesterday's meeting with attendees found by search, the mood and a follow-up;
// the timeline shows it, the follow-up is in the plan and on My work.
const MEETING = { 1280: 'Nakatomi Trading', 820: 'Prestige Worldwide', 390: 'Northwind Traders' };
walk('meeting', async ({ open, step, shot, w }) => {
  const name = MEETING[w];
  const contacts = (await api(srv.url, tok.anna, 'GET', `/api/v1/contacts?account_id=${acc[name].id}&limit=5&sort=name`)).json.items;
  const contact = contacts[0];
  const p = await open();
  await signIn(p, srv.url, 'anna@example.com');
  // the account, found from the search box of every page
  await p.getByRole('searchbox', { name: /Find accounts/ }).fill(name.split(' ')[0]);
  const res = p.getByRole('region', { name: 'Search results' });
  await res.getByRole('link', { name, exact: true }).waitFor();
  await step(p, 'the search results');
  await res.getByRole('link', { name, exact: true }).click();
  await p.getByRole('heading', { name }).waitFor();
  await p.getByRole('tab', { name: 'activity' }).click();
  await p.getByRole('button', { name: 'Log a meeting' }).click();
  const f = p.getByRole('form', { name: 'Log an interaction' });
  await f.waitFor();
  assert.equal(await f.getByLabel('Kind').inputValue(), 'meeting');
  assert.match(await f.getByLabel('When').inputValue(), /^\d{4}-\d\d-\d\d \d\d:\d\d$/, 'the date and time default to now, in the app\'s date format');
  const when = `${inDays(-1)}T14:30`;
  await f.getByLabel('When').fill(when);
  await f.getByLabel('Sentiment').selectOption({ label: 'positive' });
  const notes = `Steering meeting (${w})\nThey want the rollout in two waves.\nBudget confirmed for Q3.`;
  await f.getByLabel('Summary and notes').fill(notes);
  const ours = f.getByRole('group', { name: 'Our attendees' });
  assert.match(await ours.getByRole('list', { name: 'Our attendees: chosen' }).textContent(), new RegExp(esc(who.anna.name)));
  await ours.getByRole('searchbox').fill('Ben');
  await ours.getByRole('button', { name: 'add Ben Osei' }).click();
  const theirs = f.getByRole('group', { name: 'Client attendees' });
  await theirs.getByRole('searchbox').fill(contact.name.split(' ')[0]);
  await theirs.getByRole('button', { name: `add ${contact.name}` }).click();
  assert.match(await theirs.getByRole('list', { name: 'Client attendees: chosen' }).textContent(), new RegExp(esc(contact.name)));
  const follow = `Send the two-wave rollout plan to ${contact.name} (${w})`;
  await f.getByLabel('Follow-up', { exact: true }).fill(follow);
  await f.getByLabel('Follow-up due').fill(inDays(3));
  assert.equal(await f.getByLabel('Follow-up owner').inputValue(), String(who.anna.id));
  await step(p, 'the meeting form filled in');
  await shot(p, 'form');
  await f.getByRole('button', { name: 'Save' }).click();
  await p.locator('.activity .note').waitFor();
  assert.match(await p.locator('.activity .note').textContent(), /Saved, with its follow-up action\.|This entry changed the account's/);

  // the timeline: the meeting of yesterday, the mood, who was there; it opens to the notes
  const entry = p.locator('ol.timeline li', { hasText: `Steering meeting (${w})` });
  await entry.waitFor();
  const sum = await entry.locator('summary').textContent();
  assert.match(sum, /meeting/);
  assert.match(sum, new RegExp(`— Steering meeting \\(${w}\\)`));
  assert.match(sum, /positive/);
  assert.match(sum, new RegExp(`with ${esc(who.anna.name)}, Ben Osei, ${esc(contact.name)}`));
  await entry.locator('summary').click();
  await entry.locator('.notes').getByText(/Budget confirmed for Q3/).waitFor();
  // when it was, as typed and in the app's date format (not the browser's "11/28/2026, 2:30:00 PM")
  assert.equal(await entry.locator('.entry-body > p').first().textContent(), when.replace('T', ' '));
  assert.match(await entry.locator('.entry-body').textContent(), new RegExp(`Next step: ${esc(follow)}`));
  await step(p, 'the timeline');
  await shot(p, 'timeline', true);

  // the follow-up is an action of the plan, Anna's, due in three days: on My work this week
  await p.getByRole('tab', { name: 'plan' }).click();
  await p.getByLabel(`title of ${follow}`, { exact: true }).waitFor();
  assert.equal(await p.getByLabel(`due date of ${follow}`, { exact: true }).inputValue(), inDays(3));
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My work' }).click();
  const due = p.locator('[data-panel=w-week] li', { hasText: follow });
  await due.waitFor();
  assert.match(await due.textContent(), new RegExp(esc(name)));
  await step(p, 'My work with the follow-up');
});

// d. The director: KPI tiles with their change, the at-risk key accounts, a quadrant of the
// matrix opens its accounts, the list as CSV, a KAM's workload opens their My work.
walk('director', async ({ open, step, shot }) => {
  const p = await open();
  await signIn(p, srv.url, 'director@example.com');
  await p.getByRole('heading', { name: 'Portfolio', exact: true }).waitFor();
  await p.locator('[data-kpi=revenue] .delta').waitFor();
  assert.match(await p.locator('[data-kpi=revenue] .prev').textContent(), /^[+−±][\d.]+% \([+−±]€[^)]+\) · previous €/);
  assert.match(await p.locator('[data-kpi=nrr] .prev').textContent(), /pts/);
  const risk = p.locator('[data-panel=at-risk] table.at-risk tbody tr');
  await risk.first().waitFor();
  for (const cells of await Promise.all((await risk.all()).map((r) => r.locator('td').allTextContents()))) {
    assert.ok(Number(cells[1]) < 70, `health ${cells[1]} below 70`);
    assert.match(cells[2], /€/);
    assert.ok(cells[3].length > 10 && cells[4] !== '–', 'a reason and an owner');
  }
  await p.getByRole('img', { name: 'Portfolio matrix' }).locator('canvas').waitFor();
  await p.locator('section:has(#w-title) tbody tr').first().waitFor();
  await step(p, 'the dashboard');
  await shot(p, 'dashboard', true);

  // the fullest quadrant opens the accounts list of that segment
  const quads = await p.locator('a.quad').evaluateAll((as) => as.map((a) => [a.dataset.segment, Number(a.querySelector('strong').textContent)]));
  const [seg, n] = quads.sort((x, y) => y[1] - x[1])[0];
  assert.ok(n > 0, 'a quadrant with key accounts');
  await p.locator(`a.quad[data-segment=${seg}]`).click();
  await p.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  await p.waitForFunction((k) => document.querySelectorAll('table.accounts tbody tr').length === k, n);
  assert.equal(await p.getByLabel('Segment').inputValue(), seg);
  assert.match(await p.locator('.count').textContent(), new RegExp(`^${n} accounts? match`));
  for (const s of await p.locator('table.accounts tbody tr td:nth-child(3)').allTextContents()) assert.equal(s, seg);
  await step(p, `the ${seg} accounts`);

  // that list as CSV: money in major units beside its currency, owners by name
  const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name: 'CSV' }).click()]);
  const csv = readFileSync(await dl.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  assert.equal(csv.length, n + 1, 'a header and the listed accounts');
  const cells = (line) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((x) => x.replace(/,$/, '').replace(/^"|"$/g, '').replaceAll('""', '"'));
  const cols = cells(csv[0]);
  const col = (k) => { const i = cols.indexOf(k); assert.ok(i >= 0, `a ${k} column in ${csv[0]}`); return i; };
  const listed = (await api(srv.url, tok.director, 'GET', `/api/v1/accounts?segment=${seg}&limit=100`)).json.items;
  const users = new Map((await api(srv.url, tok.director, 'GET', '/api/v1/users?limit=100')).json.items.map((u) => [u.id, u.name]));
  for (const line of csv.slice(1)) {
    const v = cells(line);
    const a = listed.find((x) => String(x.id) === v[col('id')]);
    assert.ok(a, `account ${v[col('id')]} is one of the list`);
    assert.equal(Number(v[col('revenue_12m')]), a.revenue_12m / 100, `${a.name}: revenue in euros, not cents`);
    assert.equal(v[col('revenue_12m_currency')], 'EUR');
    assert.equal(v[col('currency')], a.currency);
    assert.equal(v[col('owner')], users.get(a.owner_id));
  }

  // back to the dashboard: Anna's overdue actions open her My work
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  const anna = p.locator(`tr[data-kam="${who.anna.id}"]`);
  await anna.waitFor();
  const overdue = Number(await anna.locator('td').nth(3).textContent());
  await anna.locator('td').nth(3).getByRole('link').click();
  await p.getByRole('heading', { name: `Work of ${who.anna.name}` }).waitFor();
  // the figure clicked is on the page it opens: the workload counts the actions Anna owns,
  // her My work lists those of others on her accounts too, and says how many are hers
  const rows = p.locator('[data-panel=w-overdue] li');
  const all = await rows.count();
  assert.equal(await rows.filter({ hasText: ` · ${who.anna.name} · ` }).count(), overdue);
  assert.equal(await p.locator('[data-panel=w-overdue] h2').textContent(),
    all === overdue ? `Overdue actions ${all}` : `Overdue actions ${all} · ${overdue} owned by ${who.anna.name}`);
  await step(p, "Anna's work");
});

// e. The admin sets the score weights in percent (totalling 100), previews, saves and
// re-ranks, sees the saved weights after a reload; invites a user, who signs in with the
// first password and sets their own; the admin changes their own password too.
const WEIGHTS = { 1280: [50, 10, 65], 820: [45, 15, 62], 390: [40, 20, 60] };
let adminPassword = DEMO_PASSWORD;
walk('admin', async ({ open, step, shot, w }) => {
  const [fin, gro, key] = WEIGHTS[w];
  const p = await open();
  await signIn(p, srv.url, 'admin@example.com', adminPassword);
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const weight = (k) => p.getByLabel(`score weight: ${k}, percent`);
  await weight('financial').waitFor();
  await weight('financial').fill(String(fin + 30));
  await p.getByText(/^Total \d+%: the weights must total 100%$/).waitFor();
  assert.equal(await p.getByRole('button', { name: 'Save and re-rank' }).isDisabled(), true);
  await weight('financial').fill(String(fin));
  await weight('growth').fill(String(gro));
  await p.getByRole('region', { name: 'Identification' }).getByText('Total 100%', { exact: true }).waitFor();
  const asked = p.waitForResponse((r) => r.url().endsWith('/api/v1/settings/preview'));
  await p.getByLabel('key from').fill(String(key));
  const pv = await (await asked).json();
  const n = pv.changes.length;
  await p.locator('.preview').getByText(`Key accounts: ${pv.proposed.key} (now ${pv.now.key})`).waitFor();
  assert.match(await p.locator('.preview').textContent(), new RegExp(`${n} ${n === 1 ? 'account changes' : 'accounts change'} tier`));
  assert.equal(await p.locator('table.changes tbody tr').count(), n);
  await step(p, 'the weights previewed');
  await p.getByRole('button', { name: 'Save and re-rank' }).click();
  const said = `Saved: financial ${fin}%, growth ${gro}%, strategic 25%, influence 15%; key from ${key}.`;
  await p.getByText(said).waitFor();
  await step(p, 'the weights saved');
  await shot(p, 'settings', true);
  await p.reload();
  await weight('financial').waitFor();
  assert.equal(await weight('financial').inputValue(), String(fin));
  assert.equal(await weight('growth').inputValue(), String(gro));
  assert.equal(await p.getByLabel('key from').inputValue(), String(key));
  // (the admin's token ended with their password change in an earlier walk: read as the director)
  const s = (await api(srv.url, tok.director, 'GET', '/api/v1/settings')).json;
  assert.deepEqual([s.weights.financial, s.weights.growth, s.key_threshold], [fin / 100, gro / 100, key]);

  // a new KAM, invited with a first password
  const email = `kim${w}@example.com`;
  const first = `first-password-${w}`;
  const inv = p.getByRole('form', { name: 'Invite a user' });
  await inv.getByLabel('Name').fill(`Kim Lee ${w}`);
  await inv.getByLabel('E-mail').fill(email);
  await inv.getByLabel('Role').selectOption('kam');
  await inv.getByLabel('First password (12+ characters)').fill(first);
  await inv.getByRole('button', { name: 'Invite' }).click();
  await p.getByText(`Invited Kim Lee ${w} (${email}) as kam: hand them the first password.`).waitFor();
  await p.getByRole('cell', { name: email }).waitFor();
  await step(p, 'the user invited');

  // Kim, in a browser of their own, signs in and sets their own password
  const kim = await open();
  await signIn(kim, srv.url, email, first);
  await kim.getByRole('heading', { name: 'My work' }).waitFor();
  assert.match(await kim.locator('.who').textContent(), new RegExp(`Kim Lee ${w} · kam`));
  await newPassword(kim, first, `kims-own-password-${w}`);
  await signIn(kim, srv.url, email, `kims-own-password-${w}`);
  await kim.getByRole('heading', { name: 'My work' }).waitFor();
  await step(kim, "the new user's My work");

  // and the admin changes their own
  const mine = `admin-password-${w}`;
  await newPassword(p, adminPassword, mine);
  adminPassword = mine;
  await signIn(p, srv.url, 'admin@example.com', mine);
  assert.match(await p.locator('.who').textContent(), /· admin/);

  async function newPassword(q, old, next) {
    await q.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const f = q.getByRole('form', { name: 'Change my password' });
    await f.getByLabel('Current password').fill(old);
    await f.getByLabel('New password (12+ characters)').fill(next);
    await f.getByRole('button', { name: 'Change password' }).click();
    await q.getByText('Password changed. Every session ended, this one too:').waitFor();
    await step(q, 'the password changed');
    await q.getByRole('button', { name: 'Sign in again' }).click();
    await q.getByRole('button', { name: 'Sign in' }).waitFor();
  }
});
