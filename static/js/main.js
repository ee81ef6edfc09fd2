// Wires the page together: builds the widgets, the race session (session.js) and the
// landscape (landscape.js), exposes window.descent, and starts the page (boot.js).
import { problemsOf } from "./api.js";
import { Basins } from "./basins.js";
import { boot } from "./boot.js";
import { Controls } from "./controls.js";
import { DataPanel } from "./datapanel.js";
import { ExpressionEditor } from "./expression.js";
import { Inspector } from "./inspector.js";
import { Keyboard } from "./keyboard.js";
import { Landscape } from "./landscape.js";
import { LossCurve } from "./loss.js";
import { RunsPanel } from "./runs.js";
import { modebar } from "./plot.js";
import { Present } from "./present.js";
import { Recorder } from "./record.js";
import { Session, message } from "./session.js";
import { Downloads } from "./downloads.js";
import { CodeView, raceRuns } from "./code.js";
import { LrCurve } from "./schedule.js"; // also adds the schedule picker to every run's card
import "./probes.js"; // L-BFGS: the points the current step evaluated, over the trails
import "./embed.js"; // ?embed=1: sets the page's class before the first draw
import { FairRace } from "./fair.js";
import { Gallery } from "./gallery.js";
import { LessonLink } from "./lessonlink.js";
import { download, snapshotPng, snapshotSvg } from "./snapshot.js";
import { Sweeps } from "./sweeps.js";
import { Tabs } from "./tabs.js";
import { state, store } from "./state.js";
import { drawTangent, drawn } from "./tangent.js";
import { Trails } from "./trails.js";
import { Transport } from "./transport.js";

const $ = (id) => document.getElementById(id);
const gd = $("landscape");
const metrics = {
  firstContourMs: null, firstContourKind: null, plotlyContourMs: null, clickableMs: null,
  clickToFirstFrameMs: null, clickToRaceMs: null, fps: null, worstFrameMs: null,
};
const app = { functions: new Map(), fn: null, surface: null, race: null, token: 0, surfaceToken: 0 };

// The widgets call back into the session and landscape, built right after them.
const views = {
  gd,
  trails: new Trails(gd, $("landscape-overlay")),
  loss: new LossCurve($("loss-curve"), $("loss-overlay")),
  inspector: new Inspector(),
  transport: new Transport((step, playing) => session.frame(step, playing)),
  runsPanel: new RunsPanel(() => session.rerun()),
  controls: new Controls({
    onFunction: (id) => landscape.select(id, true),
    onSetting: () => session.rerun(),
    onSuggestedStart: () => session.startAt(app.fn.start.slice(), null),
    onStart: (xy) => session.startAt(xy, null, true),
  }),
  expression: new ExpressionEditor((fn, surface) => landscape.showCustom(fn, surface)),
  basins: new Basins({ getFn: () => app.fn, redraw: () => landscape.setView(state.view) }),
  sweeps: new Sweeps({ getFn: () => app.fn, onRuns: () => (store.touch("runs"), session.rerun()) }),
  dataPanel: new DataPanel({
    getRace: () => app.race, onSurface: (fn, surface) => landscape.showData(fn, surface), onSetting: () => session.rerun(),
  }),
};
// The tangent is drawn over the trails, each frame, after them (1-D lessons).
store.on("frame", (step) => drawTangent(views.trails, step, $("slope-label")));
views.gallery = new Gallery();
views.lessonLink = new LessonLink();
views.fair = new FairRace({
  getFn: () => app.fn,
  onRuns: (start) => {
    store.touch("runs");
    if (state.start) session.rerun();
    else session.startAt(start, null, true);
  },
});
views.present = new Present(() => views.transport.redraw());
const session = new Session(app, metrics, views);
const landscape = new Landscape(app, views, session);
views.keyboard = new Keyboard({ app, gd, transport: views.transport, session });

const { trails, loss, inspector, transport, dataPanel } = views;
const downloads = new Downloads(() => app.race, message);
const recorder = new Recorder({ views, getRace: () => app.race, getFn: () => app.fn, onError: message });
new CodeView(() => raceRuns(app.race), document.getElementById("code-button"));
const lrCurve = new LrCurve($("lr-curve"));
const runRace = session.run.bind(session);
session.run = async (...args) => { // the download and record buttons follow the race: off until it is in
  downloads.refresh();
  recorder.refresh();
  try {
    return await runRace(...args);
  } finally {
    downloads.refresh();
    recorder.refresh();
    lrCurve.draw(app.race);
  }
};
const saver = (kind, make, icon) => ({
  name: `save-${kind}`, title: `Save the landscape and the race as ${kind.toUpperCase()}`, iconName: icon,
  click: (graph) => make(graph, trails, transport.step).then((blob) => download(blob, `descent-race.${kind}`))
    .catch((error) => message(`Could not save the image: ${error.message}`)),
});
modebar.push(saver("png", snapshotPng, "camera"), saver("svg", snapshotSvg, "disk"));
window.descent = {
  metrics, state, transport, trails, loss, inspector, app, drawn, dataPanel, recorder, keyboard: views.keyboard,
  get race() {
    return app.race;
  },
};

window.addEventListener("error", (event) => message(`Something went wrong: ${event.message}`));
window.addEventListener("unhandledrejection", (event) => {
  const reason = event.reason;
  message(`Something went wrong: ${reason && reason.message ? reason.message : reason}`);
});

boot({ app, metrics, views, session, landscape }).catch((error) => {
  message(`Could not load the page: ${problemsOf(error).map((p) => p.message).join("; ")}`);
});
// boot() has read the link by now (synchronously, before its first wait): open its lesson.
window.descent.tabs = new Tabs({
  graph: async () => new (await import("./graphlesson.js")).GraphLesson(),
  network: async () => new (await import("./netlesson.js")).NetworkLesson(),
});
window.descent.tabs.show();
views.gallery.show(); // the link's preset, read by boot() just now
window.descent.gallery = views.gallery;
