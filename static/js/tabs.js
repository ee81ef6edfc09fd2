// Which lesson the page shows: the landscapes (the race), the computation graph or the neural
// network. One store key, `tab`; each lesson is built the first time it is shown.
import { problemsOf } from "./api.js";
import { state, store, update } from "./state.js";

const $ = (id) => document.getElementById(id);
const VIEWS = { landscape: "landscape-view", graph: "graph-view", network: "network-view" };

// Each lesson's module, loaded the first time its tab is opened.
const LESSONS = {
  graph: async () => new (await import("./graphlesson.js")).GraphLesson(),
  network: async () => new (await import("./netlesson.js")).NetworkLesson(),
};

export class Tabs {
  constructor() {
    this.lessons = LESSONS;
    this.built = {};
    $("tab").addEventListener("change", () => update({ tab: $("tab").value }));
    store.subscribe(["tab"], () => this.show());
    store.on("link-read", () => this.show()); // start-up read the link: open its lesson
  }

  async show() {
    const tab = state.tab;
    $("tab").value = tab;
    document.body.dataset.tab = tab;
    for (const [name, id] of Object.entries(VIEWS)) $(id).hidden = name !== tab;
    if (tab === "landscape") {
      window.dispatchEvent(new Event("resize")); // Plotly sizes itself again once visible
      return;
    }
    try {
      this.built[tab] ||= await this.lessons[tab]();
      await this.built[tab].show();
    } catch (error) {
      const box = $("lesson-message");
      box.hidden = false;
      box.textContent = `Could not open the lesson: ${problemsOf(error).map((p) => p.message).join("; ")}`;
    }
  }
}
