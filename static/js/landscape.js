// The landscape: which function is shown (catalog, typed or fitted to data), its surface, and
// the 2-D/3-D view; announces each layout so the overlays (trails, loss curve) follow Plotly's.
// It names no panel: the menu, the typed formula and the data card reach it (and it them)
// through store events and requests.
import { getSurface, problemsOf } from "./api.js";
import { drawBlank, drawLandscape, prepareSurface } from "./plot.js";
import { CUSTOM, state, store, tellStory, writeUrl } from "./state.js";

const $ = (id) => document.getElementById(id);

/** Does `start` lie inside `fn`'s domain (with as many coordinates as it has variables)? */
function startFits(fn, start) {
  return Boolean(start) && start.length === fn.dims && !start.some((v, i) => v < fn.domain[i][0] || v > fn.domain[i][1]);
}

export class Landscape {
  /** app: {functions, fn, surface, surfaceToken, …} (page.js); gd: its graph; session: races. */
  constructor(app, gd, session) {
    this.app = app;
    this.gd = gd;
    this.session = session;
    store.subscribe(["view"], () => this.setView(state.view));
    store.on("choose-function", (id) => this.select(id, true)); // the function menu
    store.on("custom-surface", (fn, surface) => this.showCustom(fn, surface)); // the typed formula
    store.on("data-surface", (fn, surface) => this.showData(fn, surface)); // the data card
    store.on("redraw-landscape", () => this.setView(state.view)); // an overlay changed (basins)
  }

  /** Draw fn with app.surface in the current view (3-D: with the race's traces), and resync. */
  async draw(fn = this.app.fn) {
    const traces = state.view === "3d" ? store.ask("traces-3d").flat() : [];
    await drawLandscape(this.gd, fn, this.app.surface, state.view, traces);
    store.emit("layout");
    store.emit("redraw");
  }

  /** Fetch (or take `given`) fn's surface and draw it; false if a newer request replaced it. */
  async load(fn, given = null) {
    const app = this.app;
    const token = ++app.surfaceToken;
    const surface = given || (await getSurface(fn.id));
    if (token !== app.surfaceToken) return false;
    app.surface = prepareSurface(fn, surface);
    store.emit("surface", app.surface);
    await this.draw(fn);
    store.emit("landscape", fn); // basins and the sweep follow the landscape
    return true;
  }

  /** Other points for a data function (datapanel.js): its landscape, then race again. */
  async showData(fn, surface) {
    this.app.fn = fn;
    store.emit("function", fn); // its formula, description, prompt, start (controls.js)
    if (!startFits(fn, state.start)) state.start = fn.start.slice();
    writeUrl();
    await this.load(fn, surface);
    this.session.run(true);
  }

  /** A typed function's surface arrived (expression.js): draw it; race again if the start fits. */
  async showCustom(fn, surface) {
    state.function = CUSTOM;
    this.app.fn = fn;
    store.emit("function", fn);
    if (!startFits(fn, state.start)) this.session.clear(null);
    writeUrl();
    await this.load(fn, surface);
    if (state.start) this.session.run(true);
  }

  /** "Custom…" with no formula yet: no landscape at all, so a click cannot race the old one. */
  async showBlank() {
    state.function = CUSTOM;
    state.expression = null;
    this.session.clear(null);
    this.app.fn = null;
    this.app.surface = null;
    store.emit("function", null); // none yet
    $("plot-hint").hidden = true;
    writeUrl();
    await drawBlank(this.gd, "Type a formula under “Your function” to see its landscape");
    store.emit("landscape", null);
  }

  /** A function from the menu (or the link): its data, controls and landscape. */
  async select(id, userChoice) {
    if (id === CUSTOM) {
      const typed = await store.request("custom-activate", true); // the typed formula, if any
      if (!typed) await this.showBlank();
      return;
    }
    store.emit("custom-deactivate"); // a catalog function: the formula box goes
    const fn = this.app.functions.get(id);
    if (!fn) {
      store.emit("problem", { field: "function", message: `unknown function "${id}"` });
      return;
    }
    state.function = id;
    this.app.fn = fn;
    if (userChoice) state.data = null;
    if (userChoice) tellStory(fn); // its own race, steps and start (app/engine/stories.py)
    await store.request("data-function", fn); // its data card (or none)
    store.emit("function", fn);
    if (userChoice) this.session.clear(fn.start.slice());
    writeUrl();
    try {
      const drawn = this.load(fn);
      if (userChoice) this.session.run(true);
      await drawn;
    } catch (error) {
      for (const p of problemsOf(error)) this.session.showProblem(p);
    }
  }

  /** Redraw in `view` (the store's subscriber, and basins after their overlay changed). */
  async setView(view) {
    state.view = view === "3d" ? "3d" : "2d";
    if (!this.app.fn || !this.app.surface) return;
    await this.draw();
  }

  /** Resync the overlays after every Plotly layout, and resize the plots with their boxes. */
  watchLayout() {
    const gd = this.gd;
    const lossDiv = $("loss-curve");
    gd.on("plotly_afterplot", () => {
      if (gd._is3d) return;
      store.emit("layout");
      store.emit("redraw");
    });
    lossDiv.on("plotly_afterplot", () => {
      store.emit("loss-layout");
      store.emit("redraw");
    });
    let queued = false;
    const observer = new ResizeObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        for (const el of [gd, lossDiv]) if (el.data) window.Plotly.Plots.resize(el);
      });
    });
    observer.observe($("landscape-wrap"));
    observer.observe($("loss-wrap"));
  }
}
