r"""A multilayer perceptron as torch's ``nn.Sequential(Linear, act, …, Linear)``: its shapes,
its parameter layout and torch's initialisation. It is evaluated by the compiled kernels
(``kernels.py``: forward and backward passes, in float64).

Parameters are one flat vector in ``parameters_to_vector(model.parameters())`` order: layer
by layer, the weight (out × in, row-major) then the bias.

Losses (means over the data, as torch's default ``reduction="mean"``):

* ``mse``: ``MSELoss`` over every output element: mean((ŷ − y)²);
* ``bce``: ``BCEWithLogitsLoss`` on the single output z: mean(max(z, 0) − z·y + log1p(e^{−|z|}));
* ``ce``: ``CrossEntropyLoss`` of the logits and integer labels: mean(logsumexp(z) − z_y).
"""

from __future__ import annotations

import math

import numpy as np

ACTIVATIONS = ("tanh", "relu", "sigmoid")
LOSSES = ("mse", "bce", "ce")


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
