// A plain transactions file (its columns all fields of a transaction, no mapped values or
// defaults) goes from its cells straight to the rows it writes; a row that way does not
// take — anything wrong with it, anything the run has not asked the database yet, an
// update — goes through the row's JSON object as before (issue 20). KAM_IMPORT_DIRECT=0
// sends every row the JSON way: both must store and report exactly the same, whatever the
// rows hold, in every lane (row by row, a bulk load, a dry run, the server's batches).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PG, psql, kam, demoDb, serve, tokens, importTransactions, importReport } from '../lib/harness.mjs';

const DIRECT = {};
const JSON_WAY = { KAM_IMPORT_DIRECT: '0' };
const ROW_BY_ROW = { KAM_IMPORT_BULK_ROWS: '1000000000' };

let a, b; // a: the direct way, b: every row the JSON way
before(() => {
  a = demoDb();
  b = demoDb();
  for (const d of [a, b]) {
    const f = join(d.t.dir, 'acc.csv');
    writeFileSync(f, 'name,status\nMüller Stahl GmbH,active\n');
    kam(['import', 'accounts', f, '--db', d.db]);
    // currencies with other minor units than the base's two
    writeFileSync(f, 'currency,valid_from,rate\nJPY,2020-01-01,0.0061\nKWD,2020-01-01,2.98\n');
    kam(['import', 'fx-rates', f, '--db', d.db]);
  }
});
after(() => {
  a.t.rm();
  b.t.rm();
});

