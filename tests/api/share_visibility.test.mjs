// Issue 13, section 4: the KAM decides what a client link shows. Objectives and actions are
// internal until marked client_visible; the service KPIs are opt-in per link; a preview shows
// exactly the link's page before any link exists; nothing shared means no link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, api, demoDb, tokens } from '../lib/harness.mjs';

let t, db, srv;
const tok = {};

before(async () => {
  ({ t, db } = demoDb());
  Object.assign(tok, tokens(db, ['anna', 'ben', 'viewer', 'admin'], 'sharevis'));
  srv = await serve(db);
});

after(async () => {
  if (srv) assert.equal(await srv.stop(), 0, srv.log().slice(-3000));
  t.rm();
});

const call = (w, m, p, b) => api(srv.url, tok[w], m, p, b);
const open = async (token) => {
  const r = await fetch(`${srv.url}/api/v1/shared/${token}`);
  return { status: r.status, json: await r.json() };
};

// an account of anna's with a plan covering today, one objective and two actions
async function fresh(name) {
  const me = (await call('anna', 'GET', '/api/v1/me')).json;
  const acc = (await call('anna', 'POST', '/api/v1/accounts', { name, owner_id: me.id })).json.id;
  const y = new Date().getUTCFullYear();
  const plan = (await call('anna', 'POST', '/api/v1/plans', { account_id: acc, title: `Plan ${y}`, period_start: `${y - 1}-01-01`, period_end: `${y + 1}-12-31`, status: 'active' })).json.id;
  const obj = await call('anna', 'POST', '/api/v1/objectives', { plan_id: plan, title: 'Cut downtime by half' });
  assert.equal(obj.status, 201, obj.text);
  const pub = (await call('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: 'Quarterly review with the client' })).json;
  const internal = (await call('anna', 'POST', '/api/v1/actions', { plan_id: plan, title: 'INTERNAL push for a price rise' })).json;
  return { me, acc, plan, obj: obj.json, pub, internal };
}

test('objectives and actions are internal until marked "client can see"; the link shows only those', async () => {
  const f = await fresh('Visibility AG');
  assert.equal(f.obj.client_visible, false, 'internal by default');
  assert.equal(f.pub.client_visible, false);
  // nothing is shared yet: no link, and the answer says why
  const none = await call('anna', 'POST', `/api/v1/accounts/${f.acc}/shares`, { expires_in_days: 7 });
  assert.equal(none.status, 409, none.text);
  assert.match(none.json.detail, /nothing of this account is shared/);
  assert.match(none.headers.get('content-type'), /problem\+json/);
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${f.acc}/share-preview`)).json.shared, false);
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${f.acc}/shares`)).json.items.length, 0);
  for (const [path, id] of [['objectives', f.obj.id], ['actions', f.pub.id]]) {
    const r = await call('anna', 'PATCH', `/api/v1/${path}/${id}`, { client_visible: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.client_visible, true);
  }
  assert.equal((await call('anna', 'PATCH', `/api/v1/actions/${f.pub.id}`, { client_visible: 'yes' })).status, 400);
  const s = await call('anna', 'POST', `/api/v1/accounts/${f.acc}/shares`, { expires_in_days: 7 });
  assert.equal(s.status, 201, s.text);
  const page = await open(s.json.token);
  assert.equal(page.status, 200);
  assert.deepEqual(page.json.objectives.map((o) => o.title), ['Cut downtime by half']);
  assert.deepEqual(page.json.actions.map((a) => a.title), ['Quarterly review with the client']);
  // an action typed after the link was made stays off it until someone marks it
  const later = (await call('anna', 'POST', '/api/v1/actions', { plan_id: f.plan, title: 'INTERNAL escalate to their CFO' })).json;
  assert.ok(!JSON.stringify((await open(s.json.token)).json).includes('INTERNAL'));
  await call('anna', 'PATCH', `/api/v1/actions/${later.id}`, { client_visible: true });
  assert.equal((await open(s.json.token)).json.actions.length, 2);
});

