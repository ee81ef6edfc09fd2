// The learning-rate stability chart: POST /api/v1/sweeps runs one optimizer at many learning
// rates (× a second parameter's values) from the current start. One row: final loss against
// lr on log axes, diverged runs as red × at the top. More rows: a heatmap of log final loss,
// diverged cells grey. Clicking a point or cell adds that run to the race.
import { postJson, problemsOf, schedulerField } from "./api.js";
import { runLabel, specOf, valueOf } from "./optimizers.js";
import { app } from "./page.js";
import { MAX_RUNS, fmt, functionSpec, makeRun, state, store } from "./state.js";

const $ = (id) => document.getElementById(id);
const COUNT = 40;
const DEFAULT_VALUES = { momentum: "0, 0.5, 0.9, 0.99", "betas[0]": "0, 0.5, 0.9, 0.99", "betas[1]": "0.9, 0.99, 0.999", alpha: "0.9, 0.99" };
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 11, color: "#1f2933" };
const CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };

const number = (text) => Number(String(text).trim().replace("−", "-"));

/** Second-parameter candidates: float parameters other than lr; a pair as name[0], name[1]. */
export function candidates(spec) {
  const out = [];
  for (const p of spec ? spec.params : []) {
    if (p.name === "lr") continue;
    if (p.kind === "float") out.push(p.name);
    if (p.kind === "pair") out.push(`${p.name}[0]`, `${p.name}[1]`);
  }
  return out;
}

/** The run's optimizer with `lr` and maybe one swept parameter set (betas[1] keeps betas[0]). */
export function withSetting(run, lr, param, value) {
  const params = { ...run.params, lr };
  if (param) {
    const [, name, index] = /^([a-z_0-9]+)(?:\[(\d)\])?$/i.exec(param);
    if (index === undefined) params[name] = value;
    else {
      const p = specOf(run.optimizer).params.find((q) => q.name === name);
      const pair = valueOf(run, p).slice();
      pair[Number(index)] = value;
      params[name] = pair;
    }
  }
  return params;
}

/** The top of the loss axis: the largest final loss within FAR × max(1, median) of the
 * median, so one barely finite run (1e240) cannot squash the curve a reader needs into a
 * line; those above are drawn at the top as "off the chart", their value in the hover. */
const FAR = 1e8;
export function usableTop(positives) {
  const sorted = positives.slice().sort((a, b) => a - b);
  const limit = FAR * Math.max(1, sorted[Math.floor(sorted.length / 2)]);
  return sorted.filter((v) => v <= limit).pop() ?? sorted[0];
}

export class Sweeps {
  constructor() {
    store.on("landscape", () => this.stale()); // its results were for the landscape before
    this.card = $("sweep-card");
    this.chart = $("sweep-chart");
    this.result = null;
    this.token = 0;
    $("sweep-toggle").addEventListener("click", () => this.toggle());
    $("sweep-go").addEventListener("click", () => this.run());
    $("sweep-run").addEventListener("change", () => this.fillParams());
    $("sweep-param").addEventListener("change", () => {
      $("sweep-values").value = DEFAULT_VALUES[$("sweep-param").value] || "";
      this.showValues();
    });
  }

  toggle(open = this.card.hidden) {
    this.card.hidden = !open;
    $("sweep-toggle").setAttribute("aria-pressed", String(open));
    if (open) {
      this.fillRuns();
      if (!this.result) this.run();
    }
  }

  /** The runs to sweep from (their optimizer and fixed parameters). */
  fillRuns() {
    const select = $("sweep-run");
    const was = select.value;
    select.replaceChildren(...state.runs.map((run, i) => new Option(`${i + 1}. ${runLabel(run)}`, String(run.id))));
    if ([...select.options].some((o) => o.value === was)) select.value = was;
    this.fillParams();
  }

  run0() {
    const id = Number($("sweep-run").value);
    return state.runs.find((r) => r.id === id) || state.runs[0];
  }

  fillParams() {
    const select = $("sweep-param");
    const was = select.value;
    const names = candidates(specOf(this.run0().optimizer));
    select.replaceChildren(new Option("lr only", ""), ...names.map((n) => new Option(n, n)));
    select.value = names.includes(was) ? was : "";
    this.showValues();
  }

