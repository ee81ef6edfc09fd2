"""A loss function is data: formula, value, gradient, domain and known minima in one record.

Values and gradients are vectorised over leading axes: ``value(p)`` takes ``p`` of shape
``(..., dims)`` and returns shape ``(...)``; ``gradient(p)`` returns shape ``(..., dims)``.
Everything is float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Minimum:
    point: tuple[float, ...]
    value: float
    is_global: bool = True


# The claims a default run makes about itself, each checked by tests/engine/test_stories.py:
# ends at a global minimum; settles away from it (a local minimum, a plateau); still moving
# when the steps run out; reverses direction on most steps; diverges or runs off the map
# uphill; runs off the map downhill (no minimum to reach).
OUTCOMES = ("minimum", "stuck", "slow", "zigzag", "diverges", "escapes")


@dataclass(frozen=True)
class StoryRun:
    optimizer: dict  # the API's optimizer object: {"name": "sgd", "lr": 0.1, "momentum": 0.9}
    expect: tuple[str, ...]  # what it shows, from OUTCOMES


@dataclass(frozen=True)
class Story:
    """What a function teaches: the race the page opens with, how the map is drawn, and a
    one-line prompt. Starts from the record's ``start``; colours on ``log_scale``."""

    runs: tuple[StoryRun, ...]
    prompt: str  # "Try this: …"
    steps: int = 500
    resolution: int = 200  # surface points per axis: enough to resolve the finest ripple
    levels: int = 28  # equal colour bands between the surface's lowest and highest value


@dataclass(frozen=True)
class LossFunction:
    id: str
    title: str
    formula: str  # LaTeX, shown by the page as-is
    value: Callable[[Array], Array]
    gradient: Callable[[Array], Array]
    domain: tuple[tuple[float, float], ...]
    minima: tuple[Minimum, ...] = ()
    start: tuple[float, ...] = ()
    log_scale: bool = False
    description: str = ""
    story: Story | None = None
    extra: dict = field(default_factory=dict)
    # Losses on data: the mean loss over ``n_samples`` points, and the gradient of the mean
    # over a mini-batch of them, ``sample_gradient(p, indices) -> (..., dims)``.
    n_samples: int = 0
    sample_gradient: Callable[[Array, Array], Array] | None = None

    @property
    def dims(self) -> int:
        return len(self.domain)

    def value_and_gradient(self, p: Array) -> tuple[Array, Array]:
        return self.value(p), self.gradient(p)


def planar(
    id: str,
    title: str,
    formula: str,
    f: Callable[[Array, Array], Array],
    grad: Callable[[Array, Array], tuple[Array, Array]],
    domain: tuple[tuple[float, float], tuple[float, float]],
    minima: tuple[Minimum, ...],
    start: tuple[float, float],
    log_scale: bool = False,
    description: str = "",
) -> LossFunction:
    """Build a 2-parameter record from ``f(x, y)`` and ``grad(x, y) -> (df/dx, df/dy)``."""

    # The runner calls these thousands of times per request: no conversions on the hot path
    # beyond what a caller's plain list needs.
    def value(p: Array) -> Array:
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            p = np.asarray(p, dtype=np.float64)
        z = f(p[..., 0], p[..., 1])
        return z if np.shape(z) == p.shape[:-1] else np.broadcast_to(z, p.shape[:-1]).copy()

    def gradient(p: Array) -> Array:
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            p = np.asarray(p, dtype=np.float64)
        out = np.empty(p.shape)
        out[..., 0], out[..., 1] = grad(p[..., 0], p[..., 1])
        return out

    return LossFunction(
        id=id,
        title=title,
        formula=formula,
        value=value,
        gradient=gradient,
        domain=domain,
        minima=minima,
        start=start,
        log_scale=log_scale,
        description=description,
        extra={"scalar": (f, grad)},  # the formulas themselves, for the compiled kernel
    )
