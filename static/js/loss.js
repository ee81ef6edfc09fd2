// The loss-vs-step plot: Plotly draws the axes once per race; the growing curves are drawn
// on a canvas over its plot area, so a frame costs a few hundred lineTo calls.
import { leaving } from "./diverge.js";
import { styleOf } from "./palette.js";
import { fitCanvas, plotArea } from "./pick.js";
import { fmt, state, store } from "./state.js";

const Plotly = () => window.Plotly;
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1f2933" };
const CONFIG = { displayModeBar: false, responsive: true, staticPlot: false };

/** How losses are shown: log of the loss, log of the gap to f*, or linear. */
export function lossScale(entries, fn) {
  let min = Infinity;
  for (const e of entries) if (e.data) for (const v of e.data.losses) if (Number.isFinite(v) && v < min) min = v;
  const globals = (fn.minima || []).filter((m) => m.global).map((m) => m.value);
  const fstar = globals.length ? Math.min(...globals) : null;
  if (!(min <= 0)) return { mode: "log", title: "loss (log scale)", map: (v) => v };
  if (fstar !== null && min >= fstar - 1e-9 * Math.max(1, Math.abs(fstar))) {
    const tiny = 1e-16 * Math.max(1, Math.abs(fstar));
    return {
      mode: "gap",
      title: `f − f* (log; f* = ${fmt(fstar, 4)})`,
      map: (v) => Math.max(v - fstar, tiny),
    };
  }
  return { mode: "linear", title: "loss (linear: goes < 0)", map: (v) => v };
}

export class LossCurve {
  constructor(gd, canvas) {
    this.gd = gd;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.entries = [];
    this.scale = null;
    this.maxStep = 1;
    this.px = new Map();
    this.drawnPoints = 0;
    store.on("frame", (step) => this.draw(step));
    store.on("race", () => this.clearRace());
    store.on("race-axes", (race, fn, steps, pending) => pending.push(this.setRace(race.entries, fn, steps)));
    store.on("plotly", () => this.init()); // Plotly.js is in: draw the empty axes
    store.on("loss-layout", () => this.sync()); // its graph was laid out again (landscape.js)
    // Present mode shows the legend: after every subscriber ran (the body's class is set).
    store.subscribe(["present"], () => queueMicrotask(() => this.sync()));
  }

  async init() {
    await this.layout({ mode: "log", title: "loss (log scale)" }, [0, 100], null);
  }

  async layout(scale, xrange, yrange) {
    const yaxis = {
      title: { text: scale.title, standoff: 6 }, type: scale.mode === "linear" ? "linear" : "log", automargin: true,
      exponentformat: "power", zeroline: false, gridcolor: "#e5e7eb", fixedrange: true,
    };
    if (yrange) Object.assign(yaxis, { range: yrange, autorange: false });
    if (this.dtick && yaxis.type === "log") yaxis.dtick = this.dtick;
    else yaxis.autorange = true;
    const layout = {
      margin: { l: 64, r: 12, t: this.top(), b: 36 }, font: FONT, showlegend: false,
      xaxis: { title: { text: "step", standoff: 2 }, range: xrange, zeroline: false, gridcolor: "#e5e7eb", fixedrange: true },
      yaxis, paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff", hovermode: false,
    };
    // One invisible point keeps the axes drawn; the curves live on the canvas.
    const trace = { type: "scatter", mode: "markers", x: [0], y: [scale.mode === "linear" ? 0 : 1], marker: { opacity: 0 }, hoverinfo: "skip" };
    await Plotly().react(this.gd, [trace], layout, CONFIG);
    if (yrange && this.gd.layout.yaxis.autorange) {
      // react() autoranges an axis whose type changed (log <-> linear): set the range again.
      await Plotly().relayout(this.gd, { "yaxis.range": yrange, "yaxis.autorange": false });
    }
    this.sync();
  }

  /** New race: choose the scale and axis ranges from all the data at once. */
  async setRace(entries, fn, xmax = null) {
    this.entries = entries.filter((e) => e.data);
    this.domain = fn.domain;
    this.scale = lossScale(this.entries, fn);
    this.maxStep = xmax || Math.max(1, ...this.entries.map((e) => e.data.losses.length - 1));
    const ys = [];
    const firsts = [];
    for (const e of this.entries) {
      const mapped = e.data.losses.map(this.scale.map);
      e.lossY = mapped;
      for (const v of mapped) if (Number.isFinite(v)) ys.push(v);
      if (Number.isFinite(mapped[0])) firsts.push(mapped[0]);
    }
    let yrange = null;
    this.dtick = undefined;
    if (ys.length) {
      const top = Math.max(...firsts, -Infinity);
      if (this.scale.mode === "linear") {
        const lo = Math.min(...ys);
        const hi = Math.max(...ys.filter((v) => v <= top + 10 * (Math.abs(top) + 1)));
        const pad = (hi - lo) * 0.05 || 1;
        yrange = [lo - pad, hi + pad];
      } else {
        const logs = ys.filter((v) => v > 0).map(Math.log10);
        const hi = Math.min(Math.max(...logs), Math.log10(top) + 3);
        const lo = Math.max(Math.min(...logs), hi - 24);
        yrange = [lo - 0.3, hi + 0.3];
        if (hi - lo < 3) this.dtick = "D2"; // label 2 and 5 too, not every digit
      }
    }
    this.px.clear();
    this.legend(this.entries);
    await this.layout(this.scale, [0, this.maxStep], yrange);
  }

