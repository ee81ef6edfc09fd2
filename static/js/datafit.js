// The data chart (#data-fit): the points as a small Plotly scatter, and each run's model at the
// current step (a line ŷ = w·x or m·x + b, or the sigmoid curve) drawn on a canvas over it, so
// a frame costs a few canvas calls. Points can be added (click on empty space), dragged, and
// deleted (shift-click, right-click, or select + Delete); every change is handed to onEdit.
import { dataRange, predict, roundTo } from "./datamodel.js";
import { fitCanvas, plotArea } from "./pick.js";

const Plotly = () => window.Plotly;
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 11, color: "#1f2933" };
const CONFIG = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };
const HIT_PX = 9;

export class DataFit {
  constructor(div, canvas, onEdit) {
    this.div = div;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.onEdit = onEdit;
    this.model = "linear";
    this.data = { x: [], y: [] };
    this.entries = [];
    this.area = null;
    this.selected = null;
    this.drag = null;
    this.drawn = { models: [] };
    this.bind();
  }

  /** New points (or a new model): redraw the scatter and its axes. */
  async show(model, data, keepSelection = false) {
    this.model = model;
    this.data = { x: data.x.slice(), y: data.y.slice() };
    if (!keepSelection || this.selected >= data.x.length) this.selected = null;
    while (!window.Plotly) await new Promise((resolve) => setTimeout(resolve, 50));
    const xr = dataRange(this.data.x);
    const yr = model === "logistic" ? [-0.15, 1.15] : dataRange(this.data.y, 0.12);
    const axis = (title, r) => ({ title: { text: title, standoff: 2 }, range: r, fixedrange: true, zeroline: true, zerolinecolor: "#c9ced6", gridcolor: "#eef0f3" });
    const layout = {
      margin: { l: 38, r: 8, t: 6, b: 30 }, font: FONT, dragmode: false, showlegend: false, hovermode: "closest",
      xaxis: axis("x", xr), yaxis: axis("y", yr), paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
    };
    await Plotly().react(this.div, [this.trace()], layout, CONFIG);
    this.sync();
  }

  trace() {
    return {
      type: "scatter", mode: "markers", x: this.data.x, y: this.data.y, name: "data",
      marker: { size: 8, color: "#1f2933", line: { color: "#ffffff", width: 1 } },
      hovertemplate: "x = %{x:.4g}<br>y = %{y:.4g}<extra></extra>",
    };
  }

  /** Match the overlay to the plot area (after every Plotly layout). */
  sync() {
    this.area = plotArea(this.div);
    if (this.area) fitCanvas(this.canvas, this.ctx, this.area);
  }

