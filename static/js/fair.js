// Fair race: optimizer pictures usually compare untuned settings. One click tunes every run's
// learning rate on the current landscape and start (one POST /api/v1/sweeps per run, sent
// together, on the same log grid) and races the winners. The criterion is on screen.
import { postJson, problemsOf, schedulerField } from "./api.js";
import { runLabel } from "./optimizers.js";
import { app } from "./page.js";
import { fmt, functionSpec, state, store } from "./state.js";

const $ = (id) => document.getElementById(id);
export const GRID = { min: 1e-5, max: 10, count: 31 }; // 6 decades, 5 points each
export const TIE = 1e-9; // final losses this close (relative to max(1, |f|)) are a tie

/** The lr with the lowest final loss; a tie (within TIE) goes to the smaller lr. Diverged
 * settings (final loss null) never win. Returns {lr, loss} or null when every one diverged. */
export function bestLr(lrs, losses) {
  let best = null;
  lrs.map((lr, i) => ({ lr, loss: losses[i] }))
    .filter((c) => c.loss !== null && Number.isFinite(c.loss))
    .sort((a, b) => a.lr - b.lr)
    .forEach((c) => {
      if (!best || c.loss < best.loss - TIE * Math.max(1, Math.abs(best.loss))) best = c;
    });
  return best;
}

export class FairRace {
  constructor() {
    this.button = $("fair-race");
    this.box = $("fair-summary");
    this.token = 0;
    this.button.addEventListener("click", () => this.run());
  }

  criterion(start) {
    const where = `(${start.map((v) => fmt(v)).join(", ")})`;
    return `each run's lr chosen from ${GRID.count} values, ${fmt(GRID.min)} to ${fmt(GRID.max)} on a log grid, ` +
      `on this landscape from ${where}: lowest final loss after ${state.steps} steps; ties go to the smaller lr.`;
  }

  body(run, start) {
    const { lr: _lr, ...fixed } = run.params;
    return {
      function: functionSpec(), start, optimizer: { name: run.optimizer, ...fixed },
      lr: GRID, steps: state.steps, tol: state.tol,
      ...schedulerField(state, run), // tuned under the schedule the race then runs
    };
  }

  async run() {
    if (!state.runs.length) return this.say("Add a run to tune.", true);
    const start = (state.start || app.fn.start).slice();
    const token = ++this.token;
    this.button.disabled = true;
    this.box.dataset.state = "loading";
    this.say(`Tuning… ${this.criterion(start)}`);
    const runs = state.runs.slice();
    const results = await Promise.allSettled(runs.map((run) => postJson("/sweeps", this.body(run, start))));
    if (token !== this.token) return;
    this.button.disabled = false;
    const lines = [];
    let problems = 0;
    runs.forEach((run, i) => {
      const r = results[i];
      if (r.status !== "fulfilled") {
        problems++;
        lines.push(`${runLabel(run)}: no sweep (${problemsOf(r.reason).map((p) => p.message).join("; ")})`);
        return;
      }
      const best = bestLr(r.value.lrs, r.value.final_loss[0]);
      if (!best) {
        problems++;
        lines.push(`${runLabel(run)}: diverged at every lr, left as it was`);
        return;
      }
      run.params = { ...run.params, lr: best.lr };
      run.tuned = { lr: best.lr, loss: best.loss };
      lines.push(`${runLabel(run)} (final loss ${fmt(best.loss)})`);
    });
    const noise = state.noise > 0 ? " Tuned without gradient noise." : "";
    const batch = state.batch ? " Tuned on full batches." : "";
    const schedule = runs.some((run) => run.scheduler || state.schedule) ? " Each lr is the start of the run's learning-rate schedule, tuned under it." : "";
    this.box.dataset.state = problems ? "partial" : "ok";
    this.say(`Fair race: ${this.criterion(start)}${noise}${batch}${schedule}`, false, lines);
    store.touch("runs"); // the runs panel shows the tuned rates
    if (state.start) store.emit("settings"); // race again from the start
    else store.emit("start-at", start, null, true); // or from the one it tuned for
  }

  say(text, error = false, lines = []) {
    this.box.hidden = false;
    this.box.classList.toggle("is-error", error);
    const head = document.createElement("span");
    head.textContent = text;
    const list = document.createElement("ul");
    list.className = "fair-list";
    list.replaceChildren(...lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
    this.box.replaceChildren(head, ...(lines.length ? [list] : []));
  }
}
