// Mail test helpers: a real SMTP server (tests/lib/smtpd.py, aiosmtpd) started by the test,
// what it received, and kam's mail settings pointing at it.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { sleep } from './harness.mjs';

const SMTPD = new URL('./smtpd.py', import.meta.url).pathname;

// An SMTP server writing what it receives into dir; resolves with {port, stop}. onStop gets
// the stop function (for the test's clean-up list).
export function smtpd(dir, port = 0, onStop = () => {}) {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/python3', [SMTPD, dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) {
        const stop = () => new Promise((r) => { if (p.exitCode !== null) return r(); p.on('exit', r); p.kill('SIGTERM'); });
        onStop(stop);
        resolve({ port: Number(m[1]), stop });
      }
    });
    p.on('exit', (code) => reject(new Error(`smtpd exited ${code}: ${err}`)));
  });
}

// The messages received so far, in order: smtpd.py's JSON with the raw message.
export const received = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ ...JSON.parse(readFileSync(join(dir, f), 'utf8')), raw: readFileSync(join(dir, f.replace('.json', '.eml')), 'latin1') })) : []);

// Waits (up to 60 s) until n messages that pass `only` arrived; returns them.
export async function waitMails(dir, n, what = 'mail', only = () => true) {
  for (let i = 0; i < 600; i++) {
    const m = received(dir).filter(only);
    if (m.length >= n) return m;
    await sleep(100);
  }
  assert.fail(`no ${what} arrived in 60 s (${received(dir).filter(only).length} of ${n})`);
}

// kam's environment for mail to the test server on port.
export const mailEnv = (port, extra = {}) => ({
  KAM_SMTP_URL: `smtp://127.0.0.1:${port}`, KAM_SMTP_TLS: 'none', KAM_MAIL_FROM: 'kam <kam@example.com>',
  KAM_PUBLIC_URL: 'https://kam.example.com/', KAM_JOB_INTERVAL: '1', KAM_MAIL_RETRY_SECONDS: '1', ...extra,
});

export const header = (m, name) => m.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
