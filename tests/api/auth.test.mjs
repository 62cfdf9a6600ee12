// Sessions, CSRF, bearer tokens, users and passwords (DESIGN §5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { kam, serve, api, demoDb } from '../lib/harness.mjs';

let t, db, srv, admin;
const PW = 'demo-password-1';

before(async () => {
  ({ t, db } = demoDb());
  admin = kam(['token', 'create', '--email', 'admin@example.com', '--name', 'auth', '--db', db]).trim();
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

async function login(email, password = PW) {
  const r = await fetch(srv.url + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  const text = await r.text();
  return { status: r.status, cookie: r.headers.get('set-cookie'), json: text ? JSON.parse(text) : null };
}

const withCookie = (cookie, method, path, body, extra = {}) => fetch(srv.url + path, {
  method, body: body === undefined ? undefined : JSON.stringify(body),
  headers: { Cookie: cookie.split(';')[0], ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...extra },
});

test('login sets a strict HttpOnly session cookie and returns the user and a CSRF token', async () => {
  const s = await login('Anna@Example.com'); // e-mail is case-insensitive
  assert.equal(s.status, 201);
  assert.match(s.cookie, /^kam_session=[A-Za-z0-9_-]{40,};/);
  assert.match(s.cookie, /HttpOnly/);
  assert.match(s.cookie, /SameSite=Strict/);
  assert.match(s.cookie, /Path=\//);
  assert.doesNotMatch(s.cookie, /Secure/, 'plain HTTP on localhost');
  assert.equal(s.json.user.email, 'anna@example.com');
  assert.equal(s.json.user.role, 'kam');
  assert.ok(s.json.csrf_token.length >= 24);
  const me = await withCookie(s.cookie, 'GET', '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal((await me.json()).name, 'Anna Berg');
  const sess = await (await withCookie(s.cookie, 'GET', '/api/v1/session')).json();
  assert.equal(sess.csrf_token, s.json.csrf_token);
  // behind TLS the cookie is Secure
  const tls = await fetch(srv.url + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-Proto': 'https' },
    body: JSON.stringify({ email: 'anna@example.com', password: PW }),
  });
  assert.match(tls.headers.get('set-cookie'), /; Secure/);
});

test('every login gets a new session id, and logout ends it', async () => {
  const a = await login('ben@example.com');
  const b = await login('ben@example.com');
  assert.notEqual(a.cookie.split(';')[0], b.cookie.split(';')[0]);
  const out = await withCookie(a.cookie, 'DELETE', '/api/v1/session', undefined, { 'X-CSRF-Token': a.json.csrf_token });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assert.equal((await withCookie(a.cookie, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await withCookie(b.cookie, 'GET', '/api/v1/me')).status, 200, 'the other session lives on');
  const nobody = await fetch(srv.url + '/api/v1/me');
  assert.equal(nobody.status, 401);
  assert.equal((await nobody.json()).status, 401);
});

test('unsafe requests with a cookie need the session\'s X-CSRF-Token', async () => {
  const s = await login('director@example.com');
  const body = { name: 'CSRF Probe Ltd' };
  const none = await withCookie(s.cookie, 'POST', '/api/v1/accounts', body);
  assert.equal(none.status, 403);
  assert.match((await none.json()).detail, /CSRF/);
  const wrong = await withCookie(s.cookie, 'POST', '/api/v1/accounts', body, { 'X-CSRF-Token': 'x'.repeat(32) });
  assert.equal(wrong.status, 403);
  const list = await api(srv.url, admin, 'GET', '/api/v1/accounts?q=CSRF%20Probe');
  assert.equal(list.json.items.length, 0, 'refused writes changed nothing');
  const ok = await withCookie(s.cookie, 'POST', '/api/v1/accounts', body, { 'X-CSRF-Token': s.json.csrf_token });
  assert.equal(ok.status, 201);
  // reads need no token
  assert.equal((await withCookie(s.cookie, 'GET', '/api/v1/accounts')).status, 200);
});

test('bearer tokens: shown once, listed without the secret, no CSRF needed, revocable', async () => {
  const s = await login('chloe@example.com');
  const h = { 'X-CSRF-Token': s.json.csrf_token };
  const created = await withCookie(s.cookie, 'POST', '/api/v1/tokens', { name: 'my script' }, h);
  assert.equal(created.status, 201);
  const tok = await created.json();
  assert.match(tok.token, /^kam_[A-Za-z0-9_-]{40,}$/);
  const list = await (await withCookie(s.cookie, 'GET', '/api/v1/tokens')).json();
  const row = list.items.find((i) => i.id === tok.id);
  assert.equal(row.name, 'my script');
  assert.ok(!JSON.stringify(list).includes(tok.token), 'the secret is never listed');
  const w = await api(srv.url, tok.token, 'POST', '/api/v1/contacts', { account_id: 3, name: 'Via Bearer' });
  assert.ok([201, 400].includes(w.status), 'bearer writes need no CSRF token');
  assert.equal((await api(srv.url, tok.token, 'GET', '/api/v1/me')).json.email, 'chloe@example.com');
  assert.equal((await withCookie(s.cookie, 'DELETE', `/api/v1/tokens/${tok.id}`, undefined, h)).status, 204);
  assert.equal((await api(srv.url, tok.token, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await api(srv.url, 'kam_' + 'A'.repeat(43), 'GET', '/api/v1/me')).status, 401);
  assert.equal((await api(srv.url, admin, 'GET', '/api/v1/tokens?all=true')).status, 200);
  assert.equal((await api(srv.url, tok.token, 'GET', '/api/v1/tokens?all=true')).status, 401);
});

test('bearer tokens may expire, and show when they were last used', async () => {
  const me = await api(srv.url, admin, 'POST', '/api/v1/tokens', { name: 'short', expires_at: new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, 'Z') });
  assert.equal(me.status, 201);
  assert.match(me.json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(me.json.last_used_at, null);
  assert.equal((await api(srv.url, me.json.token, 'GET', '/api/v1/me')).status, 200);
  const row = (await api(srv.url, admin, 'GET', '/api/v1/tokens')).json.items.find((i) => i.id === me.json.id);
  assert.equal(row.expires_at, me.json.expires_at);
  assert.match(row.last_used_at, /^\d{4}-/, 'the use is recorded');
  const never = (await api(srv.url, admin, 'GET', '/api/v1/tokens')).json.items.find((i) => i.name === 'auth');
  assert.equal(never.expires_at, null, 'a token without expires_at never expires');
  while (Date.now() < Date.parse(me.json.expires_at) + 1000) await new Promise((r) => setTimeout(r, 200));
  const gone = await api(srv.url, me.json.token, 'GET', '/api/v1/me');
  assert.equal(gone.status, 401);
  assert.equal((await api(srv.url, admin, 'GET', '/api/v1/me')).status, 200);
  for (const bad of ['2020-01-01T00:00:00Z', '9999-12-31T00:00:00Z', 'tomorrow', 42, {}]) {
    const r = await api(srv.url, admin, 'POST', '/api/v1/tokens', { name: 'bad', expires_at: bad });
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.json.errors[0].field, 'expires_at');
  }
});

test('users: admins manage them; a generated password is shown once; weak passwords are refused', async () => {
  const c = await api(srv.url, admin, 'POST', '/api/v1/users', { email: 'new.kam@example.com', name: 'New KAM', role: 'kam' });
  assert.equal(c.status, 201, c.text);
  assert.ok(c.json.password.length >= 16);
  assert.equal(c.json.password_hash, undefined);
  assert.equal((await login('new.kam@example.com', c.json.password)).status, 201);
  assert.equal((await api(srv.url, admin, 'GET', `/api/v1/users/${c.json.id}`)).json.password, undefined);
  for (const pw of ['short', 'x'.repeat(129)]) {
    const r = await api(srv.url, admin, 'POST', '/api/v1/users', { email: `p${pw.length}@example.com`, name: 'P', role: 'viewer', password: pw });
    assert.equal(r.status, 400);
    assert.equal(r.json.errors[0].field, 'password');
  }
  // twelve characters counted as characters, not bytes
  const uni = await api(srv.url, admin, 'POST', '/api/v1/users', { email: 'uni@example.com', name: 'Ü', role: 'viewer', password: 'ü'.repeat(12) });
  assert.equal(uni.status, 201);
  const dup = await api(srv.url, admin, 'POST', '/api/v1/users', { email: 'NEW.KAM@example.com', name: 'Dup', role: 'kam' });
  assert.equal(dup.status, 409);
  const anna = kam(['token', 'create', '--email', 'anna@example.com', '--name', 'u', '--db', db]).trim();
  assert.equal((await api(srv.url, anna, 'POST', '/api/v1/users', { email: 'x@example.com', name: 'X', role: 'admin' })).status, 403);
  assert.equal((await api(srv.url, anna, 'PATCH', '/api/v1/users/3', { role: 'admin' })).status, 403);
  assert.equal((await api(srv.url, admin, 'PATCH', '/api/v1/users/1', { role: 'viewer' })).status, 409, 'the last admin stays');
});

test('deactivating a user or changing a password ends their sessions and tokens', async () => {
  const s = await login('dev@example.com');
  const tok = kam(['token', 'create', '--email', 'dev@example.com', '--name', 'd', '--db', db]).trim();
  const dev = (await api(srv.url, tok, 'GET', '/api/v1/me')).json.id;
  assert.equal((await api(srv.url, admin, 'PATCH', `/api/v1/users/${dev}`, { active: false })).status, 200);
  assert.equal((await withCookie(s.cookie, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await api(srv.url, tok, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await login('dev@example.com')).status, 401, 'a deactivated user cannot log in');
  assert.equal((await api(srv.url, admin, 'PATCH', `/api/v1/users/${dev}`, { active: true })).status, 200);

  const m = await login('mia@example.com');
  const t2 = kam(['token', 'create', '--email', 'mia@example.com', '--name', 'm', '--db', db]).trim();
  const change = await withCookie(m.cookie, 'POST', '/api/v1/me/password',
    { current_password: PW, new_password: 'a much longer secret' }, { 'X-CSRF-Token': m.json.csrf_token });
  assert.equal(change.status, 204);
  assert.equal((await withCookie(m.cookie, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await api(srv.url, t2, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await login('mia@example.com', 'a much longer secret')).status, 201);
  const wrong = await api(srv.url, kam(['token', 'create', '--email', 'mia@example.com', '--name', 'm2', '--db', db]).trim(),
    'POST', '/api/v1/me/password', { current_password: 'nope nope nope', new_password: 'another long secret' });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.errors[0].field, 'current_password');
});

test('security headers on every reply', async () => {
  for (const p of ['/healthz', '/api/v1/accounts', '/nowhere']) {
    const r = await fetch(srv.url + p);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.match(r.headers.get('content-type'), /charset=utf-8/);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  }
});
