// Wires the page together: load catalog + optimizers + surface, draw, race on click.
import { ApiError, getFunctions, getOptimizers, getSurface } from "./api.js";
import { Controls } from "./controls.js";
import { DataPanel } from "./datapanel.js";
import { CUSTOM, ExpressionEditor } from "./expression.js";
import { Basins } from "./basins.js";
import { Sweeps } from "./sweeps.js";
import { Inspector } from "./inspector.js";
import { LossCurve } from "./loss.js";
import { listenForPicks } from "./pick.js";
import { drawLandscape, namesOf, prepareSurface } from "./plot.js";
import { afterPaint, drawPreview, loadPlotly } from "./preview.js";
import { loadRace, maxStepOf, newRace } from "./race.js";
import { RunsPanel, setSpecs, specOf } from "./runs.js";
import { DEFAULTS, fromQuery, state, writeUrl } from "./state.js";
import { drawTangent, drawn } from "./tangent.js";
import { Trails } from "./trails.js";
import { Transport } from "./transport.js";

const $ = (id) => document.getElementById(id);
const gd = $("landscape");
const metrics = {
  firstContourMs: null, firstContourKind: null, plotlyContourMs: null,
  clickToFirstFrameMs: null, clickToRaceMs: null, fps: null, worstFrameMs: null,
};
const app = { functions: new Map(), fn: null, surface: null, race: null, token: 0, surfaceToken: 0 };
const pending = { click: null, race: null };

const trails = new Trails(gd, $("landscape-overlay"));
const loss = new LossCurve($("loss-curve"), $("loss-overlay"));
const inspector = new Inspector();
const transport = new Transport(onFrame, () => writeUrl());
const runsPanel = new RunsPanel(() => rerun());
const controls = new Controls({
  onFunction: (id) => selectFunction(id, true),
  onSetting: () => rerun(),
  onView: (view) => setView(view),
  onSuggestedStart: () => startAt(app.fn.start.slice(), null),
  onStart: (xy) => startAt(xy, null, true),
});
const expression = new ExpressionEditor((fn, surface, changed) => showCustom(fn, surface, changed));
const basins = new Basins({ getFn: () => app.fn, redraw: () => setView(state.view) });
const sweeps = new Sweeps({ getFn: () => app.fn, onRuns: () => (runsPanel.render(), rerun()) });
const dataPanel = new DataPanel({ getRace: () => app.race, onSurface: (fn, surface) => showData(fn, surface), onSetting: () => rerun() });
let startLocked = false;

window.descent = {
  metrics, state, transport, trails, loss, inspector, app, drawn, dataPanel,
  get race() {
    return app.race;
  },
};

function onFrame(step, playing) {
  trails.draw(step, !playing);
  drawTangent(trails, step, $("slope-label"));
  dataPanel.draw(step);
  loss.draw(step);
  inspector.update(step, playing, !playing);
  const now = performance.now();
  if (pending.click !== null) {
    metrics.clickToFirstFrameMs = now - pending.click;
    pending.click = null;
  }
  if (pending.race !== null && app.race && app.race.shown) {
    metrics.clickToRaceMs = now - pending.race;
    pending.race = null;
  }
  metrics.fps = transport.metrics.fps;
  metrics.worstFrameMs = transport.metrics.worstFrameMs;
}

function message(text) {
  const box = $("plot-message");
  box.textContent = text || "";
  box.hidden = !text;
}

function showProblem(problem, run) {
  if (problem.field === "run" && run) {
    runsPanel.showError(run, problem.param, problem.message);
  } else if (!controls.showError(problem.field, problem.message)) {
    message(problem.message);
  }
}

