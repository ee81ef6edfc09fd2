// The neural-network lesson: a network is a loss function of all its weights; its landscape
// is drawn as a slice (POST /api/v1/slices), the loss on a plane θ_c + α·d₁ + β·d₂. A click
// on the plane starts two runs there (POST /api/v1/trajectories/batch, parameters every k
// steps), drawn projected on the plane beside what the network does and the loss curves.
import { getJson, postJson, problemsOf } from "./api.js";
import { BoundaryView } from "./netboundary.js";
import { CurveView } from "./netcurve.js";
import { onPlane, projector } from "./netmodel.js";
import { SliceView } from "./netslice.js";
import { NET_BATCHES, NET_DATA as DATA, NET_OPTIMIZERS, NET_RUN_LOOKS, hiddenSizes } from "./netspec.js";
import { linkNetwork } from "./netlink.js";
import { state, store } from "./state.js";

const $ = (id) => document.getElementById(id);
const RESOLUTION = { toy: 41, digits: 31 };
const HELD_OUT = 12;
const FRAMES = 100; // parameter vectors kept per run (record_every = steps / FRAMES)
const PLAY_MS = 2500;

export class NetworkLesson {
  constructor() {
    this.token = 0;
    this.seed = 0;
    this.centre = null;
    this.runs = [];
    this.view = new SliceView($("net-slice"), (a, b) => this.race(onPlane(this.centre, this.slice.directions, a, b)));
    this.boundary = new BoundaryView($("net-boundary"), $("net-digits"));
    this.curve = new CurveView($("net-curve"));
    $("net-data").replaceChildren(...Object.entries(DATA).map(([id, d]) => new Option(d.label, id)));
    $("net-run-list").replaceChildren(...NET_RUN_LOOKS.map((look, i) => this.runControls({ ...look, ...state.netruns[i] })));
    $("net-data").addEventListener("change", () => (($("net-hidden").value = DATA[$("net-data").value].hidden), this.restart()));
    // Any setting the link keeps (netlink.js) races again from torch's initialisation, so the
    // page shows what its link reopens; a click on the plane races from the click.
    for (const id of ["net-hidden", "net-activation", "net-steps", "net-run-list"]) $(id).addEventListener("change", () => this.restart());
    $("net-directions").addEventListener("change", () => this.redraw());
    $("net-redraw").addEventListener("click", () => ((this.seed += 1), this.redraw()));
    $("net-centre-a").addEventListener("click", () => this.recentre(0));
    $("net-centre-b").addEventListener("click", () => this.recentre(1));
    $("net-play").addEventListener("click", () => this.play());
    $("net-code").addEventListener("click", () => store.emit("show-code", (this.runs || []).map((r) => ({ label: `Run ${r.name} (${r.result.optimizer.name})`, body: r.body }))));
    $("net-follow").addEventListener("change", () => this.frame(this.at ?? FRAMES));
    linkNetwork(this); // the link's settings into the controls, and the controls into the link
    window.descent.network = this; // for the browser tests
  }

  runControls(run) {
    const row = document.createElement("div");
    row.className = "net-run";
    row.style.setProperty("--run", run.color);
    const id = (what) => `net-${what}-${run.name}`;
    row.innerHTML = `<b>${run.name}</b>
      <label class="visually-hidden" for="${id("opt")}">Run ${run.name} optimizer</label><select id="${id("opt")}">${NET_OPTIMIZERS.map((o) => `<option${o === run.optimizer ? " selected" : ""}>${o}</option>`).join("")}</select>
      <label for="${id("lr")}">lr</label><input id="${id("lr")}" type="number" step="any" min="0" value="${run.lr}">
      <label for="${id("batch")}">batch</label><select id="${id("batch")}">${NET_BATCHES.map((b) => `<option value="${b}"${b === run.batch ? " selected" : ""}>${b || "all"}</option>`).join("")}</select>`;
    return row;
  }

  async show() {
    this.started ||= this.restart(); // the first time only
    await this.started;
  }

  get net() {
    const name = $("net-data").value;
    const hidden = hiddenSizes($("net-hidden").value);
    const ends = name === "digits" ? [64, 10] : [2, 1];
    return { layers: [ends[0], ...hidden, ends[1]], activation: $("net-activation").value, loss: DATA[name].loss };
  }

  get spec() {
    const name = $("net-data").value;
    return { network: this.net, data: { dataset: name, n: DATA[name].n, noise: 0.1, seed: 0 } };
  }

  settings(run) {
    const pick = (what) => $(`net-${what}-${run.name}`).value;
    const steps = Number($("net-steps").value) || 300;
    const body = { optimizer: { name: pick("opt"), lr: Number(pick("lr")) }, steps, tol: 0, record_every: Math.max(1, Math.ceil(steps / FRAMES)) };
    if (pick("batch")) body.batch_size = Number(pick("batch"));
    return body;
  }

  /** A new network or data set: load the data, race from torch's initialisation, and slice
   * around run A's end (a trained network: the valley the runs found). */
  async restart() {
    const token = ++this.token;
    this.ready = false;
    this.error(null);
    const name = $("net-data").value;
    const spec = this.spec;
    $("net-shape").textContent = `${spec.network.layers.join("-")} ${spec.network.activation} network, ${{ bce: "binary cross-entropy", ce: "cross-entropy" }[spec.network.loss]}`;
    $("net-side-title").textContent = name === "digits" ? "Held-out digits: the network's answers" : "Decision boundary";
    try {
      const data = await getJson(`/networks/datasets/${name}?n=${DATA[name].n}&held_out=${name === "digits" ? HELD_OUT : 0}`);
      if (token !== this.token) return;
      this.data = data;
      this.boundary.setData(data, spec.network);
      this.centre = null;
      await this.race({ init: "torch", seed: 0 }, token);
    } catch (error) {
      if (token === this.token) this.error(error);
    }
  }

