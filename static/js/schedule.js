// Learning-rate schedules on the page: a picker in each run's card (any
// torch.optim.lr_scheduler the API takes, with its kwargs as JSON, listed by
// GET /api/v1/optimizers/schedulers: no scheduler is retyped here) and, under the loss curve,
// the lr of every scheduled run at each step (the API's `lrs`).
import { getJson } from "./api.js";
import { cardHooks } from "./optimizers.js";
import { store } from "./state.js";

const schedulers = getJson("/optimizers/schedulers").then((body) => new Map(body.schedulers.map((s) => [s.name, s])));
// Starting values for required kwargs (torch has no default for them).
const SUGGEST = {
  step_size: 100, gamma: 0.99, milestones: [100, 200], T_max: 200, T_0: 100, base_lr: 0.001, max_lr: 0.01,
  schedulers: [{ name: "LinearLR", start_factor: 0.1, total_iters: 20 }, { name: "CosineAnnealingLR", T_max: 200 }],
};
let uid = 0;

function starter(spec) {
  const kwargs = {};
  for (const p of spec.params) if (p.required) kwargs[p.name] = SUGGEST[p.name] ?? (p.kind === "int" ? 100 : 0.1);
  if (spec.name === "SequentialLR") kwargs.milestones = [20];
  return kwargs;
}

function picker(run, container, changed) {
  const row = document.createElement("div");
  row.className = "param param-schedule";
  const id = `schedule-${++uid}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.innerHTML = '<code>scheduler</code><span class="desc"> a torch.optim.lr_scheduler, stepped after every update</span>';
  const select = Object.assign(document.createElement("select"), { id });
  select.append(new Option("None", ""));
  const kwargs = Object.assign(document.createElement("input"), { type: "text", className: "schedule-kwargs", spellcheck: false });
  kwargs.setAttribute("aria-label", "scheduler kwargs (JSON)");
  const error = Object.assign(document.createElement("span"), { className: "field-error", hidden: true });
  error.setAttribute("role", "alert");
  const show = () => {
    const { name, ...rest } = run.scheduler || {};
    select.value = name || "";
    kwargs.value = name ? JSON.stringify(rest) : "";
    kwargs.hidden = !name;
  };
  schedulers.then((all) => {
    for (const s of all.values()) select.add(new Option(s.name, s.name));
    select.title = "";
    show();
  });
  select.addEventListener("change", async () => {
    const spec = (await schedulers).get(select.value);
    if (spec) run.scheduler = { name: spec.name, ...starter(spec) };
    else delete run.scheduler;
    error.hidden = true;
    show();
    changed();
  });
  kwargs.addEventListener("change", () => {
    try {
      const parsed = JSON.parse(kwargs.value || "{}");
      if (typeof parsed !== "object" || Array.isArray(parsed) || parsed === null) throw new Error("an object");
      run.scheduler = { name: select.value, ...parsed };
      error.hidden = true;
      changed();
    } catch {
      error.textContent = 'scheduler kwargs: type a JSON object, e.g. {"T_max": 200}';
      error.hidden = false;
    }
  });
  row.append(label, select, kwargs, error);
  container.append(row);
}

cardHooks.push(picker);

/** The lr of every scheduled run, step by step, in the plot under the loss curve. */
export class LrCurve {
  constructor() {
    this.div = document.getElementById("lr-curve");
    store.on("race-done", (race) => this.draw(race)); // the race is in (or was dropped)
  }

  draw(race) {
    const entries = race ? race.entries.filter((e) => e.data && e.data.lrs) : [];
    this.div.hidden = entries.length === 0;
    if (this.div.hidden || !window.Plotly) return;
    const traces = entries.map((e) => ({
      x: e.data.lrs.map((_, k) => k + 1), y: e.data.lrs, name: e.label, mode: "lines",
      line: { color: e.color, width: 2, shape: "hv" }, hovertemplate: "step %{x}: lr %{y:.3g}<extra></extra>",
    }));
    const layout = {
      height: 130, margin: { l: 56, r: 12, t: 8, b: 30 }, showlegend: false,
      xaxis: { title: { text: "step", standoff: 2 } }, yaxis: { title: { text: "lr" }, exponentformat: "power" },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    };
    window.Plotly.react(this.div, traces, layout, { displayModeBar: false, responsive: true });
  }
}
