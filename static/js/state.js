// The page's one state object: its schema (PROPS), the runs, and what the API is sent.
// ?function=rosenbrock&runs=adam(lr=0.05)|sgd(lr=0.001)&start=-1.5,2
// Lesson mode: &lesson=true&lock=function,runs&hide=noise
import { CODECS, INVALID, createStore, urlNumber } from "./store.js";
import { NET_ACTIVATIONS, NET_DATA, NET_DIRECTIONS, NET_RUNS, NET_STEPS, netHiddenCodec, netRunsCodec } from "./netspec.js";

export const MAX_RUNS = 6;
export const CUSTOM = "custom"; // the function id of a typed formula (expression.js)
import { PALETTE } from "./palette.js"; // each run's colour, dash and marker

export { PALETTE };
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
export const STEPS_PER_SECOND = 100; // at speed 1×

// For a typed formula (a catalog function opens with its own story's runs: storyRuns).
export const DEFAULT_RUNS = [
  { optimizer: "sgd", params: { lr: 0.001 } },
  { optimizer: "sgd", params: { lr: 0.001, momentum: 0.9 } },
  { optimizer: "rmsprop", params: { lr: 0.01 } },
  { optimizer: "adam", params: { lr: 0.05 } },
];

export const MAX_URL_POINTS = 500; // more points than this stay out of the link

const runsCodec = {
  encode: (runs) => encodeRuns(runs),
  decode: (text) => {
    const specs = decodeRuns(text);
    return specs.length || !text.trim() ? specs : INVALID;
  },
};
const domainCodec = {
  encode: (box) => box.flat().map(urlNumber).join(","),
  decode: (text) => {
    const b = CODECS.numbers.decode(text);
    if (b === INVALID || b.length % 2 || b.length > 4) return INVALID;
    return b.length === 2 ? [b] : [b.slice(0, 2), b.slice(2)];
  },
};
const dataCodec = {
  encode: (d) => d.x.map((x, i) => `${urlNumber(x)},${urlNumber(d.y[i])}`).join(";"),
  decode: (text) => {
    const points = text.split(";").filter((p) => p.trim()).map((p) => p.split(",").map((v) => (v.trim() ? Number(v) : NaN)));
    if (!points.length || points.some((p) => p.length !== 2 || !p.every(Number.isFinite))) return INVALID;
    return { x: points.map((p) => p[0]), y: points.map((p) => p[1]) };
  },
};

const valuesCodec = { // {a: 1, b: 2} <-> "a:1,b:2" (the computation graph's inputs)
  encode: (v) => Object.entries(v).map(([k, x]) => `${k}:${urlNumber(x)}`).join(","),
  decode: (text) => {
    const pairs = text.split(",").filter((p) => p.trim()).map((p) => p.split(":"));
    if (pairs.some((p) => p.length !== 2 || !/^[A-Za-z_]\w*$/.test(p[0].trim()) || !Number.isFinite(Number(p[1])))) return INVALID;
    return Object.fromEntries(pairs.map(([k, x]) => [k.trim(), Number(x)]));
  },
};

// A learning-rate schedule for every run of the race, as the API's `scheduler` (a
// torch.optim.lr_scheduler): "ExponentialLR(gamma=0.97)" <-> {name: "ExponentialLR", gamma: 0.97}.
const scheduleCodec = {
  encode: ({ name, ...kwargs }) => `${name}(${Object.entries(kwargs).map(([k, v]) => `${k}=${encodeValue(v)}`).join(",")})`,
  decode: (text) => {
    const match = /^\s*([A-Za-z]+)\s*\((.*)\)\s*$/.exec(text);
    if (!match) return INVALID;
    const pairs = match[2].split(",").filter((p) => p.trim()).map((p) => p.split("="));
    if (pairs.some((p) => p.length !== 2 || !/^\w+$/.test(p[0].trim()))) return INVALID;
    return { name: match[1], ...Object.fromEntries(pairs.map(([k, v]) => [k.trim(), decodeValue(v.trim())])) };
  },
};

