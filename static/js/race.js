// A race: every active run from one start, fetched in parallel (one POST per run).
// Fetched in two phases so the balls move at once: the first PREFIX_STEPS steps of every
// run (a few ms of server time), then the rest. Trajectories are deterministic (the noise
// is drawn step by step from the seed), so the first steps of the full run are the prefix.
import { ApiError, postBatch, postTrajectory, problemsOf } from "./api.js";
import { runLabel } from "./optimizers.js";
import { colorOf, state } from "./state.js";

export const PREFIX_STEPS = 100;

export function newRace() {
  return {
    start: state.start.slice(),
    settings: { ...state, start: state.start.slice() },
    ready: false, // the first phase is in: the animation can start
    loaded: false, // every run has all its steps (or failed)
    entries: state.runs.map((run, index) => ({
      run, index, color: colorOf(run), label: runLabel(run), data: null, error: null, partial: false,
    })),
  };
}

/** Fetch `entries` with `steps`; fills entry.data / entry.error; calls onProblem for errors. */
async function fetchInto(race, entries, steps, onProblem) {
  const settings = { ...race.settings, steps };
  let results = null;
  if (entries.length > 1 && steps <= PREFIX_STEPS) {
    // Short runs: one batch request is cheaper than six. Any refusal: ask run by run,
    // so each message lands next to the run that caused it.
    try {
      const out = await postBatch(settings, entries.map((e) => e.run));
      results = out.map((value) => ({ status: "fulfilled", value }));
    } catch {
      results = null;
    }
  }
  results = results || (await Promise.allSettled(entries.map((e) => postTrajectory(settings, e.run))));
  results.forEach((result, i) => {
    const entry = entries[i];
    if (result.status === "fulfilled" && result.value.points.length) {
      entry.data = result.value;
      entry.partial = steps < race.settings.steps && result.value.status === "max_steps";
      return;
    }
    const error = result.status === "fulfilled"
      ? new ApiError(0, [{ field: "start", param: null, message: "f is not finite at the start point" }])
      : result.reason;
    const problems = problemsOf(error);
    entry.error = problems.map((p) => p.message).join("; ");
    entry.partial = false;
    for (const p of problems) onProblem(p, entry.run);
  });
}

/** Runs the race; `hooks.stale()` says a newer race replaced this one. */
export async function loadRace(race, hooks) {
  const total = race.settings.steps;
  const prefix = Math.min(total, PREFIX_STEPS);
  race.timing = { created: performance.now() };
  await fetchInto(race, race.entries, prefix, hooks.onProblem);
  if (hooks.stale()) return;
  race.timing.firstData = performance.now();
  race.ready = true;
  await hooks.onData(race, false);
  const rest = race.entries.filter((e) => e.partial);
  if (rest.length && !hooks.stale()) {
    await fetchInto(race, rest, total, hooks.onProblem);
    if (hooks.stale()) return;
    for (const entry of rest) entry.partial = false;
    await hooks.onData(race, true);
  }
  race.loaded = true;
}

export function maxStepOf(race) {
  return Math.max(0, ...race.entries.filter((e) => e.data).map((e) => e.data.steps_taken));
}
