// The computation-graph lesson: POST /api/v1/graph, the DAG laid out left to right, the
// forward pass node by node, then the backward pass edge by edge (chain-rule products shown).
import { getJson, postJson, problemsOf } from "./api.js";
import { latexToHtml } from "./latex.js";
import { fmt, state, update } from "./state.js";

const $ = (id) => document.getElementById(id);
const SYMBOL = { add: "+", sub: "−", mul: "×", div: "÷", pow: "^", neg: "−", input: "", constant: "" };
const STEP_MS = 800;

/** The animation's frames: 0 = inputs; then one per operation (forward); then the seed
 * ∂L/∂L = 1; then one per edge in backward order. */
export function frames(graph) {
  const ops = graph.nodes.filter((n) => n.op !== "input").map((n) => n.id);
  return { ops, total: 1 + ops.length + 1 + graph.edges.length };
}

/** Values shown and adjoints accumulated after frame k. */
export function shownAt(graph, k) {
  const { ops } = frames(graph);
  const known = new Set(graph.nodes.filter((n) => n.op === "input").map((n) => n.id));
  ops.slice(0, Math.max(0, k)).forEach((id) => known.add(id));
  const adjoint = new Map();
  const back = k - ops.length; // frames into the backward pass (1: the seed ∂L/∂L = 1)
  if (back >= 1) adjoint.set(graph.output, 1);
  graph.edges.slice(0, Math.max(0, back - 1)).forEach((e) => adjoint.set(e.source, (adjoint.get(e.source) || 0) + e.contribution));
  return { known, adjoint, forward: k <= ops.length, edge: back >= 2 ? graph.edges[back - 2] : null, op: k >= 1 && k <= ops.length ? ops[k - 1] : null };
}

/** The column of each node: its layer; an input sits just before its first use, so that
 * no edge passes behind a node. */
export function columnOf(graph) {
  const column = graph.nodes.map((n) => n.layer);
  for (const n of graph.nodes) {
    for (const i of n.inputs) if (graph.nodes[i].op === "input") column[i] = Math.min(column[i] === 0 ? Infinity : column[i], n.layer - 1);
  }
  return column.map((c) => (Number.isFinite(c) ? c : 0));
}

/** Columns left to right; within a column, nodes ordered by the mean row of their operands. */
export function layout(graph) {
  const columns = [];
  const column = columnOf(graph);
  for (const n of graph.nodes) (columns[column[n.id]] ||= []).push(n.id);
  const row = new Map();
  columns.forEach((ids, c) => {
    if (c > 0) ids.sort((a, b) => mean(graph.nodes[a].inputs, row) - mean(graph.nodes[b].inputs, row));
    ids.forEach((id, r) => row.set(id, r - (ids.length - 1) / 2));
  });
  return { columns: columns.length, rows: Math.max(...columns.map((c) => c.length)), row, column };
}

function mean(ids, row) {
  return ids.length ? ids.reduce((s, i) => s + row.get(i), 0) / ids.length : 0;
}

const PARTIAL = /\\frac\{\\partial ((?:[^{}]|\{[^{}]*\})+)\}\{\\partial ((?:[^{}]|\{[^{}]*\})+)\}/g;
const tex = (t) => latexToHtml(t.replace(PARTIAL, "∂$1/∂$2"));

export class GraphLesson {
  constructor() {
    this.graph = null;
    this.k = 0;
    this.timer = null;
    this.presets = [];
    this.token = 0;
    $("graph-expression").addEventListener("change", () => this.setExpression($("graph-expression").value));
    $("graph-preset").addEventListener("change", () => this.usePreset($("graph-preset").value));
    $("graph-play").addEventListener("click", () => (this.timer ? this.pause() : this.play()));
    $("graph-step").addEventListener("click", () => (this.pause(), this.go(this.k + 1)));
    $("graph-back").addEventListener("click", () => (this.pause(), this.go(this.k - 1)));
    $("graph-reset").addEventListener("click", () => (this.pause(), this.go(0)));
    $("graph-end").addEventListener("click", () => (this.pause(), this.go(Infinity)));
  }

  async show() {
    if (!this.presets.length) {
      this.presets = (await getJson("/graph/presets")).presets;
      $("graph-preset").replaceChildren(...this.presets.map((p) => new Option(p.title, p.id)), new Option("Your own…", ""));
    }
    if (!state.graph) return this.usePreset(this.presets[0].id);
    return this.build();
  }