  showValues() {
    const on = $("sweep-param").value !== "";
    $("sweep-values").hidden = !on;
    $("sweep-values-label").hidden = !on;
  }

  say(text, error = false) {
    $("sweep-summary").textContent = text;
    $("sweep-summary").classList.toggle("is-error", error);
  }

  request() {
    const fn = app.fn;
    const run = this.run0();
    const param = $("sweep-param").value || null;
    const values = param ? $("sweep-values").value.split(/[\s,;]+/).filter(Boolean).map(number) : null;
    const lr = { min: number($("sweep-lr-min").value), max: number($("sweep-lr-max").value), count: COUNT };
    if (!(lr.min > 0) || !(lr.max > 0)) throw new Error("type positive learning rates");
    if (values && (!values.length || values.some((v) => !Number.isFinite(v)))) throw new Error(`type numbers for ${param}, e.g. 0, 0.9`);
    const { lr: _fixed, ...fixed } = run.params;
    const optimizer = { name: run.optimizer, ...fixed };
    if (param) delete optimizer[param.split("[")[0]];
    return {
      function: functionSpec(), start: state.start || fn.start, optimizer, lr,
      second: param ? { param, values } : null, steps: state.steps, tol: state.tol,
      ...schedulerField(state, run),
    };
  }

  async run() {
    if (this.card.hidden) return;
    if (!state.runs.length) return this.say("Add a run to sweep its optimizer.", true);
    let body;
    try {
      body = this.request();
    } catch (error) {
      return this.say(error.message, true);
    }
    const token = ++this.token;
    const run = this.run0();
    this.card.dataset.state = "loading";
    this.say(`Sweeping ${specOf(run.optimizer).title} from (${body.start.map((v) => fmt(v)).join(", ")})…`);
    try {
      const out = await postJson("/sweeps", body);
      if (token !== this.token) return;
      this.result = { ...out, run, fnId: app.fn.id };
      await this.draw();
      this.card.dataset.state = "ok";
    } catch (error) {
      if (token !== this.token) return;
      this.card.dataset.state = "error";
      const text = problemsOf(error).map((p) => p.message).join("; ");
      this.say(`No sweep: ${text}`, true);
    }
  }

  /** The function changed: the old chart no longer applies. */
  stale() {
    const fn = app.fn;
    if (!this.result || (fn && this.result.fnId === fn.id)) return;
    this.result = null;
    this.token++;
    if (window.Plotly && this.chart.data) window.Plotly.purge(this.chart);
    this.say(this.card.hidden ? "" : "The landscape changed: run the sweep again.");
  }

  async draw() {
    const r = this.result;
    const flat = r.final_loss.flat().filter((v, k) => v !== null && Number.isFinite(v) && r.status.flat()[k] !== "diverged");
    const diverged = r.status.flat().filter((s) => s === "diverged").length;
    const total = r.status.flat().length;
    this.say(`${specOf(r.run.optimizer).title}: ${total - diverged} of ${total} settings finished, ${diverged} diverged. Click one to race it.`);
    const layout = {
      margin: { l: 48, r: 8, t: 6, b: 36 }, font: FONT, showlegend: false, hovermode: "closest", dragmode: false,
      xaxis: { type: "log", title: { text: "learning rate", standoff: 2 }, exponentformat: "power", fixedrange: true },
      yaxis: { fixedrange: true },
    };
    const traces = r.param ? this.heatmap(r, layout) : this.curve(r, flat, layout);
    await window.Plotly.react(this.chart, traces, layout, CONFIG);
    if (!this.chart._sweepClick) {
      this.chart._sweepClick = true;
      this.chart.on("plotly_click", (data) => this.pick(data));
    }
  }

