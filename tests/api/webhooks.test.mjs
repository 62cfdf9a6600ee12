// Webhooks (issue 16): endpoints for admins, events written with what caused them, signed
// delivery (Standard Webhooks) in order per endpoint with retries, disablement, the SSRF
// rules, chat formats, and no loss across a kill -9 of the sending server. A receiver
// started here (a node http server on 127.0.0.1) records what arrives.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, demoDb, serve, sleep, tokens } from '../lib/harness.mjs';

const cleanup = [];
after(async () => { for (const f of cleanup.reverse()) await f(); });

// A receiver: every request is recorded; plan(path) says how to answer it (a status, or
// {status, headers, hang}); by default 200.
function receiver() {
  return new Promise((resolve) => {
    const got = [];
    const plans = new Map();
    const hung = [];
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const r = { path: req.url, headers: req.headers, body, json: (() => { try { return JSON.parse(body); } catch { return null; } })() };
        got.push(r);
        const p = plans.get(req.url);
        const step = typeof p === 'function' ? p(r) : p;
        const a = typeof step === 'object' && step ? step : { status: step || 200 };
        if (a.hang) { hung.push(res); return; }
        res.writeHead(a.status, { 'Content-Type': 'text/plain', ...(a.headers || {}) });
        res.end(a.body ?? 'x'.repeat(3000));
      });
    });
    srv.listen(0, '127.0.0.1', () => {
      const base = `http://127.0.0.1:${srv.address().port}`;
      const stop = () => new Promise((r) => { for (const h of hung) h.destroy(); srv.closeAllConnections(); srv.close(() => r()); });
      cleanup.push(stop);
      resolve({ base, got, plans, hung, at: (path) => got.filter((g) => g.path === path), stop });
    });
  });
}

async function until(what, f, tries = 600) {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v) return v;
    await sleep(100);
  }
  assert.fail(`${what}: not within ${tries / 10} s`);
}

// Verifies a Standard Webhooks signature header against secret: the signatures it holds
// that match (by index).
function verify(secret, h, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const want = createHmac('sha256', key).update(`${h['webhook-id']}.${h['webhook-timestamp']}.${body}`).digest('base64');
  return h['webhook-signature'].split(' ').map((s, i) => (s === `v1,${want}` ? i : -1)).filter((i) => i >= 0);
}

const ENV = {
  KAM_WEBHOOK_ALLOW: '127.0.0.1', KAM_WEBHOOK_RETRY_SECONDS: '1', KAM_WEBHOOK_ATTEMPTS: '3',
  KAM_WEBHOOK_POLL_MS: '100', KAM_WEBHOOK_TIMEOUT: '2', KAM_JOB_INTERVAL: '3600',
  KAM_PUBLIC_URL: 'https://kam.example.com/',
};

const { t, db } = demoDb();
cleanup.push(() => t.rm());
const tok = tokens(db, ['admin', 'anna', 'director']);
let srv = await serve(db, ENV);
cleanup.push(() => srv.stop());
const call = (who, method, path, body) => api(srv.url, tok[who], method, path, body);
const hook = async (body) => {
  const r = await call('admin', 'POST', '/api/v1/webhooks', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
};
const rx = await receiver();

test('admins manage endpoints: the secret is shown once, others are refused, and private destinations get a 400 problem naming url', async () => {
  const h = await hook({ url: `${rx.base}/crud`, events: ['account.created', 'alert.opened'], description: 'CRM sync' });
  assert.match(h.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from(h.secret.slice(6), 'base64').length, 32);
  assert.deepEqual(h.events, ['alert.opened', 'account.created']);
  assert.equal(h.format, 'standard');
  assert.equal(h.enabled, true);
  const got = await call('admin', 'GET', `/api/v1/webhooks/${h.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.json.secret, undefined, 'the secret is not shown again');
  const list = await call('admin', 'GET', '/api/v1/webhooks');
  assert.ok(list.json.items.some((w) => w.id === h.id && w.secret === undefined));
  assert.ok(list.json.events.includes('opportunity.won'));
  const p = await call('admin', 'PATCH', `/api/v1/webhooks/${h.id}`, { events: ['account.updated'], enabled: false, format: 'slack' });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual([p.json.events, p.json.enabled, p.json.format], [['account.updated'], false, 'slack']);
  for (const who of ['anna', 'director']) {
    assert.equal((await call(who, 'GET', '/api/v1/webhooks')).status, 403);
    assert.equal((await call(who, 'POST', '/api/v1/webhooks', { url: `${rx.base}/x`, events: ['account.created'] })).status, 403);
    assert.equal((await call(who, 'POST', `/api/v1/webhooks/${h.id}/rotate`)).status, 403);
  }
  for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/hook',
    'http://[::ffff:10.0.0.1]/x', 'http://0.0.0.0/x', 'http://192.168.1.10/x', 'http://[fe80::1]/x', 'http://[fd00::1]/x',
    'http://224.0.0.1/x', 'ftp://example.com/x', 'file:///etc/passwd', 'not a url']) {
    const r = await call('admin', 'POST', '/api/v1/webhooks', { url, events: ['account.created'] });
    assert.equal(r.status, 400, `${url}: ${r.text}`);
    assert.equal(r.json.errors?.[0]?.field ?? r.json.field, 'url', r.text);
  }
  const bad = await call('admin', 'POST', '/api/v1/webhooks', { url: `${rx.base}/x`, events: ['account.exploded'] });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /events/);
  assert.equal((await call('admin', 'PATCH', `/api/v1/webhooks/${h.id}`, { url: 'http://10.1.2.3/' })).status, 400);
  assert.equal((await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`)).status, 204);
  assert.equal((await call('admin', 'GET', `/api/v1/webhooks/${h.id}`)).status, 404);
});

