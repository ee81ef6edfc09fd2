// The data card beside the landscape, for functions that fit a model to data (the catalog's
// data entries, or the student's own points): the chart (datafit.js), pasting CSV, the
// mini-batch controls, and readable errors. Edited points become the function spec
// {model, loss, data: {x, y}} (same model and loss), whose landscape POST /api/v1/surface draws.
import { postJson, problemsOf } from "./api.js";
import { DataFit } from "./datafit.js";
import { dataFunction, parseCsv } from "./datamodel.js";
import { app } from "./page.js";
import { MAX_URL_POINTS, fmt, state, store } from "./state.js";

const $ = (id) => document.getElementById(id);
const RESOLUTION = 150;

export class DataPanel {
  constructor() {
    this.card = $("data-card");
    this.chart = new DataFit($("data-fit"), $("data-fit-overlay"), (data) => this.apply(data));
    this.base = null;
    this.token = 0;
    store.on("frame", (step) => this.draw(step));
    // A function is shown (landscape.js, boot.js): answers {fn, surface} for the link's own points.
    store.on("data-function", (fn) => this.setFunction(fn));
    this.modelText = $("data-model");
    $("data-apply").addEventListener("click", () => this.applyCsv());
    $("data-reset").addEventListener("click", () => this.reset());
    $("data-csv-box").addEventListener("toggle", () => {
      if ($("data-csv-box").open && !$("data-csv").value.trim()) $("data-csv").value = this.csv();
    });
    $("batch").addEventListener("change", () => this.setBatch());
    $("shuffle").addEventListener("change", () => {
      state.shuffle = $("shuffle").checked;
      store.emit("settings");
    });
  }

  get points() {
    return state.data || (this.base && this.base.data);
  }

  csv() {
    const { x, y } = this.points;
    return x.map((v, i) => `${v},${y[i]}`).join("\n");
  }

  /** A function was chosen (catalog entry `fn`). Returns {fn, surface} for custom data. */
  async setFunction(fn) {
    this.base = fn && fn.data ? fn : null;
    this.card.hidden = !this.base;
    this.clearError();
    if (!this.base) {
      state.fit = null;
      state.data = null;
      return null;
    }
    state.fit = { model: fn.data.model, loss: fn.data.loss };
    $("data-loss").textContent = `${fn.data.model === "logistic" ? "p = σ(w·x + b)" : fn.data.model === "linear" ? "ŷ = m·x + b" : "ŷ = w·x"}, ${fn.data.loss === "bce" ? "cross-entropy" : "mean squared error"}`;
    this.showBatch();
    let out = null;
    if (state.data) {
      try {
        out = await this.fetch(state.data);
      } catch (error) {
        this.showError(error);
        state.data = null;
      }
    }
    this.note();
    // Not awaited: at boot Plotly.js is still on its way (chart.show waits for it).
    this.chart.show(fn.data.model, this.points).catch((error) => this.showError(error));
    return out;
  }

  async fetch(data) {
    const spec = { model: this.base.data.model, loss: this.base.data.loss, data };
    const body = await postJson("/surface", { function: spec, resolution: RESOLUTION, encoding: "base64" }, "function");
    return { fn: dataFunction(this.base, data, body), surface: body };
  }

  /** New points (edited, pasted): check them with the API, then redraw the landscape. */
  async apply(data) {
    if (!this.base) return;
    const token = ++this.token;
    this.clearError();
    this.card.dataset.state = "checking";
    let out;
    try {
      out = await this.fetch(data);
    } catch (error) {
      if (token !== this.token) return;
      this.card.dataset.state = "error";
      this.showError(error);
      await this.chart.show(this.base.data.model, this.points); // back to the last good points
      return;
    }
    if (token !== this.token) return;
    this.card.dataset.state = "ok";
    state.data = data;
    this.note();
    if ($("data-csv-box").open) $("data-csv").value = this.csv();
    await this.chart.show(this.base.data.model, data, true);
    await store.request("data-surface", out.fn, out.surface);
  }

  applyCsv() {
    let data;
    try {
      data = parseCsv($("data-csv").value, this.base && this.base.data.model === "logistic");
    } catch (error) {
      this.showError(error);
      return;
    }
    this.apply(data);
  }

  async reset() {
    if (!this.base) return;
    this.token++;
    state.data = null;
    this.clearError();
    this.note();
    $("data-csv").value = this.csv();
    await this.chart.show(this.base.data.model, this.base.data);
    await store.request("data-surface", this.base, null);
  }

  showBatch() {
    $("batch").value = state.batch ? String(state.batch) : "";
    $("batch").placeholder = `all (${this.points.x.length})`;
    $("shuffle").checked = state.shuffle;
    $("shuffle").disabled = !state.batch;
  }

  setBatch() {
    const text = $("batch").value.trim();
    const value = Number(text);
    const box = $("batch-error");
    if (text !== "" && !(Number.isInteger(value) && value >= 1)) {
      box.textContent = "a whole number ≥ 1, or empty for every point";
      box.hidden = false;
      return;
    }
    box.hidden = true;
    state.batch = text === "" ? null : value;
    this.showBatch();
    store.emit("settings");
  }

  note() {
    const n = state.data ? state.data.x.length : 0;
    const box = $("data-note");
    box.textContent = n > MAX_URL_POINTS ? `${n} points are too many for the link (at most ${MAX_URL_POINTS}): a copied link shows the original data.` : "";
    box.hidden = !box.textContent;
    $("data-reset").disabled = !state.data;
    $("batch").placeholder = `all (${this.points.x.length})`;
    $("data-count").textContent = `${this.points.x.length} point${this.points.x.length === 1 ? "" : "s"}${state.data ? " (yours)" : ""}`;
  }

  showError(error) {
    const problems = problemsOf(error);
    const box = $("data-error");
    box.textContent = problems.map((p) => p.message).join("; ");
    box.hidden = false;
  }

  clearError() {
    $("data-error").hidden = true;
    $("data-error").textContent = "";
  }

  /** The models at `step` (every frame); the lead run's also as text. */
  draw(step) {
    if (!this.base) return;
    const race = app.race;
    const entries = race ? race.entries.filter((e) => e.data && e.data.points.length) : [];
    this.chart.draw(entries, step);
    const lead = this.chart.drawn.models[0];
    let text = "";
    if (lead) {
      const a = fmt(lead.params[0], 4);
      const b = `${lead.params[1] < 0 ? "−" : "+"} ${fmt(Math.abs(lead.params[1]), 4)}`;
      const m = this.base.data.model;
      text = m === "line-through-origin" ? `ŷ = ${a}·x` : m === "logistic" ? `p = σ(${a}·x ${b})` : `ŷ = ${a}·x ${b}`;
    }
    if (this.modelText.textContent !== text) this.modelText.textContent = text;
  }
}