  curve(r, flat, layout) {
    const losses = r.final_loss[0];
    const positive = flat.length && flat.every((v) => v > 0);
    const hi = positive ? usableTop(flat) : flat.length ? Math.max(...flat) : 1;
    const top = positive ? hi * 10 : hi + Math.abs(hi) * 0.2 + 1;
    const off = (i) => losses[i] !== null && losses[i] > hi; // finite, but far above the rest
    layout.yaxis = { ...layout.yaxis, type: positive ? "log" : "linear", title: { text: "final loss", standoff: 2 }, exponentformat: "power" };
    const pick = (status) => r.lrs.map((_, i) => i).filter((i) => {
      if (status === "off") return r.status[0][i] !== "diverged" && off(i);
      return r.status[0][i] === status && (status === "diverged" || (losses[i] !== null && !off(i)));
    });
    const series = (status, extra) => {
      const idx = pick(status);
      return {
        type: "scatter", mode: "markers", name: status, x: idx.map((i) => r.lrs[i]),
        y: idx.map((i) => (status === "diverged" || status === "off" ? top : losses[i])), customdata: idx.map((i) => [i, 0]),
        text: idx.map((i) => `lr ${fmt(r.lrs[i])}: ${status === "diverged" ? "diverged" : `loss ${fmt(losses[i])} (${status === "off" ? "off the chart" : status.replace("_", " ")})`}`),
        hovertemplate: "%{text}<extra></extra>", ...extra,
      };
    };
    const line = { type: "scatter", mode: "lines", x: r.lrs, y: losses.map((v, i) => (r.status[0][i] === "diverged" || off(i) ? null : v)), line: { color: "#9aa5b1", width: 1 }, hoverinfo: "skip" };
    return [
      line,
      series("max_steps", { marker: { color: "#0b5cad", size: 7 } }),
      series("converged", { marker: { color: "#1f8a5b", size: 8, symbol: "diamond" } }),
      series("off", { marker: { color: "#7a3e9d", size: 9, symbol: "triangle-up" } }),
      series("diverged", { marker: { color: "#d62728", size: 9, symbol: "x-thin", line: { color: "#d62728", width: 2.5 } } }),
    ];
  }

  heatmap(r, layout) {
    const rows = r.values.map(String);
    layout.yaxis = { ...layout.yaxis, type: "category", title: { text: r.param, standoff: 2 } };
    const z = r.final_loss.map((row, j) => row.map((v, i) => (r.status[j][i] === "diverged" || v === null ? null : Math.log10(Math.max(v, 1e-300)))));
    const gone = r.final_loss.map((row, j) => row.map((_, i) => (r.status[j][i] === "diverged" ? 1 : null)));
    const text = r.final_loss.map((row, j) => row.map((v, i) => `lr ${fmt(r.lrs[i])}, ${r.param} ${fmt(r.values[j])}: ${r.status[j][i] === "diverged" ? "diverged" : `loss ${fmt(v)}`}`));
    const common = { type: "heatmap", x: r.lrs, y: rows, text, hovertemplate: "%{text}<extra></extra>", xgap: 1, ygap: 1 };
    return [
      { ...common, name: "log10 loss", z, colorscale: "Viridis", colorbar: { thickness: 8, title: { text: "log₁₀ f", side: "right" } } },
      { ...common, name: "diverged", z: gone, colorscale: [[0, "#b8bec6"], [1, "#b8bec6"]], showscale: false },
    ];
  }

  /** A click on the chart: race that setting (lr and maybe the second value). */
  pick(data) {
    const r = this.result;
    const p = data && data.points && data.points[0];
    if (!r || !p) return;
    let i;
    let j = 0;
    if (p.customdata) [i, j] = p.customdata;
    else if (Array.isArray(p.pointIndex)) [j, i] = p.pointIndex;
    else return;
    if (state.runs.length >= MAX_RUNS) {
      this.say(`At most ${MAX_RUNS} runs race at once: remove one in the Runs panel, then click again.`, true);
      return;
    }
    const params = withSetting(r.run, Number(r.lrs[i].toPrecision(6)), r.param, r.param ? r.values[j] : null);
    const run = makeRun(r.run.optimizer, params);
    state.runs.push(run);
    this.say(`Added ${runLabel(run)} to the race.`);
    store.touch("runs"); // the runs panel shows the new run
    store.emit("settings"); // and the race runs again
    this.fillRuns();
  }
}
