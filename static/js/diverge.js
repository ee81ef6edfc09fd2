// Where a run leaves the map, and whether that is divergence: one reading of a run's points
// for the three places that show it (the ✕ at the map's edge in trails.js, the "diverged at
// step k" marker in loss.js, the red race card in inspector.js). The same rule as the
// stories' "diverges" (tests/engine/test_stories.py): the engine stopped it (not finite),
// or it ended off the map with its loss above where it started (a saddle's run leaves
// downhill: that is an escape, not a divergence).

const cache = new WeakMap(); // entry.data -> result

function outside(point, domain) {
  return point.some((v, i) => i < domain.length && !(v >= domain[i][0] && v <= domain[i][1]));
}

/**
 * {step, kind: "diverged" | "escaped", from, to} for a run that leaves `domain` (the plotted
 * box) or stops as not finite; null for one that stays. `step` is the first step off the map
 * (or the step the engine refused), `from` the last point on it and `to` the first one off
 * (null when the engine gave none: the direction is then the last step's).
 */
export function leaving(entry, domain) {
  const d = entry && entry.data;
  if (!d || !domain || !d.points.length) return null;
  if (cache.has(d)) return cache.get(d);
  const points = d.points;
  // Only a run that ends off the map left it (as the stories judge a run: by its end); one that
  // went out and came back is told by where it ended. `step`: the start of its last time out.
  let step = -1;
  if (outside(points[points.length - 1], domain)) {
    step = points.length - 1;
    while (step > 0 && outside(points[step - 1], domain)) step--;
  }
  let to = step > 0 ? points[step] : null;
  if (step === 0) step = -1; // started off the map: nothing left it
  if (step < 0 && d.status === "diverged") {
    step = points.length; // the next point was not finite: the engine dropped it
    const n = points.length;
    const last = points[n - 1];
    const before = points[Math.max(0, n - 2)];
    to = last.map((v, i) => v + (v - before[i]) * 1e3); // onward along the last step
  }
  let result = null;
  if (step > 0) {
    const losses = d.losses;
    const rising = d.status === "diverged" || losses[losses.length - 1] > losses[0]; // test_stories.py
    result = { step, kind: rising ? "diverged" : "escaped", from: points[step - 1], to };
  }
  cache.set(d, result);
  return result;
}

/** The point where the segment from → to crosses the box [0, w] × [0, h] (pixels). */
export function edgePoint(x0, y0, x1, y1, w, h) {
  let t = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  if (dx > 0) t = Math.min(t, (w - x0) / dx);
  if (dx < 0) t = Math.min(t, -x0 / dx);
  if (dy > 0) t = Math.min(t, (h - y0) / dy);
  if (dy < 0) t = Math.min(t, -y0 / dy);
  t = Math.max(0, t);
  return [x0 + dx * t, y0 + dy * t];
}

/** Draw an ✕ where each run that left the map crossed its edge, with an arrow pointing the
 * way it went (from step `out.step` on). Returns what it drew, for tests. */
export function drawExits(ctx, runs, step, area, domain) {
  const drawn = [];
  for (const { entry, px, py } of runs) {
    const out = leaving(entry, domain);
    if (!out || step < out.step) continue;
    const i = out.step - 1;
    let bx = px[out.step];
    let by = py[out.step];
    if (out.step >= px.length) { // no point past the edge: onward along the last step
      const j = Math.max(0, i - 1);
      [bx, by] = [px[i] + (px[i] - px[j]) * 1e3, py[i] + (py[i] - py[j]) * 1e3];
    }
    const dx = bx - px[i];
    const dy = by - py[i];
    const n = Math.hypot(dx, dy);
    if (!(n > 0) || !Number.isFinite(n)) continue;
    const [ux, uy] = [dx / n, dy / n];
    let [x, y] = edgePoint(px[i], py[i], bx, by, area.width, area.height);
    [x, y] = [x - ux * 10, y - uy * 10]; // just inside the edge, so the whole mark shows
    cross(ctx, x, y, entry.color);
    pointer(ctx, x + ux * 9, y + uy * 9, ux, uy, entry.color);
    drawn.push({ run: entry.run.id, kind: out.kind, step: out.step, at: [x, y], direction: [ux, uy] });
  }
  return drawn;
}

function cross(ctx, x, y, color) {
  const r = 7;
  ctx.save();
  ctx.lineCap = "round";
  for (const [width, style] of [[6, "#ffffff"], [3.5, color]]) {
    ctx.beginPath();
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r);
    ctx.lineTo(x - r, y + r);
    ctx.lineWidth = width;
    ctx.strokeStyle = style;
    ctx.stroke();
  }
  ctx.restore();
}

function pointer(ctx, x, y, ux, uy, color) {
  const head = 8;
  ctx.save();
  ctx.beginPath();
  ctx.moveTo(x + ux * head, y + uy * head);
  ctx.lineTo(x - uy * head * 0.6, y + ux * head * 0.6);
  ctx.lineTo(x + uy * head * 0.6, y - ux * head * 0.6);
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.strokeStyle = "#ffffff";
  ctx.lineWidth = 1.5;
  ctx.fill();
  ctx.stroke();
  ctx.restore();
}
