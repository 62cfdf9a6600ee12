// The portfolio matrix: every key account a bubble at (attractiveness, relationship strength),
// sized by revenue and coloured by health, over the four segment quadrants. Drawn on a canvas
// of its own (plot.js says why): one path per size and colour, ~2,700 arcs at 10,000
// accounts. A bubble names its account on hover and opens it on a click; a click in a
// quadrant away from the bubbles opens the accounts list of that segment.
import { html, useRef } from './vendor-preact-htm.js';
import { FONT, INK, GRID, useCanvas, useTip } from './plot.js';
import { num } from './format.js';

// colour = health, as on the accounts list
const BANDS = [['#1a7f37', (h) => h >= 70], ['#bf8700', (h) => h >= 50], ['#cf222e', (h) => h != null], ['#8c959f', () => true]];
const band = (h) => BANDS.findIndex(([, f]) => f(h));
// a bubble's diameter in px by revenue, in steps of 2 px (as the legend and the tests say)
export const bubble = (revenue) => 2 * Math.round((10 + Math.sqrt(Math.max(revenue, 0)) / 400) / 2);
// the plot's margins inside the chart's box: axis labels and names around it
const PAD = { left: 50, right: 20, top: 20, bottom: 40 };

// Where each key account of the compact answer ({fields, rows, splits, counts}) is drawn in a
// box of w × h CSS px: {box, x, y, bubbles, account}, x and y mapping 0–100 to px, bubbles in
// drawing order (bigger first, so the smaller stay visible on top), each {x, y, d, colour,
// row}, and account(row): what the answer says of that row's account, [id, name, segment,
// health].
export function matrixLayout(matrix, w, h) {
  const f = Object.fromEntries(matrix.fields.map((n, i) => [n, i]));
  const box = { x0: PAD.left, y0: PAD.top, x1: Math.max(PAD.left + 1, w - PAD.right), y1: Math.max(PAD.top + 1, h - PAD.bottom) };
  const x = (v) => box.x0 + ((box.x1 - box.x0) * v) / 100;
  const y = (v) => box.y1 - ((box.y1 - box.y0) * v) / 100;
  const bubbles = matrix.rows.map((r, i) => {
    const b = band(r[f.health]);
    // a point at 0 strength when it has too little data for one
    return { x: x(r[f.attractiveness]), y: y(r[f.strength] ?? 0), d: bubble(r[f.revenue]), b, colour: BANDS[b][0], row: i };
  });
  bubbles.sort((p, q) => q.d - p.d || p.b - q.b || p.row - q.row);
  const account = (row) => { const r = matrix.rows[row]; return [r[f.account_id], r[f.name], r[f.segment], r[f.health]]; };
  return { box, x, y, bubbles, account };
}

const QUADS = [['strategic', 'right', 'top'], ['develop', 'right', 'bottom'], ['maintain', 'left', 'top'], ['streamline', 'left', 'bottom']];

// A line across the plot at attractiveness a and one at strength s, on the pixel grid; returns
// where they are [x, y].
function cross(ctx, { box, x, y }, a, s) {
  const px = Math.round(x(a)) + 0.5, py = Math.round(y(s)) + 0.5;
  ctx.beginPath();
  ctx.moveTo(px, box.y0);
  ctx.lineTo(px, box.y1);
  ctx.moveTo(box.x0, py);
  ctx.lineTo(box.x1, py);
  ctx.stroke();
  return [px, py];
}

