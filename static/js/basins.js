// Basins of attraction: POST /api/v1/basins runs the first run's optimizer from every start of
// a grid over the plot window; drawn once (not per frame) as a see-through categorical map
// under the minima, with each basin's end point marked. Clicks still reach pick.js.
import { decodeTypedArray, postJson, problemsOf, schedulerField } from "./api.js";
import { overlays } from "./plot.js";
import { runLabel } from "./optimizers.js";
import { app } from "./page.js";
import { fmt, functionSpec, state, store, update } from "./state.js";

const $ = (id) => document.getElementById(id);
const RESOLUTION = 100;
// Qualitative, distinct from the runs' Okabe–Ito colours (Tableau 10 + extras).
const COLORS = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#bab0ac", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d",
];
export const basinColor = (label) => COLORS[label % COLORS.length];

const thousands = (n) => n.toLocaleString("en-US").replace(/,/g, "\u202f");

export function describeBasin(e) {
  const where = `(${e.point.map((v) => fmt(Math.abs(v) < 1e-6 ? 0 : v, 3)).join(", ")})`;
  let kind = `f = ${fmt(e.loss, 4)}`;
  if (e.minimum !== null && e.minimum !== undefined) kind = e.is_global ? "a global minimum" : "a local minimum";
  return `basin ${e.label + 1}: ${thousands(e.count)} ${e.count === 1 ? "start ends" : "starts end"} at ${where}, ${kind}`;
}

export class Basins {
  constructor() {
    this.button = $("basins-toggle");
    this.card = $("basins-card");
    this.data = null; // {key, fnId, x, y, z, endPoints, diverged}
    this.key = null;
    this.token = 0;
    this.button.addEventListener("click", () => this.toggle());
    store.subscribe(["basins"], () => this.refresh());
    store.on("settings", () => this.refresh()); // the runs and settings it maps changed
    store.on("landscape", () => this.refresh()); // a new landscape was drawn
    store.on("ready", () => this.refresh()); // the link may open with the overlay on
    overlays.push((fn, s, where) => this.traces(fn, where));
  }

  /** Redraw the landscape with the overlay as it is now (landscape.js listens). */
  redraw() {
    store.emit("redraw-landscape");
  }

  toggle() {
    update({ basins: !state.basins });
  }

  request(fn) {
    const run = state.runs[0];
    const gd = document.getElementById("landscape");
    const shown = gd.layout && gd.layout.xaxis && gd.layout.xaxis.range && gd.layout.yaxis.range && !gd._is3d;
    const window = shown ? [gd.layout.xaxis.range.slice(), gd.layout.yaxis.range.slice()] : fn.domain.map((b) => b.slice());
    return {
      function: functionSpec(), optimizer: { name: run.optimizer, ...run.params }, steps: state.steps,
      tol: state.tol, resolution: RESOLUTION, window, encoding: "base64", ...schedulerField(state, run),
    };
  }

  /** Bring the overlay in line with the state: fetch (once per setting), draw, or remove. */
  async refresh() {
    const fn = app.fn;
    const flat = fn && fn.dims !== 2;
    this.button.disabled = Boolean(flat);
    this.button.title = flat ? "Basins need a function of x and y: a curve has no valleys to colour" : "Colour each start by the valley it ends in";
    this.button.setAttribute("aria-pressed", String(state.basins && !flat));
    this.card.hidden = !state.basins;
    if (!state.basins || flat || !fn || !state.runs.length) {
      this.token++;
      if (flat && state.basins) this.say("Basins need a function of x and y.");
      return this.clear();
    }
    const body = this.request(fn);
    const key = JSON.stringify(body);
    if (key === this.key) return;
    this.key = key;
    const token = ++this.token;
    this.card.dataset.state = "loading";
    this.say(`Running ${runLabel(state.runs[0])} from ${thousands(RESOLUTION * RESOLUTION)} starts…`);
    let out;
    try {
      out = await postJson("/basins", body);
    } catch (error) {
      if (token !== this.token) return;
      this.key = null;
      this.card.dataset.state = "error";
      const text = problemsOf(error).map((p) => p.message).join("; ");
      this.say(`No basins: ${text}`, true);
      return this.clear();
    }
    if (token !== this.token) return;
    this.show(fn, out, key);
  }

