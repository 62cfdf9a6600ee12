// KPI answers cross-checked with independent SQL over the raw rows of the same database
// (transactions, not the rollup; surveys; cases), on the demo data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PG, kam, serve, api, psql, login, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv, tok = {};
const FROM = '2025-11-01', TO = '2026-11-01', PFROM = '2024-11-01';

// One number from plain SQL on either backend.
function sql(q) {
  const out = PG ? psql(q, new URL(db).pathname.slice(1))
    : execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
  return out === '' ? null : Number(out);
}

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna', 'mia'], 'kpi'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const kpis = async (who, q) => {
  const r = await api(srv.url, tok[who], 'GET', `/api/v1/kpis?${q}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

test('the answer has every figure with numerator, denominator and previous', async () => {
  const k = await kpis('director', `from=${FROM}&to=${TO}`);
  assert.deepEqual(k.period, { from: FROM, to: TO });
  assert.deepEqual(k.previous, { from: PFROM, to: FROM });
  const names = ['logo_retention', 'logo_churn', 'grr', 'nrr', 'expansion', 'contraction', 'revenue',
    'revenue_growth', 'share_of_wallet', 'cltv_historical', 'cltv_predictive', 'upsell_rate', 'nps', 'csat',
    'goal_achievement', 'ttr_median_hours', 'ttr_p90_hours', 'ttr_mean_hours', 'sla_compliance',
    'interactions_per_account_month'];
  assert.deepEqual(Object.keys(k.kpis).sort(), names.sort());
  for (const [n, f] of Object.entries(k.kpis)) {
    assert.ok('value' in f && 'numerator' in f && 'denominator' in f && 'previous' in f, n);
    if (f.value !== null && f.numerator !== null && f.denominator) assert.ok(Math.abs(f.value - f.numerator / f.denominator) < 1e-6 * Math.max(1, Math.abs(f.value)), n);
  }
});

test('revenue and NRR match plain SQL over the raw transactions', async () => {
  const k = (await kpis('director', `from=${FROM}&to=${TO}`)).kpis;
  const rev = sql(`SELECT sum(amount_base) FROM transactions WHERE booked_on >= '${FROM}' AND booked_on < '${TO}'`);
  const prev = sql(`SELECT sum(amount_base) FROM transactions WHERE booked_on >= '${PFROM}' AND booked_on < '${FROM}'`);
  assert.equal(k.revenue.value, rev);
  assert.equal(k.revenue.previous, prev);
  const cohort = `SELECT id FROM accounts WHERE acquired_on < '${FROM}' AND (churned_on IS NULL OR churned_on >= '${FROM}')`;
  const num = sql(`SELECT sum(amount_base) FROM transactions WHERE account_id IN (${cohort}) AND booked_on >= '${FROM}' AND booked_on < '${TO}'`);
  const den = sql(`SELECT sum(amount_base) FROM transactions WHERE account_id IN (${cohort}) AND booked_on >= '${PFROM}' AND booked_on < '${FROM}'`);
  assert.equal(k.nrr.numerator, num);
  assert.equal(k.nrr.denominator, den);
  assert.ok(Math.abs(k.nrr.value - num / den) < 1e-9);
  const size = sql(`SELECT count(*) FROM (${cohort}) c`);
  const churned = sql(`SELECT count(*) FROM accounts WHERE id IN (${cohort}) AND churned_on >= '${FROM}' AND churned_on < '${TO}'`);
  assert.equal(k.logo_churn.denominator, size);
  assert.equal(k.logo_churn.numerator, churned);
  assert.ok(churned > 0, 'the demo has churn in the last year');
  // a period that cuts months in half still matches the raw rows
  const odd = (await kpis('director', 'from=2026-02-14&to=2026-05-09')).kpis;
  assert.equal(odd.revenue.value, sql("SELECT sum(amount_base) FROM transactions WHERE booked_on >= '2026-02-14' AND booked_on < '2026-05-09'"));
});

test('NPS, CSAT, time to resolution and SLA compliance match the raw rows', async () => {
  const k = (await kpis('director', `from=${FROM}&to=${TO}`)).kpis;
  const where = `answered_on >= '${FROM}' AND answered_on < '${TO}'`;
  const n = sql(`SELECT count(*) FROM surveys WHERE kind = 'nps' AND ${where}`);
  const p = sql(`SELECT count(*) FROM surveys WHERE kind = 'nps' AND score >= 9 AND ${where}`);
  const d = sql(`SELECT count(*) FROM surveys WHERE kind = 'nps' AND score <= 6 AND ${where}`);
  assert.equal(k.nps.denominator, n);
  assert.equal(k.nps.promoters, p);
  assert.equal(k.nps.detractors, d);
  assert.equal(k.nps.passives, n - p - d);
  assert.ok(Math.abs(k.nps.value - 100 * (p - d) / n) < 1e-9);
  const cm = sql(`SELECT avg(score) FROM surveys WHERE kind = 'csat' AND ${where}`);
  assert.ok(Math.abs(k.csat.value - cm) < 1e-9);
  // TTR over cases resolved in P, recomputed here by hand from the raw rows
  const rows = (await api(srv.url, tok.director, 'GET', `/api/v1/kpis/rows?name=ttr_median_hours&from=${FROM}&to=${TO}`)).json.items;
  const t0 = Date.parse(FROM + 'T00:00:00Z') / 1000, t1 = Date.parse(TO + 'T00:00:00Z') / 1000;
  assert.equal(rows.length, sql(`SELECT count(*) FROM cases WHERE resolved_at >= ${t0} AND resolved_at < ${t1}`));
  const h = rows.map((r) => r.hours).sort((a, b) => a - b);
  const median = h.length % 2 ? h[(h.length - 1) / 2] : (h[h.length / 2 - 1] + h[h.length / 2]) / 2;
  assert.ok(Math.abs(k.ttr_median_hours.value - median) < 1e-9);
  assert.equal(k.ttr_p90_hours.value, h[Math.ceil(0.9 * h.length) - 1]);
  const sum = sql(`SELECT sum(resolved_at - opened_at) FROM cases WHERE resolved_at >= ${t0} AND resolved_at < ${t1}`);
  assert.ok(Math.abs(k.ttr_mean_hours.value - sum / 3600 / h.length) < 1e-6);
  assert.equal(k.sla_compliance.numerator, rows.filter((r) => r.within_sla).length);
});

test('every account\'s own figures (read for that account alone) match plain SQL over its raw rows', async () => {
  const ids = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?limit=500')).json.items.map((a) => a.id);
  assert.ok(ids.length >= 30);
  const mid = 'from=2026-02-14&to=2026-10-09';
  for (const id of ids) {
    const k = (await kpis('director', `scope=account&id=${id}&from=${FROM}&to=${TO}`)).kpis;
    const one = (q) => sql(`${q} AND account_id = ${id}`);
    assert.equal(k.revenue.value ?? 0, one(`SELECT coalesce(sum(amount_base), 0) FROM transactions WHERE booked_on >= '${FROM}' AND booked_on < '${TO}'`), `revenue of ${id}`);
    assert.equal(k.revenue.previous ?? 0, one(`SELECT coalesce(sum(amount_base), 0) FROM transactions WHERE booked_on >= '${PFROM}' AND booked_on < '${FROM}'`), `previous revenue of ${id}`);
    const where = `answered_on >= '${FROM}' AND answered_on < '${TO}'`;
    assert.equal(k.nps.denominator ?? 0, one(`SELECT count(*) FROM surveys WHERE kind = 'nps' AND ${where}`), `NPS answers of ${id}`);
    // half months at both ends come from the transactions of that account alone
    const odd = (await kpis('director', `scope=account&id=${id}&${mid}`)).kpis;
    assert.equal(odd.revenue.value ?? 0, one("SELECT coalesce(sum(amount_base), 0) FROM transactions WHERE booked_on >= '2026-02-14' AND booked_on < '2026-10-09'"), `mid-month revenue of ${id}`);
  }
});

test('a period with nothing in it gives nulls, never 0 or NaN', async () => {
  const k = (await kpis('director', 'from=2001-01-01&to=2001-02-01')).kpis;
  for (const n of ['nrr', 'grr', 'logo_retention', 'logo_churn', 'nps', 'csat', 'ttr_median_hours', 'sla_compliance', 'revenue_growth', 'goal_achievement'])
    assert.equal(k[n].value, null, n);
  assert.equal(k.revenue.value, 0);
});

test('scopes: account, kam, segment; each caller sees only what they may', async () => {
  const acc = await kpis('director', `scope=account&id=1&from=${FROM}&to=${TO}`);
  assert.equal(acc.kpis.revenue.value, sql(`SELECT sum(amount_base) FROM transactions WHERE account_id = 1 AND booked_on >= '${FROM}' AND booked_on < '${TO}'`));
  const anna = (await api(srv.url, tok.anna, 'GET', '/api/v1/me')).json.id;
  const mine = await kpis('anna', `scope=kam&id=${anna}&from=${FROM}&to=${TO}`);
  assert.equal(mine.kpis.revenue.value, sql(`SELECT sum(t.amount_base) FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.owner_id = ${anna} AND t.booked_on >= '${FROM}' AND t.booked_on < '${TO}'`));
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/kpis?scope=kam&id=${anna + 1}`)).status, 404);
  const other = sql(`SELECT min(id) FROM accounts WHERE owner_id <> ${anna} AND id NOT IN (SELECT account_id FROM account_team WHERE user_id = ${anna})`);
  assert.equal((await api(srv.url, tok.anna, 'GET', `/api/v1/kpis?scope=account&id=${other}`)).status, 404);
  const seg = await kpis('director', 'scope=segment&id=maintain');
  assert.equal(seg.scope.id, 'maintain');
  for (const bad of ['scope=galaxy', 'scope=account', 'scope=segment&id=gold', 'from=2026-13-01', 'from=2026-05-01&to=2026-01-01', 'interval=week', 'colour=red'])
    assert.equal((await api(srv.url, tok.director, 'GET', `/api/v1/kpis?${bad}`)).status, 400, bad);
});

