// Issue 16, Settings → Webhooks in the browser (admins): add an endpoint and see its secret
// once with a copy button, send a test event that a receiver started here gets, read the
// delivery log, replay, edit events, turn it off, rotate; at 1280, 820 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launch, newPage, signIn, fits, screenshot, shows } from '../lib/browser.mjs';
import { serve, api, demoDb, tokens, sleep } from '../lib/harness.mjs';

let t, db, srv, browser, rx, base;
const got = [];
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'anna'], 'webhooks-web'));
  srv = await serve(db, { KAM_WEBHOOK_ALLOW: '127.0.0.1', KAM_WEBHOOK_POLL_MS: '100', KAM_JOB_INTERVAL: '3600', KAM_WEBHOOK_ATTEMPTS: '1' });
  rx = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => { b += d; });
    req.on('end', () => { got.push({ headers: req.headers, body: b }); res.writeHead(req.url === '/broken' ? 500 : 204); res.end(); });
  });
  await new Promise((r) => rx.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${rx.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  rx?.close();
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

async function until(f) {
  for (let i = 0; i < 300; i++) { const v = await f(); if (v) return v; await sleep(100); }
  assert.fail('not within 30 s');
}

test('an admin adds a webhook, copies its secret once, sends a test event and sees it delivered in the log, replays it, edits and turns it off', async () => {
  const p = await newPage(browser, 1280, 900, { acceptDialogs: true });
  await p.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  await signIn(p, srv.url, 'admin@example.com');
  await p.goto(`${srv.url}/#/settings`);
  const sec = p.getByRole('region', { name: 'Webhooks' });
  await sec.getByText('No webhooks yet.').waitFor();
  const form = sec.getByRole('form', { name: 'Add a webhook' });
  // a private address is refused, with the reason
  await form.getByLabel('URL').fill('http://10.0.0.1/hook');
  await form.getByRole('button', { name: 'Add webhook' }).click();
  assert.match(await form.getByRole('alert').textContent(), /private, loopback/);
  await form.getByLabel('URL').fill(`${base}/hook`);
  await form.getByLabel('Description').fill('Data warehouse');
  await form.getByLabel('account.created').check();
  await form.getByRole('button', { name: 'Add webhook' }).click();
  const secret = await sec.getByLabel('signing secret').inputValue();
  assert.match(secret, /^whsec_/);
  await sec.getByRole('button', { name: 'Copy' }).click();
  assert.equal(await p.evaluate(() => navigator.clipboard.readText()), secret);
  await sec.getByText(/Data warehouse/).waitFor();
  await screenshot(p, 'webhooks-added-1280');
  await sec.getByRole('button', { name: 'done' }).click();
  assert.equal(await sec.getByLabel('signing secret').count(), 0, 'the secret is gone once closed');
  // a test event: the receiver gets it and the log says delivered, 204
  await sec.getByRole('button', { name: 'Send test event' }).click();
  await until(() => got.length >= 1);
  assert.equal(JSON.parse(got[0].body).type, 'ping');
  const log = sec.locator('table.wh-deliveries');
  await log.getByText('delivered').waitFor();
  assert.match(await log.textContent(), /ping.*delivered.*204/s);
  await log.getByRole('button', { name: 'replay' }).first().click();
  await until(() => got.length >= 2);
  assert.equal(got[1].headers['webhook-id'], got[0].headers['webhook-id']);
  // edit the events, then turn it off
  await sec.getByRole('button', { name: 'Edit events' }).click();
  await sec.locator('.wh-item').getByLabel('opportunity.won').check();
  await sec.getByRole('button', { name: 'Save events' }).click();
  await sec.getByText(/account\.created, opportunity\.won/).waitFor();
  await sec.getByRole('button', { name: 'Turn off' }).click();
  await sec.getByRole('button', { name: 'Turn on' }).waitFor();
  const w = (await api(srv.url, tok.admin, 'GET', '/api/v1/webhooks')).json.items[0];
  assert.deepEqual([w.enabled, w.events], [false, ['alert.opened', 'alert.resolved', 'account.created', 'opportunity.won']]);
  await sec.getByRole('button', { name: 'Turn on' }).click();
  // rotate: a new secret shown once, the old one still signing for a day
  await sec.getByRole('button', { name: 'Rotate secret' }).click();
  const fresh = await sec.getByLabel('signing secret').inputValue();
  assert.notEqual(fresh, secret);
  await sec.getByText(/previous secret also signs until/).waitFor();
  assert.deepEqual(p.problems, []);
});

test('an endpoint kam turned off is shown as such with the reason; the screen fits at 1280, 820 and 390 px', async () => {
  const r = await api(srv.url, tok.admin, 'POST', '/api/v1/webhooks', { url: `${base}/broken`, events: ['account.created'], format: 'slack', description: 'Team channel' });
  assert.equal(r.status, 201);
  // one attempt allowed here (KAM_WEBHOOK_ATTEMPTS=1): its 500 turns the endpoint off
  await api(srv.url, tok.admin, 'POST', `/api/v1/webhooks/${r.json.id}/test`);
  await until(async () => (await api(srv.url, tok.admin, 'GET', `/api/v1/webhooks/${r.json.id}`)).json.enabled === false);
  for (const width of [1280, 820, 390]) {
    const p = await newPage(browser, width, 900);
    await signIn(p, srv.url, 'admin@example.com');
    await p.goto(`${srv.url}/#/settings`);
    const sec = p.getByRole('region', { name: 'Webhooks' });
    await sec.getByText('Team channel').waitFor();
    assert.match(await sec.getByRole('alert').textContent(), /1 webhook was turned off after failing/);
    assert.match(await sec.locator('.wh-item', { hasText: 'Team channel' }).textContent(), /Off: turned off after 1 failed attempt of msg_\d+: HTTP 500/);
    await sec.locator('.wh-item', { hasText: 'Team channel' }).getByRole('button', { name: 'Deliveries' }).click();
    await sec.locator('table.wh-deliveries').waitFor();
    await sec.scrollIntoViewIfNeeded();
    await fits(p, `webhooks at ${width}`);
    await screenshot(p, `webhooks-${width}`, { fullPage: false });
    await sec.screenshot({ path: `${new URL('../out/', import.meta.url).pathname}webhooks-section-${width}.png` });
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
  // non-admins do not see the section
  const p = await newPage(browser, 1280, 900);
  await signIn(p, srv.url, 'anna@example.com');
  await p.goto(`${srv.url}/#/settings`);
  await shows(p, p.getByRole('heading', { name: 'My mail' }), 'a KAM\'s settings');
  assert.equal(await p.getByRole('region', { name: 'Webhooks' }).count(), 0);
  await p.context().close();
});