test('the preview is exactly what the link shows, with company, KAM and as-of date; KPIs are opt-in per link', async () => {
  const f = await fresh('Preview GmbH');
  await call('anna', 'PATCH', `/api/v1/objectives/${f.obj.id}`, { client_visible: true });
  const set = await call('admin', 'PATCH', '/api/v1/settings', { company_name: 'Acme Services Ltd' });
  assert.equal(set.status, 200, set.text);
  assert.equal((await call('admin', 'PATCH', '/api/v1/settings', { company_name: 7 })).status, 400);
  const pre = await call('anna', 'GET', `/api/v1/accounts/${f.acc}/share-preview`);
  assert.equal(pre.status, 200, pre.text);
  assert.equal(pre.json.shared, true);
  assert.equal(pre.json.company, 'Acme Services Ltd');
  assert.deepEqual(pre.json.kam, { name: f.me.name, email: f.me.email });
  assert.match(pre.json.as_of, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(pre.json.kpis, undefined, 'no service KPIs unless chosen');
  const plain = (await call('anna', 'POST', `/api/v1/accounts/${f.acc}/shares`, { expires_in_days: 30 })).json;
  const page = (await open(plain.token)).json;
  const { shared, ...seen } = pre.json;
  assert.equal(shared, true);
  assert.deepEqual(page, seen, 'the preview is the page');
  assert.ok(!('kpis' in page) && !JSON.stringify(page).includes('nps'));
  const withKpis = await call('anna', 'POST', `/api/v1/accounts/${f.acc}/shares`, { expires_in_days: 90, include_kpis: true });
  assert.equal(withKpis.status, 201, withKpis.text);
  const kp = (await open(withKpis.json.token)).json;
  assert.deepEqual(Object.keys(kp.kpis).sort(), ['csat', 'nps', 'sla_compliance', 'ttr_median_hours']);
  const preK = (await call('anna', 'GET', `/api/v1/accounts/${f.acc}/share-preview?include_kpis=true`)).json;
  assert.deepEqual(Object.keys(preK.kpis).sort(), Object.keys(kp.kpis).sort());
  assert.equal((await call('anna', 'GET', `/api/v1/accounts/${f.acc}/share-preview?include_kpis=maybe`)).status, 400);
  assert.equal((await call('anna', 'POST', `/api/v1/accounts/${f.acc}/shares`, { include_kpis: 'yes' })).status, 400);
  // the live links with their expiry and whether they carry the KPIs
  const list = (await call('anna', 'GET', `/api/v1/accounts/${f.acc}/shares`)).json.items;
  assert.deepEqual(list.map((l) => l.include_kpis), [true, false]);
  const days = (l) => Math.round((Date.parse(l.expires_at) - Date.parse(l.created_at)) / 86400e3);
  assert.deepEqual(list.map(days), [90, 30]);
  await call('admin', 'PATCH', '/api/v1/settings', { company_name: '' });
});

test('preview and links of an invisible account answer like a missing one; readers may not share', async () => {
  const f = await fresh('Private Preview SA');
  await call('anna', 'PATCH', `/api/v1/objectives/${f.obj.id}`, { client_visible: true });
  const hidden = await call('ben', 'GET', `/api/v1/accounts/${f.acc}/share-preview`);
  const missing = await call('ben', 'GET', '/api/v1/accounts/99999999/share-preview');
  assert.equal(hidden.status, 404);
  assert.deepEqual({ ...hidden.json, instance: null }, { ...missing.json, instance: null });
  const viewerSees = await call('viewer', 'GET', `/api/v1/accounts/${f.acc}/share-preview`);
  if (viewerSees.status === 200) {
    assert.equal((await call('viewer', 'POST', `/api/v1/accounts/${f.acc}/shares`, { include_kpis: true })).status, 403);
  }
  const s = (await call('anna', 'POST', `/api/v1/accounts/${f.acc}/shares`)).json;
  assert.equal((await call('viewer', 'DELETE', `/api/v1/accounts/${f.acc}/shares/${s.id}`)).status, viewerSees.status === 200 ? 403 : 404);
  assert.equal((await call('ben', 'DELETE', `/api/v1/accounts/${f.acc}/shares/${s.id}`)).status, 404);
  assert.equal((await open(s.token)).status, 200);
});
