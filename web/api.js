// Talking to the kam API: JSON in and out, the session's CSRF token on unsafe requests,
// problem documents turned into errors a screen can show.
import { setClock } from './format.js';

let csrf = null;
const listeners = new Set();

export function onLogout(fn) { listeners.add(fn); }

// Whether the server answers: a request that gets no reply at all marks it gone, any reply
// marks it back; the shell says so and the screens ask again for what failed.
const watchers = new Set();
let reachable = true;
export function onConnection(fn) { watchers.add(fn); return () => watchers.delete(fn); }
// whether the last request got a reply: a listener that starts late reads it first
export const reachableNow = () => reachable;
export function connected(up) {
  if (up === reachable) return;
  reachable = up;
  watchers.forEach((fn) => fn(up));
}
async function send(path, init) {
  let r;
  try {
    r = await fetch(path, init);
  } catch {
    connected(false);
    throw new ApiError(0, { title: 'The server is not answering; kam will notice when it is back' });
  }
  connected(true);
  return r;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// The reply's JSON. A reply that is not JSON (a proxy's error page, a cut connection) is an
// ApiError naming its status, so every screen shows a sentence instead of a parse error.
async function body_of(r) {
  const text = await r.text().catch(() => '');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(r.status, { title: `The server answered ${r.status} with a page kam cannot read; try again in a moment` });
  }
}

export async function api(method, path, body, { quiet = false } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const r = await send(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await body_of(r);
  if (r.status === 401 && path !== '/api/v1/session' && !quiet) {
    csrf = null;
    listeners.forEach((fn) => fn());
  }
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

// A read the server refused as busy (503 with Retry-After: SQLite's writer held, PostgreSQL
// out of connections) is asked again up to three times, as a user would press reload.
export async function get(path) {
  for (let i = 0; ; i++) {
    try {
      return await api('GET', path);
    } catch (e) {
      if (e.status !== 503 || i === 3) throw e;
      await new Promise((r) => setTimeout(r, 250 * 2 ** i));
    }
  }
}

// A read asked before the app knows whether there is a session (beside GET /session): its
// 401 is an answer, not a session that ended.
export function peek(path) { return api('GET', path, undefined, { quiet: true }); }

export async function login(email, password) {
  const s = await api('POST', '/api/v1/session', { email, password });
  csrf = s.csrf_token;
  setClock(s.clock);
  return { ...s.user, setup: s.setup === true };
}

// The session the browser already has (after a reload), or null.
export async function resume() {
  try {
    const s = await api('GET', '/api/v1/session');
    csrf = s.csrf_token;
    setClock(s.clock);
    return { ...s.user, setup: s.setup === true };
  } catch {
    return null;
  }
}

export async function logout() {
  try { await api('DELETE', '/api/v1/session'); } finally { csrf = null; }
}

// Sends a file as it is (a CSV import), with the CSRF token; JSON back.
export async function upload(path, type, body) {
  const headers = { 'Content-Type': type };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const r = await send(path, { method: 'POST', headers, credentials: 'same-origin', body });
  const json = await body_of(r);
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}
