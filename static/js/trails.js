// Balls, trails and arrows. In 2-D they are drawn on a transparent <canvas> laid over
// Plotly's plot area (axis c2p conversions), so a frame never touches the contour. In 3-D
// they are scatter3d traces restyled at most ~20 times a second.
import { drawExits } from "./diverge.js";
import { ball, look, tag, trail } from "./palette.js";
import { fitCanvas, plotArea } from "./pick.js";
import { state, store } from "./state.js";

const Plotly = () => window.Plotly;

/** Other modules' layers painted over the trails: layer(ctx, step, race, area). */
export const paintHooks = [];

export class Trails {
  constructor(gd, canvas) {
    this.gd = gd;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.race = null;
    this.area = null;
    this.cache = new Map(); // entry -> {px, py} pixel coordinates for the current layout
    this.last3d = 0;
    this.interval3d = 50;
    this.surface = null;
    this.step = 0; // the step last drawn (the 3-D view is redrawn at it)
    store.on("frame", (step, playing, force) => this.draw((this.step = step), force || !playing));
    store.on("race", (race, surface) => this.setRace(race, surface));
    store.on("race-data", (race, surface) => this.setRace(race, surface));
    store.on("surface", (surface) => (this.surface = surface));
    store.on("layout", () => this.sync()); // the landscape was laid out again (landscape.js)
    store.on("traces-3d", () => this.traces3d(this.step)); // asked for by a 3-D redraw
  }

  /** Match the canvas to Plotly's plot area; call after every (re)layout. */
  sync() {
    const area = plotArea(this.gd);
    this.area = area;
    this.cache.clear();
    const c = this.canvas;
    if (!area) {
      c.hidden = true;
      return;
    }
    c.hidden = false;
    fitCanvas(c, this.ctx, area);
  }

  setRace(race, surface) {
    this.race = race;
    this.surface = surface;
    this.cache.clear();
  }

  pixels(entry) {
    let p = this.cache.get(entry);
    if (!p) {
      const pts = entry.data.points;
      const { xa, ya } = this.area;
      // 1-D functions are drawn as a curve: the ball sits at (x, f(x)).
      const ys = this.surface && this.surface.dims === 1 ? entry.data.losses : null;
      const px = new Float32Array(pts.length);
      const py = new Float32Array(pts.length);
      for (let i = 0; i < pts.length; i++) {
        // Clamped: a diverging run's coordinates can reach 1e300.
        px[i] = Math.max(-1e5, Math.min(1e5, xa.c2p(pts[i][0])));
        py[i] = Math.max(-1e5, Math.min(1e5, ya.c2p(ys ? ys[i] : pts[i][1])));
      }
      p = { px, py };
      this.cache.set(entry, p);
    }
    return p;
  }

  /** Draw every run at `step` (2-D canvas, or throttled 3-D traces). */
  draw(step, force = false) {
    if (this.gd._is3d) return this.draw3d(step, force);
    if (!this.area) this.sync();
    if (!this.area) return;
    this.ctx.clearRect(0, 0, this.area.width, this.area.height);
    this.paint(this.ctx, step);
  }

  /** Paint the race at `step` into `ctx` (in plot-area CSS pixels): the page's overlay, or
   * a saved image's canvas (snapshot.js), so both show the same layers. */
  paint(ctx, step) {
    if (!this.area) return;
    const { xa, ya } = this.area;
    const race = this.race;
    if (!race || !race.start) return;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    // Every trail first, then every arrow, so no trail hides another run's arrows.
    const runs = race.entries.filter((e) => e.data).map((entry) => ({ entry, ...this.pixels(entry) }));
    const wide = state.present ? 2 : 1;
    for (const { entry, px, py } of runs) trail(ctx, px, py, Math.min(step, px.length - 1), look(entry), wide);
    for (const { entry, px, py } of runs) arrows(ctx, entry, px, py, Math.min(step, px.length - 1), xa, ya);
    for (const layer of paintHooks) layer(ctx, step, race, this.area); // probes.js: L-BFGS's probes
    const [sx, sy] = this.startPixel();
    startMarker(ctx, sx, sy);
    const labels = [];
    for (const entry of race.entries) {
      if (!entry.data) {
        if (!entry.error) ball(ctx, sx, sy, look(entry));
        continue;
      }
      const { px, py } = this.pixels(entry);
      const k = Math.min(step, px.length - 1);
      ball(ctx, px[k], py[k], look(entry), entry.data.status === "diverged" && k === px.length - 1);
      labels.push([px[k], py[k], entry]);
    }
    // Direct labels: each run's name beside its ball, unless it would cover one already drawn.
    const taken = [];
    for (const [x, y, entry] of labels) tag(ctx, x, y, entry.label, entry.color, taken, state.present);
    this.exits = drawExits(ctx, runs, step, this.area, race.domain); // ✕ where a run left the map
  }

