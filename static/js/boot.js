// Page start: read the link, load the catalog, optimizers and first surface in parallel,
// paint a quick preview while Plotly.js compiles, then draw, restore the runs and race.
import { getFunctions, getOptimizers, getSurface } from "./api.js";
import { CUSTOM } from "./expression.js";
import { listenForPicks } from "./pick.js";
import { drawLandscape, prepareSurface } from "./plot.js";
import { loadPlotly } from "./plotly-loader.js";
import { afterPaint, drawPreview } from "./preview.js";
import { castParams, setSpecs, specOf } from "./runs.js";
import { message } from "./session.js";
import { DEFAULTS, fromQuery, resetRuns, state, store, storyRuns, writeUrl } from "./state.js";

const $ = (id) => document.getElementById(id);

/** The function (and its surface) the link asks for, or the default with a problem shown. */
async function firstFunction(app, views, functionsP, surfaceP) {
  const { controls, expression, dataPanel } = views;
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
}

/** Draw the landscape: a canvas preview first on a cold start, then Plotly's. */
async function firstDraw(app, metrics, views) {
  const { gd, loss } = views;
  // Cold start: Plotly.js takes a while to compile, so paint a preview of the map first.
  const preview = $("landscape-preview");
  if (!window.Plotly && state.view === "2d" && app.surface.dims === 2) {
    drawPreview(preview, app.surface);
    await afterPaint();
    metrics.firstContourMs = performance.now();
    metrics.firstContourKind = "preview";
  }
  await loadPlotly(state.view === "3d" && app.surface.dims === 2);
  await Promise.all([drawLandscape(gd, app.fn, app.surface, state.view, []), loss.init()]);
  preview.hidden = true;
  metrics.plotlyContourMs = performance.now();
  if (metrics.firstContourMs === null) {
    metrics.firstContourMs = metrics.plotlyContourMs;
    metrics.firstContourKind = "plotly";
  }
}

export async function boot({ app, metrics, views, session, landscape }) {
  const { gd, trails, controls, runsPanel, expression, basins, sweeps } = views;
  const problems = fromQuery(location.search);
  const functionsP = getFunctions();
  const optimizersP = getOptimizers();
  const surfaceP = state.function === CUSTOM ? null : getSurface(state.function).catch(() => null);
  await firstFunction(app, views, functionsP, surfaceP);
  const query = new URLSearchParams(location.search);
  if (!query.has("runs")) { // no race in the link: the function's story tells one
    resetRuns(storyRuns(app.functions.get(state.function)));
    const story = app.functions.get(state.function)?.story;
    if (!query.has("steps") && story) state.steps = story.steps;
  }
  store.emit("surface", app.surface);
  controls.show(app.fn);
  await firstDraw(app, metrics, views);
  trails.sync();
  listenForPicks(gd, (xy, event) => session.startAt(xy, event))();
  metrics.clickableMs = performance.now(); // bench/bench_first_load.py
  landscape.watchLayout();
  setSpecs(await optimizersP);
  const unknown = state.runs.filter((r) => !specOf(r.optimizer));
  state.runs = state.runs.filter((r) => specOf(r.optimizer)).map(castParams);
  runsPanel.render();
  session.locked = controls.applyLesson(runsPanel);
  if (unknown.length || problems.length) {
    message(`Ignored part of the link: ${[...unknown.map((r) => `optimizer "${r.optimizer}"`), ...problems].join(", ")}`);
  }
  writeUrl();
  expression.live = true;
  Object.assign(window.descent, { basins, sweeps });
  views.present.show(); // the link may open in present mode
  basins.refresh(); // the link may open with the basins overlay on
  document.body.dataset.ready = "true";
  if (state.start) await session.run(true);
}
