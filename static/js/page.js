// What every part of the page shares besides the store: the live objects that are not state
// (the catalog, the function and surface shown, the race), the timing figures, and the two
// drawing layers (the canvas over the landscape, the loss curve) that painters such as the
// recorder and the image saver paint from. Panels read these; they never hold each other.
import { LossCurve } from "./loss.js";
import { Trails } from "./trails.js";

const $ = (id) => document.getElementById(id);

/** The live objects: functions (id -> record), fn and surface shown, race, request tokens. */
export const app = { functions: new Map(), fn: null, surface: null, race: null, token: 0, surfaceToken: 0 };

/** Timings read by the benchmarks (bench/bench_first_load.py) and the tests. */
export const metrics = {
  firstContourMs: null, firstContourKind: null, plotlyContourMs: null, clickableMs: null,
  clickToFirstFrameMs: null, clickToRaceMs: null, fps: null, worstFrameMs: null,
};

/** Show `text` in the message box over the plot (empty: hide it). */
export function message(text) {
  const box = $("plot-message");
  box.textContent = text || "";
  box.hidden = !text;
}

/** The landscape's Plotly graph. */
export const gd = $("landscape");

// The layers: created first, so at each frame they draw before the panels that follow them.
export const trails = new Trails(gd, $("landscape-overlay"));
export const loss = new LossCurve($("loss-curve"), $("loss-overlay"));
