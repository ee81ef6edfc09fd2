// The keyboard: the landscape can be driven without a mouse (a start cursor moved with the
// arrow keys, Enter races from it), and page shortcuts (Home, End, R, ?). SHORTCUTS is the
// one list: it drives the handlers and the help dialog ("?", or the Keys button).
import { app, gd } from "./page.js";
import { plotArea } from "./pick.js";
import { startLocked, state, store } from "./state.js";

const $ = (id) => document.getElementById(id);
const CURSOR_STEPS = 40; // an arrow moves the cursor 1/40 of the domain (Shift: 1/8)

/** Every key of the page. `run` is this module's handler; keys without one are handled where
 * the control lives (transport.js: space and the arrows; the dialog: Escape). */
export const SHORTCUTS = [
  { keys: ["↑", "↓", "←", "→"], what: "On the landscape (reached with Tab): move the start cursor (Shift: faster)" },
  { keys: ["Enter"], what: "On the landscape: race from the cursor" },
  { keys: ["Space"], what: "Play / pause" },
  { keys: ["←", "→"], what: "Step back / forward" },
  { key: "Home", keys: ["Home"], what: "First step", run: () => store.emit("seek", 0) }, // transport.js
  { key: "End", keys: ["End"], what: "Last step", run: () => store.emit("seek", Infinity) },
  { key: "r", keys: ["R"], what: "Replay the race from step 0", run: (k) => k.replay() },
  { key: "?", keys: ["?"], what: "Show or hide this list", run: (k) => k.toggleHelp() },
  { keys: ["Esc"], what: "Close this list" },
];

const typing = (el) => Boolean(el) && (["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) || el.isContentEditable);

export class Keyboard {
  constructor() {
    Object.assign(this, { app, gd });
    this.cursor = null; // [x] or [x, y] in data coordinates
    this.mark = document.createElement("div");
    this.mark.className = "start-cursor";
    this.mark.hidden = true;
    this.mark.setAttribute("aria-hidden", "true");
    gd.parentElement.append(this.mark);
    this.say = $("landscape-cursor");
    this.dialog = this.buildHelp();
    gd.addEventListener("keydown", (e) => this.onLandscapeKey(e));
    // A tap or click focuses the map too, but only keyboard focus shows and drives the cursor.
    gd.addEventListener("pointerdown", () => {
      this.byPointer = true;
      this.mark.hidden = true;
    }, true);
    gd.addEventListener("focus", () => this.byPointer || this.showCursor());
    gd.addEventListener("blur", () => {
      this.byPointer = false;
      this.mark.hidden = true;
    });
    document.addEventListener("keydown", (e) => this.onKey(e));
    $("keys-toggle").addEventListener("click", () => this.toggleHelp());
  }

  onKey(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const shortcut = SHORTCUTS.find((s) => s.run && s.key === key);
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run(this);
  }

  /** Arrows move the cursor, Enter races from it (prevented: the transport keeps out),
   * when the map was reached with the keyboard (Tab). */
  onLandscapeKey(event) {
    const fn = this.app.fn;
    // Focused by a click or tap, the map leaves the arrows to the transport (they step).
    if (!fn || this.byPointer || event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowDown: [1, -1], ArrowUp: [1, 1] };
    if (event.key in moves) {
      event.preventDefault();
      const [axis, sign] = moves[event.key];
      if (axis >= fn.dims) return; // a 1-D function: only x
      const xy = this.position();
      const [lo, hi] = fn.domain[axis];
      const step = ((hi - lo) / CURSOR_STEPS) * (event.shiftKey ? 5 : 1);
      xy[axis] = Math.min(hi, Math.max(lo, xy[axis] + sign * step));
      this.cursor = xy;
      this.showCursor();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (startLocked()) return this.announce("The start is locked in this lesson");
      store.emit("start-at", this.position(), null); // the session races from it
      this.announce(`Racing from ${this.describe()}`);
    }
    return undefined;
  }

  /** The cursor: where it was left, else the race's start, else the function's suggested one. */
  position() {
    const fn = this.app.fn;
    const fits = (p) => p && p.length === fn.dims;
    const from = [this.cursor, state.start, fn.start].find(fits) || fn.domain.map(([lo, hi]) => (lo + hi) / 2);
    this.cursor = from.slice();
    return this.cursor.slice();
  }

  describe() {
    const names = ["x", "y"];
    return this.position().map((v, i) => `${names[i]} = ${Number(v.toPrecision(3))}`).join(", ");
  }

  showCursor() {
    if (!this.app.fn) return;
    this.announce(`Start cursor at ${this.describe()}; Enter to race`);
    const area = plotArea(this.gd); // null in 3-D: the cursor is then only announced
    const [x, y] = this.position();
    if (!area || document.activeElement !== this.gd) {
      this.mark.hidden = true;
      return;
    }
    const s = this.app.surface;
    const yv = this.app.fn.dims === 1 && s ? s.z[nearest(s.x, x)] : y;
    this.mark.style.left = `${this.gd.offsetLeft + area.left + area.xa.c2p(x)}px`;
    this.mark.style.top = `${this.gd.offsetTop + area.top + area.ya.c2p(yv)}px`;
    this.mark.hidden = false;
  }

  announce(text) {
    if (this.say) this.say.textContent = text;
  }

  /** Play the race from step 0 (the transport), or race again if there is none yet. */
  replay() {
    if (!store.emit("replay") && state.start) store.emit("run");
  }

  buildHelp() {
    const dialog = $("keys-help");
    const list = dialog.querySelector("dl");
    for (const s of SHORTCUTS) {
      const dt = document.createElement("dt");
      dt.append(...s.keys.flatMap((k, i) => [i ? " " : "", Object.assign(document.createElement("kbd"), { textContent: k })]));
      const dd = document.createElement("dd");
      dd.textContent = s.what;
      list.append(dt, dd);
    }
    dialog.querySelector("button").addEventListener("click", () => dialog.close());
    return dialog;
  }

  toggleHelp() {
    if (this.dialog.open) this.dialog.close();
    else this.dialog.showModal();
  }
}

function nearest(xs, x) {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) best = i;
  return best;
}
