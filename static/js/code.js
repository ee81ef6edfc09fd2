// "PyTorch code": a run as a short runnable script (POST /api/v1/code, the same body as its
// trajectory), shown in a dialog with a Copy button. One dialog serves every view: the race
// and the network lesson each have a button: the race's is wired here, other views send
// their runs as the store's "show-code" event.
import { trajectoryRequest } from "./api.js";
import { app } from "./page.js";
import { store } from "./state.js";

export class CodeView {
  constructor() {
    this.dialog = document.getElementById("code-dialog");
    this.select = document.getElementById("code-run");
    this.text = document.getElementById("code-text");
    this.copyButton = document.getElementById("code-copy");
    document.getElementById("code-button").addEventListener("click", () => this.open(raceRuns(app.race)));
    store.on("show-code", (runs) => this.open(runs)); // [{label, body}]: the trajectory requests
    this.select.addEventListener("change", () => this.show(Number(this.select.value)));
    this.copyButton.addEventListener("click", () => this.copy());
    document.getElementById("code-close").addEventListener("click", () => this.dialog.close());
  }

  async open(runs) {
    this.runs = runs;
    if (!this.runs || !this.runs.length) return;
    this.select.replaceChildren(...this.runs.map((r, i) => new Option(r.label, String(i))));
    this.dialog.showModal();
    await this.show(0);
  }

  async show(index) {
    const run = this.runs && this.runs[index];
    if (!run) return;
    this.text.textContent = "…";
    const response = await fetch("/api/v1/code", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...run.body, include_state: false }),
    });
    if (response.ok) this.text.textContent = await response.text();
    else {
      let detail = `HTTP ${response.status}`;
      try {
        const d = (await response.json()).detail;
        detail = Array.isArray(d) ? d.map((e) => e.msg).join("; ") : d;
      } catch { /* not JSON */ }
      this.text.textContent = `# This run cannot be exported: ${detail}`;
    }
    this.copyButton.textContent = "Copy";
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.text.textContent);
      this.copyButton.textContent = "Copied";
    } catch { // no clipboard permission: select the text for Ctrl+C
      const range = document.createRange();
      range.selectNodeContents(this.text);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      this.copyButton.textContent = "Selected: press Ctrl+C";
    }
  }
}

/** The race's runs as code requests. */
export function raceRuns(race) {
  return race && race.entries.map((e) => ({ label: e.label, body: trajectoryRequest(race.settings, e.run) }));
}
