// The race session: run every active optimizer from state.start, feed each animation frame to
// the views, and put a problem next to what caused it (a run, a control, or the plot message).
import { namesOf } from "./plot.js";
import { afterPaint } from "./preview.js";
import { loadRace, maxStepOf, newRace } from "./race.js";
import { state, store, writeUrl } from "./state.js";

const $ = (id) => document.getElementById(id);

/** Show `text` in the message box over the plot (empty: hide it). */
export function message(text) {
  const box = $("plot-message");
  box.textContent = text || "";
  box.hidden = !text;
}

export class Session {
  /** app: {fn, surface, race, token, …}; metrics: window.descent.metrics; views: the page's widgets. */
  constructor(app, metrics, views) {
    this.app = app;
    this.metrics = metrics;
    this.v = views;
    this.pending = { click: null, race: null }; // when the click that started a race happened
    this.locked = false; // a lesson fixes the start: clicks do not move it
  }

  /** One animation frame at `step` (the transport's callback). */
  frame(step, playing) {
    const { transport } = this.v;
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
    metrics.fps = transport.metrics.fps;
    metrics.worstFrameMs = transport.metrics.worstFrameMs;
  }

  /** Next to the run or control that caused it (whichever panel owns it), else over the plot. */
  showProblem(problem, run) {
    if (!store.emit("problem", problem, run)) message(problem.message);
  }

  /** Run every active optimizer from state.start and play the race. */
  async run(autoplay = true) {
    const { app } = this;
    const { transport } = this.v;
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
    store.emit("race", race, app.surface); // a new race: trails, inspector, loss curve
    transport.load(0, false);
    await loadRace(race, {
      stale: () => token !== app.token,
      onProblem: (problem, run) => this.showProblem(problem, run),
      onData: async (r, final) => {
        store.emit("race-data", r, app.surface); // new data: recompute pixel positions
        const partial = r.entries.some((e) => e.partial);
        if (final) transport.extend(maxStepOf(r), partial);
        else transport.load(maxStepOf(r), autoplay, partial);
        r.shown = true;
        store.emit("frame", transport.step, transport.playing, true); // new data: draw it all now
        await afterPaint(); // the balls move first; the loss axes (a Plotly call) follow
        if (token === app.token) { // the loss curve's axes for the data so far
          const pending = [];
          store.emit("race-axes", r, app.fn, final ? null : r.settings.steps, pending);
          await Promise.all(pending);
        }
      },
    });
  }

  /** A setting changed: refresh what depends on it and race again (if there is a start). */
  rerun() {
    writeUrl();
    store.emit("settings"); // basins depend on the runs and settings too
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
    store.emit("race", null, null);
    this.v.transport.load(0, false);
  }
}
