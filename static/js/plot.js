// The landscape: a Plotly filled contour (2-D) or surface (3-D) drawn ONCE per function/view.
// Runs are drawn on a canvas overlay (trails.js) in 2-D; in 3-D they are scatter3d traces.
import { decodeTypedArray } from "./api.js";
import { fmt } from "./state.js";

const Plotly = () => window.Plotly;
const CONFIG = {
  displaylogo: false, responsive: true, scrollZoom: false, displayModeBar: "hover",
  modeBarButtons: [["toImage"]], toImageButtonOptions: { filename: "descent-landscape" },
};
export const COLORSCALE = [
  [0, "#0b2540"], [0.15, "#1d4e6e"], [0.35, "#3f7f8c"], [0.55, "#7fae9a"],
  [0.75, "#c6d8b0"], [1, "#f6f1dc"],
];
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13, color: "#1f2933" };

/** The function's surface prepared for plotting: z as shown (maybe log) and as it is. */
export function prepareSurface(fn, surface) {
  const { data, shape } = decodeTypedArray(surface.z);
  const [ny, nx] = shape;
  const zMin = surface.z_min ?? 0;
  const zMax = surface.z_max ?? 1;
  const log = Boolean(fn.log_scale);
  const eps = Math.max((zMax - zMin) * 1e-5, 1e-12);
  const shown = log ? new Float32Array(data.length) : data;
  if (log) for (let i = 0; i < data.length; i++) shown[i] = Math.log10(data[i] - zMin + eps);
  const rowsOf = (arr) => Array.from({ length: ny }, (_, j) => arr.subarray(j * nx, (j + 1) * nx));
  return {
    x: surface.x, y: surface.y, nx, ny, log, eps, zMin, zMax,
    z: rowsOf(shown), trueZ: rowsOf(data),
    transform: log ? (v) => Math.log10(Math.max(v - zMin, 0) + eps) : (v) => v,
  };
}

function colorbar(s) {
  const bar = { thickness: 14, len: 0.9, outlinewidth: 0, title: { text: s.log ? "f (log)" : "f", side: "right" } };
  if (!s.log) return bar;
  const lo = Math.log10(s.eps);
  const hi = Math.log10(s.zMax - s.zMin + s.eps);
  const ticks = [];
  for (let p = Math.ceil(lo); p <= Math.floor(hi); p++) ticks.push(p);
  bar.tickvals = ticks;
  bar.ticktext = ticks.map((p) => fmt(s.zMin + 10 ** p, 2));
  return bar;
}

function minimaTrace(fn) {
  const ms = fn.minima || [];
  return {
    type: "scatter", mode: "markers", name: "known minima", showlegend: false,
    x: ms.map((m) => m.point[0]), y: ms.map((m) => m.point[1]),
    marker: {
      symbol: ms.map((m) => (m.global ? "star" : "star-open")), size: 15,
      color: "#ffffff", line: { color: "#111111", width: 1.5 },
    },
    text: ms.map((m) => `${m.global ? "global" : "local"} minimum<br>f = ${fmt(m.value, 6)}`),
    hovertemplate: "%{text}<br>x = %{x:.4f}, y = %{y:.4f}<extra></extra>",
  };
}

function layout2d(fn) {
  const [[x0, x1], [y0, y1]] = fn.domain;
  return {
    margin: { l: 52, r: 10, t: 10, b: 40 }, font: FONT, dragmode: false, hovermode: "closest",
    paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
    xaxis: { title: { text: "x", standoff: 4 }, range: [x0, x1], fixedrange: true, showgrid: false, zeroline: false, constrain: "domain" },
    yaxis: { title: { text: "y", standoff: 4 }, range: [y0, y1], fixedrange: true, showgrid: false, zeroline: false },
    hoverlabel: { bgcolor: "#ffffff", font: { family: FONT.family, size: 13 } },
    showlegend: false, uirevision: fn.id,
  };
}

function contourTrace(s) {
  return {
    type: "contour", x: s.x, y: s.y, z: s.z, customdata: s.trueZ, name: "f",
    colorscale: COLORSCALE, ncontours: 28, colorbar: colorbar(s),
    contours: { coloring: "heatmap", showlines: true },
    line: { color: "rgba(255,255,255,0.35)", width: 0.6, smoothing: 0.8 },
    hovertemplate: "x = %{x:.4f}<br>y = %{y:.4f}<br>f(x, y) = %{customdata:.5g}<extra></extra>",
  };
}

