// Wires the page together: the panels (one registration each, in PANELS), the race session
// (session.js) and the landscape (landscape.js); exposes window.descent and starts the page
// (boot.js). Panels find their own markup, follow the store (keys and events) and change it
// with update()/emit(): none is handed another, so adding one is its module, its markup and
// its line in PANELS (tests/browser/test_page_store.py checks that no module reaches past this).
import { problemsOf } from "./api.js";
import { Basins } from "./basins.js";
import { boot } from "./boot.js";
import { CodeView } from "./code.js";
import { Controls } from "./controls.js";
import { DataPanel } from "./datapanel.js";
import { Downloads } from "./downloads.js";
import "./embed.js"; // ?embed=1: sets the page's class before the first draw
import { ExpressionEditor } from "./expression.js";
import { FairRace } from "./fair.js";
import { Gallery } from "./gallery.js";
import { Inspector } from "./inspector.js";
import { Keyboard } from "./keyboard.js";
import { Landscape } from "./landscape.js";
import { LessonLink } from "./lessonlink.js";
import { app, gd, loss, message, metrics, trails } from "./page.js";
import { modebar } from "./plot.js";
import { Present } from "./present.js";
import "./probes.js"; // L-BFGS: the points the current step evaluated, over the trails
import { Recorder } from "./record.js";
import { RunsPanel } from "./runs.js";
import { LrCurve } from "./schedule.js"; // also adds the schedule picker to every run's card
import { Session } from "./session.js";
import { download, snapshotPng, snapshotSvg } from "./snapshot.js";
import { state } from "./state.js";
import { Sweeps } from "./sweeps.js";
import { Tabs } from "./tabs.js";
import { drawn } from "./tangent.js"; // 1-D lessons: each run's tangent, drawn every frame
import { Transport } from "./transport.js";

// The panels, in the order they hear an event (the layers in page.js hear it first).
export const PANELS = {
  inspector: Inspector, transport: Transport, runsPanel: RunsPanel, controls: Controls,
  expression: ExpressionEditor, basins: Basins, sweeps: Sweeps, dataPanel: DataPanel,
  gallery: Gallery, lessonLink: LessonLink, fair: FairRace, present: Present, keyboard: Keyboard,
  downloads: Downloads, recorder: Recorder, code: CodeView, lrCurve: LrCurve, tabs: Tabs,
};
const panels = Object.fromEntries(Object.entries(PANELS).map(([name, Panel]) => [name, new Panel()]));
const session = new Session(app, metrics);
const landscape = new Landscape(app, gd, session);

const saver = (kind, make, icon) => ({
  name: `save-${kind}`, title: `Save the landscape and the race as ${kind.toUpperCase()}`, iconName: icon,
  click: (graph) => make(graph, trails, trails.step).then((blob) => download(blob, `descent-race.${kind}`))
    .catch((error) => message(`Could not save the image: ${error.message}`)),
});
modebar.push(saver("png", snapshotPng, "camera"), saver("svg", snapshotSvg, "disk"));
window.descent = {
  metrics, state, app, drawn, trails, loss, ...panels,
  get race() {
    return app.race;
  },
};

window.addEventListener("error", (event) => message(`Something went wrong: ${event.message}`));
window.addEventListener("unhandledrejection", (event) => {
  const reason = event.reason;
  message(`Something went wrong: ${reason && reason.message ? reason.message : reason}`);
});

boot({ app, metrics, session, landscape }).catch((error) => {
  message(`Could not load the page: ${problemsOf(error).map((p) => p.message).join("; ")}`);
});
