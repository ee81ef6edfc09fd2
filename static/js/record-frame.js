// One frame of a recorded race, composed at projector resolution (1280×720): the landscape
// and the loss axes (Plotly's own images, made once), the trails and loss curves painted by
// the page's own painters (trails.paint, loss.paint) at the frame's step, and burned in: a
// title, the step counter and the legend (each run's colour, label and current loss).
import { fmt } from "./state.js";

export const WIDTH = 1280;
export const HEIGHT = 720;
const HEADER = 64; // the title and step counter band
const PAD = 16;
const SPLIT = 820; // the landscape's column; the legend and the loss curve take the rest
const ROW = 30; // one legend row
const CURVE = 400; // the loss curve's height at most
const FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
export const INK = "#1f2933"; // text (record-gif.js keeps it in the palette)
export const PAPER = "#ffffff";

const Plotly = () => window.Plotly;

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("the plot could not be drawn as an image"));
    img.src = url;
  });
}

/** A Plotly graph as an image fitted into a box: {img, x, y, scale} (scale: image px per CSS px). */
async function fitted(gd, box) {
  const { width, height } = gd.getBoundingClientRect();
  const scale = Math.min(box.w / width, box.h / height);
  const img = await loadImage(await Plotly().toImage(gd, { format: "png", width, height, scale }));
  return {
    img, scale, x: box.x + Math.round((box.w - img.width) / 2), y: box.y + Math.round((box.h - img.height) / 2),
  };
}

/** The loss graph drawn at the box's own size (its page shape is a wide strip) and a painter
 * whose plot area is scaled to match: the same margins, axes stretched (l2p is linear). */
async function resizedLoss(loss, box) {
  const area = loss.area; // the plot area within the graph: its margins, automargin included
  const outer = loss.gd.getBoundingClientRect();
  const right = outer.width - area.left - area.width;
  const bottom = outer.height - area.top - area.height;
  const width = box.w - area.left - right;
  const height = box.h - area.top - bottom;
  const stretch = (axis, k) => ({ ...axis, l2p: (v) => axis.l2p(v) * k });
  const painter = Object.create(loss); // loss.paint with its own area and pixel cache
  painter.area = {
    left: area.left, top: area.top, width, height,
    xa: stretch(area.xa, width / area.width), ya: stretch(area.ya, height / area.height),
  };
  painter.px = new Map();
  const url = await Plotly().toImage(loss.gd, { format: "png", width: box.w, height: box.h, scale: 1 });
  return { plot: { img: await loadImage(url), scale: 1, x: box.x, y: box.y }, painter };
}

/** Draw `paint(ctx)` over a fitted plot's plot area (`area` in CSS px), clipped to it. */
function overPlot(ctx, plot, area, paint) {
  ctx.save();
  ctx.translate(plot.x + area.left * plot.scale, plot.y + area.top * plot.scale);
  ctx.scale(plot.scale, plot.scale);
  ctx.beginPath();
  ctx.rect(0, 0, area.width, area.height);
  ctx.clip();
  paint(ctx);
  ctx.restore();
}

function ellipsize(ctx, text, width) {
  if (ctx.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`${cut}…`).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export class FrameComposer {
  /** race: the page's race; trails, loss: its painters; gd: the landscape's Plotly graph. */
  constructor({ race, trails, loss, gd, title, maxStep }) {
    Object.assign(this, { race, trails, loss, gd, title, maxStep });
    this.entries = race.entries;
  }

  /** The still layers, made once per recording (Plotly's image export takes ~100 ms each). */
  async prepare() {
    const top = HEADER;
    const height = HEIGHT - top - PAD;
    this.map = await fitted(this.gd, { x: PAD, y: top, w: SPLIT - 2 * PAD, h: height });
    const legendHeight = this.entries.length * ROW + PAD;
    this.legendTop = top;
    const room = height - legendHeight;
    this.curve = this.loss.area
      ? await resizedLoss(this.loss, { x: SPLIT - PAD, y: top + legendHeight + Math.max(0, (room - CURVE) / 2), w: WIDTH - SPLIT, h: Math.min(room, CURVE) })
      : null;
  }

  /** Paint the frame of `step` into `ctx` (WIDTH × HEIGHT). */
  draw(ctx, step) {
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    ctx.drawImage(this.map.img, this.map.x, this.map.y);
    if (this.trails.area) overPlot(ctx, this.map, this.trails.area, (c) => this.trails.paint(c, step));
    if (this.curve) {
      const { plot, painter } = this.curve;
      ctx.drawImage(plot.img, plot.x, plot.y);
      overPlot(ctx, plot, painter.area, (c) => painter.paint(c, step));
    }
    this.header(ctx, step);
    this.legend(ctx, step);
  }

  header(ctx, step) {
    ctx.fillStyle = INK;
    ctx.textBaseline = "middle";
    ctx.font = `600 30px ${FONT}`;
    ctx.textAlign = "right";
    const counter = `step ${step} / ${this.maxStep}`;
    ctx.fillText(counter, WIDTH - PAD, HEADER / 2);
    const room = WIDTH - 3 * PAD - ctx.measureText(counter).width;
    ctx.textAlign = "left";
    ctx.font = `600 26px ${FONT}`;
    ctx.fillText(ellipsize(ctx, this.title, room), PAD, HEADER / 2);
  }

  legend(ctx, step) {
    const x = SPLIT;
    const width = WIDTH - SPLIT - PAD;
    ctx.textBaseline = "middle";
    this.entries.forEach((entry, i) => {
      const y = this.legendTop + i * ROW + ROW / 2;
      ctx.fillStyle = entry.color;
      ctx.fillRect(x, y - 9, 18, 18);
      const value = entry.data ? this.lossAt(entry, step) : "error";
      ctx.font = `600 18px ${FONT}`;
      ctx.textAlign = "right";
      ctx.fillStyle = INK;
      ctx.fillText(value, x + width, y);
      const room = width - 30 - ctx.measureText(value).width - 12;
      ctx.textAlign = "left";
      ctx.font = `18px ${FONT}`;
      ctx.fillText(ellipsize(ctx, entry.label, room), x + 28, y);
    });
  }

  lossAt(entry, step) {
    const { losses, status, steps_taken: taken } = entry.data;
    const loss = losses[Math.min(step, losses.length - 1)];
    const ended = step >= taken && status !== "max_steps" ? ` (${status})` : "";
    return `loss ${fmt(loss, 4)}${ended}`;
  }
}
