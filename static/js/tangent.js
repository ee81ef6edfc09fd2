// 1-D lessons: the tangent line at every run's ball, in that run's colour, with its slope
// f'(x) printed (the first run's in the label under the plot, each run's beside its line),
// and the step taken (drawn by trails.js as an arrow). Drawn on the landscape's canvas
// overlay after the trails, so a frame costs a few canvas calls. `drawn` says what was drawn
// last (tests, debugging): `tangent` the first run's, `tangents` every run's.
import { trails } from "./page.js";
import { fmt, store } from "./state.js";

export const drawn = { tangent: null, tangents: [] };

const HALF_LENGTH = 80; // pixels either side of the ball

/** Every run whose ball is on the plot at step k, with its slope there. */
function onPlot(race, step, area) {
  const { xa, ya, width, height } = area;
  const found = [];
  for (const entry of race ? race.entries : []) {
    const d = entry.data;
    if (!d || !d.gradients || !d.points.length) continue;
    const k = Math.min(step, d.points.length - 1);
    const px = xa.c2p(d.points[k][0]);
    const py = ya.c2p(d.losses[k]);
    const g = d.gradients[k] ? d.gradients[k][0] : NaN;
    if (Number.isFinite(g) && px >= -10 && px <= width + 10 && py >= -10 && py <= height + 10) found.push({ entry, k, px, py, g });
  }
  return found;
}

/** "−8.00": two decimals for classroom numbers, fmt's exponent form for huge or tiny ones. */
export function slopeText(value) {
  if (!Number.isFinite(value)) return fmt(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-2)) return fmt(value, 3);
  return value.toFixed(2).replace("-", "−");
}

/** Draw every run's tangent at `step` on `trails`' overlay (1-D only). */
export function drawTangent(trails, step, label) {
  drawn.tangent = null;
  drawn.tangents = [];
  const s = trails.surface;
  const race = trails.race;
  if (label) label.hidden = true;
  if (!s || s.dims !== 1 || !trails.area || trails.gd._is3d) return;
  const names = (race && race.names) || { f: "f", axes: ["x"] };
  const runs = onPlot(race, step, trails.area);
  runs.forEach((found, i) => drawn.tangents.push(tangentOf(trails, found, names, runs.length > 1 ? i : -1)));
  if (!runs.length) return;
  drawn.tangent = drawn.tangents[0];
  const { entry } = runs[0];
  const { text, x } = drawn.tangent;
  if (label) {
    const at = `at ${names.axes[0]} = ${fmt(x, 4)}`;
    const full = `${text} ${at}`;
    if (label.dataset.text !== full) {
      label.dataset.text = full;
      label.replaceChildren(text, document.createElement("br"), at);
    }
    label.style.setProperty("--run-color", entry.color);
    label.hidden = false;
  }
}

/** One run's tangent in its colour; with several runs (`nth` >= 0) its slope beside it. */
function tangentOf(trails, { entry, k, px, py, g }, names, nth) {
  const d = entry.data;
  const x = d.points[k][0];
  const fx = d.losses[k];
  const { xa, ya } = trails.area;
  // Direction (1, g) in data units, converted to pixels (the axes have different scales).
  const ux = xa.c2p(1) - xa.c2p(0);
  const uy = (ya.c2p(1) - ya.c2p(0)) * g;
  const n = Math.hypot(ux, uy);
  const dx = (ux / n) * HALF_LENGTH;
  const dy = (uy / n) * HALF_LENGTH;
  const ctx = trails.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.moveTo(px - dx, py - dy);
  ctx.lineTo(px + dx, py + dy);
  ctx.lineWidth = 5;
  ctx.strokeStyle = "rgba(255,255,255,0.85)";
  ctx.stroke();
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = entry.color;
  ctx.stroke();
  const text = `slope ${names.f}′(${names.axes[0]}) = ${slopeText(g)}`;
  if (nth >= 0) { // several runs: each slope at the right end of its own line
    const short = slopeText(g);
    ctx.font = "600 12px system-ui, sans-serif";
    const w = ctx.measureText(short).width + 6;
    const [tx, ty] = [px + dx + 4, py + dy - 8];
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(tx, ty - 10, w, 15);
    ctx.fillStyle = "#111";
    ctx.fillText(short, tx + 3, ty + 1);
  }
  ctx.restore();
  const next = k + 1 < d.points.length ? [d.points[k + 1][0], d.losses[k + 1]] : null;
  return {
    run: entry.run.id, color: entry.color, step: k, x, fx, slope: g, text, pixel: [px, py],
    ends: [[px - dx, py - dy], [px + dx, py + dy]],
    arrow: next ? { from: [px, py], to: [xa.c2p(next[0]), ya.c2p(next[1])], step: [next[0] - x, next[1] - fx] } : null,
  };
}

// Each frame, after the trails (created first, in page.js) have drawn theirs.
store.on("frame", (step) => drawTangent(trails, step, document.getElementById("slope-label")));
