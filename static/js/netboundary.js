// What the network does with its data: for two features, the decision boundary (P(class 1)
// shaded over the plane of the data, the 0.5 line where the shade turns) with the data on
// top; for the digits, held-out images with the network's answer under each.
import { predict, probability } from "./netmodel.js";

const GRID = 48; // cells per side of the shading
const CLASS = ["#d55e00", "#0072b2"];
const SHADE = [[250, 222, 200], [204, 226, 245]]; // the two classes' regions, lighter

function fitSquare(canvas, ctx) {
  const side = Math.max(140, Math.floor(canvas.parentElement.getBoundingClientRect().width - 2));
  const width = Math.min(side, 320);
  const dpr = window.devicePixelRatio || 1;
  Object.assign(canvas.style, { width: `${width}px`, height: `${width}px` });
  canvas.width = canvas.height = Math.round(width * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return width;
}

export class BoundaryView {
  constructor(canvas, digits) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.digits = digits;
    this.data = null;
    this.net = null;
    this.theta = null;
    new ResizeObserver(() => this.draw()).observe(canvas.parentElement);
  }

  /** The data set (GET /api/v1/networks/datasets/…) and the network it is learnt by. */
  setData(data, net) {
    this.data = data;
    this.net = net;
    const pad = (v) => [Math.min(...v) - 0.5, Math.max(...v) + 0.5];
    this.box = data.features === 2 ? [pad(data.x.map((p) => p[0])), pad(data.x.map((p) => p[1]))] : null;
    this.canvas.hidden = data.features !== 2;
    this.digits.hidden = data.features === 2;
    if (data.features !== 2) this.buildDigits();
  }

  show(theta) {
    this.theta = theta;
    this.draw();
  }

  draw() {
    if (!this.data || !this.theta) return;
    if (this.data.features === 2) this.drawBoundary();
    else this.drawDigits();
  }

  drawBoundary() {
    const ctx = this.ctx;
    const side = fitSquare(this.canvas, ctx);
    const [[x0, x1], [y0, y1]] = this.box;
    const n = GRID + 1; // P(class 1) at the grid's vertices, row 0 at the top
    const p = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) p[j * n + i] = probability(this.net, this.theta, [x0 + (i / GRID) * (x1 - x0), y1 - (j / GRID) * (y1 - y0)]);
    }
    const image = new ImageData(n, n);
    p.forEach((v, k) => image.data.set([...SHADE[0].map((c, m) => c + v * (SHADE[1][m] - c)), 255], 4 * k));
    const off = document.createElement("canvas");
    off.width = off.height = n;
    off.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, side, side);
    this.contour(ctx, p, n, side / GRID);
    this.data.x.forEach(([x, y], k) => {
      ctx.fillStyle = CLASS[this.data.y[k] > 0.5 ? 1 : 0];
      ctx.beginPath();
      ctx.arc(((x - x0) / (x1 - x0)) * side, ((y1 - y) / (y1 - y0)) * side, 2.6, 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  /** The P = 0.5 line (marching squares, edges interpolated linearly). */
  contour(ctx, p, n, cell) {
    ctx.strokeStyle = "#1f2933";
    ctx.lineWidth = 2;
    ctx.beginPath();
    const cross = (a, b) => (0.5 - a) / (b - a);
    for (let j = 0; j + 1 < n; j++) {
      for (let i = 0; i + 1 < n; i++) {
        const v = [p[j * n + i], p[j * n + i + 1], p[(j + 1) * n + i + 1], p[(j + 1) * n + i]];
        const points = [];
        const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
        for (let e = 0; e < 4; e++) {
          const a = v[e];
          const b = v[(e + 1) % 4];
          if ((a < 0.5) !== (b < 0.5)) {
            const t = cross(a, b);
            const [ax, ay] = corners[e];
            const [bx, by] = corners[(e + 1) % 4];
            points.push([(ax + t * (bx - ax)) * cell, (ay + t * (by - ay)) * cell]);
          }
        }
        for (let q = 0; q + 1 < points.length; q += 2) {
          ctx.moveTo(...points[q]);
          ctx.lineTo(...points[q + 1]);
        }
      }
    }
    ctx.stroke();
  }

  buildDigits() {
    const { x, y } = this.data.held_out;
    this.cells = x.map((pixels, n) => {
      const figure = document.createElement("figure");
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 8;
      const image = new ImageData(8, 8);
      pixels.forEach((v, k) => {
        const g = Math.round(255 * (1 - v));
        image.data.set([g, g, g, 255], 4 * k);
      });
      canvas.getContext("2d").putImageData(image, 0, 0);
      canvas.setAttribute("aria-label", `a handwritten ${y[n]}`);
      const caption = document.createElement("figcaption");
      figure.append(canvas, caption);
      return { figure, caption, pixels, label: y[n] };
    });
    this.digits.replaceChildren(...this.cells.map((c) => c.figure));
  }

  drawDigits() {
    let right = 0;
    for (const c of this.cells) {
      const answer = predict(this.net, this.theta, c.pixels);
      right += answer === c.label ? 1 : 0;
      c.caption.textContent = `${answer}`;
      c.caption.className = answer === c.label ? "right" : "wrong";
      c.figure.title = `true ${c.label}, the network says ${answer}`;
    }
    this.digits.dataset.right = `${right}/${this.cells.length}`;
  }
}
