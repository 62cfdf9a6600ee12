// "Changed since the last review" in the browser (issue 17): the plan tab opens with what
// moved since the plan's last review, grouped, and follows the KAM's own edits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, fits, screenshot, openAccount } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, browser, tok = {}, acc;

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna'], 'webchanges'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  browser = await launch();
  const ok = async (m, p, b) => { const r = await api(srv.url, tok.anna, m, p, b); assert.ok(r.status < 300, `${m} ${p}: ${r.text}`); return r.json; };
  const me = await ok('GET', '/api/v1/me');
  acc = (await ok('POST', '/api/v1/accounts', { name: 'Slide One AG', owner_id: me.id, status: 'active' })).id;
  const plan = (await ok('POST', '/api/v1/plans', { account_id: acc, title: 'Plan', period_start: '2020-01-01', period_end: '2999-12-31', status: 'active' })).id;
  await ok('POST', '/api/v1/objectives', { plan_id: plan, title: 'Cut downtime', baseline: 40, target: 20, current: 32 });
  await ok('POST', '/api/v1/actions', { plan_id: plan, title: 'Run the pilot', due_on: '2030-03-01' });
  const today = (await ok('GET', '/api/v1/session')).clock.today;
  await ok('POST', '/api/v1/reviews', { plan_id: plan, held_on: today, kind: 'qbr' });
  await ok('POST', '/api/v1/risks', { account_id: acc, title: 'Budget freeze', category: 'financial', probability: 3, impact: 4 });
});

after(async () => {
  await browser?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('the plan tab says what changed since the last review, and follows an edit', async () => {
  for (const w of [1280, 390]) {
    const p = await newPage(browser, w, 900);
    await signIn(p, srv.url, 'anna@example.com');
    await openAccount(p, srv.url, acc, 'plan');
    const s = p.getByRole('region', { name: /Changed since the last review/ });
    await s.getByText(w === 1280 ? '1 change' : '2 changes').waitFor();
    await s.getByText(/^Changed since the last review/).click();
    // grouped: objectives, actions, stakeholders, risks
    const want = [...(w === 1280 ? [] : ['Done: Run the pilot']), 'New risk: Budget freeze (probability 3, impact 4)'];
    assert.deepEqual(await s.getByRole('listitem').allInnerTexts(), want);
    if (w === 1280) {
      // the KAM marks the action done in the plan: the slide follows
      await p.getByLabel('status of Run the pilot').selectOption('done');
      await s.getByText('Done: Run the pilot').waitFor();
      assert.match(await s.innerText(), /2 changes/);
    }
    await screenshot(p, `plan-changes-${w}`, { fullPage: false });
    await fits(p, `the plan tab at ${w}`);
    assert.deepEqual(p.problems, []);
  }
});
