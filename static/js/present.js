// Present mode, for a projector: larger type, thicker trails, each ball labelled with its
// run. A key of the store (so a link can open in it); this panel only watches that key and
// asks for the race to be repainted (the trails read state.present).
import { state, store, update } from "./state.js";

export class Present {
  constructor() {
    this.button = document.getElementById("present-toggle");
    this.button.addEventListener("click", () => update({ present: !state.present }));
    store.subscribe(["present"], () => this.show());
    store.on("ready", () => this.show()); // the link may open in present mode
    this.show();
  }

  show() {
    document.body.classList.toggle("present", state.present);
    this.button.setAttribute("aria-pressed", String(state.present));
    store.emit("redraw");
  }
}
