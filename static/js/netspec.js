// The neural-network lesson's choices, written once: the data sets, the two runs' defaults and
// options, and how its settings read and write in a link (state.js declares the keys,
// netlesson.js binds them to its controls). Imports nothing but the store's codecs, so the
// store's schema can use it without loading the lesson.
import { INVALID, urlNumber } from "./store.js";

export const NET_DATA = {
  circle: { label: "circle (2 features)", n: 200, hidden: "8, 8", loss: "bce" },
  xor: { label: "xor", n: 200, hidden: "8, 8", loss: "bce" },
  gaussian: { label: "two Gaussians", n: 200, hidden: "4", loss: "bce" },
  spiral: { label: "spiral", n: 200, hidden: "16, 16", loss: "bce" },
  digits: { label: "handwritten digits (8×8, 64 features)", n: 1000, hidden: "16", loss: "ce" },
};
export const NET_ACTIVATIONS = ["tanh", "relu", "sigmoid"];
export const NET_OPTIMIZERS = ["sgd", "adam", "rmsprop", "adagrad", "adamw", "nadam"];
export const NET_BATCHES = ["", "64", "16", "8", "2"]; // "": the whole data set
export const NET_DIRECTIONS = ["filter-normalized", "pca", "interpolation"];
export const NET_STEPS = { default: 300, min: 1, max: 2000 };
// Runs A and B: name and colour are fixed; optimizer, lr and batch are the link's `netruns`.
export const NET_RUN_LOOKS = [{ name: "A", color: "#f0b400" }, { name: "B", color: "#e0509b" }];
export const NET_RUNS = [
  { optimizer: "adam", lr: 0.02, batch: "" },
  { optimizer: "sgd", lr: 0.5, batch: "8" },
];

/** Hidden layer sizes as typed ("8, 8"; "" for none); the link keeps them as "8,8". */
export function hiddenSizes(text) {
  return String(text).split(/[,\s]+/).filter(Boolean).map(Number);
}

export const netHiddenCodec = { // no hidden layer (logistic regression) is "none"
  encode: (text) => hiddenSizes(text).join(",") || "none",
  decode: (text) => {
    const sizes = text.trim() === "none" ? [] : hiddenSizes(text);
    return sizes.every((n) => Number.isInteger(n) && n >= 1) ? sizes.join(", ") : INVALID;
  },
};

// "adam(lr=0.02)|sgd(lr=0.5,batch=8)": the two runs, in the runs' own link form.
export const netRunsCodec = {
  encode: (runs) => runs.map((r) => `${r.optimizer}(lr=${urlNumber(r.lr)}${r.batch ? `,batch=${r.batch}` : ""})`).join("|"),
  decode: (text) => {
    const runs = text.split("|").map((part) => {
      const match = /^\s*([a-z]+)\s*\(([^)]*)\)\s*$/.exec(part);
      if (!match || !NET_OPTIMIZERS.includes(match[1])) return null;
      const kwargs = Object.fromEntries(match[2].split(",").filter((p) => p.trim()).map((p) => p.split("=").map((s) => s.trim())));
      const lr = Number(kwargs.lr);
      const batch = kwargs.batch ?? "";
      const known = Object.keys(kwargs).every((k) => k === "lr" || k === "batch");
      return known && lr > 0 && Number.isFinite(lr) && NET_BATCHES.includes(batch) ? { optimizer: match[1], lr, batch } : null;
    });
    return runs.length === NET_RUN_LOOKS.length && runs.every(Boolean) ? runs : INVALID;
  },
};
