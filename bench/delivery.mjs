#!/usr/bin/env node
// Delivery latency: 1,000 events that each cause an immediate mail and a webhook delivery,
// from the event (the API call that records it has answered) to the SMTP server's "250
// accepted" and to a local webhook receiver (alert.opened), beside the reference measured in
// the same run: the same SMTP sink taking 1,000 mails of the same size
// from a plain Python client (smtplib), on one connection and on one connection per mail.
//
//   bench/delivery.mjs                      1,000 events (BENCH_EVENTS to change)
//   KAM_BIN=/path/to/kam bench/delivery.mjs another build (before/after)
//   BENCH_JOB_INTERVAL=60 bench/delivery.mjs the alerts job at its production cadence
//
// The events: on a fresh demo database with BENCH_EVENTS more accounts (imported, each owned by
// a demo KAM), one NPS answer of 2 per account (POST /api/v1/surveys, 8 at a time), which the
// alerts job turns into a critical "detractor" alert, mailed at once to the account's KAM
// (default immediate severity: critical). The alerts job runs every KAM_JOB_INTERVAL seconds
// (here BENCH_JOB_INTERVAL, default 1), so the figures include up to one interval of waiting
// for the job beside the mail pipeline itself. The sink is tests/lib/smtpd.py (aiosmtpd),
// which stamps each message with the time it accepted it.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const KAM = process.env.KAM_BIN || join(ROOT, 'kam');
const N = Number(process.env.BENCH_EVENTS || 1000);
const INTERVAL = process.env.BENCH_JOB_INTERVAL || '1';
const PY = '/usr/bin/python3';
const SMTPD = join(ROOT, 'tests/lib/smtpd.py');
const T = mkdtempSync(join(tmpdir(), 'kam-delivery-'));
const procs = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cleanup() {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
  rmSync(T, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

// Starts cmd and resolves with [process, first match of re in its output].
function start(cmd, args, re, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let out = '', done = false;
    const on = (d) => { // read to the end: a full pipe would stop the process
      if (process.env.BENCH_VERBOSE) for (const l of String(d).split('\n')) if (/alerts:|outbox:/.test(l)) console.error(`${(Date.now() / 1000).toFixed(2)} ${l}`);
      if (done) return;
      out += d;
      const m = out.match(re);
      if (m) { done = true; resolve([p, m]); }
    };
    p.stdout.on('data', on);
    p.stderr.on('data', on);
    p.on('exit', (c) => reject(new Error(`${cmd} exited ${c}: ${out.slice(-2000)}`)));
  });
}

const mails = (dir) => readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (x) => s[Math.min(s.length - 1, Math.floor(x * s.length))];
  return { p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}
const f1 = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(7);

// ---- kam: a fresh demo database with N more accounts, owned by the demo KAMs -------------
const db = join(T, 'kam.db');
execFileSync(KAM, ['demo', '--db', db], { stdio: 'ignore' });
const kams = ['anna', 'ben', 'chloe', 'dev'];
let csv = 'name,owner,status,strategic_importance,growth_potential,industry_influence\n';
for (let i = 0; i < N; i++) csv += `Delivery ${i},${kams[i % 4]}@example.com,active,1,1,1\n`;
writeFileSync(join(T, 'accounts.csv'), csv);
execFileSync(KAM, ['import', 'accounts', join(T, 'accounts.csv'), '--db', db], { stdio: 'ignore' });
const ids = execFileSync('sqlite3', [db, "SELECT id FROM accounts WHERE name LIKE 'Delivery %' ORDER BY id"], { encoding: 'utf8' }).trim().split('\n').map(Number);
if (ids.length !== N) throw new Error(`imported ${ids.length} accounts of ${N}`);
const token = execFileSync(KAM, ['token', 'create', '--email', 'admin@example.com', '--name', 'bench', '--db', db], { encoding: 'utf8' }).trim();

