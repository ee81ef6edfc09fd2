// The landscape: a Plotly filled contour (2-D) or surface (3-D) drawn ONCE per function/view.
// Runs are drawn on a canvas overlay (trails.js) in 2-D; in 3-D they are scatter3d traces.
import { decodeTypedArray } from "./api.js";
import { loadPlotly } from "./plotly-loader.js";
import { fmt } from "./state.js";

const Plotly = () => window.Plotly;
const BASE_CONFIG = { displaylogo: false, responsive: true, scrollZoom: false, displayModeBar: "hover" };
/** The landscape's mode-bar buttons ({name, title, click(gd)}), registered by main.js: the
 * page's own savers, since Plotly's camera cannot see the race drawn on the overlay. */
export const modebar = [];
const config = () => ({
  ...BASE_CONFIG,
  modeBarButtons: [modebar.map(({ iconName, ...b }) => ({ icon: Plotly().Icons[iconName || "camera"], ...b }))],
});
export const COLORSCALE = [
  [0, "#0b2540"], [0.15, "#1d4e6e"], [0.35, "#3f7f8c"], [0.55, "#7fae9a"],
  [0.75, "#c6d8b0"], [1, "#f6f1dc"],
];
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 13, color: "#1f2933" };

/** Names from the formula's left-hand side: "J(m, b) = …" gives J, [m, b]. */
export function namesOf(fn) {
  const match = /^\s*([^\s(=]+)\s*\(([^)]*)\)\s*=/.exec(fn.formula || "");
  const args = match ? match[2].split(",").map((a) => a.trim()) : [];
  const axes = args.length === fn.dims ? args : ["x", "y"].slice(0, fn.dims);
  return { f: match ? match[1] : "f", axes, lhs: `${match ? match[1] : "f"}(${axes.join(", ")})` };
}

/** The function's surface prepared for plotting: z as shown (maybe log) and as it is. */
export function prepareSurface(fn, surface) {
  const { data, shape } = decodeTypedArray(surface.z);
  const zMin = surface.z_min ?? 0;
  const zMax = surface.z_max ?? 1;
  const names = namesOf(fn);
  if (fn.dims === 1) {
    return { dims: 1, x: surface.x, z: Array.from(data), trueZ: null, nx: shape[0], ny: 1, log: false, eps: 0, zMin, zMax, names, transform: (v) => v };
  }
  const [ny, nx] = shape;
  const log = Boolean(fn.log_scale);
  const eps = Math.max((zMax - zMin) * 1e-5, 1e-12);
  const shown = log ? new Float32Array(data.length) : data;
  if (log) for (let i = 0; i < data.length; i++) shown[i] = Math.log10(data[i] - zMin + eps);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of shown) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const rowsOf = (arr) => Array.from({ length: ny }, (_, j) => arr.subarray(j * nx, (j + 1) * nx));
  return {
    dims: 2, x: surface.x, y: surface.y, nx, ny, log, eps, zMin, zMax, names,
    // The record's equal colour bands, lowest to highest shown value (tests/engine/test_stories.py
    // checks that none of them covers half the map).
    levels: fn.story && hi > lo ? { start: lo, end: hi, size: (hi - lo) / fn.story.levels } : null,
    z: rowsOf(shown), trueZ: rowsOf(data),
    transform: log ? (v) => Math.log10(Math.max(v - zMin, 0) + eps) : (v) => v,
  };
}

function colorbar(s) {
  const bar = { thickness: 14, len: 0.9, outlinewidth: 0, title: { text: s.log ? `${s.names.f} (log)` : s.names.f, side: "right" } };
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
  const one = fn.dims === 1;
  const [a, b] = namesOf(fn).axes;
  return {
    type: "scatter", mode: "markers", name: "known minima", showlegend: false,
    x: ms.map((m) => m.point[0]), y: ms.map((m) => (one ? m.value : m.point[1])),
    marker: {
      symbol: ms.map((m) => (m.global ? "star" : "star-open")), size: 15,
      color: "#ffffff", line: { color: "#111111", width: 1.5 },
    },
    text: ms.map((m) => `${m.global ? "global" : "local"} minimum<br>${namesOf(fn).f} = ${fmt(m.value, 6)}`),
    hovertemplate: one ? `%{text}<br>${a} = %{x:.4f}<extra></extra>` : `%{text}<br>${a} = %{x:.4f}, ${b} = %{y:.4f}<extra></extra>`,
  };
}

function axis(title, range, extra = {}) {
  return { title: { text: title, standoff: 4 }, range, fixedrange: true, showgrid: false, zeroline: false, ...extra };
}

