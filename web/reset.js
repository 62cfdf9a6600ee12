// "Forgot your password?" (#/reset): the sign-in page's way to a new password by mail, and the
// mailed one-time link (#/reset/TOKEN) that sets it. No login is needed for either; the answer
// is the same whether or not the address is a user's. Without mail on the server, the page
// says to ask an admin.
import { html, useState, useEffect } from './vendor-preact-htm.js';

async function call(method, path, body) {
  const r = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw Object.assign(new Error(json.errors?.[0]?.message ? `${json.errors[0].field}: ${json.errors[0].message}` : json.detail || `error ${r.status}`), { status: r.status });
  return json;
}

export function ForgotPassword() {
  const [mail, setMail] = useState(undefined);
  const [sent, setSent] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Forgot your password? · kam';
    call('GET', '/api/v1/password-resets').then((r) => setMail(r.mail), () => setMail(true));
  }, []);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await call('POST', '/api/v1/password-resets', { email: new FormData(e.target).get('email') });
      setMail(r.mail);
      setSent(r.detail);
    } catch (x) {
      setError(x.message);
    } finally {
      setBusy(false);
    }
  }
  if (mail === undefined) return html`<p class="loading">Loading…</p>`;
  return html`<main class="login">
    <form onSubmit=${submit} aria-labelledby="rs-title">
      <h1 id="rs-title">kam</h1>
      <h2>Forgot your password?</h2>
      ${!mail && html`<p role="status">This server sends no mail. Ask an admin to set a new password for you.</p>`}
      ${mail && sent && html`<p role="status">${sent[0].toUpperCase() + sent.slice(1)}. Check your mailbox, and your spam folder.</p>`}
      ${mail && !sent && html`<p>Type the e-mail address you sign in with: kam mails you a link to choose a new password.</p>
        <label>E-mail <input name="email" type="email" autocomplete="username" required autofocus /></label>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button type="submit" disabled=${busy}>${busy ? 'Sending…' : 'Mail me a link'}</button>`}
      <p><a href="#/">Back to sign in</a></p>
    </form>
  </main>`;
}

export function ResetPassword({ token }) {
  const [user, setUser] = useState(undefined);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Choose a new password · kam';
    call('GET', `/api/v1/password-resets/${token}`).then((r) => setUser(r.user), (e) => { setUser(null); setError(e.message); });
  }, [token]);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    if (f.get('password') !== f.get('again')) { setError('The two passwords differ.'); return; }
    setBusy(true);
    setError(null);
    try {
      await call('POST', `/api/v1/password-resets/${token}`, { password: f.get('password') });
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
    <form onSubmit=${submit} aria-labelledby="rp-title">
      <h1 id="rp-title">kam</h1>
      ${user === null && html`<p class="error" role="alert">${error}</p><p><a href="#/reset">Ask for a new link</a> · <a href="#/">Sign in</a></p>`}
      ${user && done && html`<p role="status">Your new password is set, ${user.name}. You were signed out everywhere else; sign in with ${user.email}.</p><p><a class="button" href="#/">Sign in</a></p>`}
      ${user && !done && html`<p>Choose a new password for <strong>${user.email}</strong>. Signing in elsewhere ends when you save it.</p>
        <label>New password (12 characters or more) <input name="password" type="password" autocomplete="new-password" minlength="12" maxlength="128" required autofocus /></label>
        <label>The same again <input name="again" type="password" autocomplete="new-password" minlength="12" maxlength="128" required /></label>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Set my new password'}</button>`}
    </form>
  </main>`;
}
