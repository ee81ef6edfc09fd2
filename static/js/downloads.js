// Downloads of the current race: CSV and JSON of every run's points, and one self-contained
// HTML page (Plotly figure with frames, no internet needed). The API builds all three from
// the race's own settings (POST /trajectories/batch?format=…), as the CLI and notebook do.
import { ApiError, locate, trajectoryRequest } from "./api.js";
import { app, message } from "./page.js";
import { download } from "./snapshot.js";
import { store } from "./state.js";

const TYPES = { csv: "csv", json: "json", html: "html" };

/** The batch body of a race, as the page sent its runs (without the inspector's state). */
export function raceBody(race) {
  return { runs: race.entries.map((e) => ({ ...trajectoryRequest(race.settings, e.run), include_state: false })) };
}

async function fetchAs(body, format) {
  const response = await fetch(`/api/v1/trajectories/batch?format=${format}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch { /* not JSON */ }
    throw new ApiError(response.status, (Array.isArray(detail) ? detail : [detail]).map((e) => locate(e, "page")));
  }
  return response.blob();
}

export class Downloads {
  constructor() {
    this.box = document.getElementById("race-downloads");
    this.busy = false;
    for (const button of this.box.querySelectorAll("button[data-format]")) {
      button.addEventListener("click", () => this.save(button.dataset.format, button));
    }
    store.on("start", () => this.refresh()); // a race begins: off until it is in
    store.on("race-done", () => this.refresh());
    this.refresh();
  }

  /** Buttons usable only once a race has all its steps. */
  refresh() {
    const race = app.race;
    const ready = Boolean(race && race.loaded && race.entries.some((e) => e.data));
    this.box.hidden = !ready;
    for (const button of this.box.querySelectorAll("button")) button.disabled = !ready || this.busy;
  }

  async save(format, button) {
    const race = app.race;
    if (!race || !TYPES[format]) return;
    const label = button.textContent;
    this.busy = true;
    button.textContent = "…";
    this.refresh();
    try {
      const blob = await fetchAs(raceBody(race), format);
      const name = typeof race.settings.function === "string" && race.settings.function !== "custom" ? race.settings.function : "custom";
      download(blob, `descent-race-${name}.${TYPES[format]}`);
    } catch (error) {
      message(`Could not download the race: ${error.message}`);
    } finally {
      this.busy = false;
      button.textContent = label;
      this.refresh();
    }
  }
}