const sql = (db, q) =>
  PG ? psql(q, new URL(db).pathname.slice(1)) : execFileSync('sqlite3', [db, q], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim();



// Everything a reader sees of the transactions, the rollups and the money total (ids aside:
// a bulk load writes its new rows in another order).
function stored(db) {
  return {
    rows: sql(db, `SELECT account_id, COALESCE(product_id, 0), COALESCE(unit_id, 0), booked_on, amount, currency, amount_base,
                   COALESCE(external_id, '-'), intra_group FROM transactions ORDER BY 8, 1, 4, 5, 2`),
    rollup: sql(db, 'SELECT account_id, product_id, month, amount, transactions FROM revenue_monthly ORDER BY 1, 2, 3'),
    accounts: sql(db, 'SELECT account_id, month, amount, transactions FROM revenue_account_monthly ORDER BY 1, 2'),
    money: sql(db, "SELECT abs_total FROM money_totals WHERE name = 'transactions'"),
  };
}

const names = (db, q) => sql(db, q).split('\n');

// Lines as buffers: most are UTF-8, a few hold bytes that are not.
const csv = (lines) => Buffer.concat(lines.map((l) => Buffer.concat([Buffer.isBuffer(l) ? l : Buffer.from(l, 'utf8'), Buffer.from('\n')])));
const money = (i) => `"${Math.floor(((i * 7919) % 999990 + 1) / 100).toLocaleString('en-US')}.${String(((i * 7919) % 999990 + 1) % 100).padStart(2, '0')}"`;
const day = (i) => `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;

// A file with account and product names, an ERP's column names (invoice, customer, date),
// a column kam does not read, and every kind of cell among good rows (so the direct way is
// taking rows when each odd one comes): amounts, currencies, dates, external ids, names as
// typed, intra-group flags, units, rows in the file twice.
function namesFile(db, n, tag) {
  const acc = names(db, 'SELECT name FROM accounts ORDER BY id');
  const prod = names(db, 'SELECT name FROM products ORDER BY id');
  const unit = sql(db, "SELECT a.name || '|' || u.name FROM units u JOIN accounts a ON a.id = u.account_id ORDER BY u.id LIMIT 1").split('|');
  const [ext0, name0, day0, amount0] = sql(db, `SELECT t.external_id || '|' || a.name || '|' || t.booked_on || '|' || t.amount FROM transactions t
                        JOIN accounts a ON a.id = t.account_id WHERE t.currency = 'EUR' ORDER BY t.id LIMIT 1`).split('|');
  const [ext1, name1, day1, amount1] = sql(db, `SELECT t.external_id || '|' || a.name || '|' || t.booked_on || '|' || t.amount FROM transactions t
                        JOIN accounts a ON a.id = t.account_id WHERE t.currency = 'EUR' ORDER BY t.id LIMIT 1 OFFSET 1`).split('|');
  const A = (i) => `"${acc[i % acc.length]}"`;
  const odd = [
    // amounts as ERPs write them, and ones that are not amounts or too large
    `${tag}-am1,${A(1)},,2025-02-03,"1.054,00",EUR,,,x`,
    `${tag}-am2,${A(2)},,2025-02-03,(12.50),EUR,,,x`,
    `${tag}-am3,${A(3)},,2025-02-03,€ 7,EUR,,,x`,
    `${tag}-am4,${A(4)},,2025-02-03,12.345,EUR,,,x`,
    `${tag}-am5,${A(5)},,2025-02-03,-3,EUR,,,x`,
    `${tag}-am6,${A(6)},,2025-02-03,lots,EUR,,,x`,
    `${tag}-am7,${A(7)},,2025-02-03,99999999999999,EUR,,,x`,
    `${tag}-am8,${A(8)},,2025-02-03,,EUR,,,x`,
    `${tag}-am9,${A(9)},,2025-02-03,"'-5.00",EUR,,,x`,
    `${tag}-am10,${A(10)},,2025-02-03,1 000,JPY,,,x`,
    `${tag}-am11,${A(11)},,2025-02-03,"1,000",JPY,,,x`,
    `${tag}-am12,${A(12)},,2025-02-03,12.5,JPY,,,x`,
    `${tag}-am13,${A(13)},,2025-02-03,12.3456,KWD,,,x`,
    `${tag}-am14,${A(14)},,2025-02-03,-0.001,KWD,,,x`,
    // currencies: lower case, none (the base), another with a rate, without one, unknown
    `${tag}-cu1,${A(1)},,2025-02-04,10.00,eur,,,x`,
    `${tag}-cu2,${A(2)},,2025-02-04,10.00,,,,x`,
    `${tag}-cu3,${A(3)},,2025-02-04,10.00,USD,,,x`,
    `${tag}-cu4,${A(4)},,2025-02-05,10.00,usd,,,x`,
    `${tag}-cu5,${A(5)},,2025-02-04,10.00,CHF,,,x`,
    `${tag}-cu6,${A(6)},,2025-02-04,10.00,EURO,,,x`,
    `${tag}-cu7,${A(7)},,2025-02-04,10.00,QQQ,,,x`,
    `${tag}-cu8,${A(8)},,2025-02-04,10.00, eur ,,,x`,
    // dates
    `${tag}-da1,${A(1)},,2025-03-04 10:30,10.00,EUR,,,x`,
    `${tag}-da2,${A(2)},,2025-02-30,10.00,EUR,,,x`,
    `${tag}-da3,${A(3)},,1899-12-31,10.00,EUR,,,x`,
    `${tag}-da4,${A(4)},,,10.00,EUR,,,x`,
    `${tag}-da5,${A(5)},,soon,10.00,EUR,,,x`,
    // external ids: in the file twice (the second refused), twice after a first row refused
    // before its id was noted (both read) and after (the second refused too), a formula's
    // apostrophe, an apostrophe that is not one, a tab, too long, not UTF-8, none
    `${tag}-dup,${A(1)},,2025-04-01,1.00,EUR,,,x`,
    `${tag}-dup,${A(2)},,2025-04-02,2.00,EUR,,,x`,
    `${tag}-dup2,${A(3)},,2025-04-03,lots,EUR,,,x`,
    `${tag}-dup2,${A(3)},,2025-04-03,3.00,EUR,,,x`,
    `${tag}-dup3,${A(4)},,2025-04-04,4.00,CHF,,,x`,
    `${tag}-dup3,${A(4)},,2025-04-04,4.00,EUR,,,x`,
    `'=${tag}-formula,${A(5)},,2025-04-05,5.00,EUR,,,x`,
    `'${tag}-quote,${A(6)},,2025-04-06,6.00,EUR,,,x`,
    `"${tag}-t\tab",${A(7)},,2025-04-07,7.00,EUR,,,x`,
    `${tag}-${'L'.repeat(200)},${A(8)},,2025-04-08,8.00,EUR,,,x`,
    Buffer.concat([Buffer.from(`${tag}-bad`), Buffer.from([0xff, 0xfe]), Buffer.from(`,${A(9)},,2025-04-09,9.00,EUR,,,x`)]),
    `${tag}-Rëchnung,${A(10)},,2025-04-10,10.00,EUR,,,x`,
    `,${A(11)},,2025-04-11,11.00,EUR,,,x`,
    `  ,${A(11)},,2025-04-11,11.00,EUR,,,x`,
    `${tag}-sp  ,  ${acc[12]}  ,  ${prod[1]}  ,  2025-04-12  ,  12.00  ,  EUR  ,,,x`,
    `"${tag}-sp2  ",${A(12)},,2025-04-13,13.00,EUR,,,x`,
    `${tag}-sp3,${A(12)},,2025-04-13,"  13.00  ",EUR,,,x`,
    `${tag}-sp4,${A(12)},,2025-04-13,13.00," EUR",,,x`,
    // accounts: unknown, typed otherwise, not UTF-8, with an apostrophe, none; a name not ASCII
    `${tag}-ac1,Nobody At All GmbH,,2025-05-01,1.00,EUR,,,x`,
    `${tag}-ac2,${acc[13].toUpperCase()},,2025-05-02,1.00,EUR,,,x`,
    `${tag}-ac3,${acc[14].replace(/ /g, '')},,2025-05-03,1.00,EUR,,,x`,
    Buffer.concat([Buffer.from(`${tag}-ac4,Wonka`), Buffer.from([0xc3]), Buffer.from(',,2025-05-04,1.00,EUR,,,x')]),
    `${tag}-ac5,'=${acc[15]},,2025-05-05,1.00,EUR,,,x`,
    `${tag}-ac6,,,2025-05-06,1.00,EUR,,,x`,
    `${tag}-ac7,Müller Stahl GmbH,,2025-05-07,1.00,EUR,,,x`,
    `${tag}-ac8,Müller Stahl GmbH,${prod[2]},2025-05-08,2.00,EUR,,,x`,
    // products: unknown, typed otherwise
    `${tag}-pr1,${A(16)},No Such Product,2025-05-09,1.00,EUR,,,x`,
    `${tag}-pr2,${A(17)},${prod[3].toLowerCase()},2025-05-10,1.00,EUR,,,x`,
    // intra-group flags
    `${tag}-ig1,${A(18)},,2025-06-01,1.00,EUR,yes,,x`,
    `${tag}-ig2,${A(18)},,2025-06-02,1.00,EUR,X,,x`,
    `${tag}-ig3,${A(18)},,2025-06-03,1.00,EUR,no,,x`,
    `${tag}-ig4,${A(18)},,2025-06-04,1.00,EUR,maybe,,x`,
    `${tag}-ig5,${A(18)},,2025-06-05,1.00,EUR,TRUE,,x`,
    // a unit (the REST API's insert), one too few cells, an update and an unchanged row
    `${tag}-un1,"${unit[0]}",,2025-06-06,12.34,EUR,,"${unit[1]}",x`,
    `${tag}-short,${A(19)},,2025-06-07,1.00,EUR`,
    `${ext0},"${name0}",,${day0},${(Number(amount0) / 100 + 1).toFixed(2)},EUR,,,x`,
    `${ext1},"${name1}",,${day1},${(Number(amount1) / 100).toFixed(2)},EUR,,,x`,
  ];
  const lines = ['Invoice,Customer,product,Date,amount,currency,intra_group,unit,comment'];
  for (let i = 0; i < n; i++) {
    lines.push(`${tag}-${i},${A(i * 7)},${i % 9 ? `"${prod[i % prod.length]}"` : ''},${day(i)},${money(i)},EUR,,,note ${i}`);
    if (i % 7 === 3 && odd.length) lines.push(odd.shift());
  }
  lines.push(...odd);
  return csv(lines);
}

