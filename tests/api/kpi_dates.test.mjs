// Far-off and hostile dates on the KPI endpoints (/kpis, its series, /kpis/rows): each is a
// 400 problem document naming what is wrong, or the bounded answer the range allows
// (1900-01-01 .. 2999-12-31, at most 120 periods); the server keeps serving throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['director', 'anna'], 'kpi_dates'));
  srv = await serve(db, { KAM_JOB_INTERVAL: '3600' });
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const get = (who, path) => api(srv.url, tok[who], 'GET', path);
const fields = (r) => (r.json?.errors || []).map((e) => e.field);

// A 400 problem document; its errors name field (when given) and no series is computed.
function refused(r, field, what) {
  assert.equal(r.status, 400, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/, what);
  assert.equal(r.json.status, 400, what);
  assert.ok(typeof r.json.detail === 'string' && r.json.detail.length > 0, what);
  if (field) assert.ok(fields(r).includes(field), `${what}: errors ${JSON.stringify(r.json.errors)}`);
  assert.equal(r.json.series, undefined, what);
}

async function serving(what) {
  const r = await fetch(srv.url + '/healthz');
  assert.equal(r.status, 200, what);
  const k = await get('director', '/api/v1/kpis?from=2025-01-01&to=2025-02-01');
  assert.equal(k.status, 200, `${what}: ${k.text.slice(0, 200)}`);
  assert.doesNotMatch(srv.log(), /AddressSanitizer|runtime error|LeakSanitizer/, what);
}

const ROUTES = ['/api/v1/kpis?interval=month&', '/api/v1/kpis?', '/api/v1/kpis/rows?name=nrr&'];

test('dates outside 1900..2999, impossible days and malformed text are a 400 naming the parameter, on every KPI route', async () => {
  const bad = ['9999-12-31', '0001-01-01', '0001-03-01', '1899-12-31', '3000-01-01', '9999-12', '0001-01',
    '2026-02-30', '2026-02-29', '2025-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-1', '+2026-01-01',
    '-2026-01-01', ' 2026-01-01', '2026-01-01 ', '2026-01-01T00:00:00Z', '20260101', '２０２６-01-01',
    '99999999-01-01', '2026-01-01x', 'yesterday', '', '2'.repeat(4000)];
  for (const route of ROUTES) {
    for (const v of bad) {
      const e = encodeURIComponent(v);
      refused(await get('director', `${route}from=${e}&to=2026-03-01`), 'from', `${route} from=${v.slice(0, 20)}`);
      refused(await get('director', `${route}from=2025-01-01&to=${e}`), 'to', `${route} to=${v.slice(0, 20)}`);
    }
    // both wrong: both named in one answer
    const r = await get('director', `${route}from=0001-01-01&to=9999-12-31`);
    refused(r, 'from', route);
    refused(r, 'to', route);
  }
  // a leap day is a day; the month form of `to` is the whole month
  const leap = await get('director', '/api/v1/kpis?from=2024-02-29&to=2024-03');
  assert.equal(leap.status, 200, leap.text);
  assert.deepEqual(leap.json.period, { from: '2024-02-29', to: '2024-04-01' });
  // December 2999 as `to` would end on 3000-01-01, past the range
  refused(await get('director', '/api/v1/kpis?from=2999-01&to=2999-12'), 'to', 'to=2999-12');
  await serving('after the dates');
});

test('a NUL inside a parameter is refused, not cut off there', async () => {
  // before: "2026-01-01%00junk" was read as 2026-01-01 and answered 200 with its figures
  for (const q of ['from=2025-01-01%00junk&to=2026-01-01', 'from=2025-01-01&to=2026-01-01%00', 'scope=account%00x&id=1',
    'from=2025-01-01&to=2026-01-01&interval=month%00year', 'from%00x=2025-01-01'])
    for (const route of ROUTES) refused(await get('director', `${route}${q}`), null, `${route}${q}`);
  await serving('after the NULs');
});

