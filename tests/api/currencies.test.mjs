// Money in each currency's own minor unit (ISO 4217: JPY 0 digits, EUR 2, KWD 3, CLF 4):
// GET /api/v1/currencies gives the table; a code outside it is refused by name wherever a
// currency is written (REST, bulk, import, settings); the plan document, files and the
// calendar feed show yen and dinars at their real size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PG, createDb, kam, serve, api, psql, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};
const started = [];

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'director', 'anna'], 'cur'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  for (const s of [srv, ...started]) if (s) assert.equal(await s.stop(), 0, s.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
const pdftotext = (buf) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: buf, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
async function upload(url, token, kind, csv) {
  const r = await fetch(`${url}/api/v1/imports?kind=${kind}`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body: csv,
  });
  return { status: r.status, json: await r.json() };
}
const sql = (d, q) => (PG ? psql(q, new URL(d).pathname.slice(1)) : execFileSync('sqlite3', [d, q], { encoding: 'utf8' }).trim());
const monthsAgo = (n) => { const d = new Date(); d.setUTCDate(5); d.setUTCMonth(d.getUTCMonth() - n); return d.toISOString().slice(0, 10); };

test('GET /api/v1/currencies lists ISO 4217 with each minor unit, for any signed-in user', async () => {
  const r = await call('anna', 'GET', '/api/v1/currencies');
  assert.equal(r.status, 200, r.text);
  const by = Object.fromEntries(r.json.items.map((c) => [c.code, c]));
  for (const [code, digits] of [['JPY', 0], ['KRW', 0], ['ISK', 0], ['HUF', 2], ['EUR', 2], ['KWD', 3], ['BHD', 3], ['CLF', 4], ['UYW', 4], ['XCG', 2], ['ZWG', 2]])
    assert.equal(by[code]?.digits, digits, code);
  assert.equal(by.EUR.status, 'active');
  assert.equal(by.XAU.status, 'no_minor_unit');
  assert.equal(by.HRK.status, 'withdrawn');
  assert.equal(r.json.items.filter((c) => c.status !== 'withdrawn').length, 178);
  assert.equal((await fetch(`${srv.url}/api/v1/currencies`)).status, 401);
});

test('a code that is not an ISO 4217 currency is refused by name on every way in, and nothing is stored', async () => {
  const acc = (await call('anna', 'GET', '/api/v1/accounts?limit=1&sort=name')).json.items[0];
  const before = (await call('director', 'GET', `/api/v1/transactions?account_id=${acc.id}&limit=500`)).json.items.length;
  const refused = async (r, field = 'currency') => {
    assert.equal(r.status, 400, r.text);
    assert.ok(r.json.errors.some((e) => e.field === field && /not an ISO 4217 currency/.test(e.message)), r.text);
  };
  await refused(await call('anna', 'POST', '/api/v1/accounts', { name: 'Zed Corp', currency: 'ZZZ' }));
  await refused(await call('anna', 'PATCH', `/api/v1/accounts/${acc.id}`, { currency: 'ABC' }));
  await refused(await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'x', kind: 'upsell', amount: 100, currency: 'DEM' }));
  await refused(await call('director', 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on: monthsAgo(1), amount: 100, currency: 'QQQ' }));
  await refused(await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'QQQ', valid_from: '2020-01-01', rate: 1.5 }));
  await refused(await call('admin', 'PATCH', '/api/v1/settings', { base_currency: 'QQQ' }), 'base_currency');
  const bulk = await fetch(`${srv.url}/api/v1/transactions/bulk`, { method: 'POST',
    headers: { Authorization: `Bearer ${tok.director}`, 'Content-Type': 'application/x-ndjson' },
    body: JSON.stringify({ account_id: acc.id, booked_on: monthsAgo(1), amount: 100, currency: 'QQQ', external_id: 'CUR-B1' }) + '\n' });
  const bj = await bulk.json();
  assert.equal(bj.created, 0, JSON.stringify(bj));
  assert.equal(bj.errors[0].field, 'currency');
  const imp = await upload(srv.url, tok.director, 'transactions',
    `external_id,account,booked_on,amount,currency\nCUR-1,${acc.name},${monthsAgo(1)},10.00,QQQ\nCUR-2,${acc.name},${monthsAgo(1)},10.00,EUR\n`);
  assert.equal(imp.status, 201, JSON.stringify(imp.json));
  assert.equal(imp.json.created, 1);
  assert.equal(imp.json.rejected, 1);
  assert.equal(imp.json.errors[0].column, 'currency', JSON.stringify(imp.json.errors));
  assert.match(imp.json.errors[0].message, /not an ISO 4217 currency/);
  const after = (await call('director', 'GET', `/api/v1/transactions?account_id=${acc.id}&limit=500`)).json.items;
  assert.equal(after.length, before + 1);
  assert.ok(!after.some((x) => x.currency === 'QQQ'));
  // withdrawn codes stay usable for history
  assert.equal((await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'HRK', valid_from: '2020-01-01', rate: 0.13 })).status, 201);
});

