// The plan's context (issue 17): the customer's strategic initiatives, a SWOT, and the
// competitors present at the account with their share; all editable and in the plan document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, acc, plan;
const tok = {};
const XSS = '<script>alert("x")</script> Rivalis';

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'viewer', 'director'], 'context'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
  acc = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Kontext Maschinenbau GmbH' })).json;
  const year = new Date().getUTCFullYear();
  const r = await call('anna', 'POST', '/api/v1/plans', { account_id: acc.id, title: 'Context plan', period_start: `${year}-01-01`, period_end: `${year}-12-31` });
  assert.equal(r.status, 201, r.text);
  plan = r.json;
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (u, method, path, body) => api(srv.url, tok[u], method, path, body);

test('a plan keeps its initiatives and SWOT, bounded in length, with the change in the audit log', async () => {
  const body = {
    initiatives: 'Move to electric drives by 2028\nHalve scrap',
    swot_strengths: 'Installed base in all three plants',
    swot_weaknesses: 'No service team in Poland',
    swot_opportunities: 'Retrofit programme',
    swot_threats: 'Rivalis undercuts on price',
  };
  let r = await call('anna', 'PATCH', `/api/v1/plans/${plan.id}`, body);
  assert.equal(r.status, 200, r.text);
  r = await call('anna', 'GET', `/api/v1/plans/${plan.id}`);
  for (const [k, v] of Object.entries(body)) assert.equal(r.json[k], v, k);
  const audit = await call('director', 'GET', `/api/v1/audit?entity=plan&id=${plan.id}`);
  assert.equal(audit.json.items[0].action, 'update');
  assert.equal(audit.json.items[0].after.swot_threats, 'Rivalis undercuts on price');
  r = await call('anna', 'PATCH', `/api/v1/plans/${plan.id}`, { swot_threats: 'x'.repeat(2001) });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'swot_threats');
  r = await call('anna', 'PATCH', `/api/v1/plans/${plan.id}`, { initiatives: 'x'.repeat(5001) });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'initiatives');
  assert.equal((await call('anna', 'PATCH', `/api/v1/plans/${plan.id}`, { initiatives: 'x'.repeat(5000) })).status, 200);
  assert.equal((await call('anna', 'PATCH', `/api/v1/plans/${plan.id}`, { initiatives: body.initiatives })).status, 200);
  assert.equal((await call('viewer', 'PATCH', `/api/v1/plans/${plan.id}`, { swot_threats: 'no' })).status, 403);
});

test('competitors: created, listed, changed and deleted; their shares add up to at most 100', async () => {
  const add = (u, b) => call(u, 'POST', '/api/v1/competitors', { account_id: acc.id, ...b });
  let r = await add('anna', { name: 'Rivalis AG', share_percent: 40, products: 'Drives', notes: 'cheap' });
  assert.equal(r.status, 201, r.text);
  const a = r.json;
  r = await add('anna', { name: 'Other Co', share_percent: 50 });
  assert.equal(r.status, 201, r.text);
  const b = r.json;
  // 40 + 50 + 20 > 100
  r = await add('anna', { name: 'Third', share_percent: 20 });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'share_percent');
  assert.match(r.json.errors[0].message ?? r.json.detail, /100/);
  // 10 fits; a share not known is no share
  assert.equal((await add('anna', { name: 'Small', share_percent: 10 })).status, 201);
  const unknown = (await add('anna', { name: 'Unknown share' })).json;
  assert.equal(unknown.share_percent, null);
  // raising its own share counts the others, not its old value
  r = await call('anna', 'PATCH', `/api/v1/competitors/${a.id}`, { share_percent: 41 });
  assert.equal(r.status, 400);
  r = await call('anna', 'PATCH', `/api/v1/competitors/${a.id}`, { share_percent: 35 });
  assert.equal(r.status, 200, r.text);
  r = await call('anna', 'PATCH', `/api/v1/competitors/${a.id}`, { share_percent: 40 });
  assert.equal(r.status, 200, r.text);
  for (const share_percent of [-1, 101, 2.5, '3']) {
    r = await add('anna', { name: 'Bad', share_percent });
    assert.equal(r.status, 400, String(share_percent));
    assert.equal(r.json.errors[0].field, 'share_percent');
  }
  r = await add('anna', { name: '' });
  assert.equal(r.status, 400);
  r = await add('anna', { name: 'x'.repeat(201) });
  assert.equal(r.json.errors[0].field, 'name');
  r = await call('anna', 'GET', `/api/v1/competitors?account_id=${acc.id}`);
  assert.deepEqual(r.json.items.map((c) => [c.name, c.share_percent]), [['Rivalis AG', 40], ['Other Co', 50], ['Small', 10], ['Unknown share', null]]);
  assert.equal((await call('anna', 'DELETE', `/api/v1/competitors/${b.id}`)).status, 204);
  assert.equal((await add('anna', { name: XSS, share_percent: 30 })).status, 201);
  const audit = await call('director', 'GET', `/api/v1/audit?entity=competitor&id=${a.id}`);
  assert.deepEqual(audit.json.items.map((x) => x.action).slice(0, 2), ['update', 'update']);
});