  async race(start, token = ++this.token) {
    this.ready = false;
    this.error(null);
    this.status("training…");
    try {
      const spec = this.spec;
      const runs = NET_RUN_LOOKS.map((run) => ({ function: spec, start, ...this.settings(run) }));
      const { results } = await postJson("/trajectories/batch", { runs }, "run");
      if (token !== this.token) return;
      cancelAnimationFrame(this.raf);
      this.runs = results.map((r, i) => ({ ...NET_RUN_LOOKS[i], result: r, path: [], body: runs[i] }));
      const dims = results[0].points[0].length;
      $("net-explain").textContent = `This network has ${dims.toLocaleString()} parameters: its loss is a surface over ${dims.toLocaleString()} dimensions. The picture is one plane through θ_c, θ = θ_c + α·d₁ + β·d₂. Click anywhere on it to train from that point: runs A and B race, drawn projected on the plane.`;
      if (!this.centre) await this.sliceAround(results[state.netcentre === "B" ? 1 : 0].points.at(-1), token);
      else this.project();
      this.status(this.runs.map((run) => `${run.name} ends ${run.path.at(-1).off.toPrecision(2)} off the plane`).join(" · "));
      this.play();
    } catch (error) {
      if (token === this.token) this.error(error);
    }
  }

  async sliceAround(centre, token = ++this.token) {
    this.status("slicing…");
    const kind = $("net-directions").value;
    const name = $("net-data").value;
    const body = {
      function: this.spec, center: centre, directions: kind, resolution: RESOLUTION[name === "digits" ? "digits" : "toy"],
      span: 1, seed: this.seed, encoding: "base64",
    };
    if (kind !== "filter-normalized") body.trajectory = this.runs[0].result.points;
    const slice = await postJson("/slices", body);
    if (token !== this.token) return;
    this.centre = slice.center;
    this.slice = slice;
    this.view.setSlice(slice);
    this.project();
    this.note();
  }

  async redraw() {
    const token = ++this.token;
    this.ready = false;
    try {
      await this.sliceAround(this.centre, token);
      this.frame(FRAMES);
      this.ready = token === this.token;
    } catch (error) {
      if (token === this.token) this.error(error);
    }
  }

  async recentre(i) {
    if (!this.runs[i]) return;
    const token = ++this.token;
    this.ready = false;
    try {
      await this.sliceAround(this.runs[i].result.points.at(-1), token);
      this.frame(FRAMES);
      this.ready = token === this.token;
    } catch (error) {
      if (token === this.token) this.error(error);
    }
  }

  project() {
    const to = projector(this.centre, this.slice.directions);
    for (const run of this.runs) run.path = run.result.points.map(to);
  }

  /** How sharp the slice is around θ_c: the mean rise of the loss within radius 0.25. */
  note() {
    const { x, y } = this.slice;
    const z = this.view.slice.values;
    let sum = 0;
    let count = 0;
    let centre = NaN;
    y.forEach((b, j) => x.forEach((a, i) => {
      const r = Math.hypot(a, b);
      if (r < 1e-12) centre = z[j * x.length + i];
      if (r <= 0.25 + 1e-12) (sum += z[j * x.length + i]), (count += 1);
    }));
    const rise = sum / count - centre;
    const explained = this.slice.explained ? ` PCA: d₁, d₂ explain ${this.slice.explained.map((v) => `${(100 * v).toFixed(0)}%`).join(" and ")} of run A's moves.` : "";
    $("net-slice-note").textContent = `Loss at θ_c ${centre.toPrecision(3)}; within 0.25 of it the loss rises by ${rise.toPrecision(2)} on average (flat minima: small rises).${explained} Paths are projections: the runs also move off the plane.`;
    this.status("");
  }

  play() {
    cancelAnimationFrame(this.raf);
    const token = this.token;
    const t0 = performance.now();
    const tick = (now) => {
      const k = Math.max(0, Math.min(FRAMES, Math.round(((now - t0) / PLAY_MS) * FRAMES)));
      this.frame(k);
      if (k < FRAMES) this.raf = requestAnimationFrame(tick);
      else this.ready = token === this.token; // the tests wait for this
    };
    this.raf = requestAnimationFrame(tick);
  }

  /** Frame k of FRAMES: each run up to the matching recorded point. */
  frame(k) {
    if (!this.runs.length || !this.slice) return;
    this.at = k;
    const upto = (run) => Math.min(run.result.points.length - 1, Math.round((k / FRAMES) * (run.result.points.length - 1)));
    this.view.setRuns(this.runs.map((run) => ({ color: run.color, path: run.path, upto: upto(run) })));
    const follow = this.runs[$("net-follow").value === "B" ? 1 : 0];
    const i = upto(follow);
    this.boundary.show(follow.result.points[i]);
    const step = (follow.result.point_steps || follow.result.points.map((_, j) => j))[i];
    this.curve.setRuns(this.runs.map((run) => ({ color: run.color, losses: run.result.losses })), step);
    $("net-losses").textContent = this.runs.map((run) => `${run.name} ${run.result.losses[Math.min(step, run.result.losses.length - 1)].toPrecision(3)}`).join(" · ");
    const digits = $("net-digits").dataset.right;
    if (!$("net-digits").hidden && digits) $("net-digits").setAttribute("aria-label", `${digits} read right`);
  }

  status(text) {
    $("net-status").textContent = text;
  }

  error(error) {
    const box = $("net-error");
    box.hidden = !error;
    box.textContent = error ? problemsOf(error).map((p) => p.message).join("; ") : "";
    if (error) this.status("");
    if (error) this.ready = true; // settled, with the error shown
  }
}