test('files read and write each currency\'s digits: 1500.50 HUF is 150050 fillér, 1.250 KWD 1250 fils', async () => {
  const acc = (await call('anna', 'GET', '/api/v1/accounts?limit=1&sort=name')).json.items[0];
  const imp = await upload(srv.url, tok.anna, 'opportunities',
    `name,account,kind,amount,currency\nForint deal,${acc.name},upsell,1500.50,HUF\nDinar deal,${acc.name},upsell,1.250,KWD\nYen deal,${acc.name},upsell,120000,JPY\n`);
  assert.equal(imp.status, 201, JSON.stringify(imp.json));
  assert.equal(imp.json.created, 3, JSON.stringify(imp.json));
  const opps = (await call('anna', 'GET', `/api/v1/opportunities?account_id=${acc.id}&limit=500`)).json.items;
  const amount = (n) => opps.find((o) => o.name === n).amount;
  assert.equal(amount('Forint deal'), 150050);
  assert.equal(amount('Dinar deal'), 1250);
  assert.equal(amount('Yen deal'), 120000);
  const csv = await (await fetch(`${srv.url}/api/v1/opportunities?account_id=${acc.id}&format=csv&limit=500`, { headers: { Authorization: `Bearer ${tok.anna}` } })).text();
  // amounts and weighted amounts (10% by default) alike
  assert.match(csv, /"Forint deal",.*,"1500\.5","HUF",.*,"150\.05"\r\n/);
  assert.match(csv, /"Dinar deal",.*,"1\.25","KWD",.*,"0\.125"\r\n/);
  assert.match(csv, /"Yen deal",.*,"120000","JPY",.*,"12000"\r\n/);
});

test('converting to the base currency tells the digits apart: ¥120,000 at 0.00625 is €750.00, by REST and import alike', async () => {
  const acc = (await call('anna', 'GET', '/api/v1/accounts?limit=1&sort=name')).json.items[0];
  assert.equal((await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'JPY', valid_from: '2000-01-01', rate: 0.00625 })).status, 201);
  assert.equal((await call('admin', 'POST', '/api/v1/fx-rates', { currency: 'KWD', valid_from: '2000-01-01', rate: 3 })).status, 201);
  const rest = await call('director', 'POST', '/api/v1/transactions', { account_id: acc.id, booked_on: monthsAgo(1), amount: 120000, currency: 'JPY' });
  assert.equal(rest.status, 201, rest.text);
  assert.equal(rest.json.amount_base, 75000);
  const imp = await upload(srv.url, tok.director, 'transactions',
    `external_id,account,booked_on,amount,currency\nCONV-1,${acc.name},${monthsAgo(1)},120000,JPY\nCONV-2,${acc.name},${monthsAgo(1)},1.000,KWD\n`);
  assert.equal(imp.json.created, 2, JSON.stringify(imp.json));
  const rows = (await call('director', 'GET', `/api/v1/transactions?account_id=${acc.id}&limit=500`)).json.items;
  assert.equal(rows.find((x) => x.external_id === 'CONV-1').amount_base, 75000);
  assert.equal(rows.find((x) => x.external_id === 'CONV-2').amount, 1000);
  assert.equal(rows.find((x) => x.external_id === 'CONV-2').amount_base, 300);
});