  usePreset(id) {
    const preset = this.presets.find((p) => p.id === id);
    if (!preset) return this.setExpression($("graph-expression").value);
    update({ graph: preset.expression, gvalues: { ...preset.values } });
    return this.build();
  }

  setExpression(text) {
    update({ graph: text.trim() || null });
    return this.build();
  }

  setValue(name, text) {
    const value = Number(text.replace("−", "-"));
    if (!Number.isFinite(value)) return this.error(`"${text}" is not a number`, name);
    update({ gvalues: { ...state.gvalues, [name]: value } });
    return this.build(true);
  }

  async build(keepFrame = false) {
    const token = ++this.token;
    const preset = this.presets.find((p) => p.expression === state.graph);
    $("graph-preset").value = preset ? preset.id : "";
    $("graph-expression").value = state.graph || "";
    $("graph-note").textContent = preset ? preset.note : "Any expression: + − * / ^, sin, exp, log, … and up to 8 variables of any name.";
    const values = await this.valuesFor(state.graph);
    if (values === null || token !== this.token) return;
    try {
      const graph = await postJson("/graph", { expression: state.graph, values }, "graph");
      if (token !== this.token) return;
      this.error(null);
      this.graph = graph;
      this.fit = preset && preset.function ? preset.function : null;
    } catch (error) {
      if (token === this.token) this.error(problemsOf(error).map((p) => p.message).join("; "));
      return;
    }
    this.renderValues();
    this.draw();
    this.go(keepFrame ? this.k : 0);
  }

