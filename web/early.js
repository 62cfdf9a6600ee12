// The dashboard's questions, asked as soon as the session is known (boot.js) instead of from
// the dashboard's effects: those run only once the shell and the dashboard are rendered,
// 30-60 ms later on a 10,000-account portfolio. The dashboard takes each early answer once
// and asks afresh for anything else (another period, a retry, a second visit).
import { get } from './api.js';
import { monthStart } from './format.js';
import { route, hashQuery } from './hash.js';

// a KAM or member lands on My work; directors, admins and viewers on the portfolio
export const home = (user) => (['kam', 'member'].includes(user.role) ? 'work' : 'dashboard');

// the period shown: the URL's (#/dashboard?months=6), else the tab's last, else a year
export function dashboardMonths() {
  const m = Number(hashQuery().get('months') || sessionStorage.getItem('kam.months'));
  return [3, 6, 12, 24].includes(m) ? m : 12;
}

export const WORK_TOP = 10;
const WORK_FEW = `/api/v1/kams/workload?sort=busiest&limit=${WORK_TOP}`;
const WORK_ALL = '/api/v1/kams/workload?sort=busiest';
export const FORECAST_TILE = '/api/v1/forecast?by=portfolio';
export const OVERDUE_RUNS = '/api/v1/playbook-runs?state=overdue&limit=10';

// The dashboard's panels' questions for a period (months back from this month, in the
// session's time zone: monthStart needs the session's clock).
export function dashboardPaths(months, allWork = false) {
  const to = monthStart(0), from = monthStart(-months), last = monthStart(-1).slice(0, 7);
  return {
    k: `/api/v1/kpis?from=${from}&to=${to}`,
    series: `/api/v1/kpis?from=${from}&to=${to}&interval=month`,
    // bubbles: revenue of the same whole months as the tiles; the compact form holds only
    // what the picture draws
    matrix: `/api/v1/portfolio/matrix?from=${from.slice(0, 7)}&to=${last}&form=compact`,
    alerts: '/api/v1/alerts?state=open&limit=8&sort=-opened_at',
    work: allWork ? WORK_ALL : WORK_FEW,
    // the least healthy key accounts, each with its weakest part and owner
    risk: '/api/v1/portfolio/at-risk?limit=6',
  };
}

// An early answer is for the first dashboard of this page: one put on the page later (a
// sign-in after the session ended, a visit long after) asks afresh.
const FRESH_MS = 5000;
const early = new Map(); // path → [answer promise, when asked]

// Asks the dashboard's questions now, when user will land on it.
export function askDashboardEarly(user) {
  const s = route().name;
  if (s !== 'dashboard' && !(s === '' && home(user) === 'dashboard')) return;
  const now = performance.now();
  for (const p of [...Object.values(dashboardPaths(dashboardMonths())), FORECAST_TILE, OVERDUE_RUNS]) {
    const q = get(p);
    q.catch(() => {}); // a failure is the panel's to show when it takes the answer
    early.set(p, [q, now]);
  }
}

// The answer to path: the early one, once, while fresh; else asked now.
export function getEarly(path) {
  const e = early.get(path);
  early.delete(path);
  if (!e || performance.now() - e[1] >= FRESH_MS) return get(path);
  // An early question that got no reply at all is asked again: replies to the others may
  // have marked the server back before the panel listened for it, and nothing would ever
  // ask again (a server still gone fails this one, and the banner shows).
  return e[0].catch((err) => (err.status === 0 ? get(path) : Promise.reject(err)));
}
