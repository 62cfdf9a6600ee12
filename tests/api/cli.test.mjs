// The kam command: usage, exit codes, users, tokens, migrations, all while a server runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, PG, serve, api, login, demoDb } from '../lib/harness.mjs';

let t, db, srv;

const run = (args, input) => spawnSync(BIN, args, { encoding: 'utf8', input, env: { ...process.env, KAM_DB: db } });

before(async () => {
  ({ t, db } = demoDb());
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

test('version, help and wrong usage', () => {
  assert.match(run(['version']).stdout, /^kam \S+\n$/);
  const h = run(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /serve/);
  for (const cmd of ['serve', 'demo', 'init', 'migrate', 'kpi']) {
    const r = run([cmd, '--help']);
    assert.equal(r.status, 0, cmd);
    assert.match(r.stdout, new RegExp(`usage: kam ${cmd}`));
  }
  for (const args of [[], ['frobnicate'], ['serve', '--bogus'], ['user'], ['user', 'add', '--email', 'x@example.com'],
    ['token', 'create'], ['serve', '--threads', 'many'], ['demo', 'extra']]) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /usage: kam/);
  }
});

// The commands as a user reads them in `kam help`; each must answer --help.
const COMMANDS = ['serve', 'init', 'migrate', 'demo', 'settings', 'user add', 'token create', 'mail test', 'kpi', 'import', 'export',
  'report plan', 'backup', 'restore', 'openapi', 'version', 'help'];

test('kam help lists every command, and each listed one explains itself', () => {
  const h = run(['help']);
  assert.equal(h.status, 0, h.stderr);
  const listed = [...h.stdout.matchAll(/^ {2}(\S+(?: [a-z]+)?) {2,}\S/gm)].map((m) => m[1]);
  assert.deepEqual(listed, COMMANDS);
  assert.equal(run(['--help']).stdout, h.stdout);
  for (const cmd of listed) {
    if (cmd === 'openapi' || cmd === 'version' || cmd === 'help') continue; // take no options
    const r = run([...cmd.split(' '), '--help']);
    assert.equal(r.status, 0, cmd);
    assert.match(r.stdout, new RegExp(`usage: kam ${cmd}`), cmd);
    // kam help COMMAND says the same
    const again = run(['help', cmd.split(' ')[0]]);
    assert.equal(again.status, 0, cmd);
    assert.equal(again.stdout, r.stdout, cmd);
  }
});

test('an unknown command exits 2 and says so on its first line', () => {
  for (const args of [['frobnicate'], ['help', 'frobnicate']]) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n')[0], 'kam: unknown command frobnicate');
    assert.match(r.stderr, /^ {2}serve /m, 'followed by the list of commands');
  }
});

test('a file that cannot be written is named with the reason', () => {
  const out = join(t.dir, 'no', 'such', 'dir', 'plan.pdf');
  const r = run(['report', 'plan', '1', '--out', out]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `kam: cannot write ${out}: No such file or directory\n`);
});

test('user add prints a generated password that logs in; --password-stdin; duplicates fail cleanly', async () => {
  const r = run(['user', 'add', '--email', 'cli.kam@example.com', '--name', 'Cli Kam', '--role', 'kam']);
  assert.equal(r.status, 0, r.stderr);
  const pw = r.stdout.match(/password: (\S+)/)[1];
  const s = await login(srv.url, 'cli.kam@example.com', pw);
  assert.ok(s.cookie);
  const p = run(['user', 'add', '--email', 'stdin@example.com', '--name', 'Stdin', '--role', 'viewer', '--password-stdin'], 'a long enough password\n');
  assert.equal(p.status, 0, p.stderr);
  assert.doesNotMatch(p.stdout, /password:/);
  await login(srv.url, 'stdin@example.com', 'a long enough password');
  const dup = run(['user', 'add', '--email', 'CLI.KAM@example.com', '--name', 'Again', '--role', 'kam']);
  assert.equal(dup.status, 1);
  assert.equal(dup.stderr.trim().split('\n').length, 1, 'one clear line');
  assert.match(dup.stderr, /exists/);
  const bad = run(['user', 'add', '--email', 'x@example.com', '--name', 'X', '--role', 'emperor']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /role/);
  const weak = run(['user', 'add', '--email', 'w@example.com', '--name', 'W', '--role', 'kam', '--password-stdin'], 'short\n');
  assert.equal(weak.status, 1);
});

test('token create prints a bearer token that works; unknown users fail', async () => {
  const r = run(['token', 'create', '--email', 'viewer@example.com', '--name', 'cli']);
  assert.equal(r.status, 0, r.stderr);
  const me = await api(srv.url, r.stdout.trim(), 'GET', '/api/v1/me');
  assert.equal(me.json.email, 'viewer@example.com');
  const no = run(['token', 'create', '--email', 'ghost@example.com', '--name', 'x']);
  assert.equal(no.status, 1);
  assert.match(no.stderr, /no active user/);
});

test('init and migrate report the schema version and change nothing on a current database', () => {
  const a = run(['init']);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /schema version \d+/);
  const b = run(['migrate']);
  assert.equal(b.stdout, a.stdout);
  if (!PG) {
    const fresh = join(t.dir, 'fresh.db');
    const c = spawnSync(BIN, ['init', '--db', fresh], { encoding: 'utf8' });
    assert.equal(c.status, 0);
    assert.equal(c.stdout.replace(fresh, 'X'), a.stdout.replace(db, 'X'));
    const again = spawnSync(BIN, ['demo', '--db', fresh], { encoding: 'utf8' });
    assert.equal(again.status, 0);
    const twice = spawnSync(BIN, ['demo', '--db', fresh], { encoding: 'utf8' });
    assert.equal(twice.status, 1, 'demo data goes only into an empty database');
  }
  const nodb = spawnSync(BIN, ['init', '--db', '/nonexistent/dir/kam.db'], { encoding: 'utf8' });
  assert.equal(nodb.status, 1);
  assert.equal(nodb.stderr.trim().split('\n').length, 1);
});

test('SQLite must run in WAL mode: a database that refuses it is refused; one in memory is used with a warning', { skip: PG && 'SQLite only' }, () => {
  // a VFS without shared memory cannot give WAL: SQLite answers the pragma with "delete"
  const nowal = `file:${join(t.dir, 'nowal.db')}?vfs=unix-dotfile`;
  for (const cmd of [['init'], ['serve', '--listen', '127.0.0.1:0']]) {
    const r = spawnSync(BIN, [...cmd, '--db', nowal], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 1, `${cmd[0]}: ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, /WAL/);
    assert.match(r.stderr, /journal mode "delete"/);
  }
  const mem = spawnSync(BIN, ['init', '--db', ':memory:'], { encoding: 'utf8' });
  assert.equal(mem.status, 0, mem.stderr);
  assert.match(mem.stdout, /schema version \d+/);
  assert.match(mem.stderr, /in memory/);
  // an ordinary file gets WAL and says nothing about it
  const ok = spawnSync(BIN, ['init', '--db', join(t.dir, 'wal.db')], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.doesNotMatch(ok.stderr, /WAL|in memory/);
});
