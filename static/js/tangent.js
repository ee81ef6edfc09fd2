// 1-D lessons: the tangent line at the ball with its slope f'(x) printed, and the step taken
// (drawn by trails.js as an arrow). Drawn on the landscape's canvas overlay after the trails,
// so a frame costs a few canvas calls. `drawn` says what was drawn last (tests, debugging).
import { fmt } from "./state.js";

export const drawn = { tangent: null };

const HALF_LENGTH = 80; // pixels either side of the ball

/** The run whose tangent is drawn: the first whose ball is on the plot at step k. */
function lead(race, step, area) {
  const { xa, ya, width, height } = area;
  for (const entry of race ? race.entries : []) {
    const d = entry.data;
    if (!d || !d.gradients || !d.points.length) continue;
    const k = Math.min(step, d.points.length - 1);
    const px = xa.c2p(d.points[k][0]);
    const py = ya.c2p(d.losses[k]);
    const g = d.gradients[k] ? d.gradients[k][0] : NaN;
    if (Number.isFinite(g) && px >= -10 && px <= width + 10 && py >= -10 && py <= height + 10) return { entry, k, px, py, g };
  }
  return null;
}

/** "−8.00": two decimals for classroom numbers, fmt's exponent form for huge or tiny ones. */
export function slopeText(value) {
  if (!Number.isFinite(value)) return fmt(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-2)) return fmt(value, 3);
  return value.toFixed(2).replace("-", "−");
}

/** Draw the tangent at `step` of the lead run on `trails`' overlay (1-D only). */
export function drawTangent(trails, step, label) {
  drawn.tangent = null;
  const s = trails.surface;
  const race = trails.race;
  if (label) label.hidden = true;
  if (!s || s.dims !== 1 || !trails.area || trails.gd._is3d) return;
  const found = lead(race, step, trails.area);
  if (!found) return;
  const { entry, k, px, py, g } = found;
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
  ctx.lineWidth = 4;
  ctx.strokeStyle = "rgba(255,255,255,0.85)";
  ctx.stroke();
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#b00020";
  ctx.stroke();
  ctx.restore();
  const names = race.names || { f: "f", axes: ["x"] };
  const text = `slope ${names.f}′(${names.axes[0]}) = ${slopeText(g)}`;
  const next = k + 1 < d.points.length ? [d.points[k + 1][0], d.losses[k + 1]] : null;
  drawn.tangent = {
    run: entry.run.id, step: k, x, fx, slope: g, text, pixel: [px, py],
    ends: [[px - dx, py - dy], [px + dx, py + dy]],
    arrow: next ? { from: [px, py], to: [xa.c2p(next[0]), ya.c2p(next[1])], step: [next[0] - x, next[1] - fx] } : null,
  };
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