test('a parameter given twice is refused rather than read as one of its values', async () => {
  // before: the last one won, so the answer was for a period the first one did not ask
  for (const [name, q] of [['from', 'from=9999-12-31&from=2025-01-01&to=2026-01-01'], ['to', 'from=2025-01-01&to=2026-01-01&to=2025-06-01'],
    ['interval', 'from=2025-01-01&to=2026-01-01&interval=year&interval=month'], ['scope', 'scope=kam&scope=portfolio&id=3']])
    refused(await get('director', `/api/v1/kpis?${q}`), name, q);
  refused(await get('director', '/api/v1/kpis/rows?name=nrr&name=nps&from=2025-01-01&to=2026-01-01'), 'name', 'rows name twice');
  await serving('after the repeated parameters');
});

test('a series is at most 120 periods: thousands of months are refused before any is computed, 120 are answered up to the range\'s last day', async () => {
  for (const [from, to, interval] of [['1900-01-01', '2999-12-31', 'month'], ['1900-01-01', '2999-12-31', 'quarter'],
    ['1900-01-01', '2999-12-31', 'year'], ['2016-01-01', '2026-01-02', 'month'], ['1995-12-31', '2026-01-01', 'quarter']]) {
    const r = await get('director', `/api/v1/kpis?from=${from}&to=${to}&interval=${interval}`);
    refused(r, 'interval', `${from}..${to} by ${interval}`);
    assert.match(JSON.stringify(r.json.errors), /120/);
  }
  // the largest series there is, at each end of the range, for the director and a KAM
  for (const who of ['director', 'anna']) {
    for (const [from, to, last] of [['2990-01-01', '2999-12-31', '2999-12-01'], ['1900-01-01', '1910-01-01', '1909-12-01']]) {
      const r = await get(who, `/api/v1/kpis?from=${from}&to=${to}&interval=month`);
      assert.equal(r.status, 200, `${who} ${from}: ${r.text.slice(0, 300)}`);
      const p = r.json.series.map((s) => s.period);
      assert.equal(p.length, 120, who);
      assert.deepEqual(p[0].from, from);
      assert.deepEqual(p.at(-1), { from: last, to }, who);
      for (let i = 1; i < p.length; i++) assert.equal(p[i].from, p[i - 1].to, `${who} ${p[i].from}`);
      for (const s of r.json.series) {
        assert.equal(typeof s.kpis.revenue.value, 'number', `${who} ${s.period.from}`);
        assert.ok(Number.isFinite(s.kpis.revenue.value), `${who} ${s.period.from}`);
      }
      // before 1900 there is nothing: the first period's previous one is empty, its revenue 0
      if (from === '1900-01-01') {
        assert.equal(r.json.series[0].kpis.revenue.previous, 0);
        assert.deepEqual(r.json.previous, { from: '1900-01-01', to: '1900-01-01' });
      }
      // far in the future the lifetime revenue is everything booked, in every period
      if (from === '2990-01-01') {
        const all = r.json.series.map((s) => s.kpis.cltv_historical.numerator);
        assert.ok(all.every((v) => v === all[0] && v > 0), `${who}: ${all.slice(0, 3)}`);
      }
    }
  }
  // one day at the very end, one at the very start
  for (const [from, to] of [['2999-12-30', '2999-12-31'], ['1900-01-01', '1900-01-02']]) {
    const r = await get('director', `/api/v1/kpis?from=${from}&to=${to}&interval=year`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.series.map((s) => s.period), [{ from, to }]);
  }
  refused(await get('director', '/api/v1/kpis?from=2999-12-31&to=2999-12-31'), 'to', 'an empty period');
  refused(await get('director', '/api/v1/kpis?from=2026-03-01&to=2026-01-01&interval=month'), 'to', 'a period backwards');
  await serving('after the series');
});

test('an id past any integer, or not one, is a 400 naming it', async () => {
  for (const id of ['99999999999999999999', '-1', '0', '1e3', '0x10', '', '1%00'])
    for (const scope of ['account', 'kam', 'group'])
      refused(await get('director', `/api/v1/kpis?scope=${scope}&id=${id}&interval=month`), null, `${scope} ${id}`);
  refused(await get('director', '/api/v1/kpis?scope=segment&id=strategic%20&interval=month'), 'id', 'segment with a space');
  await serving('after the ids');
});