// Ids instead of names, no currency column (the base), an id written "75%".
function idsFile(db, tag) {
  const acc = names(db, 'SELECT id FROM accounts ORDER BY id');
  const prod = names(db, 'SELECT id FROM products ORDER BY id');
  const lines = ['external_id,account_id,product_id,booked_on,amount'];
  for (let i = 0; i < 300; i++) lines.push(`${tag}-${i},${acc[(i * 7) % acc.length]},${i % 4 ? prod[i % prod.length] : ''},${day(i)},${money(i)}`);
  lines.push(`${tag}-x1,${acc[3]}%,,2025-01-01,1.00`);
  lines.push(`${tag}-x2,abc,,2025-01-01,1.00`);
  lines.push(`${tag}-x3,999999,,2025-01-01,1.00`);
  lines.push(`${tag}-x4,${acc[4]},999999,2025-01-01,1.00`);
  lines.push(`${tag}-x5,0,,2025-01-01,1.00`);
  lines.push(`${tag}-x6,-1,,2025-01-01,1.00`);
  lines.push(`${tag}-x7,${acc[5]},${prod[0]},2025-01-01,1.00`);
  lines.push(`${tag}-x8,"1,000",,2025-01-01,1.00`);
  return csv(lines);
}

function same(file, env = {}, extra = []) {
  const ra = importTransactions(a.db, file, { ...DIRECT, ...env }, extra);
  const rb = importTransactions(b.db, file, { ...JSON_WAY, ...env }, extra);
  assert.deepEqual(ra, rb, 'the same report');
  assert.deepEqual(stored(a.db), stored(b.db), 'the same rows, rollups and money total');
  return ra;
}

