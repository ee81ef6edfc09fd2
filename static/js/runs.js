// The run editor: one card per run, its controls generated from GET /api/v1/optimizers
// (log slider for log-scale numbers, checkbox for booleans, two inputs for a pair).
import { styleOf } from "./palette.js";
import { allSpecs, cardHooks, paramParts, paramsOf, same, specOf, valueOf } from "./optimizers.js";
import { showRule } from "./rule.js";
import { MAX_RUNS, colorOf, fmt, makeRun, state, store } from "./state.js";

let uid = 0;

function setParam(run, p, value) {
  if (same(value, p.default)) delete run.params[p.name];
  else run.params[p.name] = value;
}

function parseNumber(text) {
  const t = String(text).trim().replace("−", "-").replace(",", ".");
  if (t === "") return NaN;
  return Number(t);
}

function sliderRange(p) {
  const lo = Math.max(p.min ?? 1e-8, p.default / 1e4, 1e-12);
  const hi = Math.min(p.max ?? 10, p.default * 1e4);
  return [Math.log10(lo), Math.log10(hi)];
}

export class RunsPanel {
  constructor() {
    this.list = document.getElementById("run-list");
    this.template = document.getElementById("run-template");
    this.addButton = document.getElementById("add-run");
    this.addButton.addEventListener("click", () => this.add());
    store.subscribe(["runs"], () => this.render()); // a story, a sweep or a fair race set them
    store.on("clear-errors", () => this.clearErrors());
    store.on("optimizers", () => this.render()); // the registry is in (boot.js): cards can be built
    store.on("lesson", () => (state.lock.has("runs") || state.hide.has("runs")) && this.lock(true));
    store.on("problem", (p, run) => {
      if (p.field !== "run" || !run) return false;
      this.showError(run, p.param, p.message);
      return true;
    });
  }

  /** A run was edited, added or removed: race again (the session listens, so do basins). */
  changed() {
    store.emit("settings");
  }

  add() {
    if (state.runs.length >= MAX_RUNS) return;
    const last = state.runs[state.runs.length - 1];
    state.runs.push(makeRun(last ? last.optimizer : "adam", last ? last.params : {}));
    this.render();
    this.changed("add");
  }

  remove(run) {
    state.runs = state.runs.filter((r) => r !== run);
    this.render();
    this.changed("remove");
  }

  render() {
    this.list.replaceChildren(...state.runs.map((run, i) => this.card(run, i)));
    this.addButton.disabled = state.runs.length >= MAX_RUNS || this.locked;
    this.addButton.title = state.runs.length >= MAX_RUNS ? `At most ${MAX_RUNS} runs race at once` : "";
  }

  card(run, index) {
    const li = this.template.content.firstElementChild.cloneNode(true);
    li.dataset.runId = String(run.id);
    li.style.setProperty("--run-color", colorOf(run));
    li.querySelector(".swatch").dataset.marker = styleOf(run.color).marker; // the ball's shape on the map
    const select = li.querySelector(".run-optimizer");
    const selectId = `run-${++uid}-optimizer`;
    select.id = selectId;
    li.querySelector("[data-for=optimizer]").setAttribute("for", selectId);
    li.querySelector("[data-for=optimizer]").textContent = `Run ${index + 1} optimizer`;
    for (const spec of allSpecs()) select.add(new Option(spec.title, spec.name, false, spec.name === run.optimizer));
    select.addEventListener("change", () => {
      const lr = run.params.lr;
      run.optimizer = select.value;
      run.params = lr !== undefined ? { lr } : {};
      this.render();
      this.changed("edit");
    });
    const remove = li.querySelector(".run-remove");
    remove.setAttribute("aria-label", `Remove run ${index + 1}`);
    remove.disabled = state.runs.length <= 1;
    remove.addEventListener("click", () => this.remove(run));
    const spec = specOf(run.optimizer);
    const main = li.querySelector(".run-params");
    const more = li.querySelector(".run-params-more");
    for (const p of paramsOf(run, spec)) {
      (p.name === "lr" ? main : more).append(this.control(run, p));
    }
    for (const hook of cardHooks) hook(run, more, () => (this.summarize(run, li), this.changed("edit")));
    this.summarize(run, li);
    showRule(li.querySelector(".run-rule"), spec);
    if (this.locked) for (const el of li.querySelectorAll("input, select, button")) el.disabled = true;
    return li;
  }

