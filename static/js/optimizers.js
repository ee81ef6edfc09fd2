// The optimizers the API offers (GET /api/v1/optimizers), read once at start-up: each run's
// spec, its values cast by the registry, and its label. Shared by the runs panel, basins,
// sweeps, the fair race and the inspector, so none of them asks another panel for it.
import { fmt } from "./state.js";

let specs = new Map(); // optimizer name -> spec from the API

export function setSpecs(list) {
  specs = new Map(list.map((o) => [o.name, o]));
}

export function allSpecs() {
  return [...specs.values()];
}

export function specOf(name) {
  return specs.get(name);
}

/** A run's parameters: its optimizer's, and for a wrapper (SAM: a "base" choice among the
 * optimizers) its base's beside them, as the API takes them (flat, the reference's **kwargs). */
export function paramsOf(run, spec = specs.get(run.optimizer)) {
  if (!spec) return [];
  const base = spec.params.find((p) => p.name === "base" && p.kind === "choice");
  if (!base) return spec.params;
  const inner = specs.get(run.params.base ?? base.default);
  const own = new Set(spec.params.map((p) => p.name));
  return [...spec.params, ...(inner ? inner.params.filter((p) => !own.has(p.name)) : [])];
}

/** Cast a run's link-typed values by its optimizer's registry: a bool parameter written as
 * 1/0 (older links) becomes true/false, so the API never sees the number. */
export function castParams(run) {
  for (const p of paramsOf(run)) {
    const v = run.params[p.name];
    if (p.kind === "bool" && (v === 1 || v === 0)) run.params[p.name] = v === 1;
  }
  return run;
}

export function same(a, b) {
  return Array.isArray(a) ? Array.isArray(b) && a.every((v, i) => v === b[i]) : a === b;
}

/** Other modules' additions to a run's card (schedule.js: its scheduler): hook(run, container, changed). */
export const cardHooks = [];

export function valueOf(run, p) {
  return run.params[p.name] !== undefined ? run.params[p.name] : p.default;
}

/** "momentum=0.9", "nesterov", …: each parameter set away from its default (lr always). */
export function paramParts(run, spec, withLr = true) {
  const parts = [];
  for (const p of paramsOf(run, spec)) {
    const v = valueOf(run, p);
    if (p.name === "lr" ? !withLr : same(v, p.default)) continue;
    if (p.kind === "bool") parts.push(v ? p.name : `no ${p.name}`);
    else if (p.kind === "pair") parts.push(`${p.name}=(${v.map((x) => (x === null ? "None" : fmt(x))).join(", ")})`);
    else if (v === null || p.kind === "choice") parts.push(`${p.name}=${v === null ? "None" : v}`);
    else parts.push(`${p.name}=${fmt(v)}`);
  }
  return parts;
}

/** "SGD lr=0.001, momentum=0.9": the title and every parameter set away from its default. */
export function runLabel(run) {
  const spec = specs.get(run.optimizer);
  return spec ? `${spec.title} ${paramParts(run, spec).join(", ")}`.trim() : run.optimizer;
}
