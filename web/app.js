// The kam web app: a shell with navigation, and one view per screen, routed by the hash.
import { staffBoot } from './boot.js'; // first: it asks for the session before the rest loads
import { html, render, useState, useEffect } from './vendor-preact-htm.js';
import { get, login, logout, onLogout, onConnection, connected, reachableNow } from './api.js';
import { loadCurrencies } from './format.js';
import { Dashboard } from './dashboard.js';
import { Accounts } from './accounts.js';
import { Account } from './account.js';
import { Alerts } from './alerts.js';
import { Shared } from './shared.js';
import { Settings } from './settings.js';
import { PrintPlan } from './print.js';
import { MyWork, Search } from './mywork.js';
import { Setup } from './setup.js';
import { Invite } from './invite.js';
import { ForgotPassword, ResetPassword } from './reset.js';
import { Forecast } from './forecast.js';
import { Workspace } from './workspace.js';
import { home } from './early.js';
import { route } from './hash.js';

function Login({ onDone }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    setBusy(true);
    setError(null);
    try {
      onDone(await login(f.get('email'), f.get('password')));
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<main class="login">
    <form onSubmit=${submit} aria-labelledby="login-title">
      <h1 id="login-title">kam</h1>
      <p class="muted">Key account management</p>
      <label>E-mail <input name="email" type="email" autocomplete="username" required autofocus /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      <p><a href="#/reset">Forgot your password?</a></p>
    </form>
  </main>`;
}

// A banner while the server does not answer; it polls /healthz and goes when the server is
// back (screens listening with onConnection then ask again for what failed).
function Connection() {
  // the dashboard's questions go out before the shell is drawn: one may already have found
  // the server gone (and another found it back) before this listens
  const [down, setDown] = useState(() => !reachableNow());
  useEffect(() => {
    setDown(!reachableNow());
    return onConnection((up) => setDown(!up));
  }, []);
  useEffect(() => {
    if (!down) return undefined;
    const t = setInterval(() => fetch('/healthz').then((x) => x.ok && connected(true), () => {}), 3000);
    return () => clearInterval(t);
  }, [down]);
  return down ? html`<p class="offline warning" role="status">The server is not answering. What you typed is kept; kam checks every few seconds and carries on when it is back.</p>` : null;
}

function Shell({ user: signedIn, onLogout: out }) {
  const [user, setUser] = useState(signedIn);
  const [r, setR] = useState(route());
  useEffect(() => {
    const f = () => setR(route());
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  const current = r.name || home(user);
  // a title per screen (the account page names its account and tab itself)
  useEffect(() => {
    const t = { dashboard: 'Dashboard', accounts: 'Accounts', alerts: 'Alerts', settings: 'Settings', work: 'My work', forecast: 'Forecast' }[current];
    if (t && !r.id) document.title = `${t} · kam`;
  }, [current, r.id]);
  const link = (name, label) => html`<a href="#/${name}" aria-current=${current === name ? 'page' : null}>${label}</a>`;
  let view;
  if (r.name === 'accounts' && r.id && r.sub === 'print') view = html`<${PrintPlan} id=${r.id} />`;
  else if (r.name === 'accounts' && r.id) view = html`<${Account} id=${r.id} tab=${r.sub} user=${user} />`;
  else if (r.name === 'settings') view = html`<${Settings} user=${user} />`;
  else if (r.name === 'accounts') view = html`<${Accounts} user=${user} />`;
  else if (r.name === 'forecast') view = html`<${Forecast} user=${user} />`;
  else if (r.name === 'alerts') view = html`<${Alerts} user=${user} key=${location.hash} />`;
  else if (current === 'work') view = html`<${MyWork} user=${user} key=${location.hash} />`;
  else view = html`<${Dashboard} user=${user} />`;
  return html`<div class="shell">
    <header>
      <strong class="brand">kam</strong>
      <nav aria-label="Main">${link('work', 'My work')} ${link('dashboard', 'Dashboard')} ${link('accounts', 'Accounts')} ${link('forecast', 'Forecast')} ${link('alerts', 'Alerts')} ${link('settings', 'Settings')}</nav>
      <${Search} />
      <span class="who">${user.name} · ${user.role}</span>
      <button class="link" onClick=${out}>Log out</button>
    </header>
    <${Connection} />
    <main id="content"><${Setup} user=${user} onDone=${() => setUser({ ...user, setup: false })} />${view}</main>
  </div>`;
}

function App() {
  // a client's share link needs no login and shows nothing else; pasted into a signed-in
  // tab it shows the client's page too (the KAM's check of the link), not the dashboard
  const [, setHash] = useState(location.hash);
  useEffect(() => {
    const f = () => setHash(location.hash);
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  const shared = location.hash.match(/^#\/shared\/([A-Za-z0-9_-]+)$/);
  if (shared) return html`<${Shared} token=${shared[1]} />`;
  // a client member's workspace: its own screens and session, never the staff shell
  const ws = location.hash.match(/^#\/workspace(?:\/(ws_[A-Za-z0-9_-]+))?\/?$/);
  if (ws) return html`<${Workspace} token=${ws[1]} key=${ws[1] || 'session'} />`;
  // an invitation sets a password before there is a session to speak of
  const invite = location.hash.match(/^#\/invite\/(inv_[A-Za-z0-9_-]+)$/);
  if (invite) return html`<${Invite} token=${invite[1]} />`;
  // so does a password reset (#/reset asks for the mail, #/reset/TOKEN is the mailed link)
  const reset = location.hash.match(/^#\/reset(?:\/(rst_[A-Za-z0-9_-]+))?$/);
  if (reset) return reset[1] ? html`<${ResetPassword} token=${reset[1]} />` : html`<${ForgotPassword} />`;
  return html`<${Staff} />`;
}

function Staff() {
  const [user, setUser] = useState(undefined);
  const [digits, setDigits] = useState(false);
  useEffect(() => {
    // the session and the currency table, asked at start (boot.js)
    staffBoot().then(([u, loaded]) => { if (loaded) setDigits(true); setUser(u); });
    onLogout(() => setUser(null)); // a session that expired goes back to the login
  }, []);
  // every screen shows money, scaled by the currencies' ISO 4217 digits: load them once
  useEffect(() => { if (user && !digits) loadCurrencies(get).then(() => setDigits(true)); }, [user]);
  if (user === undefined || (user && !digits)) return html`<p class="loading">Loading…</p>`;
  if (user === null) return html`<${Login} onDone=${setUser} />`;
  return html`<${Shell} user=${user} onLogout=${async () => { await logout(); setUser(null); }} />`;
}

render(html`<${App} />`, document.getElementById('app'));