test('interval=quarter gives a series whose revenues add up to the whole', async () => {
  const k = await kpis('director', 'from=2025-07-01&to=2026-07-01&interval=quarter');
  assert.equal(k.series.length, 4);
  assert.deepEqual(k.series.map((s) => s.period.from), ['2025-07-01', '2025-10-01', '2026-01-01', '2026-04-01']);
  const sum = k.series.reduce((x, s) => x + s.kpis.revenue.value, 0);
  assert.equal(sum, k.kpis.revenue.value);
});

test('periods that start and end mid-month count the partial months from the transactions', async () => {
  for (const [f, t, pf] of [['2025-09-15', '2026-09-15', '2024-09-15'], ['2025-12-10', '2026-03-20', '2025-08-31']]) {
    const k = (await kpis('director', `from=${f}&to=${t}`)).kpis;
    const raw = sql(`SELECT coalesce(sum(amount_base), 0) FROM transactions WHERE booked_on >= '${f}' AND booked_on < '${t}'`);
    const prev = sql(`SELECT coalesce(sum(amount_base), 0) FROM transactions WHERE booked_on >= '${pf}' AND booked_on < '${f}'`);
    assert.equal(k.revenue.value, raw, `${f}..${t}`);
    assert.equal(k.revenue.previous, prev, `${pf}..${f}`);
  }
});

