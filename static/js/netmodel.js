// The network on the page: torch's nn.Sequential(Linear, act, …, Linear) evaluated from a
// parameter vector in parameters_to_vector order (layer by layer, weight row-major, then
// bias) — the engine's own layout (app/engine/networks/model.py). The page draws the decision
// boundary and reads digits with it; a browser test checks its loss against the API's.

const ACT = {
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
  sigmoid: (z) => 0.5 * (1 + Math.tanh(0.5 * z)),
};

/** The outputs (logits) of the network at one input `x` (an array of layers[0] numbers). */
export function forward(layers, activation, theta, x) {
  const act = ACT[activation];
  let a = x;
  let at = 0;
  for (let k = 0; k + 1 < layers.length; k++) {
    const inp = layers[k];
    const out = layers[k + 1];
    const next = new Float64Array(out);
    const bias = at + out * inp;
    for (let o = 0; o < out; o++) {
      let z = theta[bias + o];
      for (let i = 0; i < inp; i++) z += theta[at + o * inp + i] * a[i];
      next[o] = k + 2 < layers.length ? act(z) : z;
    }
    at = bias + out;
    a = next;
  }
  return a;
}

/** The mean loss over the data, as the engine defines it (bce on the logit, ce, mse). */
export function meanLoss(net, theta, xs, ys) {
  let total = 0;
  xs.forEach((x, n) => {
    const out = forward(net.layers, net.activation, theta, x);
    const y = ys[n];
    if (net.loss === "bce") {
      const z = out[0];
      total += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
    } else if (net.loss === "ce") {
      const top = Math.max(...out);
      const sum = out.reduce((s, v) => s + Math.exp(v - top), 0);
      total += Math.log(sum) + top - out[y];
    } else {
      total += out.reduce((s, v) => s + (v - y) ** 2, 0) / out.length;
    }
  });
  return total / xs.length;
}

/** The class the network gives `x` (bce: the logit's sign; ce: the largest logit). */
export function predict(net, theta, x) {
  const out = forward(net.layers, net.activation, theta, x);
  if (out.length === 1) return out[0] > 0 ? 1 : 0;
  let best = 0;
  for (let i = 1; i < out.length; i++) if (out[i] > out[best]) best = i;
  return best;
}

/** P(class 1) for a one-output network (bce: σ(logit); mse: the output, clipped). */
export function probability(net, theta, x) {
  const z = forward(net.layers, net.activation, theta, x)[0];
  return net.loss === "bce" ? 0.5 * (1 + Math.tanh(0.5 * z)) : Math.min(1, Math.max(0, z));
}

const dot = (a, b) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** (α, β) of each point θ on the plane centre + α·d₁ + β·d₂: least squares, as the API's
 * `projected` (exact when θ lies on the plane), and its distance from the plane. */
export function projector(centre, d) {
  const [d1, d2] = d;
  const g11 = dot(d1, d1);
  const g12 = dot(d1, d2);
  const g22 = dot(d2, d2);
  const det = g11 * g22 - g12 * g12 || 1;
  return (theta) => {
    const v = theta.map((t, i) => t - centre[i]);
    const r1 = dot(d1, v);
    const r2 = dot(d2, v);
    const alpha = (g22 * r1 - g12 * r2) / det;
    const beta = (g11 * r2 - g12 * r1) / det;
    let off = 0;
    for (let i = 0; i < v.length; i++) off += (v[i] - alpha * d1[i] - beta * d2[i]) ** 2;
    return { alpha, beta, off: Math.sqrt(off) };
  };
}

/** The point α, β of the plane as a parameter vector. */
export function onPlane(centre, d, alpha, beta) {
  return centre.map((c, i) => c + alpha * d[0][i] + beta * d[1][i]);
}
