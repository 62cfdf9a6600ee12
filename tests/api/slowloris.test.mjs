// Slow clients cannot starve the server: one address gets at most --connections-per-address
// connections, and a connection that has not sent a whole request head within
// --head-timeout seconds is closed, however steadily it trickles bytes. Small limits here
// keep the test short; the defaults are in `kam serve --help` and the README.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { kam, serve, tmp } from '../lib/harness.mjs';

const PER_ADDRESS = 8, HEAD_TIMEOUT = 2, SLOW = 30;
let t, srv, port;

before(async () => {
  t = tmp();
  const db = join(t.dir, 'kam.db');
  kam(['init', '--db', db]);
  srv = await serve(db, {}, ['--connections-per-address', String(PER_ADDRESS),
    '--head-timeout', String(HEAD_TIMEOUT)]);
  port = Number(new URL(srv.url).port);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A client that sends a request line, then one header line every 300 ms, never finishing.
function slowClient(from) {
  const s = connect({ host: '127.0.0.1', port, localAddress: from });
  const c = { closed: false, answered: false, sock: s };
  let timer;
  s.on('connect', () => {
    s.write('GET /healthz HTTP/1.1\r\nHost: kam\r\n');
    timer = setInterval(() => { if (!s.destroyed) s.write('X-Slow: 1\r\n'); }, 300);
  });
  s.on('data', () => { c.answered = true; });
  s.on('error', () => {});
  s.on('close', () => { c.closed = true; clearInterval(timer); });
  return c;
}

function healthz(from) {
  return new Promise((resolve, reject) => {
    const rq = request({ host: '127.0.0.1', port, path: '/healthz', localAddress: from, agent: false },
      (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    rq.on('error', reject);
    rq.end();
  });
}

test('slow connections from one address neither starve other addresses nor outlive the head timeout', async () => {
  const slow = Array.from({ length: SLOW }, () => slowClient('127.0.0.2'));
  await sleep(800);
  // the address got at most its share; the others were turned away at once
  const open = slow.filter((c) => !c.closed).length;
  assert.ok(open <= PER_ADDRESS, `${open} slow connections open from one address, limit ${PER_ADDRESS}`);
  assert.ok(open > 0, 'the slow clients did connect');
  // meanwhile another address is served
  for (let i = 0; i < 10; i++) assert.equal(await healthz('127.0.0.1'), 200);
  // trickling does not keep a connection alive past the head timeout
  for (let i = 0; i < 100 && slow.some((c) => !c.closed); i++) await sleep(100);
  assert.equal(slow.filter((c) => !c.closed).length, 0, 'every trickling connection was closed');
  assert.equal(slow.filter((c) => c.answered).length, 0, 'no trickled request was answered');
  // and once they are gone the address is served again
  assert.equal(await healthz('127.0.0.2'), 200);
  assert.match(srv.log(), /request head took over 2000 ms/);
});

test('a request whose head arrives in time is answered, on a kept-alive connection too', async () => {
  const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.3' });
  let data = '';
  s.on('data', (d) => { data += d; });
  await new Promise((r) => s.on('connect', r));
  s.write('GET /healthz HTTP/1.1\r\nHost: kam\r\n');
  await sleep(500);
  s.write('\r\n');
  for (let i = 0; i < 50 && !/\r\n\r\n[\s\S]*\}/.test(data); i++) await sleep(50);
  assert.match(data, /^HTTP\/1\.1 200/);
  data = '';
  s.write('GET /healthz HTTP/1.1\r\nHost: kam\r\n\r\n');
  for (let i = 0; i < 50 && !/\r\n\r\n/.test(data); i++) await sleep(50);
  assert.match(data, /^HTTP\/1\.1 200/);
  s.destroy();
});

test('a kept-alive connection left idle past the head timeout is closed; a GET the client sent on it meanwhile is sent again', async () => {
  const { execFileSync } = await import('node:child_process');
  const url = `${srv.url}/healthz`;
  // the client's event loop blocked (a test running the kam command) while the server
  // closed the idle connection: the next request goes out on the dead socket
  const closed = [];
  for (let i = 0; i < 3; i++) {
    assert.equal((await fetch(url)).status, 200);
    execFileSync('sleep', [String(HEAD_TIMEOUT + 1)]);
    assert.equal((await fetch(url)).status, 200, 'the harness resends an idempotent request once');
    closed.push(srv.log().match(/closed a connection whose request head took over/g)?.length ?? 0);
  }
  assert.ok(closed.at(-1) >= 1, `the server closed the idle connections (${closed})`);
});
