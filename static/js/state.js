// The one state object. Everything a person can set lives here and in the URL query string
// (TensorFlow-Playground style): ?function=rosenbrock&runs=adam(lr=0.05)|sgd(lr=0.001)&start=-1.5,2
// Lesson mode: &lesson=1&lock=function,runs&hide=noise

export const MAX_RUNS = 6;
// Okabe–Ito colour-blind-safe palette (yellow and black left out: they vanish on the map).
export const PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2"];
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
export const STEPS_PER_SECOND = 100; // at speed 1×

export const DEFAULT_RUNS = [
  { optimizer: "sgd", params: { lr: 0.001 } },
  { optimizer: "sgd", params: { lr: 0.001, momentum: 0.9 } },
  { optimizer: "rmsprop", params: { lr: 0.01 } },
  { optimizer: "adam", params: { lr: 0.05 } },
];

export const DEFAULTS = {
  function: document.body.dataset.defaultFunction || "rosenbrock", // set by app/pages.py
  start: null, // [x, y] or null: nothing to run until a click
  steps: 500,
  tol: 1e-8,
  noise: 0,
  seed: 0,
  view: "2d",
  speed: 1,
  expression: null, // typed landscape (function=custom): "x^2 + 10*y^2"
  domain: null, // its [[xmin, xmax], [ymin, ymax]]; null: the server's default
  basins: false, // the basins-of-attraction overlay (basins.js)
  data: null, // custom points {x: [...], y: [...]} for a data function (its model and loss)
  batch: null, // mini-batch size on data; null: every point (full batch)
  shuffle: true, // reshuffle the data every epoch
};

export const MAX_URL_POINTS = 500; // more points than this stay out of the link

export const state = {
  ...DEFAULTS,
  runs: [],
  lesson: false,
  fit: null, // {model, loss} of the current data function (from the catalog; not in the URL)
  lock: new Set(),
  hide: new Set(),
};

let nextRunId = 1;

/** A run: a stable id, a palette slot, an optimizer name and the kwargs set by hand. */
export function makeRun(optimizer, params = {}, color = null) {
  const used = new Set(state.runs.map((r) => r.color));
  if (color === null || used.has(color)) {
    color = PALETTE.findIndex((_, i) => !used.has(i));
  }
  return { id: nextRunId++, optimizer, params: { ...params }, color: Math.max(color, 0) };
}

export function colorOf(run) {
  return PALETTE[run.color % PALETTE.length];
}

export function resetRuns(specs = DEFAULT_RUNS) {
  state.runs = [];
  for (const spec of specs.slice(0, MAX_RUNS)) {
    state.runs.push(makeRun(spec.optimizer, spec.params, spec.color ?? null));
  }
}

// --- number formatting shared by URL and labels ---------------------------------------
export function fmt(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  const text = abs >= 1e5 || abs < 1e-3 ? value.toExponential(digits - 1) : String(+value.toPrecision(digits));
  return text.replace(/\.?0+e/, "e").replace("e+", "e").replace(/-/g, "−");
}

function urlNumber(value) {
  return String(+Number(value).toPrecision(8));
}

// --- runs <-> text: "adam(lr=0.05,betas=0.8:0.99)|sgd(lr=0.001,momentum=0.9,c=2)" ------------
function encodeValue(value) {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (Array.isArray(value)) return value.map(urlNumber).join(":");
  return urlNumber(value);
}

function decodeValue(text) {
  if (text.includes(":")) return text.split(":").map(Number);
  if (text === "true") return true;
  if (text === "false") return false;
  return Number(text);
}

export function encodeRuns(runs) {
  return runs
    .map((run, index) => {
      const parts = Object.entries(run.params).map(([k, v]) => `${k}=${encodeValue(v)}`);
      if (run.color !== index) parts.push(`c=${run.color}`);
      return `${run.optimizer}(${parts.join(",")})`;
    })
    .join("|");
}

export function decodeRuns(text) {
  const specs = [];
  for (const chunk of text.split("|")) {
    const match = /^\s*([a-z0-9_]+)\s*(?:\((.*)\))?\s*$/i.exec(chunk);
    if (!match) continue;
    const params = {};
    let color = null;
    for (const pair of (match[2] || "").split(",")) {
      const [key, raw] = pair.split("=");
      if (!key || raw === undefined) continue;
      if (key === "c") color = Number(raw) | 0;
      else params[key.trim()] = decodeValue(raw.trim());
    }
    specs.push({ optimizer: match[1].toLowerCase(), params, color });
  }
  return specs;
}

// --- state <-> query string -----------------------------------------------------------------
function keep(text) {
  return encodeURIComponent(text).replace(/%2C/g, ",").replace(/%3B/g, ";").replace(/%3A/g, ":").replace(/%7C/g, "|").replace(/%3D/g, "=");
}

