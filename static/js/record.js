// "Record" for slides: the current race as a WebM video (MediaRecorder on a canvas the
// frames are composed on) or an animated GIF (record-gif.js), 1280×720, with the legend and
// the step counter burned in (record-frame.js). The clip plays the race at the page's speed
// (100 steps a second at 1×), at least MIN_SECONDS and at most MAX_SECONDS long, then holds
// the last frame for HOLD_MS.
import { app, gd, loss, message, trails } from "./page.js";
import { FrameComposer, HEIGHT, WIDTH } from "./record-frame.js";
import { GifWriter } from "./record-gif.js";
import { maxStepOf } from "./race.js";
import { download } from "./snapshot.js";
import { STEPS_PER_SECOND, state, store } from "./state.js";

export const FPS = 25;
export const MIN_SECONDS = 1;
export const MAX_SECONDS = 20;
export const HOLD_MS = 1000;
// VP9 first: Chromium's VP8 encoder drops most frames of a 1280×720 clip on a loaded machine.
const TYPES = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"];

/** The steps shown by each frame of a clip of the race (`maxStep` steps at `speed`). */
export function clipSteps(maxStep, speed) {
  const seconds = Math.min(MAX_SECONDS, Math.max(MIN_SECONDS, maxStep / (STEPS_PER_SECOND * speed)));
  const frames = Math.max(2, Math.min(maxStep + 1, Math.round(seconds * FPS)));
  return Array.from({ length: frames }, (_, i) => Math.round((i * maxStep) / (frames - 1)));
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** WebM: each composed frame pushed into the stream by hand (captureStream(0)), paced at FPS
 * in real time because MediaRecorder stamps frames with the time they arrive. */
async function recordWebm(canvas, ctx, composer, steps, onProgress) {
  const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
  if (!mimeType) throw new Error("this browser cannot record WebM video");
  const stream = canvas.captureStream(0);
  const [track] = stream.getVideoTracks();
  const recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 8_000_000 });
  const chunks = [];
  recorder.ondataavailable = (event) => event.data.size && chunks.push(event.data);
  const stopped = new Promise((resolve, reject) => {
    recorder.onstop = resolve;
    recorder.onerror = (event) => reject(event.error || new Error("the recording failed"));
  });
  recorder.start();
  const frame = 1000 / FPS;
  const holds = Math.round(HOLD_MS / frame);
  const shown = [...steps, ...Array(holds).fill(steps[steps.length - 1])];
  let due = performance.now();
  for (let i = 0; i < shown.length; i++) {
    composer.draw(ctx, shown[i]);
    track.requestFrame();
    onProgress(i + 1, shown.length);
    // Never catch up after a late frame with a burst (the encoder would drop the burst): a
    // late frame delays the rest of the clip instead.
    due = Math.max(due, performance.now()) + frame;
    await sleep(due - performance.now());
  }
  recorder.stop();
  track.stop();
  await stopped;
  return { blob: new Blob(chunks, { type: "video/webm" }), frames: shown.length };
}

async function recordGif(canvas, ctx, composer, steps, onProgress) {
  const writer = new GifWriter(WIDTH, HEIGHT);
  const frame = 1000 / FPS;
  for (let i = 0; i < steps.length; i++) {
    composer.draw(ctx, steps[i]);
    const last = i === steps.length - 1;
    writer.add(ctx.getImageData(0, 0, WIDTH, HEIGHT).data, last ? frame + HOLD_MS : frame);
    onProgress(i + 1, steps.length);
    await nextTask(); // keep the page responsive between frames
  }
  return { blob: writer.blob(), frames: writer.frames };
}

export class Recorder {
  constructor() {
    this.box = document.getElementById("race-record");
    this.status = document.getElementById("record-status");
    this.busy = false;
    this.last = null; // what the last recording made: {format, frames, steps, bytes, ms}
    for (const button of this.box.querySelectorAll("button[data-record]")) {
      button.addEventListener("click", () => this.record(button.dataset.record));
    }
    store.subscribe(["view"], () => this.refresh());
    store.on("start", () => this.refresh()); // a race begins: off until it is in
    store.on("race-done", () => this.refresh());
    this.refresh();
  }

  /** Usable once a 2-D race has all its steps (in 3-D the runs are Plotly's own traces). */
  refresh() {
    const race = app.race;
    const ready = Boolean(race && race.loaded && race.entries.some((e) => e.data));
    const fn = app.fn;
    const flat = !(state.view === "3d" && fn && fn.dims === 2);
    this.box.hidden = !ready;
    for (const button of this.box.querySelectorAll("button")) {
      button.disabled = !ready || !flat || this.busy;
      button.title = flat ? button.dataset.title : "Switch to the 2-D view to record";
    }
    if (!this.busy && ready && !flat) this.status.textContent = "2-D view only";
    else if (!this.busy && this.status.textContent === "2-D view only") this.status.textContent = "";
  }

  async record(format) {
    const race = app.race;
    if (!race || this.busy || (format !== "webm" && format !== "gif")) return null;
    this.busy = true;
    this.refresh();
    const started = performance.now();
    try {
      const maxStep = maxStepOf(race);
      const fn = app.fn;
      const typed = state.function === "custom" && state.expression;
      const title = `${typed ? `f = ${state.expression}` : (fn && fn.title) || "Custom function"} · Descent`;
      const composer = new FrameComposer({ race, trails, loss, gd, title, maxStep });
      this.status.textContent = "Preparing…";
      await composer.prepare();
      const canvas = document.createElement("canvas");
      canvas.width = WIDTH;
      canvas.height = HEIGHT;
      const ctx = canvas.getContext("2d", { willReadFrequently: format === "gif" });
      const steps = clipSteps(maxStep, state.speed);
      // A video is recorded in real time: a tab in the background is throttled to a frame a second.
      const verb = format === "gif" ? "Encoding GIF" : "Recording video (keep this tab in front)";
      const progress = (i, n) => (this.status.textContent = `${verb}: frame ${i} / ${n}`);
      const make = format === "gif" ? recordGif : recordWebm;
      const { blob, frames } = await make(canvas, ctx, composer, steps, progress);
      const name = typeof race.settings.function === "string" ? race.settings.function : "custom";
      download(blob, `descent-race-${name}.${format}`);
      this.last = { format, frames, steps: steps.length, bytes: blob.size, ms: performance.now() - started };
      this.status.textContent = `Saved ${frames} frames (${(blob.size / 1e6).toFixed(1)} MB)`;
      return this.last;
    } catch (error) {
      this.status.textContent = "";
      message(`Could not record the race: ${error.message}`);
      return null;
    } finally {
      this.busy = false;
      this.refresh();
    }
  }
}