test('each month of a series has the figures asked for that month alone (the series reads the rollup once)', async () => {
  const k = await kpis('director', `from=${FROM}&to=${TO}&interval=month`);
  assert.equal(k.series.length, 12);
  const close = (a, b) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));
  for (const i of [0, 5, 11]) {
    const { from, to } = k.series[i].period;
    const alone = (await kpis('director', `from=${from}&to=${to}`)).kpis;
    for (const [n, f] of Object.entries(k.series[i].kpis)) {
      assert.ok(close(f.value, alone[n].value), `${from} ${n}: ${f.value} vs ${alone[n].value}`);
      assert.ok(close(f.previous, alone[n].previous), `${from} ${n} previous: ${f.previous} vs ${alone[n].previous}`);
    }
  }
  // the whole period beside its series is the same as asked without one
  const whole = (await kpis('director', `from=${FROM}&to=${TO}`)).kpis;
  for (const [n, f] of Object.entries(k.kpis)) assert.ok(close(f.value, whole[n].value), n);
});

test('kam kpi prints the same figures as the API, as JSON, CSV and a table', async () => {
  const k = (await kpis('director', `from=${FROM}&to=${TO}`)).kpis;
  const j = JSON.parse(kam(['kpi', '--db', db, '--from', FROM, '--to', TO, '--format', 'json']));
  for (const n of Object.keys(k)) assert.deepEqual(j.kpis[n].value, k[n].value, n);
  const csv = kam(['kpi', '--db', db, '--from', FROM, '--to', TO, '--format', 'csv']).trim().split('\n');
  assert.equal(csv[0], 'name,value,previous,numerator,denominator');
  const rev = csv.find((l) => l.startsWith('revenue,')).split(',');
  assert.equal(Number(rev[1]), k.revenue.value);
  assert.match(kam(['kpi', '--db', db, '--scope', 'account', '--id', '1']), /^account KPIs/);
  assert.throws(() => kam(['kpi', '--db', db, '--scope', 'account']), (e) => e.status === 2);
  assert.throws(() => kam(['kpi', '--db', db, '--format', 'xml']), (e) => e.status === 2);
});

