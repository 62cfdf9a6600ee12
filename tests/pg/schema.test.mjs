// The PostgreSQL migrations are hand-kept twins of the SQLite ones: after migrating a fresh
// database on each backend, both schemas must agree table by table and column by column
// (name, type class, NOT NULL, default, primary key), in their foreign keys, indexes, number
// of CHECK constraints and triggers; and every text column kam sorts by must compare bytes on
// PostgreSQL as on SQLite (COLLATE "C"). A difference fails with one readable line per finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PG, createDb, kam, serve, api, tmp, psql } from '../lib/harness.mjs';

const skip = PG ? false : 'needs PostgreSQL: run through scripts/test-pg';

// The type classes both backends store alike (SQLite's declared type by its affinity rules).
function sqliteType(t) {
  const u = t.toUpperCase();
  if (u.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(u)) return 'text';
  if (/REAL|FLOA|DOUB/.test(u)) return 'real';
  if (u === '' || u.includes('BLOB')) return 'blob';
  return 'numeric';
}
const PG_TYPES = {
  bigint: 'integer', integer: 'integer', smallint: 'integer', text: 'text',
  'character varying': 'text', character: 'text', 'double precision': 'real', real: 'real',
  numeric: 'numeric', bytea: 'blob',
};
const pgType = (t) => PG_TYPES[t] || `pg:${t}`;

// A default as a comparable literal: casts, parentheses and an explicit NULL dropped.
function literal(d) {
  if (d === null || d === undefined) return null;
  let s = String(d).trim();
  for (let prev = null; prev !== s;) {
    prev = s;
    s = s.replace(/::[a-z ]+(\[\])?$/i, '').trim();
    if (/^\(.*\)$/.test(s)) s = s.slice(1, -1).trim();
  }
  return /^null$/i.test(s) ? null : s;
}

