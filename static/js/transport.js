// The animation clock: play/pause, step, scrub, speed, reset, keyboard. One
// requestAnimationFrame loop announces a "tick" (the session turns it into a frame) whenever
// the step changes or a "redraw" is asked for; it also measures the frame rate while playing.
// It follows the race through store events ("race", "race-steps") and takes "seek"/"replay".
import { metrics as pageMetrics } from "./page.js";
import { STEPS_PER_SECOND, state, store, update } from "./state.js";

const $ = (id) => document.getElementById(id);
// prefers-reduced-motion: reduce: a race does not play by itself; it shows its end (the
// keys and buttons still step through it, and Play still plays it when asked).
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export class Transport {
  constructor() {
    this.t = 0;
    this.maxStep = 0;
    this.partial = false;
    this.playing = false;
    this.showEnd = false; // reduced motion: follow the race's end as its steps arrive
    this.dirty = true;
    this.lastTime = null;
    this.metrics = { fps: null, frames: 0, playMs: 0, worstFrameMs: 0, renderMsMax: 0 };
    this.els = {
      play: $("play"), back: $("step-back"), forward: $("step-forward"), scrubber: $("scrubber"),
      text: $("step-text"), speed: $("speed"), reset: $("reset"),
    };
    this.bind();
    store.on("race", () => this.load(0, false)); // a new race (or none): back to 0 of 0
    store.on("race-steps", (maxStep, { extend, autoplay, partial }) => {
      if (extend) this.extend(maxStep, partial);
      else this.load(maxStep, autoplay, partial);
      store.emit("frame", this.step, this.playing, true); // new data: draw it all now
    });
    store.on("redraw", () => this.redraw());
    store.on("seek", (k) => this.seek(Math.min(k, this.maxStep)));
    store.on("replay", () => this.maxStep > 0 && (this.seek(0), this.toggle(), true));
    requestAnimationFrame((now) => this.tick(now));
  }

  get step() {
    return Math.min(Math.floor(this.t), this.maxStep);
  }

  bind() {
    const e = this.els;
    e.play.addEventListener("click", () => this.toggle());
    e.back.addEventListener("click", () => this.stepBy(-1));
    e.forward.addEventListener("click", () => this.stepBy(1));
    e.reset.addEventListener("click", () => this.reset());
    e.scrubber.addEventListener("input", () => this.seek(Number(e.scrubber.value)));
    e.speed.addEventListener("change", () => {
      update({ speed: Number(e.speed.value) });
    });
    document.addEventListener("keydown", (event) => this.onKey(event));
  }

  onKey(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    const tag = target && target.tagName;
    const typing = tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (target && target.isContentEditable);
    if (event.key === " " || event.code === "Space") {
      // Space on a focused button or field keeps its usual meaning.
      if (typing || tag === "BUTTON" || tag === "SUMMARY" || tag === "A") return;
      event.preventDefault();
      this.toggle();
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      if (typing) return;
      event.preventDefault();
      this.stepBy(event.key === "ArrowLeft" ? -1 : 1);
    }
  }

  /** A new race: `maxStep` steps, starting at 0; plays if `autoplay`. While `partial`
   * (more steps are on their way) playing holds at the end instead of stopping. */
  load(maxStep, autoplay, partial = false) {
    this.t = 0;
    this.showEnd = autoplay && reducedMotion.matches;
    this.extend(maxStep, partial);
    this.setPlaying(autoplay && !this.showEnd && (this.maxStep > 0 || partial));
  }

  /** More steps arrived: keep the position and the play state. */
  extend(maxStep, partial = false) {
    this.maxStep = Math.max(0, maxStep | 0);
    this.partial = partial;
    this.t = this.showEnd ? this.maxStep : Math.min(this.t, this.maxStep);
    this.els.scrubber.max = String(this.maxStep);
    this.dirty = true;
  }

  setPlaying(on) {
    this.playing = on;
    this.lastTime = null;
    if (on) {
      this.metrics.frames = 0;
      this.metrics.playMs = 0;
      this.metrics.worstFrameMs = 0;
    }
    const b = this.els.play;
    b.textContent = on ? "❚❚ Pause" : "▶ Play";
    b.setAttribute("aria-pressed", String(on));
    this.dirty = true;
  }

  toggle() {
    this.showEnd = false;
    if (!this.playing && this.step >= this.maxStep) this.t = 0;
    this.setPlaying(!this.playing && this.maxStep > 0);
  }

  pause() {
    if (this.playing) this.setPlaying(false);
  }

  seek(k) {
    this.showEnd = false; // a step chosen by hand stays put when more steps arrive
    this.t = Math.max(0, Math.min(this.maxStep, Math.round(k)));
    this.pause();
    this.dirty = true;
  }

  stepBy(delta) {
    this.seek(this.step + delta);
  }

  reset() {
    this.seek(0);
  }

  redraw() {
    this.dirty = true;
  }

  tick(now) {
    requestAnimationFrame((next) => this.tick(next));
    if (this.playing) {
      if (this.lastTime !== null) {
        const dt = now - this.lastTime;
        const m = this.metrics;
        m.frames += 1;
        m.playMs += dt;
        m.worstFrameMs = Math.max(m.worstFrameMs, dt);
        if (m.playMs > 250) m.fps = (1000 * m.frames) / m.playMs;
        this.t += (dt / 1000) * STEPS_PER_SECOND * state.speed;
      }
      this.lastTime = now;
      if (this.t >= this.maxStep) {
        this.t = this.maxStep;
        if (!this.partial) this.setPlaying(false);
      }
      this.dirty = true;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const k = this.step;
    const started = performance.now();
    store.emit("tick", k, this.playing);
    this.metrics.renderMsMax = Math.max(this.metrics.renderMsMax, performance.now() - started);
    pageMetrics.fps = this.metrics.fps;
    pageMetrics.worstFrameMs = this.metrics.worstFrameMs;
    if (this.els.scrubber.value !== String(k)) this.els.scrubber.value = String(k);
    const text = `${k} / ${this.maxStep}`;
    if (this.els.text.textContent !== text) this.els.text.textContent = text;
  }
}