  /** Values for the expression's variables: those already set, else 1 (asks the server
   * which names the expression uses). */
  async valuesFor(text) {
    if (!text) return this.error("type an expression, like c*(a + 2*b)"), null;
    let have = state.gvalues || {};
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await postJson("/graph", { expression: text, values: have }, "graph");
        if (attempt) update({ gvalues: have });
        return have;
      } catch (error) {
        const problem = problemsOf(error)[0];
        const missing = /give a value for (.+)$/.exec(problem.message);
        const extra = /^(.+) not in the expression; its variables are (.*)$/.exec(problem.message);
        if (!missing && !extra) return this.error(problem.message), null;
        const names = extra ? extra[2].split(", ").filter((n) => n !== "none") : [...Object.keys(have), ...missing[1].split(", ")];
        have = Object.fromEntries(names.map((n) => [n, n in have ? have[n] : 1]));
      }
    }
    return null;
  }

  error(text) {
    const box = $("graph-error");
    box.hidden = !text;
    box.textContent = text || "";
    $("graph-expression").setAttribute("aria-invalid", text ? "true" : "false");
  }

  renderValues() {
    const box = $("graph-values");
    box.replaceChildren(...this.graph.variables.map((name) => {
      const label = document.createElement("label");
      label.className = "graph-value";
      label.innerHTML = `<span>${tex(this.graph.nodes[this.graph.variables.indexOf(name)].label)} =</span>`;
      const input = Object.assign(document.createElement("input"), { type: "text", inputMode: "decimal", value: String(state.gvalues[name]) });
      input.dataset.name = name;
      input.addEventListener("change", () => this.setValue(name, input.value));
      label.append(input);
      return label;
    }));
    const link = $("graph-fit-link");
    link.hidden = !this.fit;
    if (this.fit) link.href = `?function=${this.fit}&start=${this.graph.variables.map((n) => state.gvalues[n]).join(",")}`;
  }

  draw() {
    const g = this.graph;
    const { columns, rows, row, column } = layout(g);
    const canvas = $("graph-canvas");
    const W = 150, H = 84, padX = 24, padY = 16;
    const width = columns * W + padX * 2 - 40, height = rows * H + padY * 2;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    // A narrow screen sees the whole graph, down to 60 % (then it scrolls).
    const fit = Math.max(0.6, Math.min(1, (canvas.parentElement.clientWidth - 8) / width));
    canvas.style.transform = fit < 1 ? `scale(${fit})` : "";
    canvas.style.marginBottom = fit < 1 ? `${-(1 - fit) * height}px` : "";
    const at = (id) => ({ x: padX + column[id] * W, y: padY + (row.get(id) + (rows - 1) / 2) * H });
    this.at = at;
    const svg = $("graph-edges");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    const box = { w: 110, h: 62 };
    svg.innerHTML = g.edges.map((e, i) => {
      const a = at(e.source), b = at(e.target);
      const x1 = a.x + box.w, y1 = a.y + box.h / 2, x2 = b.x, y2 = b.y + box.h / 2, mx = (x1 + x2) / 2;
      return `<path data-edge="${i}" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}" />`;
    }).join("");
    for (const old of canvas.querySelectorAll(".gnode")) old.remove();
    for (const n of g.nodes) {
      const el = document.createElement("div");
      el.className = `gnode gnode-${n.op === "input" ? "input" : "op"}`;
      el.dataset.node = n.id;
      const p = at(n.id);
      Object.assign(el.style, { left: `${p.x}px`, top: `${p.y}px` });
      const symbol = SYMBOL[n.op] ?? n.op;
      el.title = n.op === "input" ? `input ${n.label}` : `${latexToHtml(n.definition).replace(/<[^>]+>/g, "")}: ${latexToHtml(n.latex).replace(/<[^>]+>/g, "")}`;
      el.innerHTML = `<span class="gname">${tex(n.label)}${symbol ? ` <b>${symbol}</b>` : ""}</span>` +
        `<span class="gval"></span><span class="gadj"></span>`;
      canvas.append(el);
    }
  }

  go(k) {
    if (!this.graph) return;
    const { total } = frames(this.graph);
    this.k = Math.max(0, Math.min(total - 1, k));
    const s = shownAt(this.graph, this.k);
    for (const el of document.querySelectorAll("#graph-canvas .gnode")) {
      const n = this.graph.nodes[Number(el.dataset.node)];
      el.querySelector(".gval").textContent = s.known.has(n.id) ? `= ${fmt(n.value)}` : "= ?";
      el.querySelector(".gadj").innerHTML = s.adjoint.has(n.id) ? `∂L/∂${tex(n.label)} = ${fmt(s.adjoint.get(n.id))}` : "";
      el.classList.toggle("active", n.id === s.op || (s.edge && (n.id === s.edge.source || n.id === s.edge.target)));
      el.classList.toggle("done", s.adjoint.has(n.id));
    }
    for (const path of document.querySelectorAll("#graph-edges path")) {
      const e = this.graph.edges[Number(path.dataset.edge)];
      path.classList.toggle("active", s.edge === e || (s.op !== null && e.target === s.op));
    }
    $("graph-explain").innerHTML = this.explain(s);
    $("graph-phase").textContent = `${this.k <= frames(this.graph).ops.length ? "Forward" : "Backward"} · ${this.k} / ${total - 1}`;
    const done = this.k === total - 1;
    $("graph-gradient").innerHTML = done ? "∇L = (" + this.graph.variables.map((v, i) => `∂L/∂${tex(this.graph.nodes[i].label)} = ${fmt(this.graph.gradient[v])}`).join(", ") + ")" : "";
    $("graph-play").textContent = this.timer ? "❚❚ Pause" : "▶ Play";
  }

  explain(s) {
    const g = this.graph;
    if (s.op !== null) {
      const n = g.nodes[s.op];
      return `Forward: ${tex(n.definition)} = ${fmt(n.value)}`;
    }
    if (s.edge) {
      const e = s.edge, t = g.nodes[e.target], src = g.nodes[e.source];
      const [local, formula] = e.local_latex.split(" = ");
      return `Backward: ∂L/∂${tex(src.label)} += ∂L/∂${tex(t.label)} · ${tex(local)} = ${fmt(t.adjoint)} × ${fmt(e.local)} = ${fmt(e.contribution)}` +
        `<br><span class="muted">local derivative ${tex(local)} = ${tex(formula)}</span>`;
    }
    if (this.k === 0) return "The inputs. Press ▶ Play (or ▶|) to run the forward pass.";
    return `Forward pass done: L = ${fmt(g.value)}. Backward pass: start from ∂L/∂L = 1.`;
  }

  play() {
    if (this.k >= frames(this.graph).total - 1) this.go(0);
    this.timer = setInterval(() => {
      if (this.k >= frames(this.graph).total - 1) return this.pause();
      this.go(this.k + 1);
    }, STEP_MS);
    this.go(this.k);
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.graph) this.go(this.k);
  }
}
