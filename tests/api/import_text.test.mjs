// Import reports that quote the file: a cell quoted in a row's problem is cut to 100 bytes,
// possibly inside a character, and a cell may not be UTF-8 at all. The problem is still
// reported (its bad bytes written "?"), and the row is refused: never accepted with the cell
// dropped, never a 500 (found by fuzz_api, issue 14).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['admin'], 'import-text'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

// A 503 "busy, retry" is what a client retries (the server's first alerts run can hold the
// database while a file comes in on PostgreSQL); anything else is the answer.
async function upload(body, query) {
  for (let i = 0; ; i++) {
    const r = await fetch(`${srv.url}/api/v1/imports?${new URLSearchParams(query)}`, {
      method: 'POST', headers: { Authorization: `Bearer ${tok.admin}`, 'Content-Type': 'text/csv' }, body,
    });
    const text = await r.text();
    if (r.status !== 503 || i === 4) return { status: r.status, text, json: JSON.parse(text) };
    await new Promise((res) => setTimeout(res, 500));
  }
}

test('a bad date quoted in the report cut inside a character: the row is refused and says why', async () => {
  // "x" then 60 two-byte characters: the report's first 100 bytes end in half a character
  const cell = 'x' + 'é'.repeat(60);
  const csv = `name,industry,acquired_on\nCut Text Ltd,Steel,${cell}\nWhole Text Ltd,Steel,2025-02-03\n`;
  const r = await upload(csv, { kind: 'accounts', atomic: 'false' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.created, r.json.rejected], [1, 1], r.text);
  assert.equal(r.json.errors.length, 1, r.text);
  const e = r.json.errors[0];
  assert.equal(e.line, 2);
  assert.equal(e.column, 'acquired_on');
  assert.match(e.message, /^"xé+\?" is not a date/);
  const list = await (await fetch(`${srv.url}/api/v1/accounts?q=${encodeURIComponent('Cut Text')}`,
    { headers: { Authorization: `Bearer ${tok.admin}` } })).json();
  assert.equal(list.items.length, 0, 'the row with the bad date is not in');
});

test('a reference that is not UTF-8 is named once, as not UTF-8, in a dry run', async () => {
  const csv = Buffer.concat([
    Buffer.from('name,industry,owner_email\nBad Owner Ltd,Steel,'),
    Buffer.from([0x9f, 0x91, 0xbf, 0x9a]), Buffer.from('mple.com\n'),
  ]);
  const r = await upload(csv, { kind: 'accounts', dry_run: 'true' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.rejected, 1, r.text);
  assert.deepEqual(r.json.errors.map((e) => [e.line, e.column]), [[2, 'owner_email']], r.text);
  assert.match(r.json.errors[0].message, /not UTF-8/);
});
