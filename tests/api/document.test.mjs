// The account plan as a one-page document: GET /api/v1/plans/{id}/document?format=pdf|html
// and `kam report plan`. What a reader sees: the PDF's text (pdftotext) and the HTML page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { kam, serve, api, login, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, plan, account;
const tok = {};
const NAME = 'Zürich Ölwerke AG';
const XSS = '<script>alert("x")</script> Jörg';

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'mia', 'director'], 'doc'));
  srv = await serve(db);
  const call = (m, p, b) => api(srv.url, tok.anna, m, p, b);
  const ok = (r, want = 201) => { assert.equal(r.status, want, r.text); return r.json; };
  // a fresh account of Anna's with one of everything the page shows
  account = ok(await call('POST', '/api/v1/accounts', { name: NAME, industry: 'Energy', strategic_importance: 5 }));
  const year = new Date().getUTCFullYear();
  plan = ok(await call('POST', '/api/v1/plans', {
    account_id: account.id, title: 'Grow with Ölwerke', period_start: `${year}-01-01`, period_end: `${year}-12-31`,
    status: 'active', situation: 'Procurement is consolidating suppliers; the new COO favours fewer, deeper partnerships.',
  }));
  ok(await call('POST', '/api/v1/objectives', { plan_id: plan.id, title: 'Win the pipeline-inspection tender', metric: 'tenders', baseline: 0, target: 4, current: 2 }));
  ok(await call('POST', '/api/v1/actions', { plan_id: plan.id, title: 'Workshop with the COO', due_on: '2020-01-15', status: 'open', owner_id: 3 }));
  ok(await call('POST', '/api/v1/actions', { plan_id: plan.id, title: 'Send the reference list', due_on: `${year + 1}-06-30` }));
  ok(await call('POST', '/api/v1/contacts', { account_id: account.id, name: 'Ingrid Håkansson', title: 'Chief Operating Officer', influence: 5, attitude: 'champion' }));
  ok(await call('POST', '/api/v1/contacts', { account_id: account.id, name: XSS, title: 'Buyer', influence: 4, attitude: 'critic' }));
  ok(await call('POST', '/api/v1/risks', { account_id: account.id, title: 'Champion may retire next spring', category: 'relationship', probability: 4, impact: 5 }));
  ok(await call('POST', '/api/v1/risks', { account_id: account.id, title: 'Old closed risk', category: 'financial', probability: 1, impact: 1, status: 'closed' }));
  // revenue two months ago: inside the twelve whole months the KPIs and the chart cover
  const d = new Date(); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() - 2);
  ok(await api(srv.url, tok.director, 'POST', '/api/v1/transactions', {
    account_id: account.id, booked_on: d.toISOString().slice(0, 10), amount: 1234500, currency: 'EUR',
  }));
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

async function get(who, path) {
  const r = await fetch(srv.url + path, { headers: { Authorization: `Bearer ${tok[who]}` } });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}
const pdftotext = (buf) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: buf, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });

test('the PDF is one A4 page with the account, plan, people, risks, KPIs and the revenue chart', async () => {
  const r = await get('anna', `/api/v1/plans/${plan.id}/document`);
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.match(r.headers.get('content-disposition'), /^inline; filename="plan-[a-z0-9-]+-\d{4}\.pdf"$/);
  assert.equal(r.body.subarray(0, 5).toString(), '%PDF-');
  const info = execFileSync('pdfinfo', ['-'], { input: r.body, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  assert.match(info, /Pages:\s+1\n/);
  assert.match(info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  const text = pdftotext(r.body);
  for (const want of [NAME, 'Grow with Ölwerke', 'Procurement is consolidating suppliers', 'Anna Berg',
    'Win the pipeline-inspection tender', '50%', 'Workshop with the COO', 'OVERDUE', 'Send the reference list',
    'Ingrid Håkansson', 'Chief Operating Officer', 'champion', XSS, 'Champion may retire next spring',
    'Revenue, 12 months', 'EUR 12,345', 'Revenue by month'])
    assert.ok(text.includes(want), `the PDF shows ${want}:\n${text}`);
  assert.ok(!text.includes('Old closed risk'), 'closed risks stay off the page');
  // the overdue action is the one marked
  assert.match(text, /Workshop with the COO.*OVERDUE/);
  assert.doesNotMatch(text, /Send the reference list.*OVERDUE/);
});

test('the HTML page shows the same, escapes every stored string and runs no script', async () => {
  const r = await get('anna', `/api/v1/plans/${plan.id}/document?format=html`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(r.headers.get('content-disposition'), /^inline; filename="plan-[a-z0-9-]+-\d{4}\.html"$/);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /script-src/);
  const html = r.body.toString('utf8');
  assert.ok(html.startsWith('<!doctype html>'));
  for (const want of [NAME, 'Grow with Ölwerke', 'Win the pipeline-inspection tender', 'Workshop with the COO',
    'Ingrid Håkansson', 'Champion may retire next spring', 'Revenue by month', 'EUR 12,345', 'OVERDUE'])
    assert.ok(html.includes(want), `the HTML shows ${want}`);
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Jörg'), 'the stored script is shown as text');
  assert.ok(!/<script/i.test(html), 'no script element at all');
  assert.ok(!html.includes('Old closed risk'));
  assert.match(html, /<rect [^>]*height="[1-9]/, 'a revenue bar is drawn');
});

test('the document follows the plan\'s access rules: 404 for a kam not on the account, staff may read it', async () => {
  for (const who of ['ben', 'mia'])
    for (const f of ['pdf', 'html']) {
      const r = await get(who, `/api/v1/plans/${plan.id}/document?format=${f}`);
      assert.equal(r.status, 404, `${who} ${f}`);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.ok(!r.body.toString().includes(NAME));
    }
  assert.equal((await get('director', `/api/v1/plans/${plan.id}/document`)).status, 200);
  assert.equal((await get('anna', '/api/v1/plans/99999999/document')).status, 404);
  const anon = await fetch(`${srv.url}/api/v1/plans/${plan.id}/document`);
  assert.equal(anon.status, 401);
  // a browser session reads it with its cookie (a GET needs no CSRF token)
  const s = await login(srv.url, 'anna@example.com');
  const c = await fetch(`${srv.url}/api/v1/plans/${plan.id}/document?format=html`, { headers: { Cookie: s.cookie } });
  assert.equal(c.status, 200);
});

test('a format other than pdf or html, or an unknown parameter, is a 400 problem naming it', async () => {
  for (const [q, field] of [['format=docx', 'format'], ['format=', 'format'], ['format=pdf&page=2', 'page']]) {
    const r = await get('anna', `/api/v1/plans/${plan.id}/document?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const p = JSON.parse(r.body.toString());
    assert.equal(p.status, 400);
    assert.ok(p.errors.some((e) => e.field === field), JSON.stringify(p));
  }
});

test('kam report plan writes the same document for an account named or numbered', () => {
  const pdf = join(t.dir, 'plan.pdf');
  const out = kam(['report', 'plan', NAME, '--db', db, '--out', pdf]);
  assert.match(out, /wrote .*plan\.pdf/);
  const text = pdftotext(readFileSync(pdf));
  for (const want of [NAME, 'Win the pipeline-inspection tender', 'Workshop with the COO', 'Ingrid Håkansson', 'Revenue'])
    assert.ok(text.includes(want), `kam report plan shows ${want}`);
  const html = kam(['report', 'plan', String(account.id), '--format', 'html', '--out', '-', '--db', db]);
  assert.ok(html.includes('Champion may retire next spring'));
  assert.ok(html.includes('&lt;script&gt;') && !/<script/i.test(html));
  // the default file name follows the account, in the current directory
  const made = kam(['report', 'plan', NAME, '--db', db], { cwd: t.dir });
  const file = made.match(/wrote (\S+)/)[1];
  assert.match(file, /^plan-[a-z0-9-]+-\d{4}\.pdf$/);
  assert.equal(readFileSync(join(t.dir, file)).subarray(0, 5).toString(), '%PDF-');
  const fail = (args) => {
    try { kam(args); } catch (e) { return { code: e.status, err: e.stderr }; }
    assert.fail(`${args.join(' ')} should fail`);
  };
  let f = fail(['report', 'plan', 'No Such Account Ltd', '--db', db, '--out', join(t.dir, 'x.pdf')]);
  assert.equal(f.code, 1);
  assert.match(f.err, /no such account No Such Account Ltd/);
  f = fail(['report', 'plan', NAME, '--format', 'docx', '--db', db]);
  assert.equal(f.code, 2);
  f = fail(['report', 'plan', '--db', db]);
  assert.equal(f.code, 2);
});

test('kam report plan --as: the CLI has the access rules of the API', () => {
  // Ben is a kam not on Anna's account: for him it does not exist, by name or by number
  const fail = (args) => {
    try { kam(args); } catch (e) { return { code: e.status, err: e.stderr }; }
    assert.fail(`${args.join(' ')} should fail`);
  };
  for (const which of [NAME, String(account.id)]) {
    const f = fail(['report', 'plan', which, '--as', 'ben@example.com', '--db', db, '--out', join(t.dir, 'ben.pdf')]);
    assert.equal(f.code, 1);
    assert.match(f.err, new RegExp(`no such account ${which}`));
  }
  // the owner and the director get the document
  for (const who of ['anna', 'director']) {
    const html = kam(['report', 'plan', NAME, '--as', `${who}@example.com`, '--format', 'html', '--out', '-', '--db', db]);
    assert.ok(html.includes('Win the pipeline-inspection tender'), who);
  }
  const f = fail(['report', 'plan', NAME, '--as', 'nobody@example.com', '--db', db]);
  assert.equal(f.code, 1);
  assert.match(f.err, /no active user nobody@example.com/);
});
