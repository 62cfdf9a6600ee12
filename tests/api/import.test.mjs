// Imports: Salesforce and HubSpot exports written by hand in their layouts, every kind of
// bad row, idempotent re-imports, dry runs, atomic files, custom mappings, access.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { PG, kam, serve, api, psql, demoDb, tokens } from '../lib/harness.mjs';

const FIX = new URL('../fixtures/import/', import.meta.url).pathname;
let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin', 'anna', 'ben', 'viewer'], 'import'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

// A 503 "busy, retry" means the file is not in: a client sends it again (on PostgreSQL the
// server's first alerts run, writing every account's health, can collide with the import's
// re-ranking of the accounts); anything else is the answer.
async function upload(who, file, query, type = 'text/csv') {
  const body = typeof file === 'string' && file.endsWith('.csv') ? readFileSync(join(FIX, file)) : file;
  for (let i = 0; ; i++) {
    const r = await fetch(`${srv.url}/api/v1/imports?${new URLSearchParams(query)}`, {
      method: 'POST', headers: { Authorization: `Bearer ${tok[who]}`, 'Content-Type': type }, body,
    });
    if (r.status !== 503 || i === 4) return { status: r.status, json: await r.json(), location: r.headers.get('location') };
    await r.arrayBuffer();
    await new Promise((res) => setTimeout(res, 1000 * Number(r.headers.get('retry-after') || 1)));
  }
}
const get = (who, path) => api(srv.url, tok[who], 'GET', path);
const count = async (path) => {
  let n = 0, cursor = '';
  for (;;) {
    const page = (await get('admin', `${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json;
    n += page.items.length;
    if (!page.next_cursor) return n;
    cursor = encodeURIComponent(page.next_cursor);
  }
};
function sql(q) {
  return PG ? psql(q, new URL(db).pathname.slice(1)) : execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
}
const errorsAt = (r) => Object.fromEntries(r.json.errors.map((e) => [e.line, e]));

test('a Salesforce account export: good rows in, each bad row named by line, column and reason', async () => {
  const before = await count('/api/v1/accounts');
  const r = await upload('admin', 'salesforce-accounts.csv', { kind: 'accounts', mapping: 'salesforce' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.match(r.location, /\/api\/v1\/imports\/\d+$/);
  assert.equal(r.json.status, 'done');
  assert.deepEqual([r.json.rows_total, r.json.created, r.json.updated, r.json.rejected], [8, 2, 0, 6]);
  const e = errorsAt(r);
  assert.equal(e[5].column, 'Account Name');
  assert.match(e[5].message, /required/);
  assert.equal(e[6].column, 'Account Owner');
  assert.match(e[6].message, /no user "richard@example.com"/);
  assert.equal(e[7].column, 'Annual Revenue');
  assert.match(e[7].message, /"lots" is not an amount/);
  assert.equal(e[8].column, 'Account ID');
  assert.match(e[8].message, /001KAM0002 is in the file twice \(first on line 4\)/);
  assert.match(e[9].message, /has 2 fields where the header has 11/);
  assert.match(e[10].message, /churned/);
  assert.equal(await count('/api/v1/accounts'), before + 2);

  const initech = (await get('admin', '/api/v1/accounts?external_id=001KAM0001')).json.items[0];
  assert.equal(initech.name, 'Initech GmbH');
  assert.equal(initech.country, 'Germany');
  assert.equal(initech.potential_annual_spend, 125000000); // "1.250.000,00" EUR in cents
  assert.equal(initech.status, 'active');                  // Type "Customer"
  assert.equal(initech.notes, 'Signed in 2019.\r\nRenewal talks, with legal, in Q3');
  const anna = (await get('anna', '/api/v1/me')).json;
  assert.equal(initech.owner_id, anna.id);
  const hooli = (await get('admin', '/api/v1/accounts?external_id=001KAM0002')).json.items[0];
  assert.equal(hooli.potential_annual_spend, 200000000);
  assert.equal(hooli.currency, 'USD');
  assert.equal(hooli.status, 'prospect');
  // the parent company by name, whatever its case
  const cloud = (await get('admin', '/api/v1/accounts?q=Hooli%20Cloud')).json.items[0];
  assert.equal(hooli.parent_id, cloud.id);

  // the same file again changes nothing; the run is kept and can be read back
  const again = await upload('admin', 'salesforce-accounts.csv', { kind: 'accounts', mapping: 'salesforce' });
  assert.deepEqual([again.json.created, again.json.updated, again.json.unchanged], [0, 0, 2]);
  assert.equal(await count('/api/v1/accounts'), before + 2);
  const stored = await get('admin', new URL(again.location, srv.url).pathname);
  assert.equal(stored.status, 200);
  assert.equal(stored.json.unchanged, 2);
  assert.equal(stored.json.errors.length, 6);
  assert.ok(stored.json.ignored_columns.length === 0);
});

test('an updated file updates: one changed cell is one update, the rest unchanged', async () => {
  const csv = readFileSync(join(FIX, 'salesforce-accounts.csv'), 'utf8').replace('"Software"', '"Enterprise Software"');
  const r = await upload('admin', Buffer.from(csv), { kind: 'accounts', mapping: 'salesforce' });
  assert.deepEqual([r.json.created, r.json.updated, r.json.unchanged], [0, 1, 1]);
  const initech = (await get('admin', '/api/v1/accounts?external_id=001KAM0001')).json.items[0];
  assert.equal(initech.industry, 'Enterprise Software');
  const audit = (await get('admin', `/api/v1/audit?entity=account&id=${initech.id}`)).json.items;
  assert.ok(audit.some((a) => a.action === 'update'), 'the update is audited like any other');
});

test('Salesforce opportunities: US dates, grouped amounts, stage and type picklists, did-you-mean', async () => {
  const r = await upload('admin', 'salesforce-opportunities.csv', { kind: 'opportunities', mapping: 'salesforce' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual([r.json.created, r.json.rejected], [2, 4]);
  assert.deepEqual(r.json.ignored_columns, []); // Lead Source is known and deliberately skipped
  const e = errorsAt(r);
  assert.equal(e[4].column, 'Account Name');
  assert.match(e[4].message, /no account "Initech GmbX"; did you mean "Initech GmbH"\?/);
  assert.match(e[5].message, /"12abc" is not an amount/);
  assert.match(e[6].message, /"2\/30\/2027" is not a date \(read as month\/day\/year\)/);
  assert.match(e[7].message, /"Dreaming" is not one of identified, qualified/);
  const o = (await get('admin', '/api/v1/opportunities?external_id=006KAM0001')).json.items[0];
  assert.equal(o.amount, 105400);
  assert.equal(o.stage, 'negotiation');
  assert.equal(o.kind, 'renewal');
  assert.equal(o.expected_close_on, '2027-03-14');
  assert.equal(o.probability, 75);
  const won = (await get('admin', '/api/v1/opportunities?external_id=006KAM0002')).json.items[0];
  assert.equal(won.stage, 'won');
  assert.equal(won.amount, 25000050);
});

test('HubSpot contacts: semicolons, first and last names, a company by name, a Latin-1 row refused', async () => {
  const r = await upload('admin', 'hubspot-contacts.csv', { kind: 'contacts', mapping: 'hubspot' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual([r.json.created, r.json.rejected], [2, 3]);
  const e = errorsAt(r);
  assert.match(e[4].message, /not UTF-8/);
  assert.match(e[5].message, /required/);
  assert.match(e[6].message, /did you mean "Hooli Europe"/);
  const peter = (await get('admin', '/api/v1/contacts?external_id=HS-C-2')).json.items[0];
  assert.equal(peter.name, 'Peter Gibbons');
  assert.equal(peter.title, 'Engineer; Team "TPS" lead');
  const initech = (await get('admin', '/api/v1/accounts?external_id=001KAM0001')).json.items[0];
  assert.equal(peter.account_id, initech.id); // "initech gmbh" matched case-insensitively
});

test('dates decide their own order; a file where they cannot is refused with a way out', async () => {
  // "05-11-26" alone reads both ways, "15-11-26" only as day first: the file is D/M
  const r = await upload('admin', 'erp-transactions.csv', { kind: 'transactions', dry_run: 'true' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.status, 'dry_run');
  const amb = 'external_id,account,booked_on,amount\nX-1,Initech GmbH,03/04/2026,1\n';
  const bad = await upload('admin', Buffer.from(amb), { kind: 'transactions' });
  assert.equal(bad.status, 400);
  assert.match(bad.json.errors[0].message, /read both as month\/day and day\/month; pass --date-format/);
  const ok = await upload('admin', Buffer.from(amb), { kind: 'transactions', date_format: 'D/M/YYYY', dry_run: 'true' });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.created, 1);
});

test('dry run reports what would happen and writes nothing', async () => {
  const before = await count('/api/v1/transactions');
  const r = await upload('admin', 'erp-transactions.csv', { kind: 'transactions', dry_run: 'true' });
  assert.deepEqual([r.json.created, r.json.rejected], [2, 2]);
  const e = errorsAt(r);
  assert.equal(e[3].column, 'product');
  assert.match(e[3].message, /no product "Widget-Pro"/);
  assert.match(e[5].message, /no account "Nowhere Ltd"/);
  assert.equal(await count('/api/v1/transactions'), before);
  assert.equal((await get('admin', '/api/v1/transactions?external_id=INV-1001')).json.items.length, 0);
  // a product written the way another system spells it is matched to the closest name
  const near = await upload('admin', Buffer.from('external_id,account,product,booked_on,amount\nN-1,Initech GmbH,Core-Platfrom,2026-01-05,10\n'), { kind: 'transactions', dry_run: 'true' });
  assert.match(near.json.errors[0].message, /no product "Core-Platfrom"; did you mean "Core Platform"\?/);
});

test('atomic: one bad row and nothing is written', async () => {
  const before = await count('/api/v1/transactions');
  const r = await upload('admin', 'erp-transactions.csv', { kind: 'transactions', atomic: 'true' });
  assert.equal(r.json.status, 'failed');
  assert.equal(r.json.rejected, 2);
  assert.equal(r.json.created, 0);
  assert.equal(await count('/api/v1/transactions'), before);
});

test('a custom mapping file renames columns, maps a product name and sets defaults', async () => {
  const mapping = JSON.parse(readFileSync(join(FIX, 'erp-mapping.json'), 'utf8'));
  const csv = readFileSync(join(FIX, 'erp-german.csv'), 'utf8');
  const r = await upload('admin', JSON.stringify({ csv, mapping }), { kind: 'transactions' }, 'application/json');
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.mapping, 'custom');
  assert.deepEqual([r.json.created, r.json.rejected], [2, 0]);
  const t1 = (await get('admin', '/api/v1/transactions?external_id=RE-1')).json.items[0];
  assert.equal(t1.booked_on, '2026-02-01');  // 1/2/2026 read day first, as the mapping says
  assert.equal(t1.amount, 100000);           // "1.000,00"
  assert.equal(t1.currency, 'EUR');
  const products = (await get('admin', '/api/v1/products?limit=100')).json.items;
  assert.equal(products.find((p) => p.id === t1.product_id).name, 'Analytics Suite');
  // the revenue rollup saw them: the account's revenue includes the imported money
  const again = await upload('admin', JSON.stringify({ csv, mapping }), { kind: 'transactions' }, 'application/json');
  assert.deepEqual([again.json.created, again.json.unchanged], [0, 2]);
});

test('bad requests are clear 4xx problems and store nothing', async () => {
  const noKind = await upload('admin', 'erp-transactions.csv', {});
  assert.equal(noKind.status, 400);
  assert.equal(noKind.json.errors[0].field, 'kind');
  const badMap = await upload('admin', 'erp-transactions.csv', { kind: 'transactions', mapping: 'sap' });
  assert.equal(badMap.status, 400);
  const quotes = await upload('admin', Buffer.from('external_id,account\n"X-1,Initech\n'), { kind: 'transactions' });
  assert.equal(quotes.status, 400);
  assert.match(quotes.json.detail, /quoted field is not closed/);
  const empty = await upload('admin', Buffer.from(''), { kind: 'accounts' });
  assert.equal(empty.status, 400);
  const wrongType = await upload('admin', Buffer.from('a,b'), { kind: 'accounts' }, 'application/pdf');
  assert.equal(wrongType.status, 415);
  const unknownParam = await upload('admin', 'erp-transactions.csv', { kind: 'transactions', force: 'yes' });
  assert.equal(unknownParam.status, 400);
  const badTarget = await upload('admin', JSON.stringify({ csv: 'Kunde,Betrag\nX,1\n', mapping: { columns: { Kunde: 'galaxy' } } }), { kind: 'transactions' }, 'application/json');
  assert.equal(badTarget.status, 400);
  assert.equal(badTarget.json.errors[0].field, 'Kunde');
  assert.match(badTarget.json.errors[0].message, /maps to galaxy, which transactions cannot take/);
  const noCsv = await upload('admin', JSON.stringify({ mapping: {} }), { kind: 'transactions' }, 'application/json');
  assert.equal(noCsv.status, 400);
});

test('access: a viewer cannot import; a kam imports only into their own accounts', async () => {
  const v = await upload('viewer', 'erp-transactions.csv', { kind: 'transactions' });
  assert.equal(v.status, 403);
  // Hooli Europe belongs to Ben: Anna's contact for it is rejected, hers for Initech goes in
  const csv = 'external_id,account,name,email\nK-1,Initech GmbH,Bill Lumbergh,bill@initech.example\nK-2,Hooli Europe,Nelson Bighetti,nelson@hooli.example\n';
  const r = await upload('anna', Buffer.from(csv), { kind: 'contacts' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual([r.json.created, r.json.rejected], [1, 1]);
  assert.equal(r.json.errors[0].line, 3);
  // and her runs are hers: Ben does not see them
  assert.equal((await get('ben', new URL(r.location, srv.url).pathname)).status, 404);
  assert.ok((await get('anna', '/api/v1/imports')).json.items.every((i) => i.created_by === r.json.created_by));
});

test('kam import on the command line: a summary, the rejected lines, exit status 3', () => {
  const out = (() => {
    try {
      kam(['import', 'opportunities', join(FIX, 'salesforce-opportunities.csv'), '--map', 'salesforce', '--dry-run', '--db', db]);
      return null;
    } catch (e) { return e; }
  })();
  assert.ok(out, 'rejected rows make the exit status non-zero');
  assert.equal(out.status, 3);
  assert.match(out.stdout, /opportunities: 6 rows: 0 created, 0 updated, 2 unchanged, 4 rejected \(dry run: nothing was written\)/);
  assert.match(out.stdout, /line 4, column Account Name: no account "Initech GmbX"; did you mean "Initech GmbH"\?/);
  const refused = (() => { try { kam(['import', 'widgets', join(FIX, 'erp-german.csv'), '--db', db]); } catch (e) { return e; } })();
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /kind: is one of accounts/);
});

test('a large transactions file goes in by the batch, and the monthly rollup still equals the rows', async () => {
  const accounts = ['Initech GmbH', 'Hooli Europe', 'Northwind Traders'];
  const products = ['Core Platform', 'Analytics Suite', ''];
  let csv = 'external_id,account,product,booked_on,amount,currency\n';
  for (let i = 0; i < 3000; i++) {
    csv += `BIG-${i},${accounts[i % 3]},${products[i % 3]},2026-${String(1 + (i % 9)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')},${(i * 7) % 1000}.${String(i % 100).padStart(2, '0')},EUR\n`;
  }
  const r = await upload('admin', Buffer.from(csv), { kind: 'transactions' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual([r.json.created, r.json.rejected], [3000, 0]);
  const raw = sql("SELECT account_id || ':' || substr(booked_on, 1, 7) || ':' || sum(amount_base) || ':' || count(*) FROM transactions GROUP BY account_id, substr(booked_on, 1, 7) ORDER BY 1");
  const rolled = sql("SELECT account_id || ':' || month || ':' || amount || ':' || transactions FROM revenue_account_monthly ORDER BY 1");
  assert.equal(rolled, raw);
  const byProduct = sql("SELECT count(*) FROM (SELECT account_id, coalesce(product_id, 0) p, substr(booked_on, 1, 7) m, sum(amount_base) s, count(*) n FROM transactions GROUP BY 1, 2, 3) t LEFT JOIN revenue_monthly r ON r.account_id = t.account_id AND r.product_id = t.p AND r.month = t.m AND r.amount = t.s AND r.transactions = t.n WHERE r.account_id IS NULL");
  assert.equal(byProduct, '0');
  const again = await upload('admin', Buffer.from(csv), { kind: 'transactions' });
  assert.deepEqual([again.json.created, again.json.unchanged], [0, 3000]);
});

test('an account\'s parent must exist, and a group may not loop back on itself', async () => {
  const hooli = (await get('admin', '/api/v1/accounts?external_id=001KAM0002')).json.items[0];
  const cloud = (await get('admin', `/api/v1/accounts/${hooli.parent_id}`)).json;
  const patch = (id, body) => api(srv.url, tok.admin, 'PATCH', `/api/v1/accounts/${id}`, body);
  const loop = await patch(cloud.id, { parent_id: hooli.id });
  assert.equal(loop.status, 400);
  assert.equal(loop.json.errors[0].field, 'parent_id');
  assert.match(loop.json.errors[0].message, /its own parent/);
  assert.equal((await patch(hooli.id, { parent_id: hooli.id })).status, 400);
  const missing = await patch(hooli.id, { parent_id: 99999999 });
  assert.equal(missing.status, 400);
  assert.match(missing.json.errors[0].message, /no such account/);
  assert.equal((await get('admin', `/api/v1/accounts/${cloud.id}`)).json.parent_id, null);
  const kids = (await get('admin', `/api/v1/accounts?parent_id=${cloud.id}`)).json.items.map((a) => a.id);
  assert.deepEqual(kids, [hooli.id]);
});

test('async: 202 at once with the queued run, then its progress and its result at the same address', async () => {
  let csv = 'external_id,account,product,booked_on,amount,currency\n';
  for (let i = 0; i < 20000; i++) csv += `ASYNC-${i},Initech GmbH,Core Platform,2026-0${1 + (i % 9)}-1${i % 9},${i % 500}.25,EUR\n`;
  const r = await upload('admin', Buffer.from(csv), { kind: 'transactions', async: 'true' });
  assert.equal(r.status, 202, JSON.stringify(r.json));
  assert.equal(r.json.status, 'queued');
  const path = new URL(r.location, srv.url).pathname;
  let run;
  for (let i = 0; i < 600; i++) {
    run = (await get('admin', path)).json;
    if (run.status === 'running' && run.progress?.rows_total !== null && run.progress) {
      assert.equal(run.progress.rows_total, 20000);
      assert.ok(run.progress.rows_done <= 20000);
    }
    if (!['queued', 'running'].includes(run.status)) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(run.status, 'done');
  assert.deepEqual([run.rows_total, run.created, run.rejected], [20000, 20000, 0], JSON.stringify(run.errors).slice(0, 500));
  assert.equal(run.progress, undefined, 'progress is only shown while it runs');
  assert.equal((await get('admin', '/api/v1/transactions?external_id=ASYNC-19999')).json.items.length, 1);

  // a file refused as a whole: the run fails with the reason; a bad kind is refused at once
  const broken = await upload('admin', Buffer.from('external_id,account\n"X-1,Initech\n'), { kind: 'transactions', async: 'true' });
  assert.equal(broken.status, 202);
  const bpath = new URL(broken.location, srv.url).pathname;
  for (let i = 0; i < 200; i++) {
    run = (await get('admin', bpath)).json;
    if (!['queued', 'running'].includes(run.status)) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(run.status, 'failed');
  assert.match(run.errors[0].message, /quoted field is not closed/);
  assert.equal((await upload('admin', Buffer.from('a'), { kind: 'widgets', async: 'true' })).status, 400);
});
