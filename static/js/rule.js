// The update rule beside each run, Distill-style: the LaTeX lines of the optimizer's
// registry entry (GET /api/v1/optimizers "equations", the engine's own), as readable text.
import { latexToHtml } from "./latex.js";

/** Fill `box` from `spec.equations`; older servers send none, and the box stays hidden. */
export function showRule(box, spec) {
  const lines = spec && Array.isArray(spec.equations) ? spec.equations : [];
  box.hidden = !lines.length;
  box.querySelector(".rule-lines").replaceChildren(...lines.map((tex) => {
    const line = document.createElement("code");
    line.innerHTML = latexToHtml(tex);
    line.title = `LaTeX: ${tex}`;
    return line;
  }));
}
