"""Validation of a data fit's inputs: the model, the loss, the points and the domain.

Every problem raises ``ValueError`` with a message a person can act on.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

MODELS = ("line-through-origin", "linear", "logistic")
LOSSES = ("mse", "bce")
PARAMETERS = {"line-through-origin": ("w",), "linear": ("m", "b"), "logistic": ("w", "b")}
MODEL_NAMES = {
    "line-through-origin": "a line through the origin",
    "linear": "a line",
    "logistic": "a logistic curve",
}
MAX_POINTS = 10_000
MAX_MAGNITUDE = 1e6  # |x|, |y| and |domain bound|


def validate_data(model, loss, x, y) -> tuple[np.ndarray, np.ndarray]:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; valid models: {', '.join(MODELS)}")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; valid losses: {', '.join(LOSSES)}")
    if loss == "bce" and model != "logistic":
        raise ValueError(
            "the bce loss needs the logistic model, whose outputs are probabilities; "
            f"use mse for {MODEL_NAMES[model]}"
        )
    arrays = []
    for name, values in (("x", x), ("y", y)):
        if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
            raise ValueError(f"{name} must be a list of numbers")
        if not all(isinstance(v, Real | np.floating) and not isinstance(v, bool) for v in values):
            raise ValueError(f"{name} must be a list of numbers")
        arrays.append(np.asarray(values, dtype=np.float64).reshape(-1))
    x, y = arrays
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length; got {x.size} x and {y.size} y")
    if not 1 <= x.size <= MAX_POINTS:
        raise ValueError(f"the data need between 1 and {MAX_POINTS} points; got {x.size}")
    for name, values in (("x", x), ("y", y)):
        bad = np.flatnonzero(~np.isfinite(values) | (np.abs(values) > MAX_MAGNITUDE))
        if bad.size:
            raise ValueError(
                f"every {name} must be a finite number within ±{MAX_MAGNITUDE:g}; "
                f"{name}[{bad[0]}] is {values[bad[0]]:g}"
            )
    if model == "logistic":
        bad = np.flatnonzero((y != 0) & (y != 1))
        if bad.size:
            raise ValueError(
                f"the logistic model needs every y to be 0 or 1 (a class); y[{bad[0]}] is "
                f"{y[bad[0]]:g}"
            )
    return x, y


def validate_domain(domain, model: str) -> tuple[tuple[float, float], ...] | None:
    if domain is None:
        return None
    names = PARAMETERS[model]
    wanted = f"{len(names)} [min, max] pair{'s' if len(names) > 1 else ''} (for {', '.join(names)})"
    if isinstance(domain, str | bytes) or not hasattr(domain, "__len__"):
        raise ValueError(f"the domain must be a list of {wanted}")
    if len(domain) != len(names):
        raise ValueError(f"the {model} model needs a domain of {wanted}; got {len(domain)}")
    bounds = []
    for name, pair in zip(names, domain, strict=True):
        if (
            isinstance(pair, str | bytes)
            or not hasattr(pair, "__len__")
            or len(pair) != 2
            or not all(isinstance(b, Real) and not isinstance(b, bool) for b in pair)
        ):
            raise ValueError(f"the domain of {name} must be a pair [min, max] of numbers")
        low, high = float(pair[0]), float(pair[1])
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"the domain of {name} must have finite bounds")
        if max(abs(low), abs(high)) > MAX_MAGNITUDE:
            raise ValueError(f"the domain of {name} must lie within ±{MAX_MAGNITUDE:g}")
        if not low < high:
            raise ValueError(
                f"the domain of {name} must have its minimum below its maximum; "
                f"got [{low:g}, {high:g}]"
            )
        bounds.append((low, high))
    return tuple(bounds)