test('migration 017 recomputes yen rows stored at a hundredth of their worth, and their rollups', async () => {
  const d = PG ? createDb() : join(t.dir, 'm017.db');
  kam(['init', '--db', d]);
  kam(['user', 'add', '--email', 'boss@example.com', '--name', 'Boss', '--role', 'admin', '--password-stdin', '--db', d], { input: 'demo-password-1\n' });
  const tk = kam(['token', 'create', '--email', 'boss@example.com', '--name', 'm', '--db', d]).trim();
  let s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  const ok = async (m, p, b, want = 201) => { const r = await api(s.url, tk, m, p, b); assert.equal(r.status, want, r.text); return r.json; };
  const acc = await ok('POST', '/api/v1/accounts', { name: 'Osaka Denki', currency: 'JPY' });
  const other = await ok('POST', '/api/v1/accounts', { name: 'Lyon Textile' });
  await ok('POST', '/api/v1/fx-rates', { currency: 'JPY', valid_from: '2000-01-01', rate: 0.00625 });
  const yen = await ok('POST', '/api/v1/transactions', { account_id: acc.id, booked_on: monthsAgo(2), amount: 120000, currency: 'JPY' });
  await ok('POST', '/api/v1/transactions', { account_id: acc.id, booked_on: monthsAgo(2), amount: 10000, currency: 'EUR' });
  await ok('POST', '/api/v1/transactions', { account_id: other.id, booked_on: monthsAgo(2), amount: 5000, currency: 'EUR' });
  assert.equal(await s.stop(), 0);
  // the state a database written before this change is in: ¥120,000 counted as €7.50
  sql(d, `UPDATE transactions SET amount_base = 750 WHERE id = ${yen.id}`);
  sql(d, `UPDATE revenue_monthly SET amount = 10750 WHERE account_id = ${acc.id}`);
  sql(d, `UPDATE revenue_account_monthly SET amount = 10750 WHERE account_id = ${acc.id}`);
  // a database of that time stopped at 16 (migrations run in order from the highest applied)
  sql(d, 'DELETE FROM schema_migrations WHERE version >= 17');
  // ... and had none of the columns later migrations add (019: client share visibility, 020:
  // whether an account's health rests on enough data, 021: the node of an import, 022:
  // onboarding)
  sql(d, 'DROP INDEX transactions_opportunity');
  sql(d, 'DROP TABLE invitations');
  sql(d, 'DROP TABLE import_mappings');
  sql(d, 'DROP TABLE webhook_attempts'); // 024
  sql(d, 'DROP TABLE webhooks');
  sql(d, 'DROP TABLE outbox'); // 023
  sql(d, 'DROP TABLE notification_prefs');
  sql(d, 'DROP TABLE secrets');
  sql(d, 'DROP TABLE password_resets'); // 025
  sql(d, 'DROP TABLE digest_health');
  sql(d, 'DROP TABLE coverage'); // 030
  sql(d, 'DROP TABLE competitors'); // 031
  sql(d, 'DROP INDEX transactions_intra_group'); // 032
  for (const [tb, col] of [['accounts', 'group_totals_shared'], ['transactions', 'intra_group']]) sql(d, `ALTER TABLE ${tb} DROP COLUMN ${col}`);
  for (const ix of ['contacts_influential', 'contacts_left', 'contacts_attitude_changed']) sql(d, `DROP INDEX ${ix}`); // 037
  sql(d, 'DROP INDEX alerts_state_opened'); // 040
  sql(d, 'DROP INDEX actions_open_owner'); // 043 (it remakes accounts_owner itself)
  sql(d, 'DROP INDEX revenue_account_monthly_account'); // 044
  // 034: the client workspace
  for (const tb of ['survey_answers', 'survey_requests', 'review_agenda', 'workspace_comments', 'workspace_activity', 'workspace_sessions', 'workspace_links', 'client_members']) sql(d, `DROP TABLE ${tb}`);
  for (const [tb, col] of [['accounts', 'workspace_shares_revenue'], ['cases', 'contact_id'], ['actions', 'side'], ['reviews', 'joint'], ['reviews', 'proposed_on'], ['reviews', 'status'], ['reviews', 'client_proposed_on'], ['reviews', 'minutes'], ['reviews', 'published'], ['audit', 'member_id']]) sql(d, `ALTER TABLE ${tb} DROP COLUMN ${col}`);
  for (const tb of ['playbook_run_actions', 'playbook_runs', 'playbook_steps', 'playbooks']) sql(d, `DROP TABLE ${tb}`); // 026
  sql(d, 'DROP INDEX plans_group_plan'); // 033
  for (const [tb, col] of [['objectives', 'client_visible'], ['actions', 'client_visible'], ['shares', 'include_kpis'], ['accounts', 'health_enough_data'], ['products', 'list_price'], ['products', 'currency'], ['transactions', 'opportunity_id'], ['users', 'manager_id'], ['users', 'team'], ['imports', 'node'], ['contacts', 'left_on'], ['contacts', 'attitude_was'], ['contacts', 'attitude_changed_on'], ['objectives', 'measure'], ['plans', 'initiatives'], ['plans', 'swot_strengths'], ['plans', 'swot_weaknesses'], ['plans', 'swot_opportunities'], ['plans', 'swot_threats'], ['plans', 'group_plan_id']]) sql(d, `ALTER TABLE ${tb} DROP COLUMN ${col}`);
  sql(d, 'DROP INDEX imports_unfinished'); // 021
  // 028: contracts, renewals, forecast categories, targets and snapshots
  sql(d, 'DROP INDEX opportunities_contract');
  for (const col of ['contract_id', 'forecast_category']) sql(d, `ALTER TABLE opportunities DROP COLUMN ${col}`);
  for (const tb of ['contracts_product_ids', 'contracts', 'forecast_targets', 'forecast_snapshots']) sql(d, `DROP TABLE ${tb}`);
  const onTable = { sessions: 'sessions', tokens: 'api_tokens', users: 'users' };
  for (const t of ['sessions_del', 'sessions_upd', 'tokens_del', 'tokens_upd', 'users_del', 'users_upd']) sql(d, `DROP TRIGGER auth_${t}${PG ? ` ON ${onTable[t.split('_')[0]]}` : ''}`); // 036
  if (PG) for (const [tg, tb] of [['seen_team', 'account_team'], ['seen_owner_upd', 'accounts'], ['seen_accounts_del', 'accounts']]) sql(d, `DROP TRIGGER ${tg} ON ${tb}`); // 041
  else for (const tg of ['seen_team_ins', 'seen_team_del', 'seen_team_upd', 'seen_owner_upd', 'seen_accounts_del']) sql(d, `DROP TRIGGER ${tg}`);
  sql(d, `DROP TRIGGER rollup_accounts_del${PG ? ' ON accounts' : ''}`); // 045
  // 046: the function those triggers call on PostgreSQL (036, 041 and 045 made one each,
  // which 046 replaced)
  if (PG) sql(d, 'DROP FUNCTION settings_version_bump()');
  kam(['migrate', '--db', d]);
  assert.equal(sql(d, `SELECT amount_base FROM transactions WHERE id = ${yen.id}`), '75000');
  assert.equal(sql(d, `SELECT amount FROM revenue_account_monthly WHERE account_id = ${acc.id}`), '85000');
  assert.equal(sql(d, `SELECT sum(amount) FROM revenue_monthly WHERE account_id = ${acc.id}`), '85000');
  assert.equal(sql(d, `SELECT amount FROM revenue_account_monthly WHERE account_id = ${other.id}`), '5000');
  assert.equal(sql(d, "SELECT abs_total FROM money_totals WHERE name = 'transactions'"), '90000');
  assert.equal(sql(d, "SELECT count(*) FROM schema_migrations WHERE version = 17"), '1');
  s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  started.push(s);
  const k = await ok('GET', `/api/v1/kpis?scope=account&id=${acc.id}&from=${monthsAgo(12).slice(0, 7)}-01&to=2999-12-31`, undefined, 200);
  assert.equal(k.kpis.revenue.value, 85000);
});

