// The global search (GET /api/v1/search) compares text as the lists' q does: one LIKE
// pattern written by the store and the backend's case-insensitive operator. On PostgreSQL
// the database is made with a UTF-8 character type (as a real installation's is), where
// lower() folds "Ü" but a pattern lowered by hand in C did not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { serve, api, kam, tmp, tokens, PG, psql } from '../lib/harness.mjs';

let t, db, srv, tok;

before(async () => {
  t = tmp();
  if (PG) {
    const name = 'kam_' + randomBytes(6).toString('hex');
    psql(`CREATE DATABASE ${name} OWNER kam TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'`);
    const u = new URL(PG);
    db = `postgresql://kam@${u.hostname}:${u.port}/${name}`;
  } else {
    db = `${t.dir}/kam.db`;
  }
  kam(['demo', '--db', db]);
  tok = tokens(db, ['director'], 'search');
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (method, path, body) => api(srv.url, tok.director, method, path, body);

test('search finds a non-ASCII account name as the accounts list does', async () => {
  const me = (await call('GET', '/api/v1/me')).json;
  const made = await call('POST', '/api/v1/accounts', { name: 'Überseehandel Kontor', owner_id: me.id, status: 'active', currency: 'EUR' });
  assert.equal(made.status, 201, made.text);
  for (const q of ['ÜBER', 'Über', 'seehandel', 'SEEHANDEL']) {
    const s = await call('GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.json.accounts.map((a) => a.name), ['Überseehandel Kontor'], `search ${q}`);
    const l = await call('GET', `/api/v1/accounts?q=${encodeURIComponent(q)}`);
    assert.deepEqual(l.json.items.map((a) => a.name), ['Überseehandel Kontor'], `list ${q}`);
  }
  // account names sort bytewise on PostgreSQL (COLLATE "C"), so there as on SQLite only
  // ASCII letters fold: the search answers what the list answers
  const lower = await call('GET', `/api/v1/search?q=${encodeURIComponent('über')}`);
  const list = await call('GET', `/api/v1/accounts?q=${encodeURIComponent('über')}`);
  assert.deepEqual(lower.json.accounts.map((a) => a.name), list.json.items.map((a) => a.name));
  // the pattern's own characters are literal
  const pct = await call('GET', `/api/v1/search?q=${encodeURIComponent('Ü%r')}`);
  assert.deepEqual(pct.json.accounts, []);
});

// An action title is text in the database's own collation: on PostgreSQL with a UTF-8
// character type lower() folds "Ü" to "ü", and a pattern lowered by hand ("Über") missed it.
test('search finds an action titled with a non-ASCII capital, as the actions list does', async () => {
  const plan = (await call('GET', '/api/v1/plans?status=active&limit=1')).json.items[0];
  const made = await call('POST', '/api/v1/actions', { plan_id: plan.id, title: 'Überseefracht buchen' });
  assert.equal(made.status, 201, made.text);
  const qs = PG ? ['ÜBER', 'Über', 'über', 'FRACHT'] : ['ÜBER', 'Über', 'FRACHT'];
  for (const q of qs) {
    const s = await call('GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.json.actions.map((a) => a.title), ['Überseefracht buchen'], `search ${q}`);
    const l = await call('GET', `/api/v1/actions?q=${encodeURIComponent(q)}`);
    assert.deepEqual(l.json.items.map((a) => a.title), ['Überseefracht buchen'], `list ${q}`);
  }
});
