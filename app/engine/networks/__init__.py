r"""Neural networks as loss functions: an MLP, a loss and data become a :class:`LossFunction`
whose parameters are the network's weights (``dims`` of them, up to a few thousand)::

    f = network_function([2, 8, 8, 1], "tanh", "bce", dataset="circle", n=200, seed=0)
    p = f.extra["init"](0)             # torch's nn.Linear initialisation, from our generator
    f.value(p), f.gradient(p)          # batched over leading axes, like every loss function

The model is torch's ``nn.Sequential(Linear, act, …, Linear)``; values and gradients come
from our own compiled backpropagation (:mod:`.kernels`), equal to torch autograd in float64
(``tests/fixtures/make_network_autograd.py``). Mini-batches: ``sample_gradient(p, idx)``.
"""

from __future__ import annotations

import numpy as np

from app.engine.functions import LossFunction
from app.engine.networks.checks import LIMITS, Limits, NetworkError, validate
from app.engine.networks.datasets import DATASETS, make_dataset, size
from app.engine.networks.model import ACTIVATIONS, LOSSES, Network
from app.engine.networks.train import Compiled

__all__ = ["ACTIVATIONS", "DATASETS", "LOSSES", "Limits", "NetworkError", "network_function"]

# ns per multiply-add of a forward pass per sample (value), forward + backward (gradient);
# measured on the reference machine (bench/README.md)
NS_PER_MAC = {"value": 0.8, "gradient": 3.0}
NS_PER_UNIT = {"value": 6.0, "gradient": 15.0}  # activations, losses, per unit and sample


def network_function(layers, activation: str = "tanh", loss: str = "bce", x=None, y=None, *,
                     dataset: str | None = None, n: int = 200, noise: float = 0.0, seed: int = 0,
                     limits: Limits = LIMITS, title: str | None = None
                     ) -> LossFunction:  # fmt: skip
    """The mean ``loss`` of the network over the data (points x, y, or a named dataset)."""
    if dataset is not None:
        if dataset not in DATASETS:
            raise NetworkError("dataset", f"dataset is one of {', '.join(DATASETS)}")
        most = min(limits.samples, size(dataset) or limits.samples)
        if not 1 <= n <= most:
            raise NetworkError(
                "n",
                f"n is 1 to {most:,}"
                + (f" ({dataset} has {most:,} samples)" if most < limits.samples else ""),
            )
        x, y = make_dataset(dataset, n, noise, seed)
    layers, X, Y = validate(layers, activation, loss, x, y, limits)
    net = Network(layers, activation, loss)
    kernel = Compiled(net, X, Y)
    N = len(X)

    def as_rows(p):
        p = np.asarray(p, dtype=np.float64)
        return p.reshape(-1, net.dims), p.shape[:-1]

    def value(p):
        P, lead = as_rows(p)
        return kernel.values(P).reshape(lead)

    def gradient(p):
        P, lead = as_rows(p)
        return kernel.gradients(P)[1].reshape(*lead, net.dims)

    def sample_gradient(p, indices):
        P, lead = as_rows(p)
        return kernel.gradients(P, indices)[1].reshape(*lead, net.dims)

    def cost(kind: str, samples: int) -> tuple[int, int]:
        calls = 12 * len(net.shapes) if kind == "value" else 30 * len(net.shapes)
        ns = samples * (NS_PER_MAC[kind] * net.macs + NS_PER_UNIT[kind] * (net.units + 2))
        return calls, int(ns) + 1

    names = {"bce": "binary cross-entropy", "mse": "mean squared error", "ce": "cross-entropy"}
    shape = "-".join(map(str, layers))
    return LossFunction(
        id="network",
        title=title or f"{shape} {activation} network, {names[loss]}",
        formula=rf"J(\theta) = \frac{{1}}{{{N}}}\sum_{{i=1}}^{{{N}}} "
        r"\ell\left(f_\theta(x_i), y_i\right)",
        value=value,
        gradient=gradient,
        domain=((-1.0, 1.0),) * net.dims,
        start=tuple(net.init_torch(0)),
        description=f"A {shape} multilayer perceptron ({activation}) on {N} samples, "
        f"{names[loss]}: {net.dims:,} parameters.",
        extra={
            "network": {"layers": list(layers), "activation": activation, "loss": loss},
            "net": net, "x": X, "y": Y, "init": net.init_torch, "train": kernel.train,
            "cost": {"value": cost("value", N), "gradient": cost("gradient", N),
                     "sample": cost("gradient", 1)},
        },
        n_samples=N,
        sample_gradient=sample_gradient,
    )  # fmt: skip
