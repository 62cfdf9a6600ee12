// A new installation's first questions (issue 15): the company's name, currency and time zone,
// asked of a director or admin at their first sign-in while nothing is configured and no
// revenue is stored (the base currency cannot change once revenue is in). The server says
// when (session.setup); "Later" hides it for this visit.
import { html, useState } from './vendor-preact-htm.js';
import { api, get } from './api.js';
import { Form, fields, body } from './forms.js';

const zones = () => ['UTC', ...(Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC') : [])];
const names = Intl.DisplayNames ? new Intl.DisplayNames(['en'], { type: 'currency' }) : null;

export function Setup({ user, onDone }) {
  const [later, setLater] = useState(false);
  const [codes, setCodes] = useState(null);
  if (!user.setup || later) return null;
  if (codes === null) {
    get('/api/v1/currencies').then((r) => setCodes(r.items.filter((c) => c.status !== 'withdrawn').map((c) => [c.code, names ? `${c.code} · ${names.of(c.code)}` : c.code])), () => setCodes([]));
    return null;
  }
  const seen = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const guess = zones().includes(seen) ? seen : 'UTC';
  const spec = [
    { name: 'company_name', label: 'Your company', required: true, max: 200 },
    { name: 'base_currency', label: 'Currency of your figures', type: 'select', required: true, options: codes.length ? codes : [['EUR', 'EUR']], default: 'EUR' },
    { name: 'time_zone', label: 'Time zone (decides "today")', type: 'select', required: true, options: zones().map((z) => [z, z]), default: guess },
  ];
  async function save(fd) {
    await api('PATCH', '/api/v1/settings', body(spec, fd));
    onDone();
  }
  return html`<section class="card setup" aria-labelledby="setup-title">
    <h2 id="setup-title">Welcome to kam</h2>
    <p>Three questions before your data comes in. Revenue, targets and KPIs are kept in one currency; choose it before the first revenue is imported (it cannot change afterwards). Everything else can change later in Settings.</p>
    <${Form} label="Set up kam" cls="quick setup-form" submit="Save and start" onSave=${save} reset=${false}>${fields(spec, { base_currency: 'EUR', time_zone: guess })}<//>
    <p><button type="button" class="link" onClick=${() => setLater(true)}>Later</button> · next: <a href="#/settings">import your accounts</a></p>
  </section>`;
}
