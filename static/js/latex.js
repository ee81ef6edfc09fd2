// The catalog's and the optimizers' formulas as readable HTML (no MathJax offline): one
// converter for the function card, the typed formula's gradient, the update rules and the graph lesson.

const SYMBOLS = {
  pi: "π", sigma: "σ", sum: "Σ", prod: "Π", alpha: "α", beta: "β", gamma: "γ", delta: "δ",
  epsilon: "ε", eta: "η", theta: "θ", lambda: "λ", mu: "μ", nabla: "∇", cdot: "·", times: "×",
  infty: "∞", le: "≤", ge: "≥", hat: "", tau: "τ", rho: "ρ", ne: "≠", leftarrow: "←", odot: "⊙",
};

/** A small LaTeX-to-readable converter for the catalog's formulas (no MathJax offline). */
export function latexToHtml(tex) {
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  let s = esc(tex);
  const group = String.raw`\{((?:[^{}]|\{[^{}]*\})*)\}`;
  const wrap = (t) => (/[\s+\-]/.test(t.trim()) ? `(${t})` : t);
  s = s.replace(new RegExp(String.raw`\\[td]?frac` + group + group, "g"), (_, a, b) => `${wrap(a)}/${wrap(b)} `);
  s = s.replace(new RegExp(String.raw`\\sqrt` + group, "g"), "√($1)");
  s = s.replace(/\\(?:operatorname|mathrm|text)\{([^{}]*)\}/g, "$1"); // \operatorname{sign} is "sign"
  // Accents over one letter: \hat v is v̂ (combining marks), not a lost "hat".
  s = s.replace(/\\(hat|bar|tilde)\s*\{?\\?([a-zA-Z]+?)\}?(?![a-zA-Z])/g, (m, accent, x) => {
    const mark = { hat: "\u0302", bar: "\u0304", tilde: "\u0303" }[accent];
    return `${x in SYMBOLS ? SYMBOLS[x] : x}${mark}`;
  });
  s = s.replace(/\\left(?![a-z])|\\right(?![a-z])/g, "").replace(/\\[,;!]/g, " ").replace(/\\quad/g, "  ");
  s = s.replace(/\\([a-zA-Z]+)/g, (m, name) => (name in SYMBOLS ? SYMBOLS[name] : name));
  s = s.replace(/\^\{((?:[^{}]|\{[^{}]*\})*)\}/g, "<sup>$1</sup>").replace(/\^(\w)/g, "<sup>$1</sup>");
  s = s.replace(/_\{([^{}]*)\}/g, "<sub>$1</sub>").replace(/_(\w)/g, "<sub>$1</sub>");
  s = s.replace(/[{}]/g, "").replace(/\\/g, "");
  s = s.replace(/(^|[\s(=>])-/g, "$1−").replace(/ {2,}/g, " ");
  return s;
}