function draw(ctx, lay, matrix) {
  const { box } = lay, sp = matrix.splits;
  ctx.font = FONT;
  ctx.lineWidth = 1;
  // the grid and the axes' figures, every 20
  ctx.strokeStyle = GRID;
  ctx.fillStyle = INK;
  for (let v = 0; v <= 100; v += 20) {
    const [px, py] = cross(ctx, lay, v, v);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(String(v), px, box.y1 + 6);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(String(v), box.x0 - 6, py);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText('attractiveness', (box.x0 + box.x1) / 2, box.y1 + 34);
  ctx.save();
  ctx.translate(box.x0 - 36, (box.y0 + box.y1) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('relationship', 0, 0);
  ctx.restore();
  // the splits between the segments, dashed, with their values at their ends
  ctx.strokeStyle = '#999';
  ctx.setLineDash([4, 4]);
  const [sx, sy] = cross(ctx, lay, sp.attractiveness, sp.strength);
  ctx.setLineDash([]);
  // the bubbles, one path per run of one size and colour, inside the plot (the biggest
  // accounts' bubbles are a few hundred px across)
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
  ctx.clip();
  ctx.globalAlpha = 0.8;
  const bs = lay.bubbles;
  for (let i = 0; i < bs.length;) {
    const { d, colour } = bs[i];
    ctx.fillStyle = colour;
    ctx.beginPath();
    for (; i < bs.length && bs[i].d === d && bs[i].colour === colour; i++) {
      ctx.moveTo(bs[i].x + d / 2, bs[i].y);
      ctx.arc(bs[i].x, bs[i].y, d / 2, 0, 2 * Math.PI);
    }
    ctx.fill();
  }
  ctx.restore();
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(String(sp.attractiveness), sx, box.y0 - 2);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(String(sp.strength), box.x1 + 3, sy);
  // each quadrant names its segment and how many key accounts are in it, in its corner
  ctx.fillStyle = '#5f6b76';
  for (const [seg, sideX, sideY] of QUADS) {
    ctx.textAlign = sideX;
    ctx.textBaseline = sideY;
    ctx.fillText(`${seg} (${matrix.counts[seg] ?? 0})`, sideX === 'left' ? box.x0 + 4 : box.x1 - 4, sideY === 'top' ? box.y0 + 4 : box.y1 - 4);
  }
}

// What is under the pointer at (px, py): {bubble} (the topmost) or {segment} (a quadrant's
// empty part), or null outside the plot (where bubbles are cut off too).
export function matrixHit(lay, matrix, px, py) {
  const { box, bubbles: bs } = lay;
  if (px < box.x0 || px > box.x1 || py < box.y0 || py > box.y1) return null;
  for (let i = bs.length - 1; i >= 0; i--) {
    const b = bs[i];
    if ((px - b.x) ** 2 + (py - b.y) ** 2 <= (b.d / 2) ** 2) return { bubble: b };
  }
  const right = px >= lay.x(matrix.splits.attractiveness), top = py <= lay.y(matrix.splits.strength);
  return { segment: right ? (top ? 'strategic' : 'develop') : top ? 'maintain' : 'streamline' };
}

// The matrix of the compact answer; onOpen(hash) when a bubble or a quadrant is clicked.
export function Matrix({ matrix, onOpen }) {
  const tip = useTip();
  const lay = useRef(null);
  const ref = useCanvas((ctx, w, h) => {
    lay.current = matrixLayout(matrix, w, h);
    draw(ctx, lay.current, matrix);
  }, [matrix]);
  const hit = (e) => {
    const r = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - r.left, py = e.clientY - r.top;
    return [lay.current && matrixHit(lay.current, matrix, px, py), px, py];
  };
  const move = (e) => {
    const [h, px, py] = hit(e);
    e.currentTarget.style.cursor = h ? 'pointer' : '';
    if (!h) return tip.hide();
    if (h.segment) return tip.show([`${h.segment} (${matrix.counts[h.segment] ?? 0})`], px, py);
    const [, name, segment, health] = lay.current.account(h.bubble.row);
    return tip.show([name, `${segment}, health ${health == null ? 'not enough data' : num(health, 0)}`], px, py);
  };
  const click = (e) => {
    const [h] = hit(e);
    if (h) onOpen(h.segment ? `#/accounts?segment=${h.segment}` : `#/accounts/${lay.current.account(h.bubble.row)[0]}`);
  };
  return html`<div class="chart plot" role="img" aria-label="Portfolio matrix"><canvas ref=${ref} onMouseMove=${move} onMouseLeave=${tip.hide} onClick=${click}></canvas>${tip.node}</div>`;
}