const inbox = join(T, 'in');
const [, lm] = await start(PY, [SMTPD, inbox, '0'], /listening (\d+)/);
const port = Number(lm[1]);
const [, um] = await start(KAM, ['serve', '--db', db, '--listen', '127.0.0.1:0'], /serving on (http:\/\/127\.0\.0\.1:\d+)\//, {
  KAM_SMTP_URL: `smtp://127.0.0.1:${port}`, KAM_SMTP_TLS: 'none', KAM_MAIL_FROM: 'kam <kam@example.com>',
  KAM_PUBLIC_URL: 'https://kam.example.com', KAM_JOB_INTERVAL: INTERVAL, KAM_WEBHOOK_ALLOW: '127.0.0.1',
});
const url = um[1];

// the demo's own alerts are mailed first: wait until they are out (no new mail for 3 s)
for (let last = -1, still = 0; still < 3;) {
  await sleep(1000);
  const n = readdirSync(inbox).filter((f) => f.endsWith('.json')).length;
  still = n === last ? still + 1 : 0;
  last = n;
}
const warmup = new Set(readdirSync(inbox));

// a webhook receiver subscribed to alert.opened: each detractor alert of the events arrives
// there too, signed; it notes when (the first time per account) and answers 204
const hookAt = new Map(); // account id → seconds (epoch) its alert.opened arrived
const rx = createServer((req, res) => {
  let b = '';
  req.on('data', (d) => { b += d; }).on('end', () => {
    const e = JSON.parse(b);
    if (e.type === 'alert.opened' && e.data?.rule === 'detractor' && !hookAt.has(e.data.account_id)) hookAt.set(e.data.account_id, Date.now() / 1000);
    res.writeHead(204).end();
  });
});
await new Promise((r) => rx.listen(0, '127.0.0.1', r));
process.on('exit', () => rx.close());
{
  const r = await fetch(`${url}/api/v1/webhooks`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${rx.address().port}/`, events: ['alert.opened'], description: 'bench' }),
  });
  if (r.status !== 201) throw new Error(`webhook: ${r.status} ${await r.text()}`);
}

// ---- the events --------------------------------------------------------------------------
const today = execFileSync('date', ['-u', '+%F'], { encoding: 'utf8' }).trim();
const evAt = new Map(); // account id → seconds (epoch) its event was committed
const t0 = Date.now() / 1000;
let next = 0;
async function worker() {
  while (next < ids.length) {
    const id = ids[next++];
    const r = await fetch(`${url}/api/v1/surveys`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ account_id: id, kind: 'nps', score: 2, answered_on: today }),
    });
    if (r.status !== 201) throw new Error(`survey on ${id}: ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
    evAt.set(id, Date.now() / 1000);
  }
}
if (process.env.BENCH_VERBOSE) console.error(`${t0.toFixed(2)} events start`);
await Promise.all(Array.from({ length: 8 }, worker));
if (process.env.BENCH_VERBOSE) console.error(`${(Date.now() / 1000).toFixed(2)} events end`);
const tEvents = Date.now() / 1000 - t0;

