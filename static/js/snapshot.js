// Saved images of the landscape with the race on it. Plotly's own camera button sees only
// its SVG (the contour and the minima), not the canvas the trails and balls are drawn on,
// so a saved picture lost the race; here the two are composed at projector resolution.

const Plotly = () => window.Plotly;
const TARGET_WIDTH = 1920; // px: sharp on a 1080p projector whatever the window

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("the image could not be made"));
    img.src = url;
  });
}

/** The overlay (trails, arrows, balls, start) at `scale`, as a canvas of the plot area. */
function overlayCanvas(trails, step, scale) {
  const { width, height } = trails.area;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  trails.paint(ctx, step);
  return canvas;
}

/** A PNG (Blob) of the graph with every visible layer. */
export async function snapshotPng(gd, trails, step) {
  const { width, height } = gd.getBoundingClientRect();
  const scale = Math.max(2, TARGET_WIDTH / width);
  const url = await Plotly().toImage(gd, { format: "png", width, height, scale });
  if (gd._is3d || !trails.area) return (await fetch(url)).blob(); // 3-D: the race is Plotly's
  const base = await loadImage(url);
  const canvas = document.createElement("canvas");
  canvas.width = base.width;
  canvas.height = base.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(base, 0, 0);
  const { left, top } = trails.area;
  ctx.drawImage(overlayCanvas(trails, step, scale), Math.round(left * scale), Math.round(top * scale));
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

/** An SVG (Blob): Plotly's vector landscape, the race laid over it as an embedded image. */
export async function snapshotSvg(gd, trails, step) {
  const { width, height } = gd.getBoundingClientRect();
  const url = await Plotly().toImage(gd, { format: "svg", width, height });
  let svg = decodeURIComponent(url.slice(url.indexOf(",") + 1));
  if (!gd._is3d && trails.area) {
    const { left, top, width: w, height: h } = trails.area;
    const png = overlayCanvas(trails, step, Math.max(2, TARGET_WIDTH / width)).toDataURL("image/png");
    const layer = `<image x="${left}" y="${top}" width="${w}" height="${h}" href="${png}" xlink:href="${png}"/>`;
    svg = svg.replace(/<\/svg>\s*$/, `${layer}</svg>`);
  }
  return new Blob([svg], { type: "image/svg+xml" });
}

export function download(blob, filename) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