function layout2d(fn, s) {
  const [[x0, x1], [y0, y1] = []] = fn.domain;
  const one = fn.dims === 1;
  const pad = (s.zMax - s.zMin) * 0.06 || 1;
  return {
    margin: { l: 52, r: 10, t: 10, b: 40 }, font: FONT, dragmode: false,
    hovermode: one ? "x" : "closest", paper_bgcolor: "#ffffff", plot_bgcolor: one ? "#f7f9fb" : "#ffffff",
    xaxis: axis(s.names.axes[0], [x0, x1]),
    yaxis: one ? axis(s.names.lhs, [s.zMin - pad, s.zMax + pad], { showgrid: true, gridcolor: "#e5e7eb" }) : axis(s.names.axes[1], [y0, y1]),
    hoverlabel: { bgcolor: "#ffffff", font: { family: FONT.family, size: 13 } },
    showlegend: false, uirevision: fn.id,
  };
}

function hoverTemplate(s) {
  const [a, b] = s.names.axes;
  return `${a} = %{x:.4f}<br>${b} = %{y:.4f}<br>${s.names.lhs} = %{customdata:.5g}<extra></extra>`;
}

function contourTrace(s) {
  return {
    type: "contour", x: s.x, y: s.y, z: s.z, customdata: s.trueZ, name: s.names.f,
    colorscale: COLORSCALE, colorbar: colorbar(s),
    ...(s.levels ? { autocontour: false, zmin: s.levels.start, zmax: s.levels.end } : { ncontours: 28 }),
    contours: { coloring: "heatmap", showlines: true, ...(s.levels || {}) },
    line: { color: "rgba(255,255,255,0.35)", width: 0.6, smoothing: 0.8 },
    hovertemplate: hoverTemplate(s),
  };
}

function curveTrace(s) {
  return {
    type: "scatter", mode: "lines", x: s.x, y: s.z, name: s.names.f, line: { color: "#1d4e6e", width: 2.5 },
    hovertemplate: `${s.names.axes[0]} = %{x:.4f}<br>${s.names.lhs} = %{y:.5g}<extra></extra>`,
  };
}

function surfaceTrace(s) {
  return {
    type: "surface", x: s.x, y: s.y, z: s.z, customdata: s.trueZ, name: s.names.f, opacity: 0.92,
    colorscale: COLORSCALE, colorbar: colorbar(s), showscale: true,
    contours: { z: { show: true, usecolormap: true, project: { z: true }, width: 1 } },
    hovertemplate: hoverTemplate(s),
  };
}

function layout3d(fn, s) {
  const [[x0, x1], [y0, y1]] = fn.domain;
  return {
    margin: { l: 0, r: 0, t: 0, b: 0 }, font: FONT, showlegend: false, uirevision: fn.id,
    scene: {
      xaxis: { title: { text: s.names.axes[0] }, range: [x0, x1] },
      yaxis: { title: { text: s.names.axes[1] }, range: [y0, y1] },
      zaxis: { title: { text: s.log ? `log₁₀(${s.names.f} − min)` : s.names.f } },
      aspectmode: "manual", aspectratio: { x: 1, y: 1, z: 0.6 },
      camera: { eye: { x: -1.4, y: -1.5, z: 1.1 } },
    },
  };
}

/** Extra 2-D layers (basins.js): (fn, s, "under" | "over" | "images") => traces under or over
 * the minima, or layout images. */
export const overlays = [];

/** Draw the landscape. Returns a promise resolving when Plotly has rendered it. */
export async function drawLandscape(gd, fn, s, view, runTraces = []) {
  const is3d = view === "3d" && s.dims === 2;
  const token = (gd._drawToken = (gd._drawToken || 0) + 1);
  if (is3d) await loadPlotly(true); // the first 3-D view fetches the full bundle
  if (token !== gd._drawToken) return undefined; // a newer draw (say, back to 2-D) came first
  gd._is3d = is3d;
  if (gd._is3d) return Plotly().react(gd, [surfaceTrace(s), ...runTraces], layout3d(fn, s), config());
  const base = s.dims === 1 ? curveTrace(s) : contourTrace(s);
  const layer = (where) => overlays.flatMap((overlay) => overlay(fn, s, where));
  const layout = layout2d(fn, s);
  layout.images = layer("images"); // pictures over the map (a heatmap would sit under the contour)
  return Plotly().react(gd, [base, ...layer("under"), minimaTrace(fn), ...layer("over")], layout, config());
}

/** An empty plot carrying `text`, for when there is no landscape (Custom… before typing). */
export function drawBlank(gd, text) {
  gd._is3d = false;
  const hidden = { visible: false, fixedrange: true, range: [0, 1] };
  return Plotly().react(gd, [], {
    margin: { l: 10, r: 10, t: 10, b: 10 }, font: FONT, xaxis: hidden, yaxis: hidden, dragmode: false,
    annotations: [{ text, showarrow: false, x: 0.5, y: 0.5, xref: "paper", yref: "paper", font: { size: 16, color: "#5f6b7a" } }],
  }, config());
}
