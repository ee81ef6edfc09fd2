// The slice of a network's loss drawn on a canvas: filled contours of log(loss) on the plane
// (α along x, β along y, θ_c at the middle), each run's projected path and ball, and the
// click that picks the plane's point (α, β) a race starts from.
import { decodeTypedArray } from "./api.js";
import { COLORSCALE } from "./plot.js";

const MARGIN = { left: 40, right: 10, top: 8, bottom: 30 };
const BANDS = 16; // colour steps: the bands read as filled contours
const RGB = COLORSCALE.map(([t, hex]) => [t, [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))]);

function colour(t) {
  const u = Math.min(1, Math.max(0, Math.floor(t * BANDS) / (BANDS - 1)));
  for (let i = 1; i < RGB.length; i++) {
    if (u <= RGB[i][0]) {
      const [t0, c0] = RGB[i - 1];
      const [t1, c1] = RGB[i];
      const w = (u - t0) / (t1 - t0);
      return c0.map((c, k) => c + w * (c1[k] - c));
    }
  }
  return RGB[RGB.length - 1][1];
}

export class SliceView {
  constructor(canvas, onPick) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.slice = null;
    this.image = null;
    this.runs = [];
    canvas.addEventListener("click", (event) => {
      const at = this.toPlane(event.offsetX, event.offsetY);
      if (at) onPick(at.alpha, at.beta);
    });
    canvas.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") (event.preventDefault(), onPick(0, 0));
    });
    new ResizeObserver(() => this.resize()).observe(canvas.parentElement);
  }

  resize() {
    const box = this.canvas.parentElement.getBoundingClientRect();
    const side = Math.max(160, Math.floor(Math.min(box.width, box.height || box.width)));
    const dpr = window.devicePixelRatio || 1;
    this.size = side;
    Object.assign(this.canvas.style, { width: `${side}px`, height: `${side}px` });
    this.canvas.width = this.canvas.height = Math.round(side * dpr);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.image = null;
    this.draw();
  }

  get area() {
    const s = this.size || 300;
    return { left: MARGIN.left, top: MARGIN.top, width: s - MARGIN.left - MARGIN.right, height: s - MARGIN.top - MARGIN.bottom };
  }

  /** The slice from POST /api/v1/slices (base64 z). */
  setSlice(slice) {
    const { data, shape } = decodeTypedArray(slice.z);
    this.slice = { ...slice, values: data, ny: shape[0], nx: shape[1] };
    this.image = null;
    this.draw();
  }

  setRuns(runs) {
    this.runs = runs; // [{color, label, path: [{alpha, beta}], upto}]
    this.draw();
  }

  toPlane(px, py) {
    const a = this.area;
    if (!this.slice || px < a.left || py < a.top || px > a.left + a.width || py > a.top + a.height) return null;
    const { x, y } = this.slice;
    return { alpha: x[0] + ((px - a.left) / a.width) * (x[x.length - 1] - x[0]), beta: y[y.length - 1] - ((py - a.top) / a.height) * (y[y.length - 1] - y[0]) };
  }

  toPixel(alpha, beta) {
    const a = this.area;
    const { x, y } = this.slice;
    return [a.left + ((alpha - x[0]) / (x[x.length - 1] - x[0])) * a.width, a.top + ((y[y.length - 1] - beta) / (y[y.length - 1] - y[0])) * a.height];
  }

  /** The contours at the canvas' resolution: z interpolated bilinearly, log-scaled, banded. */
  paint() {
    const { values, nx, ny, z_min: lo, z_max: hi } = this.slice;
    const a = this.area;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(a.width * dpr));
    const h = Math.max(1, Math.round(a.height * dpr));
    const eps = Math.max((hi - lo) * 1e-4, 1e-12);
    const l0 = Math.log(eps);
    const span = Math.log(hi - lo + eps) - l0 || 1;
    const image = new ImageData(w, h);
    for (let py = 0; py < h; py++) {
      const fy = (1 - py / (h - 1 || 1)) * (ny - 1);
      const j = Math.min(ny - 2, Math.floor(fy));
      const v = fy - j;
      for (let px = 0; px < w; px++) {
        const fx = (px / (w - 1 || 1)) * (nx - 1);
        const i = Math.min(nx - 2, Math.floor(fx));
        const u = fx - i;
        const z = (1 - v) * ((1 - u) * values[j * nx + i] + u * values[j * nx + i + 1]) + v * ((1 - u) * values[(j + 1) * nx + i] + u * values[(j + 1) * nx + i + 1]);
        const [r, g, b] = Number.isFinite(z) ? colour((Math.log(z - lo + eps) - l0) / span) : [200, 200, 200];
        const k = 4 * (py * w + px);
        image.data[k] = r;
        image.data[k + 1] = g;
        image.data[k + 2] = b;
        image.data[k + 3] = 255;
      }
    }
    const off = document.createElement("canvas");
    off.width = w;
    off.height = h;
    off.getContext("2d").putImageData(image, 0, 0);
    return off;
  }

  draw() {
    const ctx = this.ctx;
    const s = this.size || 300;
    ctx.clearRect(0, 0, s, s);
    if (!this.slice) return;
    const a = this.area;
    this.image ||= this.paint();
    ctx.drawImage(this.image, a.left, a.top, a.width, a.height);
    this.axes(ctx, a);
    const [cx, cy] = this.toPixel(0, 0);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(cx - 6, cy);
    ctx.lineTo(cx + 6, cy);
    ctx.moveTo(cx, cy - 6);
    ctx.lineTo(cx, cy + 6);
    ctx.stroke();
    ctx.save();
    ctx.beginPath();
    ctx.rect(a.left, a.top, a.width, a.height);
    ctx.clip();
    for (const run of this.runs) this.path(ctx, run);
    ctx.restore();
  }

  path(ctx, run) {
    const shown = run.path.slice(0, run.upto + 1);
    if (!shown.length) return;
    ctx.strokeStyle = run.color;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    shown.forEach((p, i) => ctx[i ? "lineTo" : "moveTo"](...this.toPixel(p.alpha, p.beta)));
    ctx.stroke();
    const [x0, y0] = this.toPixel(shown[0].alpha, shown[0].beta);
    ctx.fillStyle = "#fff";
    ctx.fillRect(x0 - 4, y0 - 4, 8, 8);
    const last = shown[shown.length - 1];
    const [x, y] = this.toPixel(last.alpha, last.beta);
    ctx.fillStyle = run.color;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(x, y, 6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }

  axes(ctx, a) {
    const { x, y } = this.slice;
    ctx.fillStyle = "#5f6b7a";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    for (const t of [x[0], 0, x[x.length - 1]]) ctx.fillText(fmtTick(t), this.toPixel(t, 0)[0], a.top + a.height + 12);
    ctx.fillText("α (along d₁)", a.left + a.width / 2, a.top + a.height + 25);
    ctx.textAlign = "right";
    for (const t of [y[0], 0, y[y.length - 1]]) ctx.fillText(fmtTick(t), a.left - 4, this.toPixel(0, t)[1] + 4);
    ctx.save();
    ctx.translate(11, a.top + a.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("β (along d₂)", 0, 0);
    ctx.restore();
  }
}

const fmtTick = (t) => String(Math.round(t * 100) / 100);
