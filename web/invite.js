// An invitation link (#/invite/TOKEN): a user created without a password (an imported sales
// agent, an invited colleague) chooses one here, then signs in. No login is needed to open it;
// the link works once and for a limited time.
import { html, useState, useEffect } from './vendor-preact-htm.js';

async function call(method, path, body) {
  const r = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw Object.assign(new Error(json.errors?.[0]?.message || json.detail || `error ${r.status}`), { status: r.status });
  return json;
}

export function Invite({ token }) {
  const [user, setUser] = useState(undefined);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Choose your password · kam';
    call('GET', `/api/v1/invitations/${token}`).then((r) => setUser(r.user), (e) => { setUser(null); setError(e.message); });
  }, [token]);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    if (f.get('password') !== f.get('again')) { setError('The two passwords differ.'); return; }
    setBusy(true);
    setError(null);
    try {
      await call('POST', `/api/v1/invitations/${token}`, { password: f.get('password') });
      setDone(true);
    } catch (x) {
      setError(x.message);
    } finally {
      setBusy(false);
    }
  }
  if (user === undefined) return html`<p class="loading">Loading…</p>`;
  return html`<main class="login">
    <form onSubmit=${submit} aria-labelledby="inv-title">
      <h1 id="inv-title">kam</h1>
      ${user === null && html`<p class="error" role="alert">${error}</p><p><a href="#/">Sign in</a></p>`}
      ${user && done && html`<p role="status">Your password is set, ${user.name}. Sign in with ${user.email}.</p><p><a class="button" href="#/">Sign in</a></p>`}
      ${user && !done && html`<p>Welcome, ${user.name}. Choose the password you will sign in with as <strong>${user.email}</strong>.</p>
        <label>New password (12 characters or more) <input name="password" type="password" autocomplete="new-password" minlength="12" maxlength="128" required autofocus /></label>
        <label>The same again <input name="again" type="password" autocomplete="new-password" minlength="12" maxlength="128" required /></label>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Set my password'}</button>`}
    </form>
  </main>`;
}
