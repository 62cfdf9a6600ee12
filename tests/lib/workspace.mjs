// Helpers of the client workspace tests (issue 19): a client member's session and calls.
import assert from 'node:assert/strict';

// Signs in through a workspace link ("/#/workspace/ws_…"): {cookie, csrf, json} or the reply.
export async function signIn(base, link) {
  const token = link.slice(link.lastIndexOf('/') + 1);
  const r = await fetch(base + '/api/v1/workspace/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }),
  });
  const text = await r.text();
  if (r.status !== 201) return { status: r.status, text };
  const json = JSON.parse(text);
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /^kam_workspace=wss_[^;]+; Path=\/api\/v1\/workspace; HttpOnly; SameSite=Strict/);
  return { status: 201, cookie: sc.split(';')[0], csrf: json.csrf_token, json };
}

// A request with a client member's session (cookie and CSRF token).
export async function wsCall(base, s, method, path, body, headers = {}) {
  const h = { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: r.status, headers: r.headers, json, text };
}