  /** The start in pixels; for a 1-D function at the height of the curve there. */
  startPixel() {
    const { xa, ya } = this.area;
    const [x, y] = this.race.start;
    const s = this.surface;
    if (!s || s.dims !== 1) return [xa.c2p(x), ya.c2p(y)];
    const t = ((x - s.x[0]) / (s.x[s.x.length - 1] - s.x[0])) * (s.x.length - 1);
    const i = Math.max(0, Math.min(s.x.length - 1, Math.round(t)));
    return [xa.c2p(x), ya.c2p(s.z[i])];
  }

  /** scatter3d traces (trail + ball per run) for the 3-D view at `step`. */
  traces3d(step) {
    const out = [];
    const race = this.race;
    const s = this.surface;
    if (!race || !s || s.dims !== 2) return out;
    const lift = 0.01 * (s.transform(s.zMax) - s.transform(s.zMin));
    for (const entry of race.entries) {
      const pts = entry.data ? entry.data.points : race.start ? [race.start] : [];
      const losses = entry.data ? entry.data.losses : [];
      const k = Math.min(step, pts.length - 1);
      const xs = [], ys = [], zs = [];
      for (let i = 0; i <= k; i++) {
        xs.push(pts[i][0]);
        ys.push(pts[i][1]);
        zs.push(losses.length ? s.transform(losses[i]) + lift : null);
      }
      const { dash3d, marker3d } = look(entry);
      const line = { color: entry.color, width: 6, dash: dash3d };
      out.push({ type: "scatter3d", mode: "lines", x: xs, y: ys, z: zs, line, hoverinfo: "skip", name: entry.label });
      const last = Math.max(k, 0);
      out.push({
        type: "scatter3d", mode: "markers+text", x: [xs[last]], y: [ys[last]], z: [zs[last]],
        text: [entry.label], textposition: "top center", textfont: { color: "#111", size: state.present ? 15 : 11 },
        marker: { size: 6, color: entry.color, symbol: marker3d, line: { color: "#000", width: 1 } },
        name: entry.label, hovertemplate: `${entry.label}<extra></extra>`,
      });
    }
    return out;
  }

  draw3d(step, force) {
    const now = performance.now();
    if (!force && now - this.last3d < this.interval3d) return;
    this.last3d = now;
    this.update3d(step);
    // Software WebGL can take 100s of ms a frame: keep the page responsive by spacing updates.
    this.interval3d = Math.min(1000, Math.max(50, 3 * (performance.now() - now)));
  }

  update3d(step) {
    const traces = this.traces3d(step);
    const n = this.gd.data ? this.gd.data.length - 1 : 0;
    if (n !== traces.length) {
      if (n > 0) Plotly().deleteTraces(this.gd, Array.from({ length: n }, (_, i) => i + 1));
      if (traces.length) Plotly().addTraces(this.gd, traces);
      return;
    }
    if (!traces.length) return;
    const update = { x: traces.map((t) => t.x), y: traces.map((t) => t.y), z: traces.map((t) => t.z) };
    Plotly().restyle(this.gd, update, traces.map((_, i) => i + 1));
  }
}

function startMarker(ctx, x, y) {
  ctx.beginPath();
  ctx.arc(x, y, 10, 0, Math.PI * 2);
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#ffffff";
  ctx.setLineDash([3, 3]);
  ctx.stroke();
  ctx.setLineDash([]);
}

function arrow(ctx, x0, y0, x1, y1, color, dashed) {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len = Math.hypot(dx, dy);
  if (!(len > 3) || !Number.isFinite(len)) return;
  const ux = dx / len;
  const uy = dy / len;
  const head = Math.min(9, len * 0.5);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1 - ux * head * 0.6, y1 - uy * head * 0.6);
  ctx.setLineDash(dashed ? [4, 3] : []);
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - ux * head - uy * head * 0.5, y1 - uy * head + ux * head * 0.5);
  ctx.lineTo(x1 - ux * head + uy * head * 0.5, y1 - uy * head - ux * head * 0.5);
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.fill();
}

function arrows(ctx, entry, px, py, k, xa, ya) {
  const { gradients } = entry.data;
  const x = px[k];
  const y = py[k];
  if (gradients && gradients[k]) {
    // −∇f drawn as a direction of fixed length, converted to pixels (axes may differ).
    const [gx, gy = 0] = gradients[k]; // 1-D: the gradient is horizontal
    const sx = xa.c2p(1) - xa.c2p(0);
    const sy = ya.c2p(1) - ya.c2p(0);
    const vx = -gx * sx;
    const vy = -gy * sy;
    const n = Math.hypot(vx, vy);
    if (n > 0 && Number.isFinite(n)) arrow(ctx, x, y, x + (vx / n) * 38, y + (vy / n) * 38, "#ffffff", true);
  }
  if (k + 1 < px.length) {
    // The step to scale, but never shorter than 14 px so its direction stays visible.
    let dx = px[k + 1] - x;
    let dy = py[k + 1] - y;
    const len = Math.hypot(dx, dy);
    if (len > 0 && len < 14) {
      dx *= 14 / len;
      dy *= 14 / len;
    }
    arrow(ctx, x, y, x + dx, y + dy, entry.color, false);
  }
}
