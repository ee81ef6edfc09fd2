r"""Type your own landscape: a safe expression in x (and y) becomes a :class:`LossFunction`.

The text is tokenized (:mod:`expression_tokens`) and parsed by a strict recursive-descent
parser (:mod:`expression_parse`, never ``eval``) into a tree (:mod:`expression_tree`),
differentiated exactly (:mod:`expression_diff`, simplified by :mod:`expression_algebra`),
compiled to straight-line numpy code (:mod:`expression_eval`) and printed as LaTeX
(:mod:`expression_latex`)::

    f = compile_expression("x^2 + 10*y^2", [[-2, 2], [-2, 2]])
    f.value(np.array([1.0, 1.0]))      # 11.0
    f.extra["gradient_latex"]          # [r"\frac{\partial f}{\partial x} = 2x", ...]

Dimensions: an expression that mentions ``y`` is 2-D over (x, y); any other expression,
constants alone included, is 1-D over x. Every invalid input, the domain included, raises
:class:`ExpressionError` (a ``ValueError``) with ``message`` and a 1-based ``column`` (or
``None`` when the problem has no single place in the text).
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from app.engine.expressions.diff import derivative
from app.engine.expressions.eval import Program
from app.engine.expressions.latex import to_latex
from app.engine.expressions.parse import MAX_DEPTH, MAX_LENGTH, MAX_NODES, parse_expression
from app.engine.expressions.tokens import FUNCTIONS, ExpressionError, normalize
from app.engine.expressions.tree import measure, variables
from app.engine.functions import LossFunction

__all__ = [
    "FUNCTIONS",
    "MAX_BOUND",
    "MAX_DEPTH",
    "MAX_DERIVATIVE_DEPTH",
    "MAX_DERIVATIVE_NODES",
    "MAX_LENGTH",
    "MAX_NODES",
    "ExpressionError",
    "compile_expression",
]

MAX_DERIVATIVE_NODES = 2000  # per partial derivative, shared subtrees counted every time
MAX_DERIVATIVE_DEPTH = 200
MAX_BOUND = 1e6  # |domain bound|
DEFAULT_BOUNDS = (-5.0, 5.0)
AXES = ("x", "y")
# Starts tried in order, as fractions of the half-widths from the centre: the centre itself
# is often a stationary point of a typed expression, where no optimizer would move.
_START_OFFSETS = ((0.3, 0.2), (-0.3, -0.2), (0.3, -0.2), (-0.3, 0.2), (0.1, 0.1), (0.0, 0.0))


def compile_expression(text: str, domain: list[list[float]] | None = None) -> LossFunction:
    """Compile ``text`` over ``domain`` (one [min, max] per variable; default [-5, 5] each)."""
    try:
        tree = parse_expression(text)
        dims = 2 if "y" in variables(tree) else 1
        axes = AXES[:dims]
        bounds = _validate_domain(domain, axes)
        partials = tuple(derivative(tree, axis) for axis in axes)
        for axis, partial in zip(axes, partials, strict=True):
            size, depth = measure(partial)
            if size > MAX_DERIVATIVE_NODES or depth > MAX_DERIVATIVE_DEPTH:
                raise ExpressionError(
                    f"the expression is too complex: its derivative in {axis} would have "
                    f"more than {MAX_DERIVATIVE_NODES} terms or {MAX_DERIVATIVE_DEPTH} levels",
                    None,
                )
        formula = to_latex(tree)
        gradient_latex = [to_latex(partial) for partial in partials]
    except RecursionError:  # not reachable within the limits above; a last safeguard
        raise ExpressionError("the expression is too complex", None) from None

    value_program, gradient_program = Program((tree,)), Program(partials)

    def bind(p) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        p = np.asarray(p, dtype=np.float64)
        return p, {axis: p[..., i] for i, axis in enumerate(axes)}

    def value(p) -> np.ndarray:
        p, env = bind(p)
        (result,) = value_program(env)
        return np.broadcast_to(result, p.shape[:-1]).astype(np.float64)

    def gradient(p) -> np.ndarray:
        p, env = bind(p)
        parts = [np.broadcast_to(g, p.shape[:-1]) for g in gradient_program(env)]
        return np.stack(parts, axis=-1).astype(np.float64, copy=False)

    arguments = ", ".join(axes)
    if dims == 1:
        labels = [r"\frac{df}{dx}"]
    else:
        labels = [rf"\frac{{\partial f}}{{\partial {axis}}}" for axis in axes]
    return LossFunction(
        id="expression",
        title=normalize(text),
        formula=f"f({arguments}) = {formula}",
        value=value,
        gradient=gradient,
        domain=bounds,
        minima=(),
        start=_start(value, gradient, bounds),
        log_scale=False,
        description="Your own expression, with its gradient derived exactly.",
        extra={
            "gradient_latex": [f"{label} = {g}" for label, g in zip(labels, gradient_latex)],
            "expression": text,
            # numpy calls and ns per point of one evaluation, with the wrapping above
            "cost": {
                "value": (value_program.calls + 2, value_program.nanoseconds_per_point + 2),
                "gradient": (
                    gradient_program.calls + 2 + dims,
                    gradient_program.nanoseconds_per_point + 2 * dims,
                ),
            },
        },
    )


def _validate_domain(domain, axes: tuple[str, ...]) -> tuple[tuple[float, float], ...]:
    if domain is None:
        return (DEFAULT_BOUNDS,) * len(axes)
    wanted = f"{len(axes)} [min, max] pair" + ("s" if len(axes) > 1 else "")
    per = " (for " + " and ".join(axes) + ")"
    if isinstance(domain, str | bytes) or not hasattr(domain, "__len__"):
        raise ExpressionError(f"the domain must be a list of {wanted}{per}", None)
    if len(domain) != len(axes):
        uses = "x and y" if len(axes) == 2 else "only x"
        raise ExpressionError(
            f"the expression uses {uses}, so the domain needs {wanted}{per}; got {len(domain)}",
            None,
        )
    bounds = []
    for axis, pair in zip(axes, domain, strict=True):
        if (
            isinstance(pair, str | bytes)
            or not hasattr(pair, "__len__")
            or len(pair) != 2
            or not all(isinstance(b, Real) and not isinstance(b, bool) for b in pair)
        ):
            raise ExpressionError(f"the domain of {axis} must be a pair [min, max] of numbers")
        low, high = float(pair[0]), float(pair[1])
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ExpressionError(f"the domain of {axis} must have finite bounds")
        if max(abs(low), abs(high)) > MAX_BOUND:
            raise ExpressionError(f"the domain of {axis} must lie within ±{MAX_BOUND:g}")
        if not low < high:
            raise ExpressionError(
                f"the domain of {axis} must have its minimum below its maximum; "
                f"got [{low:g}, {high:g}]"
            )
        bounds.append((low, high))
    return tuple(bounds)


def _start(value, gradient, bounds) -> tuple[float, ...]:
    """The first candidate near the centre where the value and gradient are finite."""
    centre = np.array([(low + high) / 2 for low, high in bounds])
    half = np.array([(high - low) / 2 for low, high in bounds])
    offsets = np.array(_START_OFFSETS)[:, : len(bounds)]
    candidates = np.round(centre + offsets * half, 12)
    finite = np.isfinite(value(candidates)) & np.isfinite(gradient(candidates)).all(axis=-1)
    best = int(np.argmax(finite)) if finite.any() else 0
    return tuple(float(c) for c in candidates[best])
