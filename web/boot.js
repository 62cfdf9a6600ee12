// The session and the currency table, asked as soon as the app's files are in. This module is
// app.js's first import, so it runs before ECharts (a megabyte of JavaScript) and the screens
// are evaluated: the two questions no longer wait for them (10-25 ms). Both at once, not one
// after the other: the table needs a session too, so on the login page it is refused (a
// quiet 401) and asked again after sign-in. Share links, workspaces, invitations and password
// resets have no staff session and ask neither.
import { resume, peek } from './api.js';
import { loadCurrencies } from './format.js';
import { askDashboardEarly } from './early.js';
import { route } from './hash.js';

// [user or null, whether the currency table loaded]; a user landing on the dashboard has its
// questions asked as soon as the session is in, before the shell is rendered
const ask = () => Promise.all([resume().then((u) => { if (u) askDashboardEarly(u); return u; }), loadCurrencies(peek)]);
let pending = ['shared', 'workspace', 'invite', 'reset'].includes(route().name) ? null : ask();

// The answers asked at start, once; a later staff screen (back from a share link) asks afresh.
export function staffBoot() {
  const b = pending ?? ask();
  pending = null;
  return b;
}
