// The network lesson's settings in the link (state.js's net* keys): a shared link opens the
// same data set, network, runs, steps and slice. The controls stay what the lesson reads;
// this module copies the link into them once, before the first race, and every valid change
// of a control back into the store (an invalid one stays out of the link, and the API's
// message for it is shown as before).
import { NET_DATA, NET_RUN_LOOKS, NET_STEPS, hiddenSizes } from "./netspec.js";
import { state, update } from "./state.js";

const $ = (id) => document.getElementById(id);
const runInput = (look, what) => $(`net-${what}-${look.name}`);

/** The hidden layers for the link: null when they are the data set's own (a new data set resets them). */
function hiddenOf(net, text) {
  return hiddenSizes(text).join(",") === hiddenSizes(NET_DATA[net].hidden).join(",") ? null : text;
}

function readRuns() {
  const runs = NET_RUN_LOOKS.map((look) => ({
    optimizer: runInput(look, "opt").value,
    lr: Number(runInput(look, "lr").value),
    batch: runInput(look, "batch").value,
  }));
  return runs.every((r) => r.lr > 0 && Number.isFinite(r.lr)) ? runs : null;
}

function readSteps() {
  const n = Number($("net-steps").value);
  return Number.isInteger(n) && n >= NET_STEPS.min && n <= NET_STEPS.max ? n : null;
}

export function linkNetwork(lesson) {
  // The link into the controls (the run rows were built from state.netruns).
  $("net-data").value = state.net;
  $("net-hidden").value = state.nethidden ?? NET_DATA[state.net].hidden;
  $("net-activation").value = state.netact;
  // The input's limits are the link's (netspec.js), so the two cannot disagree.
  Object.assign($("net-steps"), { min: String(NET_STEPS.min), max: String(NET_STEPS.max), step: "1" });
  $("net-steps").value = String(state.netsteps);
  $("net-directions").value = state.netdir;
  $("net-follow").value = state.netfollow;
  lesson.seed = state.netseed;

  // The controls into the link.
  $("net-data").addEventListener("change", () => update({ net: $("net-data").value, nethidden: null }));
  $("net-hidden").addEventListener("change", () => update({ nethidden: hiddenOf(state.net, $("net-hidden").value) }));
  $("net-activation").addEventListener("change", () => update({ netact: $("net-activation").value }));
  $("net-directions").addEventListener("change", () => update({ netdir: $("net-directions").value }));
  $("net-follow").addEventListener("change", () => update({ netfollow: $("net-follow").value }));
  $("net-redraw").addEventListener("click", () => update({ netseed: lesson.seed }));
  $("net-centre-a").addEventListener("click", () => update({ netcentre: "A" }));
  $("net-centre-b").addEventListener("click", () => update({ netcentre: "B" }));
  $("net-steps").addEventListener("change", () => {
    const steps = readSteps();
    if (steps !== null) update({ netsteps: steps });
  });
  $("net-run-list").addEventListener("change", () => {
    const runs = readRuns();
    if (runs) update({ netruns: runs });
  });
}