test('a plain transactions file stores and reports the same taken straight from its cells as through JSON', () => {
  assert.deepEqual(stored(a.db), stored(b.db), 'two demo databases start equal');
  const f = join(a.t.dir, 'names.csv');
  writeFileSync(f, namesFile(a.db, 600, 'N'));
  const r = same(f, ROW_BY_ROW);
  assert.ok(r.created > 600, JSON.stringify(r));
  assert.equal(r.rejected, 22, JSON.stringify(r.errors));
  assert.equal(r.updated, 1);
  // rows in the file twice: the second is refused, unless the first was refused before its
  // external id was noted (a cell it could not read)
  const byLine = Object.fromEntries(r.errors.map((e) => [e.line, e.message]));
  const lines = readLines(f);
  const at = (ext) => lines.flatMap((l, i) => (l.startsWith(`${ext},`) ? [byLine[i + 2]] : []));
  assert.deepEqual(at('N-dup').map((m) => m && m.replace(/line \d+/, 'line L')), [undefined, 'external id N-dup is in the file twice (first on line L)']);
  assert.deepEqual(at('N-dup2'), ['"lots" is not an amount', undefined]);
  assert.match(at('N-dup3')[0], /^no FX rate for CHF/);
  assert.match(at('N-dup3')[1], /is in the file twice/);

  // the same file again: every good row is a stored one now (unchanged) but the two without
  // an external id, the rest as before
  const again = same(f, ROW_BY_ROW);
  assert.equal(again.created, 2, JSON.stringify(again.errors.slice(0, 3)));
  assert.equal(again.unchanged, r.created - 2 + r.updated + r.unchanged);
  // a dry run, and an atomic run refused as a whole, of a new file
  writeFileSync(f, namesFile(a.db, 300, 'D'));
  assert.equal(same(f, ROW_BY_ROW, ['--dry-run']).status, 'dry_run');
  assert.equal(same(f, ROW_BY_ROW, ['--atomic']).status, 'failed');
  // by ids, and in the base currency for want of a currency column
  const g = join(a.t.dir, 'ids.csv');
  writeFileSync(g, idsFile(a.db, 'I'));
  assert.equal(same(g, ROW_BY_ROW).created, 302);
  // as a kam: the accounts of others are not found
  writeFileSync(f, namesFile(a.db, 300, 'K'));
  const k = same(f, ROW_BY_ROW, ['--as', 'anna@example.com']);
  assert.ok(k.created > 30 && k.rejected > 100, JSON.stringify(k).slice(0, 300));
  // as a member: the accounts of their team are found but not theirs to write
  writeFileSync(f, namesFile(a.db, 300, 'T'));
  const t = same(f, ROW_BY_ROW, ['--as', 'mia@example.com']);
  assert.ok(t.errors.some((e) => e.message === 'no such account, or not yours to write'), JSON.stringify(t).slice(0, 300));
  // a mapping file that names the columns and the date order
  const m = join(a.t.dir, 'map.json');
  writeFileSync(m, JSON.stringify({ columns: { Beleg: 'external_id', Kunde: 'account', Datum: 'booked_on', Betrag: 'amount', 'Währung': 'currency' }, date_format: 'D/M/YYYY' }));
  const acc = names(a.db, 'SELECT name FROM accounts ORDER BY id');
  const mapped = ['Beleg,Kunde,Datum,Betrag,Währung'];
  for (let i = 0; i < 200; i++) mapped.push(`M-${i},"${acc[i % acc.length]}",${1 + (i % 28)}/${1 + (i % 12)}/2025,"${i + 1},50",${i % 5 ? 'EUR' : 'USD'}`);
  mapped.push('M-bad,Nobody,31/2/2025,1,EUR');
  writeFileSync(g, csv(mapped));
  assert.equal(same(g, ROW_BY_ROW, ['--map', m]).created, 200);
});

