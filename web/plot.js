// The dashboard's two charts (the portfolio matrix and revenue by month), drawn on a canvas of
// their own. ECharts is a megabyte of JavaScript that every dashboard load compiled and ran
// cold, and its two charts there took a third of the page's main-thread time at 10,000
// accounts (issue 20, row 8; docs/performance.md); these two need axes, marks, a tooltip and
// a click. Other screens keep ECharts (chart.js), loaded when their first chart is drawn.
import { html, useLayoutEffect, useRef } from './vendor-preact-htm.js';

// the charts' text, and the colours of their figures and grid lines
export const FONT = '12px system-ui, sans-serif';
export const INK = '#6e7079', GRID = '#e0e6f1';

// A canvas filling its box at the device's pixel ratio, drawn by draw(ctx, width, height) in
// CSS pixels in a layout effect (the frame its data is rendered in, as chart.js), again when
// deps change and when the box changes size. Returns the canvas ref.
export function useCanvas(draw, deps) {
  const ref = useRef(null);
  const last = useRef('');
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const paint = (force) => {
    const c = ref.current;
    if (!c) return;
    const w = c.clientWidth, h = c.clientHeight, dpr = devicePixelRatio || 1;
    const size = `${w}x${h}@${dpr}`;
    if (!force && size === last.current) return; // the observer's first call: drawn already
    last.current = size;
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (w > 0 && h > 0) drawRef.current(ctx, w, h);
  };
  useLayoutEffect(() => paint(true), deps);
  useLayoutEffect(() => {
    const ro = new ResizeObserver(() => paint(false));
    ro.observe(ref.current);
    return () => ro.disconnect();
  }, []);
  return ref;
}

// Round steps (1, 2 or 5 times a power of ten), about n of them, from at most min(lo, 0) to at
// least max(hi, 0).
export function niceTicks(lo, hi, n = 5) {
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  if (!(hi > lo)) return [0, 1];
  const raw = (hi - lo) / n, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const out = [];
  for (let k = Math.floor(lo / step); k <= Math.ceil(hi / step); k++) out.push(k * step);
  return out;
}

// Horizontal grid lines with their labels at the left of the plot box {x0, y0, x1, y1}, for
// ticks placed by y(value).
export function yAxis(ctx, box, ticks, y, label) {
  ctx.font = FONT;
  ctx.lineWidth = 1;
  ctx.strokeStyle = GRID;
  ctx.fillStyle = INK;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of ticks) {
    const py = Math.round(y(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(box.x0, py);
    ctx.lineTo(box.x1, py);
    ctx.stroke();
    ctx.fillText(label(t), box.x0 - 8, py);
  }
}

// The widest of these labels in the chart's font (to size the left margin).
export function widest(ctx, labels) {
  ctx.font = FONT;
  return Math.max(0, ...labels.map((s) => ctx.measureText(s).width));
}

// A tooltip inside the chart's box: tip.show(lines, x, y) at the pointer (CSS px in the box),
// tip.hide(). Text only (textContent): names are the users' own.
export function useTip() {
  const el = useRef(null);
  const show = (lines, x, y) => {
    const t = el.current;
    if (!t) return;
    t.replaceChildren(...lines.map((s) => Object.assign(document.createElement('div'), { textContent: s })));
    t.hidden = false;
    const box = t.parentElement.getBoundingClientRect();
    // beside the pointer, kept inside the chart's box
    const left = x + 14 + t.offsetWidth > box.width ? Math.max(0, x - 14 - t.offsetWidth) : x + 14;
    const top = Math.min(Math.max(0, y - t.offsetHeight - 8), Math.max(0, box.height - t.offsetHeight));
    t.style.left = `${left}px`;
    t.style.top = `${top}px`;
  };
  const hide = () => { if (el.current) el.current.hidden = true; };
  return { el, show, hide, node: html`<div class="plot-tip" ref=${el} hidden></div>` };
}

// Bars by category (months): labels along the bottom, values (null: no bar) against a y axis
// whose labels are fmt(value); hovering a month shows its label and value.
export function Bars({ label, labels, values, fmt, colour = '#1565c0' }) {
  const tip = useTip();
  const geo = useRef(null);
  const ref = useCanvas((ctx, w, h) => {
    const ok = values.filter((v) => Number.isFinite(v));
    const ticks = niceTicks(Math.min(0, ...ok), Math.max(0, ...ok));
    const box = { x0: Math.max(40, Math.ceil(widest(ctx, ticks.map(fmt))) + 14), y0: 14, x1: w - 12, y1: h - 30 };
    const lo = ticks[0], hi = ticks.at(-1);
    const y = (v) => box.y1 - ((box.y1 - box.y0) * (v - lo)) / (hi - lo);
    yAxis(ctx, box, ticks, y, fmt);
    const band = (box.x1 - box.x0) / Math.max(1, labels.length), zero = y(0);
    // a month's bar from 0 up (or down, for a month of more credit notes than sales)
    ctx.fillStyle = colour;
    values.forEach((v, i) => {
      if (Number.isFinite(v) && v !== 0) ctx.fillRect(box.x0 + band * (i + 0.2), Math.min(y(v), zero), band * 0.6, Math.abs(zero - y(v)));
    });
    // the months: as many as fit, evenly, each under its bar
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const every = Math.max(1, Math.ceil((widest(ctx, labels) + 12) / band));
    labels.forEach((l, i) => { if (i % every === 0) ctx.fillText(l, box.x0 + band * (i + 0.5), box.y1 + 8); });
    ctx.strokeStyle = INK;
    ctx.beginPath();
    ctx.moveTo(box.x0, Math.round(zero) + 0.5);
    ctx.lineTo(box.x1, Math.round(zero) + 0.5);
    ctx.stroke();
    geo.current = { box, band };
  }, [labels, values]);
  const at = (e) => {
    const g = geo.current;
    if (!g) return -1;
    const r = e.currentTarget.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
    if (x < g.box.x0 || x >= g.box.x1 || y < g.box.y0 || y > g.box.y1) return -1;
    return Math.floor((x - g.box.x0) / g.band);
  };
  const move = (e) => {
    const i = at(e);
    if (i < 0 || i >= labels.length) return tip.hide();
    const r = e.currentTarget.getBoundingClientRect();
    tip.show([labels[i], Number.isFinite(values[i]) ? fmt(values[i]) : 'no data'], e.clientX - r.left, e.clientY - r.top);
  };
  return html`<div class="chart plot" role="img" aria-label=${label}><canvas ref=${ref} onMouseMove=${move} onMouseLeave=${tip.hide}></canvas>${tip.node}</div>`;
}
