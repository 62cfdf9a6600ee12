// Numbers as people read them. Money arrives in minor units.
export const money = (minor, currency = 'EUR') => minor === null || minor === undefined ? '–'
  : new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0, notation: Math.abs(minor) >= 1e9 ? 'compact' : 'standard' }).format(minor / 100);
export const pct = (x, digits = 1) => x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)}%`;
export const num = (x, digits = 1) => x === null || x === undefined ? '–' : Number(x).toFixed(digits);
export const date = (s) => s ? s.slice(0, 10) : '–';
export function ago(ts) {
  if (!ts) return 'never';
  const d = Math.floor((Date.now() - Date.parse(ts)) / 86400e3);
  return d <= 0 ? 'today' : d === 1 ? 'yesterday' : `${d} days ago`;
}

// Text for the places a library renders as HTML (ECharts tooltips): user text stays text.
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