export function toQuery(s = state) {
  // A typed function is just expr=… (a function=custom link would make the page preload a 404).
  const custom = s.function === "custom" && s.expression;
  const q = [...(custom ? [] : [["function", s.function]]), ["runs", encodeRuns(s.runs)]];
  if (s.start) q.push(["start", s.start.map(urlNumber).join(",")]);
  if (s.expression) q.push(["expr", s.expression]);
  if (s.expression && s.domain) q.push(["domain", s.domain.flat().map(urlNumber).join(",")]);
  if (s.data && s.data.x.length <= MAX_URL_POINTS) q.push(["data", s.data.x.map((x, i) => `${urlNumber(x)},${urlNumber(s.data.y[i])}`).join(";")]);
  if (s.batch) q.push(["batch", String(s.batch)]);
  if (!s.shuffle) q.push(["shuffle", "0"]);
  for (const key of ["steps", "tol", "noise", "seed", "view", "speed"]) {
    if (s[key] !== DEFAULTS[key]) q.push([key, typeof s[key] === "number" ? urlNumber(s[key]) : s[key]]);
  }
  if (s.basins) q.push(["basins", "1"]);
  if (s.lesson) q.push(["lesson", "1"]);
  if (s.lock.size) q.push(["lock", [...s.lock].join(",")]);
  if (s.hide.size) q.push(["hide", [...s.hide].join(",")]);
  return q.map(([k, v]) => `${k}=${keep(String(v))}`).join("&");
}

function numberOr(value, fallback) {
  if (value === null || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** Read a query string into `state`. Returns the list of things it could not understand. */
export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const problems = [];
  Object.assign(state, DEFAULTS);
  if (q.has("function")) state.function = q.get("function");
  if (q.has("runs")) {
    const specs = decodeRuns(q.get("runs"));
    if (!specs.length && q.get("runs").trim()) problems.push("runs");
    state.runs = [];
    resetRuns(specs);
  } else {
    resetRuns();
  }
  if (q.has("start")) {
    const xy = q.get("start").split(",").map(Number);
    if (xy.length >= 1 && xy.length <= 2 && xy.every(Number.isFinite)) state.start = xy;
    else problems.push("start");
  }
  state.steps = Math.round(numberOr(q.get("steps"), DEFAULTS.steps));
  state.tol = numberOr(q.get("tol"), DEFAULTS.tol);
  state.noise = numberOr(q.get("noise"), DEFAULTS.noise);
  state.seed = Math.round(numberOr(q.get("seed"), DEFAULTS.seed));
  state.view = q.get("view") === "3d" ? "3d" : "2d";
  state.expression = (q.get("expr") || "").trim() || null;
  if (state.expression && (!q.has("function") || state.function === "custom")) state.function = "custom";
  const box = (q.get("domain") || "").split(",").filter(Boolean).map(Number);
  if (box.length && (box.length % 2 || box.length > 4 || !box.every(Number.isFinite))) problems.push("domain");
  else if (box.length) state.domain = box.length === 2 ? [box] : [box.slice(0, 2), box.slice(2)];
  const points = (q.get("data") || "").split(";").filter((p) => p.trim()).map((p) => p.split(",").map(Number));
  if (points.some((p) => p.length !== 2 || !p.every(Number.isFinite))) problems.push("data");
  else if (points.length) state.data = { x: points.map((p) => p[0]), y: points.map((p) => p[1]) };
  const batch = Math.round(numberOr(q.get("batch"), 0));
  state.batch = batch >= 1 ? batch : null;
  state.shuffle = !["0", "false", "no"].includes((q.get("shuffle") || "").toLowerCase());
  const speed = numberOr(q.get("speed"), DEFAULTS.speed);
  state.speed = SPEEDS.includes(speed) ? speed : DEFAULTS.speed;
  state.lesson = ["1", "true", "yes"].includes((q.get("lesson") || "").toLowerCase());
  state.basins = ["1", "true", "yes"].includes((q.get("basins") || "").toLowerCase());
  const list = (key) => new Set((q.get(key) || "").split(",").map((s) => s.trim()).filter(Boolean));
  state.lock = list("lock");
  state.hide = list("hide");
  return problems;
}

/** What the API calls `function`: a catalog id, or {expression, domain} for a typed one. */
export function functionSpec(s = state) {
  if (s.function !== "custom" && s.fit && s.data) return { model: s.fit.model, loss: s.fit.loss, data: s.data };
  if (s.function !== "custom" || !s.expression) return s.function;
  return s.domain ? { expression: s.expression, domain: s.domain } : { expression: s.expression };
}

/** Mini-batch fields of a trajectory request: only for data functions, only when set. */
export function batchFields(s = state) {
  if (s.function === "custom" || !s.fit || !s.batch) return {};
  return { batch_size: s.batch, shuffle: Boolean(s.shuffle) };
}

export function writeUrl() {
  const query = toQuery();
  if (location.search.slice(1) !== query) {
    history.replaceState(null, "", `${location.pathname}?${query}`);
  }
}

export function shareUrl() {
  return `${location.origin}${location.pathname}?${toQuery()}`;
}