test('a repeated question is answered from the cache until any change lands', async () => {
  const q = `/api/v1/kpis?from=${FROM}&to=${TO}&scope=account&id=2`;
  const a = await api(srv.url, tok.director, 'GET', q);
  const b = await api(srv.url, tok.director, 'GET', q);
  assert.equal(b.headers.get('x-cache'), 'hit');
  assert.deepEqual(b.json, a.json);
  // the cache keeps the answer's text: a hit is the very bytes of the first answer
  assert.equal(b.text, a.text);
  assert.equal(b.headers.get('content-type'), a.headers.get('content-type'));
  // another caller with a narrower scope does not get the director's answer
  const anna = await api(srv.url, tok.anna, 'GET', '/api/v1/kpis');
  assert.equal(anna.headers.get('x-cache'), 'miss');
  const w = await api(srv.url, tok.director, 'POST', '/api/v1/transactions',
    { account_id: 2, booked_on: '2026-03-03', amount: 123456, currency: 'EUR' });
  assert.equal(w.status, 201, w.text);
  const c = await api(srv.url, tok.director, 'GET', q);
  assert.equal(c.headers.get('x-cache'), 'miss', 'a write invalidates');
  assert.equal(c.json.kpis.revenue.value, a.json.kpis.revenue.value + 123456);
});

test('logins, tokens, share links, feeds, contact exports and alert acknowledgements keep cached answers; an edit does not', async () => {
  const q = `/api/v1/kpis?from=${FROM}&to=${TO}&scope=account&id=3`;
  const cached = async (what) => {
    const r = await api(srv.url, tok.director, 'GET', q);
    assert.equal(r.status, 200, r.text);
    return r.headers.get('x-cache');
  };
  await cached('first');
  assert.equal(await cached('again'), 'hit');
  const ok = (r, status) => { assert.equal(r.status, status, r.text); return r; };
  const call = (m, p, b) => api(srv.url, tok.director, m, p, b);
  // every one of these is audited, and none changes a figure a report reads
  await login(srv.url, 'anna@example.com');
  assert.equal(await cached(), 'hit', 'a login');
  const t1 = ok(await call('POST', '/api/v1/tokens', { name: 'audit-only' }), 201).json;
  assert.equal(await cached(), 'hit', 'an API token created');
  ok(await call('DELETE', `/api/v1/tokens/${t1.id}`), 204);
  assert.equal(await cached(), 'hit', 'an API token deleted');
  const s = ok(await call('POST', '/api/v1/accounts/3/shares', { include_kpis: true }), 201).json;
  assert.equal(await cached(), 'hit', 'a share link');
  ok(await call('DELETE', `/api/v1/accounts/3/shares/${s.id}`), 204);
  assert.equal(await cached(), 'hit', 'a share link revoked');
  ok(await call('POST', '/api/v1/me/calendar'), 201);
  assert.equal(await cached(), 'hit', 'a calendar feed');
  ok(await call('DELETE', '/api/v1/me/calendar'), 204);
  assert.equal(await cached(), 'hit', 'a calendar feed revoked');
  const contact = ok(await call('GET', '/api/v1/contacts?limit=1'), 200).json.items[0];
  ok(await call('GET', `/api/v1/contacts/${contact.id}/export`), 200);
  assert.equal(await cached(), 'hit', 'a contact export');
  ok(await call('POST', '/api/v1/alerts/evaluate'), 200);
  const alert = ok(await call('GET', '/api/v1/alerts?state=open&limit=1'), 200).json.items[0];
  assert.ok(alert, 'the demo has an open alert');
  ok(await call('PATCH', `/api/v1/alerts/${alert.id}`, { state: 'acknowledged' }), 200);
  assert.equal(await cached(), 'hit', 'an alert acknowledged');
  const audit = ok(await call('GET', '/api/v1/audit?limit=20'), 200).json.items.map((a) => `${a.entity}:${a.action}`);
  for (const e of ['user:login', 'api_token:create', 'account:share', 'calendar_feed:create', 'contact:export', 'alert:update'])
    assert.ok(audit.includes(e), `${e} is audited: ${audit}`);
  // a change to the data does move the version
  ok(await call('PATCH', '/api/v1/accounts/3', { notes: 'an edit' }), 200);
  assert.equal(await cached(), 'miss', 'an edit');
  assert.equal(await cached(), 'hit');
});