  /** Which colour is which run (shown in present mode: app.css). */
  legend(entries) {
    const list = document.getElementById("loss-legend");
    if (!list) return;
    list.replaceChildren(...entries.map((e) => {
      const li = document.createElement("li");
      li.style.setProperty("--run-color", e.color);
      li.textContent = e.label;
      return li;
    }));
  }

  clearRace() {
    this.legend([]);
    this.entries = [];
    this.px.clear();
    this.drawnPoints = 0;
    if (this.area) this.ctx.clearRect(0, 0, this.area.width, this.area.height);
  }

  /** The plot's top margin: room for the legend's rows above the plot area when it is shown
   * (present mode), so it never covers a curve, however many rows it wraps to. */
  top() {
    const list = document.getElementById("loss-legend");
    const shown = state.present && list && list.childElementCount > 0;
    return 8 + (shown ? Math.ceil(list.getBoundingClientRect().height) + 4 : 0);
  }

  sync() {
    const margin = this.gd.layout && this.gd.layout.margin;
    if (margin && margin.t !== this.top() && window.Plotly) {
      // The legend came, went or rewrapped (a resize): lay out again; its afterplot syncs.
      Plotly().relayout(this.gd, { "margin.t": this.top() });
      return;
    }
    const area = plotArea(this.gd);
    this.area = area;
    this.px.clear();
    if (area) fitCanvas(this.canvas, this.ctx, area);
  }

  pixels(entry) {
    let p = this.px.get(entry);
    if (!p) {
      const { xa, ya } = this.area;
      const log = ya.type === "log";
      const ys = entry.lossY;
      const px = new Float32Array(ys.length);
      const py = new Float32Array(ys.length);
      for (let i = 0; i < ys.length; i++) {
        px[i] = xa.l2p(i);
        const v = log ? (ys[i] > 0 ? Math.log10(ys[i]) : NaN) : ys[i];
        // Clamp far-off values to just outside the plot so the line leaves it cleanly.
        py[i] = Number.isFinite(v) ? Math.max(-5, Math.min(this.area.height + 5, ya.l2p(v))) : NaN;
      }
      p = { px, py };
      this.px.set(entry, p);
    }
    return p;
  }

  draw(step) {
    if (!this.area) return;
    this.ctx.clearRect(0, 0, this.area.width, this.area.height);
    this.drawnPoints = this.paint(this.ctx, step);
  }

  /** Paint the curves up to `step` into `ctx` (plot-area CSS pixels): the page's overlay, or
   * a recorded frame (record-frame.js). Returns how many points it drew. */
  paint(ctx, step) {
    if (!this.area) return 0;
    const { height } = this.area;
    let drawn = 0;
    ctx.lineJoin = "round";
    for (const entry of this.entries) {
      const { px, py } = this.pixels(entry);
      const k = Math.min(step, px.length - 1);
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i <= k; i++) {
        if (Number.isNaN(py[i])) {
          pen = false;
          continue;
        }
        if (pen) ctx.lineTo(px[i], py[i]);
        else ctx.moveTo(px[i], py[i]);
        pen = true;
      }
      ctx.strokeStyle = entry.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(styleOf(entry.run ? entry.run.color : 0).dash); // the run's dashes, as on the map
      ctx.stroke();
      ctx.setLineDash([]);
      if (k >= 0 && !Number.isNaN(py[k])) {
        ctx.beginPath();
        ctx.arc(px[k], py[k], 3.5, 0, Math.PI * 2);
        ctx.fillStyle = entry.color;
        ctx.fill();
      }
      drawn += k + 1;
    }
    this.markers = this.divergences(ctx, step);
    if (this.entries.length) {
      const x = this.area.xa.l2p(Math.min(step, this.maxStep));
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, height);
      ctx.strokeStyle = "rgba(31,41,51,0.35)";
      ctx.lineWidth = 1;
      ctx.stroke();
    }
    return drawn;
  }

  /** "diverged at step k": a dashed line at k in the run's colour, labelled at the top. */
  divergences(ctx, step) {
    const marks = [];
    for (const entry of this.entries) {
      const out = leaving(entry, this.domain);
      if (!out || out.kind !== "diverged" || step < out.step) continue;
      const x = this.area.xa.l2p(Math.min(out.step, this.maxStep));
      const text = `✕ ${entry.index !== undefined ? `run ${entry.index + 1} ` : ""}diverged at step ${out.step}`;
      const y = 14 + 18 * marks.length;
      ctx.save();
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, this.area.height);
      ctx.strokeStyle = entry.color;
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = "600 12px system-ui, sans-serif";
      const w = ctx.measureText(text).width + 8;
      const left = x + 4 + w > this.area.width ? x - 4 - w : x + 4;
      ctx.fillStyle = "rgba(255,255,255,0.92)";
      ctx.fillRect(left, y - 11, w, 16);
      ctx.fillStyle = "#b00020";
      ctx.fillText(text, left + 4, y + 1);
      ctx.restore();
      marks.push({ run: entry.run ? entry.run.id : null, step: out.step, text });
    }
    return marks;
  }
}
