// "PyTorch code": a run of the race as a short runnable script (POST /api/v1/code, the
// same body as its trajectory), shown in a dialog with a Copy button.
import { trajectoryRequest } from "./api.js";
import { app } from "./page.js";

export class CodeView {
  constructor() {
    this.button = document.getElementById("code-button");
    this.dialog = document.getElementById("code-dialog");
    this.select = document.getElementById("code-run");
    this.text = document.getElementById("code-text");
    this.copyButton = document.getElementById("code-copy");
    this.button.addEventListener("click", () => this.open());
    this.select.addEventListener("change", () => this.show(Number(this.select.value)));
    this.copyButton.addEventListener("click", () => this.copy());
    document.getElementById("code-close").addEventListener("click", () => this.dialog.close());
  }

  async open() {
    const race = app.race;
    if (!race) return;
    this.select.replaceChildren(...race.entries.map((e, i) => new Option(e.label, String(i))));
    this.dialog.showModal();
    await this.show(0);
  }

  async show(index) {
    const race = app.race;
    const entry = race && race.entries[index];
    if (!entry) return;
    this.text.textContent = "…";
    const body = { ...trajectoryRequest(race.settings, entry.run), include_state: false };
    const response = await fetch("/api/v1/code", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
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
