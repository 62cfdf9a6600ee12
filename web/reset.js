// "Forgot your password?" (#/reset): the sign-in page's way to a new password by mail, and the
// mailed one-time link (#/reset/TOKEN) that sets it. No login is needed for either; the answer
// is the same whether or not the address is a user's. Without mail on the server, the page
// says to ask an admin.
import { html, useState, useEffect } from './vendor-preact-htm.js';
import { call, SetPassword } from './onetime.js';

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
  return html`<${SetPassword} path=${`/api/v1/password-resets/${token}`} title="Choose a new password" id="rp-title"
    intro=${(u) => html`Choose a new password for <strong>${u.email}</strong>. Signing in elsewhere ends when you save it.`}
    done=${(u) => `Your new password is set, ${u.name}. You were signed out everywhere else; sign in with ${u.email}.`}
    gone=${html`<p><a href="#/reset">Ask for a new link</a> · <a href="#/">Sign in</a></p>`} button="Set my new password" />`;
}
