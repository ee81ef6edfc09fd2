// "Custom…" in the function picker: type a landscape, e.g. x^2 + 10*y^2. Validated as you
// type (debounced) by POST /api/v1/surface, which answers the surface, the formula's LaTeX
// and its gradient's, or a 422 naming the column at fault (marked under the box).
import { postJson, problemsOf } from "./api.js";
import { latexToHtml } from "./latex.js";
import { CUSTOM, state, store } from "./state.js";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 250;
const RESOLUTION = 150;
const BOUNDS = ["x-min", "x-max", "y-min", "y-max"];

/** A catalog-like description of a typed function, for plot.js, controls.js and the race. */
export function customFunction(expression, body) {
  const domain = body.domain;
  const dims = domain.length;
  return {
    id: `${CUSTOM}:${expression}:${JSON.stringify(domain)}`, title: "Custom", dims, domain,
    formula: body.formula, gradient_latex: body.gradient_latex || [], minima: [], log_scale: false,
    description: `Your function, on ${domain.map(([lo, hi], i) => `${"xy"[i]} ∈ [${lo}, ${hi}]`).join(", ")}. Click to race.`,
    start: domain.map(([lo, hi]) => Number((lo + 0.8 * (hi - lo)).toPrecision(4))),
  };
}

/** Roughly how many variables the text uses (the server decides): y as a word makes it 2-D. */
function guessDims(text) {
  return /(^|[^a-z0-9_])y($|[^a-z0-9_])/i.test(text) ? 2 : 1;
}

export class ExpressionEditor {
  constructor() {
    this.card = $("expression-card");
    this.input = $("expression");
    this.error = $("expression-error");
    this.mark = $("expression-mark");
    this.token = 0;
    this.timer = null;
    this.dims = null;
    this.live = false; // before the page is up, validate() only returns what it got
    this.input.addEventListener("input", () => this.schedule());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.validate();
    });
    for (const id of BOUNDS) $(id).addEventListener("change", () => this.editDomain());
    // "Custom…" chosen (the menu, or a link at start-up): answers {fn, surface} or null.
    store.on("custom-activate", (focus) => this.activate(focus));
    store.on("custom-deactivate", () => this.active && this.deactivate()); // a catalog function
    store.on("ready", () => (this.live = true));
  }

  get active() {
    return !this.card.hidden;
  }

  /** Show the box; with text (from a URL or typed before), draw it at once. */
  activate(focus = true) {
    this.card.hidden = false;
    if (state.expression && !this.input.value) this.input.value = state.expression;
    this.showDomain(state.domain);
    if (this.input.value.trim()) return this.validate();
    if (focus) this.input.focus();
    return Promise.resolve(null);
  }

  deactivate() {
    this.card.hidden = true;
    clearTimeout(this.timer);
    this.token++;
    state.expression = null;
    state.domain = null;
    this.dims = null;
    this.clearError();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.validate(), DEBOUNCE_MS);
  }

  editDomain() {
    const values = BOUNDS.map((id) => Number($(id).value.trim().replace("−", "-")));
    const dims = this.dims || guessDims(this.input.value);
    const box = [values.slice(0, 2), values.slice(2)].slice(0, dims);
    if (box.flat().some((v) => !Number.isFinite(v)) || $(BOUNDS[0]).value.trim() === "") {
      this.showError("type numbers for the domain's bounds");
      return;
    }
    state.domain = box;
    this.validate();
  }

  /** The domain to send: the one set by hand, trimmed or padded to the variables typed. */
  domainFor(text) {
    if (!state.domain) return null;
    const dims = guessDims(text);
    const box = state.domain.slice(0, dims);
    while (box.length < dims) box.push([-5, 5]);
    return box;
  }

  /** POST the text; on success hand the surface over (returns {fn, surface}), else show the message. */
  async validate() {
    clearTimeout(this.timer);
    const text = this.input.value.trim();
    const token = ++this.token;
    if (!text) {
      this.showError("type a function of x (and y), e.g. x^2 + 10*y^2");
      return null;
    }
    const domain = this.domainFor(text);
    const spec = domain ? { expression: text, domain } : { expression: text };
    this.card.dataset.state = "checking";
    let body;
    try {
      body = await postJson("/surface", { function: spec, resolution: RESOLUTION, encoding: "base64" }, "function");
    } catch (error) {
      if (token !== this.token) return null;
      this.card.dataset.state = "error";
      this.showApiError(error, text);
      return null;
    }
    if (token !== this.token) return null;
    this.clearError();
    this.card.dataset.state = "ok";
    const changedShape = this.dims !== body.domain.length;
    this.dims = body.domain.length;
    state.expression = text;
    if (domain) state.domain = body.domain;
    this.showDomain(body.domain);
    this.showGradient(body.gradient_latex || []);
    const fn = customFunction(text, body);
    if (this.live) await store.request("custom-surface", fn, body, changedShape); // landscape.js
    return { fn, surface: body };
  }

  showDomain(domain) {
    const dims = domain ? domain.length : this.dims || 2;
    $("domain-y").hidden = dims < 2;
    this.input.labels[0].textContent = dims < 2 ? "f(x) =" : "f(x, y) =";
    if (!domain) return;
    domain.flat().forEach((v, i) => {
      const input = $(BOUNDS[i]);
      if (input !== document.activeElement) input.value = String(v); // never under the typing hand
    });
  }

  showGradient(latex) {
    const box = $("expression-gradient");
    box.replaceChildren(...latex.map((tex) => {
      const line = document.createElement("code");
      line.innerHTML = latexToHtml(tex.replace(/\\partial\s*/g, "∂")); // ∂f/∂x, not (∂ f)/(∂ x)
      line.title = `LaTeX: ${tex}`;
      return line;
    }));
  }

  showApiError(error, text) {
    const problems = problemsOf(error);
    const column = problems.find((p) => Number.isInteger(p.column))?.column ?? null;
    // A bare union failure (every spec kind refused) is noise: say what the box wants.
    const message = problems.length > 2 ? "type a function of x (and y), e.g. x^2 + 10*y^2" : problems.map((p) => p.message).join("; ");
    this.showError(message, column, text);
  }

  /** The message under the box and, with a 1-based column, that character marked. */
  showError(message, column = null, text = this.input.value) {
    this.error.textContent = message;
    this.error.hidden = false;
    this.input.setAttribute("aria-invalid", "true");
    this.mark.replaceChildren();
    this.mark.hidden = column === null;
    this.card.dataset.column = column === null ? "" : String(column);
    if (column === null) return;
    const at = Math.max(0, column - 1);
    const hit = document.createElement("mark");
    hit.textContent = text.slice(at, at + 1) || " ";
    hit.title = `column ${column}`;
    this.mark.append(text.slice(0, at), hit, text.slice(at + 1));
  }

  clearError() {
    this.error.hidden = true;
    this.error.textContent = "";
    this.mark.hidden = true;
    this.mark.replaceChildren();
    this.card.dataset.column = "";
    this.input.removeAttribute("aria-invalid");
  }
}
