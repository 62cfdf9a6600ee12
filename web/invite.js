// An invitation link (#/invite/TOKEN): a user created without a password (an imported sales
// agent, an invited colleague) chooses one here, then signs in.
import { html } from './vendor-preact-htm.js';
import { SetPassword } from './onetime.js';

export function Invite({ token }) {
  return html`<${SetPassword} path=${`/api/v1/invitations/${token}`} title="Choose your password" id="inv-title"
    intro=${(u) => html`Welcome, ${u.name}. Choose the password you will sign in with as <strong>${u.email}</strong>.`}
    done=${(u) => `Your password is set, ${u.name}. Sign in with ${u.email}.`}
    gone=${html`<p><a href="#/">Sign in</a></p>`} button="Set my password" />`;
}
