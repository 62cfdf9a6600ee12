// The group KPI request beside the portfolio one (issue 18, docs/groups.md), in one run on
// one data set: a group of BENCH_GROUP entities (default 500: one parent, 20 subsidiaries,
// the rest under them, three levels) inside the demo portfolio of BENCH_ACCOUNTS accounts and
// BENCH_TRANSACTIONS transactions, 1% of the group's transactions flagged intra-group.
//
//   node bench/groups.mjs                                  1,000,000 transactions
//   BENCH_TRANSACTIONS=10000000 node bench/groups.mjs      the DESIGN §7 size (minutes)
//   KAM_BIN=./kam BENCH_ACCOUNTS=10000 BENCH_GROUP=500 BENCH_RUNS=15 node bench/groups.mjs
//
// Each figure is the median of BENCH_RUNS requests for different 12-month periods (month by
// month back), so no answer comes from the KPI cache; the cached (repeated) request and the
// group tree (GET /accounts/:id/group) are printed too. The ratio group / portfolio is what
// to compare between machines.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KAM = process.env.KAM_BIN || './kam';
const NTX = Number(process.env.BENCH_TRANSACTIONS || 1000000);
const NACC = Number(process.env.BENCH_ACCOUNTS || 10000);
const GROUP = Number(process.env.BENCH_GROUP || 500);
const RUNS = Number(process.env.BENCH_RUNS || 15);
if (GROUP < 22 || GROUP > NACC) throw new Error('BENCH_GROUP must be from 22 to BENCH_ACCOUNTS');

const dir = mkdtempSync(join(tmpdir(), 'kam-groups.'));
const db = join(dir, 'kam.db');
let server;
const cleanup = () => {
  if (server) server.kill();
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const sql = (q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

console.log(`bench: generating ${NACC} accounts, ${NTX} transactions`);
let t0 = performance.now();
execFileSync(KAM, ['demo', '--db', db, '--accounts', String(NACC), '--contacts', String(NACC * 10), '--transactions', String(NTX)], { stdio: 'ignore' });
const gen = (performance.now() - t0) / 1000;

// the group: the lowest ids are the parent (1) and 20 subsidiaries (2..21); the others
// (22..GROUP) hang under the subsidiaries in turn. Set in SQL before the server starts.
sql(`UPDATE accounts SET parent_id = 1 WHERE id BETWEEN 2 AND 21;
     UPDATE accounts SET parent_id = 2 + (id - 22) % 20 WHERE id BETWEEN 22 AND ${GROUP};
     UPDATE transactions SET intra_group = 1 WHERE account_id <= ${GROUP} AND id % 100 = 0;`);
const members = Number(sql(`SELECT count(*) FROM accounts WHERE id <= ${GROUP}`));
const groupTx = Number(sql(`SELECT count(*) FROM transactions WHERE account_id <= ${GROUP}`));
const intraTx = Number(sql('SELECT count(*) FROM transactions WHERE intra_group = 1'));

server = spawn(KAM, ['serve', '--db', db, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KAM_JOB_INTERVAL: '3600' } });
// the URL, then the start-up alert run's end: requests timed while it runs beside them
// measured the run, not the request (a binary that loads the KPI rollup at start-up was
// timed that much earlier, during the run)
let log = '';
const url = await new Promise((resolve, reject) => {
  const seen = () => {
    const m = /http:\/\/127\.0\.0\.1:\d+/.exec(log);
    if (m && /alerts: \d+ accounts/.test(log)) resolve(m[0]);
  };
  server.stdout.on('data', (d) => { log += d; seen(); });
  server.stderr.on('data', (d) => { log += d; seen(); });
  server.on('exit', (c) => reject(new Error(`kam serve exited ${c}`)));
});
const token = execFileSync(KAM, ['token', 'create', '--email', 'director@example.com', '--name', 'bench', '--db', db], { encoding: 'utf8' }).trim();

async function ms(path) {
  const t = performance.now();
  const r = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = await r.json();
  const d = performance.now() - t;
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
  return { d, body };
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)];
const month = (n) => { // the first day of the month n months before this one
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d.toISOString().slice(0, 10);
};
const period = (i) => `from=${month(12 + i)}&to=${month(i)}`;

// warm the rollup in memory once, as a running server has it
await ms(`/api/v1/kpis?${period(0)}`);
const rows = [];
// a series by month reads the group's intra-group rows once for all its periods
for (const [label, scope] of [['portfolio', ''], [`group of ${members} entities`, '&scope=group&id=1'],
  ['portfolio, by month', '&interval=month'], [`group of ${members} entities, by month`, '&scope=group&id=1&interval=month']]) {
  const times = [];
  for (let i = 1; i <= RUNS; i++) times.push((await ms(`/api/v1/kpis?${period(i)}${scope}`)).d);
  const first = await ms(`/api/v1/kpis?${period(0)}${scope}`);
  const cached = [];
  for (let i = 0; i < RUNS; i++) cached.push((await ms(`/api/v1/kpis?${period(0)}${scope}`)).d);
  rows.push({ label, computed: median(times), cached: median(cached), revenue: first.body.kpis.revenue.value });
}
const tree = [];
for (let i = 0; i < RUNS; i++) tree.push((await ms('/api/v1/accounts/1/group')).d);

console.log(`\n${NACC} accounts, ${NTX} transactions (generated in ${gen.toFixed(0)} s); the group: ${members} entities, ${groupTx} of their transactions, ${intraTx} intra-group`);
console.log(`${'what'.padEnd(72)} ${'ms'.padStart(10)}`);
for (const r of rows) {
  console.log(`${`GET /api/v1/kpis, ${r.label} (median of ${RUNS} periods)`.padEnd(72)} ${r.computed.toFixed(1).padStart(10)}`);
  console.log(`${`GET /api/v1/kpis, ${r.label}, repeated (cached)`.padEnd(72)} ${r.cached.toFixed(1).padStart(10)}`);
}
console.log(`${`GET /api/v1/accounts/1/group (median of ${RUNS})`.padEnd(72)} ${median(tree).toFixed(1).padStart(10)}`);
console.log(`\ngroup / portfolio, computed: ${(rows[1].computed / rows[0].computed).toFixed(2)}; by month: ${(rows[3].computed / rows[2].computed).toFixed(2)}`);
console.log(`revenue of the last 12 months: portfolio ${rows[0].revenue}, group ${rows[1].revenue} (net of intra-group)`);
server.kill();
server = null;
