// Thin client for /api/v1. Errors become ApiError with `problems`: [{field, param, message}],
// where `field` names the control that caused it (steps, tol, noise, seed, start, function,
// run) and `param` the optimizer parameter for run errors.

import { batchFields, functionSpec } from "./state.js";

const BASE = "/api/v1";

const BODY_FIELDS = {
  steps: "steps",
  tol: "tol",
  gradient_noise: "noise",
  seed: "seed",
  start: "start",
  function: "function",
  optimizer: "run",
  batch_size: "batch",
  scheduler: "schedule",
};

export class ApiError extends Error {
  constructor(status, problems) {
    super(problems.map((p) => p.message).join("; ") || `request failed (${status})`);
    this.status = status;
    this.problems = problems;
  }
}

/** The problems behind any error: an ApiError's own, else one "page" problem with its message. */
export function problemsOf(error) {
  if (error instanceof ApiError) return error.problems;
  return [{ field: "page", param: null, message: String(error && error.message ? error.message : error) }];
}

function readable(msg) {
  return String(msg)
    .replace(/^Value error, /, "")
    .replace(/^Input should be /, "must be ")
    .replace("greater than or equal to", "≥")
    .replace("less than or equal to", "≤")
    .replace("greater than", ">")
    .replace("less than", "<");
}

/** Map one FastAPI error ({loc, msg} or a string) to the control that caused it. */
export function locate(error, fallbackField, context = {}) {
  if (typeof error === "string" || !error || !Array.isArray(error.loc)) {
    const text = typeof error === "string" ? error : JSON.stringify(error);
    return { field: fallbackField, param: null, message: readable(text) };
  }
  const [head, ...rest] = error.loc.filter((part) => part !== "body" && part !== "query");
  let field = BODY_FIELDS[head] || fallbackField;
  let param = null;
  let label = "";
  if (head === "optimizer") {
    // ["optimizer", "adam", "lr"]: the tagged union puts the optimizer's name first.
    const parts = rest[0] === context.optimizer ? rest.slice(1) : rest;
    param = typeof parts[0] === "string" ? parts[0] : null;
    const index = parts.find((part) => typeof part === "number");
    if (param) label = index === undefined ? `${param}: ` : `${param}[${index}]: `;
  } else if (head === "scheduler") {
    // ["scheduler", "StepLR", "step_size"]: the tagged union puts the schedule's name first.
    const name = rest.find((part) => typeof part === "string" && /^[A-Z]/.test(part));
    const param = rest.find((part) => typeof part === "string" && part !== name);
    label = `learning-rate schedule${name ? ` ${name}` : ""}${param ? ` ${param}` : ""}: `;
  } else if (/^[xy]_(min|max)$/.test(head)) {
    field = "function";
  }
  return { field, param, message: label + readable(error.msg), column: Number.isInteger(error.column) ? error.column : null };
}

async function request(path, options = {}, fallbackField = "page", context = {}) {
  let response;
  try {
    response = await fetch(BASE + path, options);
  } catch (err) {
    throw new ApiError(0, [{ field: fallbackField, param: null, message: `cannot reach the server (${err.message})` }]);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = body && body.detail !== undefined ? body.detail : `HTTP ${response.status}`;
    const list = Array.isArray(detail) ? detail : [detail];
    throw new ApiError(response.status, list.map((e) => locate(e, fallbackField, context)));
  }
  return body;
}

export function getFunctions() {
  return request("/functions").then((body) => body.functions);
}

export function getOptimizers() {
  return request("/optimizers").then((body) => body.optimizers);
}

// The same URL as the page's <link rel="preload"> (app/pages.py), so the preload is used.
/** A catalog function's surface, on its record's own grid unless `resolution` is given. */
export function getSurface(id, resolution = null) {
  const path = `/functions/${encodeURIComponent(id)}/surface?${resolution ? `resolution=${resolution}&` : ""}encoding=base64`;
  return request(path, {}, "function");
}

export function trajectoryRequest(settings, run) {
  return {
    function: functionSpec(settings),
    start: settings.start,
    optimizer: { name: run.optimizer, ...run.params },
    steps: settings.steps,
    tol: settings.tol,
    gradient_noise: settings.noise,
    seed: settings.seed,
    include_state: true,
    ...batchFields(settings),
    ...schedulerField(settings, run),
  };
}

/** A run's learning-rate schedule as the API's `scheduler` field: the run's own (schedule.js's
 * picker) or else the page-wide one (a link's `schedule`). Every request that runs a run's
 * optimizer (race, basins, sweeps, fair race) sends it, so each runs what the race runs. */
export function schedulerField(settings, run) {
  const scheduler = run.scheduler || settings.schedule;
  return scheduler ? { scheduler } : {};
}

function post(body) {
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

/** POST one trajectory; `run` = {optimizer, params}; settings = state. */
export function postTrajectory(settings, run) {
  const body = trajectoryRequest(settings, run);
  return request("/trajectories", post(body), "run", { optimizer: run.optimizer });
}

/** Every run in one POST /trajectories/batch; rejects (ApiError) if any run is refused. */
export function postBatch(settings, runs) {
  const body = { runs: runs.map((run) => trajectoryRequest(settings, run)) };
  return request("/trajectories/batch", post(body), "run").then((out) => out.results);
}

/** GET any JSON resource under /api/v1 (errors as ApiError). */
export function getJson(path) {
  return request(path);
}

/** POST any JSON body to /api/v1/<path> (surface, basins, sweeps); errors as ApiError. */
export function postJson(path, body, fallbackField = "page") {
  return request(path, post(body), fallbackField);
}

const TYPED = { f4: Float32Array, f8: Float64Array, i4: Int32Array, u1: Uint8Array, i1: Int8Array, u4: Uint32Array };

/** Decode a Plotly typed-array spec {dtype: "f4", bdata, shape} into a typed array. */
export function decodeTypedArray(spec) {
  if (Array.isArray(spec)) return { data: Float32Array.from(spec.flat().map((v) => (v === null ? NaN : v))), shape: [spec.length, spec[0].length] };
  const binary = atob(spec.bdata);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const Type = TYPED[spec.dtype];
  if (!Type) throw new Error(`unsupported dtype ${spec.dtype}`);
  const shape = String(spec.shape).split(",").map(Number);
  return { data: new Type(bytes.buffer), shape };
}
