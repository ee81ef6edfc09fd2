r"""Losses on data: a dataset, a model and a loss become a :class:`LossFunction`.

::

    f = data_function("linear", "mse", x=[0, 1, 2], y=[1, 3, 5])
    f.minima[0].point                      # (2.0, 1.0): the least-squares line
    f.sample_gradient(p, [0, 2])           # the gradient of the mean over samples 0 and 2

Models (parameters): ``line-through-origin`` ŷ = w·x (w); ``linear`` ŷ = m·x + b (m, b);
``logistic`` p = σ(w·x + b) (w, b). Losses: ``mse`` (any model) and ``bce`` (logistic
only). The loss is the mean over the data, as torch.nn.MSELoss / BCELoss compute it; see
:mod:`app.engine.data.models` for how it is evaluated and how BCE treats extreme logits.

Minima: the least-squares solution for a line (none when it is not unique); for the
logistic model the maximum-likelihood solution when it exists — when a threshold separates
the classes the loss keeps falling as the weights grow and no minimum is listed. Every
invalid input raises ``ValueError`` with a message a person can act on.
"""

from __future__ import annotations

import math

import numpy as np

from app.engine.data.checks import (
    LOSSES,
    MAX_MAGNITUDE,
    MAX_POINTS,
    MODEL_NAMES,
    MODELS,
    PARAMETERS,
    validate_data,
    validate_domain,
)
from app.engine.data.models import LeastSquares, Logistic
from app.engine.functions import LossFunction, Minimum

GRID_CHECK_BUDGET = 4_000_000  # grid points × distinct x when looking for the MSE minimum
_PREDICTIONS = {
    "line-through-origin": "w x_i",
    "linear": "m x_i + b",
    "logistic": r"\sigma(w x_i + b)",
}

__all__ = ["LOSSES", "MAX_POINTS", "MODELS", "PARAMETERS", "data_function"]


def data_function(
    model: str,
    loss: str,
    x,
    y,
    domain=None,
    id: str = "data",
    title: str | None = None,
) -> LossFunction:
    """The mean ``loss`` of ``model`` on the points (x[i], y[i]), over its parameters."""
    x, y = validate_data(model, loss, x, y)
    kernel = (
        Logistic(x, y, loss)
        if model == "logistic"
        else LeastSquares(x, y, through_origin=model == "line-through-origin")
    )
    if model == "logistic":
        # The maximum-likelihood fit (BCE) also frames the plot of the MSE of the same data.
        likelihood = kernel if loss == "bce" else Logistic(x, y, "bce")
        ml = likelihood.minimize((0.0, 0.0)) if kernel.overlaps() else None
        bounds = validate_domain(domain, model) or _logistic_domain(x, ml)
        solutions = _logistic_minima(kernel, ml, bounds) if ml is not None else []
    else:
        bounds = validate_domain(domain, model) or _line_domain(x, y, kernel)
        solutions = [kernel.solution] if kernel.unique else []
    minima = _minima(kernel, solutions)
    n = x.size
    return LossFunction(
        id=id,
        title=title or f"{MODEL_NAMES[model].capitalize()} fitted by {loss.upper()}",
        formula=_formula(model, loss, n),
        value=kernel.value,
        gradient=kernel.gradient,
        domain=bounds,
        minima=minima,
        start=_start(kernel, bounds, minima),
        description=_describe(model, loss, n, kernel, minima),
        extra={
            "data": {"model": model, "loss": loss, "x": x.tolist(), "y": y.tolist()},
            # numpy calls and ns per parameter point of one evaluation (work budgets)
            "cost": kernel.cost(),
        },
        n_samples=n,
        sample_gradient=kernel.sample_gradient,
    )


def _scale(values: np.ndarray) -> float:
    """The spread of ``values``; their size, or 1, when they do not vary."""
    for s in (np.std(values), np.sqrt(np.mean(values * values))):
        if s > 0 and math.isfinite(s):
            return float(s)
    return 1.0


def _box(centre, half) -> tuple[tuple[float, float], ...]:
    """[centre ± half] per axis, rounded outward to 2 significant digits of the half-width,
    and kept within ±MAX_MAGNITUDE."""
    bounds = []
    for c, h in zip(centre, half):
        unit = 10.0 ** (math.floor(math.log10(h)) - 1)
        low = round(math.floor((c - h) / unit) * unit, 12)
        high = round(math.ceil((c + h) / unit) * unit, 12)
        low, high = max(low, -MAX_MAGNITUDE), min(high, MAX_MAGNITUDE)
        if not low < high:  # a solution beyond the limit: the edge of what may be shown
            low, high = (
                (MAX_MAGNITUDE - 2 * h, MAX_MAGNITUDE)
                if c > 0
                else (-MAX_MAGNITUDE, -MAX_MAGNITUDE + 2 * h)
            )
        bounds.append((float(low), float(high)))
    return tuple(bounds)