test('a base currency stored before codes were checked keeps every other setting, and may stay', async () => {
  const d = PG ? createDb() : join(t.dir, 'oldbase.db');
  kam(['init', '--db', d]);
  kam(['user', 'add', '--email', 'boss@example.com', '--name', 'Boss', '--role', 'admin', '--password-stdin', '--db', d], { input: 'demo-password-1\n' });
  const tk = kam(['token', 'create', '--email', 'boss@example.com', '--name', 'b', '--db', d]).trim();
  let s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  assert.equal((await api(s.url, tk, 'PATCH', '/api/v1/settings', { kam_capacity: 7 })).status, 200);
  assert.equal(await s.stop(), 0);
  sql(d, `UPDATE settings SET value = replace(value, '"EUR"', '"XYZ"') WHERE key = 'main'`);
  s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  started.push(s);
  const got = (await api(s.url, tk, 'GET', '/api/v1/settings')).json;
  assert.equal(got.base_currency, 'XYZ');
  assert.equal(got.kam_capacity, 7);
  assert.equal((await api(s.url, tk, 'PATCH', '/api/v1/settings', { kam_capacity: 8, base_currency: 'XYZ' })).status, 200);
  const bad = await api(s.url, tk, 'PATCH', '/api/v1/settings', { base_currency: 'QQQ' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].field, 'base_currency');
  assert.equal((await api(s.url, tk, 'PATCH', '/api/v1/settings', { base_currency: 'JPY' })).json.base_currency, 'JPY');
});