  show(fn, out, key) {
    const labels = decodeTypedArray(out.labels);
    const [ny, nx] = labels.shape;
    const z = [];
    let diverged = 0;
    for (let j = 0; j < ny; j++) {
      const row = new Array(nx);
      for (let i = 0; i < nx; i++) {
        const v = labels.data[j * nx + i];
        if (v < 0) diverged++;
        row[i] = v < 0 ? null : v;
      }
      z.push(row);
    }
    this.data = { key, fnId: fn.id, x: out.x, y: out.y, z, endPoints: out.end_points, diverged, total: nx * ny };
    this.card.dataset.state = "ok";
    this.summarize();
    this.redraw();
  }

  summarize() {
    const d = this.data;
    const n = d.endPoints.length;
    const share = d.diverged ? ` · ${fmt((100 * d.diverged) / d.total, 2)} % of starts diverged (no colour)` : "";
    this.say(`${n} basin${n === 1 ? "" : "s"} for ${runLabel(state.runs[0])}, ${state.steps} steps${share}`);
    const items = d.endPoints.slice(0, 8).map((e) => {
      const li = document.createElement("li");
      li.className = "basin-item";
      li.style.setProperty("--basin-color", basinColor(e.label));
      li.textContent = describeBasin(e);
      return li;
    });
    if (n > 8) {
      const more = document.createElement("li");
      more.className = "muted";
      more.textContent = `… and ${n - 8} smaller basins`;
      items.push(more);
    }
    $("basins-list").replaceChildren(...items);
  }

  say(text, error = false) {
    const box = $("basins-summary");
    box.textContent = text;
    box.classList.toggle("is-error", error);
  }

  clear() {
    const had = this.data !== null;
    this.data = null;
    this.key = null;
    $("basins-list").replaceChildren();
    if (had) this.redraw();
  }

  /** The map as a picture (one pixel per start, see-through where runs diverged) on the axes. */
  image() {
    const d = this.data;
    if (!d.source) {
      const ny = d.z.length;
      const nx = d.z[0].length;
      const canvas = document.createElement("canvas");
      canvas.width = nx;
      canvas.height = ny;
      const ctx = canvas.getContext("2d");
      const pixels = ctx.createImageData(nx, ny);
      const rgb = COLORS.map((hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)));
      for (let j = 0; j < ny; j++) {
        const row = d.z[ny - 1 - j]; // image rows run top-down, y bottom-up
        for (let i = 0; i < nx; i++) {
          if (row[i] === null) continue;
          const c = rgb[row[i] % rgb.length];
          const o = 4 * (j * nx + i);
          [pixels.data[o], pixels.data[o + 1], pixels.data[o + 2], pixels.data[o + 3]] = [c[0], c[1], c[2], 255];
        }
      }
      ctx.putImageData(pixels, 0, 0);
      d.source = canvas.toDataURL("image/png");
    }
    const dx = (d.x[d.x.length - 1] - d.x[0]) / Math.max(1, d.x.length - 1);
    const dy = (d.y[d.y.length - 1] - d.y[0]) / Math.max(1, d.y.length - 1);
    return {
      source: d.source, xref: "x", yref: "y", x: d.x[0] - dx / 2, y: d.y[d.y.length - 1] + dy / 2,
      sizex: d.x[d.x.length - 1] - d.x[0] + dx, sizey: d.y[d.y.length - 1] - d.y[0] + dy,
      xanchor: "left", yanchor: "top", sizing: "stretch", layer: "above", opacity: 0.45, name: "basins",
    };
  }

  /** The overlay for plot.js: the map as a layout image, the end points over the minima. */
  traces(fn, where) {
    const d = this.data;
    if (!d || !state.basins || d.fnId !== fn.id) return [];
    if (where === "images") return [this.image()];
    if (where !== "over") return [];
    const ends = d.endPoints;
    return [{
      type: "scatter", mode: "markers", name: "basin ends",
      x: ends.map((e) => e.point[0]), y: ends.map((e) => e.point[1]),
      text: ends.map((e) => describeBasin(e)),
      hovertemplate: "%{text}<extra></extra>",
      marker: {
        symbol: "circle-dot", size: 9, color: ends.map((e) => basinColor(e.label)),
        line: { color: "#111111", width: 1.5 },
      },
    }];
  }
}
