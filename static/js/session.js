// The race session: run every active optimizer from state.start, feed each animation frame to
// the views, and put a problem next to what caused it (a run, a control, or the plot message).
import { namesOf } from "./plot.js";
import { afterPaint } from "./preview.js";
import { loadRace, maxStepOf, newRace } from "./race.js";
import { state, writeUrl } from "./state.js";
import { drawTangent } from "./tangent.js";

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
    const { trails, dataPanel, loss, inspector, transport } = this.v;
    trails.draw(step, !playing);
    drawTangent(trails, step, $("slope-label"));
    dataPanel.draw(step);
    loss.draw(step);
    inspector.update(step, playing, !playing);
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

  showProblem(problem, run) {
    if (problem.field === "run" && run) {
      this.v.runsPanel.showError(run, problem.param, problem.message);
    } else if (!this.v.controls.showError(problem.field, problem.message)) {
      message(problem.message);
    }
  }

  /** Run every active optimizer from state.start and play the race. */
  async run(autoplay = true) {
    const { app } = this;
    const { controls, runsPanel, trails, inspector, loss, transport } = this.v;
    const token = ++app.token;
    controls.clearErrors();
    runsPanel.clearErrors();
    message("");
    writeUrl();
    controls.showStart();
    if (!state.start || !app.fn) return;
    $("plot-hint").hidden = true;
    const race = newRace();
    race.names = namesOf(app.fn);
    race.minima = app.fn.minima || [];
    race.domain = app.fn.domain; // the plotted box: leaving it is shown (diverge.js)
    app.race = race;
    trails.setRace(race, app.surface);
    inspector.setRace(race);
    loss.clearRace();
    transport.load(0, false);
    await loadRace(race, {
      stale: () => token !== app.token,
      onProblem: (problem, run) => this.showProblem(problem, run),
      onData: async (r, final) => {
        trails.setRace(r, app.surface); // new data: recompute pixel positions
        const partial = r.entries.some((e) => e.partial);
        if (final) transport.extend(maxStepOf(r), partial);
        else transport.load(maxStepOf(r), autoplay, partial);
        r.shown = true;
        inspector.update(transport.step, transport.playing, true);
        await afterPaint(); // the balls move first; the loss axes (a Plotly call) follow
        if (token === app.token) await loss.setRace(r.entries, app.fn, final ? null : r.settings.steps);
      },
    });
  }

  /** A setting changed: refresh what depends on it and race again (if there is a start). */
  rerun() {
    writeUrl();
    this.v.basins.refresh();
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
    const { trails, inspector, loss, transport } = this.v;
    state.start = start;
    this.app.race = null;
    trails.setRace(null, null);
    inspector.setRace(null);
    loss.clearRace();
    transport.load(0, false);
  }
}
