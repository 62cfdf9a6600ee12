// Webhook delivery latency (issue 16): N accounts created through the API on a demo
// database (release build), each an account.created event; a local receiver answers 204 and
// notes when each arrived. Prints event → 2xx latency (from the create's answer to the
// receiver) as p50, p95 and max, and the rate. usage: node bench/webhooks.mjs [N=1000] [KAM_BIN]
import { createServer } from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] || 1000);
const BIN = process.argv[3] || process.env.KAM_BIN || new URL('../kam', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kam-bench-hooks-'));
const db = join(dir, 'kam.db');
execFileSync(BIN, ['demo', '--db', db]);
const admin = execFileSync(BIN, ['token', 'create', '--email', 'admin@example.com', '--name', 'bench', '--db', db], { encoding: 'utf8' }).trim();

const arrived = new Map();
const rx = createServer((req, res) => {
  let b = '';
  req.on('data', (d) => { b += d; }).on('end', () => {
    const name = JSON.parse(b).data?.name;
    if (name && !arrived.has(name)) arrived.set(name, performance.now());
    res.writeHead(204).end();
  });
});
await new Promise((r) => rx.listen(0, '127.0.0.1', r));
const srv = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'], {
  env: { ...process.env, KAM_WEBHOOK_ALLOW: '127.0.0.1', KAM_JOB_INTERVAL: '3600' }, stdio: ['ignore', 'pipe', 'ignore'],
});
const url = await new Promise((resolve) => {
  let out = '';
  srv.stdout.on('data', (d) => { out += d; const m = out.match(/serving on (http:\/\/[^/]+)\//); if (m) resolve(m[1]); });
});
const call = (method, path, body) => fetch(url + path, {
  method, headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
}).then((r) => r.json());
await call('POST', '/api/v1/webhooks', { url: `http://127.0.0.1:${rx.address().port}/`, events: ['account.created'] });

const sent = new Map();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const name = `Bench ${i}`;
  await call('POST', '/api/v1/accounts', { name });
  sent.set(name, performance.now());
}
const created = performance.now() - t0;
while (arrived.size < N && performance.now() - t0 < 600e3) await new Promise((r) => setTimeout(r, 50));
const all = performance.now() - t0;
const lat = [...sent].map(([n, t]) => (arrived.get(n) ?? Infinity) - t).sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(`${N} events: ${arrived.size} delivered; created in ${(created / 1000).toFixed(1)} s, all delivered after ${(all / 1000).toFixed(1)} s (${(arrived.size / (all / 1000)).toFixed(0)}/s)`);
console.log(`event → 2xx latency: p50 ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${lat[lat.length - 1].toFixed(0)} ms`);
srv.kill('SIGTERM');
rx.close();
await new Promise((r) => srv.on('exit', r));
rmSync(dir, { recursive: true, force: true });