  /** Each run's model at `step` (entries: race entries with data). */
  draw(entries, step) {
    this.entries = entries;
    this.step = step;
    if (!this.area) return;
    const { width, height, xa, ya } = this.area;
    const ctx = this.ctx;
    ctx.clearRect(0, 0, width, height);
    const models = [];
    const [x0, x1] = xa.range;
    const n = this.model === "logistic" ? 80 : 1;
    const clamp = (v) => Math.max(-1e4, Math.min(1e4, v));
    entries.forEach((entry, j) => {
      const pts = entry.data.points;
      const p = pts[Math.min(step, pts.length - 1)];
      if (!p.every(Number.isFinite)) return;
      models.push({ run: entry.run.id, color: entry.color, params: p.slice() });
      if (j === 0 && this.model !== "logistic" && this.data.x.length <= 60) this.residuals(p);
      ctx.beginPath();
      for (let i = 0; i <= n; i++) {
        const x = x0 + ((x1 - x0) * i) / n;
        const px = xa.c2p(x);
        const py = clamp(ya.c2p(predict(this.model, p, x)));
        if (i) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
      }
      ctx.lineJoin = "round";
      ctx.strokeStyle = "rgba(0,0,0,0.55)";
      ctx.lineWidth = 4;
      ctx.stroke();
      ctx.strokeStyle = entry.color;
      ctx.lineWidth = 2.2;
      ctx.stroke();
    });
    if (this.selected !== null && this.selected < this.data.x.length) {
      ctx.beginPath();
      ctx.arc(xa.c2p(this.data.x[this.selected]), ya.c2p(this.data.y[this.selected]), 8, 0, Math.PI * 2);
      ctx.strokeStyle = "#b00020";
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    this.drawn = { step, models };
  }

  /** Dashed residuals from each point to the lead run's line (the errors MSE squares). */
  residuals(p) {
    const { xa, ya } = this.area;
    const ctx = this.ctx;
    ctx.beginPath();
    this.data.x.forEach((x, i) => {
      const px = xa.c2p(x);
      ctx.moveTo(px, ya.c2p(this.data.y[i]));
      ctx.lineTo(px, Math.max(-1e4, Math.min(1e4, ya.c2p(predict(this.model, p, x)))));
    });
    ctx.setLineDash([3, 3]);
    ctx.strokeStyle = "rgba(95,107,122,0.8)";
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.setLineDash([]);
  }

  // --- editing ------------------------------------------------------------------------------
  local(event) {
    const box = this.div.getBoundingClientRect();
    return [event.clientX - box.left - this.area.left, event.clientY - box.top - this.area.top];
  }

  hit(px, py) {
    const { xa, ya } = this.area;
    let best = null;
    let bestD = HIT_PX;
    this.data.x.forEach((x, i) => {
      const d = Math.hypot(xa.c2p(x) - px, ya.c2p(this.data.y[i]) - py);
      if (d <= bestD) [best, bestD] = [i, d];
    });
    return best;
  }

  toData(px, py) {
    const { xa, ya, width, height } = this.area;
    const x = roundTo(xa.p2c(Math.max(0, Math.min(width, px))), xa.range[1] - xa.range[0]);
    let y = roundTo(ya.p2c(Math.max(0, Math.min(height, py))), ya.range[1] - ya.range[0]);
    if (this.model === "logistic") y = y >= 0.5 ? 1 : 0; // a class
    return [x, y];
  }

  bind() {
    const div = this.div;
    div.addEventListener("contextmenu", (e) => e.preventDefault());
    div.addEventListener("pointerdown", (e) => this.down(e), true);
    div.addEventListener("pointermove", (e) => this.move(e), true);
    div.addEventListener("pointerup", (e) => this.up(e), true);
    div.addEventListener("keydown", (e) => {
      if ((e.key === "Delete" || e.key === "Backspace") && this.selected !== null) {
        e.preventDefault();
        this.remove(this.selected);
      } else if (e.key === "Escape") {
        this.selected = null;
        this.redraw();
      }
    });
  }

  down(event) {
    if (!this.area || this.div.classList.contains("locked")) return;
    const [px, py] = this.local(event);
    if (px < 0 || py < 0 || px > this.area.width || py > this.area.height) return;
    event.preventDefault(); // no compatibility mouse events: Plotly stays out of it
    this.div.focus({ preventScroll: true });
    const i = this.hit(px, py);
    if (i !== null && (event.button === 2 || event.shiftKey)) {
      this.remove(i);
      return;
    }
    if (event.button !== 0) return;
    this.drag = { index: i, moved: false, x0: px, y0: py };
    this.div.setPointerCapture(event.pointerId);
    if (i !== null) {
      this.selected = i;
      this.redraw();
    }
  }

  move(event) {
    const drag = this.drag;
    if (!this.area) return;
    const [px, py] = this.local(event);
    if (!drag) {
      this.div.classList.toggle("over-point", this.hit(px, py) !== null);
      return;
    }
    if (drag.index === null || (!drag.moved && Math.hypot(px - drag.x0, py - drag.y0) < 3)) return;
    drag.moved = true;
    [this.data.x[drag.index], this.data.y[drag.index]] = this.toData(px, py);
    if (!drag.queued) {
      drag.queued = true;
      requestAnimationFrame(() => {
        drag.queued = false;
        Plotly().restyle(this.div, { x: [this.data.x], y: [this.data.y] }, [0]);
        this.redraw();
      });
    }
  }

  up(event) {
    const drag = this.drag;
    this.drag = null;
    if (!drag || !this.area) return;
    if (drag.index === null) {
      const [x, y] = this.toData(...this.local(event));
      this.data.x.push(x);
      this.data.y.push(y);
      this.selected = this.data.x.length - 1;
      this.commit();
    } else if (drag.moved) {
      this.commit();
    }
  }

  remove(i) {
    if (this.data.x.length <= 1) return; // the API needs at least one point
    this.data.x.splice(i, 1);
    this.data.y.splice(i, 1);
    this.selected = null;
    this.commit();
  }

  redraw() {
    this.draw(this.entries, this.step || 0);
  }

  commit() {
    Plotly().restyle(this.div, { x: [this.data.x], y: [this.data.y] }, [0]);
    this.redraw();
    this.onEdit({ x: this.data.x.slice(), y: this.data.y.slice() });
  }
}