// Every key a person can set, in the order the link lists them. A key here is in the link;
// a key missing from here (fit) is not.
export const PROPS = [
  { key: "function", type: "string", default: document.body.dataset.defaultFunction || "rosenbrock", always: true,
    include: (s) => !(s.function === "custom" && s.expression) }, // expr alone: a function=custom link would preload a 404
  { key: "runs", codec: runsCodec, default: null, always: true },
  { key: "start", type: "numbers", default: null, check: (xy) => xy.length >= 1 && xy.length <= 2 },
  { key: "expression", url: "expr", type: "string", default: null },
  { key: "domain", codec: domainCodec, default: null, include: (s) => Boolean(s.expression) },
  { key: "data", codec: dataCodec, default: null, include: (s) => Boolean(s.data) && s.data.x.length <= MAX_URL_POINTS },
  { key: "batch", type: "int", default: null, check: (n) => n >= 1 },
  { key: "shuffle", type: "bool", default: true },
  { key: "steps", type: "int", default: 500, always: true, check: (n) => n >= 1 }, // a story may set another
  { key: "schedule", codec: scheduleCodec, default: null }, // the API checks its name and kwargs
  { key: "tol", type: "number", default: 1e-8 },
  { key: "noise", type: "number", default: 0 },
  { key: "seed", type: "int", default: 0 },
  { key: "view", type: "enum", values: ["2d", "3d"], default: "2d" },
  { key: "speed", type: "enum", values: SPEEDS, default: 1 },
  { key: "basins", type: "bool", default: false },
  { key: "present", type: "bool", default: false }, // projector mode (present.js)
  { key: "lesson", type: "bool", default: false },
  { key: "lock", type: "set", default: new Set() },
  { key: "tab", type: "enum", values: ["landscape", "graph", "network"], default: "landscape" }, // tabs.js
  // The neural-network lesson's settings (netspec.js, netlink.js); like graph, kept across tabs.
  { key: "net", type: "enum", values: Object.keys(NET_DATA), default: "circle" },
  { key: "nethidden", codec: netHiddenCodec, default: null }, // null: the data set's own layers
  { key: "netact", type: "enum", values: NET_ACTIVATIONS, default: "tanh" },
  { key: "netruns", codec: netRunsCodec, default: NET_RUNS },
  { key: "netsteps", type: "int", default: NET_STEPS.default, check: (n) => n >= NET_STEPS.min && n <= NET_STEPS.max },
  { key: "netdir", type: "enum", values: NET_DIRECTIONS, default: NET_DIRECTIONS[0] },
  { key: "netseed", type: "int", default: 0, check: (n) => n >= 0 }, // "New directions"
  { key: "netcentre", type: "enum", values: ["A", "B"], default: "A" },
  { key: "netfollow", type: "enum", values: ["A", "B"], default: "A" },
  { key: "graph", type: "string", default: null }, // the computation graph's expression (graphlesson.js)
  { key: "gvalues", codec: valuesCodec, default: null, include: (s) => Boolean(s.graph) },
  { key: "hide", type: "set", default: new Set() },
  { key: "gallery", type: "string", default: null }, // the lesson gallery's preset shown (gallery.js)
  { key: "embed", type: "bool", default: false }, // landscape, transport and loss only (embed.js)
];

export const store = createStore(PROPS);
export const state = store.state;
state.fit = null; // {model, loss} of the current data function (from the catalog; not in the URL)
export const DEFAULTS = Object.fromEntries(PROPS.map((p) => [p.key, p.default]));

let nextRunId = 1;

/** A run: a stable id, a palette slot, an optimizer name and the kwargs set by hand. */
export function makeRun(optimizer, params = {}, color = null, others = state.runs) {
  const used = new Set((others || []).map((r) => r.color));
  if (color === null || used.has(color)) {
    color = PALETTE.findIndex((_, i) => !used.has(i));
  }
  return { id: nextRunId++, optimizer, params: { ...params }, color: Math.max(color, 0) };
}

export function colorOf(run) {
  return PALETTE[run.color % PALETTE.length];
}

