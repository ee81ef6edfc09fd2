// The page's settings controls: function, steps, tolerance, noise, seed, view, copy link,
// suggested start, lesson locks; plus showing API errors next to the control that caused them.
import { latexToHtml } from "./latex.js";
import { app } from "./page.js";
import { fmt, shareUrl, state, store, update } from "./state.js";

const $ = (id) => document.getElementById(id);
const WIDE = window.matchMedia("(min-width: 1001px)"); // app.css: one column up to 1000 px
const NUMBER_FIELDS = { steps: "steps", tol: "tol", noise: "noise", seed: "seed" };

export class Controls {
  constructor() {
    this.select = $("function");
    this.placeFormula();
    WIDE.addEventListener("change", () => this.placeFormula());
    this.bind();
    store.subscribe(Object.values(NUMBER_FIELDS), () => this.showNumbers()); // a story's steps
    store.on("clear-errors", () => this.clearErrors());
    store.on("start", () => this.showStart());
    store.on("function", (fn) => { // a function is shown (null: Custom… with nothing typed)
      this.clearError("function");
      if (fn) this.showFunction(fn);
      else this.showBlank();
    });
    store.on("problem", (p, run) => !(p.field === "run" && run) && this.showError(p.field, p.message));
    store.on("catalog", (functions) => this.setFunctions(functions)); // start-up (boot.js)
    store.on("link", (fn) => this.show(fn)); // the link was read: show what it set
    store.on("lesson", () => this.applyLesson());
  }

  /** The formula in the top bar on phones (under the menu), atop the left column on wide
   * windows, where the top bar has no room left for it. */
  placeFormula() {
    const box = $("formula-box");
    if (WIDE.matches) $("formula-side").append(box);
    else document.querySelector(".topbar").insertBefore(box, document.querySelector(".view-toggle"));
  }

  bind() {
    this.select.addEventListener("change", () => store.emit("choose-function", this.select.value));
    for (const [id, key] of Object.entries(NUMBER_FIELDS)) {
      const input = $(id);
      input.addEventListener("change", () => {
        const text = input.value.trim().replace("−", "-");
        const value = Number(text);
        if (text === "" || !Number.isFinite(value)) {
          this.showError(key, `"${input.value}" is not a number`);
          return;
        }
        this.clearError(key);
        state[key] = key === "steps" || key === "seed" ? Math.round(value) : value;
        store.emit("settings");
      });
    }
    for (const radio of document.querySelectorAll("input[name=view]")) {
      radio.addEventListener("change", () => {
        if (radio.checked) update({ view: radio.value });
      });
    }
    $("copy-link").addEventListener("click", () => this.copyLink());
    $("suggested-start").addEventListener("click", () => app.fn && store.emit("start-at", app.fn.start.slice(), null));
    $("start").addEventListener("change", () => {
      const parts = $("start").value.replace(/[()]/g, "").replace(/−/g, "-").split(/[\s,;]+/).filter(Boolean);
      const xy = parts.map(Number);
      if (!xy.length || xy.some((v) => !Number.isFinite(v))) {
        this.showError("start", `type the start as numbers, e.g. "${this.example}"`);
        return;
      }
      this.clearError("start");
      store.emit("start-at", xy, null, true);
    });
  }

  setFunctions(functions) {
    this.select.replaceChildren(...functions.map((f) => new Option(f.title, f.id)), new Option("Custom… (type a formula)", "custom"));
  }

  /** Reflect `state` in the controls (after loading a URL). */
  show(fn) {
    this.select.value = state.function;
    this.showNumbers();
    $("speed").value = String(state.speed);
    for (const radio of document.querySelectorAll("input[name=view]")) radio.checked = radio.value === state.view;
    if (fn) this.showFunction(fn);
    this.showStart();
  }

  showNumbers() {
    for (const [id, key] of Object.entries(NUMBER_FIELDS)) $(id).value = String(state[key]);
  }

  showFunction(fn) {
    const code = $("formula");
    code.innerHTML = latexToHtml(fn.formula);
    code.title = `LaTeX: ${fn.formula}`;
    $("function-description").textContent = fn.description;
    this.showPrompt(fn.story ? fn.story.prompt : "");
    const flat = fn.dims !== 2; // a 1-D function is a curve: no 3-D view
    const radio3d = document.querySelector("input[name=view][value='3d']");
    radio3d.disabled = flat || state.lock.has("view");
    radio3d.parentElement.title = flat ? "A function of one variable has no 3-D surface" : "";
    if (flat && state.view === "3d") state.view = "2d";
    for (const radio of document.querySelectorAll("input[name=view]")) radio.checked = radio.value === state.view;
    this.example = fn.start.join(", ");
    $("suggested-start").disabled = state.lock.has("start");
    $("start").placeholder = fn.dims === 1 ? "x" : "x, y";
    // The pair never splits over two lines (no-break space): the button wraps before it.
    $("suggested-start").textContent = `Suggested (${fn.start.map((v) => fmt(v)).join(",\u00a0")})`;
  }

  /** No function yet (Custom… before a formula): nothing to describe or start from. */
  showBlank() {
    $("formula").textContent = "";
    $("function-description").textContent = "Type a function of x (and y) to draw its landscape, then click it to race.";
    this.showPrompt("");
    $("suggested-start").disabled = true;
    this.select.value = "custom";
  }

  /** The record's one-line "Try this: …" (app/engine/stories.py), its lead in bold. */
  showPrompt(text) {
    const box = $("function-prompt");
    const [lead, rest] = text.startsWith("Try this:") ? ["Try this:", text.slice(9)] : ["", text];
    const strong = document.createElement("strong");
    strong.textContent = lead;
    box.replaceChildren(strong, rest);
    box.hidden = !text;
  }

  showStart() {
    $("start").value = state.start ? state.start.join(", ") : "";
  }

  async copyLink() {
    const url = shareUrl();
    const status = $("copy-status");
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(url);
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (!ok) ok = legacyCopy(url);
    status.textContent = ok ? "Link copied" : "Copy this link: " + url;
    clearTimeout(this.copyTimer);
    this.copyTimer = setTimeout(() => {
      status.textContent = "";
    }, ok ? 2500 : 15000);
  }

  /** Show a message next to a settings control (steps, tol, noise, seed, start, function). */
  showError(field, message) {
    const box = $(`${field}-error`);
    if (!box) return false;
    box.textContent = message;
    box.hidden = false;
    const input = $(field);
    if (input) input.setAttribute("aria-invalid", "true");
    return true;
  }

  clearError(field) {
    const box = $(`${field}-error`);
    if (box) {
      box.hidden = true;
      box.textContent = "";
    }
    const input = $(field);
    if (input) input.removeAttribute("aria-invalid");
  }

  clearErrors() {
    for (const field of ["function", "start", ...Object.values(NUMBER_FIELDS)]) this.clearError(field);
  }

  /** Lesson mode: ?lesson=1&lock=function,runs&hide=noise (the runs panel locks itself). */
  applyLesson() {
    $("lesson-badge").hidden = !state.lesson;
    document.body.classList.toggle("lesson", state.lesson);
    const names = new Set([...state.lock, ...state.hide]);
    for (const name of names) {
      for (const el of document.querySelectorAll(`[data-control="${CSS.escape(name)}"]`)) {
        if (state.hide.has(name)) el.hidden = true;
        if (state.lock.has(name)) {
          el.classList.add("locked");
          el.title = "Locked for this lesson";
          for (const c of el.querySelectorAll("input, select, button, textarea")) c.disabled = true;
        }
      }
    }
  }
}

function legacyCopy(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