test('a new KAM with no accounts yet gets their KPIs, and the server keeps serving', async () => {
  const admin = kam(['token', 'create', '--email', 'admin@example.com', '--name', 'kpi-admin', '--db', db]).trim();
  const u = await api(srv.url, admin, 'POST', '/api/v1/users', { name: 'Nel Newkam', email: 'nel@example.com', role: 'kam', password: 'nel-first-password' });
  assert.equal(u.status, 201, u.text);
  for (const scope of ['portfolio', 'kam']) {
    const r = await api(srv.url, admin, 'GET', `/api/v1/kpis?scope=${scope}${scope === 'kam' ? `&id=${u.json.id}` : ''}&from=${FROM}&to=${TO}`);
    assert.equal(r.status, 200, r.text);
  }
  const nel = kam(['token', 'create', '--email', 'nel@example.com', '--name', 'kpi-nel', '--db', db]).trim();
  assert.equal((await api(srv.url, nel, 'GET', `/api/v1/kpis?scope=portfolio&from=${FROM}&to=${TO}&interval=month`)).status, 200);
  assert.equal((await api(srv.url, nel, 'GET', '/api/v1/me')).status, 200);
});

// (last: it leaves Anna's answers in the server's cache)
test('kam kpi --as answers what the API answers that user: a kam sees their own portfolio', async () => {
  const api_ = (await kpis('anna', `from=${FROM}&to=${TO}`)).kpis;
  const cli = JSON.parse(kam(['kpi', '--db', db, '--from', FROM, '--to', TO, '--format', 'json', '--as', 'anna@example.com']));
  for (const n of Object.keys(api_)) assert.deepEqual(cli.kpis[n].value, api_[n].value, n);
  const all = JSON.parse(kam(['kpi', '--db', db, '--from', FROM, '--to', TO, '--format', 'json']));
  assert.notDeepEqual(cli.kpis.revenue.value, all.kpis.revenue.value, 'anna sees less than the whole portfolio');
  // an account she cannot see does not exist for her
  const foreign = (await api(srv.url, tok.director, 'GET', '/api/v1/accounts?limit=500')).json.items
    .map((a) => a.id);
  const hers = new Set((await api(srv.url, tok.anna, 'GET', '/api/v1/accounts?limit=500')).json.items.map((a) => a.id));
  const other = foreign.find((id) => !hers.has(id));
  assert.ok(other, 'the demo has an account that is not Anna\'s');
  assert.throws(() => kam(['kpi', '--db', db, '--scope', 'account', '--id', String(other), '--as', 'anna@example.com']),
    (e) => e.status === 1 && new RegExp(`no such account ${other}`).test(e.stderr));
});
