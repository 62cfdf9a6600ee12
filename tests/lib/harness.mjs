// The test harness: databases (SQLite in a temporary directory, or PostgreSQL under
// scripts/test-pg), the demo data set, servers, and HTTP with tokens.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

export const BIN = process.env.KAM_BIN || new URL('../../build/san/kam', import.meta.url).pathname;
export const PG = process.env.KAM_TEST_PG;       // superuser URL, set by scripts/test-pg
export const PG_DIR = process.env.KAM_TEST_PG_DIR;

const admin = () => new URL(PG);

export function psql(sql, db = 'postgres') {
  const u = admin();
  return execFileSync('psql', ['-h', u.hostname, '-p', u.port, '-U', u.username || 'postgres',
    '-d', db, '-tA', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' }).trim();
}

// A new empty database owned by the non-superuser role kam; returns its URL.
export function createDb() {
  const name = 'kam_' + randomBytes(6).toString('hex');
  psql(`CREATE DATABASE ${name} OWNER kam`);
  const u = admin();
  return `postgresql://kam@${u.hostname}:${u.port}/${name}`;
}

export function kam(args, opts = {}) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

export function tmp() {
  const d = mkdtempSync(join(tmpdir(), 'kam-test-'));
  return { dir: d, rm: () => rmSync(d, { recursive: true, force: true }) };
}

// A temporary directory t (t.rm() removes it) and a database db holding the demo data: a
// SQLite file in t, or a fresh PostgreSQL database when the suite runs on PostgreSQL.
export function demoDb() {
  const t = tmp();
  const db = PG ? createDb() : join(t.dir, 'kam.db');
  kam(['demo', '--db', db]);
  return { t, db };
}

// Bearer tokens of demo users, by the local part of their e-mail ("anna" → anna@example.com).
export function tokens(db, users, label = 'test') {
  const tok = {};
  for (const u of users)
    tok[u] = kam(['token', 'create', '--email', `${u}@example.com`, '--name', label, '--db', db]).trim();
  return tok;
}

// The sanitizer report in a server's stderr (AddressSanitizer, LeakSanitizer, UBSan's
// "runtime error:"), from its first line to the end, or null.
export function sanitizerReport(stderr) {
  const m = /^.*(ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: ).*$/m.exec(stderr);
  return m ? stderr.slice(m.index) : null;
}

// A server that wrote a sanitizer report fails the test file that started it, whatever the
// test asserted, with the report shown: a bad read that happens to answer 200 is a defect.
function watchSanitizer(p, stderr) {
  p.on('close', () => { // after stderr is drained, unlike 'exit'
    const r = sanitizerReport(stderr());
    if (r) {
      process.exitCode = 1;
      console.error(`kam serve (pid ${p.pid}) wrote a sanitizer report:\n${r.slice(0, 20000)}`);
    }
  });
}

// Starts kam serve on db (with extra serve options in args); resolves when it prints its URL.
export function serve(db, env = {}, args = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '2', ...args], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    p.stderr.on('data', (d) => { err += d; if (err.length > 1 << 20) err = err.slice(-(1 << 19)); });
    watchSanitizer(p, () => err);
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve({ url: m[1], proc: p, pid: p.pid, log: () => err, stop: () => stop(p) });
    });
    p.on('exit', (code) => reject(new Error(`kam serve exited ${code}: ${err}`)));
  });
}

export function stop(p) {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve(p.exitCode);
    p.on('exit', (code) => resolve(code));
    p.kill('SIGTERM');
  });
}

// fetch, but a GET or HEAD sent on a kept-alive connection the server had just closed as
// idle (its head timeout; a test blocked in execFileSync for longer never saw the close) is
// sent again once, as a browser does. Every test that imports this module gets it for its
// plain fetch calls too (globalThis.fetch below).
const fetchOnce = globalThis.fetch;
// A file sent to POST /api/v1/imports that is answered 503 (busy, Retry-After: a write
// lock not had in time, a connection lost) is not in: it is sent again, up to four times,
// as a client does. (The deadlock between the alerts run and an import's re-ranking that
// first made CI see it is gone: docs/architecture.md, "The portfolio lock".)
export async function request(url, init = {}) {
  const method = (init.method ?? (url instanceof Request ? url.method : 'GET')).toUpperCase();
  const isImport = method === 'POST' && typeof url === 'string' && /\/api\/v1\/imports(\?|$)/.test(url);
  for (let i = 0; ; i++) {
    let r;
    try {
      r = await fetchOnce(url, init);
    } catch (e) {
      if ((method !== 'GET' && method !== 'HEAD') || e?.cause?.code !== 'UND_ERR_SOCKET') throw e;
      return fetchOnce(url, init);
    }
    if (!isImport || r.status !== 503 || i === 4) return r;
    await r.arrayBuffer();
    await new Promise((res) => setTimeout(res, 1000 * Math.min(Number(r.headers.get('retry-after') || 1), 5)));
  }
}
globalThis.fetch = request;

export async function api(base, token, method, path, body, headers = {}) {
  const h = { Authorization: `Bearer ${token}`, ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await request(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: r.status, headers: r.headers, json, text };
}

// POST a CSV file to /api/v1/imports with query (kind, async, dry_run…) as token's user:
// { status, headers, json }.
export async function importCsv(base, token, csv, query = {}) {
  const r = await request(`${base}/api/v1/imports?${new URLSearchParams(query)}`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' }, body: csv,
  });
  return { status: r.status, headers: r.headers, json: await r.json() };
}

export async function login(base, email, password = 'demo-password-1') {
  const r = await fetch(base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (r.status !== 201) throw new Error(`login ${email}: ${r.status}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await r.json();
  return { cookie, csrf: csrf_token };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// `kam import transactions FILE --json` on db with env added; the report without the fields
// that differ from run to run (id, times, version). Rejected rows (exit 3) still report.
export function importTransactions(db, file, env = {}, extra = []) {
  let out;
  try {
    out = kam(['import', 'transactions', file, '--db', db, '--json', ...extra], { env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  } catch (e) {
    if (e.status !== 3) throw e; // 3: some rows were rejected
    out = e.stdout;
  }
  return importReport(JSON.parse(out));
}

// An import's report without the fields that differ from run to run.
export function importReport(r) {
  for (const k of ['id', 'created_at', 'updated_at', 'finished_at', 'version']) delete r[k];
  return r;
}

// A free TCP port on 127.0.0.1 (for --metrics-listen).
export const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

// Waits until the metrics address murl answers (it opens just after the main one).
export async function metricsUp(murl) {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${murl}/metrics`)).ok) return; } catch { /* not yet */ }
    await sleep(20);
  }
}