  control(run, p) {
    const row = document.createElement("div");
    row.className = `param param-${p.kind}`;
    row.dataset.param = p.name;
    const id = `run-${++uid}-${p.name}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    const name = document.createElement("code");
    name.textContent = p.name;
    const desc = document.createElement("span");
    desc.className = "desc";
    desc.textContent = ` ${p.description}`;
    label.append(name, desc);
    label.title = p.description;
    const value = valueOf(run, p);
    const commit = (v) => {
      setParam(run, p, v);
      this.summarize(run);
      this.changed("edit");
    };
    if (p.kind === "bool") {
      const box = Object.assign(document.createElement("input"), { type: "checkbox", id, checked: Boolean(value) });
      box.addEventListener("change", () => commit(box.checked));
      row.append(box, label);
    } else if (p.kind === "choice") {
      // L-BFGS's line_search_fn: None or "strong_wolfe"
      const select = Object.assign(document.createElement("select"), { id });
      for (const c of p.choices) select.append(new Option(c === null ? "None" : c, c === null ? "" : c));
      select.value = value === null ? "" : value;
      select.addEventListener("change", () => {
        if (p.name !== "base") return commit(select.value === "" ? null : select.value);
        // SAM's base: its kwargs are the new base's (lr kept), so the card is rebuilt
        const { lr, rho, adaptive } = run.params;
        run.params = Object.fromEntries(Object.entries({ lr, rho, adaptive }).filter(([, v]) => v !== undefined));
        setParam(run, p, select.value);
        this.render();
        this.changed("edit");
      });
      row.append(label, select);
    } else if (p.kind === "int" && p.default === null) {
      // L-BFGS's max_eval: an integer, or None (torch's max_iter · 5/4)
      row.append(label);
      const text = Object.assign(document.createElement("input"), { type: "text", inputMode: "numeric", value: value === null ? "None" : String(value), id });
      text.className = "param-number";
      text.addEventListener("change", () => {
        if (/^\s*(none|null)?\s*$/i.test(text.value)) return commit(null);
        const v = parseNumber(text.value);
        if (!Number.isInteger(v)) return this.showError(run, p.name, `${p.name}: type a whole number or None`);
        commit(v);
      });
      row.append(text);
    } else if (p.kind === "pair") {
      row.append(label);
      const inputs = value.map((v, i) => {
        // Adafactor's eps is (None, 1e-3): None (the dtype's eps) is typed as "None".
        const input = Object.assign(document.createElement("input"), { type: "text", inputMode: "decimal", value: v === null ? "None" : String(v), id: i ? `${id}-1` : id });
        input.setAttribute("aria-label", `${p.name}[${i}]`);
        input.addEventListener("change", () => {
          const none = (el, j) => p.default[j] === null && /^\s*(none|null)?\s*$/i.test(el.value);
          const pair = inputs.map((el, j) => (none(el, j) ? null : parseNumber(el.value)));
          if (pair.some(Number.isNaN)) return this.showError(run, p.name, `${p.name}: type two numbers`);
          commit(pair);
        });
        return input;
      });
      const wrap = document.createElement("span");
      wrap.className = "pair";
      wrap.append(...inputs);
      row.append(wrap);
    } else {
      row.append(label);
      const text = Object.assign(document.createElement("input"), { type: "text", inputMode: "decimal", value: fmtInput(value), id });
      text.className = "param-number";
      const bounded = p.min !== null && p.max !== null && p.max <= 1;
      if (p.log_scale || bounded) {
        // an exclusive bound (max_exclusive, min_exclusive: the spec's) is one slider step in
        const [lo, hi] = p.log_scale ? sliderRange(p) : [p.min + (p.min_exclusive ? 0.01 : 0), p.max - (p.max_exclusive ? 0.01 : 0)];
        const slider = Object.assign(document.createElement("input"), { type: "range", min: String(lo), max: String(hi), step: p.log_scale ? "0.01" : "0.01" });
        slider.setAttribute("aria-label", `${p.name} slider${p.log_scale ? " (log scale)" : ""}`);
        const toSlider = (v) => (p.log_scale ? Math.log10(Math.max(v, 10 ** lo)) : v);
        const fromSlider = () => {
          const s = Number(slider.value);
          return p.log_scale ? Number((10 ** s).toPrecision(2)) : Number(s.toFixed(2));
        };
        slider.value = String(toSlider(value));
        slider.addEventListener("input", () => {
          text.value = fmtInput(fromSlider());
        });
        slider.addEventListener("change", () => commit(fromSlider()));
        text.addEventListener("change", () => {
          const v = parseNumber(text.value);
          if (Number.isNaN(v)) return this.showError(run, p.name, `${p.name}: "${text.value}" is not a number`);
          slider.value = String(toSlider(v));
          commit(v);
        });
        const wrap = document.createElement("span");
        wrap.className = "slider-pair";
        wrap.append(slider, text);
        row.append(wrap);
      } else {
        text.addEventListener("change", () => {
          const v = parseNumber(text.value);
          if (Number.isNaN(v)) return this.showError(run, p.name, `${p.name}: "${text.value}" is not a number`);
          commit(v);
        });
        row.append(text);
      }
    }
    const error = document.createElement("span");
    error.className = "field-error";
    error.setAttribute("role", "alert");
    error.hidden = true;
    row.append(error);
    return row;
  }

  /** The "More" line names the parameters set away from their defaults. */
  summarize(run, card = this.cardOf(run)) {
    const spec = specOf(run.optimizer);
    const extra = spec ? paramParts(run, spec, false).join(", ") : "";
    if (card) card.querySelector(".run-more summary").textContent = extra ? `More: ${extra}` : "More parameters";
  }

  cardOf(run) {
    return this.list.querySelector(`[data-run-id="${run.id}"]`);
  }

  /** Show an API message next to the parameter (or the card) that caused it. */
  showError(run, param, message) {
    const card = this.cardOf(run);
    if (!card) return;
    const row = param ? card.querySelector(`[data-param="${CSS.escape(param)}"]`) : null;
    const target = row ? row.querySelector(".field-error") : card.querySelector(".run-error");
    target.textContent = message;
    target.hidden = false;
    card.classList.add("has-error");
    if (row) {
      for (const input of row.querySelectorAll("input")) input.setAttribute("aria-invalid", "true");
      const details = row.closest("details");
      if (details) details.open = true;
    }
  }

  clearErrors() {
    for (const el of this.list.querySelectorAll(".field-error")) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const el of this.list.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const el of this.list.querySelectorAll(".has-error")) el.classList.remove("has-error");
  }

  lock(on) {
    this.locked = on;
    this.render();
  }
}

function fmtInput(v) {
  return String(+Number(v).toPrecision(6));
}
