"""The lessons' functions: 1-D warm-ups and losses on small datasets.

1-D records take ``p`` of shape (..., 1). The data records are :func:`data_function` fits,
so mini-batches apply to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from app.engine.data import data_function
from app.engine.data.models import as_points
from app.engine.functions import Array, LossFunction, Minimum
from app.engine.stories import with_story

# f(x) = x⁴ − 4x² + x: f'(x) = 4x³ − 8x + 1 has three real roots; these are the outer two,
# the nearest doubles to the 50-digit roots (mpmath.findroot; tests/fixtures/golden_data.json
# keeps the digits), and f there, rounded once.
DOUBLE_WELL_GLOBAL = (-1.4729976011140302, -5.444192066610897)
DOUBLE_WELL_LOCAL = (1.346997408527774, -2.6185559807652474)

HOURS = ([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
DOSAGE = (
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    [1.86, 1.31, 0.62, 0.33, 0.09, -0.67, -1.23, -1.37],
)
# Colour rating (0 = pale green, 1 = deep red) → poisonous (1) or safe (0). Below 0.55 nearly
# every berry is safe and above it nearly every one poisonous; two berries break the rule
# (a pale poisonous one at 0.40 and a red safe one at 0.66), so a best fit exists.
BERRIES = (
    [0.08, 0.15, 0.22, 0.30, 0.36, 0.40, 0.43, 0.50,
     0.58, 0.63, 0.66, 0.71, 0.77, 0.84, 0.90, 0.96],
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0,
     1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0],
)  # fmt: skip


def line_function(
    id: str,
    title: str,
    formula: str,
    f: Callable[[Array], Array],
    derivative: Callable[[Array], Array],
    domain: tuple[float, float],
    minima: tuple[Minimum, ...],
    start: float,
    description: str = "",
) -> LossFunction:
    """A 1-parameter record from ``f(x)`` and ``f'(x)``."""

    def value(p: Array) -> Array:
        return f(as_points(p)[..., 0])

    def gradient(p: Array) -> Array:
        p = as_points(p)
        return derivative(p[..., :1]) + np.zeros(p.shape)

    return LossFunction(
        id=id, title=title, formula=formula, value=value, gradient=gradient,
        domain=(domain,), minima=minima, start=(start,), description=description,
        extra={"scalar": (f, derivative)},  # the formulas themselves (the PyTorch script's)
    )  # fmt: skip


LESSON_FUNCTIONS: tuple[LossFunction, ...] = tuple(map(with_story, (
    line_function(
        "parabola", "Parabola", r"f(x) = x^2", lambda x: x * x, lambda x: 2 * x,
        (-5.0, 5.0), (Minimum((0.0,), 0.0),), -4.0,
        description="The simplest bowl: at x = −4 the slope is −8, so a step goes right.",
    ),
    replace(
        data_function("line-through-origin", "mse", *HOURS, [[-1.0, 5.0]], id="hours-points",
                      title="Hours → points"),
        description="The first lesson's cost: predict points from hours studied with "
        "ŷ = w·x on (1, 2), (2, 4), (3, 6); the cost is lowest at w = 2.",
    ),
    line_function(
        "double-well", "Double well", r"f(x) = x^4 - 4x^2 + x",
        lambda x: x**4 - 4 * x * x + x, lambda x: 4 * x**3 - 8 * x + 1,
        (-2.5, 2.5),
        (Minimum((DOUBLE_WELL_GLOBAL[0],), DOUBLE_WELL_GLOBAL[1]),
         Minimum((DOUBLE_WELL_LOCAL[0],), DOUBLE_WELL_LOCAL[1], is_global=False)),
        2.0,
        description="Two valleys: started on the right, descent settles in the shallow one "
        "(a false minimum) and never sees the deeper valley on the left.",
    ),
    replace(
        data_function("linear", "mse", *HOURS, id="linreg-hours", title="Line fit: hours"),
        description="A line ŷ = m·x + b through (1, 2), (2, 4), (3, 6): the best fit is "
        "m = 2, b = 0, at the bottom of a long tilted valley.",
    ),
    replace(
        data_function("linear", "mse", *DOSAGE, id="linreg-dosage", title="Line fit: dosage"),
        description="A line fitted to eight noisy measurements that fall with the dosage; "
        "x is not centred, so m and b trade off along a narrow diagonal valley.",
    ),
    replace(
        data_function("logistic", "bce", *BERRIES, id="logistic-berries",
                      title="Poisonous berries (cross-entropy)"),
        description="A logistic curve p = σ(w·x + b) from a berry's colour to the chance it is "
        "poisonous, by cross-entropy: convex, one best fit (two berries break the rule).",
    ),
    replace(
        data_function("logistic", "mse", *BERRIES, id="logistic-berries-mse",
                      title="Poisonous berries (squared error)"),
        start=(12.0, 4.0),  # out on the plateau, where σ saturates
        description="The same berries scored by squared error instead: not convex, with flat "
        "plateaus where σ saturates and gradients all but vanish.",
    ),
)))  # fmt: skip
