"""Limits and validation of networks and their data; every refusal is a ``NetworkError``
naming the field and the limit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.networks.model import ACTIVATIONS, LOSSES


class NetworkError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Limits:
    layers: int = 8  # sizes in "layers", inputs and outputs included
    width: int = 256  # units of any layer
    parameters: int = 5000
    samples: int = 2000
    magnitude: float = 1e6  # |feature| and |target|


LIMITS = Limits()


def validate(layers, activation: str, loss: str, x, y, limits: Limits = LIMITS):
    """(layers, X (N, in), y) as the network takes them, or a NetworkError."""
    layers = tuple(int(v) for v in layers)
    if not 2 <= len(layers) <= limits.layers:
        raise NetworkError("layers", f"layers lists 2 to {limits.layers} sizes (inputs … "
                           f"outputs); got {len(layers)}")  # fmt: skip
    if min(layers) < 1 or max(layers) > limits.width:
        raise NetworkError("layers", f"every layer has 1 to {limits.width} units")
    if activation not in ACTIVATIONS:
        raise NetworkError("activation", f"activation is one of {', '.join(ACTIVATIONS)}")
    if loss not in LOSSES:
        raise NetworkError("loss", f"loss is one of {', '.join(LOSSES)}")
    dims = sum(layers[i + 1] * (layers[i] + 1) for i in range(len(layers) - 1))
    if dims > limits.parameters:
        raise NetworkError("layers", f"this network has {dims:,} parameters, over the limit of "
                           f"{limits.parameters:,}")  # fmt: skip
    try:
        X = np.asarray(x, dtype=np.float64)
        Y = np.asarray(y, dtype=np.float64)
    except ValueError:  # ragged rows
        raise NetworkError("data", f"every x has {layers[0]} feature(s), as layers[0] says, "
                           "and every y the same number of values") from None  # fmt: skip
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != layers[0]:
        raise NetworkError("data", f"each x has {layers[0]} feature(s), as layers[0] says")
    if not 1 <= len(X) <= limits.samples:
        raise NetworkError("data", f"1 to {limits.samples:,} samples; got {len(X):,}")
    if len(Y) != len(X):
        raise NetworkError("data", f"x has {len(X)} samples and y {len(Y)}")
    for name, values in (("x", X), ("y", Y)):
        if not np.isfinite(values).all() or np.abs(values).max() > limits.magnitude:
            raise NetworkError(
                "data", f"{name} must be finite numbers within ±{limits.magnitude:g}"
            )
    out = layers[-1]
    if loss != "mse" and Y.ndim != 1:
        raise NetworkError("data", f"{loss} labels are one number per sample")
    if loss == "bce":
        if out != 1:
            raise NetworkError("layers", "bce takes one output (the logit): end layers with 1")
        if not np.isin(Y, (0.0, 1.0)).all():
            raise NetworkError("data", "bce labels are 0 or 1")
    elif loss == "ce":
        if out < 2:
            raise NetworkError("layers", "ce takes one output per class: at least 2")
        if not (np.equal(np.mod(Y, 1), 0).all() and Y.min() >= 0 and Y.max() < out):
            raise NetworkError("data", f"ce labels are class numbers 0 … {out - 1}")
        Y = Y.astype(np.int64)
    else:
        Y = Y.reshape(len(X), -1)
        if Y.shape[1] != out:
            raise NetworkError("data", f"mse targets have {out} value(s) each, as the last layer")
    return layers, X, Y
