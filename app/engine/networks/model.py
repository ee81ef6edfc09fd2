r"""A multilayer perceptron as torch's ``nn.Sequential(Linear, act, …, Linear)``, evaluated
for many parameter vectors at once by our own backpropagation in numpy (float64).

Parameters are one flat vector in ``parameters_to_vector(model.parameters())`` order: layer
by layer, the weight (out × in, row-major) then the bias. ``P`` has shape (B, D) — B
parameter vectors — and every function here works on all B together, in chunks whose
activations stay within ``CHUNK_ELEMENTS`` numbers.

Losses (means over the data, as torch's default ``reduction="mean"``):

* ``mse``: ``MSELoss`` over every output element: mean((ŷ − y)²);
* ``bce``: ``BCEWithLogitsLoss`` on the single output z: mean(max(z, 0) − z·y + log1p(e^{−|z|}));
* ``ce``: ``CrossEntropyLoss`` of the logits and integer labels: mean(logsumexp(z) − z_y).
"""

from __future__ import annotations

import math

import numpy as np

CHUNK_ELEMENTS = 1 << 21  # activations held at once (B × N × width), about 16 MB
ACTIVATIONS = ("tanh", "relu", "sigmoid")
LOSSES = ("mse", "bce", "ce")


def _act(name: str, z: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(z, out=z)
    if name == "relu":
        return np.maximum(z, 0.0, out=z)
    # σ(z) = ½(1 + tanh(z/2)): no overflow for any z, and torch's value to an ulp or two
    return np.multiply(np.tanh(z * 0.5) + 1.0, 0.5)


def _act_grad(name: str, a: np.ndarray) -> np.ndarray:
    """The activation's derivative from its output ``a`` (torch's backward formulas)."""
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (a > 0).astype(np.float64)  # relu'(0) = 0, as torch
    return a * (1.0 - a)


class Network:
    def __init__(self, layers: tuple[int, ...], activation: str, loss: str):
        self.layers, self.activation, self.loss = tuple(layers), activation, loss
        self.shapes = [(layers[i + 1], layers[i]) for i in range(len(layers) - 1)]
        self.offsets = []
        at = 0
        for out, inp in self.shapes:
            self.offsets.append((at, at + out * inp, at + out * inp + out))
            at += out * inp + out
        self.dims = at
        self.width = max(layers[1:])
        # multiply-adds of one forward pass per sample (the backward pass is about twice this)
        self.macs = sum(o * i for o, i in self.shapes)
        self.units = sum(layers[1:])

    def unpack(self, P: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views (B, out, in) and (B, out) of each layer's weight and bias."""
        return [(P[:, a:b].reshape(-1, o, i), P[:, b:c]) for (o, i), (a, b, c) in
                zip(self.shapes, self.offsets)]  # fmt: skip

    def init_torch(self, seed: int) -> np.ndarray:
        """torch's default ``nn.Linear`` initialisation (kaiming_uniform_ with a = √5, which is
        U(±1/√fan_in) for the weight; the same bound for the bias), from our own generator."""
        rng = np.random.default_rng(seed)
        parts = []
        for out, inp in self.shapes:
            bound = 1.0 / math.sqrt(inp)
            parts.append(rng.uniform(-bound, bound, out * inp))
            parts.append(rng.uniform(-bound, bound, out))
        return np.concatenate(parts)

    def rows_per_chunk(self, n: int) -> int:
        return max(1, CHUNK_ELEMENTS // max(1, n * (self.units + self.layers[0])))

    def forward(self, P: np.ndarray, X: np.ndarray, keep: bool = False):
        """The outputs (B, N, out) and, with ``keep``, every layer's activations."""
        acts = [X]
        a = None
        for k, (W, b) in enumerate(self.unpack(P)):
            if k == 0:  # one matrix product for every parameter vector at once
                B, o, i = W.shape
                z = (X @ W.reshape(B * o, i).T).reshape(len(X), B, o).transpose(1, 0, 2)
                z = z + b[:, None, :]
            else:
                z = a @ W.transpose(0, 2, 1)
                z += b[:, None, :]
            a = z if k == len(self.shapes) - 1 else _act(self.activation, z)
            if keep:
                acts.append(a)
        return a, acts

    def loss_and_delta(self, out: np.ndarray, y: np.ndarray, grad: bool):
        """Mean loss (B,) and, with ``grad``, ∂loss/∂out (B, N, out)."""
        n = out.shape[1]
        if self.loss == "mse":
            r = out - y[None]
            value = np.mean(r * r, axis=(1, 2))
            return value, (2.0 / r[0].size) * r if grad else None
        if self.loss == "bce":
            z = out[..., 0]
            value = np.mean(np.maximum(z, 0) - z * y[None] + np.log1p(np.exp(-np.abs(z))), axis=1)
            if not grad:
                return value, None
            sig = 0.5 * (np.tanh(0.5 * z) + 1.0)
            return value, ((sig - y[None]) / n)[..., None]
        top = out.max(axis=2, keepdims=True)
        shifted = out - top
        e = np.exp(shifted)
        s = e.sum(axis=2, keepdims=True)
        picked = np.take_along_axis(shifted, y[None, :, None].repeat(len(out), 0), axis=2)
        value = np.mean(np.log(s[..., 0]) - picked[..., 0], axis=1)
        if not grad:
            return value, None
        delta = e / s
        rows = np.arange(n)
        delta[:, rows, y] -= 1.0
        return value, delta / n

    def value(self, P: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = np.empty(len(P))
        step = self.rows_per_chunk(len(X))
        for s in range(0, len(P), step):
            o, _ = self.forward(P[s : s + step], X)
            out[s : s + step] = self.loss_and_delta(o, y, False)[0]
        return out

    def gradient(self, P: np.ndarray, X: np.ndarray, y: np.ndarray, with_value: bool = False):
        G = np.empty_like(P)
        L = np.empty(len(P))
        step = self.rows_per_chunk(len(X))
        for s in range(0, len(P), step):
            part = P[s : s + step]
            o, acts = self.forward(part, X, keep=True)
            L[s : s + step], delta = self.loss_and_delta(o, y, True)
            self._backward(part, acts, delta, G[s : s + step])
        return (L, G) if with_value else G

    def _backward(self, P, acts, delta, G) -> None:
        params = self.unpack(P)
        for k in reversed(range(len(params))):
            W, _ = params[k]
            a, b, c = self.offsets[k]
            prev = acts[k]
            if k == 0:  # the inputs are shared: one product for every vector
                B, n, o = delta.shape
                gw = (delta.transpose(0, 2, 1).reshape(B * o, n) @ prev).reshape(
                    B, o * prev.shape[1]
                )
            else:
                gw = (delta.transpose(0, 2, 1) @ prev).reshape(len(P), -1)
            G[:, a:b] = gw
            G[:, b:c] = delta.sum(axis=1)
            if k:
                delta = (delta @ W) * _act_grad(self.activation, prev)
