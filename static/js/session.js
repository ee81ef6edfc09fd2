// The race session: run every active optimizer from state.start, announce each animation frame
// and the race's data (store events: it names no panel), and put a problem next to what caused
// it (a run, a control, or the plot message). Panels ask it to race with events too.
import { message } from "./page.js";
import { namesOf } from "./plot.js";
import { afterPaint } from "./preview.js";
import { loadRace, maxStepOf, newRace } from "./race.js";
import { startLocked, state, store, writeUrl } from "./state.js";

const $ = (id) => document.getElementById(id);


export class Session {
  /** app: {fn, surface, race, token, …} (page.js); metrics: window.descent.metrics. */
  constructor(app, metrics) {
    this.app = app;
    this.metrics = metrics;
    this.pending = { click: null, race: null }; // when the click that started a race happened
    store.on("tick", (step, playing) => this.frame(step, playing)); // the transport's clock
    store.on("settings", () => this.rerun()); // a panel changed the runs or a setting
    store.on("start-at", (xy, event, typed) => this.startAt(xy, event, typed));
    store.on("run", () => state.start && this.run(true)); // race again as it is (R with no race)
  }

  /** A lesson fixes the start: clicks and the keyboard do not move it. */
  get locked() {
    return startLocked();
  }

  /** One animation frame at `step` (the transport's tick). */
  frame(step, playing) {
    store.emit("frame", step, playing); // trails, tangent, data panel, loss curve, inspector
    const now = performance.now();
    const { pending, metrics } = this;
    if (pending.click !== null) {
      metrics.clickToFirstFrameMs = now - pending.click;
      pending.click = null;
    }
    if (pending.race !== null && this.app.race && this.app.race.shown) {
      metrics.clickToRaceMs = now - pending.race;
      pending.race = null;
    }
  }

  /** Next to the run or control that caused it (whichever panel owns it), else over the plot. */
  showProblem(problem, run) {
    if (!store.emit("problem", problem, run)) message(problem.message);
  }

  /** Run every active optimizer from state.start and play the race. */
  async run(autoplay = true) {
    try {
      await this.race(autoplay);
    } finally {
      store.emit("race-done", this.app.race); // downloads, recorder, lr curve: the race as it is now
    }
  }

  async race(autoplay) {
    const { app } = this;
    const token = ++app.token;
    store.emit("clear-errors");
    message("");
    writeUrl();
    store.emit("start");
    if (!state.start || !app.fn) return;
    $("plot-hint").hidden = true;
    const race = newRace();
    race.names = namesOf(app.fn);
    race.minima = app.fn.minima || [];
    race.domain = app.fn.domain; // the plotted box: leaving it is shown (diverge.js)
    app.race = race;
    store.emit("race", race, app.surface); // a new race: trails, inspector, loss curve, transport
    await loadRace(race, {
      stale: () => token !== app.token,
      onProblem: (problem, run) => this.showProblem(problem, run),
      onData: async (r, final) => {
        store.emit("race-data", r, app.surface); // new data: recompute pixel positions
        const partial = r.entries.some((e) => e.partial);
        r.shown = true;
        // The transport takes the new length and draws the frame it stands at, all of it, now.
        store.emit("race-steps", maxStepOf(r), { extend: final, autoplay, partial });
        await afterPaint(); // the balls move first; the loss axes (a Plotly call) follow
        if (token === app.token) { // the loss curve's axes for the data so far
          const pending = [];
          store.emit("race-axes", r, app.fn, final ? null : r.settings.steps, pending);
          await Promise.all(pending);
        }
      },
    });
  }

  /** A setting changed (the "settings" event; basins listen too): race again, if there is a start. */
  rerun() {
    writeUrl();
    if (state.start) this.run(true);
  }

  /** Race from `xy`: a click (rounded to ~1e-4 of the domain) or typed coordinates (as is). */
  startAt(xy, event, typed = false) {
    if (this.locked || !this.app.fn) return;
    const digits = (span) => Math.max(0, 4 - Math.floor(Math.log10(span)));
    state.start = typed ? xy : this.app.fn.domain.map(([lo, hi], i) => Number(xy[i].toFixed(digits(hi - lo))));
    const t = event && event.timeStamp ? event.timeStamp : performance.now();
    this.pending.click = t;
    this.pending.race = t;
    this.run(true);
  }

  /** Drop the race (and its drawings); the next one starts at `start`. */
  clear(start) {
    state.start = start;
    this.app.race = null;
    store.emit("race", null, null); // the transport goes back to 0 of 0
  }
}
