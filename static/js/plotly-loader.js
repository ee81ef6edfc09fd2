// Plotly.js in two parts, the same plotly.js version (app/pages.py serves both): the cartesian
// bundle (contour, scatter, heatmap; 1.5 MB) draws the page, and the full one (4.8 MB: adds
// 3-D) is fetched and compiled only when a 3-D view is asked for, so a first visit is
// clickable in well under a second (bench/bench_first_load.py).
const loading = new Map(); // src -> Promise<Plotly>

function script(src) {
  if (!loading.has(src)) {
    loading.set(src, new Promise((resolve, reject) => {
      const el = document.createElement("script");
      el.src = src;
      el.onload = () => (window.Plotly ? resolve(window.Plotly) : reject(new Error("Plotly did not load")));
      el.onerror = () => {
        loading.delete(src); // a later try may succeed (network back)
        reject(new Error(`could not load ${src}`));
      };
      document.head.append(el);
    }));
  }
  return loading.get(src);
}

/** Each plot's event emitter, made an instance of the full bundle's class: Plotly replaces
 * an emitter that is not its own class (dropping every listener the page added with gd.on). */
async function adoptPlots(Plotly) {
  const probe = document.createElement("div");
  await Plotly.newPlot(probe, [], {}, { staticPlot: true });
  const [Ev, Internal] = [probe._ev.constructor, probe._internalEv.constructor];
  Plotly.purge(probe);
  for (const gd of document.querySelectorAll(".js-plotly-plot")) {
    if (gd._ev) Object.setPrototypeOf(gd._ev, Ev.prototype);
    if (gd._internalEv) Object.setPrototypeOf(gd._internalEv, Internal.prototype);
  }
}

async function loadFull(data) {
  // A cartesian bundle still on its way must run first, or it would replace the full one.
  const cartesian = loading.get(data.plotlyCartesianSrc);
  if (cartesian) await cartesian.catch(() => null);
  const had = Boolean(window.Plotly);
  const Plotly = await script(data.plotlySrc);
  if (had) await adoptPlots(Plotly);
  return Plotly;
}

let fullPromise = null;

/** window.Plotly: with 3-D (the full bundle) when `threeD`, else whichever bundle is there. */
export function loadPlotly(threeD = false) {
  const data = document.body.dataset;
  if (!threeD && window.Plotly) return Promise.resolve(window.Plotly);
  if (threeD || fullPromise) {
    fullPromise ||= loadFull(data).catch((error) => {
      fullPromise = null;
      throw error;
    });
    return fullPromise;
  }
  return script(data.plotlyCartesianSrc || data.plotlySrc);
}
