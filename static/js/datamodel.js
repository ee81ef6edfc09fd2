// Data fits without the page: the models' predictions, least-squares minima where there is a
// closed form, CSV parsing, and the catalog-like description of a data function on new points.

const MAX_POINTS = 10000;

export const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** ŷ(x) of a model with parameters p: [w] (through the origin), [m, b] or [w, b] (logistic). */
export function predict(model, p, x) {
  if (model === "line-through-origin") return p[0] * x;
  if (model === "logistic") return sigmoid(p[0] * x + p[1]);
  return p[0] * x + p[1];
}

export function dataRange(values, pad = 0.08) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const span = hi - lo || Math.max(1, Math.abs(lo));
  return [lo - span * pad, hi + span * pad];
}

export function roundTo(value, span) {
  const digits = Math.max(0, Math.min(10, 3 - Math.floor(Math.log10(span || 1))));
  return Number(value.toFixed(digits));
}

/** Least-squares minima where there is a closed form (mse, a line); [] otherwise. */
function minimaOf(model, loss, { x, y }) {
  const n = x.length;
  const mean = (f) => x.reduce((s, _, i) => s + f(x[i], y[i]), 0) / n;
  if (loss !== "mse" || model === "logistic") return [];
  let p;
  if (model === "line-through-origin") {
    const sxx = mean((a) => a * a);
    if (!(sxx > 0)) return [];
    p = [mean((a, b) => a * b) / sxx];
  } else {
    const mx = mean((a) => a);
    const my = mean((_, b) => b);
    const vx = mean((a) => (a - mx) ** 2);
    if (!(vx > 1e-12 * Math.max(1, mx * mx))) return [];
    const m = mean((a, b) => (a - mx) * (b - my)) / vx;
    p = [m, my - m * mx];
  }
  const value = mean((a, b) => (predict(model, p, a) - b) ** 2);
  return [{ point: p, value, global: true }];
}

/** A catalog-like description of the base function fitted to other points. */
export function dataFunction(base, data, body) {
  const n = data.x.length;
  const { model, loss } = base.data;
  const domain = body.domain;
  return {
    ...base, id: `${base.id}+data`, domain, minima: minimaOf(model, loss, data),
    formula: base.formula.replace(/\\frac\{1\}\{\d+\}\\sum_\{i=1\}\^\{\d+\}/g, `\\frac{1}{${n}}\\sum_{i=1}^{${n}}`),
    description: `${base.title} on your data: ${n} point${n === 1 ? "" : "s"}. Edit them in the data panel; click the landscape to race.`,
    start: base.start.map((v, i) => Math.min(domain[i][1], Math.max(domain[i][0], v))),
    data: { model, loss, x: data.x, y: data.y },
  };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** "x,y" per line (comma, semicolon, tab or spaces); a header line is skipped. */
export function parseCsv(text, logistic = false) {
  const x = [];
  const y = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    const parts = line.replace(/−/g, "-").split(/\s*[,;\t]\s*|\s+/).filter(Boolean);
    const values = parts.map(Number);
    const numeric = parts.map((t) => NUMBER.test(t));
    if (parts.length !== 2 || !values.every(Number.isFinite)) {
      // A header has a word where a number goes; "1e400" is a number, just too large.
      if (!x.length && parts.length === 2 && !numeric.every(Boolean)) continue;
      const huge = parts.find((t, k) => numeric[k] && !Number.isFinite(values[k]));
      if (huge) throw new Error(`line ${i + 1}: ${huge} is too large (largest: about 1.8e308)`);
      throw new Error(`line ${i + 1}: "${line.slice(0, 40)}" is not two numbers "x,y"`);
    }
    if (logistic && values[1] !== 0 && values[1] !== 1) throw new Error(`line ${i + 1}: y must be 0 or 1 (a class) for a logistic model`);
    x.push(values[0]);
    y.push(values[1]);
  }
  if (!x.length) throw new Error("no points: type one \"x,y\" pair per line");
  if (x.length > MAX_POINTS) throw new Error(`${x.length} points: at most ${MAX_POINTS}`);
  return { x, y };
}

