// The landscape: which function is shown (catalog, typed or fitted to data), its surface, and
// the 2-D/3-D view; keeps the overlays (trails, loss curve) matched to Plotly's layout.
import { getSurface, problemsOf } from "./api.js";
import { CUSTOM } from "./expression.js";
import { drawBlank, drawLandscape, prepareSurface } from "./plot.js";
import { state, store, tellStory, writeUrl } from "./state.js";

const $ = (id) => document.getElementById(id);

/** Does `start` lie inside `fn`'s domain (with as many coordinates as it has variables)? */
function startFits(fn, start) {
  return Boolean(start) && start.length === fn.dims && !start.some((v, i) => v < fn.domain[i][0] || v > fn.domain[i][1]);
}

export class Landscape {
  /** app: {functions, fn, surface, surfaceToken, …}; views: the page's widgets; session: races. */
  constructor(app, views, session) {
    this.app = app;
    this.v = views;
    this.session = session;
    store.subscribe(["view"], () => this.setView(state.view));
  }

  /** Draw fn with app.surface in the current view (3-D: with the race's traces), and resync. */
  async draw(fn = this.app.fn) {
    const { gd, trails, transport } = this.v;
    await drawLandscape(gd, fn, this.app.surface, state.view, state.view === "3d" ? trails.traces3d(transport.step) : []);
    trails.sync();
    transport.redraw();
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
    const { gd } = this.v;
    state.function = CUSTOM;
    state.expression = null;
    this.session.clear(null);
    this.app.fn = null;
    this.app.surface = null;
    store.emit("function", null); // none yet
    $("plot-hint").hidden = true;
    writeUrl();
    await drawBlank(gd, "Type a formula under “Your function” to see its landscape");
    store.emit("landscape", null);
  }

  /** A function from the menu (or the link): its data, controls and landscape. */
  async select(id, userChoice) {
    const { expression, dataPanel } = this.v;
    if (id === CUSTOM) {
      const typed = await expression.activate();
      if (!typed) await this.showBlank();
      return;
    }
    if (expression.active) expression.deactivate();
    const fn = this.app.functions.get(id);
    if (!fn) {
      store.emit("problem", { field: "function", message: `unknown function "${id}"` });
      return;
    }
    state.function = id;
    this.app.fn = fn;
    if (userChoice) state.data = null;
    if (userChoice) tellStory(fn); // its own race, steps and start (app/engine/stories.py)
    await dataPanel.setFunction(fn);
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
    const { gd, trails, loss, transport } = this.v;
    const lossDiv = $("loss-curve");
    gd.on("plotly_afterplot", () => {
      if (gd._is3d) return;
      trails.sync();
      transport.redraw();
    });
    lossDiv.on("plotly_afterplot", () => {
      loss.sync();
      transport.redraw();
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
