// Page start: read the link, load the catalog, optimizers and first surface in parallel,
// paint a quick preview while Plotly.js compiles, then draw, restore the runs and race.
// It names no panel: each step is a store event or request the panels answer ("catalog",
// "custom-activate", "data-function", "link", "plotly", "optimizers", "lesson", "ready").
import { getFunctions, getOptimizers, getSurface } from "./api.js";
import { castParams, setSpecs, specOf } from "./optimizers.js";
import { gd, message } from "./page.js";
import { listenForPicks } from "./pick.js";
import { drawLandscape, prepareSurface } from "./plot.js";
import { loadPlotly } from "./plotly-loader.js";
import { afterPaint, drawPreview } from "./preview.js";
import { CUSTOM, DEFAULTS, fromQuery, resetRuns, state, store, storyRuns, writeUrl } from "./state.js";

const $ = (id) => document.getElementById(id);

/** The function (and its surface) the link asks for, or the default with a problem shown. */
async function firstFunction(app, functionsP, surfaceP) {
  const functions = await functionsP;
  app.functions = new Map(functions.map((f) => [f.id, f]));
  store.emit("catalog", functions); // the function menu
  const custom = state.function === CUSTOM ? await store.request("custom-activate", false) : null;
  let surface = custom ? custom.surface : await surfaceP;
  if (!custom && !app.functions.has(state.function)) {
    const bad = state.function;
    state.function = DEFAULTS.function;
    state.start = null;
    surface = null;
    const text = bad === CUSTOM ? "see the typed function's problem; showing the default" : `unknown function "${bad}"; showing the default`;
    store.emit("problem", { field: "function", message: text });
  }
  app.fn = custom ? custom.fn : app.functions.get(state.function);
  const fit = await store.request("data-function", custom ? null : app.fn); // the link's own points
  if (fit) [app.fn, surface] = [fit.fn, fit.surface];
  app.surface = prepareSurface(app.fn, surface || (await getSurface(state.function)));
}

/** Draw the landscape: a canvas preview first on a cold start, then Plotly's. */
async function firstDraw(app, metrics) {
  // Cold start: Plotly.js takes a while to compile, so paint a preview of the map first.
  const preview = $("landscape-preview");
  if (!window.Plotly && state.view === "2d" && app.surface.dims === 2) {
    drawPreview(preview, app.surface);
    await afterPaint();
    metrics.firstContourMs = performance.now();
    metrics.firstContourKind = "preview";
  }
  await loadPlotly(state.view === "3d" && app.surface.dims === 2);
  // The landscape, and whatever else waits for Plotly.js (the loss curve's empty axes).
  await Promise.all([drawLandscape(gd, app.fn, app.surface, state.view, []), store.request("plotly")]);
  preview.hidden = true;
  metrics.plotlyContourMs = performance.now();
  if (metrics.firstContourMs === null) {
    metrics.firstContourMs = metrics.plotlyContourMs;
    metrics.firstContourKind = "plotly";
  }
}

export async function boot({ app, metrics, session, landscape }) {
  const problems = fromQuery(location.search);
  const functionsP = getFunctions();
  const optimizersP = getOptimizers();
  const surfaceP = state.function === CUSTOM ? null : getSurface(state.function).catch(() => null);
  store.emit("link-read"); // the tab and the lesson preset the link opens
  await firstFunction(app, functionsP, surfaceP);
  const query = new URLSearchParams(location.search);
  if (!query.has("runs")) { // no race in the link: the function's story tells one
    resetRuns(storyRuns(app.functions.get(state.function)));
    const story = app.functions.get(state.function)?.story;
    if (!query.has("steps") && story) state.steps = story.steps;
  }
  store.emit("surface", app.surface);
  store.emit("link", app.fn); // the controls show what the link set
  await firstDraw(app, metrics);
  store.emit("layout");
  listenForPicks(gd, (xy, event) => session.startAt(xy, event))();
  metrics.clickableMs = performance.now(); // bench/bench_first_load.py
  landscape.watchLayout();
  setSpecs(await optimizersP);
  const unknown = state.runs.filter((r) => !specOf(r.optimizer));
  state.runs = state.runs.filter((r) => specOf(r.optimizer)).map(castParams);
  store.emit("optimizers"); // the runs panel builds its cards
  store.emit("lesson"); // locks and hides, if the link is a lesson
  if (unknown.length || problems.length) {
    message(`Ignored part of the link: ${[...unknown.map((r) => `optimizer "${r.optimizer}"`), ...problems].join(", ")}`);
  }
  writeUrl();
  store.emit("ready"); // live from now on: the typed formula, present mode, basins
  document.body.dataset.ready = "true";
  if (state.start) await session.run(true);
}
