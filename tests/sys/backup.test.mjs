// kam backup while a server runs and takes writes; kam restore into a new path and over a
// served database; what restore refuses. SQLite only (PostgreSQL has pg_dump/pg_restore).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { BIN, kam, serve, api, tmp, sleep } from '../lib/harness.mjs';

const run = promisify(execFile);
const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
const counts = (db) => sql(db, 'SELECT (SELECT count(*) FROM accounts) || \' \' || (SELECT count(*) FROM transactions) || \' \' || (SELECT count(*) FROM contacts)');
const fail = (args) => {
  try { kam(args); } catch (e) { return { code: e.status, err: e.stderr }; }
  assert.fail(`kam ${args.join(' ')} should fail`);
};

test('a backup taken while the server writes is consistent, and a restored copy serves the same data', async () => {
  const t = tmp();
  const db = join(t.dir, 'kam.db'), b1 = join(t.dir, 'during.db'), b2 = join(t.dir, 'after.db');
  const restored = join(t.dir, 'restored.db');
  let s, s2;
  try {
    kam(['demo', '--db', db]);
    const token = kam(['token', 'create', '--email', 'director@example.com', '--name', 'backup', '--db', db]).trim();
    s = await serve(db);
    const acked = []; // [id, acknowledged at]
    let stop = false;
    const writer = async (w) => {
      for (let i = 0; !stop; i++) {
        const a = await api(s.url, token, 'POST', '/api/v1/accounts', { name: `backup-${w}-${i}`, tags: ['backup'], owner_id: 3 });
        assert.equal(a.status, 201, a.text);
        const tx = await api(s.url, token, 'POST', '/api/v1/transactions', {
          account_id: a.json.id, booked_on: '2026-01-15', amount: 1000 + i, currency: 'EUR',
        });
        assert.equal(tx.status, 201, tx.text);
        acked.push([a.json.id, Date.now()]);
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(writer));
    await sleep(700);
    const started = Date.now();
    const before = acked.filter(([, at]) => at < started).map(([id]) => id);
    const out = await run(BIN, ['backup', b1, '--db', db]); // async: the writers go on meanwhile
    assert.match(out.stdout, /backed up .* to .*during\.db/);
    const during = acked.length;
    await sleep(500);
    stop = true;
    await load;
    assert.ok(before.length > 5 && acked.length > during, `writes went on before (${before.length}) and after the backup (${acked.length - during} more)`);

    // one intact, self-contained file holding every write acknowledged before it started
    assert.equal(sql(b1, 'PRAGMA integrity_check'), 'ok');
    assert.equal(sql(b1, 'PRAGMA journal_mode'), 'delete');
    assert.ok(!existsSync(b1 + '-wal'));
    const inBackup = new Set(sql(b1, "SELECT id FROM accounts WHERE name LIKE 'backup-%'").split('\n').filter(Boolean).map(Number));
    assert.deepEqual(before.filter((id) => !inBackup.has(id)), []);
    // consistent: every account written has its transaction, or neither is in
    assert.ok(Number(sql(b1, "SELECT count(*) FROM accounts a WHERE a.name LIKE 'backup-%' AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.account_id = a.id)")) <= 4,
      'at most the writers\' accounts between their two requests lack a transaction');

    // restore into a new path: the same rows, served the same way
    const r = kam(['restore', b1, '--db', restored]);
    assert.match(r, /restored .*during\.db into .*restored\.db/);
    assert.equal(counts(restored), counts(b1));
    assert.equal(sql(restored, 'PRAGMA integrity_check'), 'ok');
    s2 = await serve(restored);
    for (const id of [1, before[0]]) {
      const live = await api(s.url, token, 'GET', `/api/v1/accounts/${id}`);
      const copy = await api(s2.url, token, 'GET', `/api/v1/accounts/${id}`);
      assert.equal(copy.status, 200, copy.text);
      assert.deepEqual(copy.json, live.json);
    }
    const listed = await api(s2.url, token, 'GET', '/api/v1/accounts?tag=backup&limit=500');
    assert.equal(listed.json.items.length, Math.min(inBackup.size, 500));

    // with the writers stopped a backup equals the live database; restored over the database
    // the second server runs on, that server answers with the newer data at once
    await run(BIN, ['backup', b2, '--db', db]);
    assert.equal(counts(b2), counts(db));
    const kpiBefore = await api(s2.url, token, 'GET', '/api/v1/kpis?from=2026-01-01&to=2026-02-01');
    assert.equal(kpiBefore.status, 200);
    kam(['restore', b2, '--db', restored]);
    assert.equal(counts(restored), counts(db));
    const after = await api(s2.url, token, 'GET', '/api/v1/accounts?tag=backup&limit=500');
    assert.equal(after.json.items.length, Math.min(acked.length, 500));
    const kpiAfter = await api(s2.url, token, 'GET', '/api/v1/kpis?from=2026-01-01&to=2026-02-01');
    assert.equal(kpiAfter.headers.get('x-cache'), 'miss', 'cached answers expired with the restore');
    const live = await api(s.url, token, 'GET', '/api/v1/kpis?from=2026-01-01&to=2026-02-01');
    assert.deepEqual(kpiAfter.json.kpis.revenue, live.json.kpis.revenue);
  } finally {
    if (s) assert.equal(await s.stop(), 0, s.log().slice(-2000));
    if (s2) assert.equal(await s2.stop(), 0, s2.log().slice(-2000));
    t.rm();
  }
});

test('restore refuses what is not a kam backup and never overwrites another database', () => {
  const t = tmp();
  try {
    const db = join(t.dir, 'kam.db'), b = join(t.dir, 'b.db');
    kam(['demo', '--db', db]);
    kam(['backup', b, '--db', db]);
    // not a database at all
    const junk = join(t.dir, 'junk.db');
    writeFileSync(junk, 'hello, this is not SQLite');
    let f = fail(['restore', junk, '--db', join(t.dir, 'new.db')]);
    assert.equal(f.code, 1);
    assert.match(f.err, /not a kam database/);
    assert.ok(!existsSync(join(t.dir, 'new.db')), 'nothing was created');
    // a SQLite database of something else, as the backup or as the target
    const other = join(t.dir, 'other.db');
    sql(other, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep me')");
    f = fail(['restore', other, '--db', join(t.dir, 'new.db')]);
    assert.match(f.err, /not a kam database/);
    f = fail(['restore', b, '--db', other]);
    assert.equal(f.code, 1);
    assert.match(f.err, /other\.db exists and is not a kam database/);
    assert.equal(sql(other, 'SELECT x FROM notes'), 'keep me');
    // a missing backup, the database onto itself, usage errors, PostgreSQL
    assert.match(fail(['restore', join(t.dir, 'missing.db'), '--db', db]).err, /no backup at/);
    assert.match(fail(['backup', db, '--db', db]).err, /must not be the database itself/);
    assert.equal(fail(['backup', '--db', db]).code, 2);
    assert.equal(fail(['restore', b, 'extra', '--db', db]).code, 2);
    for (const cmd of ['backup', 'restore']) {
      f = fail([cmd, b, '--db', 'postgresql://kam@127.0.0.1:1/kam']);
      assert.equal(f.code, 2);
      assert.match(f.err, cmd === 'backup' ? /use pg_dump/ : /use pg_restore/);
    }
    // a -wal left beside a removed database is cleared before the restore writes there
    const fresh = join(t.dir, 'fresh.db');
    writeFileSync(fresh + '-wal', readFileSync(b).subarray(0, 4096));
    kam(['restore', b, '--db', fresh]);
    assert.equal(counts(fresh), counts(db));
    assert.equal(sql(fresh, 'PRAGMA integrity_check'), 'ok');
  } finally {
    t.rm();
  }
});
