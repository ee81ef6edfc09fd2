// Where the mouse is, in data coordinates: clicks anywhere in the 2-D plot area (converted
// with the axes' p2c, as Plotly's own plotly_click only fires on data points), and clicks on
// the 3-D surface (plotly_click, or the last hovered surface point). Also the plot area's
// geometry, which the canvas overlays (trails, loss curve, data fit) are laid over.

/** A linear or log axis from its public range (Plotly writes an autorange back to
 * gd.layout): l2p/p2l in the axis' own units (log10 for a log axis), c2p/p2c in data. */
function axisOf(ax, length, flip) {
  const [r0, r1] = ax.range;
  const log = ax.type === "log";
  const l2p = (v) => ((flip ? r1 - v : v - r0) / (r1 - r0)) * length;
  const p2l = (p) => (flip ? r1 - (p / length) * (r1 - r0) : r0 + (p / length) * (r1 - r0));
  return {
    type: ax.type || "linear", range: [r0, r1], l2p, p2l,
    c2p: (v) => l2p(log ? Math.log10(v) : v),
    p2c: (p) => (log ? 10 ** p2l(p) : p2l(p)),
  };
}

/** The plot area of a 2-D Plotly graph: pixel box relative to the graph div, and axes.
 * Read from the drag layer Plotly lays over exactly that area, and the public layout. */
export function plotArea(gd) {
  const layout = gd.layout;
  if (gd._is3d || !layout || !layout.xaxis || !layout.yaxis || !layout.xaxis.range || !layout.yaxis.range) return null;
  const drag = gd.querySelector(".nsewdrag");
  if (!drag) return null;
  const box = drag.getBoundingClientRect();
  const outer = gd.getBoundingClientRect();
  if (!(box.width > 0 && box.height > 0)) return null;
  return {
    left: box.left - outer.left, top: box.top - outer.top, width: box.width, height: box.height,
    xa: axisOf(layout.xaxis, box.width, false), ya: axisOf(layout.yaxis, box.height, true),
  };
}

/** Lay `canvas` over the plot `area` at the device pixel ratio; `ctx` then draws in CSS pixels. */
export function fitCanvas(canvas, ctx, area) {
  const dpr = window.devicePixelRatio || 1;
  Object.assign(canvas.style, { left: `${area.left}px`, top: `${area.top}px`, width: `${area.width}px`, height: `${area.height}px` });
  canvas.width = Math.round(area.width * dpr);
  canvas.height = Math.round(area.height * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
}

/** Data coordinates of a mouse event over the 2-D plot area, or null outside it. */
export function eventToData(gd, event) {
  const area = plotArea(gd);
  if (!area) return null;
  const box = gd.getBoundingClientRect();
  const px = event.clientX - box.left - area.left;
  const py = event.clientY - box.top - area.top;
  if (px < 0 || py < 0 || px > area.width || py > area.height) return null;
  return [area.xa.p2c(px), area.ya.p2c(py)];
}

/** Call onPick([x, y], event) for a click anywhere in the plot (2-D) or on the surface (3-D).
 * Returns a function to call once Plotly has drawn (it hooks Plotly's own events). */
export function listenForPicks(gd, onPick) {
  let down = null;
  let hover = null;
  let lastPick = -Infinity;
  const pick = (xy, event) => {
    const now = performance.now();
    if (now - lastPick < 300) return; // plotly_click and the native click can both fire
    lastPick = now;
    onPick(xy, event);
  };
  gd.addEventListener("pointerdown", (e) => {
    down = { x: e.clientX, y: e.clientY };
  }, true);
  gd.addEventListener("click", (event) => {
    if (event.button !== 0) return;
    if (down && Math.hypot(event.clientX - down.x, event.clientY - down.y) > 5) return; // a drag
    if (gd._is3d) {
      if (hover && performance.now() - hover.t < 2000) pick([hover.x, hover.y], event);
      return;
    }
    const xy = eventToData(gd, event);
    if (xy) pick(xy, event);
  });
  const surfacePoint = (data) => {
    if (!data || !data.points) return null;
    const p = data.points.find((q) => q.data && q.data.type === "surface");
    return p && Number.isFinite(p.x) && Number.isFinite(p.y) ? p : null;
  };
  return () => {
    gd.on("plotly_click", (data) => {
      const p = gd._is3d ? surfacePoint(data) : null;
      if (p) pick([p.x, p.y], data.event || null);
    });
    gd.on("plotly_hover", (data) => {
      const p = gd._is3d ? surfacePoint(data) : null;
      hover = p ? { x: p.x, y: p.y, t: performance.now() } : null;
    });
    gd.on("plotly_unhover", () => {
      hover = null;
    });
  };
}
