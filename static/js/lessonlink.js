// "Make lesson link": a teacher ticks what students may not change (lock) and what they
// should not see (hide), and gets a link to the page as it is now, in lesson mode. The list
// is read from the markup (every [data-control] names a control), so a new control with a
// data-control appears here without code. A press on a locked control says it is locked.
import { state, store } from "./state.js";

const $ = (id) => document.getElementById(id);
const SKIP = new Set(["settings"]); // a whole card: its fields are listed one by one

/** Each control's name and a label a person reads, in page order, once per name. */
export function lessonControls() {
  const seen = new Map();
  for (const el of document.querySelectorAll("[data-control]")) {
    const name = el.dataset.control;
    if (seen.has(name) || SKIP.has(name)) continue;
    seen.set(name, labelOf(el));
  }
  return [...seen].map(([name, label]) => ({ name, label }));
}

function labelOf(el) {
  if (el.dataset.label) return el.dataset.label;
  const own = el.matches("button") ? el : el.querySelector("h2, legend, label, button");
  const text = (own ? own.textContent : el.textContent).replace(/\s+/g, " ").trim();
  return text.replace(/[▾…]/g, "").trim() || el.dataset.control;
}

/** The link: the page's state now, plus lesson=true and the chosen lock and hide sets. */
export function lessonUrl(lock, hide) {
  const query = store.toQuery({ ...state, lesson: true, lock: new Set(lock), hide: new Set(hide), gallery: null });
  return `${location.origin}${location.pathname}?${query}`;
}

export class LessonLink {
  constructor() {
    this.dialog = $("lesson-dialog");
    this.rows = $("lesson-controls");
    this.output = $("lesson-url");
    $("lesson-link").addEventListener("click", () => this.open());
    $("lesson-close").addEventListener("click", () => this.dialog.close());
    $("lesson-copy").addEventListener("click", () => this.copy());
    this.rows.addEventListener("change", () => this.refresh());
    // Pointer events reach disabled controls (clicks do not): say why nothing happens.
    document.addEventListener("pointerdown", (event) => this.explain(event), true);
  }

  open() {
    this.rows.replaceChildren(...lessonControls().map(({ name, label }) => {
      const tr = document.createElement("tr");
      tr.dataset.control = name;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      const cells = ["lock", "hide"].map((what) => {
        const td = document.createElement("td");
        const box = Object.assign(document.createElement("input"), { type: "checkbox", name: `${what}-${name}`, checked: state[what].has(name) });
        box.dataset.what = what;
        box.setAttribute("aria-label", `${what === "lock" ? "Lock" : "Hide"} ${label}`);
        td.append(box);
        return td;
      });
      tr.append(th, ...cells);
      return tr;
    }));
    this.refresh();
    this.dialog.showModal();
  }

  chosen(what) {
    return [...this.rows.querySelectorAll(`input[data-what="${what}"]:checked`)].map((box) => box.closest("tr").dataset.control);
  }

  refresh() {
    this.output.value = lessonUrl(this.chosen("lock"), this.chosen("hide"));
    $("lesson-open").href = this.output.value;
    $("lesson-copy-status").textContent = "";
  }

  async copy() {
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(this.output.value);
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (!ok) {
      this.output.select();
      ok = document.execCommand("copy");
    }
    $("lesson-copy-status").textContent = ok ? "Link copied" : "Select the link and copy it";
  }

  explain(event) {
    const el = event.target instanceof Element ? event.target.closest(".locked") : null;
    const note = $("lock-note");
    if (!el) return;
    note.textContent = `Locked for this lesson: ${labelOf(el)}`;
    note.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (note.hidden = true), 3000);
  }
}
