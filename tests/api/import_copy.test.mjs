// New transactions are written in bulk (issue 20): a multi-row INSERT on SQLite, COPY on
// PostgreSQL (scripts/test-pg). Whatever the lane, what is stored is what the file said —
// external ids with a backslash, a tab, a line break or the text \N (COPY's NULL) stay
// themselves — a re-import finds every row unchanged, a duplicate of a stored id rejects
// only its row, and the rollup counts every row written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens, importCsv } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin'], 'import-copy'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const upload = (csv, query = {}) => importCsv(srv.url, tok.admin, csv, { kind: 'transactions', ...query });
const get = (path) => api(srv.url, tok.admin, 'GET', path);
const q = (s) => `"${s.replace(/"/g, '""')}"`;

const IDS = ['C-back\\slash', 'C-tab\there', 'C-line\nbreak', '\\N', 'C-cr\rx', 'C-ünïcødé ✓', 'C-plain'];

test('odd external ids survive the bulk lane and a re-import finds them unchanged', async () => {
  const acc = (await get('/api/v1/accounts?limit=1')).json.items[0];
  const rows = IDS.map((id, i) => `${q(id)},${q(acc.name)},2026-02-${String(i + 1).padStart(2, '0')},${100 + i}.25,EUR`);
  const csv = `external_id,account,booked_on,amount,currency\n${rows.join('\n')}\n`;
  const first = await upload(csv);
  assert.equal(first.status, 201, JSON.stringify(first.json));
  assert.equal(first.json.created, IDS.length, JSON.stringify(first.json.errors));
  assert.equal(first.json.rejected, 0);
  for (const [i, id] of IDS.entries()) {
    const r = await get(`/api/v1/transactions?external_id=${encodeURIComponent(id)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.items.length, 1, `external id ${JSON.stringify(id)} stored as itself`);
    const x = r.json.items[0];
    assert.equal(x.external_id, id);
    assert.equal(x.account_id, acc.id);
    assert.equal(x.amount, 10025 + i * 100);
    assert.equal(x.booked_on, `2026-02-${String(i + 1).padStart(2, '0')}`);
  }
  const again = await upload(csv);
  assert.equal(again.status, 201, JSON.stringify(again.json));
  assert.equal(again.json.created, 0);
  assert.equal(again.json.unchanged, IDS.length, JSON.stringify(again.json.errors));
});

test('a bulk batch keeps per-row errors, and the rollup counts exactly the rows written', async () => {
  const acc = (await get('/api/v1/accounts?limit=1')).json.items[0];
  const k = (await get(`/api/v1/kpis?scope=account&id=${acc.id}&from=2025-03-01&to=2025-04-01`));
  assert.equal(k.status, 200, k.text);
  const before = k.json.kpis.revenue.value ?? 0;
  const rows = [];
  for (let i = 0; i < 300; i++) rows.push(`D-${i},${q(acc.name)},2025-03-${String(1 + (i % 28)).padStart(2, '0')},1.00,EUR`);
  rows.splice(150, 0, `D-7,${q(acc.name)},2025-03-02,1.00,EUR`); // in the file twice
  rows.splice(10, 0, `D-bad,${q(acc.name)},2025-03-02,not money,EUR`);
  const r = await upload(`external_id,account,booked_on,amount,currency\n${rows.join('\n')}\n`);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.created, 300);
  assert.equal(r.json.rejected, 2);
  assert.deepEqual(r.json.errors.map((e) => e.line).sort((a, b) => a - b), [12, 153]);
  const k2 = (await get(`/api/v1/kpis?scope=account&id=${acc.id}&from=2025-03-01&to=2025-04-01`)).json;
  assert.equal(k2.kpis.revenue.value - before, 300 * 100, 'the rollup gained exactly the rows written');
});