function sqliteSchema(file) {
  const q = (sql) => {
    const out = execFileSync('sqlite3', ['-json', file, sql], { encoding: 'utf8' }).trim();
    return out ? JSON.parse(out) : [];
  };
  const tables = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
  const s = {};
  for (const c of q(`SELECT m.name AS tbl, p.name, p.type, p."notnull" AS nn, p.dflt_value AS dflt, p.pk
                     FROM sqlite_master m, pragma_table_info(m.name) p WHERE ${tables}`)) {
    const t = (s[c.tbl] ??= { columns: {}, pk: [], fks: [], indexes: {} });
    // an INTEGER PRIMARY KEY is the rowid: NOT NULL and numbered by the database
    const rowid = c.pk > 0 && c.type.toUpperCase() === 'INTEGER' &&
      q(`SELECT count(*) AS n FROM pragma_table_info('${c.tbl}') WHERE pk > 0`)[0].n === 1;
    t.columns[c.name] = {
      type: sqliteType(c.type), notnull: Boolean(c.nn || c.pk), default: rowid ? 'generated' : literal(c.dflt),
    };
    if (c.pk) t.pk[c.pk - 1] = c.name;
  }
  for (const f of q(`SELECT m.name AS tbl, f.id, f.seq, f."from" AS col, f."table" AS ref, f."to" AS refcol, f.on_delete
                     FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE ${tables} ORDER BY f.id, f.seq`)) {
    const fks = s[f.tbl].fks;
    const k = fks.find((x) => x.id === f.id) ?? (fks.push({ id: f.id, cols: [], ref: f.ref, refcols: [], on_delete: f.on_delete }), fks.at(-1));
    k.cols.push(f.col);
    // REFERENCES t without a column means its primary key
    k.refcols.push(f.refcol ?? s[f.ref]?.pk.join(',') ?? '?');
  }
  for (const i of q(`SELECT m.name AS tbl, i.name, i."unique" AS uniq, i.origin, i.partial
                     FROM sqlite_master m, pragma_index_list(m.name) i WHERE ${tables}`)) {
    if (i.origin === 'pk') continue; // the primary key is compared as such
    const cols = q(`SELECT name FROM pragma_index_info('${i.name}') ORDER BY seqno`).map((x) => x.name ?? '<expression>');
    // UNIQUE in a column definition: SQLite names it sqlite_autoindex_*, PostgreSQL *_key
    const name = i.origin === 'u' ? `unique(${cols.join(',')})` : i.name;
    s[i.tbl].indexes[name] = { unique: Boolean(i.uniq), partial: Boolean(i.partial), cols };
  }
  for (const t of Object.values(s)) for (const k of t.fks) delete k.id;
  // CHECK constraints by count (their text differs between the backends)
  for (const g of q(`SELECT m.name AS tbl, m.sql FROM sqlite_master m WHERE ${tables}`))
    s[g.tbl].checks = (g.sql.match(/\bCHECK\s*\(/gi) ?? []).length;
  // triggers by what fires them (PostgreSQL fires one trigger on several events)
  for (const g of q("SELECT tbl_name AS tbl, sql FROM sqlite_master WHERE type = 'trigger'")) {
    const m = g.sql.match(/\b(BEFORE|AFTER|INSTEAD OF)\s+(INSERT|UPDATE|DELETE)\b/i);
    (s[g.tbl].triggers ??= []).push(m ? `${m[1]} ${m[2]}`.toUpperCase() : g.sql);
  }
  return s;
}

function pgSchema(dbname) {
  const q = (sql) => JSON.parse(psql(`SELECT coalesce(json_agg(x), '[]') FROM (${sql}) x`, dbname));
  const s = {};
  for (const c of q(`SELECT table_name AS tbl, column_name AS name, data_type AS type, is_nullable,
                       column_default AS dflt, is_identity, collation_name FROM information_schema.columns
                     WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`)) {
    const t = (s[c.tbl] ??= { columns: {}, pk: [], fks: [], indexes: {}, collation: {} });
    const generated = c.is_identity === 'YES' || /^nextval\(/.test(c.dflt ?? '');
    t.columns[c.name] = {
      type: pgType(c.type), notnull: c.is_nullable === 'NO', default: generated ? 'generated' : literal(c.dflt),
    };
    t.collation[c.name] = c.collation_name;
  }
  const ON_DELETE = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
  for (const k of q(`SELECT c.conrelid::regclass::text AS tbl, c.contype,
                       (SELECT array_agg(a.attname ORDER BY u.i) FROM unnest(c.conkey) WITH ORDINALITY u(n, i)
                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = u.n) AS cols,
                       c.confrelid::regclass::text AS ref,
                       (SELECT array_agg(a.attname ORDER BY u.i) FROM unnest(c.confkey) WITH ORDINALITY u(n, i)
                          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = u.n) AS refcols,
                       c.confdeltype AS del
                     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                     WHERE n.nspname = 'public' AND c.contype IN ('p', 'f')`)) {
    if (k.contype === 'p') s[k.tbl].pk = k.cols;
    else s[k.tbl].fks.push({ cols: k.cols, ref: k.ref, refcols: k.refcols, on_delete: ON_DELETE[k.del] });
  }
  for (const i of q(`SELECT t.relname AS tbl, c.relname AS name, x.indisunique AS uniq, x.indisprimary AS pk,
                       x.indpred IS NOT NULL AS partial, con.contype,
                       (SELECT array_agg(CASE WHEN k.n = 0 THEN '<expression>' ELSE a.attname END ORDER BY k.i)
                          FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, i)
                          LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n) AS cols
                     FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                     JOIN pg_namespace n ON n.oid = t.relnamespace
                     LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.contype = 'u'
                     WHERE n.nspname = 'public'`)) {
    if (i.pk) continue;
    const name = i.contype === 'u' ? `unique(${i.cols.join(',')})` : i.name;
    s[i.tbl].indexes[name] = { unique: i.uniq, partial: i.partial, cols: i.cols };
  }
  for (const g of q(`SELECT conrelid::regclass::text AS tbl, count(*)::int AS n FROM pg_constraint c
                     JOIN pg_namespace n ON n.oid = c.connamespace
                     WHERE n.nspname = 'public' AND c.contype = 'c' GROUP BY 1`))
    s[g.tbl].checks = g.n;
  for (const g of q(`SELECT event_object_table AS tbl, action_timing AS timing, event_manipulation AS event
                     FROM information_schema.triggers WHERE trigger_schema = 'public'`))
    (s[g.tbl].triggers ??= []).push(`${g.timing} ${g.event}`);
  return s;
}

// One line per difference, "" when the two agree.
function compare(lite, pg) {
  const out = [];
  const show = (v) => (v === null ? 'none' : JSON.stringify(v));
  const fk = (k) => `(${k.cols.join(',')}) -> ${k.ref}(${k.refcols.join(',')}) ON DELETE ${k.on_delete}`;
  for (const t of [...new Set([...Object.keys(lite), ...Object.keys(pg)])].sort()) {
    if (!pg[t]) { out.push(`table ${t}: only on SQLite`); continue; }
    if (!lite[t]) { out.push(`table ${t}: only on PostgreSQL`); continue; }
    const [a, b] = [lite[t], pg[t]];
    for (const c of [...new Set([...Object.keys(a.columns), ...Object.keys(b.columns)])].sort()) {
      const [x, y] = [a.columns[c], b.columns[c]];
      if (!y) { out.push(`${t}.${c}: only on SQLite`); continue; }
      if (!x) { out.push(`${t}.${c}: only on PostgreSQL`); continue; }
      for (const p of ['type', 'notnull', 'default'])
        if (x[p] !== y[p]) out.push(`${t}.${c}: ${p} ${show(x[p])} on SQLite, ${show(y[p])} on PostgreSQL`);
    }
    if (a.pk.join(',') !== b.pk.join(','))
      out.push(`${t}: primary key (${a.pk.join(',')}) on SQLite, (${b.pk.join(',')}) on PostgreSQL`);
    const fa = a.fks.map(fk).sort(), fb = b.fks.map(fk).sort();
    for (const k of fa.filter((k) => !fb.includes(k))) out.push(`${t}: foreign key ${k} only on SQLite`);
    for (const k of fb.filter((k) => !fa.includes(k))) out.push(`${t}: foreign key ${k} only on PostgreSQL`);
    for (const i of [...new Set([...Object.keys(a.indexes), ...Object.keys(b.indexes)])].sort()) {
      const [x, y] = [a.indexes[i], b.indexes[i]];
      if (!y) { out.push(`${t}: index ${i} only on SQLite`); continue; }
      if (!x) { out.push(`${t}: index ${i} only on PostgreSQL`); continue; }
      for (const p of ['unique', 'partial'])
        if (x[p] !== y[p]) out.push(`${t}: index ${i}: ${p} ${x[p]} on SQLite, ${y[p]} on PostgreSQL`);
      if (x.cols.join(',') !== y.cols.join(','))
        out.push(`${t}: index ${i}: (${x.cols.join(',')}) on SQLite, (${y.cols.join(',')}) on PostgreSQL`);
    }
    if ((a.checks ?? 0) !== (b.checks ?? 0))
      out.push(`${t}: ${a.checks ?? 0} CHECK constraints on SQLite, ${b.checks ?? 0} on PostgreSQL`);
    const ga = (a.triggers ?? []).sort().join(', '), gb = (b.triggers ?? []).sort().join(', ');
    if (ga !== gb) out.push(`${t}: triggers ${ga || 'none'} on SQLite, ${gb || 'none'} on PostgreSQL`);
  }
  return out.join('\n');
}

// Differences that are not: kam always writes schema_migrations.version and
// notification_prefs.user_id (a user's id), SQLite would number an INTEGER PRIMARY KEY by itself.
// (an index's INCLUDE columns count as its columns: SQLite covers with trailing key columns;
// the open actions' partial index needs no status column on PostgreSQL, where only open
// statuses are in it and none is looked up)
const ACCEPTED = ['schema_migrations.version: default "generated" on SQLite, none on PostgreSQL',
  'notification_prefs.user_id: default "generated" on SQLite, none on PostgreSQL',
  'actions: index actions_open_owner: (owner_id,status,due_on) on SQLite, (owner_id,due_on) on PostgreSQL'];

// The text columns rows are sorted by: the sort keys of every list in the OpenAPI file (dates
// aside: fixed-shape ASCII sorts alike under any collation) and what kam's SQL orders by.
function sortedText(lite) {
  const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
  const out = new Set(['accounts_tags.tag', 'products.family', 'units.name', 'users.name']);
  for (const [path, ops] of Object.entries(doc.paths)) {
    const sort = ops.get?.parameters?.find((p) => p.name === 'sort');
    if (!sort) continue;
    const table = path.replace('/api/v1/', '').replaceAll('-', '_');
    const ref = ops.get.responses['200'].content['application/json'].schema.properties.items.items.$ref;
    const props = doc.components.schemas[ref.split('/').at(-1)].properties;
    for (const k of sort.schema.enum)
      if (lite[table]?.columns[k]?.type === 'text' && !/^date/.test(props[k]?.format ?? ''))
        out.add(`${table}.${k}`);
  }
  return [...out].sort();
}

test('both backends, migrated from scratch, have the same tables, columns, keys and indexes', { skip }, () => {
  const t = tmp();
  try {
    const file = join(t.dir, 'kam.db');
    const db = createDb();
    kam(['migrate', '--db', file]);
    kam(['migrate', '--db', db]);
    const lite = sqliteSchema(file), pg = pgSchema(new URL(db).pathname.slice(1));
    assert.ok(Object.keys(lite).length > 20 && lite.accounts.columns.name, 'the SQLite schema was read');
    assert.ok(Object.keys(pg).length > 20 && pg.accounts.columns.name, 'the PostgreSQL schema was read');
    const diff = compare(lite, pg).split('\n').filter((l) => l && !ACCEPTED.includes(l)).join('\n');
    assert.ok(diff === '', `the schemas differ:\n${diff}`);
    // SQLite compares text bytewise; PostgreSQL by the database's locale unless a column says
    // COLLATE "C": lists would come back in another order, and keyset pages would skip rows
    const sorted = sortedText(lite);
    assert.ok(sorted.includes('accounts.name') && sorted.includes('opportunities.stage'), sorted.join(' '));
    const notC = sorted.filter((c) => { const [t, col] = c.split('.'); return pg[t].collation[col] !== 'C'; });
    assert.deepEqual(notC, [], `sorted text without COLLATE "C" on PostgreSQL: ${notC.join(', ')}`);
  } finally {
    t.rm();
  }
});

test('on a PostgreSQL database with an ICU locale, tags, stages and product families sort as on SQLite', { skip }, async () => {
  const t = tmp();
  const name = `kam_icu_${process.pid}`;
  psql(`CREATE DATABASE ${name} OWNER kam TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`);
  const u = new URL(PG);
  const dbs = [join(t.dir, 'kam.db'), `postgresql://kam@${u.hostname}:${u.port}/${name}`];
  const seen = [];
  try {
    for (const db of dbs) {
      kam(['demo', '--db', db]);
      const tok = kam(['token', 'create', '--email', 'director@example.com', '--name', 'icu', '--db', db]).trim();
      const srv = await serve(db);
      try {
        const call = (m, p, b) => api(srv.url, tok, m, p, b);
        const acc = await call('POST', '/api/v1/accounts', { name: 'Collation AG', tags: ['b', 'B', 'a-c', 'ab', 'A'] });
        assert.equal(acc.status, 201, acc.text);
        for (const family of ['beta', 'Beta', 'alpha-2', 'alpha1'])
          assert.equal((await call('POST', '/api/v1/products', { name: `P ${family}`, family })).status, 201);
        const ws = (await call('GET', `/api/v1/accounts/${acc.json.id}/whitespace`)).json;
        seen.push({
          tags: (await call('GET', `/api/v1/accounts/${acc.json.id}`)).json.tags,
          families: [...new Set(ws.products.map((p) => p.family).filter((f) => f !== null))],
          stages: (await call('GET', '/api/v1/opportunities?sort=stage&limit=500')).json.items.map((o) => o.stage)
            .filter((x, i, a) => a.indexOf(x) === i),
        });
      } finally {
        assert.equal(await srv.stop(), 0, srv.log().slice(-2000));
      }
    }
    assert.deepEqual(seen[0].tags, ['A', 'B', 'a-c', 'ab', 'b'], 'SQLite compares bytes');
    assert.deepEqual(seen[1], seen[0]);
  } finally {
    t.rm();
    psql(`DROP DATABASE IF EXISTS ${name}`);
  }
});

// Migration 046 made the three copies of the versions' trigger function (036, 041, 045) one,
// settings_version_bump, which takes the settings key as the trigger's argument: after
// migrating, each trigger must still move its own version and no other. Statement-level
// triggers fire on a statement that ends no row; the owner's fires on a real change only.
test('after migrating, each version trigger moves its own version and no other', { skip }, () => {
  const db = createDb();
  const name = new URL(db).pathname.slice(1);
  kam(['demo', '--db', db]);
  const keys = ['auth_version', 'data_version', 'rollup_version'];
  const versions = () => JSON.parse(psql(`SELECT json_object_agg(key, version) FROM settings WHERE key IN ('${keys.join("', '")}')`, name));
  const cases = [
    [['auth_sessions_del'], 'DELETE FROM sessions WHERE false', ['auth_version']],
    [['auth_sessions_upd'], 'UPDATE sessions SET created_at = created_at WHERE false', ['auth_version']],
    [['auth_tokens_del'], 'DELETE FROM api_tokens WHERE false', ['auth_version']],
    [['auth_tokens_upd'], 'UPDATE api_tokens SET expires_at = expires_at WHERE false', ['auth_version']],
    [['auth_users_del'], 'DELETE FROM users WHERE false', ['auth_version']],
    [['auth_users_upd'], 'UPDATE users SET name = name WHERE false', ['auth_version']],
    [['seen_team'], 'DELETE FROM account_team WHERE false', ['data_version']],
    [['seen_owner_upd'], `UPDATE accounts SET owner_id = (SELECT min(u.id) FROM users u WHERE u.id IS DISTINCT FROM accounts.owner_id)
                          WHERE id = (SELECT min(id) FROM accounts)`, ['data_version']],
    [['seen_accounts_del', 'rollup_accounts_del'], 'DELETE FROM accounts WHERE false', ['data_version', 'rollup_version']],
  ];
  // every trigger that calls the function has its case here, and the old functions are gone
  const calling = psql(`SELECT string_agg(t.tgname, ' ' ORDER BY t.tgname) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                        WHERE p.proname = 'settings_version_bump' AND NOT t.tgisinternal`, name);
  assert.equal(calling, cases.flatMap(([tg]) => tg).sort().join(' '));
  assert.equal(psql("SELECT count(*) FROM pg_proc WHERE proname IN ('auth_version_bump', 'data_version_bump', 'rollup_version_bump')", name), '0');
  for (const [tg, stmt, moves] of cases) {
    const before = versions();
    psql(stmt, name);
    const after = versions();
    for (const k of keys)
      assert.equal(after[k] - before[k], moves.includes(k) ? 1 : 0, `${tg.join(' and ')}: ${k} moved by ${after[k] - before[k]}`);
  }
});

test('the comparison sees a difference', () => {
  const base = () => ({ t: { columns: { a: { type: 'integer', notnull: true, default: '0' } }, pk: ['a'], fks: [], indexes: {} } });
  const a = base(), b = base();
  assert.equal(compare(a, b), '');
  b.t.columns.a.default = '1';
  b.t.columns.c = { type: 'text', notnull: false, default: null };
  b.t.indexes.t_c = { unique: false, partial: false, cols: ['c'] };
  assert.equal(compare(a, b), [
    't.a: default "0" on SQLite, "1" on PostgreSQL',
    't.c: only on PostgreSQL',
    't: index t_c only on PostgreSQL',
  ].join('\n'));
  assert.equal(literal("'EUR'::text"), "'EUR'");
  assert.equal(literal('(0)'), '0');
  assert.equal(literal('NULL::bigint'), null);
});
