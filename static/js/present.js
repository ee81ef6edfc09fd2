// Present mode, for a projector: larger type, thicker trails, each ball labelled with its
// run. A key of the store (so a link can open in it); this panel only watches that key.
import { state, store, update } from "./state.js";

export class Present {
  /** redraw(): repaint the race (the trails read state.present). */
  constructor(redraw) {
    this.button = document.getElementById("present-toggle");
    this.redraw = redraw;
    this.button.addEventListener("click", () => update({ present: !state.present }));
    store.subscribe(["present"], () => this.show());
    this.show();
  }

  show() {
    document.body.classList.toggle("present", state.present);
    this.button.setAttribute("aria-pressed", String(state.present));
    this.redraw();
  }
}