/** Run every active optimizer from state.start and play the race. */
async function runRace(autoplay = true) {
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
  app.race = race;
  trails.setRace(race, app.surface);
  inspector.setRace(race);
  loss.clearRace();
  transport.load(0, false);
  await loadRace(race, {
    stale: () => token !== app.token,
    onProblem: showProblem,
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

function rerun() {
  writeUrl();
  basins.refresh();
  if (state.start) runRace(true);
}

/** Race from `xy`: a click (rounded to ~1e-4 of the domain) or typed coordinates (as is). */
function startAt(xy, event, typed = false) {
  if (startLocked) return;
  const digits = (span) => Math.max(0, 4 - Math.floor(Math.log10(span)));
  state.start = typed ? xy : app.fn.domain.map(([lo, hi], i) => Number(xy[i].toFixed(digits(hi - lo))));
  const t = event && event.timeStamp ? event.timeStamp : performance.now();
  pending.click = t;
  pending.race = t;
  runRace(true);
}

async function loadSurface(fn, given = null) {
  const token = ++app.surfaceToken;
  const surface = given || (await getSurface(fn.id));
  if (token !== app.surfaceToken) return false;
  app.surface = prepareSurface(fn, surface);
  trails.surface = app.surface;
  await drawLandscape(gd, fn, app.surface, state.view, state.view === "3d" ? trails.traces3d(transport.step) : []);
  trails.sync();
  transport.redraw();
  basins.refresh();
  sweeps.stale();
  return true;
}

/** Other points for a data function (datapanel.js): its landscape, then race again. */
async function showData(fn, surface) {
  app.fn = fn;
  controls.showFunction(fn);
  const s = state.start;
  if (!s || s.length !== fn.dims || s.some((v, i) => v < fn.domain[i][0] || v > fn.domain[i][1])) state.start = fn.start.slice();
  writeUrl();
  await loadSurface(fn, surface);
  runRace(true);
}

function clearRace(start) {
  state.start = start;
  app.race = null;
  trails.setRace(null, null);
  inspector.setRace(null);
  loss.clearRace();
  transport.load(0, false);
}

/** A typed function's surface arrived (expression.js): draw it; race again if the start fits. */
async function showCustom(fn, surface) {
  state.function = CUSTOM;
  app.fn = fn;
  controls.clearError("function");
  controls.showFunction(fn);
  const s = state.start;
  if (!s || s.length !== fn.dims || s.some((v, i) => v < fn.domain[i][0] || v > fn.domain[i][1])) clearRace(null);
  writeUrl();
  await loadSurface(fn, surface);
  if (state.start) runRace(true);
}

async function selectFunction(id, userChoice) {
  if (id === CUSTOM) return expression.activate();
  if (expression.active) expression.deactivate();
  const fn = app.functions.get(id);
  if (!fn) {
    controls.showError("function", `unknown function "${id}"`);
    return;
  }
  controls.clearError("function");
  state.function = id;
  app.fn = fn;
  if (userChoice) state.data = null;
  await dataPanel.setFunction(fn);
  controls.showFunction(fn);
  if (userChoice) clearRace(fn.start.slice());
  writeUrl();
  try {
    const drawn = loadSurface(fn);
    if (userChoice) runRace(true);
    await drawn;
  } catch (error) {
    const problems = error instanceof ApiError ? error.problems : [{ field: "page", message: String(error) }];
    for (const p of problems) showProblem(p);
  }
}

async function setView(view) {
  state.view = view === "3d" ? "3d" : "2d";
  writeUrl();
  if (!app.fn || !app.surface) return;
  await drawLandscape(gd, app.fn, app.surface, state.view, state.view === "3d" ? trails.traces3d(transport.step) : []);
  trails.sync();
  transport.redraw();
}

function watchLayout() {
  gd.on("plotly_afterplot", () => {
    if (gd._is3d) return;
    trails.sync();
    transport.redraw();
  });
  $("loss-curve").on("plotly_afterplot", () => {
    loss.sync();
    transport.redraw();
  });
  let queued = false;
  const observer = new ResizeObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      for (const el of [gd, $("loss-curve")]) if (el._fullLayout) window.Plotly.Plots.resize(el);
    });
  });
  observer.observe($("landscape-wrap"));
  observer.observe($("loss-wrap"));
}

async function boot() {
  const problems = fromQuery(location.search);
  const functionsP = getFunctions();
  const optimizersP = getOptimizers();
  const surfaceP = state.function === CUSTOM ? null : getSurface(state.function).catch(() => null);
  const functions = await functionsP;
  app.functions = new Map(functions.map((f) => [f.id, f]));
  controls.setFunctions(functions);
  const custom = state.function === CUSTOM ? await expression.activate(false) : null;
  let surface = custom ? custom.surface : await surfaceP;
  if (!custom && !app.functions.has(state.function)) {
    const bad = state.function;
    state.function = DEFAULTS.function;
    state.start = null;
    surface = null;
    controls.showError("function", bad === CUSTOM ? "see the typed function's problem; showing the default" : `unknown function "${bad}"; showing the default`);
  }
  app.fn = custom ? custom.fn : app.functions.get(state.function);
  const fit = await dataPanel.setFunction(custom ? null : app.fn);
  if (fit) [app.fn, surface] = [fit.fn, fit.surface];
  app.surface = prepareSurface(app.fn, surface || (await getSurface(state.function)));
  trails.surface = app.surface;
  controls.show(app.fn);
  // Cold start: Plotly.js takes a while to compile, so paint a preview of the map first.
  const preview = $("landscape-preview");
  if (!window.Plotly && state.view === "2d" && app.surface.dims === 2) {
    drawPreview(preview, app.surface);
    await afterPaint();
    metrics.firstContourMs = performance.now();
    metrics.firstContourKind = "preview";
  }
  await loadPlotly(document.body.dataset.plotlySrc);
  await Promise.all([drawLandscape(gd, app.fn, app.surface, state.view, []), loss.init()]);
  preview.hidden = true;
  metrics.plotlyContourMs = performance.now();
  if (metrics.firstContourMs === null) {
    metrics.firstContourMs = metrics.plotlyContourMs;
    metrics.firstContourKind = "plotly";
  }
  trails.sync();
  listenForPicks(gd, startAt)();
  watchLayout();
  setSpecs(await optimizersP);
  const unknown = state.runs.filter((r) => !specOf(r.optimizer));
  state.runs = state.runs.filter((r) => specOf(r.optimizer));
  runsPanel.render();
  startLocked = controls.applyLesson(runsPanel);
  if (unknown.length || problems.length) {
    message(`Ignored part of the link: ${[...unknown.map((r) => `optimizer "${r.optimizer}"`), ...problems].join(", ")}`);
  }
  writeUrl();
  expression.live = true;
  Object.assign(window.descent, { basins, sweeps });
  basins.refresh();
  document.body.dataset.ready = "true";
  if (state.start) await runRace(true);
}

window.addEventListener("error", (event) => message(`Something went wrong: ${event.message}`));
window.addEventListener("unhandledrejection", (event) => {
  const reason = event.reason;
  message(`Something went wrong: ${reason && reason.message ? reason.message : reason}`);
});

boot().catch((error) => {
  const problems = error instanceof ApiError ? error.problems : [{ field: "page", message: String(error && error.message ? error.message : error) }];
  message(`Could not load the page: ${problems.map((p) => p.message).join("; ")}`);
});
