// The loss of each run by step on a canvas (log scale), the current step marked.
export class CurveView {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.runs = [];
    this.step = 0;
    new ResizeObserver(() => this.draw()).observe(canvas.parentElement);
  }

  setRuns(runs, step) {
    this.runs = runs; // [{color, losses}]
    this.step = step;
    this.draw();
  }

  draw() {
    const ctx = this.ctx;
    const width = Math.max(140, Math.min(320, Math.floor(this.canvas.parentElement.getBoundingClientRect().width - 2)));
    const height = 120;
    const dpr = window.devicePixelRatio || 1;
    Object.assign(this.canvas.style, { width: `${width}px`, height: `${height}px` });
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const all = this.runs.flatMap((r) => r.losses).filter((v) => Number.isFinite(v) && v > 0);
    if (!all.length) return;
    const lo = Math.log10(Math.min(...all));
    const hi = Math.log10(Math.max(...all)) + 1e-9;
    const steps = Math.max(...this.runs.map((r) => r.losses.length - 1), 1);
    const left = 36;
    const x = (k) => left + (k / steps) * (width - left - 6);
    const y = (v) => 6 + (1 - (Math.log10(v) - lo) / (hi - lo || 1)) * (height - 24);
    ctx.fillStyle = "#5f6b7a";
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "right";
    ctx.fillText(tick(10 ** hi), left - 3, 12);
    ctx.fillText(tick(10 ** lo), left - 3, height - 18);
    ctx.textAlign = "center";
    ctx.fillText(`step (of ${steps})`, (left + width) / 2, height - 4);
    for (const run of this.runs) {
      ctx.strokeStyle = run.color;
      ctx.lineWidth = 1.8;
      ctx.beginPath();
      const upto = Math.min(this.step, run.losses.length - 1);
      for (let k = 0; k <= upto; k++) if (run.losses[k] > 0) ctx[k ? "lineTo" : "moveTo"](x(k), y(run.losses[k]));
      ctx.stroke();
    }
    ctx.strokeStyle = "#9aa5b1";
    ctx.beginPath();
    ctx.moveTo(x(this.step), 4);
    ctx.lineTo(x(this.step), height - 16);
    ctx.stroke();
  }
}

const tick = (v) => (v >= 0.01 && v < 1000 ? v.toPrecision(2) : v.toExponential(0));
