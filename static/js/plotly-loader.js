// Plotly.js in two parts, the same plotly.js version (app/pages.py serves both): the cartesian
// bundle (contour, scatter, heatmap; 1.5 MB) draws the page, and the full one (4.8 MB: adds
// 3-D) is fetched and compiled only when a 3-D view is asked for (bench/bench_first_load.py).
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

async function loadFull(data) {
  // A cartesian bundle still on its way must run first, or it would replace the full one.
  const cartesian = loading.get(data.plotlyCartesianSrc);
  if (cartesian) await cartesian.catch(() => null);
  // The full bundle then draws every plot, those the cartesian one drew included (their
  // listeners keep firing: tests/browser/test_plotly_loading.py).
  return script(data.plotlySrc);
}

let fullPromise = null;

/** window.Plotly: with 3-D (the full bundle) when `threeD`, else whichever bundle is there. */
export function loadPlotly(threeD = false) {
  const data = document.body.dataset;
  // A page that names no bundle loads Plotly.js itself (the class-room pages: the full one).
  if (window.Plotly && (!threeD || !data.plotlySrc)) return Promise.resolve(window.Plotly);
  if (threeD || fullPromise) {
    fullPromise ||= loadFull(data).catch((error) => {
      fullPromise = null;
      throw error;
    });
    return fullPromise;
  }
  return script(data.plotlyCartesianSrc || data.plotlySrc);
}