test('an account created, changed and an opportunity won arrive signed with the endpoint secret, webhook-id stable and the resource as the API gives it', async () => {
  const h = await hook({ url: `${rx.base}/signed`, events: ['account.created', 'account.updated', 'opportunity.won'] });
  const acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Signed Sealed GmbH' })).json;
  const patched = await api(srv.url, tok.anna, 'PATCH', `/api/v1/accounts/${acc.id}`, { region: 'DACH' }, { 'If-Match': '*' });
  assert.equal(patched.status, 200, patched.text);
  const opp = await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'Big deal', kind: 'new_business', amount: 5000, currency: acc.currency, expected_close_on: '2030-01-01' });
  assert.equal(opp.status, 201, opp.text);
  const won = await api(srv.url, tok.anna, 'PATCH', `/api/v1/opportunities/${opp.json.id}`, { stage: 'won' }, { 'If-Match': '*' });
  assert.equal(won.status, 200, won.text);
  const got = await until('three events', () => (rx.at('/signed').length >= 3 ? rx.at('/signed') : null));
  assert.deepEqual(got.map((g) => g.json.type), ['account.created', 'account.updated', 'opportunity.won']);
  for (const g of got) {
    assert.deepEqual(verify(h.secret, g.headers, g.body), [0], 'signed with the secret');
    assert.match(g.headers['webhook-id'], /^msg_\d+$/);
    assert.ok(Math.abs(Number(g.headers['webhook-timestamp']) - Date.now() / 1000) < 300);
    assert.equal(g.headers['content-type'], 'application/json');
    assert.equal(g.json.version, 1);
    assert.match(g.json.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  // data is the record exactly as the API answered it (decorations included)
  assert.deepEqual(got[0].json.data, acc);
  assert.deepEqual(got[2].json.data, won.json);
  assert.equal(got[1].json.data.region, 'DACH');
  assert.equal(got[2].json.data.id, opp.json.id);
  assert.equal(got[2].json.data.stage, 'won');
  assert.deepEqual(got[2].json.previous, { stage: opp.json.stage });
  // a tampered body does not verify
  assert.deepEqual(verify(h.secret, got[0].headers, got[0].body.replace('Signed', 'Forged')), []);
  // the delivery log: one attempt each, with its code
  const log = await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries`);
  assert.equal(log.status, 200);
  assert.equal(log.json.items.length, 3);
  assert.ok(log.json.items.every((d) => d.state === 'delivered' && d.attempt_log.length === 1 && d.attempt_log[0].status_code === 200));
  assert.ok(log.json.items.every((d) => d.attempt_log[0].response.length === 1024), 'the answer is kept to 1 KiB');
  assert.deepEqual(log.json.items.map((d) => d.webhook_id).reverse(), got.map((g) => g.headers['webhook-id']));
  const page = await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries?limit=2`);
  assert.equal(page.json.items.length, 2);
  const rest = await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries?limit=2&cursor=${page.json.next}`);
  assert.equal(rest.json.items.length, 1);
  assert.equal(rest.json.next, null);
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('after a rotation both secrets sign for the overlap; ping sends a test event; replay sends the same webhook-id again', async () => {
  const h = await hook({ url: `${rx.base}/rotate`, events: ['account.created'] });
  const r = await call('admin', 'POST', `/api/v1/webhooks/${h.id}/rotate`);
  assert.equal(r.status, 200, r.text);
  assert.notEqual(r.json.secret, h.secret);
  assert.ok(new Date(r.json.previous_secret_valid_until) - Date.now() > 23 * 3600e3);
  const ping = await call('admin', 'POST', `/api/v1/webhooks/${h.id}/test`);
  assert.equal(ping.status, 202, ping.text);
  const g = await until('the ping', () => rx.at('/rotate')[0]);
  assert.equal(g.json.type, 'ping');
  assert.equal(g.headers['webhook-signature'].split(' ').length, 2);
  assert.deepEqual(verify(r.json.secret, g.headers, g.body), [0]);
  assert.deepEqual(verify(h.secret, g.headers, g.body), [1]);
  const again = await call('admin', 'POST', `/api/v1/webhooks/deliveries/${ping.json.id}/replay`);
  assert.equal(again.status, 202, again.text);
  const g2 = await until('the replay', () => rx.at('/rotate')[1]);
  assert.equal(g2.headers['webhook-id'], g.headers['webhook-id']);
  assert.equal(g2.body, g.body);
  assert.equal((await call('anna', 'POST', `/api/v1/webhooks/deliveries/${ping.json.id}/replay`)).status, 403);
  assert.equal((await call('admin', 'POST', '/api/v1/webhooks/deliveries/999999/replay')).status, 404);
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('a 500 is retried with the same webhook-id and later events wait for it: the endpoint receives them in order', async () => {
  const h = await hook({ url: `${rx.base}/order`, events: ['account.created'] });
  let fails = 2;
  rx.plans.set('/order', (r) => (r.json?.data?.name === 'Order 1' && fails-- > 0 ? 500 : 200));
  for (let i = 1; i <= 3; i++) assert.equal((await call('anna', 'POST', '/api/v1/accounts', { name: `Order ${i}` })).status, 201);
  const got = await until('three delivered', () => (rx.at('/order').filter((g) => g.json.data.name === 'Order 3').length ? rx.at('/order') : null));
  assert.deepEqual(got.map((g) => g.json.data.name), ['Order 1', 'Order 1', 'Order 1', 'Order 2', 'Order 3']);
  assert.equal(new Set(got.slice(0, 3).map((g) => g.headers['webhook-id'])).size, 1, 'a retry keeps its webhook-id');
  const log = (await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries`)).json.items;
  const first = log.find((d) => d.payload.data.name === 'Order 1');
  assert.deepEqual(first.attempt_log.map((a) => a.status_code).reverse(), [500, 500, 200]);
  assert.equal(first.state, 'delivered');
  assert.ok(first.attempt_log.every((a) => typeof a.duration_ms === 'number'));
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('an endpoint that keeps failing is turned off and says why; enabled again it gets what waited, in order', async () => {
  const h = await hook({ url: `${rx.base}/dead`, events: ['account.created'] });
  rx.plans.set('/dead', 503);
  await call('anna', 'POST', '/api/v1/accounts', { name: 'Dead 1' });
  await call('anna', 'POST', '/api/v1/accounts', { name: 'Dead 2' });
  const off = await until('turned off', async () => {
    const w = (await call('admin', 'GET', `/api/v1/webhooks/${h.id}`)).json;
    return w.enabled === false ? w : null;
  });
  assert.match(off.disabled_reason, /3 failed attempts of msg_\d+: HTTP 503/);
  assert.ok(off.disabled_at);
  const list = (await call('admin', 'GET', '/api/v1/webhooks')).json.items.find((w) => w.id === h.id);
  assert.equal(list.failed, 1);
  assert.equal(list.pending, 1, 'the later event waits');
  assert.equal(rx.at('/dead').filter((g) => g.json.data.name === 'Dead 2').length, 0);
  const metrics = await call('admin', 'GET', '/metrics');
  assert.match(metrics.text, /kam_webhook_deliveries_total\{outcome="failed"\} [1-9]/);
  // a webhook is not an undelivered mail
  assert.equal((await call('admin', 'GET', '/api/v1/outbox?state=failed')).json.failed, 0);
  assert.match(metrics.text, /kam_webhook_deliveries_total\{outcome="retry"\} [1-9]/);
  // fixed: the admin replays the failed one and turns the endpoint on
  rx.plans.set('/dead', 200);
  const failed = (await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries`)).json.items.find((d) => d.state === 'failed');
  assert.equal((await call('admin', 'POST', `/api/v1/webhooks/deliveries/${failed.id}/replay`)).status, 202);
  const on = await call('admin', 'PATCH', `/api/v1/webhooks/${h.id}`, { enabled: true });
  assert.equal(on.json.disabled_reason, null);
  const ok = await until('both delivered', () => (rx.at('/dead').some((g) => g.json.data.name === 'Dead 2') ? rx.at('/dead') : null));
  const tail = ok.slice(-2).map((g) => g.json.data.name);
  assert.deepEqual(tail, ['Dead 1', 'Dead 2']);
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('a redirect is not followed: the attempt fails with its 3xx and the target is never called', async () => {
  const h = await hook({ url: `${rx.base}/moved`, events: ['account.created'] });
  rx.plans.set('/moved', { status: 302, headers: { Location: `${rx.base}/target` } });
  await call('anna', 'POST', '/api/v1/accounts', { name: 'Redirected' });
  const d = await until('a 302 logged', async () => {
    const items = (await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries`)).json.items;
    return items[0]?.attempt_log?.[0]?.status_code === 302 ? items[0] : null;
  });
  assert.match(d.attempt_log[0].error, /redirect/);
  assert.equal(rx.at('/target').length, 0);
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('a receiver that does not answer in time fails the attempt (KAM_WEBHOOK_TIMEOUT, 10 s by default) with no code', async () => {
  const h = await hook({ url: `${rx.base}/silent`, events: ['account.created'] });
  rx.plans.set('/silent', { hang: true });
  await call('anna', 'POST', '/api/v1/accounts', { name: 'Silent' });
  const d = await until('a timed-out attempt', async () => {
    const items = (await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries`)).json.items;
    return items[0]?.attempt_log?.length ? items[0] : null;
  });
  assert.equal(d.attempt_log[0].status_code, null);
  assert.match(d.attempt_log[0].error, /Timeout/i);
  assert.equal(d.state, 'pending', 'tried again later');
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('Slack and Teams formats get a readable message with a link into the app, stored text escaped', async () => {
  const s = await hook({ url: `${rx.base}/slack`, events: ['account.created'], format: 'slack' });
  const m = await hook({ url: `${rx.base}/teams`, events: ['account.created'], format: 'teams' });
  const acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Evil <!channel> & <http://x|y>' })).json;
  const sl = await until('slack', () => rx.at('/slack')[0]);
  assert.deepEqual(Object.keys(sl.json), ['text']);
  assert.equal(sl.json.text, `*Account created*: <https://kam.example.com/#/accounts/${acc.id}|Evil &lt;!channel&gt; &amp; &lt;http://x|y&gt;>`);
  assert.deepEqual(verify(s.secret, sl.headers, sl.body), [0]);
  const tm = await until('teams', () => rx.at('/teams')[0]);
  assert.equal(tm.json['@type'], 'MessageCard');
  assert.match(tm.json.text, /\*\*Account created\*\*: \[Evil &lt;!channel&gt; &amp; &lt;http:\/\/x\|y&gt;\]\(https:\/\/kam\.example\.com\/#\/accounts\/\d+\)/);
  await call('admin', 'DELETE', `/api/v1/webhooks/${s.id}`);
  await call('admin', 'DELETE', `/api/v1/webhooks/${m.id}`);
});

test('an import sends import.finished (and its accounts account.created); a resolved alert sends alert.resolved and its return alert.opened', async () => {
  const h = await hook({ url: `${rx.base}/misc`, events: ['import.finished', 'account.created', 'alert.opened', 'alert.resolved'] });
  const r = await fetch(`${srv.url}/api/v1/imports?kind=accounts`, { method: 'POST', headers: { Authorization: `Bearer ${tok.admin}`, 'Content-Type': 'text/csv' }, body: 'name\nImported One\nImported Two\n' });
  assert.equal(r.status, 201, await r.text());
  const imp = await until('import.finished', () => rx.at('/misc').find((g) => g.json.type === 'import.finished'));
  assert.equal(imp.json.data.kind, 'accounts');
  assert.equal(imp.json.data.created, 2);
  assert.deepEqual(rx.at('/misc').filter((g) => g.json.type === 'account.created').map((g) => g.json.data.name).sort(), ['Imported One', 'Imported Two']);
  const alerts = (await call('admin', 'GET', '/api/v1/alerts?state=open&limit=5')).json.items;
  assert.ok(alerts.length > 0, 'the demo has open alerts');
  const a = alerts.find((x) => x.account_id) || alerts[0];
  const res = await api(srv.url, tok.admin, 'PATCH', `/api/v1/alerts/${a.id}`, { state: 'resolved' }, { 'If-Match': '*' });
  assert.equal(res.status, 200, res.text);
  const gone = await until('alert.resolved', () => rx.at('/misc').find((g) => g.json.type === 'alert.resolved'));
  assert.equal(gone.json.data.id, a.id);
  assert.equal(gone.json.data.state, 'resolved');
  assert.ok(gone.json.data.rule_label);
  const ev = await call('admin', 'POST', '/api/v1/alerts/evaluate');
  assert.equal(ev.status, 200, ev.text);
  assert.ok(ev.json.opened >= 1, ev.text);
  const back = await until('alert.opened', () => rx.at('/misc').find((g) => g.json.type === 'alert.opened'));
  assert.equal(back.json.data.rule, a.rule);
  assert.equal(back.json.data.state, 'open');
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('the events alert rules stand for go out with their alert; a score that moves the tier sends account.tier_changed, a key account segment_changed', async () => {
  const derived = { sla_breach: 'case.sla_breached', detractor: 'survey.detractor', overdue_action: 'action.overdue', review_overdue: 'plan.review_due' };
  const h = await hook({ url: `${rx.base}/rules`, events: ['alert.opened', ...Object.values(derived), 'account.tier_changed', 'account.segment_changed'] });
  const open = (await call('admin', 'GET', '/api/v1/alerts?state=open&limit=500')).json.items.filter((a) => derived[a.rule]);
  assert.ok(open.length > 0, 'the demo has alerts of these rules');
  const rules = [...new Set(open.map((a) => a.rule))];
  const picked = rules.map((r) => open.find((a) => a.rule === r));
  for (const a of picked) {
    const r = await api(srv.url, tok.admin, 'PATCH', `/api/v1/alerts/${a.id}`, { state: 'resolved' }, { 'If-Match': '*' });
    assert.equal(r.status, 200, r.text);
  }
  assert.equal((await call('admin', 'POST', '/api/v1/alerts/evaluate')).status, 200);
  for (const a of picked) {
    const ev = await until(derived[a.rule], () => rx.at('/rules').find((g) => g.json.type === derived[a.rule] && g.json.data.account_id === a.account_id));
    assert.equal(ev.json.data.rule, a.rule);
    const opened = rx.at('/rules').find((g) => g.json.type === 'alert.opened' && g.json.data.id === ev.json.data.id);
    assert.ok(opened, 'the same alert went out as alert.opened');
  }
  // an account whose criteria all go to 5 climbs a tier at once (the score settles on write)
  const acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Climber AG', strategic_importance: 1, growth_potential: 1, industry_influence: 1 })).json;
  const up = await api(srv.url, tok.anna, 'PATCH', `/api/v1/accounts/${acc.id}`, { strategic_importance: 5, growth_potential: 5, industry_influence: 5 }, { 'If-Match': '*' });
  assert.equal(up.status, 200, up.text);
  assert.notEqual(up.json.tier, acc.tier, `${acc.tier} → ${up.json.tier}`);
  const tc = await until('account.tier_changed', () => rx.at('/rules').find((g) => g.json.type === 'account.tier_changed' && g.json.data.id === acc.id));
  assert.deepEqual([tc.json.previous.tier, tc.json.data.tier], [acc.tier, up.json.tier]);
  assert.equal(up.json.tier, 'key');
  // a key account gets a matrix segment at the next refresh
  assert.equal((await call('admin', 'POST', '/api/v1/alerts/evaluate')).status, 200);
  const sc = await until('account.segment_changed', () => rx.at('/rules').find((g) => g.json.type === 'account.segment_changed' && g.json.data.id === acc.id));
  assert.equal(sc.json.previous.segment, null);
  assert.ok(sc.json.data.segment);
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('an event is not lost across a kill -9 of the sending server: after the restart it arrives with the same webhook-id; without the allow-list delivery to 127.0.0.1 is refused', async () => {
  const h = await hook({ url: `${rx.base}/crash`, events: ['account.created'] });
  rx.plans.set('/crash', { hang: true });
  assert.equal((await call('anna', 'POST', '/api/v1/accounts', { name: 'Crash Test' })).status, 201);
  const first = await until('the first attempt', () => rx.at('/crash')[0]);
  srv.proc.kill('SIGKILL');
  await new Promise((r) => (srv.proc.exitCode !== null || srv.proc.signalCode !== null ? r() : srv.proc.on('exit', r)));
  rx.plans.set('/crash', 200);
  // without KAM_WEBHOOK_ALLOW the same endpoint is refused at delivery time
  const { KAM_WEBHOOK_ALLOW, ...strict } = ENV;
  void KAM_WEBHOOK_ALLOW;
  srv = await serve(db, { ...strict, KAM_WEBHOOK_ATTEMPTS: '50' });
  const refused = await until('a refused attempt', async () => {
    const items = (await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries`)).json.items;
    return items[0]?.attempt_log?.some((a) => /refused/.test(a.error || '')) ? items[0] : null;
  }, 300);
  assert.match(refused.attempt_log[0].error, /refused: the URL goes to 127\.0\.0\.1/);
  assert.equal(rx.at('/crash').length, 1);
  await srv.stop();
  srv = await serve(db, ENV);
  const again = await until('redelivered', () => rx.at('/crash')[1], 600);
  assert.equal(again.headers['webhook-id'], first.headers['webhook-id']);
  assert.equal(again.body, first.body);
  assert.deepEqual(verify(h.secret, again.headers, again.body), [0]);
  const d = await until('marked delivered', async () => {
    const items = (await call('admin', 'GET', `/api/v1/webhooks/${h.id}/deliveries`)).json.items;
    return items[0]?.state === 'delivered' ? items[0] : null;
  });
  assert.equal(d.webhook_id, first.headers['webhook-id']);
  await call('admin', 'DELETE', `/api/v1/webhooks/${h.id}`);
});

test('with mail set up, the admins get a mail when kam turns an endpoint off', async () => {
  const d = demoDb();
  cleanup.push(() => d.t.rm());
  const dir = join(d.t.dir, 'mail');
  const smtp = spawn('/usr/bin/python3', [new URL('../lib/smtpd.py', import.meta.url).pathname, dir, '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  cleanup.push(() => new Promise((r) => { if (smtp.exitCode !== null) return r(); smtp.on('exit', r); smtp.kill('SIGTERM'); }));
  const port = await new Promise((resolve) => { let out = ''; smtp.stdout.on('data', (x) => { out += x; const m = out.match(/listening (\d+)/); if (m) resolve(m[1]); }); });
  const k = tokens(d.db, ['admin']);
  const s = await serve(d.db, { ...ENV, KAM_WEBHOOK_ATTEMPTS: '1', KAM_JOB_INTERVAL: '1', KAM_SMTP_URL: `smtp://127.0.0.1:${port}`, KAM_SMTP_TLS: 'none', KAM_MAIL_FROM: 'kam <kam@example.com>' });
  cleanup.push(() => s.stop());
  rx.plans.set('/gone', 410);
  const h = (await api(s.url, k.admin, 'POST', '/api/v1/webhooks', { url: `${rx.base}/gone`, events: ['account.created'] })).json;
  await api(s.url, k.admin, 'POST', `/api/v1/webhooks/${h.id}/test`);
  const mail = await until('the mail', () => {
    if (!existsSync(dir)) return null;
    const m = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    return m.find((x) => /webhook was turned off/.test(x.subject));
  });
  assert.deepEqual(mail.rcpt_tos, ['admin@example.com']);
  assert.match(mail.subject, new RegExp(`A webhook was turned off: ${rx.base}/gone`));
  assert.match(mail.text, /HTTP 410/);
  assert.match(mail.text, /https:\/\/kam\.example\.com\/#\/settings/);
});
