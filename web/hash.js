// The location hash read in one place (#/accounts/7/plan?tier=key: a screen, its path, its
// query), with no imports: boot.js reads it before the rest of the app has loaded.

// the path's parts: #/accounts/7/plan?x=1 → { name: 'accounts', id: '7', sub: 'plan' }; the
// query (#/work?owner=3) is the screen's own and does not change the route
export function route() {
  const [name, id, sub] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
  return { name, id, sub };
}

// The query part of the hash (#/accounts?tier=key) and a way to change it without a new
// history entry, so Back leaves the screen instead of stepping through its filters.
export function hashQuery() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

export function setHashQuery(values) {
  const base = location.hash.split('?')[0] || '#/';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== '' && v != null) p.set(k, v);
  const q = p.toString(), want = `${base}${q ? `?${q}` : ''}`;
  // every dashboard load asks for the hash it already has: a replaceState is not free
  if (location.hash !== want) history.replaceState(history.state, '', want);
}
