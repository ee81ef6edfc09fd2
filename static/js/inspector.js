// The race list: a legend entry per run with its plain-language status, and the
// inspector for the current step (point, loss, gradient, its norm, optimizer state).
import { leaving } from "./diverge.js";
import { showRuleAt } from "./rulevalues.js";
import { specOf } from "./optimizers.js";
import { styleOf } from "./palette.js";
import { fmt, store } from "./state.js";

const STATE_NAMES = {
  exp_avg: "m  (exp_avg)",
  exp_avg_sq: "v  (exp_avg_sq)",
  m_hat: "m̂  (bias-corrected m)",
  v_hat: "v̂  (bias-corrected v)",
  momentum_buffer: "momentum buffer",
  square_avg: "E[g²]  (square_avg)",
  grad_avg: "E[g]  (grad_avg)",
  sum: "Σ g²  (sum)",
};

const pair = (v) => (v ? `(${v.map((c) => fmt(c)).join(", ")})` : "—");

/** The global minimum the catalog knows, as "global minimum 0 at (0, 0)" (or null). */
function globalOf(minima) {
  const g = (minima || []).filter((m) => m.global);
  if (!g.length) return null;
  const where = g.map((m) => `(${m.point.map((v) => fmt(v, 3)).join(", ")})`).join(" or ");
  return { value: g[0].value, text: `global minimum ${fmt(g[0].value, 4)} at ${where}` };
}

/** Does a run ending at loss `f` sit at a global minimum? (A gradient that vanished is
 * not success by itself: on Rastrigin it vanishes in every egg-cup.) */
function atGlobal(f, global) {
  return f - global.value <= 1e-3 * Math.max(1, Math.abs(global.value));
}

/** The outcome in words: "converged at step 212", "stuck in a local minimum (…)", …;
 * `k` is the step shown, `minima` the function's known minima. */
export function outcome(entry, k = Infinity, minima = null, domain = null) {
  const d = entry.data;
  const out = leaving(entry, domain);
  if (out && k >= out.step && d.status !== "diverged") { // off the map: say so from that step on
    const last = d.losses[d.losses.length - 1];
    return out.kind === "diverged"
      ? { kind: "diverged", text: `diverged: left the map at step ${out.step} (f = ${fmt(last, 3)} at the end)` }
      : { kind: "escaped", text: `left the map at step ${out.step}, still going downhill (f = ${fmt(last, 3)} at the end)` };
  }
  if (entry.error || !d || k < d.steps_taken || entry.partial) return { kind: null, text: statusText(entry, k) };
  const last = d.losses[d.losses.length - 1];
  const global = globalOf(minima);
  if (d.status === "converged" && global && !atGlobal(last, global)) {
    return { kind: "local", text: `stuck in a local minimum at step ${d.steps_taken} (f = ${fmt(last, 4)}; ${global.text})` };
  }
  const text = statusText(entry, k);
  if (d.status === "max_steps" && global && !atGlobal(last, global) && !text.includes("blowing up")) {
    return { kind: "short", text: `${text}; ${global.text}` };
  }
  return { kind: d.status, text };
}

/** "converged at step 212" etc.; `k` is the step shown. */
export function statusText(entry, k = Infinity) {
  if (entry.error) return `error: ${entry.error}`;
  const d = entry.data;
  if (!d) return "computing…";
  const epoch = d.epoch ? `epoch ${d.epoch[Math.min(k, d.epoch.length - 1)]}, ` : "";
  if (k < d.steps_taken || entry.partial) return `${epoch}step ${Math.min(k, d.steps_taken)}…`;
  if (d.status === "converged") return `converged at step ${d.steps_taken}`;
  if (d.status === "diverged") return `diverged at step ${d.steps_taken + 1}`;
  const first = d.losses[0];
  const last = d.losses[d.losses.length - 1];
  const exploding = Math.abs(last) > 1e6 * Math.max(1, Math.abs(first));
  const tail = exploding ? `, blowing up (f = ${fmt(last, 3)})` : `, f = ${fmt(last, 4)}`;
  return `stopped at the step limit (${d.steps_taken} steps)${tail}`;
}

