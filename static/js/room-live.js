// Class mode, shared by the student page (room-student.js) and the projector
// (room-projector.js): the room's socket with reconnection and resume, and the landscape,
// drawn by the main page's own plot module into the same #landscape element.
import { postJson } from "./api.js";
import { PALETTE } from "./palette.js";
import { drawLandscape, prepareSurface } from "./plot.js";

// The page's run palette (palette.js), one colour per optimizer a class races.
const [c0, c1, c2, c3, c4, c5] = PALETTE;
export const OPTIMIZER_COLORS = { sgd: c0, rmsprop: c1, adam: c2, adamw: c3, adagrad: c4 };
export const BASIN_COLORS = ["#F0E442", "#ff6f91", "#00c2ff", "#ffffff", "#b388ff", "#ff9e40", "#69f0ae", "#ff5252"];
export const optimizerColor = (name) => OPTIMIZER_COLORS[name] || c5;
export const basinColor = (basin) => (basin < 0 ? "#000000" : BASIN_COLORS[basin % BASIN_COLORS.length]);

const $ = (id) => document.getElementById(id);
const FINAL = new Set([4401, 4403, 4404, 4409, 4410, 4429]); // refused: reconnecting cannot help

export function setStatus(text) {
  $("room-status").textContent = text;
}

/** The room's WebSocket: says hello (hello() is asked again at each connection, so a
 * reconnect resumes), reconnects with backoff, and hands every message to onMessage. */
export class RoomSocket {
  constructor(code, hello, onMessage) {
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/rooms/${encodeURIComponent(code)}/ws`;
    this.hello = hello;
    this.onMessage = onMessage;
    this.delay = 500;
    this.stopped = false;
    this.ws = null;
  }

  connect() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      ws.send(JSON.stringify(this.hello()));
    };
    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onMessage(message);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      if (this.stopped || FINAL.has(event.code)) {
        this.stopped = true;
        return;
      }
      setStatus("Connection lost: reconnecting…");
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 8000);
    };
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close();
  }
}

/** Fetch the room's landscape and draw it; returns {fn, surface, base} (base: its traces). */
export async function showLandscape(gd, room) {
  const fn = room.function_info;
  const raw = await postJson("/surface", { function: room.function, resolution: 120, encoding: "base64" });
  const surface = prepareSurface(fn, raw);
  await drawLandscape(gd, fn, surface, "2d");
  return { fn, surface, base: gd.data.slice() };
}

/** Redraw the landscape's own traces with `traces` over them. */
export function redraw(gd, view, traces) {
  if (!view) return Promise.resolve();
  return window.Plotly.react(gd, [...view.base, ...traces], gd.layout);
}

/** One run as two traces: its trail (coloured by optimizer) and its end (by basin). */
export function runTraces(run, { width = 2, label = "" } = {}) {
  const xs = run.points.map((p) => p[0]);
  const ys = run.points.map((p) => p[1]);
  const color = optimizerColor(run.optimizer.name);
  const end = run.points[run.points.length - 1];
  return [
    { type: "scatter", mode: "lines", x: xs, y: ys, line: { color, width }, hoverinfo: "skip", showlegend: false, meta: { run: run.id } },
    {
      type: "scatter", mode: "markers", x: [end[0]], y: [end[1]], showlegend: false,
      marker: { size: 9, color: basinColor(run.basin), line: { color, width: 2 } },
      text: [label], hovertemplate: "%{text}<extra></extra>",
    },
  ];
}

/** Many runs as few traces (Plotly slows down with thousands): one trail trace per optimizer
 * (runs separated by gaps) and one trace of every end point, coloured by basin. */
export function roomTraces(runs, labelOf) {
  const trails = new Map();
  for (const run of runs) {
    const name = run.optimizer.name;
    if (!trails.has(name)) trails.set(name, { x: [], y: [] });
    const t = trails.get(name);
    for (const p of run.points) {
      t.x.push(p[0]);
      t.y.push(p[1]);
    }
    t.x.push(null);
    t.y.push(null);
  }
  const out = [...trails].map(([name, t]) => ({
    type: "scatter", mode: "lines", x: t.x, y: t.y, name, showlegend: false, hoverinfo: "skip",
    connectgaps: false, line: { color: optimizerColor(name), width: 1.5 },
  }));
  const ends = runs.map((run) => run.points[run.points.length - 1]);
  out.push({
    type: "scatter", mode: "markers", x: ends.map((p) => p[0]), y: ends.map((p) => p[1]), showlegend: false,
    marker: { size: 9, color: runs.map((run) => basinColor(run.basin)), line: { color: runs.map((run) => optimizerColor(run.optimizer.name)), width: 2 } },
    text: runs.map(labelOf), hovertemplate: "%{text}<extra></extra>",
  });
  return out;
}

export function describe(run) {
  const o = run.optimizer;
  const params = Object.entries(o).filter(([k]) => k !== "name").map(([k, v]) => `${k}=${+Number(v).toPrecision(3)}`);
  const loss = run.final_loss === null ? "diverged" : `loss ${+run.final_loss.toPrecision(3)}`;
  return `${o.name}(${params.join(", ")}) → ${loss} in ${run.steps_taken} steps`;
}

/** A list item with text only (student-supplied text is never parsed as HTML). */
export function item(text, extra = null) {
  const li = document.createElement("li");
  li.textContent = text;
  if (extra) li.append(extra);
  return li;
}
