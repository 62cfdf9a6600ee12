// Numbers as people read them. Money arrives in minor units of its currency: ISO 4217 says
// how many (JPY 0, EUR 2, KWD 3, CLF 4), and the server's table (GET /api/v1/currencies),
// loaded once after sign-in, is the one every figure is scaled by.
const table = new Map();

// Loads the currency table; resolves either way, to whether it loaded (without it, digitsOf
// falls back below).
export async function loadCurrencies(get) {
  try {
    for (const c of (await get('/api/v1/currencies')).items) table.set(c.code, c.digits);
    return true;
  } catch { /* the figures fall back to the browser's own digits */
    return false;
  }
}

// The minor-unit digits of a currency: the server's table, else the browser's, else 2.
export function digitsOf(currency) {
  if (table.has(currency)) return table.get(currency);
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

// Minor units as a plain decimal string in major units, exactly ("1234.5", "120000", "1.25").
export function toMajor(minor, currency) {
  const d = digitsOf(currency);
  const neg = minor < 0;
  const s = String(Math.abs(Math.trunc(minor))).padStart(d + 1, '0');
  const whole = s.slice(0, s.length - d), frac = s.slice(s.length - d).replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

// A typed amount ("1234.5", "1,234.50", "120000") in minor units of currency; null when it
// is not a number or has more decimals than the currency has digits.
export function toMinor(text, currency) {
  const d = digitsOf(currency);
  const m = String(text).trim().replace(/[,\s]/g, '').match(/^(-?)(\d*)(?:\.(\d*))?$/);
  if (!m || (m[2] === '' && !m[3]) || (m[3] || '').length > d) return null;
  const n = Number(`${m[2] || '0'}${(m[3] || '').padEnd(d, '0')}`);
  return Number.isSafeInteger(n) ? (m[1] ? -n : n) : null;
}

// Intl formatters kept per options: making one costs ~0.1 ms, and a dashboard formats a few
// hundred figures per load (tiles, tables, axis labels)
const formatters = new Map();
const formatter = (key, make) => formatters.get(key) ?? formatters.set(key, make()).get(key);
export const money = (minor, currency = 'EUR') => {
  if (minor === null || minor === undefined) return '–';
  const major = minor / 10 ** digitsOf(currency);
  const notation = Math.abs(major) >= 1e7 ? 'compact' : 'standard';
  return formatter(`money|${currency}|${notation}`, () => new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0, notation })).format(major);
};
export const pct = (x, digits = 1) => x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)}%`;
export const num = (x, digits = 1) => x === null || x === undefined ? '–' : Number(x).toFixed(digits);
// The server's clock and the installation's time zone, from the session: "today" and month
// windows are the server's (a KAM in Tokyo sees what the server calls overdue), and a tab left
// open over midnight moves on with the browser's clock.
let skew = 0;
// YYYY-MM-DD in zone z (throws for a zone the browser does not know)
const dayFormat = (z) => formatter(`day|${z}`, () => new Intl.DateTimeFormat('en-CA', { timeZone: z, year: 'numeric', month: '2-digit', day: '2-digit' }));
let zone = 'UTC';
export function setClock(c) {
  const t = Date.parse(c?.now);
  skew = Number.isNaN(t) ? 0 : t - Date.now();
  try {
    // the zone's "today" formatter, made (and the zone checked) once per zone
    dayFormat(c?.time_zone || 'UTC');
    zone = c?.time_zone || 'UTC';
  } catch {
    zone = 'UTC';
  }
}
// Today in the installation's zone, YYYY-MM-DD.
export const today = () => dayFormat(zone).format(new Date(Date.now() + skew));
// The first day of the month add months from this one (0: this month), YYYY-MM-DD.
export function monthStart(add = 0) {
  const [y, m] = today().split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + add, 1)).toISOString().slice(0, 10);
}
export const date = (s) => s ? s.slice(0, 10) : '–';
export function ago(ts) {
  if (!ts) return 'never';
  const d = Math.floor((Date.now() - Date.parse(ts)) / 86400e3);
  return d <= 0 ? 'today' : d === 1 ? 'yesterday' : `${d} days ago`;
}

// Text for the places a library renders as HTML (ECharts tooltips): user text stays text.
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

// The change between two figures as people read it: "+2.1% (+€327,813)" for money and
// counts, percentage points for ratios ("+1.5 pts"); '' when either side is missing.
export function change(value, previous, kind, currency) {
  if (value === null || value === undefined || previous === null || previous === undefined) return '';
  const d = value - previous;
  const sign = (x) => (x > 0 ? '+' : x < 0 ? '−' : '±');
  if (kind === 'ratio') return `${sign(d)}${Math.abs(d * 100).toFixed(1)} pts`;
  if (kind === 'points') return `${sign(d)}${Math.abs(d).toFixed(0)} points`;
  const rel = previous !== 0 ? ` ${sign(d)}${Math.abs((d / Math.abs(previous)) * 100).toFixed(1)}%` : '';
  const abs = kind === 'money' ? `${sign(d)}${money(Math.abs(d), currency).replace(/^-/, '')}` : `${sign(d)}${Math.abs(d)}`;
  return `${rel.trim()}${rel ? ` (${abs})` : abs}`;
}

// Below this many answers an NPS swings by tens of points with one answer: shown greyed.
export const NPS_MIN_ANSWERS = 30;

// Figures that cannot be right as they stand, with the likely cause (null when plausible).
export function implausible(name, value) {
  if (value === null || value === undefined) return null;
  if (name === 'share_of_wallet' && value > 1)
    return 'Above 100%: the potential annual spend of some accounts is missing, too low, or in another currency than the revenue.';
  if ((name === 'nrr' || name === 'grr') && (value > 2 || value < 0.2))
    return 'Implausible: the previous period\'s revenue of these accounts is very small (accounts new last year or revenue imported for part of it).';
  return null;
}

// Alert evidence as a person reads it: money (keys about revenue, in minor units of
// currency) with its currency, hours past a target in days, rates in percent.
export function evidenceText(key, value, currency) {
  const label = key.replaceAll('_', ' ');
  if (typeof value !== 'number') return `${label}: ${value}`;
  if (/revenue|amount|spend/.test(key)) return `${label}: ${money(value, currency)}`;
  if (/hours/.test(key)) return `${label.replace(/hours/, 'days')}: ${(value / 24).toFixed(value >= 240 ? 0 : 1)}`;
  if (/percent/.test(key)) return `${label.replace(/ ?percent/, '')}: ${value}%`;
  return `${label}: ${Number.isInteger(value) ? value : value.toFixed(1)}`;
}

// A person's role on an account's team as the API stores it (support_lead) and as a reader
// sees it (support lead); a role typed by hand elsewhere is shown with its underscores as spaces.
export const TEAM_ROLES = [
  ['kam', 'KAM'], ['executive_sponsor', 'executive sponsor'], ['solution_engineer', 'solution engineer'],
  ['support_lead', 'support lead'], ['delivery_manager', 'delivery manager'], ['sales', 'sales'],
  ['finance', 'finance'], ['member', 'member'], ['other', 'other'],
];
export const teamRole = (r) => TEAM_ROLES.find(([k]) => k === r)?.[1] ?? String(r ?? '').replaceAll('_', ' ');