export class Inspector {
  constructor() {
    this.list = document.getElementById("race-list");
    this.stepLabel = document.getElementById("race-step");
    this.announce = document.getElementById("race-announce");
    this.items = [];
    this.lastUpdate = 0;
    store.on("frame", (step, playing, force) => this.update(step, playing, force || !playing));
    store.on("race", (race) => this.setRace(race));
  }

  /** Rebuild the list for a race (entries may still be computing). */
  setRace(race) {
    this.names = race ? race.names : null;
    this.minima = race ? race.minima : null;
    this.domain = race ? race.domain : null;
    this.items = (race ? race.entries : []).map((entry) => this.item(entry));
    this.list.replaceChildren(...this.items.map((i) => i.li));
    this.lastUpdate = 0;
  }

  item(entry) {
    const li = document.createElement("li");
    li.className = "race-item";
    li.style.setProperty("--run-color", entry.color);
    li.dataset.runId = String(entry.run.id);
    const head = document.createElement("p");
    head.className = "race-status";
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.dataset.marker = styleOf(entry.run.color).marker; // the ball's shape on the map
    swatch.setAttribute("aria-hidden", "true");
    const label = document.createElement("strong");
    label.textContent = entry.label;
    const status = document.createElement("span");
    status.className = "status-text";
    const text = document.createElement("span");
    text.append(label, ": ", status);
    head.append(swatch, text);
    const dl = document.createElement("dl");
    dl.className = "inspect";
    const rule = document.getElementById("rule-at-template").content.firstElementChild.cloneNode(true);
    li.append(head, dl, rule);
    const item = { li, entry, status, dl, rows: null, rule };
    rule.addEventListener("toggle", () => this.showRule(item, this.step || 0));
    return item;
  }

  /** The update rule with this step's numbers, while its box is open. */
  showRule(item, k) {
    if (!item.rule.open || !item.entry.data) return;
    const axes = this.names ? this.names.axes : ["x", "y"];
    showRuleAt(item.rule, specOf(item.entry.run.optimizer), item.entry, Math.min(k, item.entry.data.points.length - 1), axes);
  }

  rowsFor(item) {
    const n = this.names || { f: "f", axes: ["x", "y"], lhs: "f(x, y)" };
    const names = [`point (${n.axes.join(", ")})`, n.lhs, `∇${n.f}`, `‖∇${n.f}‖`];
    const states = item.entry.data && item.entry.data.states ? Object.keys(item.entry.data.states) : [];
    for (const s of states) names.push(STATE_NAMES[s] || s);
    item.dl.replaceChildren();
    const cells = names.map((name) => {
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      item.dl.append(dt, dd);
      return dd;
    });
    item.rows = { cells, states, data: item.entry.data };
  }

  /** Show step k; while playing, at most ~8 updates a second. */
  update(k, playing, force = false) {
    const now = performance.now();
    if (playing && !force && now - this.lastUpdate < 120) return;
    this.lastUpdate = now;
    this.stepLabel.textContent = this.items.length ? `· step ${k}` : "";
    this.step = k;
    for (const item of this.items) {
      const entry = item.entry;
      const { kind, text } = outcome(entry, k, this.minima, this.domain);
      if (item.status.textContent !== text) item.status.textContent = text;
      item.li.dataset.status = entry.error ? "error" : entry.data ? entry.data.status : "pending";
      item.li.dataset.outcome = kind || "";
      const finished = Boolean(entry.data) && !entry.partial && k >= entry.data.steps_taken;
      item.li.classList.toggle("finished", finished);
      if (finished && !item.announced) {
        item.announced = true;
        this.announce.textContent = `${entry.label}: ${text}`;
      } else if (!finished) {
        item.announced = false;
      }
      const d = entry.data;
      if (!d) continue;
      this.showRule(item, k);
      if (!item.rows || item.rows.data !== d) this.rowsFor(item); // new data may name other states
      const i = Math.min(k, d.points.length - 1);
      const g = d.gradients ? d.gradients[i] : null;
      const values = [pair(d.points[i]), fmt(d.losses[i], 6), pair(g), fmt(d.grad_norms[i])];
      for (const s of item.rows.states) values.push(pair(d.states[s] && d.states[s][i]));
      item.rows.cells.forEach((cell, j) => {
        if (cell.textContent !== values[j]) cell.textContent = values[j];
      });
    }
  }
}