// A fresh installation whose base currency is `base`, one account in it with revenue of
// `minor` two months ago, and its plan document as PDF text and HTML.
async function planIn(base, minor) {
  const d = PG ? createDb() : join(t.dir, `${base}.db`);
  kam(['init', '--db', d]);
  kam(['user', 'add', '--email', 'boss@example.com', '--name', 'Boss', '--role', 'admin', '--password-stdin', '--db', d], { input: 'demo-password-1\n' });
  const tk = kam(['token', 'create', '--email', 'boss@example.com', '--name', 'doc', '--db', d]).trim();
  const s = await serve(d, { KAM_JOB_INTERVAL: '3600' });
  started.push(s);
  const ok = async (m, p, b, want = 201) => { const r = await api(s.url, tk, m, p, b); assert.equal(r.status, want, r.text); return r.json; };
  await ok('PATCH', '/api/v1/settings', { base_currency: base }, 200);
  const acc = await ok('POST', '/api/v1/accounts', { name: `${base} Holdings`, currency: base });
  const year = new Date().getUTCFullYear();
  const plan = await ok('POST', '/api/v1/plans', { account_id: acc.id, title: `Grow in ${base}`, period_start: `${year}-01-01`, period_end: `${year}-12-31`, status: 'active' });
  await ok('POST', '/api/v1/transactions', { account_id: acc.id, booked_on: monthsAgo(2), amount: minor, currency: base });
  const get = async (f) => Buffer.from(await (await fetch(`${s.url}/api/v1/plans/${plan.id}/document?format=${f}`, { headers: { Authorization: `Bearer ${tk}` } })).arrayBuffer());
  return { pdf: pdftotext(await get('pdf')), html: (await get('html')).toString('utf8') };
}

test('the plan document shows ¥120,000 as JPY 120,000 and 1,234.000 KWD as KWD 1,234', async () => {
  const yen = await planIn('JPY', 120000);
  for (const [what, text] of Object.entries(yen)) {
    assert.ok(text.includes('JPY 120,000'), `the ${what} shows JPY 120,000:\n${what === 'pdf' ? text : ''}`);
    assert.ok(!text.includes('JPY 1,200\n') && !/JPY 1,200\b/.test(text), `not 100 times too small (${what})`);
  }
  const dinar = await planIn('KWD', 1234000);
  for (const [what, text] of Object.entries(dinar)) {
    assert.ok(text.includes('KWD 1,234'), `the ${what} shows KWD 1,234:\n${what === 'pdf' ? text : ''}`);
    assert.ok(!text.includes('KWD 12,340'), `not ten times too large (${what})`);
  }
});

test('the calendar feed shows a renewal amount in major units of its currency', async () => {
  const me = (await call('anna', 'GET', '/api/v1/me')).json;
  const acc = (await call('anna', 'GET', '/api/v1/accounts?limit=500')).json.items.find((a) => a.owner_id === me.id);
  const close = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  assert.equal((await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'Yen renewal', kind: 'renewal', amount: 250000, currency: 'JPY', expected_close_on: close })).status, 201);
  assert.equal((await call('anna', 'POST', '/api/v1/opportunities', { account_id: acc.id, name: 'Dinar renewal', kind: 'renewal', amount: 1000, currency: 'KWD', expected_close_on: close })).status, 201);
  const feed = await call('anna', 'POST', '/api/v1/me/calendar');
  assert.equal(feed.status, 201, feed.text);
  // unfolded, TEXT escapes undone (RFC 5545 §3.1, §3.3.11)
  const ics = (await (await fetch(feed.json.url)).text()).replace(/\r\n[ \t]/g, '').replace(/\\([,;\\])/g, '$1');
  assert.match(ics, /Amount: JPY 250,000/);
  assert.match(ics, /Amount: KWD 1\.000/);
});
