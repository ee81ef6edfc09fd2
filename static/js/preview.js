// A banded colour map of the surface drawn on a canvas the moment the data arrives, while
// Plotly.js is still being compiled on a cold start. Plotly's contour replaces it.
import { COLORSCALE } from "./plot.js";

const BANDS = 28;

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function palette() {
  const stops = COLORSCALE.map(([at, hex]) => [at, hexToRgb(hex)]);
  const colors = [];
  for (let b = 0; b < BANDS; b++) {
    const t = b / (BANDS - 1);
    let i = 1;
    while (i < stops.length - 1 && stops[i][0] < t) i++;
    const [a0, c0] = stops[i - 1];
    const [a1, c1] = stops[i];
    const f = a1 > a0 ? (t - a0) / (a1 - a0) : 0;
    colors.push(c0.map((v, k) => Math.round(v + (c1[k] - v) * f)));
  }
  return colors;
}

/** Draw `s` (from prepareSurface) into `canvas`, inset like Plotly's plot area will be. */
export function drawPreview(canvas, s) {
  const host = canvas.parentElement.getBoundingClientRect();
  const box = { left: 52, top: 10, width: Math.max(10, host.width - 52 - 98), height: Math.max(10, host.height - 50) };
  Object.assign(canvas.style, {
    left: `${box.left}px`, top: `${box.top}px`, width: `${box.width}px`, height: `${box.height}px`,
  });
  canvas.width = s.nx;
  canvas.height = s.ny;
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of s.z) {
    for (const v of row) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const colors = palette();
  const image = canvas.getContext("2d").createImageData(s.nx, s.ny);
  const span = hi > lo ? hi - lo : 1;
  for (let j = 0; j < s.ny; j++) {
    const row = s.z[s.ny - 1 - j]; // canvas rows run top-down, y runs bottom-up
    for (let i = 0; i < s.nx; i++) {
      const v = row[i];
      const o = 4 * (j * s.nx + i);
      if (!Number.isFinite(v)) continue;
      const c = colors[Math.min(BANDS - 1, Math.floor(((v - lo) / span) * BANDS))];
      image.data[o] = c[0];
      image.data[o + 1] = c[1];
      image.data[o + 2] = c[2];
      image.data[o + 3] = 255;
    }
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
  canvas.hidden = false;
}

/** Resolves after the browser has painted what is on screen now. */
export function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