test('a bulk load takes rows straight from their cells and stores what the JSON way stores', () => {
  const n = 2600 + Number(sql(a.db, 'SELECT count(*) FROM transactions')); // at least the table: the bulk lane
  const f = join(a.t.dir, 'bulk.csv');
  writeFileSync(f, namesFile(a.db, n, 'B'));
  const r = same(f, { KAM_IMPORT_BULK_ROWS: '100' });
  assert.ok(r.created > n, JSON.stringify(r.errors.slice(0, 3)));
  assert.equal(sql(a.db, `SELECT (SELECT sum(transactions) FROM revenue_monthly) = (SELECT count(*) FROM transactions),
                          (SELECT abs_total FROM money_totals WHERE name = 'transactions') = (SELECT sum(abs(amount_base)) FROM transactions)`),
    PG ? 't|t' : '1|1');
  // the new rows went in sorted by day and account, the order of two of the indexes
  assert.equal(sql(a.db, `SELECT count(*) FROM transactions x JOIN transactions y ON y.id = x.id + 1
                          WHERE x.external_id LIKE 'B-%' AND y.external_id LIKE 'B-%' AND x.unit_id IS NULL AND y.unit_id IS NULL
                          AND (y.booked_on < x.booked_on OR (y.booked_on = x.booked_on AND y.account_id < x.account_id))`), '0');
  // again, with new rows after the first few thousand (all updates: the direct way rests
  // once it has taken hardly any of 4,096 rows)
  writeFileSync(f, Buffer.concat([readFileSync(f), namesFile(a.db, 3000, 'C').subarray(namesFile(a.db, 0, 'C').indexOf(10) + 1)]));
  const again = same(f, ROW_BY_ROW);
  assert.ok(again.unchanged > n && again.created > 3000, JSON.stringify(again).slice(0, 300));
});

test('through the server, in its batches, the same', async () => {
  const f = namesFile(a.db, 3000, 'S');
  const answers = [];
  for (const [d, env] of [[a, DIRECT], [b, JSON_WAY]]) {
    const tok = tokens(d.db, ['admin'], 'direct');
    const srv = await serve(d.db, { KAM_JOB_INTERVAL: '3600', ...env });
    try {
      const r = await fetch(`${srv.url}/api/v1/imports?kind=transactions`, {
        method: 'POST', headers: { Authorization: `Bearer ${tok.admin}`, 'Content-Type': 'text/csv' }, body: f,
      });
      const j = await r.json();
      assert.equal(r.status, 201, JSON.stringify(j));
      answers.push(importReport(j));
    } finally {
      assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
    }
  }
  delete answers[0].created_by; // each database's own admin token, the same user
  delete answers[1].created_by;
  assert.deepEqual(answers[0], answers[1]);
  assert.ok(answers[0].created > 3000);
  assert.deepEqual(stored(a.db), stored(b.db));
});

function readLines(f) {
  return execFileSync('cat', [f], { encoding: 'latin1' }).split('\n').slice(1);
}