const detractor = (m) => m.subject.includes('Unhappy client') && /#\/accounts\/(\d+)/.test(m.text);
let got = [];
for (let i = 0; i < 1200; i++) {
  got = mails(inbox).filter((m) => detractor(m) && evAt.has(Number(m.text.match(/#\/accounts\/(\d+)/)[1])));
  if (got.length >= N) break;
  await sleep(250);
}
if (got.length < N) console.error(`bench: only ${got.length} of ${N} mails arrived in 5 minutes`);
const lat = got.map((m) => (m.received_at - evAt.get(Number(m.text.match(/#\/accounts\/(\d+)/)[1]))) * 1000);
const first = Math.min(...got.map((m) => m.received_at)), last = Math.max(...got.map((m) => m.received_at));
const conns = new Set(got.map((m) => m.peer)).size;
const dup = got.length - new Set(got.map((m) => m.text.match(/#\/accounts\/(\d+)/)[1])).size;
const sample = readdirSync(inbox).find((f) => f.endsWith('.eml') && !warmup.has(f));

// ---- webhooks: the same events' alert.opened at the receiver -----------------------------
for (let i = 0; i < 1200 && [...hookAt.keys()].filter((id) => evAt.has(id)).length < N; i++) await sleep(250);
const hookIds = [...hookAt.keys()].filter((id) => evAt.has(id));
if (hookIds.length < N) console.error(`bench: only ${hookIds.length} of ${N} webhook deliveries arrived in 5 minutes`);
const hooks = hookIds.map((id) => (hookAt.get(id) - evAt.get(id)) * 1000);
const hFirst = Math.min(...hookIds.map((id) => hookAt.get(id))), hLast = Math.max(...hookIds.map((id) => hookAt.get(id)));

// ---- the reference: the same sink, mails sent directly by smtplib -------------------------
const ref = (perConn) => {
  const py = `
import smtplib, sys, time
msg = open(sys.argv[1], 'rb').read()
n, port, per = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == '1'
lat, t0 = [], time.time()
s = None
for i in range(n):
    a = time.time()
    if s is None:
        s = smtplib.SMTP('127.0.0.1', port)
    s.sendmail('kam@example.com', ['ref%d@example.com' % i], msg)
    if per:
        s.quit(); s = None
    lat.append((time.time() - a) * 1000)
if s: s.quit()
lat.sort()
print(time.time() - t0, lat[len(lat) // 2], lat[int(len(lat) * 0.95)], lat[-1])
`;
  const out = execFileSync(PY, ['-c', py, join(inbox, sample), String(N), String(port), perConn ? '1' : '0'], { encoding: 'utf8' }).trim().split(' ').map(Number);
  return { secs: out[0], p50: out[1], p95: out[2], max: out[3] };
};
const one = ref(false), per = ref(true);

// ---- report --------------------------------------------------------------------------------
const st = stats(lat);
console.log(`\ndelivery of ${N} immediate alert mails on ${cpus().length} cores (${KAM}; alerts job every ${INTERVAL} s; sink: aiosmtpd ${execFileSync(PY, ['-c', 'import aiosmtpd; print(aiosmtpd.__version__)'], { encoding: 'utf8' }).trim()})`);
console.log(`  ${'events recorded (POST /api/v1/surveys, 8 at a time)'.padEnd(62)} ${f1(tEvents)} s  ${(N / tEvents).toFixed(0).padStart(6)} events/s`);
console.log(`  ${''.padEnd(62)}     p50      p95      max  (ms)   mails/s`);
console.log(`  ${'kam: event → SMTP accepted'.padEnd(62)} ${f1(st.p50)}  ${f1(st.p95)}  ${f1(st.max)}      ${(got.length / Math.max(0.001, last - first)).toFixed(0).padStart(6)}`);
console.log(`  ${`  ${got.length} mails arrived, ${dup} twice, over ${conns} SMTP connection${conns === 1 ? '' : 's'}, first to last ${(last - first).toFixed(2)} s`}`);
if (hooks.length) console.log(`  ${'kam: event → webhook 2xx (alert.opened, one endpoint)'.padEnd(62)} ${f1(stats(hooks).p50)}  ${f1(stats(hooks).p95)}  ${f1(stats(hooks).max)}      ${(hooks.length / Math.max(0.001, hLast - hFirst)).toFixed(0).padStart(6)}`);
console.log(`  ${`  ${hooks.length} deliveries arrived, first to last ${(hLast - hFirst).toFixed(2)} s`}`);
console.log(`  ${'reference: smtplib → the same sink, one connection'.padEnd(62)} ${f1(one.p50)}  ${f1(one.p95)}  ${f1(one.max)}      ${(N / one.secs).toFixed(0).padStart(6)}`);
console.log(`  ${'reference: smtplib → the same sink, a connection per mail'.padEnd(62)} ${f1(per.p50)}  ${f1(per.p95)}  ${f1(per.max)}      ${(N / per.secs).toFixed(0).padStart(6)}`);
console.log('  (reference latencies are per mail, send to 250; throughput is mails/s over the whole run)');
process.exit(0); // the servers are stopped on exit