def _line_domain(x, y, kernel: LeastSquares):
    """Around the least-squares solution, 1.5 natural slopes either side: rms(y) / rms(x)
    through the origin, spread(y) / spread(x) for a line; for its intercept, what that slope
    range moves it by at x̄ plus 1.5 spreads of y (the valley runs along b + m·x̄ = ȳ)."""
    if kernel.through_origin:
        rms_y = math.sqrt(float(np.mean(y * y))) or 1.0
        half_w = 1.5 * rms_y / math.sqrt(kernel.curvature) if kernel.curvature > 0 else 1.5
        return _box(kernel.solution, [min(half_w, MAX_MAGNITUDE)])
    sy = _scale(y)
    half_m = 1.5 * sy / (math.sqrt(kernel.curvature) if kernel.curvature > 0 else 1.0)
    half_m = min(half_m, MAX_MAGNITUDE)
    half_b = min(half_m * abs(kernel.xbar) + 1.5 * sy, MAX_MAGNITUDE)
    return _box(kernel.solution, [half_m, half_b])


def _logistic_domain(x, ml):
    """Around the maximum-likelihood solution (or the origin when there is none): at least
    ±4 / spread(x) in w, which takes σ from 0.02 to 0.98 across ±1 spread of the data."""
    sx, xbar = _scale(x), float(np.mean(x))
    centre = ml if ml is not None else (0.0, 0.0)
    half_w = min(max(1.5 * abs(centre[0]), 4.0 / sx), MAX_MAGNITUDE)
    centred = centre[1] + centre[0] * xbar  # the logit at x̄
    half_b = min(half_w * abs(xbar) + max(1.5 * abs(centred), 4.0), MAX_MAGNITUDE)
    return _box(centre, [half_w, half_b])


def _logistic_minima(kernel: Logistic, ml, bounds) -> list[tuple[float, float]]:
    """BCE: the maximum-likelihood point. MSE is not convex: Newton from the ML point and
    from the lowest point of a coarse grid over the domain (at most ~4·10⁶ evaluations)."""
    if kernel.loss == "bce":
        return [ml]
    side = int(np.clip(math.sqrt(GRID_CHECK_BUDGET / kernel.xs.size), 8, 64))
    axes = [np.linspace(lo, hi, side) for lo, hi in bounds]
    grid = np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, 2)
    best = grid[int(np.argmin(kernel.value(grid)))]
    found = []
    for start in (ml, best):
        point = kernel.minimize(start)
        if point is not None and all(np.hypot(*np.subtract(point, q)) > 1e-6 for q in found):
            found.append(point)
    return found


def _minima(kernel, solutions) -> tuple[Minimum, ...]:
    values = [float(kernel.value(np.array(s))) for s in solutions]
    lowest = min(values, default=0.0)
    return tuple(
        Minimum(tuple(s), v, is_global=v <= lowest)
        for v, s in sorted(zip(values, solutions, strict=True))
    )


def _start(kernel, bounds, minima) -> tuple[float, ...]:
    """The untrained model (all parameters 0) when it lies in the domain, away from every
    minimum and on a slope; else the first such point of a few offsets from the centre."""
    low, high = np.array(bounds).T
    centre, half = (low + high) / 2, (high - low) / 2
    offsets = [(-0.6, 0.5), (0.6, -0.5), (-0.6, -0.5), (0.6, 0.5), (-0.3, 0.3)]
    candidates = [np.zeros(len(bounds))]
    candidates += [np.round(centre + np.array(o[: len(bounds)]) * half, 12) for o in offsets]
    for p in candidates:
        inside = np.all((low <= p) & (p <= high))
        far = all(np.linalg.norm((p - np.array(m.point)) / half) >= 0.3 for m in minima)
        if inside and far and np.linalg.norm(kernel.gradient(p)) > 0:
            return tuple(float(c) for c in p)
    return tuple(float(c) for c in candidates[1])


def _formula(model: str, loss: str, n: int) -> str:
    names = ", ".join(PARAMETERS[model])
    mean = rf"\frac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}}"
    prediction = _PREDICTIONS[model]
    if loss == "mse":
        return rf"J({names}) = {mean} \left({prediction} - y_i\right)^2"
    return (
        rf"J({names}) = -{mean} \left[y_i \log {prediction}"
        rf" + (1 - y_i) \log\left(1 - {prediction}\right)\right]"
    )


def _describe(model: str, loss: str, n: int, kernel, minima) -> str:
    what = f"{'Mean squared error' if loss == 'mse' else 'Binary cross-entropy'} of "
    what += f"{MODEL_NAMES[model]} on {n} point{'s' if n != 1 else ''}"
    names = PARAMETERS[model]
    if minima:
        best = minima[0]
        where = ", ".join(f"{k} = {v:.4g}" for k, v in zip(names, best.point))
        kind = (
            "least-squares"
            if model != "logistic"
            else ("maximum-likelihood" if loss == "bce" else "lowest")
        )
        return f"{what}; the {kind} fit is {where} (loss {best.value:.4g})."
    if model != "logistic":
        return f"{what}; every x is the same, so many fits are equally good and none is listed."
    if not kernel.overlaps():
        return (
            f"{what}. The classes are separable: the loss keeps falling as the weights grow, "
            "so there is no minimum."
        )
    return f"{what}; no isolated minimum was found."
