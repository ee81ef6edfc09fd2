// L-BFGS evaluates the function several times per step (its closure): the points the current
// step evaluated (its iterations or line-search probes, the API's `probes`) are drawn as small
// hollow markers in the run's colour, over the trails.
import { paintHooks } from "./trails.js";

function paintProbes(ctx, step, race, area) {
  const { xa, ya } = area;
  for (const entry of race.entries) {
    const probes = entry.data && entry.data.probes;
    const here = probes && probes[step];
    if (!here || !here.length) continue;
    ctx.save();
    ctx.strokeStyle = entry.color;
    ctx.fillStyle = "rgba(255, 255, 255, 0.7)";
    ctx.lineWidth = 1.5;
    for (const row of here) { // [x, y, loss] (2-D) or [x, loss] (1-D, drawn on the curve)
      const px = xa.c2p(row[0]);
      const py = ya.c2p(row[1]);
      if (!Number.isFinite(px) || !Number.isFinite(py) || Math.abs(px) > 1e5 || Math.abs(py) > 1e5) continue;
      ctx.beginPath();
      ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
  }
}

paintHooks.push(paintProbes);
