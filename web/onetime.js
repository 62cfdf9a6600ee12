// The pages of a one-time link that sets a password (an invitation, a password reset): no
// login is needed to open one; it works once and for a limited time.
import { html, useState, useEffect } from './vendor-preact-htm.js';

// A request without a session; a problem's first field message, else its detail, is the error.
export async function call(method, path, body) {
  const r = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw Object.assign(new Error(json.errors?.[0]?.message ? `${json.errors[0].field}: ${json.errors[0].message}` : json.detail || `error ${r.status}`), { status: r.status });
  return json;
}

// The link at path (GET: who it is for; POST {password}: sets it). intro, done and gone say
// what the page says before, after, and when the link is not live; button labels the submit.
export function SetPassword({ path, title, id, intro, done: saved, gone, button }) {
  const [user, setUser] = useState(undefined);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = `${title} · kam`;
    call('GET', path).then((r) => setUser(r.user), (e) => { setUser(null); setError(e.message); });
  }, [path]);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    if (f.get('password') !== f.get('again')) { setError('The two passwords differ.'); return; }
    setBusy(true);
    setError(null);
    try {
      await call('POST', path, { password: f.get('password') });
      setDone(true);
    } catch (x) {
      setError(x.message);
      if (x.status === 404) setUser(null);
    } finally {
      setBusy(false);
    }
  }
  if (user === undefined) return html`<p class="loading">Loading…</p>`;
  return html`<main class="login">
    <form onSubmit=${submit} aria-labelledby=${id}>
      <h1 id=${id}>kam</h1>
      ${user === null && html`<p class="error" role="alert">${error}</p>${gone}`}
      ${user && done && html`<p role="status">${saved(user)}</p><p><a class="button" href="#/">Sign in</a></p>`}
      ${user && !done && html`<p>${intro(user)}</p>
        <label>New password (12 characters or more) <input name="password" type="password" autocomplete="new-password" minlength="12" maxlength="128" required autofocus /></label>
        <label>The same again <input name="again" type="password" autocomplete="new-password" minlength="12" maxlength="128" required /></label>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button type="submit" disabled=${busy}>${busy ? 'Saving…' : button}</button>`}
    </form>
  </main>`;
}
