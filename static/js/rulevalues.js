// The update rule beside a run with its numbers at the step shown, Distill-style: the
// optimizer's own equations (GET /api/v1/optimizers "equations", the engine's docstrings)
// and, under them, what each symbol is at step t = k ("symbols": the table in
// app/engine/optim/symbols.py says where each value comes from), then the step itself.
import { latexToHtml } from "./latex.js";
import { fmt } from "./state.js";

const vec = (v) => (Array.isArray(v) ? `(${v.map((c) => (c === null ? "None" : fmt(c))).join(", ")})` : fmt(v));

/** The value `source` names at update t = k (which took θ_{k−1} to θ_k); null if none. */
export function sourceValue(source, entry, k) {
  const d = entry.data;
  if (!d || k < 1 || k >= d.points.length) return null;
  if (source === "t") return k;
  if (source === "point") return d.points[k - 1];
  if (source === "grad") return d.gradients ? d.gradients[k - 1] : null;
  if (source.startsWith("state:")) {
    const rows = d.states && d.states[source.slice(6)];
    return rows ? rows[k] : null;
  }
  const [name, index] = source.split(".");
  if (name === "lr" && d.lrs) return d.lrs[k - 1]; // a schedule: this update's own rate
  const value = d.optimizer ? d.optimizer[name] : undefined;
  if (value === undefined) return null;
  return index === undefined ? value : value[Number(index)];
}

/** [{symbol (LaTeX), html, text}] for every symbol of `spec` with a value at step k. */
export function ruleValues(spec, entry, k) {
  const rows = [];
  for (const [symbol, source] of Object.entries((spec && spec.symbols) || {})) {
    const value = sourceValue(source, entry, k);
    if (value === null || value === undefined) continue;
    rows.push({ symbol, source, html: latexToHtml(symbol), text: typeof value === "boolean" ? String(value) : vec(value) });
  }
  return rows;
}

/** "θ₁₂ = θ₁₁ + Δθ = (a, b) + (c, d) = (e, f)": the step itself, from the run's points. */
export function stepLine(entry, k, axes = ["x", "y"]) {
  const d = entry.data;
  if (!d || k < 1 || k >= d.points.length) return "";
  const before = d.points[k - 1];
  const after = d.points[k];
  const delta = after.map((v, i) => v - before[i]);
  const theta = (t) => latexToHtml(`\\theta_{${t}}`);
  return `${theta(k)} = ${theta(k - 1)} + Δθ = ${vec(before)} + ${vec(delta)} = ${vec(after)} <span class="muted">(${axes.join(", ")})</span>`;
}

/** Fill `box` (a .rule-at element) for step k. */
export function showRuleAt(box, spec, entry, k, axes) {
  const lines = spec && Array.isArray(spec.equations) ? spec.equations : [];
  if (box.dataset.spec !== (spec ? spec.name : "")) {
    box.dataset.spec = spec ? spec.name : "";
    box.querySelector(".rule-lines").replaceChildren(...lines.map((tex) => {
      const code = document.createElement("code");
      code.innerHTML = latexToHtml(tex);
      code.title = `LaTeX: ${tex}`;
      return code;
    }));
  }
  const title = box.querySelector(".rule-step");
  const values = ruleValues(spec, entry, k);
  title.textContent = values.length ? `at t = ${k}:` : "before the first step (t = 0): no update yet";
  const dl = box.querySelector(".rule-values");
  dl.replaceChildren(...values.flatMap((row) => {
    const dt = document.createElement("dt");
    dt.innerHTML = row.html;
    dt.dataset.symbol = row.symbol;
    const dd = document.createElement("dd");
    dd.textContent = row.text;
    return [dt, dd];
  }));
  box.querySelector(".rule-line").innerHTML = stepLine(entry, k, axes); // numbers from fmt only
}