test('who sees and who writes competitors: another KAM gets a missing record; a viewer reads only', async () => {
  const mine = (await call('anna', 'GET', `/api/v1/competitors?account_id=${acc.id}`)).json.items[0];
  const other = await call('ben', 'GET', `/api/v1/competitors/${mine.id}`);
  const missing = await call('ben', 'GET', '/api/v1/competitors/99999999');
  assert.equal(other.status, 404);
  assert.deepEqual({ ...other.json, instance: null }, { ...missing.json, instance: null });
  assert.equal((await call('ben', 'PATCH', `/api/v1/competitors/${mine.id}`, { notes: 'x' })).status, 404);
  // on an account he cannot see: the answer of an account that does not exist
  const post = await call('ben', 'POST', '/api/v1/competitors', { account_id: acc.id, name: 'B' });
  const none = await call('ben', 'POST', '/api/v1/competitors', { account_id: 99999999, name: 'B' });
  assert.equal(post.status, none.status);
  assert.deepEqual(post.json.errors, none.json.errors);
  assert.equal((await call('ben', 'GET', `/api/v1/competitors?account_id=${acc.id}`)).json.items?.length ?? 0, 0);
  assert.equal((await call('viewer', 'GET', `/api/v1/competitors/${mine.id}`)).status, 200);
  assert.equal((await call('viewer', 'POST', '/api/v1/competitors', { account_id: acc.id, name: 'V' })).status, 403);
  assert.equal((await call('viewer', 'PATCH', `/api/v1/competitors/${mine.id}`, { notes: 'v' })).status, 403);
  assert.equal((await call('viewer', 'DELETE', `/api/v1/competitors/${mine.id}`)).status, 403);
});

test('the plan document shows the initiatives, the SWOT and the competitors with their share, escaped', async () => {
  const r = await fetch(`${srv.url}/api/v1/plans/${plan.id}/document?format=html`, { headers: { Authorization: `Bearer ${tok.anna}` } });
  assert.equal(r.status, 200);
  const html = await r.text();
  assert.match(html, /Customer's strategic initiatives<\/h2><p class="pre">Move to electric drives by 2028\nHalve scrap/);
  for (const s of ['<h2>SWOT</h2>', 'Installed base in all three plants', 'No service team in Poland', 'Retrofit programme', 'Rivalis undercuts on price',
    'Competitors at the account', '<td>Rivalis AG</td><td>40 %</td><td>Drives</td>', '<td>Small</td><td>10 %</td>', 'Competitors hold 80 % of the account']) {
    assert.ok(html.includes(s), s);
  }
  assert.ok(!html.includes('<script>alert'), 'a competitor name is escaped');
  assert.ok(html.includes('&lt;script&gt;alert('));
  const pdf = await fetch(`${srv.url}/api/v1/plans/${plan.id}/document?format=pdf`, { headers: { Authorization: `Bearer ${tok.anna}` } });
  assert.equal(pdf.status, 200);
  const { execFileSync } = await import('node:child_process');
  const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(await pdf.arrayBuffer()), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  for (const s of ['Customer\'s initiatives: Move to electric drives', 'Strengths: Installed base', 'Threats: Rivalis undercuts', 'Rivalis AG 40%']) assert.ok(text.includes(s), `${s} in\n${text}`);
  assert.equal(text.split('\f').filter((p) => p.trim()).length, 1, 'one page');
});

test('a plan with no context has none of those parts in its document', async () => {
  const year = new Date().getUTCFullYear();
  const other = (await call('anna', 'POST', '/api/v1/accounts', { name: 'Bare Account' })).json;
  const p = (await call('anna', 'POST', '/api/v1/plans', { account_id: other.id, title: 'Bare', period_start: `${year}-01-01`, period_end: `${year}-12-31` })).json;
  const html = await (await fetch(`${srv.url}/api/v1/plans/${p.id}/document?format=html`, { headers: { Authorization: `Bearer ${tok.anna}` } })).text();
  for (const s of ['SWOT', 'strategic initiatives', 'Competitors at the account']) assert.ok(!html.includes(s), s);
});
