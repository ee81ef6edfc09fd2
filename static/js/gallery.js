// The lesson gallery: a "Lessons" menu of ready presets (gallery-data.js), each an ordinary
// link to the page's state plus gallery=<id>, and the card that explains the open preset.
import { LESSONS, lessonHref } from "./gallery-data.js";
import { state, store } from "./state.js";

const $ = (id) => document.getElementById(id);

export class Gallery {
  constructor() {
    this.toggle = $("gallery-toggle");
    this.list = $("gallery-list");
    this.list.replaceChildren(...LESSONS.map((lesson) => this.item(lesson)));
    this.toggle.addEventListener("click", () => this.open(this.list.hidden));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.list.hidden) {
        this.open(false);
        this.toggle.focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (!this.list.hidden && !event.target.closest("#gallery-menu")) this.open(false);
    });
    this.card = $("gallery-card");
    this.home = [this.card.parentNode, this.card.nextSibling]; // the landscape view's column
    store.subscribe(["gallery", "tab"], () => this.show());
    store.on("link-read", () => this.show()); // the link's preset (boot.js)
    this.show();
  }

  item(lesson) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = lessonHref(lesson);
    a.dataset.lesson = lesson.id;
    const title = document.createElement("span");
    title.className = "gallery-item-title";
    title.textContent = lesson.title;
    const level = document.createElement("span");
    level.className = `gallery-level level-${lesson.level}`;
    level.textContent = lesson.level;
    a.append(title, level);
    li.append(a);
    return li;
  }

  open(yes) {
    this.list.hidden = !yes;
    this.toggle.setAttribute("aria-expanded", String(yes));
    if (yes) (this.list.querySelector("[aria-current]") || this.list.querySelector("a")).focus();
  }

  /** The card of the preset the link names (none for an unknown id or no gallery key). */
  show() {
    const lesson = LESSONS.find((l) => l.id === state.gallery) || null;
    // The card shows on its preset's own tab: a network lesson's heads the network view (one
    // card, moved there: one set of ids); on another tab it would explain what is not shown.
    const tab = lesson ? new URLSearchParams(lesson.query).get("tab") || "landscape" : null;
    this.card.hidden = !lesson || tab !== state.tab;
    if (tab === "network") $("network-view").prepend(this.card);
    else if (this.card.parentNode !== this.home[0]) this.home[0].insertBefore(this.card, this.home[1]);
    for (const a of this.list.querySelectorAll("a")) {
      if (lesson && a.dataset.lesson === lesson.id) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (!lesson) return;
    $("gallery-title").textContent = lesson.title;
    const level = $("gallery-card-level");
    level.textContent = lesson.level;
    level.className = `gallery-level level-${lesson.level}`;
    $("gallery-text").textContent = lesson.text;
    $("gallery-next").textContent = lesson.next;
  }
}