function surfaceTrace(s) {
  return {
    type: "surface", x: s.x, y: s.y, z: s.z, customdata: s.trueZ, name: "f", opacity: 0.92,
    colorscale: COLORSCALE, colorbar: colorbar(s), showscale: true,
    contours: { z: { show: true, usecolormap: true, project: { z: true }, width: 1 } },
    hovertemplate: "x = %{x:.4f}<br>y = %{y:.4f}<br>f(x, y) = %{customdata:.5g}<extra></extra>",
  };
}

function layout3d(fn, s) {
  const [[x0, x1], [y0, y1]] = fn.domain;
  return {
    margin: { l: 0, r: 0, t: 0, b: 0 }, font: FONT, showlegend: false, uirevision: fn.id,
    scene: {
      xaxis: { title: { text: "x" }, range: [x0, x1] },
      yaxis: { title: { text: "y" }, range: [y0, y1] },
      zaxis: { title: { text: s.log ? "log₁₀(f − min)" : "f" } },
      aspectmode: "manual", aspectratio: { x: 1, y: 1, z: 0.6 },
      camera: { eye: { x: -1.4, y: -1.5, z: 1.1 } },
    },
  };
}

/** Draw the landscape. Returns a promise resolving when Plotly has rendered it. */
export function drawLandscape(gd, fn, s, view, runTraces = []) {
  gd._is3d = view === "3d";
  if (view === "3d") {
    const traces = [surfaceTrace(s), ...runTraces];
    return Plotly().react(gd, traces, layout3d(fn, s), CONFIG);
  }
  return Plotly().react(gd, [contourTrace(s), minimaTrace(fn)], layout2d(fn), CONFIG);
}

/** The plot area of a 2-D Plotly graph: pixel box relative to the graph div, and axes. */
export function plotArea(gd) {
  const full = gd._fullLayout;
  if (!full || !full.xaxis || !full._size || gd._is3d) return null;
  const { l, t, w, h } = full._size;
  return { left: l, top: t, width: w, height: h, xa: full.xaxis, ya: full.yaxis };
}

/** Data coordinates of a mouse event over the 2-D plot area, or null outside it. */
export function eventToData(gd, event) {
  const area = plotArea(gd);
  if (!area) return null;
  const box = gd.getBoundingClientRect();
  const px = event.clientX - box.left - area.left;
  const py = event.clientY - box.top - area.top;
  if (px < 0 || py < 0 || px > area.width || py > area.height) return null;
  return [area.xa.p2c(px), area.ya.p2c(py)];
}

/** Call onPick([x, y], event) for a click anywhere in the plot (2-D) or on the surface (3-D).
 * Returns a function to call once Plotly has drawn (it hooks Plotly's own events). */
export function listenForPicks(gd, onPick) {
  let down = null;
  let hover = null;
  let lastPick = -Infinity;
  const pick = (xy, event) => {
    const now = performance.now();
    if (now - lastPick < 300) return; // plotly_click and the native click can both fire
    lastPick = now;
    onPick(xy, event);
  };
  gd.addEventListener("pointerdown", (e) => {
    down = { x: e.clientX, y: e.clientY };
  }, true);
  gd.addEventListener("click", (event) => {
    if (event.button !== 0) return;
    if (down && Math.hypot(event.clientX - down.x, event.clientY - down.y) > 5) return; // a drag
    if (gd._is3d) {
      if (hover && performance.now() - hover.t < 2000) pick([hover.x, hover.y], event);
      return;
    }
    const xy = eventToData(gd, event);
    if (xy) pick(xy, event);
  });
  const surfacePoint = (data) => {
    if (!data || !data.points) return null;
    const p = data.points.find((q) => q.data && q.data.type === "surface");
    return p && Number.isFinite(p.x) && Number.isFinite(p.y) ? p : null;
  };
  return () => {
    gd.on("plotly_click", (data) => {
      const p = gd._is3d ? surfacePoint(data) : null;
      if (p) pick([p.x, p.y], data.event || null);
    });
    gd.on("plotly_hover", (data) => {
      const p = gd._is3d ? surfacePoint(data) : null;
      hover = p ? { x: p.x, y: p.y, t: performance.now() } : null;
    });
    gd.on("plotly_unhover", () => {
      hover = null;
    });
  };
}