/** The runs a function's story opens with (app/engine/stories.py), as run specs. */
export function storyRuns(fn) {
  const runs = fn && fn.story ? fn.story.runs : null;
  if (!runs || !runs.length) return DEFAULT_RUNS;
  return runs.map(({ optimizer: { name, ...params } }) => ({ optimizer: name, params }));
}

/** A function chosen from the menu: its story's race and steps, through the store. */
export function tellStory(fn) {
  const runs = [];
  for (const spec of storyRuns(fn).slice(0, MAX_RUNS)) runs.push(makeRun(spec.optimizer, spec.params, runs.length, runs));
  store.update({ runs, ...(fn && fn.story ? { steps: fn.story.steps } : {}) });
}

export function resetRuns(specs = DEFAULT_RUNS) {
  state.runs = [];
  for (const spec of specs.slice(0, MAX_RUNS)) {
    const run = makeRun(spec.optimizer, spec.params, spec.color ?? null);
    if (spec.scheduler) run.scheduler = spec.scheduler;
    state.runs.push(run);
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

// --- runs <-> text: "adam(lr=0.05,betas=0.8:0.99)|sgd(lr=0.001,momentum=0.9,nesterov=true,c=2)" ---
// A value is typed by its text alone here; runs.js then casts it by the optimizer's registry
// (so an old link's nesterov=1 still becomes true).
function encodeValue(value) {
  if (value === null) return "None"; // L-BFGS's max_eval
  if (typeof value === "string") return value; // L-BFGS's line_search_fn=strong_wolfe
  if (typeof value === "boolean") return CODECS.bool.encode(value);
  if (Array.isArray(value)) return value.map((v) => (v === null ? "None" : urlNumber(v))).join(":"); // Adafactor's eps: (None, 1e-3)
  return urlNumber(value);
}

function decodeValue(text) {
  if (text.includes(":")) return text.split(":").map((v) => (v === "None" ? null : Number(v)));
  if (text === "true") return true;
  if (text === "false") return false;
  if (text === "None") return null;
  if (Number.isNaN(Number(text)) && /^[A-Za-z_]+$/.test(text)) return text; // a choice's name
  return Number(text);
}

export function encodeRuns(runs) {
  return runs
    .map((run, index) => {
      const parts = Object.entries(run.params).map(([k, v]) => `${k}=${encodeValue(v)}`);
      if (run.color !== index) parts.push(`c=${run.color}`);
      // A run's own schedule (schedule.js) as JSON: SequentialLR nests others, which no flat form holds.
      const schedule = run.scheduler ? `@${JSON.stringify(run.scheduler)}` : "";
      return `${run.optimizer}(${parts.join(",")})${schedule}`;
    })
    .join("|");
}

export function decodeRuns(text) {
  const specs = [];
  for (const part of text.split("|")) {
    const at = part.indexOf("@");
    const chunk = at < 0 ? part : part.slice(0, at);
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
    const spec = { optimizer: match[1].toLowerCase(), params, color };
    const scheduler = at < 0 ? null : parseScheduler(part.slice(at + 1));
    if (scheduler) spec.scheduler = scheduler; // the API names what is wrong in it
    specs.push(spec);
  }
  return specs;
}

function parseScheduler(text) {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) && typeof value.name === "string" ? value : null;
  } catch {
    return null;
  }
}

export function toQuery(s = state) {
  return store.toQuery(s);
}

/** Read a query string into `state`. Returns the list of things it could not understand. */
export function fromQuery(search) {
  const problems = store.fromQuery(search);
  const specs = state.runs;
  state.runs = [];
  resetRuns(specs && specs.length ? specs : DEFAULT_RUNS);
  if (state.expression && (!new URLSearchParams(search).has("function") || state.function === "custom")) state.function = "custom";
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

/** A lesson fixes the start (locked or hidden): clicks and the keyboard do not move it. */
export function startLocked() {
  return state.lock.has("start") || state.hide.has("start");
}

export function writeUrl() {
  store.writeUrl();
}

export function update(patch) {
  return store.update(patch);
}

export function shareUrl() {
  return `${location.origin}${location.pathname}?${toQuery()}`;
}
