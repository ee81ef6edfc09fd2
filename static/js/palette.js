// Each run's look, and how it is drawn, by its palette slot (run.color): a colour, a dash pattern and a marker
// shape, so runs are told apart without colour too. The colours are Okabe–Ito's orange, sky
// blue, bluish green and reddish purple, with a red and a light yellow where Okabe–Ito's
// vermillion (too close to the orange for deuteranopes) and dark blue (lost on the maps' dark
// valleys) were: tests/test_palette.py checks the CIEDE2000 distances under simulated
// deuteranopia and protanopia, pairwise and against the colour scale's valleys.
export const PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#CC3311", "#FFFF66"];
const DASHES = [[], [10, 5], [2, 4], [10, 4, 2, 4], [5, 4], [14, 4, 2, 4, 2, 4]]; // canvas setLineDash
// Plotly's names for the same (3-D traces here; app/figures.py reads these lists too).
export const PLOTLY_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
export const MARKERS = ["circle", "square", "triangle-up", "diamond", "triangle-down", "hexagon"];
const MARKERS_3D = ["circle", "square", "diamond", "cross", "x", "circle-open"]; // scatter3d's symbols

/** The look of palette slot `slot` (a run's `color` field). */
export function styleOf(slot) {
  const i = ((slot | 0) % PALETTE.length + PALETTE.length) % PALETTE.length;
  return { color: PALETTE[i], dash: DASHES[i], dash3d: PLOTLY_DASHES[i], marker: MARKERS[i], marker3d: MARKERS_3D[i] };
}

/** Trace marker `shape` of radius ~r centred at (x, y) as the current path of `ctx`. */
export function markerPath(ctx, shape, x, y, r) {
  ctx.beginPath();
  const poly = (n, turn, scale = 1) => {
    for (let k = 0; k < n; k++) {
      const a = turn + (2 * Math.PI * k) / n;
      ctx[k ? "lineTo" : "moveTo"](x + r * scale * Math.cos(a), y + r * scale * Math.sin(a));
    }
    ctx.closePath();
  };
  if (shape === "square") ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
  else if (shape === "triangle-up") poly(3, -Math.PI / 2, 1.2);
  else if (shape === "triangle-down") poly(3, Math.PI / 2, 1.2);
  else if (shape === "diamond") poly(4, -Math.PI / 2, 1.2);
  else if (shape === "hexagon") poly(6, 0, 1.05);
  else ctx.arc(x, y, r, 0, Math.PI * 2);
}

// Drawing a run on a 2-D canvas (trails.js: the page's overlay and saved images).
/** A run's look: its colour (entry.color, as the race has it) with its slot's dash and marker. */
export function look(entry) {
  return { ...styleOf(entry.run ? entry.run.color : 0), color: entry.color };
}

/** The run's name beside its ball, on a white pad so any map shows it; skipped where it
 * would cover a label in `taken` (boxes already drawn). Larger in present mode. */
export function tag(ctx, x, y, text, color, taken, present = false) {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return;
  const size = present ? 15 : 11;
  ctx.font = `600 ${size}px system-ui, sans-serif`;
  const w = ctx.measureText(text).width;
  const h = size + 5;
  const room = ctx.canvas.width / (window.devicePixelRatio || 1);
  const beside = x + 11 + w + 8 > room ? x - 11 - w - 8 : x + 11; // near the right edge: to the left
  const left = Math.max(0, Math.min(room - w - 8, beside)); // never cut by the plot's edges
  const box = [left, y - h / 2, w + 8, h];
  const overlaps = (b) => box[0] < b[0] + b[2] && b[0] < box[0] + box[2] && box[1] < b[1] + b[3] && b[1] < box[1] + box[3];
  if (taken.some(overlaps)) return;
  taken.push(box);
  ctx.fillStyle = "rgba(255,255,255,0.9)";
  ctx.fillRect(...box);
  ctx.fillStyle = color;
  ctx.fillRect(left, box[1], 3, h);
  ctx.fillStyle = "#111";
  ctx.fillText(text, left + 6, y + size / 3);
}

export function trail(ctx, px, py, k, { color, dash }, wide = 1) {
  if (k < 1) return;
  ctx.beginPath();
  ctx.moveTo(px[0], py[0]);
  for (let i = 1; i <= k; i++) ctx.lineTo(px[i], py[i]);
  ctx.strokeStyle = "rgba(0,0,0,0.55)";
  ctx.lineWidth = 4.5 * wide;
  ctx.stroke(); // a solid dark casing: each run's dashes show on light and dark ground alike
  ctx.setLineDash(dash.map((d) => d * wide));
  ctx.strokeStyle = color;
  ctx.lineWidth = 2.5 * wide;
  ctx.stroke();
  ctx.setLineDash([]);
}

export function ball(ctx, x, y, { color, marker }, burst = false) {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return;
  markerPath(ctx, marker, x, y, 7);
  ctx.fillStyle = color;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = burst ? "#ff0000" : "#000000";
  ctx.stroke();
}
